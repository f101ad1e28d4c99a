"""View > Theme (light, dark, or as the system says) and View > Presentation (bigger text for a
projector), applied to the panels and to the picture, and remembered in the settings."""

from __future__ import annotations

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


def _original() -> tuple[QPalette, QFont]:
    if not _ORIGINAL:
        _ORIGINAL.append((QPalette(QApplication.palette()), QFont(QApplication.font())))
    return _ORIGINAL[0]


def _restore_light() -> None:
    """The app's own palette and font, and the picture's light look again (a window with a look went away)."""
    if _ORIGINAL:
        palette, font = _ORIGINAL[0]
        QApplication.setPalette(palette)
        QApplication.setFont(font)
    apply_look(False)


def system_is_dark() -> bool:
    """Whether the desktop asks for dark colours (Qt 6.5+ knows; elsewhere, light)."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


class LookActions(QObject):
    """The View menu's look: `theme_actions` (one checked: light, dark, system) and
    `presentation_action`. Applies the palette to the application (with a style sheet, Qt takes
    widgets' colours from the application's palette when they are polished, so `window` is
    polished again), the picture's look to `graph_view`, and emits `look_changed(dark)`."""

    look_changed = Signal(bool)

    def __init__(self, window: QWidget, graph_view: GraphView) -> None:
        super().__init__(window)
        self._window = window
        self._graph_view = graph_view
        self._light_palette, self._base_font = _original()
        self.destroyed.connect(_restore_light)
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
        settings = app_settings()
        chosen = str(settings.value("view/theme", "system"))
        self.set_theme(chosen if chosen in THEMES else "system", remember=False)

    def add_to(self, menu: QMenu) -> None:
        themes = menu.addMenu("&Theme")
        themes.setObjectName("themeMenu")
        themes.addActions(list(self.theme_actions.values()))
        menu.addAction(self.presentation_action)

    def theme(self) -> str:
        return next(t for t, action in self.theme_actions.items() if action.isChecked())

    def set_theme(self, theme: str, remember: bool = True) -> None:
        """Light, dark or 'system' (follow the desktop, now and when it changes)."""
        self.theme_actions[theme].setChecked(True)
        if remember:
            app_settings().setValue("view/theme", theme)
        self._apply(system_is_dark() if theme == "system" else theme == "dark")

    def set_presentation(self, on: bool) -> None:
        """Presentation: text in the panels and the picture PRESENTATION_SCALE times bigger."""
        if on == self._presenting:
            return
        self._presenting = on
        if self.presentation_action.isChecked() != on:
            self.presentation_action.setChecked(on)
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * (PRESENTATION_SCALE if on else 1.0))
        QApplication.setFont(font)
        self._polish()
        self._graph_view.scale_picture(PRESENTATION_SCALE if on else 1 / PRESENTATION_SCALE)

    def _polish(self) -> None:
        """With a style sheet, widgets take the application's palette and font when polished: polish again."""
        sheet = self._window.styleSheet()
        self._window.setStyleSheet("")
        self._window.setStyleSheet(sheet)

    def _apply(self, dark: bool) -> None:
        self.dark = dark
        QApplication.setPalette(dark_palette(self._light_palette) if dark else self._light_palette)
        self._polish()
        apply_look(dark)
        self._graph_view.refresh_look()
        self.look_changed.emit(dark)

    def _on_system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme() == "system":
            self._apply(system_is_dark())
