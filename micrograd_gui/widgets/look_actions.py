"""View > Theme (light, dark, or as the system says) and View > Presentation (bigger text for a
projector), applied to the panels and to the picture, and remembered in the settings."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from micrograd_gui import shortcuts
from micrograd_gui.settings import app_settings
from micrograd_gui.widgets.graph_items import apply_look
from micrograd_gui.widgets.graph_view import GraphView

THEMES = {"light": "&Light", "dark": "&Dark", "system": "Follow the &system"}
PRESENTATION_SCALE = 1.5  # text in the panels and the picture, in presentation mode

DARK_COLOURS = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e2e2e2",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e2e2e2",
    QPalette.ColorRole.Button: "#3a3d41",
    QPalette.ColorRole.ButtonText: "#e2e2e2",
    QPalette.ColorRole.ToolTipBase: "#3a3d41",
    QPalette.ColorRole.ToolTipText: "#e2e2e2",
    QPalette.ColorRole.Highlight: "#2f6fd6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#8a8a8a",
    QPalette.ColorRole.Mid: "#4a4a4a",
    QPalette.ColorRole.Light: "#4a4d52",
    QPalette.ColorRole.Dark: "#1a1b1d",
}


def dark_palette(base: QPalette) -> QPalette:
    """`base` with the dark colours; disabled texts greyed."""
    palette = QPalette(base)
    for role, colour in DARK_COLOURS.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f6f6f"))
    return palette


_ORIGINAL: list[tuple[QPalette, QFont]] = []  # the application's palette and font before any change
_OPEN: dict[int, LookActions] = {}  # one per window: the look is the application's, so they all follow it


def _original() -> tuple[QPalette, QFont]:
    if not _ORIGINAL:
        _ORIGINAL.append((QPalette(QApplication.palette()), QFont(QApplication.font())))
    return _ORIGINAL[0]


def light_palette() -> QPalette:
    """The style's own light palette: "Light" stays light on a desktop whose palette is dark."""
    return QApplication.style().standardPalette()


def system_is_dark() -> bool:
    """Whether the desktop asks for dark colours (Qt 6.5+ knows; elsewhere, light)."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


class LookActions(QObject):
    """The View menu's look in one window: `theme_actions` (one checked: light, dark, system) and
    `presentation_action`.

    The look is the application's (its palette and font, and the picture's colours): a choice
    made in one window applies to every open window, whose menus follow. With a style sheet, Qt
    takes widgets' colours and font from the application's when they are polished, so each
    window is polished again. When the last window goes, the application's own look returns.
    Emits `look_changed(dark)`."""

    look_changed = Signal(bool)

    def __init__(self, window: QWidget, graph_view: GraphView) -> None:
        super().__init__(window)
        self._window = window
        self._graph_view = graph_view
        _original()
        self._presenting = False
        self.dark = False
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for theme, text in THEMES.items():
            action = QAction(text, self)
            action.setObjectName(f"actionTheme{theme.capitalize()}")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, t=theme: self.set_theme(t))
            group.addAction(action)
            self.theme_actions[theme] = action
        self.presentation_action = QAction("&Presentation", self)
        self.presentation_action.setObjectName("actionPresentation")
        self.presentation_action.setCheckable(True)
        self.presentation_action.setShortcut(QKeySequence(shortcuts.PRESENTATION))
        self.presentation_action.setToolTip("Bigger text in the panels and the picture, for a projector")
        self.presentation_action.toggled.connect(self.set_presentation)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)
        others = _live_looks()
        key = id(self)
        _OPEN[key] = self
        self.destroyed.connect(lambda _object=None: _forget_closed(key))
        if others:  # the look already chosen in the other windows
            self._follow(others[0].theme(), others[0].dark, others[0].presenting())
        else:
            chosen = str(app_settings().value("view/theme", "system"))
            self.set_theme(chosen if chosen in THEMES else "system", remember=False)

    def add_to(self, menu: QMenu) -> None:
        themes = menu.addMenu("&Theme")
        themes.setObjectName("themeMenu")
        themes.addActions(list(self.theme_actions.values()))
        menu.addAction(self.presentation_action)

    def theme(self) -> str:
        return next(t for t, action in self.theme_actions.items() if action.isChecked())

    def presenting(self) -> bool:
        return self._presenting

    def set_theme(self, theme: str, remember: bool = True) -> None:
        """Light, dark or 'system' (follow the desktop, now and when it changes), in every window."""
        if remember:
            app_settings().setValue("view/theme", theme)
        dark = system_is_dark() if theme == "system" else theme == "dark"
        QApplication.setPalette(dark_palette(light_palette()) if dark else light_palette())
        apply_look(dark)
        for look in _live_looks():
            look._follow(theme, dark, look._presenting)

    def set_presentation(self, on: bool) -> None:
        """Presentation: text in the panels and the picture PRESENTATION_SCALE times bigger, in every window."""
        if on == self._presenting:
            return
        base = _original()[1]
        font = QFont(base)
        font.setPointSizeF(base.pointSizeF() * (PRESENTATION_SCALE if on else 1.0))
        QApplication.setFont(font)
        for look in _live_looks():
            look._follow(look.theme(), look.dark, on)

    def _follow(self, theme: str, dark: bool, presenting: bool) -> None:
        """Show the application's look in this window and its menu."""
        self.theme_actions[theme].setChecked(True)
        self.dark = dark
        if presenting != self._presenting:
            self._presenting = presenting
            self.presentation_action.blockSignals(True)
            self.presentation_action.setChecked(presenting)
            self.presentation_action.blockSignals(False)
            self._graph_view.scale_picture(PRESENTATION_SCALE if presenting else 1 / PRESENTATION_SCALE)
        sheet = self._window.styleSheet()
        self._window.setStyleSheet("")
        self._window.setStyleSheet(sheet)
        self._graph_view.refresh_look()
        self.look_changed.emit(dark)

    def _on_system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme() == "system" and _live_looks()[:1] == [self]:  # the first window applies it for all
            self.set_theme("system", remember=False)


def _live_looks() -> list[LookActions]:
    return [look for look in _OPEN.values() if shiboken6.isValid(look)]


def _forget_closed(key: int) -> None:
    """A window went: forget it; after the last one the application's own look returns."""
    _OPEN.pop(key, None)
    if not _live_looks() and _ORIGINAL:
        palette, font = _ORIGINAL[0]
        QApplication.setPalette(palette)
        QApplication.setFont(font)
        apply_look(False)
