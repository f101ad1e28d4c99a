"""The graph picture's scene items and their look: value records, op ellipses, edges, the zoomed-out overview.

Each item paints itself from its part of a `render.Layout`; none knows the
document. Colours, line widths and the font of the picture have their home here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from micrograd_gui import assets, render
from micrograd_gui.render import LayoutEdge, LayoutNode

# ---- the look -----------------------------------------------------------------

BACKGROUND = QColor("white")
INK = QColor("#202020")
COPY_INK = QColor("#6b6b6b")
SELECTED_FILL = QColor("#dcebff")
SELECTED_INK = QColor("#2f6fd6")
ACTIVE_FILL = QColor("#ffedc2")
ACTIVE_INK = QColor("#d98200")
VISITED_FILL = QColor("#e3f4e1")
GROUP_FILL = QColor("#f1eefa")  # a collapsed neuron, layer or net
GROUP_WIDTH = 2.0
GROUP_RADIUS = 8.0
PATH_FILL = QColor("#f1e6fa")  # a path of the chain rule (Why this grad?)
PATH_INK = QColor("#8e44ad")
WRONG_FILL = QColor("#fdecea")  # a grad the bug lab's backward got wrong
WRONG_INK = QColor("#c62828")
BORDER = QColor("#c8c8c8")
RAISED_FILL = QColor("#2e9e44")  # a parameter the last training step raised, at the largest update
LOWERED_FILL = QColor("#d64541")  # one it lowered
BLOCK_INK = QColor("#8c8c8c")  # a node too small to draw in detail
TEXT_BAR = QColor(32, 32, 32, 90)  # a text too small to read

# Fills by a value's role (roles.py); a result keeps the background.
ROLE_FILLS = {
    "parameter": QColor("#cddfff"),
    "data": QColor("#c8ede6"),
    "constant": QColor("#dedede"),
    "result": QColor("white"),
    "root": QColor("#ffc7c7"),
}

# The two looks, by the names of the colours above. apply_look() sets those QColor objects in
# place, so every module that imported them paints in the new look from its next paint on.
LIGHT = {
    "BACKGROUND": "#ffffff",
    "INK": "#202020",
    "COPY_INK": "#6b6b6b",
    "SELECTED_FILL": "#dcebff",
    "SELECTED_INK": "#2f6fd6",
    "ACTIVE_FILL": "#ffedc2",
    "ACTIVE_INK": "#d98200",
    "VISITED_FILL": "#e3f4e1",
    "GROUP_FILL": "#f1eefa",
    "PATH_FILL": "#f1e6fa",
    "PATH_INK": "#8e44ad",
    "WRONG_FILL": "#fdecea",
    "WRONG_INK": "#c62828",
    "BORDER": "#c8c8c8",
    "RAISED_FILL": "#2e9e44",
    "LOWERED_FILL": "#d64541",
    "BLOCK_INK": "#8c8c8c",
    "TEXT_BAR": "#5a202020",
    "parameter": "#cddfff",
    "data": "#c8ede6",
    "constant": "#dedede",
    "result": "#ffffff",
    "root": "#ffc7c7",
}
DARK = {
    "BACKGROUND": "#1e1f22",
    "INK": "#e2e2e2",
    "COPY_INK": "#9a9a9a",
    "SELECTED_FILL": "#24466f",
    "SELECTED_INK": "#6ea8ff",
    "ACTIVE_FILL": "#5c4412",
    "ACTIVE_INK": "#ffb547",
    "VISITED_FILL": "#1f3d24",
    "GROUP_FILL": "#2e2942",
    "PATH_FILL": "#3d2a4a",
    "PATH_INK": "#c792ea",
    "WRONG_FILL": "#5a2323",
    "WRONG_INK": "#ff8a80",
    "BORDER": "#4a4a4a",
    "RAISED_FILL": "#3fbf5a",
    "LOWERED_FILL": "#ff6b63",
    "BLOCK_INK": "#7a7a7a",
    "TEXT_BAR": "#5ae2e2e2",
    "parameter": "#1f3352",
    "data": "#17403a",
    "constant": "#343434",
    "result": "#1e1f22",
    "root": "#4d2427",
}


def apply_look(dark: bool) -> None:
    """Paint the picture in the dark or the light look (the items repaint on their next update)."""
    look = DARK if dark else LIGHT
    for key, colour in look.items():
        target = ROLE_FILLS[key] if key in ROLE_FILLS else globals()[key]
        target.setRgba(QColor(colour).rgba())


def mix(colour: QColor, other: QColor, share: float) -> QColor:
    """`colour` with `share` (0 to 1) of `other` mixed in."""

    def channel(a: float, b: float) -> float:
        return a + (b - a) * share

    return QColor.fromRgbF(
        channel(colour.redF(), other.redF()),
        channel(colour.greenF(), other.greenF()),
        channel(colour.blueF(), other.blueF()),
    )


def update_fills(updates: Mapping[str, float], base: QColor) -> dict[str, QColor]:
    """Fills for parameters by their last training update: from `base` (no change) towards
    RAISED_FILL (up) or LOWERED_FILL (down), the strongest at the largest update of them all; a
    square root, so that updates a hundred times smaller still show."""
    largest = max((abs(u) for u in updates.values()), default=0.0)
    if not largest > 0:
        return {}
    return {
        name: mix(base, RAISED_FILL if update > 0 else LOWERED_FILL, math.sqrt(abs(update) / largest) * 0.7)
        for name, update in updates.items()
    }


def is_dark_look() -> bool:
    return BACKGROUND.lightness() < 128


LINE_WIDTH = 1.0
HIGHLIGHT_WIDTH = 2.5
TEXT_PADDING = 3.0  # scene units kept free on each side of a cell's text
TINY_TEXT = 3.0  # below this many pixels on screen, text is drawn as a grey bar
BLOCK_BELOW = 8.0  # a node less than this many pixels tall is drawn as a plain block


def graph_font() -> QFont:
    """The font of every text in the picture, at the size the layout measured it with."""
    font = QFont(render.FONT_FAMILY)
    font.setPixelSize(round(render.FONT_SIZE))
    # Unhinted glyphs scale linearly with the zoom, so text measured once fits at every zoom.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


# ---- scene items ------------------------------------------------------------------


def _lod(painter: QPainter) -> float:
    """How many pixels one scene unit covers."""
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def _pen(colour: QColor, width: float, lod: float, least: float = 1.0) -> QPen:
    """A pen `width` scene units wide, but never thinner than `least` pixels: a big graph zoomed out stays visible."""
    if width * lod >= least:
        return QPen(colour, width)
    pen = QPen(colour, least)
    pen.setCosmetic(True)
    return pen


class NodeItem(QGraphicsItem):
    """A node drawn from its layout: a value's record, a dashed copy of it, an op ellipse, or a
    collapsed group (a rounded record, `is_group`).

    Its texts change in place (a leaf edit, a backward); a text wider than its
    cell is squeezed horizontally so it always fits.
    """

    def __init__(self, node: LayoutNode, font: QFont, metrics: QFontMetricsF) -> None:
        super().__init__()
        self.node = node
        self.name = node.name
        self.kind = node.kind
        self._font = font
        self._metrics = metrics
        x, y, w, h = node.rect
        self.setPos(x, y)
        self._rect = QRectF(0, 0, w, h)
        self._cells = [QRectF(f.cell[0] - x, f.cell[1] - y, f.cell[2], f.cell[3]) for f in node.fields]
        self._centres = [(f.cell[0] - x + f.cell[2] / 2, f.cell[1] - y + f.cell[3] / 2) for f in node.fields]
        self._rooms = [max(f.cell[2] - 2 * TEXT_PADDING, 1.0) for f in node.fields]
        self._separators = [(QPointF(a[0] - x, a[1] - y), QPointF(b[0] - x, b[1] - y)) for a, b in node.separators]
        self._texts = [f.text for f in node.fields]
        self._widths = [metrics.horizontalAdvance(text) for text in self._texts]
        self._grad_stale = False
        self._grad_wrong = False
        self.fill: QColor | None = None
        self.outline: QColor | None = None
        self.role_fill: QColor | None = None  # the fill of its role when nothing marks it

    @property
    def is_value(self) -> bool:
        return self.kind in ("value", "copy")

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def grad_stale(self) -> bool:
        return self._grad_stale

    def texts(self) -> list[str]:
        return list(self._texts)

    @property
    def grad_wrong(self) -> bool:
        """Whether the grad shown is marked as wrong (the bug lab)."""
        return self._grad_wrong

    def set_texts(self, texts: Iterable[str], grad_stale: bool = False, grad_wrong: bool = False) -> None:
        changed = grad_stale != self._grad_stale or grad_wrong != self._grad_wrong
        for i, text in enumerate(texts):
            if i < len(self._texts) and self._texts[i] != text:
                self._texts[i] = text
                self._widths[i] = self._metrics.horizontalAdvance(text)
                changed = True
        if changed:
            self._grad_stale = grad_stale
            self._grad_wrong = grad_wrong
            self.update()

    def set_colours(self, fill: QColor | None, outline: QColor | None) -> None:
        if fill != self.fill or outline != self.outline:
            self.fill, self.outline = fill, outline
            self.update()

    def set_role_fill(self, fill: QColor | None) -> None:
        if fill is not self.role_fill:
            self.role_fill = fill
            self.update()

    def text_fits(self, index: int) -> bool:
        """Whether the text of a cell fits its cell without being squeezed."""
        return self._widths[index] <= self._cells[index].width() - 2 * TEXT_PADDING

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-HIGHLIGHT_WIDTH, -HIGHLIGHT_WIDTH, HIGHLIGHT_WIDTH, HIGHLIGHT_WIDTH)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        if self.node.shape == "ellipse":
            path.addEllipse(self._rect)
        else:
            path.addRect(self._rect)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = _lod(painter)
        ink = COPY_INK if self.kind == "copy" else INK
        if lod * self._rect.height() < BLOCK_BELOW:  # a few pixels tall: a plain block, cheap to paint
            painter.fillRect(self._rect, self.outline or (self.fill.darker(125) if self.fill else BLOCK_INK))
            return
        if self.outline:
            pen = _pen(self.outline, HIGHLIGHT_WIDTH, lod, least=2.0)
        else:
            pen = _pen(ink, GROUP_WIDTH if self.is_group else LINE_WIDTH, lod)
        if self.node.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(self.fill or self.role_fill or (GROUP_FILL if self.is_group else BACKGROUND)))
        if self.node.shape == "ellipse":
            painter.drawEllipse(self._rect)
        elif self.is_group:
            painter.drawRoundedRect(self._rect, GROUP_RADIUS, GROUP_RADIUS)
            painter.setPen(_pen(ink, LINE_WIDTH, lod))
            for a, b in self._separators:
                painter.drawLine(a, b)
        else:
            painter.drawRect(self._rect)
            if self._grad_wrong and len(self._cells) > 2:
                painter.fillRect(self._cells[2].adjusted(0.5, 0.5, -0.5, -0.5), WRONG_FILL)
            painter.setPen(_pen(ink, LINE_WIDTH, lod))
            for a, b in self._separators:
                painter.drawLine(a, b)
        if lod * render.FONT_SIZE < TINY_TEXT:  # unreadable: grey bars stand for the texts
            for (cx, cy), room, width in zip(self._centres, self._rooms, self._widths):
                width = min(width, room)
                painter.fillRect(QRectF(cx - width / 2, cy - 2, width, 4), TEXT_BAR)
            return
        painter.setFont(self._font)
        shift = (self._metrics.ascent() - self._metrics.descent()) / 2
        for i, ((cx, cy), room, text, width) in enumerate(zip(self._centres, self._rooms, self._texts, self._widths)):
            painter.setPen(self._text_colour(i, ink))
            if width <= room:
                painter.drawText(QPointF(cx - width / 2, cy + shift), text)
            else:  # numbers change without a new layout: squeeze the text into its cell
                painter.save()
                painter.translate(cx, cy + shift)
                painter.scale(room / width, 1.0)
                painter.drawText(QPointF(-width / 2, 0), text)
                painter.restore()

    def _text_colour(self, index: int, ink: QColor) -> QColor:
        if index == 2 and self._grad_wrong:
            return WRONG_INK
        return assets.STALE_COLOUR if (index == 2 and self._grad_stale) else ink


def _edge_path(edge: LayoutEdge, path: QPainterPath) -> None:
    points = edge.path
    if not points:
        return
    path.moveTo(*points[0])
    for i in range(1, len(points) - 2, 3):
        (ax, ay), (bx, by), (cx, cy) = points[i], points[i + 1], points[i + 2]
        path.cubicTo(ax, ay, bx, by, cx, cy)


class EdgeBatch(QGraphicsItem):
    """Many plain edges in one item: far fewer items to build and to index than one per edge."""

    def __init__(self, edges: list[LayoutEdge]) -> None:
        super().__init__()
        self._lines = QPainterPath()
        self._arrows = QPainterPath()
        for edge in edges:
            _edge_path(edge, self._lines)
            if edge.arrow:
                self._arrows.addPolygon(QPolygonF([QPointF(x, y) for x, y in edge.arrow]))
                self._arrows.closeSubpath()
        bounds = self._lines.boundingRect().united(self._arrows.boundingRect())
        self._bounds = bounds.adjusted(-LINE_WIDTH, -LINE_WIDTH, LINE_WIDTH, LINE_WIDTH)
        self.setZValue(-1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never hit: clicks and tooltips go to the nodes

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(_pen(INK, LINE_WIDTH, _lod(painter)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._lines)
        painter.fillPath(self._arrows, INK)


class EdgeHighlight(QGraphicsItem):
    """One edge drawn over the plain ones in a highlight colour (the backward step in progress)."""

    def __init__(self, edge: LayoutEdge, colour: QColor) -> None:
        super().__init__()
        self.edge = edge
        self.colour = colour
        self._line = QPainterPath()
        _edge_path(edge, self._line)
        self._arrow = QPolygonF([QPointF(x, y) for x, y in edge.arrow])
        bounds = self._line.boundingRect().united(self._arrow.boundingRect())
        self._bounds = bounds.adjusted(-HIGHLIGHT_WIDTH, -HIGHLIGHT_WIDTH, HIGHLIGHT_WIDTH, HIGHLIGHT_WIDTH)
        self.setZValue(-0.5)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = _lod(painter)
        painter.setPen(_pen(self.colour, HIGHLIGHT_WIDTH, lod, least=2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._line)
        if not self._arrow.isEmpty():
            painter.setPen(_pen(self.colour, LINE_WIDTH, lod))
            painter.setBrush(self.colour)
            painter.drawPolygon(self._arrow)


class NodeLayer(QGraphicsItem):
    """The parent of every node item: hiding it hides them all in one call."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pass


