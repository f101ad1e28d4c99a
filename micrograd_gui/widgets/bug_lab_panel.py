"""The Bug lab tab: backward with one classic mistake, to see what it does."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from engine import format_decimals
from micrograd_gui.bug_lab import BUGS, LAB_LIMIT, NO_BUG, Bug, BugLabLens
from micrograd_gui.document import Change
from micrograd_gui.session import WorkspaceSession

WRONG_LISTED = 6  # wrong grads named in the result line; more are counted


class BugLabPanel(QWidget):
    """`bugLabCombo` chooses one classic mistake (the first item is "No bug"); backward from
    `backwardFrom` then runs with it, and keeps running with it after every change, Backward
    included: the table and the picture show the grads it gives, marking those that differ
    from the correct ones, and the gradient check checks them. `bugLabExplanation` says which
    moment of the lecture the mistake is; `bugLabResult` what it changed here. "No bug" shows
    the workspace's own grads again. The engine and the workspace stay correct: the lab is a
    lens on the document's grads (see grad_overlay.py and bug_lab.py), never an undo step.

    Emits `bug_changed(on)` when a bug is switched on or off.
    """

    bug_changed = Signal(bool)

    def __init__(self, session: WorkspaceSession, root_choice: QComboBox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bugLabPanel")
        self._session = session
        self._root_choice = root_choice
        self._lens: BugLabLens | None = None

        self.combo = QComboBox()
        self.combo.setObjectName("bugLabCombo")
        self.combo.setToolTip("Choose a mistake: backward then runs with it, beside the correct one")
        self.combo.setAccessibleName("Bug")
        for bug in BUGS:
            self.combo.addItem(bug.title, bug.key)
        self.explanation = QLabel()
        self.explanation.setObjectName("bugLabExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label = QLabel()
        self.result_label.setObjectName("bugLabResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QWidget()
        text_layout = QVBoxLayout(text)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addWidget(self.explanation)
        text_layout.addWidget(self.result_label)
        text_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("bugLabScroll")
        scroll.setWidget(text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the text is read, not a Tab stop

        top = QHBoxLayout()
        top.addWidget(QLabel("Bug:"))
        top.addWidget(self.combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

        self.combo.currentIndexChanged.connect(self._on_bug_chosen)
        session.document.add_listener(self._on_document_changed)
        root_choice.currentTextChanged.connect(self._on_root_changed)
        self._show()

    # ---- public ------------------------------------------------------------------

    @property
    def bug(self) -> Bug:
        return BUGS[max(self.combo.currentIndex(), 0)]

    @property
    def lens(self) -> BugLabLens | None:
        """The lab's lens on the document while a bug is on."""
        return self._lens

    def choose(self, key: str) -> None:
        """Switch to the bug called `key` ("none" for No bug)."""
        index = self.combo.findData(key)
        if index < 0:
            raise KeyError(key)
        self.combo.setCurrentIndex(index)

    # ---- reacting --------------------------------------------------------------------

    def _on_bug_chosen(self, index: int) -> None:
        bug = self.bug
        document = self._session.document
        was_on = self._lens is not None
        if bug is NO_BUG:
            lens, self._lens = self._lens, None
            if lens is not None and document.lens is lens:
                document.show_lens(None)
        else:
            self._lens = BugLabLens(bug, self._root_choice.currentText())
            document.show_lens(self._lens)
            self._session.show_status(f"Bug lab: backward now runs with “{bug.title}”. {self._result_text()}")
        self._show()
        if was_on != (self._lens is not None):
            self.bug_changed.emit(self._lens is not None)

    def _on_root_changed(self, root: str) -> None:
        if self._lens is not None and root != self._lens.root:
            self._lens = BugLabLens(self.bug, root)
            self._session.document.show_lens(self._lens)
        self._show()

    def _on_document_changed(self, change: Change) -> None:
        if self._lens is not None and self._session.document.lens is not self._lens:
            self.combo.setCurrentIndex(0)  # another tool took the grads over: the lab is off
            return
        self._show()

    # ---- showing -------------------------------------------------------------------

    def _show(self) -> None:
        bug = self.bug
        self.explanation.setText(code_spans(bug.moment if bug is not NO_BUG else _INTRODUCTION))
        self.result_label.setText(self._result_text())

    def _result_text(self) -> str:
        lens = self._lens
        if lens is None:
            return ""
        result = lens.result
        if lens.too_big:
            return f"The bug lab runs on workspaces of up to {LAB_LIMIT:,} values; this one has more."
        if result is None:
            return "Choose a value in Backward: the lab runs backward from it."
        wrong = result.wrong
        if not wrong:
            if lens.bug.ops and not any(
                self._session.document.definition(name).op in lens.bug.ops for name in result.grads
            ):
                ops = ", ".join(lens.bug.ops)
                return f"This workspace has no {ops}: the bug changes nothing here. Try another example."
            return f"Backward from {result.root} with this bug gets every grad right here."
        listed = "; ".join(
            f"{name}.grad {format_decimals(result.grads[name])} (correct {format_decimals(result.correct[name])})"
            for name in wrong[:WRONG_LISTED]
        )
        more = f" and {len(wrong) - WRONG_LISTED} more" if len(wrong) > WRONG_LISTED else ""
        count = f"{len(wrong)} grad{'s' if len(wrong) != 1 else ''}"
        return f"With this bug, backward from {result.root} gets {count} wrong, marked in red: {listed}{more}."


def code_spans(text: str) -> str:
    """Plain text with `code` in backticks, as rich text: the code in a monospace font."""
    parts = html.escape(text, quote=False).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


_INTRODUCTION = (
    "Choose a mistake that learners (and the lecture) make when writing backward. Backward then runs"
    " with it: the table and the picture show the grads it gives, those that differ from the correct"
    " ones in red, and the Gradient check tab checks them. The workspace itself stays correct."
)
