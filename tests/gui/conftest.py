"""Fixtures for GUI tests: a fresh main window whose dialogs never block."""

from __future__ import annotations

import pytest


@pytest.fixture
def window(qtbot):
    """A shown, empty MainWindow; error messages are collected in `window.errors`."""
    from micrograd_gui import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.errors = []
    original_show_error = w.show_error

    def show_error(message: str) -> None:
        w.errors.append(message)
        original_show_error(message)

    w.show_error = show_error
    # Closing with unsaved changes must not open a modal dialog in a test.
    if hasattr(w, "ask_save_changes"):
        w.ask_save_changes = lambda: "discard"
    w.resize(1400, 900)
    w.show()
    return w
