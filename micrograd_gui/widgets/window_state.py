"""The window's layout across runs: geometry, tool bars and docks, splitters and the graph's
direction, kept in the app's settings."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow, QSplitter

from micrograd_gui.settings import app_settings

DEFAULT_SIZE = (1400, 900)
SIDE_PANEL_WIDTH = 300
# Saved tool bar and dock states carry this; bump it when they move to another place in the window.
STATE_VERSION = 1


@dataclass
class Restored:
    """What the settings held that the window applies itself."""

    rankdir: str


class WindowState:
    """Saves and restores the layout of `window` (the top level), `centre` (the main window inside
    it that holds the docks), `main_splitter` (side panel | centre) and `centre_splitter` (graph over
    table). A missing or unreadable setting gives the default layout for this screen."""

    def __init__(
        self, window: QMainWindow, centre: QMainWindow, main_splitter: QSplitter, centre_splitter: QSplitter
    ) -> None:
        self._window, self._centre = window, centre
        self._main_splitter, self._centre_splitter = main_splitter, centre_splitter

    def restore(self) -> Restored:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self._window.restoreGeometry(geometry)
        else:
            self._default_geometry()
        for key, main_window in (("window/state", self._window), ("window/centreState", self._centre)):
            state = settings.value(key)
            if isinstance(state, QByteArray):
                main_window.restoreState(state, STATE_VERSION)  # a state from an older layout is ignored
        splitters = {"window/mainSplitter": self._main_splitter, "window/centreSplitter": self._centre_splitter}
        for key, splitter in splitters.items():
            value = settings.value(key)
            if not (isinstance(value, QByteArray) and splitter.restoreState(value)):
                self._default_splitter(splitter)
        return Restored(rankdir="TB" if settings.value("view/rankdir", "LR") == "TB" else "LR")

    def save(self, rankdir: str) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self._window.saveGeometry())
        settings.setValue("window/state", self._window.saveState(STATE_VERSION))
        settings.setValue("window/centreState", self._centre.saveState(STATE_VERSION))
        settings.setValue("window/mainSplitter", self._main_splitter.saveState())
        settings.setValue("window/centreSplitter", self._centre_splitter.saveState())
        settings.setValue("view/rankdir", rankdir)

    def _default_geometry(self) -> None:
        width, height = DEFAULT_SIZE
        screen = self._window.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.95))
            height = min(height, int(available.height() * 0.95))
        self._window.resize(width, height)

    def _default_splitter(self, splitter: QSplitter) -> None:
        window = self._window
        if splitter is self._main_splitter:
            side_panel = splitter.widget(0)
            side = max(side_panel.minimumWidth() if side_panel else 0, SIDE_PANEL_WIDTH)
            splitter.setSizes([side, max(window.width() - side, 400)])
        else:
            splitter.setSizes([max(window.height() * 2 // 3, 300), max(window.height() // 3, 150)])
