"""The graph panel: the workspace drawn as the micrograd lecture draws it."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QStyleOptionGraphicsItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from engine import LOCAL_GRAD_FORMULAS, format_decimals, format_number, local_grads
from micrograd_gui import assets, render
from micrograd_gui.document import Change, Document
from micrograd_gui.render import Layout, LayoutEdge, LayoutNode, LayoutWorker

# ---- the look -----------------------------------------------------------------

BACKGROUND = QColor("white")
INK = QColor("#202020")
COPY_INK = QColor("#6b6b6b")
SELECTED_FILL = QColor("#dcebff")
SELECTED_INK = QColor("#2f6fd6")
ACTIVE_FILL = QColor("#ffedc2")
ACTIVE_INK = QColor("#d98200")
VISITED_FILL = QColor("#e3f4e1")
BORDER = QColor("#c8c8c8")
BLOCK_INK = QColor("#8c8c8c")  # a node too small to draw in detail
TEXT_BAR = QColor(32, 32, 32, 90)  # a text too small to read

LINE_WIDTH = 1.0
HIGHLIGHT_WIDTH = 2.5
TEXT_PADDING = 3.0  # scene units kept free on each side of a cell's text
TINY_TEXT = 3.0  # below this many pixels on screen, text is drawn as a grey bar
BLOCK_BELOW = 8.0  # a node less than this many pixels tall is drawn as a plain block

DEBOUNCE_MS = 30  # a burst of changes gets one layout
BUSY_AFTER_MS = 300  # a layout slower than this shows the busy notice
BUILD_SLICE_S = 0.008  # the scene is built in slices this long, so the UI thread never stalls
EDGES_PER_BATCH = 32
RETIRE_AT_ONCE = 200  # a picture with fewer items is freed at once, a bigger one in slices
MAX_DRAWN_VALUES = 3000  # past this, dot needs many seconds: the panel says so instead
MAX_FIT_SCALE = 1.5
MIN_SCALE, MAX_SCALE = 0.02, 8.0
ZOOM_STEP = 1.25
MARGIN = 12.0

EMPTY_HINT = "Create a value to start: type a name and a number, then press Create"


def _font() -> QFont:
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


class _NodeItem(QGraphicsItem):
    """A node drawn from its layout: a value's record, a dashed copy of it, or an op ellipse.

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
        self.fill: QColor | None = None
        self.outline: QColor | None = None

    @property
    def is_value(self) -> bool:
        return self.kind in ("value", "copy")

    @property
    def grad_stale(self) -> bool:
        return self._grad_stale

    def texts(self) -> list[str]:
        return list(self._texts)

    def set_texts(self, texts: Iterable[str], grad_stale: bool = False) -> None:
        changed = grad_stale != self._grad_stale
        for i, text in enumerate(texts):
            if i < len(self._texts) and self._texts[i] != text:
                self._texts[i] = text
                self._widths[i] = self._metrics.horizontalAdvance(text)
                changed = True
        if changed:
            self._grad_stale = grad_stale
            self.update()

    def set_colours(self, fill: QColor | None, outline: QColor | None) -> None:
        if fill != self.fill or outline != self.outline:
            self.fill, self.outline = fill, outline
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
            pen = _pen(ink, LINE_WIDTH, lod)
        if self.node.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(self.fill or BACKGROUND))
        if self.node.shape == "ellipse":
            painter.drawEllipse(self._rect)
        else:
            painter.drawRect(self._rect)
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
            painter.setPen(assets.STALE_COLOUR if (i == 2 and self._grad_stale) else ink)
            if width <= room:
                painter.drawText(QPointF(cx - width / 2, cy + shift), text)
            else:  # numbers change without a new layout: squeeze the text into its cell
                painter.save()
                painter.translate(cx, cy + shift)
                painter.scale(room / width, 1.0)
                painter.drawText(QPointF(-width / 2, 0), text)
                painter.restore()


def _edge_path(edge: LayoutEdge, path: QPainterPath) -> None:
    points = edge.path
    if not points:
        return
    path.moveTo(*points[0])
    for i in range(1, len(points) - 2, 3):
        (ax, ay), (bx, by), (cx, cy) = points[i], points[i + 1], points[i + 2]
        path.cubicTo(ax, ay, bx, by, cx, cy)


class _EdgeBatch(QGraphicsItem):
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


class _EdgeHighlight(QGraphicsItem):
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


