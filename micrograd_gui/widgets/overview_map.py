"""A small map of the whole picture in a corner of the graph, the part in view marked; click to go there."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

MAP_SIZE = QSize(220, 150)
FRAME = QColor("#2f6fd6")
BORDER = QColor("#b0b0b0")
BLOCK = QColor("#8c8c8c")


class OverviewMap(QWidget):
    """The picture drawn small (objectName 'overviewMap'), with the rectangle `visible()` gives (the part
    of the scene the graph shows) marked. A click or a drag on it emits `centre_requested(point)`, a point
    of the scene. The picture is drawn once into a pixmap when it changes (`set_blocks`), so moving
    around repaints only the mark."""

    centre_requested = Signal(QPointF)

    def __init__(self, visible: Callable[[], QRectF], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewMap")
        self.setFixedSize(MAP_SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("The whole picture: click or drag to move the view")
        self._visible = visible
        self._pixmap = QPixmap()
        self._scene_rect = QRectF()
        self._target = QRectF()  # where the scene lands in the map

    def set_blocks(self, scene_rect: QRectF, blocks: list[QRectF]) -> None:
        """Draw the picture small, once: its nodes as blocks (all a map this small can show; thousands of
        rectangles take a millisecond or two, where drawing the scene's items and edges took tens)."""
        self._scene_rect = QRectF(scene_rect)
        self._pixmap = QPixmap(self.size())
        self._pixmap.fill(QColor("white"))
        if self._scene_rect.isEmpty():
            self._target = QRectF()
            self.update()
            return
        scale = min((self.width() - 8) / self._scene_rect.width(), (self.height() - 8) / self._scene_rect.height())
        w, h = self._scene_rect.width() * scale, self._scene_rect.height() * scale
        self._target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
        painter = QPainter(self._pixmap)
        painter.translate(self._target.left(), self._target.top())
        painter.scale(scale, scale)
        painter.translate(-self._scene_rect.left(), -self._scene_rect.top())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BLOCK)
        painter.drawRects(blocks)
        painter.end()
        self.update()

    def map_point(self, point: QPointF) -> QPointF:
        """The scene point under a point of the map."""
        if self._target.isEmpty():
            return QPointF()
        scene, target = self._scene_rect, self._target
        x = scene.left() + (point.x() - target.left()) / target.width() * scene.width()
        y = scene.top() + (point.y() - target.top()) / target.height() * scene.height()
        return QPointF(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        painter.setPen(BORDER)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if not self._target.isEmpty():
            visible = self._visible().intersected(self._scene_rect)
            sx = self._target.width() / self._scene_rect.width()
            sy = self._target.height() / self._scene_rect.height()
            mark = QRectF(
                self._target.left() + (visible.left() - self._scene_rect.left()) * sx,
                self._target.top() + (visible.top() - self._scene_rect.top()) * sy,
                max(visible.width() * sx, 3.0),
                max(visible.height() * sy, 3.0),
            )
            painter.setPen(QPen(FRAME, 2))
            painter.setBrush(QColor(47, 111, 214, 40))
            painter.drawRect(mark)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.centre_requested.emit(self.map_point(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.centre_requested.emit(self.map_point(event.position()))
