"""The canvas over a bare picture, no panel around it: clicks on values, drags, zoom limits, tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QFontMetricsF, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from micrograd_gui.widgets.graph_canvas import MAX_SCALE, MIN_SCALE, ZOOM_STEP, GraphCanvas
from micrograd_gui.widgets.graph_items import graph_font
from micrograd_gui.widgets.graph_picture import Picture
from tests.gui.graph_helpers import layout_of
from tests.workspaces import LECTURE


@pytest.fixture
def picture(qapp):
    picture = Picture(None, layout_of(LECTURE))
    font = graph_font()
    for _ in picture.build(font, QFontMetricsF(font)):
        pass
    return picture


@pytest.fixture
def host(qtbot):
    """The plain widget the canvas lives in (the graph panel's place)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(1200, 400)
    return widget


@pytest.fixture
def canvas(qtbot, host, picture):
    """A shown canvas on the lecture's picture, at scale 1, its tooltips saying 'tip NAME'."""
    parent = host
    view = GraphCanvas(picture.scene, parent, lambda name: f"tip {name}")
    view.resize(1200, 400)
    parent.show()
    qtbot.waitExposed(parent)
    return view


def centre_of(canvas: GraphCanvas, item) -> QPoint:
    return canvas.mapFromScene(item.sceneBoundingRect().center())


def click(canvas: GraphCanvas, point: QPoint, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, modifier, point)


def test_a_click_on_a_value_reports_it_with_shift_or_not(qtbot, canvas, picture):
    """node_clicked(name, shift) for a click on a record; ops and empty space report nothing."""
    clicks = []
    canvas.node_clicked.connect(lambda name, shift: clicks.append((name, shift)))
    click(canvas, centre_of(canvas, picture.values["b"]))
    click(canvas, centre_of(canvas, picture.values["L"]), Qt.KeyboardModifier.ShiftModifier)
    click(canvas, centre_of(canvas, picture.ops["L"]))
    click(canvas, QPoint(2, 2))
    assert clicks == [("b", False), ("L", True)]
    assert canvas.name_at(centre_of(canvas, picture.values["e"])) == "e"


def test_a_drag_that_starts_on_a_value_is_not_a_click(qtbot, canvas, picture):
    """Pressing on a value and moving far before releasing pans; it reports no click."""
    clicks = []
    canvas.node_clicked.connect(lambda name, shift: clicks.append(name))
    start = centre_of(canvas, picture.values["a"])
    end = start + QPoint(60, 40)
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas.viewport(), end)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert clicks == []


def test_zoomed_far_out_a_block_still_clicks_as_its_value(qtbot, canvas, picture):
    """With the overview shown instead of the nodes, name_at and clicks still find the value."""
    picture.show_blocks(True)
    clicks = []
    canvas.node_clicked.connect(lambda name, shift: clicks.append(name))
    click(canvas, centre_of(canvas, picture.values["d"]))
    assert clicks == ["d"]


def test_scale_stays_within_its_limits_and_zoomed_says_when_it_changes(qtbot, canvas):
    """scale_by multiplies the scale, never past MIN_SCALE or MAX_SCALE; zoomed() only when it changed."""
    zooms = []
    canvas.zoomed.connect(lambda: zooms.append(canvas.transform().m11()))
    canvas.scale_by(ZOOM_STEP)
    assert canvas.transform().m11() == pytest.approx(ZOOM_STEP)
    canvas.scale_by(1000.0)
    assert canvas.transform().m11() == pytest.approx(MAX_SCALE)
    canvas.scale_by(2.0)  # already at the limit: nothing changes, nothing is said
    canvas.scale_by(1e-6)
    assert canvas.transform().m11() == pytest.approx(MIN_SCALE)
    assert zooms == pytest.approx([ZOOM_STEP, MAX_SCALE, MIN_SCALE])
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.transform().m11() == pytest.approx(MIN_SCALE * ZOOM_STEP)


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|propagateSizeHints)\(\)")  # offscreen tooltips
def test_hovering_a_value_shows_the_text_its_callback_makes(qtbot, canvas, picture):
    """A tooltip event over a value shows tooltip(name); over empty space none."""
    viewport = canvas.viewport()
    point = centre_of(canvas, picture.values["c"])
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert QToolTip.text() == "tip c"
    empty = QPoint(2, 2)
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, empty, viewport.mapToGlobal(empty)))
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)
