"""The expression bar: type `L = (a*b + c) * f`, or a template such as `o = MLP([x1, x2], [4, 1])`,
press Return, get every node of it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import Change, DocumentError
from micrograd_gui.expression import MAX_EXPRESSION_LENGTH, ExpressionError, in_typed_terms, parse_expression_sources
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.templates import build_net, is_template, parse_template
from micrograd_gui.widgets.controls import mark_invalid

PLACEHOLDER = "L = (a*b + c) * f    or    o = tanh(x1*w1 + x2*w2 + b)    (Return creates it)"
TOOLTIP = (
    "Type an expression over existing values and press Return:\n"
    "  NAME = EXPRESSION, or just EXPRESSION (the result gets an automatic name)\n"
    "  + - * / **, unary -, parentheses, numbers, tanh(x) exp(x) log(x) relu(x)\n"
    "  ** takes a number: x**2, x**-1\n"
    "Each operation becomes a value (t1, t2, …), each number a constant (k1, …).\n"
    "Templates make a neuron, a layer or an MLP over existing values (weights and biases\n"
    "drawn in [-1, 1]; activation='tanh' (the default), 'relu' or 'linear'; seed=N repeats a net):\n"
    "  n = Neuron([x1, x2])    h = Layer([x1, x2], 3)    o = MLP([x1, x2, x3], [4, 4, 1])\n"
    "One expression or template is one step in Undo."
)
CODE_HINT = (
    "that is Python code, which the Expression bar does not read: paste it into the window "
    "(Edit > Paste, Ctrl+V) to build its graph"
)
UNDO_TEXT_LENGTH = 60
# The reason beside the field is cut to this width (its tooltip and the status bar have it whole), and the
# field shrinks to EDIT_MIN_WIDTH, so a refusal never pushes the main tool bar's buttons off a 1024 px window.
ERROR_WIDTH = 280  # at the least; a wider bar gives the reason up to half its width
EDIT_MIN_WIDTH = 220


class ExpressionBar(QWidget):
    """`exprEdit`: an expression applied on Return as one undoable AddDefinitions.

    A refused expression stays in the field with the cursor where the problem
    is, the field outlined, and the reason in `exprError` and the status bar.
    """

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expressionBar")
        self._session = session

        label = QLabel("E&xpression", self)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("exprEdit")
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setToolTip(TOOLTIP)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaxLength(MAX_EXPRESSION_LENGTH * 10)  # the parser says "too long", not a silent cut
        self.edit.setMinimumWidth(EDIT_MIN_WIDTH)
        label.setBuddy(self.edit)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("exprError")
        self.error_label.setProperty("role", "error")
        self.error_label.setMaximumWidth(ERROR_WIDTH)
        self._message = ""
        self.error_label.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error_label)

        self.edit.returnPressed.connect(self.apply)
        self.edit.textEdited.connect(self._clear_error)
        session.document.add_listener(self._on_document_changed)
        session.workspace_replaced.connect(self._clear_error)

    def apply(self) -> bool:
        """Create what the field describes as one undo step; True if it was created."""
        text = self.edit.text()
        document = self._session.document
        shown = " ".join(text.split())
        if len(shown) > UNDO_TEXT_LENGTH:
            shown = shown[: UNDO_TEXT_LENGTH - 1] + "…"
        sources: dict[str, str] = {}
        if "Value(" in text:  # the lecture's code, typed or pasted here: it has a way in
            self._refuse(CODE_HINT, text.index("Value(") + 1)
            return False
        try:
            if is_template(text):
                net, seeded = parse_template(text)
                built = build_net(net, document)
                undo_text = f"Expression {shown}" + ("" if seeded else f" (seed {net.seed})")
                command = AddDefinitions(document, built.definitions, undo_text, built.groups)
            else:
                definitions, sources = parse_expression_sources(text, document)
                command = AddDefinitions(document, definitions, f"Expression {shown}")  # checks the maths
        except ExpressionError as error:
            self._refuse(str(error), error.column)
            return False
        except DocumentError as error:  # log(a - a) and the like, said in the terms typed
            self._refuse(in_typed_terms(str(error), sources), None)
            return False
        self._session.push(lambda: command)
        self._clear_error()
        self.edit.setText("")  # unlike clear(), drops the typing's undo history: Ctrl+Z now undoes the expression
        return True

    def error(self) -> str:
        """The reason the last expression was refused ('' when none is shown)."""
        return self.error_label.toolTip() if not self.error_label.isHidden() else ""

    def _refuse(self, message: str, column: int | None) -> None:
        message = sentence(message)
        self._session.show_error(message)
        self._message = message
        self._fit_error()
        self.error_label.setToolTip(message)
        self.error_label.show()
        mark_invalid(self.edit, True)
        if column is not None:
            self.edit.setCursorPosition(max(0, column - 1))
        self.edit.setFocus()

    def _error_width(self) -> int:
        return max(ERROR_WIDTH, self.width() // 2 - 40)

    def _fit_error(self) -> None:
        """The reason, cut to the room there is (its tooltip and the status bar have it whole)."""
        width = self._error_width()
        self.error_label.setMaximumWidth(width)
        metrics = QFontMetrics(self.error_label.font())
        self.error_label.setText(metrics.elidedText(self._message, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._message and not self.error_label.isHidden():
            self._fit_error()

    def _clear_error(self) -> None:
        self._message = ""
        self.error_label.hide()
        self.error_label.setToolTip("")
        mark_invalid(self.edit, False)

    def _on_document_changed(self, change: Change) -> None:
        # A message about names that may now exist (or no longer) would mislead.
        if change.structure and not self.error_label.isHidden():
            self._clear_error()
