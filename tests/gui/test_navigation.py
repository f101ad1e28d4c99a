"""Finding your way in a big picture: find, focus, the overview map, and zoom that starts fitted."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit

from micrograd_gui.widgets.find_bar import matches
from tests.gui.test_nets import settle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "resources" / "examples"


def open_example(qtbot, window, name: str) -> None:
    assert window.open_workspace(EXAMPLES_DIR / f"{name}.json")
    settle(qtbot, window)


def test_matches_put_the_name_first_then_prefixes_then_the_rest():
    """'o' finds o itself first, then names starting with o, then names holding it; case does not matter."""
    names = ["loss", "o_n1_1", "x1", "o", "Out"]
    assert matches(names, "o") == ["o", "o_n1_1", "Out", "loss"]
    assert matches(names, "  ") == [] and matches(names, "zz") == []


def test_find_jumps_to_a_value_as_it_is_typed_and_return_goes_to_the_next(qtbot, window):
    """Ctrl+F opens the find bar; typing selects the best match in the graph and the table, zoomed in to
    read it; Return goes to the next match; a value inside a collapsed neuron expands it; Escape closes."""
    open_example(qtbot, window, "moons_net")
    graph = window.graph_view
    window.findChild(QAction, "actionFind").trigger()
    bar = graph.findChild(QLineEdit, "findEdit")
    assert bar.isVisible() and bar.hasFocus()
    QTest.keyClicks(bar, "loss")
    assert graph.selected() == "loss" and window.value_table.current_name() == "loss"
    assert graph.zoom() >= 0.8
    bar.setText("o_n2_3_b")  # inside a collapsed neuron
    settle(qtbot, window)
    assert "o_n2_3_b" in graph.node_names() and graph.selected() == "o_n2_3_b"
    bar.setText("o_n1_1_w")
    assert graph.findChild(QLabel, "findCount").text() == "1 of 4"  # w1, w2, wx1, wx2
    QTest.keyClick(bar, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert graph.selected() == "o_n1_1_w2"
    bar.setText("nothing like it")
    assert graph.findChild(QLabel, "findCount").text() == "no match"
    QTest.keyClick(bar, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_focus_shows_only_what_feeds_the_selected_value_and_back(qtbot, window):
    """View > Show only what feeds the selected value draws its ancestry alone; again, everything; without
    a selection it says what to do."""
    open_example(qtbot, window, "lecture")
    graph = window.graph_view
    focus = window.findChild(QAction, "actionFocus")
    focus.trigger()
    assert not focus.isChecked() and "Select a value first" in window.errors[-1]
    window.value_table.select_name("e")
    focus.trigger()
    settle(qtbot, window)
    assert focus.isChecked() and sorted(graph.node_names()) == ["a", "b", "e"]
    focus.trigger()
    settle(qtbot, window)
    assert not focus.isChecked() and len(graph.node_names()) == 7


def test_the_overview_map_shows_for_a_picture_that_does_not_fit_and_moves_the_view(qtbot, window):
    """Zoomed in on a big picture, the map shows its whole; a click on the map centres the view there; the
    action hides it."""
    open_example(qtbot, window, "moons_net")
    graph = window.graph_view
    window.findChild(QAction, "actionExpandAll").trigger()
    settle(qtbot, window)
    for _ in range(8):
        graph.zoom_in()
    qtbot.waitUntil(graph.map_shown, timeout=5000)
    overview = graph.findChild(type(graph._map), "overviewMap")
    before = graph.canvas.mapToScene(graph.canvas.viewport().rect().center())
    QTest.mouseClick(
        overview, Qt.MouseButton.LeftButton, pos=overview.rect().bottomRight() - overview.rect().center() / 3
    )
    after = graph.canvas.mapToScene(graph.canvas.viewport().rect().center())
    assert (after - before).manhattanLength() > 50
    window.findChild(QAction, "actionOverview").trigger()
    assert not graph.map_shown()


def test_a_workspace_opened_after_zooming_starts_fitted(qtbot, window):
    """A zoom chosen in one workspace does not carry over to the next one opened."""
    open_example(qtbot, window, "lecture")
    fitted = window.graph_view.zoom()
    for _ in range(4):
        window.graph_view.zoom_out()
    assert window.graph_view.zoom() < fitted * 0.5
    open_example(qtbot, window, "neuron")
    open_example(qtbot, window, "lecture")
    assert abs(window.graph_view.zoom() - fitted) < 1e-6
