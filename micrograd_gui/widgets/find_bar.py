"""Find in the graph (Ctrl+F): jumps to a value as its name is typed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from micrograd_gui.document import Document


def matches(names: list[str], text: str) -> list[str]:
    """The names `text` finds, best first: the name itself, then names starting with it, then names
    holding it (case ignored), each in document order."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    folded = [(name, name.casefold()) for name in names]
    exact = [n for n, f in folded if f == wanted]
    starts = [n for n, f in folded if f != wanted and f.startswith(wanted)]
    holds = [n for n, f in folded if wanted in f and not f.startswith(wanted)]
    return exact + starts + holds


class FindBar(QWidget):
    """A small bar over the graph (objectName 'findBar', its field 'findEdit', its count 'findCount').

    As the user types, `found(name)` names the best match (see `matches`); Return goes to the next one,
    Shift+Return to the one before, Escape closes the bar. `found('')` when nothing matches.
    """

    found = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._document = document
        self._matches: list[str] = []
        self._index = 0

        self.edit = QLineEdit(self)
        self.edit.setObjectName("findEdit")
        self.edit.setPlaceholderText("Find a value")
        self.edit.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setObjectName("findCount")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#findBar { background: #f5f5f5; border: 1px solid #c8c8c8; border-radius: 4px; }")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)

        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.installEventFilter(self)
        self.hide()

    def open(self) -> None:
        """Show the bar with its text selected, ready for typing."""
        self.show()
        self.raise_()
        self.edit.setFocus()
        self.edit.selectAll()

    def step(self, forward: bool = True) -> str:
        """Go to the next match (or the one before); its name, '' when none."""
        if not self._matches:
            return ""
        self._index = (self._index + (1 if forward else -1)) % len(self._matches)
        return self._announce()

    def _on_text_changed(self, text: str) -> None:
        self._matches = matches(self._document.names, text)
        self._index = 0
        self._announce()

    def _announce(self) -> str:
        name = self._matches[self._index] if self._matches else ""
        text = self.edit.text().strip()
        self.count.setText(f"{self._index + 1} of {len(self._matches)}" if name else ("no match" if text else ""))
        self.found.emit(name)
        return name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.step(not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.hide()
                return True
        return False
