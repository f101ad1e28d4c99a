"""A training run's record (steps, kept parameters, positions, truncation, finding a step) and the decision grid."""

from __future__ import annotations

import numpy as np
import pytest

from micrograd_gui import training_run
from micrograd_gui.dataset import DataTable
from micrograd_gui.training_run import StepsDone, TrainingRun, decision_grid


def steps(first: int, count: int, start: float, width: int = 2, stride: int = 1) -> StepsDone:
    """`count` made-up steps from `first`: step k's loss is 1/(k+1), the parameters after it all k+1+start."""
    rows = {k + 1: np.full(width, k + 1 + start) for k in range(first, first + count) if (k + 1) % stride == 0}
    last = np.full(width, first + count + start)
    return StepsDone(
        first,
        [1 / (k + 1) for k in range(first, first + count)],
        [None] * count,
        [0.1] * count,
        rows,
        last,
        np.ones(width),
    )


def test_a_run_records_steps_and_their_parameters():
    """Two stretches of steps: losses in order, each step's parameters kept, the last ones latest."""
    run = TrainingRun(("w", "b"), np.zeros(2), steps=10)
    run.record(steps(0, 3, 0.0))
    run.record(steps(3, 2, 0.0))
    assert run.done == 5 and not run.finished
    assert run.losses == [1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5]
    assert run.values_at(0) == {"w": 0.0, "b": 0.0}
    assert run.values_at(2) == {"w": 2.0, "b": 2.0}
    assert list(run.latest) == [5.0, 5.0]


def test_steps_that_do_not_follow_are_refused():
    """A stretch must start where the run is."""
    run = TrainingRun(("w",), np.zeros(1), steps=10)
    with pytest.raises(ValueError):
        run.record(steps(1, 2, 0.0, width=1))


def test_truncating_goes_back_to_a_step():
    """Truncating at step 2 forgets the later steps; the parameters after 2 steps are the latest."""
    run = TrainingRun(("w",), np.zeros(1), steps=10)
    run.record(steps(0, 6, 0.0, width=1))
    run.truncate(2)
    assert run.done == 2 and run.losses == [1.0, 0.5]
    assert list(run.latest) == [2.0]
    assert run.updates is None


def test_find_tells_which_step_holds_these_numbers():
    """The position whose parameters are exactly these numbers; None for any others."""
    run = TrainingRun(("w", "b"), np.zeros(2), steps=10)
    run.record(steps(0, 4, 0.0))
    assert run.find({"w": 0.0, "b": 0.0}) == 0
    assert run.find({"w": 3.0, "b": 3.0}) == 3
    assert run.find({"w": 4.0, "b": 4.0}) == 4
    assert run.find({"w": 3.0, "b": 3.5}) is None
    assert run.find({"w": 3.0}) is None


def test_a_long_run_keeps_every_stride_th_step(monkeypatch):
    """Past the budget of kept numbers, every stride-th step is kept and positions snap down to them."""
    monkeypatch.setattr(training_run, "KEPT_NUMBERS", 40)
    run = TrainingRun(("w", "b"), np.zeros(2), steps=99)
    assert run.stride == 5
    run.record(steps(0, 12, 0.0, stride=5))
    assert run.position(7) == 5 and run.position(10) == 10 and run.position(12) == 12
    assert run.values_at(10) == {"w": 10.0, "b": 10.0}
    assert run.find({"w": 7.0, "b": 7.0}) is None


def test_the_decision_grid_spans_the_data_with_a_margin():
    """Two input columns: a grid over their range and 20% more each side, cells centred, row-major in y."""
    table = DataTable.of(("x1", "x2", "y"), [(0.0, 0.0, 1.0), (1.0, 2.0, -1.0)])
    grid = decision_grid(table, ("x1", "x2"), size=4)
    assert grid is not None
    assert grid.x_range == pytest.approx((-0.2, 1.2)) and grid.y_range == pytest.approx((-0.4, 2.4))
    columns = grid.columns()
    xs, ys = grid.centres()
    assert xs == pytest.approx([-0.025, 0.325, 0.675, 1.025])
    assert list(columns["x1"][:4]) == pytest.approx(list(xs)) and set(columns["x2"][:4]) == {ys[0]}
    image = grid.image(columns["x1"] + 10 * columns["x2"])
    assert image[2, 1] == pytest.approx(xs[1] + 10 * ys[2])


def test_no_grid_unless_two_inputs():
    """One input, three inputs, or no rows: no decision picture."""
    table = DataTable.of(("a", "b", "c"), [(0.0, 1.0, 2.0)])
    assert decision_grid(table, ("a",)) is None
    assert decision_grid(table, ("a", "b", "c")) is None
    assert decision_grid(DataTable.of(("a", "b")), ("a", "b")) is None
    flat = decision_grid(table, ("a", "b"))
    assert flat is not None and flat.x_range == (-0.5, 0.5)
