"""micrograd_gui.show(*roots): the window on a graph built in code, for scripts and notebooks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from micrograd.engine import Value as MicrogradValue
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import micrograd_gui
from engine import Value
from micrograd_gui.document import Definition
from tests.workspaces import LECTURE

ROOT = Path(__file__).resolve().parents[2]


def lecture_values() -> dict[str, Value]:
    """The lecture's first graph, built in code: L = (a*b + c) * f."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f  # noqa: N806 (the lecture's name)
    L.label = "L"
    return {v.label: v for v in (a, b, c, d, e, f, L)}


def lecture() -> Value:
    return lecture_values()["L"]


@pytest.fixture
def shown(qtbot):
    """The windows show() opened in a test, closed and deleted after it."""
    windows = []
    yield windows
    for window in windows:
        window.close()
        window.deleteLater()


def test_show_without_blocking_returns_the_window_on_the_graph(qtbot, shown):
    """Labels become names, unlabelled values automatic names, numbers constants; a backward run in
    code shows its grads (the engine's own); the window is shown, untitled, and no event loop ran."""
    values = lecture_values()
    one = Value(1.0)
    y = (2 * values["L"] + one).tanh()
    y.backward()
    window = micrograd_gui.show(y, block=False)
    shown.append(window)
    assert isinstance(window, micrograd_gui.MainWindow) and window.isVisible()
    document = window.document
    assert document.names == ["k1", "a", "b", "e", "c", "d", "f", "L", "t1", "k2", "t2", "t3"]
    assert document.definition("k1") == Definition("k1", data=2.0, constant=True)
    assert document.definition("k2") == Definition("k2", data=1.0)  # Value(1.0): a leaf to train, not a number
    assert document.definition("t1") == Definition("t1", "*", ("k1", "L"))
    assert [document.definition(n) for n in "abcdef"] == sorted(
        [d for d in LECTURE if d.name != "L"], key=lambda d: d.name
    )
    assert document.backward_root == "t3"
    expected = {**{name: v.grad for name, v in values.items()}, "k2": one.grad, "t3": 1.0}
    assert {name: document.grad(name) for name in expected} == pytest.approx(expected)
    assert window.windowTitle() == "t3 (from code)[*] — micrograd-gui"
    assert window.file_actions.path is None and not window.isWindowModified()
    assert window.undo_stack.count() == 0


def test_show_the_lecture_names_each_value_by_its_label(qtbot, shown):
    """The lecture's graph comes up as the lecture's workspace: the same definitions."""
    window = micrograd_gui.show(lecture(), block=False)
    shown.append(window)
    assert sorted(window.document.definitions, key=lambda d: d.name) == sorted(LECTURE, key=lambda d: d.name)
    assert window.windowTitle() == "L (from code)[*] — micrograd-gui"


def test_show_blocks_until_the_window_is_closed(qtbot, shown):
    """block=True runs the window's events until it closes, then returns it, closed, with its work."""
    closed = []

    def close_it() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, micrograd_gui.MainWindow) and widget.isVisible():
                closed.append(widget.document.names)
                widget.close()

    QTimer.singleShot(50, close_it)
    window = micrograd_gui.show(lecture())
    shown.append(window)
    assert closed == [["a", "b", "e", "c", "d", "f", "L"]]
    assert not window.isVisible()
    assert window.document.names[-1] == "L"


@pytest.mark.parametrize(
    ("roots", "message"),
    [
        ((), r"show\(\) needs at least one Value"),
        ((2.0,), r"show\(\) takes engine Values \(from engine import Value\), not builtins\.float"),
        ((MicrogradValue(1.0),), r"not micrograd\.engine\.Value"),
    ],
)
def test_show_refuses_what_is_not_a_value_before_any_window(qtbot, roots, message):
    """Nothing but engine Values: a TypeError that says what was given, and no window opens."""
    before = [w for w in QApplication.topLevelWidgets() if isinstance(w, micrograd_gui.MainWindow)]
    with pytest.raises(TypeError, match=message):
        micrograd_gui.show(*roots, block=False)
    after = [w for w in QApplication.topLevelWidgets() if isinstance(w, micrograd_gui.MainWindow)]
    assert after == before


def test_show_from_a_plain_script_makes_its_own_application_and_import_stays_light(tmp_path):
    """In a fresh interpreter, `import micrograd_gui` loads no Qt; show() makes the QApplication."""
    script = (
        "import sys\n"
        "import micrograd_gui\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'import micrograd_gui loaded Qt'\n"
        "from engine import Value\n"
        "a = Value(2.0, label='a'); b = a * a; b.label = 'b'; b.backward()\n"
        "w = micrograd_gui.show(b, block=False)\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication.instance()\n"
        "print(app.applicationName(), w.document.names, w.document.grad('a'), w.isVisible())\n"
        "w.close()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "micrograd-gui ['a', 'b'] 4.0 True"
