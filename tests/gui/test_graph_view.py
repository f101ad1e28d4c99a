"""The graph panel: pictures that follow the workspace, clicks, zoom, messages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from micrograd_gui import render
from micrograd_gui.document import Definition, Document
from micrograd_gui.widgets import graph_items, layout_scheduler
from micrograd_gui.widgets.graph_view import GraphView
from tests.gui.graph_helpers import fake_dot
from tests.workspaces import LECTURE, NEURON, shared_chain_definitions


@pytest.fixture
def document():
    return Document()


@pytest.fixture
def view(qtbot, document):
    """A shown GraphView over an empty document, its first (empty) picture already in."""
    widget = GraphView(document)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=10000)
    return widget


def fill(qtbot, view, document, definitions):
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        document.replace_definitions(definitions)


def non_white_pixels(image: QImage, step: int = 2) -> int:
    return sum(
        1
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
        if image.pixelColor(x, y).lightness() < 200
    )


def viewport_point(view: GraphView, item) -> QPoint:
    return view.canvas.mapFromScene(item.sceneBoundingRect().center())


def test_panel_is_found_by_object_name(qtbot, document):
    """The panel answers to findChild(QWidget, 'graphView')."""
    parent = QWidget()
    qtbot.addWidget(parent)
    panel = GraphView(document, parent)
    assert parent.findChild(QWidget, "graphView") is panel


def test_empty_workspace_shows_a_hint_not_a_blank_panel(view):
    """An empty workspace says how to start, and the panel is not blank."""
    assert view.node_names() == []
    hint = view.findChild(QWidget, "graphHint")
    assert hint.isVisible() and "Create a value" in hint.text()
    assert non_white_pixels(view.grab().toImage()) > 50
    assert view.message() == ""


def test_first_picture_of_an_empty_workspace_is_announced(qtbot, document):
    """picture_updated arrives for an empty workspace too."""
    widget = GraphView(document)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.picture_updated, timeout=10000):
        widget.show()


def test_lecture_graph_is_drawn_with_every_value(qtbot, view, document):
    """The lecture graph: 7 value nodes, 3 ops, text fitting every cell, ink on the panel."""
    fill(qtbot, view, document, LECTURE)
    assert view.node_names() == ["a", "b", "c", "e", "d", "f", "L"]
    assert view.node_item("e").texts() == ["e", "data -6.0000", "grad 0.0000"]
    for name in view.node_names():
        item = view.node_item(name)
        assert all(item.text_fits(i) for i in range(3)), name
    assert view.findChild(QWidget, "graphHint").isHidden()
    assert view.message() == "" and not view.is_busy()
    assert non_white_pixels(view.grab().toImage()) > 500


def test_number_change_updates_texts_without_moving_anything(qtbot, view, document):
    """A leaf edit rewrites the numbers in place: same positions, no new layout."""
    fill(qtbot, view, document, LECTURE)
    before = {name: view.node_item(name).sceneBoundingRect() for name in view.node_names()}
    item_a = view.node_item("a")
    with qtbot.waitSignal(view.picture_updated, timeout=1000):
        document.set_leaf_data("a", 123456.5)
    assert not view.is_busy()
    assert view.node_item("a") is item_a  # the same item: the scene was not rebuilt
    assert {name: view.node_item(name).sceneBoundingRect() for name in view.node_names()} == before
    assert item_a.texts()[1] == "data 123456.5000"
    assert view.node_item("e").texts()[1] == "data -370369.5000"


def test_backward_fills_grads_in_place_and_stale_grads_are_marked(qtbot, view, document):
    """Backward shows grads; a later leaf edit marks them stale until the next backward."""
    fill(qtbot, view, document, LECTURE)
    with qtbot.waitSignal(view.picture_updated, timeout=1000):
        document.backward("L")
    assert view.node_item("a").texts()[2] == "grad 6.0000"
    assert not view.node_item("a").grad_stale
    with qtbot.waitSignal(view.picture_updated, timeout=1000):
        document.set_leaf_data("f", -3.0)
    assert view.node_item("a").grad_stale
    assert "stale" in view.tooltip_for("a")
    with qtbot.waitSignal(view.picture_updated, timeout=1000):
        document.backward("L")
    assert not view.node_item("a").grad_stale
    assert view.node_item("a").texts()[2] == "grad 9.0000"


def test_structure_change_brings_a_new_layout(qtbot, view, document):
    """Adding a value lays the graph out again with the new node."""
    fill(qtbot, view, document, LECTURE)
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        document.add_op("g", "tanh", ["L"])
    assert view.node_names()[-1] == "g"
    assert view.node_item("g").texts()[1] == "data -1.0000"


def test_a_burst_of_changes_ends_with_the_latest_workspace(qtbot, view, document):
    """Changes in quick succession supersede each other; the final picture matches the workspace."""
    document.add_leaf("x0", 1.0)
    for i in range(1, 12):
        document.add_op(f"x{i}", "*", [f"x{i - 1}", "x0"])
    qtbot.waitUntil(lambda: not view.is_busy() and len(view.node_names()) == 12, timeout=20000)
    assert view.node_names() == document.names


def test_click_on_a_value_node_reports_it_and_shift_click_too(qtbot, view, document):
    """A click reports (name, False) and selects it; with Shift (name, True)."""
    fill(qtbot, view, document, LECTURE)
    point = viewport_point(view, view.node_item("b"))
    selections = []
    view.selection_changed.connect(selections.append)
    with qtbot.waitSignal(view.node_clicked, timeout=1000) as blocker:
        QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert blocker.args == ["b", False]
    assert selections == ["b"] and view.selected() == "b"
    with qtbot.waitSignal(view.node_clicked, timeout=1000) as blocker:
        QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, point)
    assert blocker.args == ["b", True]


def test_click_on_an_op_or_empty_space_reports_nothing(qtbot, view, document):
    """Only value nodes answer clicks."""
    fill(qtbot, view, document, LECTURE)
    clicked = []
    view.node_clicked.connect(lambda name, shift: clicked.append(name))
    op = next(item for item in view.scene.items() if getattr(item, "kind", "") == "op")
    QTest.mouseClick(
        view.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, viewport_point(view, op)
    )
    QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(3, 3))
    qtbot.wait(50)
    assert clicked == []


def test_shared_leaf_copies_are_dashed_and_click_as_their_value(qtbot, view, document):
    """In a long shared-leaf chain a dashed copy of w0 clicks as w0."""
    fill(qtbot, view, document, shared_chain_definitions(60))
    copies = view.copy_items("w0")
    assert copies and all(copy.node.dashed for copy in copies)
    assert copies[0].texts() == view.node_item("w0").texts()
    copy = copies[len(copies) // 2]
    view.canvas.centerOn(copy)
    with qtbot.waitSignal(view.node_clicked, timeout=1000) as blocker:
        QTest.mouseClick(
            view.canvas.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            viewport_point(view, copy),
        )
    assert blocker.args == ["w0", False]
    with qtbot.waitSignal(view.picture_updated, timeout=1000):
        document.set_leaf_data("w0", 0.25)
    assert all(c.texts()[1] == "data 0.2500" for c in view.copy_items("w0"))


def test_zoomed_far_out_nodes_are_blocks_that_still_click(qtbot, view, document):
    """A big graph fitted to the panel draws blocks; a click on one reports its value; zooming in brings details."""
    definitions = [Definition(f"w{i}", data=0.5) for i in range(8)] + [Definition("v0", data=1.0)]
    for k in range(150):
        definitions.append(Definition(f"m{k + 1}", "*", (f"v{k}", f"w{k % 8}")))
        definitions.append(Definition(f"v{k + 1}", "+", (f"m{k + 1}", f"w{(k + 3) % 8}")))
    fill(qtbot, view, document, definitions)
    overview = view._picture.overview
    assert overview is not None and overview.isVisible()
    assert not view.node_item("v75").isVisible()
    view.select("v75")
    point = viewport_point(view, view.node_item("v75"))
    with qtbot.waitSignal(view.node_clicked, timeout=1000) as blocker:
        QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert blocker.args == ["v75", False]
    assert non_white_pixels(view.grab().toImage()) > 100
    while view.zoom() < 0.5:
        view.zoom_in()
    assert not overview.isVisible() and view.node_item("v75").isVisible()


def test_select_highlights_one_value_and_clears(qtbot, view, document):
    """select(name) colours that node; select(None) clears it."""
    fill(qtbot, view, document, LECTURE)
    view.select("d")
    assert view.node_item("d").fill == graph_items.SELECTED_FILL
    assert view.node_item("a").fill is None
    view.select(None)
    assert view.node_item("d").fill is None and view.selected() is None


def test_selection_is_dropped_when_its_value_goes(qtbot, view, document):
    """Deleting the selected value clears the selection and says so."""
    fill(qtbot, view, document, LECTURE)
    view.select("L")
    with qtbot.waitSignal(view.selection_changed, timeout=20000) as blocker:
        document.remove(["L"])
    assert blocker.args == [""]
    qtbot.waitUntil(lambda: not view.is_busy(), timeout=20000)
    assert "L" not in view.node_names()


def test_step_highlight_marks_active_node_its_edges_and_visited_nodes(qtbot, view, document):
    """The active value and the edges around it stand out; visited values differ from pending ones."""
    fill(qtbot, view, document, LECTURE)
    view.set_step_highlight("d", ["L"])
    assert view.node_item("d").fill == graph_items.ACTIVE_FILL
    assert view.node_item("L").fill == graph_items.VISITED_FILL
    assert view.node_item("a").fill is None
    lit = sorted(view.highlighted_edges())
    assert lit == sorted([("v_e", "o_d"), ("v_c", "o_d"), ("o_d", "v_d"), ("v_d", "o_L")])
    view.set_step_highlight(None, ())
    assert view.highlighted_edges() == []
    assert view.node_item("d").fill is None and view.node_item("L").fill is None


@pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise|propagateSizeHints)\(\)"
)  # the offscreen platform, showing the tooltip
def test_tooltip_explains_a_value(qtbot, view, document):
    """Hovering a value shows its definition, numbers and local derivatives."""
    fill(qtbot, view, document, LECTURE)
    with qtbot.waitSignal(view.picture_updated, timeout=1000):
        document.backward("L")
    text = view.tooltip_for("e")
    assert "e = a * b" in text
    assert "data -6.0000" in text and "grad -2.0000" in text
    assert "de/da = b.data = -3.0000" in text
    assert "a leaf" in view.tooltip_for("a")
    viewport = view.canvas.viewport()
    point = viewport_point(view, view.node_item("e"))
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert QToolTip.text() == text
    QToolTip.hideText()


def test_zoom_buttons_keys_and_wheel(qtbot, view, document):
    """zoom_in/zoom_out, the +/- keys and the wheel change the scale; fit shows everything."""
    fill(qtbot, view, document, NEURON)
    start = view.zoom()
    view.zoom_in()
    assert view.zoom() > start
    view.zoom_out()
    assert view.zoom() == pytest.approx(start)
    view.canvas.setFocus()
    QTest.keyClick(view.canvas, Qt.Key.Key_Plus)
    assert view.zoom() > start
    QTest.keyClick(view.canvas, Qt.Key.Key_Minus)
    QTest.keyClick(view.canvas, Qt.Key.Key_Minus)
    assert view.zoom() < start
    centre = QPointF(view.canvas.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        view.canvas.viewport().mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    before = view.zoom()
    QApplication.sendEvent(view.canvas.viewport(), wheel)
    assert view.zoom() > before
    view.fit_to_window()
    visible = view.canvas.mapToScene(view.canvas.viewport().rect()).boundingRect()
    assert visible.contains(view.scene.itemsBoundingRect().adjusted(2, 2, -2, -2))


def test_first_picture_is_fitted_to_the_window(qtbot, view, document):
    """The first picture shows the whole graph."""
    fill(qtbot, view, document, LECTURE)
    visible = view.canvas.mapToScene(view.canvas.viewport().rect()).boundingRect()
    assert visible.contains(view.scene.itemsBoundingRect().adjusted(2, 2, -2, -2))


def test_top_to_bottom_layout(qtbot, view, document):
    """set_rankdir('TB') lays the neuron out downwards."""
    fill(qtbot, view, document, NEURON)
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        view.set_rankdir("TB")
    assert view.rankdir() == "TB"
    assert view.node_item("o").sceneBoundingRect().top() > view.node_item("n").sceneBoundingRect().bottom()
    with pytest.raises(ValueError):
        view.set_rankdir("sideways")


def test_failing_dot_shows_a_message_and_the_panel_recovers(qtbot, view, document, tmp_path, monkeypatch):
    """A dot that fails shows its reason in the panel; a working dot clears it on the next change."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, 'echo "Error: out of memory" >&2\nexit 1\n'))
    with qtbot.waitSignal(view.layout_failed, timeout=10000):
        document.replace_definitions(LECTURE)
    assert "exit code 1" in view.message() and "out of memory" in view.message()
    banner = view.findChild(QWidget, "graphMessage")
    assert banner.isVisible() and banner.text() == view.message()
    assert not view.is_busy()
    monkeypatch.undo()
    monkeypatch.setenv("MICROGRAD_GUI_DOT", render.find_dot())
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        document.add_leaf("z", 1.0)
    assert view.message() == "" and banner.isHidden()
    assert "z" in view.node_names()


