"""Help > About: the app's version, which Graphviz draws, and the versions of Qt, PySide6 and Python."""

from __future__ import annotations

import html
import platform
import threading

import PySide6
from PySide6.QtCore import QObject, Qt, Signal, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from micrograd_gui import __version__, assets


def about_text(graphviz: str) -> str:
    """The About box's text: versions, and `graphviz`, which Graphviz draws the graph."""
    return (
        f"<h3>micrograd-gui {html.escape(__version__)}</h3>"
        "<p>Build scalar computation graphs by clicking, run backward, "
        "and watch values and gradients flow, as in Andrej Karpathy's micrograd lecture.</p>"
        f"<p>Graphviz: {html.escape(graphviz)}<br>"
        f"Qt {html.escape(qVersion())}, PySide6 {html.escape(PySide6.__version__)}, "
        f"Python {html.escape(platform.python_version())}</p>"
    )


class _Relay(QObject):
    """Carries the worker thread's answer to the UI thread."""

    described = Signal(str)


def show_about_box(parent: QWidget) -> QMessageBox:
    """Open the About box over `parent` (`aboutBox`, not modal to the app's event loop). Which Graphviz
    draws is found on a worker thread (running `dot -V` may take seconds), so the box opens at once
    and fills that in."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About micrograd-gui")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text("checking…"))
    box.setIconPixmap(assets.icon("app").pixmap(64, 64))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    relay = _Relay(box)  # deleted with the box: an answer after the box closed goes nowhere

    def described(graphviz: str) -> None:
        box.setText(about_text(graphviz))

    relay.described.connect(described, Qt.ConnectionType.QueuedConnection)

    def describe() -> None:
        try:
            from micrograd_gui.render import describe_dot

            graphviz = describe_dot()
        except Exception as error:  # the About box must say something even when the renderer cannot
            graphviz = f"unavailable ({error})"
        try:
            relay.described.emit(graphviz)
        except RuntimeError:  # the box was closed (and deleted) meanwhile
            pass

    threading.Thread(target=describe, name="about-graphviz", daemon=True).start()
    box.open()
    return box
