"""Training off the UI thread: a worker runs the trainer on its own copy of the workspace and sends
back what it did at a steady rate (`FRAME_SECONDS`), not once per step.

One worker thread serves the app (it starts on first use and stops when the app quits); each
`TrainingThread` has its own worker object on it. A job names the model (the definitions, the data
and the settings, frozen values the worker may read), the parameters to start from and the steps to
run; the worker keeps its compiled trainer while the model stays the same.
"""

from __future__ import annotations

import atexit
import math
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, Group
from micrograd_gui.trainer import Trainer, TrainingError
from micrograd_gui.training_run import DecisionGrid, StepsDone

FRAME_SECONDS = 1 / 20  # how often a running job reports: the screen shows the latest state
# A run of the workspace's steps takes at least this long, so that the loss falling and the boundary
# forming can be watched (the moons demo's 100 steps take a quarter of a second unpaced).
MIN_RUN_SECONDS = 1.0


@dataclass(frozen=True)
class Model:
    """What a trainer is built from; `key` changes whenever any of it does."""

    key: int
    definitions: tuple[Definition, ...]
    data: DataTable
    settings: TrainingSettings
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class TrainingJob:
    """Run steps `first` to `last` - 1 of `model` from the parameters `start` (aligned to the
    trainer's parameters), keeping the parameters after every `stride`-th step, and evaluate the
    output over `grid` as it goes. With `first == last` it only evaluates (a step of the past shown)."""

    model: Model
    start: np.ndarray
    first: int
    last: int
    stride: int = 1
    grid: DecisionGrid | None = None
    job: int = 0  # set by TrainingThread.start


@dataclass(frozen=True)
class Snapshot:
    """What a job has done since its last snapshot (`steps`), the loss and accuracy at the parameters
    it has now, the output over the grid there, and whether the job is over (`finished`: all its steps
    done, paused, or failed with `error`)."""

    job: int
    steps: StepsDone
    loss: float
    accuracy: float | None
    image: np.ndarray | None
    finished: bool
    error: str = ""


class _Worker(QObject):
    """Lives on the worker thread; runs one job at a time."""

    snapshot = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = 0  # jobs up to this number stop at their next step (set from the UI thread)
        self.latest = 0  # the newest job asked for: an older evaluation-only job is skipped
        # Cleared while the UI thread shows a frame: the worker waits between steps rather than take
        # the interpreter lock from it every 5 ms (which would make the frame take twice as long).
        self.free = threading.Event()
        self.free.set()
        self._trainer: Trainer | None = None
        self._key: int | None = None

    @Slot(object)
    def run(self, job: TrainingJob) -> None:
        if job.first == job.last and job.job < self.latest:
            return  # a newer picture of the past is wanted already
        steps = StepsDone(job.first, [], [], [], {}, job.start, None)
        try:
            with np.errstate(all="raise"):
                trainer = self._trainer_for(job.model)
                names = trainer.roles.parameters
                trainer.set_parameter_values(dict(zip(names, (float(x) for x in job.start))))
                self._run(job, trainer, steps)
        except (TrainingError, ArithmeticError, FloatingPointError, ValueError) as error:
            self.snapshot.emit(Snapshot(job.job, steps, math.nan, None, None, True, _reason(error, steps)))

    def _trainer_for(self, model: Model) -> Trainer:
        if self._trainer is None or self._key != model.key:
            self._trainer, self._key = None, None
            self._trainer = Trainer(model.definitions, model.data, model.settings, model.groups)
            self._key = model.key
        return self._trainer

    def _run(self, job: TrainingJob, trainer: Trainer, steps: StepsDone) -> None:
        names = trainer.roles.parameters
        last_sent = time.perf_counter()
        pace = MIN_RUN_SECONDS / max(job.model.settings.steps, 1)
        step = job.first
        while step < job.last and job.job > self.cancelled:
            self.free.wait()
            began = time.perf_counter()
            result = trainer.step(step)
            if not math.isfinite(result.loss):
                raise FloatingPointError(f"the loss of step {step} is {result.loss}")
            step += 1
            steps.losses.append(result.loss)
            steps.accuracies.append(result.accuracy)
            steps.learning_rates.append(result.learning_rate)
            steps.updates = result.updates
            values = trainer.parameter_values()
            steps.parameters = np.array([values[n] for n in names])
            if step % job.stride == 0:
                steps.kept[step] = steps.parameters
            rest = pace - (time.perf_counter() - began)
            if rest > 0 and step < job.last:
                time.sleep(rest)
            if time.perf_counter() - last_sent >= FRAME_SECONDS and step < job.last:
                self.snapshot.emit(self._snapshot(job, trainer, steps, False))
                steps = StepsDone(step, [], [], [], {}, steps.parameters, steps.updates)
                last_sent = time.perf_counter()
        self.snapshot.emit(self._snapshot(job, trainer, steps, True))

    def _snapshot(self, job: TrainingJob, trainer: Trainer, steps: StepsDone, finished: bool) -> Snapshot:
        loss, accuracy = trainer.evaluate()
        image = None
        if job.grid is not None:
            image = job.grid.image(trainer.outputs(job.grid.columns()))
        return Snapshot(job.job, steps, loss, accuracy, image, finished)