class Overview(QGraphicsItem):
    """Every node as a plain block, in one item: what a zoomed-out picture paints instead of a thousand items.

    `name_at` finds the value under a point, so clicks and tooltips still work zoomed out.
    """

    def __init__(self, nodes: tuple[LayoutNode, ...]) -> None:
        super().__init__()
        self._nodes = nodes
        # A list of rectangles, drawn in one call: filling one path of thousands of rectangles is
        # several times slower (the path's fill rule makes Qt work out their overlaps).
        self._blocks = [QRectF(*node.rect) for node in nodes]
        if nodes:
            left = min(n.rect[0] for n in nodes)
            top = min(n.rect[1] for n in nodes)
            right = max(n.rect[0] + n.rect[2] for n in nodes)
            bottom = max(n.rect[1] + n.rect[3] for n in nodes)
            self._bounds = QRectF(left, top, right - left, bottom - top)
        else:
            self._bounds = QRectF()
        self._marks: list[tuple[QRectF, QColor]] = []
        heights = sorted(node.rect[3] for node in nodes if node.shape == "record")
        self.node_height = heights[len(heights) // 2] if heights else 36.0
        self.setVisible(False)

    def blocks(self) -> list[QRectF]:
        """Every node's rectangle, in scene units."""
        return self._blocks

    def set_marks(self, marks: list[tuple[QRectF, QColor]]) -> None:
        """Blocks drawn in a colour (selection, backward step) over the grey ones."""
        self._marks = marks
        self.update()

    def name_at(self, point: QPointF) -> str | None:
        x, y = point.x(), point.y()
        for node in self._nodes:
            left, top, width, height = node.rect
            if node.kind != "op" and left <= x <= left + width and top <= y <= top + height:
                return node.name
        return None

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BLOCK_INK)
        painter.drawRects(self._blocks)
        for rect, colour in self._marks:
            painter.fillRect(rect, colour)
