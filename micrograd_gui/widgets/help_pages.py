"""Help > Getting started and Help > Keyboard shortcuts: short pages built into the app.

The shortcuts page is read off the actions and buttons themselves, so it always names the keys
that work."""

from __future__ import annotations

import html

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GETTING_STARTED = """
<h2>Getting started</h2>
<p>micrograd-gui draws the computation graph of Andrej Karpathy's micrograd lecture and lets you
watch values and gradients flow through it.</p>
<ol>
<li><b>Make values.</b> In <i>Create a value</i>, type a name and a number, e.g. <code>a = 2</code>,
and press Return. Make <code>b = -3</code> the same way.</li>
<li><b>Combine them.</b> Choose A and B in <i>Combine values</i> (or click a node in the graph: click
for A, Shift+click for B) and press an operation: + − × ÷ xⁿ tanh exp log relu. Or type a whole
expression in the Expression bar at the top: <code>L = (a*b + c) * f</code>.</li>
<li><b>Run backward.</b> Choose the value to differentiate in <i>Backward</i> and press Backward
(Ctrl+B). Every grad becomes d(that value) / d(this value).</li>
<li><b>Step through it.</b> In the Learn panel, Step (F10) walks the backward pass one node at a
time and writes the chain rule out with this step's numbers.</li>
<li><b>Check it.</b> The Gradient check tab compares each grad with a finite difference.</li>
</ol>
<p>Already have the lecture's code? Copy it (<code>a = Value(2.0, label='a')</code> ...) and
paste it into the window (Edit &gt; Paste, Ctrl+V): it builds that graph, read and never run.
File &gt; Open takes a <code>.py</code> file too, and a picture the app exported.</p>
<p>Everything can be undone (Ctrl+Z). File &gt; Examples opens the lecture's graphs;
File &gt; Save keeps your work, and Export (Ctrl+E) writes a picture or a Python script.</p>
"""


def keyboard_shortcuts(root: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every action and button under `root` that has a shortcut, in a stable order."""
    rows: dict[str, str] = {}
    for action in root.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        # An action whose text changes (Undo names the step) says what it is in "shortcutTitle".
        text = str(action.property("shortcutTitle") or action.text()).replace("&", "").rstrip("…").strip()
        if keys and text:
            rows.setdefault(text, ", ".join(keys))
    for button in root.findChildren(QAbstractButton):
        key = button.shortcut()
        name = button.accessibleName() or button.text()
        if not key.isEmpty() and name:
            rows.setdefault(name.replace("&", ""), key.toString(QKeySequence.SequenceFormat.NativeText))
    return sorted(rows.items(), key=lambda row: row[0].lower())


def shortcuts_page(rows: list[tuple[str, str]]) -> str:
    """The Keyboard shortcuts page as HTML."""
    body = "".join(f"<tr><td>{html.escape(what)}</td><td><b>{html.escape(keys)}</b></td></tr>" for what, keys in rows)
    return (
        "<h2>Keyboard shortcuts</h2>"
        "<p>Tab moves between fields; in the table the arrow keys move between cells.</p>"
        f"<table cellpadding='3'>{body}</table>"
    )


class HelpDialog(QDialog):
    """A page of help (`helpDialog`) in a read-only browser (`helpBrowser`)."""

    def __init__(self, title: str, page: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(560, 520)

    def text(self) -> str:
        return self.browser.toPlainText()
