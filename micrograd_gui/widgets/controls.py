"""Small pieces the widgets share: a compact button, the monospace font, the invalid-field outline,
the filter that lets Ctrl+Z in an empty text field undo the last change, and a table header's
columns fitted by the program until the user sizes one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QFontDatabase, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHeaderView, QLineEdit, QPushButton, QWidget


def compact_button(text: str, object_name: str, tip: str, widest: str = "") -> QPushButton:
    """A push button that may shrink to its text (`widest`: the longest text it will show), not Qt's 80 px."""
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setToolTip(tip)
    button.setMinimumWidth(button.fontMetrics().horizontalAdvance(widest or text) + 18)
    return button


def monospace() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def chain_tab_order(widgets: list[QWidget]) -> None:
    """Tab goes through `widgets` in this order."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


def mark_invalid(field: QWidget, invalid: bool) -> None:
    """Outline a field in the error colour (the style sheet's `[invalid="true"]`)."""
    if bool(field.property("invalid")) != invalid:
        field.setProperty("invalid", invalid)
        field.style().unpolish(field)
        field.style().polish(field)


class UndoKeysToWorkspace(QObject):
    """A text field takes Ctrl+Z and Ctrl+Shift+Z for its own typing even when it has none to undo;
    then the keys go to the window's Undo and Redo, so Ctrl+Z right after Return undoes the creation."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QLineEdit):
            assert isinstance(event, QKeyEvent)
            undo = event.matches(QKeySequence.StandardKey.Undo) and not watched.isUndoAvailable()
            redo = event.matches(QKeySequence.StandardKey.Redo) and not watched.isRedoAvailable()
            if undo or redo:
                event.ignore()
                return True
        return False


class FittedColumns:
    """A header's column widths set by the program (`apply`), except for the columns the user has
    dragged (`user_sized`), which keep the user's width until `forget` (a new table)."""

    def __init__(self, header: QHeaderView) -> None:
        self._header = header
        self.user_sized: set[int] = set()
        self._fitting = False
        header.sectionResized.connect(self._on_section_resized)

    def apply(self, widths: dict[int, int]) -> None:
        """Give each column in `widths` that the user has not sized its width."""
        self._fitting = True
        try:
            for column, width in widths.items():
                if column not in self.user_sized and self._header.sectionSize(column) != width:
                    self._header.resizeSection(column, width)
        finally:
            self._fitting = False

    def forget(self) -> None:
        self.user_sized.clear()

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self.user_sized.add(column)
