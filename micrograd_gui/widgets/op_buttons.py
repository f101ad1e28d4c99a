"""The Combine group: pick operands A and B, press an operation, get a new value."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from micrograd_gui import shortcuts
from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import Definition, DocumentError
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.controls import mark_invalid
from micrograd_gui.widgets.name_combo import NameCombo


class Operation(NamedTuple):
    object_name: str
    op: str  # the document's op
    symbol: str  # what the button shows
    name: str  # what a screen reader says
    formula: str
    derivative: str


OPERATIONS = (
    Operation("addButton", "+", "+", "add", "out = A + B", "d out/dA = 1,  d out/dB = 1"),
    Operation("subButton", "-", "\u2212", "subtract", "out = A \u2212 B", "d out/dA = 1,  d out/dB = \u22121"),
    Operation("mulButton", "*", "\u00d7", "multiply", "out = A \u00d7 B", "d out/dA = B,  d out/dB = A"),
    Operation("divButton", "/", "\u00f7", "divide", "out = A \u00f7 B", "d out/dA = 1/B,  d out/dB = \u2212A/B\u00b2"),
    Operation(
        "powButton", "**", "x\u207f", "power", "out = A ** n, n = B's number now", "d out/dA = n \u00b7 A^(n\u22121)"
    ),
    Operation("tanhButton", "tanh", "tanh", "tanh", "out = tanh(A)", "d out/dA = 1 \u2212 out\u00b2"),
    Operation("expButton", "exp", "exp", "exp", "out = e^A", "d out/dA = out"),
    Operation("logButton", "log", "log", "log", "out = ln(A), A > 0", "d out/dA = 1/A"),
    Operation("reluButton", "relu", "relu", "relu", "out = max(0, A)", "d out/dA = 1 if A > 0 else 0"),
)
BINARY = ("+", "-", "*", "/")


class OpButtons(QGroupBox):
    """Combines values: `operandA`, `operandB` (NameCombos), `resultNameEdit`, and one
    button per operation (`addButton` ... `reluButton`). Unary operations use A;
    `**` raises A to B's current number. A refused operation creates nothing and
    its reason shows in `combineError` and the status bar.
    """

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__("Combine values", parent)
        self._session = session
        document = session.document

        self.operand_a = NameCombo(document, "operandA")
        self.operand_a.setToolTip("Operand A (unary operations use A)")
        self.operand_b = NameCombo(document, "operandB")
        self.operand_b.setToolTip("Operand B (for \u00d7 + \u2212 \u00f7; for x\u207f its number is the exponent)")
        for combo in (self.operand_a, self.operand_b):
            combo.setMinimumContentsLength(3)  # two side by side must not widen the side panel
        self.result_name_edit = QLineEdit()
        self.result_name_edit.setObjectName("resultNameEdit")
        self.result_name_edit.setPlaceholderText("automatic")
        self.result_name_edit.setToolTip("The result's name; leave empty for an automatic one (t1, t2, ...)")
        self.result_name_edit.setMaxLength(200)
        self.buttons: dict[str, QPushButton] = {}
        for operation in OPERATIONS:
            button = QPushButton(operation.symbol)
            button.setObjectName(operation.object_name)
            button.setProperty("role", "op")
            key = QKeySequence(shortcuts.OPERATIONS[operation.op])
            button.setShortcut(key)
            shown = key.toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{operation.formula}\nlocal derivative: {operation.derivative}\nshortcut: {shown}")
            button.setAccessibleName(operation.name)
            # A push button's size hint is at least 80 px wide; five in a row would widen the side panel.
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(operation.symbol) + 20)
            self.buttons[operation.op] = button
        self.error_label = QLabel()
        self.error_label.setObjectName("combineError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout(self)
        operands = QHBoxLayout()
        operands.addWidget(self.operand_a, 1)
        label_b = QLabel("&B")
        label_b.setBuddy(self.operand_b)
        operands.addWidget(label_b)
        operands.addWidget(self.operand_b, 1)
        label_a = QLabel("&A")
        label_a.setBuddy(self.operand_a)
        form.addRow(label_a, operands)
        form.addRow("&Result", self.result_name_edit)
        grid = QGridLayout()
        grid.setSpacing(4)
        for i, operation in enumerate(OPERATIONS):
            row, column = (0, i) if i < 5 else (1, i - 5)
            grid.addWidget(self.buttons[operation.op], row, column)
        form.addRow(grid)
        form.addRow(self.error_label)

        for operation in OPERATIONS:
            self.buttons[operation.op].clicked.connect(lambda _=False, op=operation.op: self.apply(op))
        self.result_name_edit.textEdited.connect(self._clear_error)
        session.workspace_replaced.connect(self._clear_error)

    def apply(self, op: str) -> bool:
        """Create `A op B` (or `op(A)`, or `A ** B's number`); True if it was created."""
        document = self._session.document
        a, b = self.operand_a.currentText(), self.operand_b.currentText()
        if not a:
            return self._refuse("Create a value first: A is empty")
        if op in BINARY or op == "**":
            if not b:
                return self._refuse("Choose operand B")
        name = self.result_name_edit.text().strip()
        if name:
            try:
                document.check_new_name(name)
            except DocumentError as error:
                return self._refuse(f"Result: {error}", field_invalid=True)
        else:
            name = document.auto_name()
        if op == "**":
            definition = Definition(name, "**", (a,), exponent=document.data(b))
        elif op in BINARY:
            definition = Definition(name, op, (a, b))
        else:
            definition = Definition(name, op, (a,))
        reason = self._session.try_push(AddDefinitions, document, [definition])
        if reason is not None:
            return self._refuse(reason, shown=True)
        self._clear_error()
        self.result_name_edit.clear()
        return True

    def error_text(self) -> str:
        """The reason shown under the buttons ('' when there is none)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def set_operand(self, name: str, which: str = "A") -> None:
        """Put `name` in operand A or B (a click on the graph or the table)."""
        combo = self.operand_a if which == "A" else self.operand_b
        index = combo.findText(name)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _refuse(self, message: str, shown: bool = False, field_invalid: bool = False) -> bool:
        self.error_label.setText(message)
        self.error_label.show()
        if not shown:
            self._session.show_error(f"Nothing created. {message}")
        mark_invalid(self.result_name_edit, field_invalid)
        return False

    def _clear_error(self) -> None:
        if not self.error_label.isHidden():
            self.error_label.hide()
            self.error_label.clear()
        mark_invalid(self.result_name_edit, False)
