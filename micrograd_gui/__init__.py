"""micrograd-gui: build scalar computation graphs by clicking and watch gradients flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from micrograd_gui.widgets.main_window import MainWindow

__all__ = ["MainWindow", "__version__"]


def __getattr__(name: str) -> Any:
    # The window pulls in Qt; `micrograd-gui --version` and the document do not need it.
    if name == "MainWindow":
        from micrograd_gui.widgets.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
