"""The only module that names files in resources/: icons, the style sheet, and the colours code needs.

Assets are read through `importlib.resources` from the package `micrograd_gui.resources`
(the repository's resources/ directory), so they work from a checkout and from a wheel.
tests/gui/test_assets.py loads every asset named here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

RESOURCES = "micrograd_gui.resources"

# Icon name -> file under resources/icons/.
ICONS: dict[str, str] = {
    "app": "icons/app.svg",
    "new": "icons/new.svg",
    "open": "icons/open.svg",
    "save": "icons/save.svg",
    "export": "icons/export.svg",
    "undo": "icons/undo.svg",
    "redo": "icons/redo.svg",
    "backward": "icons/backward.svg",
    "zero_grads": "icons/zero_grads.svg",
    "zoom_in": "icons/zoom_in.svg",
    "zoom_out": "icons/zoom_out.svg",
    "fit": "icons/fit.svg",
}

STYLE_SHEET = "style.qss"

# Colours the code paints with (the style sheet holds the rest).
ERROR_COLOUR = QColor("#c62828")
STALE_COLOUR = QColor("#9e9e9e")
WRONG_GRAD_COLOUR = QColor("#c62828")  # a grad the bug lab's backward got wrong
WRONG_GRAD_FILL = QColor("#fdecea")

_ICON_SIZES = (16, 20, 24, 32, 48, 64, 128)


def read_bytes(relative_path: str) -> bytes:
    """The bytes of one file under resources/."""
    return files(RESOURCES).joinpath(relative_path).read_bytes()


@cache
def icon(name: str) -> QIcon:
    """The icon called `name` (a key of ICONS), drawn from its SVG at the usual sizes.

    Rendering through QSvgRenderer (not a file path) works even when the package is zipped.
    """
    renderer = QSvgRenderer(QByteArray(read_bytes(ICONS[name])))
    if not renderer.isValid():
        raise ValueError(f"the icon {ICONS[name]} is not a valid SVG")
    result = QIcon()
    for size in _ICON_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result


@cache
def style_sheet() -> str:
    """The app's Qt style sheet."""
    return read_bytes(STYLE_SHEET).decode("utf-8")
