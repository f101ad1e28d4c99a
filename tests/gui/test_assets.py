"""Every asset micrograd_gui.assets names exists, loads and draws."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QWidget

from micrograd_gui import assets


@pytest.mark.parametrize("name", sorted(assets.ICONS))
def test_icon_loads_and_draws(qapp, name):
    """Each icon renders to a non-empty picture at the sizes tool bars use."""
    icon = assets.icon(name)
    assert not icon.isNull()
    for size in (16, 24, 32):
        image = icon.pixmap(size, size).toImage()
        assert image.width() == size
        opaque = sum(1 for x in range(size) for y in range(size) if QColor.fromRgba(image.pixel(x, y)).alpha() > 0)
        assert opaque > size, f"{name} draws almost nothing at {size}px"


def test_every_icon_file_is_named(qapp):
    """No icon file in resources/icons is left out of assets.ICONS (nor named twice)."""
    from importlib.resources import files

    on_disk = {
        f"icons/{p.name}" for p in files(assets.RESOURCES).joinpath("icons").iterdir() if p.name.endswith(".svg")
    }
    named = list(assets.ICONS.values())
    assert len(named) == len(set(named))
    assert on_disk == set(named)


def test_style_sheet_loads_and_applies(qtbot):
    """The style sheet parses (Qt warns, failing the test, if it does not) and styles a widget."""
    text = assets.style_sheet()
    assert "QGroupBox" in text
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.setStyleSheet(text)
    button = QPushButton("+", widget)
    button.setProperty("role", "op")
    widget.show()
    qtbot.wait(10)
    assert button.isVisible()


def test_code_colours_are_valid(qapp):
    """The colours code paints with are valid colours."""
    assert assets.ERROR_COLOUR.isValid()
    assert assets.STALE_COLOUR.isValid()


def test_unknown_icon_is_a_clear_error(qapp):
    """Asking for an icon that is not named raises KeyError naming it."""
    with pytest.raises(KeyError, match="no_such_icon"):
        assets.icon("no_such_icon")