def _reason(error: Exception, steps: StepsDone) -> str:
    if isinstance(error, TrainingError):
        return str(error)
    step = steps.first + len(steps.losses)
    return f"Training stopped at step {step}: the numbers overflowed ({error}). Try a smaller learning rate."


class _SharedThread:
    """The one worker thread, started on first use and stopped when the app quits or Python exits."""

    thread: QThread | None = None
    workers: weakref.WeakSet[_Worker] = weakref.WeakSet()

    @classmethod
    def get(cls) -> QThread:
        if cls.thread is None:
            cls.thread = QThread()
            cls.thread.setObjectName("trainingThread")
            cls.thread.start()
            app = QCoreApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(cls.stop)
            atexit.register(cls.stop)
        return cls.thread

    @classmethod
    def stop(cls) -> None:
        thread, cls.thread = cls.thread, None
        for worker in list(cls.workers):  # a run under way stops at its next step, a held one too
            worker.cancelled = 1 << 62
            worker.free.set()
        if thread is not None:
            thread.quit()
            thread.wait()


class TrainingThread(QObject):
    """Starts jobs on the worker thread and relays their snapshots.

    `snapshot_ready(Snapshot)` comes for each snapshot of the newest job (an older job's are dropped);
    `pause()` stops the job in hand at its next step (its last snapshot still comes, `finished`).
    """

    snapshot_ready = Signal(object)
    _requested = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = _Worker()
        self._worker.moveToThread(_SharedThread.get())
        _SharedThread.workers.add(self._worker)
        self._requested.connect(self._worker.run)
        self._worker.snapshot.connect(self._on_snapshot)
        self._count = 0
        self._running: int | None = None  # the job whose steps are under way
        worker = self._worker
        # Whatever the owner's fate, the worker goes with it, on its own thread, after its job stops.
        self.destroyed.connect(lambda: _retire(worker))

    def start(self, job: TrainingJob) -> int:
        """Start `job` (after any job in hand, which is cancelled); returns its number."""
        self.pause()
        self._count += 1
        number = self._count
        self._worker.latest = number
        if job.last > job.first:
            self._running = number
        self._requested.emit(TrainingJob(job.model, job.start, job.first, job.last, job.stride, job.grid, number))
        return number

    def pause(self) -> None:
        """Stop the jobs started so far at their next step."""
        self._worker.cancelled = self._count
        self._running = None

    def hold(self) -> None:
        """Keep the worker from starting another step until `release()`: the UI thread is showing a
        frame and wants the interpreter lock to itself."""
        self._worker.free.clear()

    def release(self) -> None:
        self._worker.free.set()

    def is_running(self) -> bool:
        """Whether a job with steps to do was started and has not finished or been paused."""
        return self._running is not None

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.job != self._count:
            return
        if snapshot.finished and snapshot.job == self._running:
            self._running = None
        self.snapshot_ready.emit(snapshot)


def _retire(worker: _Worker) -> None:
    worker.cancelled = 1 << 62
    worker.free.set()
    try:
        worker.deleteLater()
    except RuntimeError:  # already gone with the app
        pass


def parameter_row(values: dict[str, float], names: Sequence[str]) -> np.ndarray:
    """The values of `names`, in that order, as one row."""
    return np.array([values[n] for n in names], dtype=float)
