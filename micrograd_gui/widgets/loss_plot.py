"""The loss per step of a training run, drawn live, with a marker at the step the workspace shows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

LINE_LIGHT = "#2f6fd6"
LINE_DARK = "#6ea8ff"
MARK_LIGHT = "#d98200"
MARK_DARK = "#ffb547"


class LossPlot(pg.PlotWidget):
    """`lossPlot`: the run's losses against the step (0 is the first), redrawn with `show_losses`, and
    `show_marker(step, loss)` marking the step shown (None hides it). Colours follow the palette."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.setToolTip("The loss of each step (the total before its update); the line marks the step shown")
        self.setMinimumSize(160, 140)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=False, y=False)
        item.setLabel("bottom", "step")
        item.setLabel("left", "loss")
        item.getAxis("left").enableAutoSIPrefix(False)
        item.getAxis("bottom").enableAutoSIPrefix(False)
        # A long run has more steps than pixels: draw the peaks of each pixel's steps.
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.curve = item.plot([], [])
        self.marker_line = pg.InfiniteLine(angle=90, movable=False)
        self.marker_dot = pg.ScatterPlotItem(size=8)
        item.addItem(self.marker_line, ignoreBounds=True)
        item.addItem(self.marker_dot, ignoreBounds=True)
        self._losses = np.zeros(0)
        self._source: Sequence[float] | None = None
        self.show_marker(None, None)
        self.follow_palette()

    def losses(self) -> list[float]:
        """The losses drawn, oldest first."""
        return [float(x) for x in self._losses]

    def show_losses(self, losses: Sequence[float]) -> None:
        """Draw `losses`; the same list grown since the last call only converts its new end (a long
        run has millions)."""
        count = len(self._losses)
        if losses is self._source and len(losses) >= count:
            self._losses = np.concatenate([self._losses, np.asarray(losses[count:], dtype=float)])
        else:
            self._losses = np.asarray(losses, dtype=float)
        self._source = losses
        self.curve.setData(np.arange(len(self._losses)), self._losses)
        if not len(self._losses):
            self.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)
        self.getPlotItem().enableAutoRange()

    def show_marker(self, step: int | None, loss: float | None) -> None:
        """Mark `step` (and its loss, when known); None hides the marker."""
        self.marker_line.setVisible(step is not None)
        if step is not None:
            self.marker_line.setValue(step)
        if step is not None and loss is not None and np.isfinite(loss):
            self.marker_dot.setData([step], [loss])
        else:
            self.marker_dot.setData([], [])

    def marker(self) -> int | None:
        """The step marked (None when hidden)."""
        return round(self.marker_line.value()) if self.marker_line.isVisible() else None

    def follow_palette(self) -> None:
        """Draw in the widget's palette: its base as the background, its text for the axes."""
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        ink = palette.color(QPalette.ColorRole.Text)
        dark = background.lightness() < 128
        self.setBackground(background)
        item = self.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(ink))
            axis.setTextPen(pg.mkPen(ink))
        self.curve.setPen(pg.mkPen(QColor(LINE_DARK if dark else LINE_LIGHT), width=2))
        mark = QColor(MARK_DARK if dark else MARK_LIGHT)
        self.marker_line.setPen(pg.mkPen(mark, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.marker_dot.setBrush(pg.mkBrush(mark))
        self.marker_dot.setPen(pg.mkPen(background))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # A theme sets the application's palette and then the window's style sheet again: either may
        # come last, and the plot paints with what it reads.
        ready = "marker_dot" in self.__dict__  # not while pyqtgraph builds the view
        if ready and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.follow_palette()