def test_missing_dot_keeps_the_last_picture_under_the_message(qtbot, view, document, tmp_path, monkeypatch):
    """With dot gone, the message names the problem and the previous picture stays."""
    fill(qtbot, view, document, LECTURE)
    monkeypatch.setenv("MICROGRAD_GUI_DOT", str(tmp_path / "nowhere" / "dot"))
    with qtbot.waitSignal(view.layout_failed, timeout=10000):
        document.add_leaf("z", 1.0)
    assert "MICROGRAD_GUI_DOT" in view.message()
    assert view.node_names() == ["a", "b", "c", "e", "d", "f", "L"]


def test_crashing_dot_is_a_message(qtbot, view, document, tmp_path, monkeypatch):
    """A dot killed by a signal is reported in the panel."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, "kill -SEGV $$\n"))
    with qtbot.waitSignal(view.layout_failed, timeout=10000):
        document.replace_definitions(LECTURE)
    assert "crashed" in view.message()


def test_unreadable_dot_output_is_a_message(qtbot, view, document, tmp_path, monkeypatch):
    """Output that is not a layout is reported in the panel, which keeps working."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, 'cat > /dev/null\necho "{}"\n'))
    with qtbot.waitSignal(view.layout_failed, timeout=10000):
        document.replace_definitions(LECTURE)
    assert "cannot read" in view.message() and not view.is_busy()


def test_slow_layout_shows_the_busy_notice(qtbot, view, document, tmp_path, monkeypatch):
    """A layout over 300 ms shows a busy notice, gone when the picture lands."""
    real = render.find_dot()
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, f'sleep 0.8\nexec "{real}" "$@"\n'))
    busy = view.findChild(QWidget, "graphBusy")
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        document.replace_definitions(LECTURE)
        qtbot.waitUntil(busy.isVisible, timeout=5000)
        assert view.is_busy()
        assert "7 values" in busy.text()
    assert busy.isHidden() and not view.is_busy()
    assert len(view.node_names()) == 7


def test_a_workspace_too_big_to_draw_says_so(qtbot, view, document, monkeypatch):
    """Past the drawing limit the panel explains instead of waiting on dot for minutes."""
    monkeypatch.setattr(layout_scheduler, "MAX_DRAWN_VALUES", 5)
    with qtbot.waitSignal(view.layout_failed, timeout=5000) as blocker:
        document.replace_definitions(LECTURE)
    assert "7 values" in blocker.args[0] and "at most 5" in view.message()
    assert not view.is_busy()
