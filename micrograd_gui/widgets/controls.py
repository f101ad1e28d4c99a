"""Small pieces the widgets share: a compact button, the monospace font, the invalid-field outline."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QPushButton, QWidget


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


def mark_invalid(field: QWidget, invalid: bool) -> None:
    """Outline a field in the error colour (the style sheet's `[invalid="true"]`)."""
    if bool(field.property("invalid")) != invalid:
        field.setProperty("invalid", invalid)
        field.style().unpolish(field)
        field.style().polish(field)
