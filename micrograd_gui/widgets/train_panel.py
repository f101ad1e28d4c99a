"""The Train panel: gradient descent on the workspace's data, a step at a time (in phases if wanted)
or live, with the loss per step, the decision picture and a time slider through the run."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QSizePolicy,
    QWidget,
)

from engine import format_decimals
from micrograd_gui.commands import SetLeaves, ShowRow
from micrograd_gui.document import Change, DocumentError
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.trainer import Roles, TrainingError, training_roles
from micrograd_gui.training_phases import backward_text, forward_text, loss_text, update_text
from micrograd_gui.training_run import DecisionGrid, TrainingRun
from micrograd_gui.widgets.decision_plot import DecisionPlot
from micrograd_gui.widgets.loss_plot import LossPlot
from micrograd_gui.widgets.train_controls import TrainControls
from micrograd_gui.widgets.training_mirror import TrainingMirror
from micrograd_gui.widgets.training_thread import Model, Snapshot, TrainingJob, TrainingThread

PHASES = ("forward", "loss", "backward", "update")
DOCUMENT_SECONDS = 0.095  # while a run is under way, the workspace shows its numbers every other frame
WIDE = 760  # from this width on, the controls sit left of the plots, else above them


class TrainPanel(QWidget):
    """Trains the workspace (objectName `trainPanel`): the settings (`TrainingSettingsForm`), the loss
    builders (`LossBuilder`), `trainStepButton` (one step; with `trainPhases` checked, one phase of
    it per click: forward, loss, backward, update), `trainRunButton` (Run, and Pause while running),
    `trainResetButton` (back to the parameters at the run's start; Run then replays the same steps),
    the step, loss and accuracy of the step shown (`trainStepLabel`, `trainLossLabel`,
    `trainAccuracyLabel`), `trainMessage`, `lossPlot`, `decisionPlot` and `trainTimeSlider`
    (the parameters after each step of the run, from the same start).

    The trainer runs on a worker thread (`TrainingThread`) on its own copy of the workspace; the
    workspace shows the latest parameters it sends, with the shown data row's values and grads
    (numbers only: the picture does not move). A run, a step, a reset and a move of the slider are
    each one undo step whose undo returns to the parameters before it. A change made elsewhere while
    a run is under way stops it first, and the steps done make their own undo step.

    `updates_shown(dict)`: each parameter's last update (name -> number; empty for none), for the
    picture to tint them.
    """

    updates_shown = Signal(dict)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainPanel")
        self._session = session
        self.controls = TrainControls(session)
        controls = self.controls
        self.settings_form, self.loss_builder = controls.settings_form, controls.loss_builder
        self.step_button, self.phases_box = controls.step_button, controls.phases_box
        self.run_button, self.reset_button = controls.run_button, controls.reset_button
        self.step_label, self.loss_label = controls.step_label, controls.loss_label
        self.accuracy_label, self.message = controls.accuracy_label, controls.message
        self.time_slider = controls.time_slider
        self.loss_plot = LossPlot()
        self.decision_plot = DecisionPlot()
        self.worker = TrainingThread(self)

        self._run: TrainingRun | None = None
        self._position: int | None = None  # the step of the run the workspace shows (None: other numbers)
        self._model: Model | None = None
        self._models = 0
        self._table: object = None  # the data table the model was made from
        self._roles: Roles | None = None
        self._problem = ""  # why training cannot run now ('' if it can)
        self._grid: DecisionGrid | None = None
        self._job: int | None = None  # the job whose snapshots are wanted
        self._job_kind = ""  # "run", "step", "phases" or "look"
        self._before: dict[str, float] | None = None  # the parameters before the steps under way
        self._first = 0  # the step they started at
        self._latest: Snapshot | None = None  # the newest snapshot of steps not shown yet
        self._loss_now: float | None = None  # at the run's last step (evaluated after it)
        self._accuracy_now: float | None = None
        self._phase = 0  # phases shown of the step in hand
        self._phase_snapshot: Snapshot | None = None
        self._scrub_before: dict[str, float] | None = None
        self._mirror = TrainingMirror(session, self._fail)
        self._shown_at = 0.0  # when the workspace last showed a run's numbers
        self._showing_soon = False  # a frame is on its way

        self._lay_out()
        self.step_button.clicked.connect(self.step)
        self.run_button.clicked.connect(self.run_or_pause)
        self.reset_button.clicked.connect(self.reset)
        self.phases_box.toggled.connect(self._on_phases_toggled)
        self.time_slider.valueChanged.connect(self._on_slider_moved)
        self.time_slider.sliderReleased.connect(self._commit_scrub)
        self.worker.snapshot_ready.connect(self._on_snapshot)
        session.document.add_listener(self._on_document_changed)
        session.about_to_push.connect(self._on_about_to_push)
        session.workspace_replaced.connect(self._forget_run)
        self._refresh_model()

    def _lay_out(self) -> None:
        self._plots = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._plots.addWidget(self.loss_plot, 1)
        self._plots.addWidget(self.decision_plot, 1)
        self._outer = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._outer.setContentsMargins(6, 6, 6, 6)
        self._outer.addWidget(self.controls)
        self._outer.addLayout(self._plots, 1)

    # ---- reading ---------------------------------------------------------------------------

    def history(self) -> list[float]:
        """The losses of the run's steps done so far, oldest first."""
        return [] if self._run is None else list(self._run.losses)

    def run(self) -> TrainingRun | None:
        """The run the panel shows (None before the first step)."""
        return self._run

    def position(self) -> int | None:
        """The step of the run whose parameters the workspace holds (None: numbers of its own)."""
        return self._position

    def is_running(self) -> bool:
        return self.worker.is_running()

    def problem(self) -> str:
        """Why the workspace cannot be trained ('' when it can)."""
        return self._problem

    # ---- actions ----------------------------------------------------------------------------

    def step(self) -> bool:
        """One step (or, with phases shown, the next phase of one); True if it started."""
        if self.phases_box.isChecked():
            return self._next_phase()
        return self._start("step", 1)

    def run_or_pause(self) -> bool:
        """Run the remaining steps, or pause the run under way; True if a run started."""
        if self.worker.is_running():
            self.worker.pause()
            self._update_controls()
            return False
        return self._start("run", None)

    def reset(self) -> bool:
        """Back to the parameters at the start of the run, its steps forgotten; True if reset."""
        run = self._run
        if run is None or self.worker.is_running():
            return False
        self._end_phases()
        start = run.values_at(0)
        run.truncate(0)
        self._mirror.push(SetLeaves, self._session.document, start, "Reset the training to its start")
        self._position = 0
        self._loss_now = self._accuracy_now = None
        self.updates_shown.emit({})
        self._show_run()
        self._look(0)
        return True

    def go_to_step(self, step: int) -> None:
        """Show the parameters after `step` steps of the run (one undo step), as the slider does."""
        self.time_slider.setValue(step)
        self._commit_scrub()

    # ---- starting and following jobs -----------------------------------------------------------

    def _start(self, kind: str, steps: int | None) -> bool:
        if self._model is None:
            self._refresh_model()
        if self._problem:
            self._session.show_error(self._problem)
            return False
        self._commit_scrub()
        self._end_phases()
        run = self._current_run()
        if self._position is not None and self._position < run.done:
            run.truncate(self._position)  # training goes on from the step shown: a new branch
        if run.finished:
            run = self._new_run()
        first = run.done
        last = run.steps if steps is None else min(run.steps, first + steps)
        assert self._model is not None
        self._before = run.values_at(first)
        self._first = first
        self._job_kind = kind
        job = TrainingJob(self._model, run.latest, first, last, run.stride, self._grid)
        self._job = self.worker.start(job)
        self._position = first
        self._update_controls()
        return True

    def _current_run(self) -> TrainingRun:
        run, roles = self._run, self._roles
        assert roles is not None
        if run is None or self._position is None or run.names != roles.parameters:
            return self._new_run()
        return run

    def _new_run(self) -> TrainingRun:
        assert self._roles is not None
        names = self._roles.parameters
        self._run = TrainingRun(names, self._parameters_now(), self._session.document.training.steps)
        self._position = 0
        self._loss_now = self._accuracy_now = None
        return self._run

    def _parameters_now(self) -> np.ndarray:
        document = self._session.document
        names = self._roles.parameters if self._roles is not None else ()
        return np.array([document.data(n) for n in names], dtype=float)

    def _look(self, step: int) -> None:
        """Evaluate the run's step `step` (its decision picture and loss) on the worker."""
        if self._model is None or self._run is None or self.worker.is_running():
            return
        start = self._run.parameters_at(step)
        self._job_kind = "look"
        self._job = self.worker.start(TrainingJob(self._model, start, step, step, 1, self._grid))

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.job != self._job:
            return
        kind = self._job_kind
        if kind == "look":
            self._show_look(snapshot)
            return
        if kind == "phases":
            self._phase_snapshot = snapshot
            if snapshot.error:
                self._fail(snapshot.error)
            self._update_controls()
            return
        assert self._run is not None
        self._run.record(snapshot.steps)
        self._latest = snapshot
        if snapshot.finished:
            self._finish_steps()
        elif not self._showing_soon:
            self._showing_soon = True
            QTimer.singleShot(0, self, self._show_latest)

    def _show_latest(self, last: bool = False) -> None:
        """Show the newest state of the run under way (snapshots that came meanwhile are in the run):
        the plots at every frame, the workspace at most every DOCUMENT_SECONDS, and for the `last`
        not at all (its undo step puts the parameters in)."""
        self._showing_soon = False
        snapshot, self._latest = self._latest, None
        if snapshot is None or self._run is None or snapshot.job != self._job:
            return
        self.worker.hold()  # the frame, and the repaints it brings, have the interpreter to themselves
        run = self._run
        self._loss_now, self._accuracy_now = snapshot.loss, snapshot.accuracy
        self._position = run.done
        now = time.perf_counter()
        if not last and now - self._shown_at >= DOCUMENT_SECONDS:
            self._shown_at = now
            if not self._show_parameters(run.latest):
                self.worker.pause()
        if snapshot.image is not None:
            self.decision_plot.show_outputs(snapshot.image)
        self._emit_updates(run.updates)
        self._show_run()
        QTimer.singleShot(0, self, self.worker.release)  # posted after the repaints the frame asked for

    def _finish_steps(self) -> None:
        """The job is over (done, paused or failed): show where it got and make its undo step."""
        snapshot = self._latest
        self._show_latest(last=True)
        self._job = None
        run = self._run
        if run is not None and self._before is not None and run.done > self._first:
            count = run.done - self._first
            text = f"Train step {run.done}" if count == 1 else f"Train {count} steps"
            self._mirror.show_row()
            self._mirror.push(SetLeaves, self._session.document, run.values_at(run.done), text, self._before)
            self._mirror.show_grads()
        self._before = None
        if snapshot is not None and snapshot.error:
            self._fail(snapshot.error)
        elif run is not None and run.finished:
            self._say(self._summary(run))
        self._update_controls()

    def _summary(self, run: TrainingRun) -> str:
        accuracy = "" if self._accuracy_now is None else f", accuracy {self._accuracy_now:.0%}"
        loss = "" if self._loss_now is None else f": loss {format_decimals(self._loss_now)}"
        tints = "In the graph, green: the last step raised a parameter, red: lowered it."
        return f"Trained {run.done} steps{loss}{accuracy}. The slider goes back through them. {tints}"

    def _show_look(self, snapshot: Snapshot) -> None:
        self._job = None
        if snapshot.error:
            self._fail(snapshot.error)
            return
        if snapshot.image is not None:
            self.decision_plot.show_outputs(snapshot.image)
        run = self._run
        if run is None or self._position == run.done:  # else the run has that step's loss
            self._loss_now, self._accuracy_now = snapshot.loss, snapshot.accuracy
        self._show_numbers()

    def _fail(self, message: str) -> None:
        self._session.show_error(message)
        self._say(message)

    # ---- the workspace follows -------------------------------------------------------------------

    def _show_parameters(self, values: np.ndarray, grads: bool = True) -> bool:
        """Put `values` in the workspace's parameters (see TrainingMirror); False if refused."""
        return self._roles is not None and self._mirror.show_parameters(self._roles.parameters, values, grads)

    def _emit_updates(self, updates: np.ndarray | None) -> None:
        names = self._roles.parameters if self._roles is not None else ()
        if updates is None or len(updates) != len(names):
            self.updates_shown.emit({})
        else:
            self.updates_shown.emit(dict(zip(names, (float(u) for u in updates))))

    def _on_about_to_push(self, command: object) -> None:
        """A change is coming from elsewhere: a run under way stops first and makes its undo step."""
        if self._mirror.applying or isinstance(command, ShowRow) or not self.worker.is_running():
            return
        self.worker.pause()
        self._finish_steps()  # at what has come in: the job's later snapshots are dropped

    def _on_document_changed(self, change: Change) -> None:
        if self._mirror.applying:
            return
        document = self._session.document
        model_changed = change.structure or change.training or change.replaced or document.data_table is not self._table
        if self.worker.is_running():
            if change.data and not model_changed and document.shown_row is not None:
                return  # another row shown: the next frame shows it
            self.worker.pause()
            self._job = None
            QTimer.singleShot(0, self, self._record_interrupted)
        if model_changed:
            self._model = None
            self._refresh_model()
        else:
            self._follow_workspace()

    def _record_interrupted(self) -> None:
        """The undo step of a run that a change from elsewhere (an undo, a redo) stopped."""
        run, before = self._run, self._before
        self._before = None
        if run is None or before is None or run.done <= self._first:
            self._update_controls()
            return
        document = self._session.document
        kept = {n: v for n, v in run.values_at(run.done).items() if n in document and n in before}
        try:
            document.check_leaves(kept)
        except DocumentError:
            self._update_controls()
            return
        self._mirror.push(SetLeaves, document, kept, f"Train {run.done - self._first} steps", before)
        self._follow_workspace()

    def _follow_workspace(self) -> None:
        """Find the run's step whose parameters the workspace holds (an undo or a redo went there)."""
        run = self._run
        if run is None or self._roles is None or self.worker.is_running():
            self._update_controls()
            return
        document = self._session.document
        known = all(n in document for n in run.names)
        self._position = run.find({n: document.data(n) for n in run.names}) if known else None
        if self._position is None:
            self.updates_shown.emit({})
        self._show_run()

    def _forget_run(self) -> None:
        self.worker.pause()
        self._job, self._run, self._position, self._before = None, None, None, None
        self._loss_now = self._accuracy_now = None
        self._end_phases()
        self.updates_shown.emit({})
        self._model = None
        self._refresh_model()

    def _refresh_model(self) -> None:
        """Read what training needs from the workspace: its roles, or why it cannot train."""
        document = self._session.document
        self._table = document.data_table
        self._end_phases()
        try:
            roles = training_roles(document.definitions, document.data_table, document.training, document.groups)
            if not roles.parameters:
                raise TrainingError("Nothing to train: every leaf is a data column or a constant")
        except TrainingError as error:
            self._roles, self._problem, self._model = None, sentence(str(error)), None
            self._run, self._position = None, None
        else:
            self._problem = ""
            if self._roles is None or roles.parameters != self._roles.parameters:
                self._run, self._position = None, None
            self._roles = roles
            if self._model is None:
                self._models += 1
                assert document.data_table is not None
                self._model = Model(
                    self._models, document.definitions, document.data_table, document.training, document.groups
                )
            if self._run is not None and self._run.steps != document.training.steps:
                self._run, self._position = None, None
        self._set_grid()
        self._say(self._problem)
        self._show_run()
        if self._roles is not None and not self.worker.is_running():
            if self._run is None:
                self._new_run()
            self._follow_workspace()
            if self._position is not None:
                self._look(self._position)

    def _set_grid(self) -> None:
        table, roles = self._session.document.data_table, self._roles
        if roles is None or table is None:
            self._grid = self.decision_plot.show_model(None, (), (), self._problem or "No model to picture yet")
        else:
            self._grid = self.decision_plot.show_model(table, roles.inputs, roles.targets)

    # ---- phases -----------------------------------------------------------------------------------

    def _next_phase(self) -> bool:
        if self._phase == 0:
            if not self._start("phases", 1):
                return False
            self._phase_snapshot = None
            self._phase = 1
            self._show_forward()
        elif self._phase_snapshot is None:
            return False
        elif self._phase == 1:
            self._phase = 2
            self._show_phase_loss(self._phase_snapshot)
        elif self._phase == 2:
            self._phase = 3
            self._show_backward()
        else:
            snapshot, self._phase_snapshot = self._phase_snapshot, None
            self._phase = 0
            self._job_kind = "step"
            self._on_snapshot(snapshot)
            self._say(update_text(snapshot.steps.learning_rates[0]))
        self._update_controls()
        return True

    def _rows(self) -> int:
        table = self._session.document.data_table
        return len(table.rows) if table is not None else 0

    def _show_forward(self) -> None:
        self._show_parameters(self._run.latest if self._run is not None else self._parameters_now(), grads=False)
        self._say(forward_text(self._mirror.row_index(), self._rows()))

    def _show_phase_loss(self, snapshot: Snapshot) -> None:
        document = self._session.document
        settings = document.training
        loss = snapshot.steps.losses[0] if snapshot.steps.losses else float("nan")
        row_loss = document.data(settings.loss) if settings.loss and settings.loss in document else float("nan")
        self.loss_label.setText(f"loss {format_decimals(loss)}")
        self._say(loss_text(settings, self._rows(), loss, row_loss))

    def _show_backward(self) -> None:
        self._show_parameters(self._run.latest if self._run is not None else self._parameters_now())
        self._say(backward_text(self._session.document.training.loss))

    def _end_phases(self) -> None:
        if self._phase:
            self._phase, self._phase_snapshot = 0, None
            if self._job_kind == "phases":
                self._job = None
            self._say("")

    def _on_phases_toggled(self, on: bool) -> None:
        self._end_phases()
        self.step_button.setText("Step: forward" if on else "Step")
        self._update_controls()

    # ---- the time slider -------------------------------------------------------------------------

    def _on_slider_moved(self, value: int) -> None:
        run = self._run
        if run is None or self.worker.is_running():
            return
        step = run.position(value)
        if step != value:
            with QSignalBlocker(self.time_slider):
                self.time_slider.setValue(step)
        if self._scrub_before is None:
            document = self._session.document
            self._scrub_before = {n: document.data(n) for n in run.names if n in document}
        self._end_phases()
        self._position = step
        self._show_parameters(run.parameters_at(step))
        previous = run.position(step - 1) if step else None
        if previous is not None and previous == step - 1:
            self._emit_updates(run.parameters_at(step) - run.parameters_at(previous))
        else:
            self.updates_shown.emit({})
        self._show_run()
        self._look(step)
        if not self.time_slider.isSliderDown():
            self._commit_scrub()

    def _commit_scrub(self) -> None:
        """The slider's move is one undo step, from where it started to where it stopped."""
        before, self._scrub_before = self._scrub_before, None
        run, step = self._run, self._position
        if before is None or run is None or step is None:
            return
        self._mirror.push(SetLeaves, self._session.document, run.values_at(step), f"Go to training step {step}", before)
        self._mirror.show_grads()

    # ---- showing -----------------------------------------------------------------------------------

    def _show_run(self) -> None:
        run = self._run
        self.loss_plot.show_losses(run.losses if run is not None else [])
        with QSignalBlocker(self.time_slider):
            self.time_slider.setRange(0, run.done if run is not None else 0)
            self.time_slider.setSingleStep(run.stride if run is not None else 1)
            self.time_slider.setPageStep(max(1, (run.done if run is not None else 0) // 10))
            if self._position is not None:
                self.time_slider.setValue(self._position)
        self._show_numbers()
        self._update_controls()

    def _show_numbers(self) -> None:
        run, step = self._run, self._position
        steps = self._session.document.training.steps
        if run is None or step is None:
            self.step_label.setText("Step –" if self._roles is not None else "")
            self.loss_label.setText("")
            self.accuracy_label.setText("")
            self.loss_plot.show_marker(None, None)
            return
        loss: float | None
        if step < run.done:
            loss, accuracy = run.losses[step], run.accuracies[step]
        else:
            loss, accuracy = self._loss_now, self._accuracy_now
        self.step_label.setText(f"Step {step:,} of {run.steps:,}" if run.steps == steps else f"Step {step:,}")
        self.loss_label.setText("loss –" if loss is None else f"loss {format_decimals(loss)}")
        self.accuracy_label.setText("" if accuracy is None else f"accuracy {accuracy:.0%}")
        self.loss_plot.show_marker(step, loss)

    def _say(self, text: str) -> None:
        self.controls.say(text)

    def _update_controls(self) -> None:
        running, trainable = self.worker.is_running(), not self._problem
        waiting = self._phase > 0 and self._phase_snapshot is None
        self.step_button.setEnabled(trainable and not running and not waiting)
        if self.phases_box.isChecked():
            self.step_button.setText(f"Step: {PHASES[self._phase]}")
        self.run_button.setEnabled(trainable)
        self.run_button.setText("Pause" if running else "Run")
        back = trainable and not running and self._run is not None and self._run.done > 0
        self.reset_button.setEnabled(back)
        self.time_slider.setEnabled(back)
        self.settings_form.set_editable(not running)
        self.loss_builder.setEnabled(not running)
        self.phases_box.setEnabled(not running)

    # ---- Qt overrides ----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Wide (a dock under the graph): controls, then the two plots side by side. Narrow (a dock
        # beside the graph, and the start: a dock asks for the narrow minimum width): all stacked.
        wide = self.width() >= WIDE
        across, down = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        self._outer.setDirection(across if wide else down)
        self._plots.setDirection(across if wide or self.width() > self.height() else down)
        self.controls.setMaximumWidth(self.controls.widest if wide else 16_777_215)
        tall = QSizePolicy.Policy.Preferred if wide else QSizePolicy.Policy.Maximum  # stacked: the plots get the rest
        self.controls.setSizePolicy(QSizePolicy.Policy.Preferred, tall)
