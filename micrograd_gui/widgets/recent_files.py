"""Open Recent: the recently opened or saved files, remembered in the settings, and their menu."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from micrograd_gui.settings import app_settings

RECENT_KEY = "files/recent"
MAX_RECENT = 8


class RecentFiles(QObject):
    """The list (newest first, at most MAX_RECENT) and `menu` (`recentMenu`), refilled each time it
    opens. Choosing a file emits `open_requested(path)`."""

    open_requested = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.menu = QMenu("Open &Recent", parent)
        self.menu.setObjectName("recentMenu")
        self.clear_action = QAction("&Clear the list", parent)
        self.clear_action.setObjectName("actionClearRecent")
        self.clear_action.setToolTip("Forget the recent files")
        self.clear_action.setStatusTip("Forget the recent files")
        self.clear_action.triggered.connect(self.clear)
        self.menu.aboutToShow.connect(self.fill_menu)
        self.fill_menu()

    def paths(self) -> list[str]:
        """The recently opened or saved files, newest first."""
        value = app_settings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(p) for p in value if isinstance(p, str) and p][:MAX_RECENT]

    def add(self, path: str) -> None:
        self._set([path, *[p for p in self.paths() if p != path]])

    def remove(self, path: str) -> None:
        self._set([p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._set([])

    def _set(self, paths: list[str]) -> None:
        app_settings().setValue(RECENT_KEY, paths[:MAX_RECENT])
        self.fill_menu()

    def fill_menu(self) -> None:
        self.menu.clear()
        recent = self.paths()
        for number, path in enumerate(recent, start=1):
            action = self.menu.addAction(f"&{number} {os.path.basename(path)}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setData(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_requested.emit(p))
        if recent:
            self.menu.addSeparator()
        self.menu.addAction(self.clear_action)
        self.clear_action.setEnabled(bool(recent))
        self.menu.menuAction().setEnabled(bool(recent))
