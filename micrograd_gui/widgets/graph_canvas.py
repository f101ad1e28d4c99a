"""The graph panel's canvas: the zoomable, pannable view of a picture's scene."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsScene, QGraphicsView, QToolTip, QWidget

from micrograd_gui.widgets.graph_items import BACKGROUND, NodeItem, Overview

MIN_SCALE, MAX_SCALE = 0.02, 8.0
ZOOM_STEP = 1.25


class GraphCanvas(QGraphicsView):
    """The zoomable, pannable view of the scene; reports clicks on value nodes and shows their tooltips.

    `tooltip(name)` makes the text shown when hovering the value `name`, `group_tooltip(name)`
    hovering the collapsed group `name`.
    Signals: `node_clicked(name, shift)` on a click (not a drag) on a value
    node or one of its copies; `group_clicked(name)` on a click on a collapsed
    group; `group_activated(name)` on a double-click on one, `value_activated(name)`
    on a double-click on a value; `zoomed()` each time `scale_by` changes the
    scale (the wheel, the +/- keys, the zoom actions).
    """

    node_clicked = Signal(str, bool)
    group_clicked = Signal(str)
    group_activated = Signal(str)
    value_activated = Signal(str)
    zoomed = Signal()

    def __init__(
        self,
        scene: QGraphicsScene,
        parent: QWidget,
        tooltip: Callable[[str], str],
        group_tooltip: Callable[[str], str] = lambda name: name,
    ) -> None:
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
        self._group_tooltip = group_tooltip
        self._press: tuple[QPoint, str, bool, bool] | None = None  # where, what, shift, a group

    def name_at(self, pos: QPoint) -> str | None:
        """The value drawn under a viewport point (its record or one of its copies), if any."""
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.is_value:
                return item.name
            if isinstance(item, Overview):
                return item.name_at(self.mapToScene(pos))
        return None

    def group_at(self, pos: QPoint) -> str | None:
        """The collapsed group drawn under a viewport point, if any."""
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.is_group:
                return item.name
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
            group = None if name is not None else self.group_at(event.pos())
            if name is not None:
                QToolTip.showText(event.globalPos(), self._tooltip(name), self.viewport())
            elif group is not None:
                QToolTip.showText(event.globalPos(), self._group_tooltip(group), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
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
            point = event.position().toPoint()
            name = self.name_at(point)
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if name is not None:
                self._press = (point, name, shift, False)
            else:
                group = self.group_at(point)
                if group is not None:
                    self._press = (point, group, shift, True)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            point = event.position().toPoint()
            name = self.name_at(point)
            group = None if name is not None else self.group_at(point)
            if group is not None:
                self.group_activated.emit(group)
                event.accept()
                return
            if name is not None:
                self.value_activated.emit(name)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position().toPoint() - press[0]).manhattanLength() < QApplication.startDragDistance():
            if press[3]:
                self.group_clicked.emit(press[1])
            else:
                self.node_clicked.emit(press[1], press[2])
