"""Fixtures for GUI tests: a fresh main window whose dialogs never block."""

from __future__ import annotations

from pathlib import Path

import pytest

# Qt's offscreen platform warns whenever a shown top-level window's size limits change
# (a main window with a menu bar does on show); it means nothing here, and Qt warnings fail tests.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items):
    """Ignore the offscreen platform's propagateSizeHints warning in GUI tests."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def separate_settings(tmp_path):
    """Each GUI test starts from empty QSettings: a closed window's saved state never leaks into the next test."""
    from PySide6.QtCore import QSettings

    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def window(qtbot):
    """A shown, empty MainWindow; error messages are collected in `window.errors`."""
    from micrograd_gui import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.errors = []
    w.session.error_shown.connect(w.errors.append)
    # Closing with unsaved changes must not open a modal dialog in a test.
    w.dialogs.ask_save_changes = lambda display_name: "discard"
    w.resize(1400, 900)
    w.show()
    return w
