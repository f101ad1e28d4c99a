"""`micrograd_gui.show(*roots)`: the window on a graph built in code, from a script or a notebook.

    from engine import Value
    import micrograd_gui

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = a * b; L.label = "L"
    L.backward()
    micrograd_gui.show(L)                  # a script: returns once the window is closed
    w = micrograd_gui.show(L, block=False)  # a notebook after `%gui qt`: returns the window at once

The graph becomes a workspace as micrograd_gui.from_engine makes it (labels become names,
unlabelled values automatic names, numbers constants; backward from the first root when it ran
there). The window is untitled: Save asks where to keep it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from engine import Value
from micrograd_gui.display_check import display_problem
from micrograd_gui.from_engine import workspace_from_values

if TYPE_CHECKING:
    from micrograd_gui.widgets.main_window import MainWindow

# Windows opened with block=False stay open while nothing else refers to them (a notebook cell's
# `show(L, block=False)` without an assignment); each is let go once it is closed.
_open_windows: list[MainWindow] = []


def show(*roots: Value, block: bool = True) -> MainWindow:
    """Open the app's window on the graph that built `roots` (engine Values).

    With `block=True` the window's events run until it is closed, then the (closed) window is
    returned: its `document` holds what was made in it. With `block=False` the window is shown and
    returned at once, with no event loop run here: a notebook runs one after `%gui qt`. A
    QApplication is made when there is none. TypeError for what is not an engine Value,
    ValueError for a graph the app cannot hold, RuntimeError when no window can open here.
    """
    workspace = workspace_from_values(*roots)  # refuses what is not a Value before Qt is touched
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from micrograd_gui.widgets.main_window import MainWindow

    if QApplication.instance() is None:
        problem = display_problem(os.environ)
        if problem is not None:
            raise RuntimeError(f"micrograd_gui.show: {problem}")
        app = QApplication(sys.argv[:1] or ["micrograd-gui"])
        app.setApplicationName("micrograd-gui")
        app.setOrganizationName("micrograd-gui")
    window = MainWindow()
    refusals: list[str] = []
    window.file_actions.open_failed.connect(refusals.append)
    name = workspace.backward_from or workspace.definitions[-1].name
    if not window.file_actions.show_workspace(workspace, f"{name} (from code)"):
        window.deleteLater()
        raise ValueError(refusals[0] if refusals else "the graph cannot be shown")
    window.show()
    if QApplication.platformName() != "offscreen":  # which has no stacking order to raise it in
        window.raise_()
        window.activateWindow()
    if not block:
        _open_windows.append(window)
        window.closed.connect(lambda: _open_windows.remove(window) if window in _open_windows else None)
        return window
    loop = QEventLoop()
    window.closed.connect(loop.quit)
    loop.exec()
    return window
