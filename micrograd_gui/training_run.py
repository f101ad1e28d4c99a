"""One run of gradient descent as the Train panel shows it, and the grid of its decision picture. Qt-free.

A run starts from the parameters at its step 0 and records, for each step k done, the loss of
step k (before its update), its accuracy and learning rate, and the parameters after it. The
parameters are kept for every step while they fit in `KEPT_NUMBERS` numbers (100 steps of the
moons net take 34,000); a longer run keeps every `stride`-th step and the last, so the time slider
moves in steps of `stride` there. Gradient descent over all rows is deterministic, so a run
started again from the same parameters and settings gives the same steps: Reset replays it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from micrograd_gui.dataset import DataTable

KEPT_NUMBERS = 8_000_000  # 64 MB of parameters at most
GRID_SIZE = 60  # the decision picture's resolution, in cells a side
GRID_MARGIN = 0.2  # room around the data in the decision picture, as a share of its span


@dataclass
class StepsDone:
    """What a stretch of steps gave: step `first` onwards, their losses, accuracies and learning
    rates, the parameters after each kept step (`kept`: step number after the update -> values),
    the parameters now and the last step's update of each parameter."""

    first: int
    losses: list[float]
    accuracies: list[float | None]
    learning_rates: list[float]
    kept: dict[int, np.ndarray]
    parameters: np.ndarray
    updates: np.ndarray | None


class TrainingRun:
    """The steps of one run so far (`done` of `steps`), over the parameters `names`, from `start`."""

    def __init__(self, names: Sequence[str], start: np.ndarray, steps: int) -> None:
        self.names = tuple(names)
        self.steps = steps
        self.stride = max(1, math.ceil((steps + 1) * max(len(self.names), 1) / KEPT_NUMBERS))
        self.losses: list[float] = []
        self.accuracies: list[float | None] = []
        self.learning_rates: list[float] = []
        self.updates: np.ndarray | None = None
        self._kept: dict[int, np.ndarray] = {0: np.array(start, dtype=float)}
        self._latest = self._kept[0]
        self._index: tuple[np.ndarray, np.ndarray] | None = None  # the kept steps and their first numbers

    @property
    def done(self) -> int:
        return len(self.losses)

    @property
    def finished(self) -> bool:
        return self.done >= self.steps

    @property
    def start(self) -> np.ndarray:
        return self._kept[0]

    @property
    def latest(self) -> np.ndarray:
        """The parameters after the last step done."""
        return self._latest

    def keeps(self, step: int) -> bool:
        """Whether the parameters after `step` steps are kept (the last step's always are)."""
        return step % self.stride == 0

    def record(self, done: StepsDone) -> None:
        """Add the steps a stretch of training gave (it starts where the run is)."""
        if done.first != self.done:
            raise ValueError(f"steps from {done.first} do not follow the {self.done} done")
        self.losses.extend(done.losses)
        self.accuracies.extend(done.accuracies)
        self.learning_rates.extend(done.learning_rates)
        self._kept.update({k: np.array(v, dtype=float) for k, v in done.kept.items() if self.keeps(k)})
        self._index = None
        self._latest = np.array(done.parameters, dtype=float)
        if done.updates is not None:
            self.updates = np.array(done.updates, dtype=float)

    def position(self, step: int) -> int:
        """The nearest step at or below `step` (from 0 to `done`) whose parameters are kept."""
        step = max(0, min(step, self.done))
        return step if step == self.done else step - step % self.stride

    def parameters_at(self, step: int) -> np.ndarray:
        """The parameters after `step` steps (a position: kept, or the last)."""
        if step == self.done:
            return self._latest
        return self._kept[step]

    def values_at(self, step: int) -> dict[str, float]:
        return dict(zip(self.names, (float(x) for x in self.parameters_at(step))))

    def truncate(self, step: int) -> None:
        """Forget the steps from `step` on (a position): training goes on from there."""
        step = self.position(step)
        if step == self.done:
            return
        self._latest = self._kept[step]
        del self.losses[step:], self.accuracies[step:], self.learning_rates[step:]
        self._kept = {k: v for k, v in self._kept.items() if k <= step}
        self._index = None
        self.updates = None

    def find(self, values: Mapping[str, float]) -> int | None:
        """The position whose parameters are exactly `values` (an undo or a redo went there), or None."""
        if set(values) != set(self.names):
            return None
        row = np.array([values[n] for n in self.names], dtype=float)
        if np.array_equal(row, self._latest):
            return self.done
        if not len(row):
            return None
        # Candidates by their first parameter, in one numpy pass: a long run keeps thousands of steps.
        if self._index is None:
            kept = sorted(self._kept)
            self._index = (np.array(kept), np.array([self._kept[k][0] for k in kept]))
        steps, firsts = self._index
        for step in reversed(steps[firsts == row[0]].tolist()):
            if np.array_equal(row, self._kept[step]):
                return int(step)
        return None


@dataclass(frozen=True)
class DecisionGrid:
    """The points of the input plane the decision picture evaluates the output at: `GRID_SIZE`
    cells a side over the data's range and a margin, centred on the cells."""

    x_name: str
    y_name: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    size: int = GRID_SIZE

    def columns(self) -> dict[str, np.ndarray]:
        """The input columns to evaluate: row-major, y outer (image row i is the i-th y)."""
        xs, ys = self.centres()
        grid_x, grid_y = np.meshgrid(xs, ys)
        return {self.x_name: grid_x.ravel(), self.y_name: grid_y.ravel()}

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        half_x, half_y = (x1 - x0) / (2 * self.size), (y1 - y0) / (2 * self.size)
        return (
            np.linspace(x0 + half_x, x1 - half_x, self.size),
            np.linspace(y0 + half_y, y1 - half_y, self.size),
        )

    def image(self, outputs: np.ndarray) -> np.ndarray:
        """The outputs at `columns()` as an image, rows along y."""
        return np.asarray(outputs, dtype=float).reshape(self.size, self.size)


def decision_grid(data: DataTable, inputs: Sequence[str], size: int = GRID_SIZE) -> DecisionGrid | None:
    """The grid over the plane of the two input columns (None unless there are exactly two)."""
    if len(inputs) != 2 or not data.rows:
        return None
    ranges = []
    for name in inputs:
        column = data.column(name)
        low, high = min(column), max(column)
        margin = max((high - low) * GRID_MARGIN, 0.5 if high == low else 0.0)
        ranges.append((low - margin, high + margin))
    return DecisionGrid(inputs[0], inputs[1], ranges[0], ranges[1], size)