class _NodeLayer(QGraphicsItem):
    """The parent of every node item: hiding it hides them all in one call."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pass


class _Overview(QGraphicsItem):
    """Every node as a plain block, in one item: what a zoomed-out picture paints instead of a thousand items.

    `name_at` finds the value under a point, so clicks and tooltips still work zoomed out.
    """

    def __init__(self, nodes: tuple[LayoutNode, ...]) -> None:
        super().__init__()
        self._nodes = nodes
        self._blocks = QPainterPath()
        for node in nodes:
            self._blocks.addRect(QRectF(*node.rect))
        self._bounds = self._blocks.boundingRect()
        self._marks: list[tuple[QRectF, QColor]] = []
        heights = sorted(node.rect[3] for node in nodes if node.shape == "record")
        self.node_height = heights[len(heights) // 2] if heights else 36.0
        self.setVisible(False)

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
        painter.fillPath(self._blocks, BLOCK_INK)
        for rect, colour in self._marks:
            painter.fillRect(rect, colour)


class _Picture:
    """One laid-out picture: its scene and its items by value name."""

    def __init__(self, parent: QWidget, layout: Layout | None = None) -> None:
        self.layout = layout
        self.scene = QGraphicsScene(parent)
        self.scene.setBackgroundBrush(BACKGROUND)
        self.values: dict[str, _NodeItem] = {}
        self.copies: dict[str, list[_NodeItem]] = {}
        self.ops: dict[str, _NodeItem] = {}
        self.highlights: list[_EdgeHighlight] = []
        self.items: list[QGraphicsItem] = []  # every item built, in order
        self.layer = _NodeLayer()
        self.overview: _Overview | None = None
        if layout is not None:
            self.scene.setSceneRect(QRectF(-MARGIN, -MARGIN, layout.width + 2 * MARGIN, layout.height + 2 * MARGIN))

    def build(self, font: QFont, metrics: QFontMetricsF) -> Iterator[None]:
        """Make the items one at a time; the caller runs this in slices between events."""
        assert self.layout is not None
        # Neighbouring edges share a batch, so a batch's bounds stay small and painting can skip it.
        edges = sorted(self.layout.edges, key=lambda e: (round(e.path[0][0] / 150) if e.path else 0, e.path[:1]))
        for start in range(0, len(edges), EDGES_PER_BATCH):
            batch = _EdgeBatch(edges[start : start + EDGES_PER_BATCH])
            self.scene.addItem(batch)
            self.items.append(batch)
            yield
        self.scene.addItem(self.layer)
        self.items.append(self.layer)
        for node in self.layout.nodes:
            item = _NodeItem(node, font, metrics)
            item.setParentItem(self.layer)
            self.items.append(item)
            if node.kind == "value":
                self.values[node.name] = item
            elif node.kind == "copy":
                self.copies.setdefault(node.name, []).append(item)
            else:
                self.ops[node.name] = item
            yield
        self.overview = _Overview(self.layout.nodes)
        self.scene.addItem(self.overview)
        self.items.append(self.overview)

    def show_blocks(self, blocks: bool) -> None:
        """Draw every node as a plain block (zoomed far out), or in full."""
        if self.overview is not None and self.overview.isVisible() != blocks:
            self.overview.setVisible(blocks)
            self.layer.setVisible(not blocks)

    def discard(self) -> Iterator[None]:
        """Free the items a few at a time (yielding between them), then the scene.

        Deleting a big picture's items at once would stall the UI thread for tens of milliseconds.
        """
        self.values, self.copies, self.ops, self.highlights = {}, {}, {}, []
        self.overview = None
        items, self.items = self.items, []
        while items:
            for item in reversed(items[-32:]):  # last built first: the nodes before their layer
                self.scene.removeItem(item)  # back to Python, freed with the last reference
            del items[-32:]
            yield
        self.scene.clear()
        self.scene.deleteLater()


# ---- the canvas ---------------------------------------------------------------------


class _Canvas(QGraphicsView):
    """The zoomable, pannable view of the scene; reports clicks on value nodes and shows their tooltips."""

    node_clicked = Signal(str, bool)
    zoomed = Signal()

    def __init__(self, scene: QGraphicsScene, parent: QWidget, tooltip: Callable[[str], str]) -> None:
        super().__init__(scene, parent)
        self.setObjectName("graphCanvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setBackgroundBrush(BACKGROUND)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._tooltip = tooltip
        self._press: tuple[QPoint, str, bool] | None = None

    def name_at(self, pos: QPoint) -> str | None:
        """The value drawn under a viewport point (its record or one of its copies), if any."""
        for item in self.items(pos):
            if isinstance(item, _NodeItem) and item.is_value:
                return item.name
            if isinstance(item, _Overview):
                return item.name_at(self.mapToScene(pos))
        return None

    def scale_by(self, factor: float, anchor_under_mouse: bool = True) -> None:
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        if abs(factor - 1.0) < 1e-9:
            return
        anchor = self.transformationAnchor()
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor, factor)
        self.setTransformationAnchor(anchor)
        self.zoomed.emit()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            # Made on demand: the numbers change too often to keep a tooltip per item up to date.
            name = self.name_at(event.pos())
            if name is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self._tooltip(name), self.viewport())
            return True
        return super().viewportEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta == 0:
            super().wheelEvent(event)
            return
        self.scale_by(ZOOM_STEP ** (delta / 120.0))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.scale_by(ZOOM_STEP, anchor_under_mouse=False)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.scale_by(1 / ZOOM_STEP, anchor_under_mouse=False)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = None
        if event.button() == Qt.MouseButton.LeftButton:
            name = self.name_at(event.position().toPoint())
            if name is not None:
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self._press = (event.position().toPoint(), name, shift)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position().toPoint() - press[0]).manhattanLength() < QApplication.startDragDistance():
            self.node_clicked.emit(press[1], press[2])


# ---- the panel ------------------------------------------------------------------------


class GraphView(QWidget):
    """The graph panel over a workspace document (objectName 'graphView').

    Listens to the document itself: a change of structure asks `render` for a
    new layout (debounced, in the background, the newest superseding older
    ones) and builds the new picture's items in short slices; a change of
    numbers only rewrites the texts in place, so nothing moves.

    Signals: `picture_updated()` each time the picture catches up with the
    workspace; `node_clicked(name, shift)` on a click on a value node (or one
    of its dashed copies); `selection_changed(name)` ('' for none) when a click
    or a new picture changes the selection (not when `select()` is called);
    `layout_failed(message)` when Graphviz could not draw the workspace.
    """

    picture_updated = Signal()
    node_clicked = Signal(str, bool)
    selection_changed = Signal(str)
    layout_failed = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        self._document = document
        self._rankdir = "LR"
        self._font = _font()
        self._metrics = QFontMetricsF(self._font)
        self._picture = _Picture(self)
        self._next: _Picture | None = None  # the picture being built
        self._steps: Iterator[None] | None = None
        self._selected: str | None = None
        self._step_active: str | None = None
        self._step_visited: frozenset[str] = frozenset()
        self._message = ""
        self._pending = False  # a new picture is on its way (debounce, dot, or building)
        self._generation = 0
        self._follow_fit = True  # refit new pictures until the user zooms

        self.canvas = _Canvas(self._picture.scene, self, self.tooltip_for)
        self._hint = QLabel(EMPTY_HINT, self)
        self._hint.setObjectName("graphHint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color: #707070; font-size: 15px; background: transparent;")
        self._banner = QLabel(self)
        self._banner.setObjectName("graphMessage")
        self._banner.setWordWrap(True)
        self._banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._banner.setStyleSheet(
            "QLabel { color: %s; background: #fdecea; border: 1px solid #f2b8b5;"
            " border-radius: 4px; padding: 6px 10px; }" % assets.ERROR_COLOUR.name()
        )
        self._banner.hide()
        self._busy = QLabel("Laying out the graph…", self)
        self._busy.setObjectName("graphBusy")
        self._busy.setStyleSheet(
            "QLabel { color: #404040; background: #fff8e1; border: 1px solid #e6d7a3;"
            " border-radius: 4px; padding: 4px 10px; }"
        )
        self._busy.hide()
        self._worker = LayoutWorker(parse=False)  # parsed here, in slices: see _parse_and_build
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._build_timer = QTimer(self)
        self._build_timer.setInterval(0)
        self._retiring: list[Iterator[None]] = []  # pictures being freed, in slices
        self._retire_timer = QTimer(self)
        self._retire_timer.setInterval(0)

        box = QVBoxLayout(self)
        box.setContentsMargins(1, 1, 1, 1)  # room for the panel's border, drawn in paintEvent
        box.addWidget(self.canvas)

        self._debounce.timeout.connect(self._start_layout)
        self._busy_timer.timeout.connect(self._show_busy)
        self._build_timer.timeout.connect(self._build_slice)
        self._retire_timer.timeout.connect(self._retire_slice)
        self._worker.finished.connect(self._on_layout_finished)
        self._worker.failed.connect(self._on_layout_failed)
        self.canvas.node_clicked.connect(self._on_node_clicked)
        self.canvas.zoomed.connect(self._on_user_zoomed)
        worker = self._worker
        self.destroyed.connect(lambda *_: worker.cancel())
        self._listen(document)
        self._schedule_layout()

    def _listen(self, document: Document) -> None:
        # A weak link: a panel that is gone never hears from the document again.
        ref = weakref.ref(self)

        def listener(change: Change) -> None:
            view = ref()
            if view is None or not shiboken6.isValid(view):
                document.remove_listener(listener)
                return
            view._on_document_changed(change)

        document.add_listener(listener)

    # ---- public API -------------------------------------------------------------------

    def rankdir(self) -> str:
        return self._rankdir

    def set_rankdir(self, rankdir: str) -> None:
        """Lay the graph out left to right ('LR') or top to bottom ('TB')."""
        if rankdir not in ("LR", "TB"):
            raise ValueError(f"rankdir must be 'LR' or 'TB', not {rankdir!r}")
        if rankdir != self._rankdir:
            self._rankdir = rankdir
            self._follow_fit = True
            self._schedule_layout()

    def select(self, name: str | None) -> None:
        """Highlight one value node (None clears) and scroll it into view."""
        if name is not None and name not in self._picture.values:
            name = None
        self._selected = name
        self._apply_colours()
        if name is not None:
            self.canvas.ensureVisible(self._picture.values[name], 40, 40)

    def selected(self) -> str | None:
        return self._selected

    def zoom_in(self) -> None:
        self.canvas.scale_by(ZOOM_STEP, anchor_under_mouse=False)

    def zoom_out(self) -> None:
        self.canvas.scale_by(1 / ZOOM_STEP, anchor_under_mouse=False)

    def zoom(self) -> float:
        """The current scale: 1.0 draws one point of the layout as one pixel."""
        return self.canvas.transform().m11()

    def fit_to_window(self) -> None:
        """Show the whole graph, no larger than a comfortable reading size."""
        self._follow_fit = True
        self._fit()

    def set_step_highlight(self, active: str | None, visited: Collection[str]) -> None:
        """Mark the backward step in progress: the active value and its edges, and the values already done.

        `set_step_highlight(None, ())` clears the marks.
        """
        self._step_active = active
        self._step_visited = frozenset(visited)
        self._apply_colours()

    def message(self) -> str:
        """The error the panel shows ('' if none)."""
        return self._message

    def is_busy(self) -> bool:
        """Whether a new picture is on its way (or an old one is still being freed)."""
        return self._pending or bool(self._retiring)

    @property
    def scene(self) -> QGraphicsScene:
        """The scene of the picture shown."""
        return self._picture.scene

    def node_names(self) -> list[str]:
        """The names of the values drawn (each once, copies aside)."""
        return list(self._picture.values)

    def node_item(self, name: str) -> _NodeItem:
        """The record item drawing `name` (tests read its position and texts)."""
        return self._picture.values[name]

    def copy_items(self, name: str) -> list[_NodeItem]:
        """The dashed copies of `name` drawn at its far uses."""
        return list(self._picture.copies.get(name, ()))

    def highlighted_edges(self) -> list[tuple[str, str]]:
        """The (tail, head) node ids of the edges drawn highlighted."""
        return [(item.edge.tail, item.edge.head) for item in self._picture.highlights]

    def tooltip_for(self, name: str) -> str:
        """What hovering the value `name` shows: its definition, numbers and local derivatives."""
        document = self._document
        if name not in document:
            return ""
        definition = document.definition(name)
        value = document.value(name)
        operands = definition.operands
        lines = [f"{name}: a leaf" if definition.is_leaf else f"{name} = {definition.formula}"]
        lines.append(f"data {format_decimals(value.data)}")
        stale = "  (stale: run backward again)" if document.grads_stale else ""
        lines.append(f"grad {format_decimals(document.grad(name))}{stale}")
        formulas = LOCAL_GRAD_FORMULAS.get((definition.op, len(operands)))
        if formulas:
            lines.append("local derivatives:")
            try:
                numbers = local_grads(value)
            except (ArithmeticError, ValueError):
                numbers = tuple(float("nan") for _ in formulas)
            for operand, formula, number in zip(operands, formulas, numbers):
                text = formula.format(*operands).replace("out.", f"{name}.")
                if definition.op == "**":
                    text += f" with n = {format_number(definition.exponent or 0.0)}"
                lines.append(f"  d{name}/d{operand} = {text} = {format_decimals(number)}")
        copies = len(self._picture.copies.get(name, ()))
        if copies:
            lines.append(f"drawn again, dashed, at {copies} of its uses")
        return "\n".join(lines)

    # ---- following the document --------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        if change.structure:
            self._schedule_layout()
        else:
            self._update_numbers()
            if not self._pending:
                self.picture_updated.emit()

    def _schedule_layout(self) -> None:
        # A layout or a build already running describes an older workspace: drop it now.
        self._generation = self._worker.cancel()
        self._stop_building()
        self._pending = True
        self._debounce.start()

    def _start_layout(self) -> None:
        count = len(self._document)
        if count == 0:
            self._show_picture(_Picture(self))
            self._finish(message="")
            return
        if count > MAX_DRAWN_VALUES:
            self._fail(
                f"This workspace has {count:,} values; the graph panel draws at most "
                f"{MAX_DRAWN_VALUES:,}. The table and the other tools still work."
            )
            return
        try:
            source = render.build_dot_source(self._document, rankdir=self._rankdir)
        except render.RenderError as error:
            self._fail(str(error))
            return
        self._generation = self._worker.request(source)
        self._busy.setText(f"Laying out the graph ({count:,} values)…")
        self._busy_timer.start()

    def _on_layout_finished(self, generation: int, output: bytes) -> None:
        if generation != self._generation or not self._pending or self._debounce.isActive():
            return
        self._steps = self._parse_and_build(output)
        self._build_slice()
        if self._steps is not None:
            self._build_timer.start()

    def _parse_and_build(self, output: bytes) -> Iterator[None]:
        """Read dot's output and make the new picture's items, yielding often (see `_build_slice`)."""
        result = yield from render.parse_layout_steps(output)
        self._next = _Picture(self, result)
        yield from self._next.build(self._font, self._metrics)

    def _build_slice(self) -> None:
        """Run the picture's steps for a few milliseconds; the event loop runs between slices."""
        if self._steps is None:
            self._build_timer.stop()
            return
        deadline = time.perf_counter() + BUILD_SLICE_S
        steps = self._steps
        try:
            while True:
                for _ in range(8):
                    if next(steps, StopIteration) is StopIteration:
                        picture, self._next, self._steps = self._next, None, None
                        self._build_timer.stop()
                        assert picture is not None
                        self._show_picture(picture)
                        self._finish(message="")
                        return
                if time.perf_counter() > deadline:
                    return
        except render.RenderError as error:
            self._stop_building()
            self._fail(str(error))

    def _stop_building(self) -> None:
        self._build_timer.stop()
        if self._next is not None:
            self._retire(self._next)
        self._next, self._steps = None, None

    def _on_layout_failed(self, generation: int, message: str) -> None:
        if generation != self._generation or not self._pending or self._debounce.isActive():
            return
        self._fail(message)

    def _fail(self, message: str) -> None:
        """Show why there is no new picture; the last good one stays under the message."""
        self._finish(message=message, updated=False)
        self.layout_failed.emit(message)

    def _finish(self, message: str, updated: bool = True) -> None:
        self._pending = False
        self._busy_timer.stop()
        self._busy.hide()
        self._message = message
        self._banner.setText(message)
        self._banner.setVisible(bool(message))
        self._hint.setVisible(len(self._document) == 0)
        self._place_overlays()
        if updated:
            self.picture_updated.emit()

    def _show_busy(self) -> None:
        if self._pending:
            self._busy.show()
            self._place_overlays()

    # ---- the picture --------------------------------------------------------------------

    def _show_picture(self, picture: _Picture) -> None:
        old, self._picture = self._picture, picture
        self.canvas.setScene(picture.scene)
        self._retire(old)
        self._update_numbers()
        if self._selected is not None and self._selected not in picture.values:
            self._selected = None
            self.selection_changed.emit("")
        self._apply_colours()
        if self._follow_fit:
            self._fit()
        self._update_detail()

    def _update_detail(self) -> None:
        """Far out, draw the nodes as blocks in one item: painting a thousand detailed items is slow."""
        overview = self._picture.overview
        if overview is not None:
            self._picture.show_blocks(self.zoom() * overview.node_height < BLOCK_BELOW)

    def _retire(self, picture: _Picture) -> None:
        steps = picture.discard()
        if len(picture.items) < RETIRE_AT_ONCE:
            for _ in steps:
                pass
            return
        self._retiring.append(steps)
        self._retire_timer.start()

    def _retire_slice(self) -> None:
        deadline = time.perf_counter() + BUILD_SLICE_S
        while self._retiring and time.perf_counter() < deadline:
            if next(self._retiring[0], StopIteration) is StopIteration:
                self._retiring.pop(0)
        if not self._retiring:
            self._retire_timer.stop()

    def _update_numbers(self) -> None:
        document = self._document
        stale = document.grads_stale
        copies = self._picture.copies
        for name, item in self._picture.values.items():
            if name not in document:
                continue
            texts = [
                name,
                f"data {format_decimals(document.data(name))}",
                f"grad {format_decimals(document.grad(name))}",
            ]
            item.set_texts(texts, stale)
            for copy in copies.get(name, ()):
                copy.set_texts(texts, stale)

    def _apply_colours(self) -> None:
        picture = self._picture
        active, visited, selected = self._step_active, self._step_visited, self._selected
        for name, item in picture.values.items():
            fill, outline = None, None
            if name == active:
                fill, outline = ACTIVE_FILL, ACTIVE_INK
            elif name in visited:
                fill = VISITED_FILL
            if name == selected:
                fill, outline = (fill or SELECTED_FILL), SELECTED_INK
            item.set_colours(fill, outline)
            for copy in picture.copies.get(name, ()):
                copy.set_colours(fill, outline)
        for name, item in picture.ops.items():
            item.set_colours(ACTIVE_FILL if name == active else None, ACTIVE_INK if name == active else None)
        if picture.overview is not None:
            marks = []
            for item in [
                *picture.values.values(),
                *picture.ops.values(),
                *(c for cs in picture.copies.values() for c in cs),
            ]:
                if item.outline or item.fill:
                    colour = item.outline or (item.fill.darker(125) if item.fill else BLOCK_INK)
                    marks.append(
                        (
                            item.sceneBoundingRect().adjusted(
                                HIGHLIGHT_WIDTH, HIGHLIGHT_WIDTH, -HIGHLIGHT_WIDTH, -HIGHLIGHT_WIDTH
                            ),
                            colour,
                        )
                    )
            picture.overview.set_marks(marks)
        for highlight in picture.highlights:
            picture.scene.removeItem(highlight)
        picture.highlights = []
        if active is not None and picture.layout is not None:
            # The edges of the step: operands -> op -> active value, and active value -> its users' ops.
            around = {render.value_id(active), render.op_id(active)}
            around.update(copy.node.id for copy in picture.copies.get(active, ()))
            for edge in picture.layout.edges:
                if edge.head == render.op_id(active) or edge.tail in around:
                    highlight = _EdgeHighlight(edge, ACTIVE_INK)
                    picture.scene.addItem(highlight)
                    picture.highlights.append(highlight)

    # ---- zoom -----------------------------------------------------------------------------

    def _fit(self) -> None:
        rect = self._picture.scene.sceneRect()
        if rect.isEmpty() or not self._picture.values:
            return
        self.canvas.resetTransform()
        self.canvas.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.canvas.transform().m11()
        if scale > MAX_FIT_SCALE or scale < MIN_SCALE:
            target = min(MAX_FIT_SCALE, max(MIN_SCALE, scale))
            self.canvas.resetTransform()
            self.canvas.scale(target, target)
            self.canvas.centerOn(rect.center())
        self._update_detail()

    def _on_user_zoomed(self) -> None:
        self._follow_fit = False
        self._update_detail()

    def _on_node_clicked(self, name: str, shift: bool) -> None:
        if name != self._selected:
            self.select(name)
            self.selection_changed.emit(name)
        self.node_clicked.emit(name, shift)

    # ---- Qt overrides -------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(BORDER)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_overlays()
        if self._follow_fit:
            self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._place_overlays()
        if self._follow_fit:
            self._fit()

    def _place_overlays(self) -> None:
        width, height = self.width(), self.height()
        self._hint.setGeometry(20, 0, max(width - 40, 10), height)
        if self._banner.isVisible():
            banner_width = max(min(width - 24, 720), 10)
            self._banner.setFixedWidth(banner_width)
            self._banner.adjustSize()
            self._banner.move((width - banner_width) // 2, 12)
            self._banner.raise_()
        if self._busy.isVisible():
            self._busy.adjustSize()
            self._busy.move(width - self._busy.width() - 12, height - self._busy.height() - 12)
            self._busy.raise_()
