"""The graph's scene items on a bare QGraphicsScene: texts in their cells, shapes, blocks when tiny."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from micrograd_gui.render import Layout, LayoutNode
from micrograd_gui.widgets.graph_items import (
    BLOCK_BELOW,
    BLOCK_INK,
    SELECTED_FILL,
    SELECTED_INK,
    EdgeBatch,
    NodeItem,
    Overview,
    graph_font,
)
from tests.gui.graph_helpers import layout_of
from tests.workspaces import LECTURE


@pytest.fixture(scope="module")
def lecture() -> Layout:
    return layout_of(LECTURE)


def node(layout: Layout, name: str, kind: str = "value") -> LayoutNode:
    return next(n for n in layout.nodes if n.name == name and n.kind == kind)


def item_on_scene(layout_node: LayoutNode) -> tuple[QGraphicsScene, NodeItem]:
    scene = QGraphicsScene()
    font = graph_font()
    item = NodeItem(layout_node, font, QFontMetricsF(font))
    scene.addItem(item)
    return scene, item


def rendered(scene: QGraphicsScene, source: QRectF, scale: float) -> QImage:
    """The part `source` of the scene drawn on a white image, `scale` pixels per scene unit."""
    image = QImage(round(source.width() * scale), round(source.height() * scale), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    return image


def dark_pixels(image: QImage, inside: QRectF | None = None, outside: QRectF | None = None) -> int:
    count = 0
    for x in range(image.width()):
        for y in range(image.height()):
            if image.pixelColor(x, y).lightness() >= 200:
                continue
            point = QPointF(x + 0.5, y + 0.5)
            if inside is not None and not inside.contains(point):
                continue
            if outside is not None and outside.contains(point):
                continue
            count += 1
    return count


def test_record_starts_with_the_layout_texts_and_rewrites_them_in_place(qapp, lecture):
    """A record shows its fields' texts; set_texts changes them and the grad's staleness, not its position."""
    layout_node = node(lecture, "e")
    _, item = item_on_scene(layout_node)
    assert item.is_value and item.texts() == [field.text for field in layout_node.fields]
    assert item.pos() == QPointF(layout_node.rect[0], layout_node.rect[1])
    item.set_texts(["e", "data 1.5000", "grad -2.0000"], grad_stale=True)
    assert item.texts() == ["e", "data 1.5000", "grad -2.0000"] and item.grad_stale
    assert all(item.text_fits(i) for i in range(3))
    assert item.pos() == QPointF(layout_node.rect[0], layout_node.rect[1])


def test_a_text_wider_than_its_cell_is_squeezed_inside_the_node(qapp, lecture):
    """A number too long for its cell does not fit, yet every pixel of ink stays inside the record."""
    scene, item = item_on_scene(node(lecture, "a"))
    item.set_texts(["a", "data 123456789012.3456", "grad 0.0000"])
    assert not item.text_fits(1) and item.text_fits(2)
    bounds = item.sceneBoundingRect()
    source = bounds.adjusted(-20, -20, 20, 20)
    image = rendered(scene, source, 2.0)
    record = QRectF(*item.node.rect).adjusted(-1, -1, 1, 1)
    in_image = QRectF(
        (record.x() - source.x()) * 2, (record.y() - source.y()) * 2, record.width() * 2, record.height() * 2
    )
    assert dark_pixels(image, inside=in_image) > 200
    assert dark_pixels(image, outside=in_image) == 0


def test_colours_repaint_only_on_a_change(qapp, lecture):
    """set_colours stores the fill and outline the record is painted with."""
    _, item = item_on_scene(node(lecture, "d"))
    assert item.fill is None and item.outline is None
    item.set_colours(SELECTED_FILL, SELECTED_INK)
    assert (item.fill, item.outline) == (SELECTED_FILL, SELECTED_INK)
    item.set_colours(None, None)
    assert item.fill is None and item.outline is None


def test_op_node_is_hit_inside_its_ellipse_only(qapp, lecture):
    """An op's shape is its ellipse: the centre is on it, a corner of its box is not."""
    _, item = item_on_scene(node(lecture, "e", kind="op"))
    assert not item.is_value and item.texts() == ["*"]
    _, _, width, height = item.node.rect
    assert item.shape().contains(QPointF(width / 2, height / 2))
    assert not item.shape().contains(QPointF(1, 1))


def test_a_node_a_few_pixels_tall_is_a_plain_block(qapp, lecture):
    """Zoomed far out a record is painted as one grey block, not as outlines and text."""
    scene, item = item_on_scene(node(lecture, "c"))
    rect = QRectF(*item.node.rect)
    scale = (BLOCK_BELOW - 2) / rect.height()
    image = rendered(scene, rect, scale)
    assert image.width() > 20 and image.height() > 4
    inner = {image.pixelColor(x, y).name() for x in range(1, image.width() - 1) for y in range(1, image.height() - 1)}
    assert inner == {BLOCK_INK.name()}  # no outline, no text: the block's edge pixels are only antialiased


def test_edges_are_drawn_but_never_take_clicks(qapp, lecture):
    """An edge batch paints every edge and arrow, but its shape is empty so clicks go to the nodes."""
    scene = QGraphicsScene()
    batch = EdgeBatch(list(lecture.edges))
    scene.addItem(batch)
    start = QPointF(*lecture.edges[0].path[0])
    assert batch.boundingRect().contains(start)
    assert batch not in scene.items(start)
    assert batch.acceptedMouseButtons() == Qt.MouseButton.NoButton
    image = rendered(scene, batch.boundingRect(), 1.0)
    assert dark_pixels(image) > 100


def test_overview_finds_the_value_under_a_point_but_not_an_op(qapp, lecture):
    """Zoomed out, the one overview item still tells which value is under a point; ops and empty space are none."""
    overview = Overview(lecture.nodes)
    for name in ("a", "L"):
        assert overview.name_at(QRectF(*node(lecture, name).rect).center()) == name
    assert overview.name_at(QRectF(*node(lecture, "L", kind="op").rect).center()) is None
    assert overview.name_at(QPointF(-100, -100)) is None
    records = sorted(n.rect[3] for n in lecture.nodes if n.shape == "record")
    assert overview.node_height == records[len(records) // 2]
    assert not overview.isVisible()  # shown only when the view is zoomed far out
