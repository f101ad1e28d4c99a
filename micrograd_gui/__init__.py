"""micrograd-gui: build scalar computation graphs by clicking and watch gradients flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from engine import Value
    from micrograd_gui.widgets.main_window import MainWindow

__all__ = ["MainWindow", "__version__", "show"]


def show(*roots: Value, block: bool = True) -> MainWindow:
    """Open the app's window on the graph that built `roots` (engine Values): labels become names,
    unlabelled values automatic names, numbers constants. `block=True` runs the window until it is
    closed; `block=False` returns it at once (a notebook, after `%gui qt`). See micrograd_gui.show_graph."""
    from micrograd_gui.show_graph import show as show_window

    return show_window(*roots, block=block)


def __getattr__(name: str) -> Any:
    # The window pulls in Qt; `micrograd-gui --version` and the document do not need it.
    if name == "MainWindow":
        from micrograd_gui.widgets.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
