"""The decision picture of a model with two inputs: its output over the input plane as an image, the
data rows on it as points coloured by their target (micrograd demo's picture), redrawn as it learns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from micrograd_gui.dataset import DataTable
from micrograd_gui.training_run import DecisionGrid, decision_grid
from micrograd_gui.widgets.graph_items import mix

# Below zero one class, above it the other: blue and red, fading to the background at 0.
NEGATIVE = {False: "#3b6fd4", True: "#4f8ff0"}  # by dark look
POSITIVE = {False: "#d9534f", True: "#f06a5f"}
LEVEL_QUANTILE = 0.5  # the colours are full at this quantile of |output|: the two sides read at a glance


class DecisionPlot(pg.PlotWidget):
    """`decisionPlot`: `set_grid(grid, xs, ys, targets)` chooses the plane and the points (a grid of
    None shows `message` instead), `show_outputs(image)` colours the plane by the output there."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPlot")
        self.setToolTip("The model's output over the plane of its two inputs (red above 0, blue below) and the rows")
        self.setMinimumSize(160, 140)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.points = pg.ScatterPlotItem(size=7)
        item.addItem(self.image)
        item.addItem(self.points)
        self.message = QLabel(self)
        self.message.setObjectName("decisionMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._grid: DecisionGrid | None = None
        self._targets = np.zeros(0)
        self._xs = self._ys = np.zeros(0)
        self._dark = False
        self.follow_palette()
        self.set_grid(None, message="No decision picture yet")

    def grid(self) -> DecisionGrid | None:
        return self._grid

    def set_grid(
        self,
        grid: DecisionGrid | None,
        xs: np.ndarray | None = None,
        ys: np.ndarray | None = None,
        targets: np.ndarray | None = None,
        message: str = "",
    ) -> None:
        """Show the plane of `grid` with the rows at (`xs`, `ys`), coloured by the sign of `targets`
        (None: one colour); with no grid, `message` instead."""
        self._grid = grid
        shown = grid is not None
        self.message.setText("" if shown else message)
        self.message.setVisible(not shown)
        self.image.setVisible(shown)
        self.points.setVisible(shown)
        self.getPlotItem().getAxis("left").setVisible(shown)
        self.getPlotItem().getAxis("bottom").setVisible(shown)
        if grid is None:
            self.image.clear()
            return
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        self.image.setImage(np.zeros((grid.size, grid.size)), levels=(-1.0, 1.0))
        self.image.setRect(x0, y0, x1 - x0, y1 - y0)
        self._xs = np.zeros(0) if xs is None else np.asarray(xs, dtype=float)
        self._ys = np.zeros(0) if ys is None else np.asarray(ys, dtype=float)
        self._targets = np.zeros(len(self._xs)) if targets is None else np.asarray(targets, dtype=float)
        self._colour_points()
        item = self.getPlotItem()
        item.setLabel("bottom", grid.x_name)
        item.setLabel("left", grid.y_name)
        item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def show_model(
        self, table: DataTable | None, inputs: Sequence[str], targets: Sequence[str], message: str = ""
    ) -> DecisionGrid | None:
        """The plane of a model's two `inputs` with the rows of `table` on it, coloured by the first of
        `targets`; for another number of inputs (or no table) a message (`message`, if given). Returns
        the grid the outputs are wanted over (None: no picture)."""
        grid = decision_grid(table, inputs) if table is not None else None
        if grid is None or table is None:
            shown = ", ".join(inputs) or "none"
            reads = f"The decision picture is for a model of two inputs; this one reads {len(inputs)} ({shown})"
            self.set_grid(None, message=message or reads)
            return None
        target = np.array(table.column(targets[0])) if targets else None
        self.set_grid(grid, np.array(table.column(inputs[0])), np.array(table.column(inputs[1])), target)
        return grid

    def show_outputs(self, image: np.ndarray) -> None:
        """Colour the plane by the output at each cell (rows along y)."""
        if self._grid is None:
            return
        finite = np.abs(image[np.isfinite(image)])
        level = float(np.quantile(finite, LEVEL_QUANTILE)) if finite.size else 1.0
        level = level if level > 0 else 1.0
        self.image.setImage(np.nan_to_num(image), levels=(-level, level), autoLevels=False)

    def shown_image(self) -> np.ndarray | None:
        """The outputs the plane shows now (None when no plane is shown)."""
        return None if self._grid is None else self.image.image

    def follow_palette(self) -> None:
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        ink = palette.color(QPalette.ColorRole.Text)
        self._dark = background.lightness() < 128
        self.setBackground(background)
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(ink))
            axis.setTextPen(pg.mkPen(ink))
        self.message.setStyleSheet(f"color: {palette.color(QPalette.ColorRole.PlaceholderText).name()};")
        negative, positive = QColor(NEGATIVE[self._dark]), QColor(POSITIVE[self._dark])
        fade = QColor(background)
        # Pale on either side of 0, so the boundary shows as the edge between two colours.
        colours = [
            mix(negative, fade, 0.35),
            mix(negative, fade, 0.7),
            mix(negative, fade, 0.8),
            mix(positive, fade, 0.8),
            mix(positive, fade, 0.7),
            mix(positive, fade, 0.35),
        ]
        positions = [0.0, 0.4, 0.4999, 0.5001, 0.6, 1.0]
        self.image.setColorMap(pg.ColorMap(pos=positions, color=colours))
        self._colour_points()

    def _colour_points(self) -> None:
        if not len(self._xs):
            self.points.setData([], [])
            return
        outline = pg.mkPen(QColor("#ffffff" if self._dark else "#202020"), width=1)
        negative, positive = pg.mkBrush(NEGATIVE[self._dark]), pg.mkBrush(POSITIVE[self._dark])
        brushes = [positive if t > 0 else negative for t in self._targets]
        self.points.setData(self._xs, self._ys, brush=brushes, pen=outline)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        ready = "_targets" in self.__dict__  # not while pyqtgraph builds the view
        if ready and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):  # a theme: see LossPlot
            self.follow_palette()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        if "message" in self.__dict__:  # pyqtgraph resizes the view before __init__ made the label
            self.message.setGeometry(12, 0, max(self.width() - 24, 10), self.height())
