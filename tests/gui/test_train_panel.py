"""The Train panel on a session alone: steps, runs, pause, reset, time travel, undo, settings, messages."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from micrograd_gui.commands import AddDefinitions, SetLeafData
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition
from micrograd_gui.expression import parse_expression
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.trainer import Trainer
from micrograd_gui.widgets.train_panel import TrainPanel
from micrograd_gui.workspace_file import apply_workspace, read_workspace
from tests.gui.training_workspaces import MLP, moons_document
from tests.workspaces import LECTURE, NEURON

WAIT_MS = 60_000


@pytest.fixture
def panel(qtbot):
    """A shown Train panel over a session of its own; the session's errors are in `panel.errors`."""
    host = QWidget()
    qtbot.addWidget(host)
    session = WorkspaceSession(host)
    panel = TrainPanel(session, host)
    panel.errors = []
    session.error_shown.connect(panel.errors.append)
    panel.session = session
    host.resize(1100, 420)
    panel.resize(1100, 420)
    host.show()
    yield panel  # the host, and with it the panel, lives until the test ends


def settle(qtbot, panel: TrainPanel) -> None:
    """Wait until nothing is running and the last job's answer is in."""
    qtbot.waitUntil(lambda: not panel.is_running() and panel._job is None, timeout=WAIT_MS)


def parameters(panel: TrainPanel) -> dict[str, float]:
    document = panel.session.document
    return {name: document.data(name) for name in document.parameters()}


def moons(panel: TrainPanel, qtbot, steps: int | None = None) -> None:
    moons_document(panel.session.document, steps)
    settle(qtbot, panel)


def reference(panel: TrainPanel, steps: int) -> tuple[list[float], dict[str, float]]:
    """The losses and the parameters a trainer of its own gives after `steps` steps from the workspace now."""
    document = panel.session.document
    trainer = Trainer(document.definitions, document.data_table, document.training)
    losses = [trainer.step(k).loss for k in range(steps)]
    return losses, trainer.parameter_values()


def test_step_once_changes_the_parameters_as_the_trainer_says(panel, qtbot):
    """One Step: its loss is the trainer's step-0 loss, and the workspace holds the trainer's new parameters."""
    moons(panel, qtbot)
    losses, expected = reference(panel, 1)
    panel.step_button.click()
    settle(qtbot, panel)
    assert panel.history() == losses
    assert parameters(panel) == pytest.approx(expected, rel=0, abs=0)
    assert panel.session.undo_stack.text(panel.session.undo_stack.index() - 1) == "Train step 1"
    assert panel.step_label.text() == "Step 1 of 100"


def test_run_trains_the_moons_to_95_percent_and_stops(panel, qtbot):
    """Run takes the workspace's 100 steps live, then stops, at 95% accuracy or more, as one undo step."""
    moons(panel, qtbot)
    before = panel.session.undo_stack.count()
    panel.run_button.click()
    assert panel.run_button.text() == "Pause"
    assert not panel.settings_form.learning_rate.isEnabled()
    settle(qtbot, panel)
    assert len(panel.history()) == 100
    assert panel.run_button.text() == "Run"
    assert panel.run().accuracies[-1] >= 0.95
    accuracy = float(panel.accuracy_label.text().removeprefix("accuracy ").removesuffix("%"))
    assert accuracy >= 95
    assert panel.session.undo_stack.count() == before + 1
    assert panel.session.undo_stack.text(before) == "Train 100 steps"
    assert panel.loss_plot.losses() == panel.history()
    assert panel.history()[-1] < panel.history()[0] / 10
    image = panel.decision_plot.shown_image()
    assert image is not None and image.shape == (60, 60) and (image > 0).any() and (image < 0).any()


def test_pause_stops_the_run_where_it_is(panel, qtbot):
    """Pause stops a long run at once; the workspace holds the parameters of the last step done."""
    moons(panel, qtbot, steps=100_000)
    panel.run_button.click()
    qtbot.waitUntil(lambda: len(panel.history()) >= 3, timeout=WAIT_MS)
    panel.run_button.click()
    assert panel.run_button.text() == "Run"
    settle(qtbot, panel)
    done = len(panel.history())
    assert 3 <= done < 100_000
    assert panel.session.undo_stack.text(panel.session.undo_stack.index() - 1) == f"Train {done} steps"
    assert parameters(panel) == panel.run().values_at(done)
    assert panel.position() == done


def test_reset_replays_the_same_losses(panel, qtbot):
    """Reset goes back to the start; Run then gives the very same losses again."""
    moons(panel, qtbot, steps=20)
    start = parameters(panel)
    panel.run_button.click()
    settle(qtbot, panel)
    first = panel.history()
    assert len(first) == 20
    panel.reset_button.click()
    assert parameters(panel) == start
    assert panel.history() == []
    settle(qtbot, panel)
    panel.run_button.click()
    settle(qtbot, panel)
    assert panel.history() == first


def test_undo_after_a_run_returns_the_parameters(panel, qtbot):
    """Undo of a run puts back the parameters before it (the slider goes to step 0); redo the trained ones."""
    moons(panel, qtbot, steps=10)
    start = parameters(panel)
    panel.run_button.click()
    settle(qtbot, panel)
    trained = parameters(panel)
    assert trained != start
    panel.session.undo_stack.undo()
    assert parameters(panel) == start
    assert panel.position() == 0
    panel.session.undo_stack.redo()
    assert parameters(panel) == trained
    assert panel.position() == 10


def test_the_time_slider_restores_step_k(panel, qtbot):
    """Moving the slider to step 4 puts step 4's parameters back (as a trainer of its own gets them), as one
    undo step; the loss plot marks step 4."""
    moons(panel, qtbot, steps=10)
    _, expected = reference(panel, 4)
    panel.run_button.click()
    settle(qtbot, panel)
    panel.go_to_step(4)
    assert parameters(panel) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert panel.position() == 4
    assert panel.loss_plot.marker() == 4
    assert panel.loss_label.text() == f"loss {panel.history()[4]:.4f}"
    assert panel.session.undo_stack.text(panel.session.undo_stack.index() - 1) == "Go to training step 4"
    panel.session.undo_stack.undo()
    assert panel.position() == 10


def test_training_from_a_past_step_goes_on_from_there(panel, qtbot):
    """Step after going back to step 3 forgets steps 4 on and trains from step 3's parameters."""
    moons(panel, qtbot, steps=10)
    panel.run_button.click()
    settle(qtbot, panel)
    losses = panel.history()
    panel.go_to_step(3)
    panel.step_button.click()
    settle(qtbot, panel)
    assert panel.history() == losses[:4]


def test_settings_edits_are_undoable(panel, qtbot):
    """The learning rate, the steps and the reduction each change in one undo step, and undo shows."""
    moons(panel, qtbot)
    form = panel.settings_form
    document = panel.session.document
    form.learning_rate.setValue(0.5)
    form.steps.setValue(40)
    form.reduce.setCurrentIndex(0)
    form.reduce.activated.emit(0)
    assert (document.training.learning_rate, document.training.steps, document.training.reduce) == (0.5, 40, "sum")
    assert panel.step_label.text() == "Step 0 of 40"
    panel.session.undo_stack.undo()
    assert document.training.reduce == "mean" and form.reduce.currentText() == "mean"
    panel.session.undo_stack.undo()
    assert document.training.steps == 100 and form.steps.value() == 100
    panel.session.undo_stack.undo()
    assert document.training.learning_rate == 1.0 and form.learning_rate.value() == 1.0


def test_a_workspace_without_data_or_loss_says_so_and_disables_training(panel, qtbot):
    """No data: a message says what is missing and Step, Run and Reset are off; with data but no loss, it
    asks for a loss."""
    session = panel.session
    session.push(AddDefinitions, session.document, LECTURE)
    assert "data" in panel.message.text().lower()
    for button in (panel.step_button, panel.run_button, panel.reset_button):
        assert not button.isEnabled()
    assert panel.step() is False
    session.document.set_data(DataTable.of(("a", "b"), [(1.0, 2.0)]))
    assert "loss" in panel.message.text().lower()
    assert not panel.run_button.isEnabled()
    session.document.set_training(TrainingSettings(loss="L"))
    assert panel.message.text() == ""
    assert panel.run_button.isEnabled() and panel.step_button.isEnabled()


def test_a_built_loss_is_one_undo_step(panel, qtbot):
    """Making the squared error of the neuron's o against a column y creates the loss value and trains it;
    one undo takes both back."""
    session = panel.session
    session.push(AddDefinitions, session.document, [*NEURON, Definition("y", data=1.0)])
    session.document.set_data(DataTable.of(("x1", "x2", "y"), [(1.0, 0.5, 1.0), (-1.0, 0.0, -1.0)]))
    builder = panel.loss_builder
    assert builder.output.currentText() == "o" and builder.target.currentText() == "y"
    count = session.undo_stack.count()
    assert builder.build()
    document = session.document
    assert document.training.loss == "loss"
    assert "loss" in document and session.undo_stack.count() == count + 1
    assert all(document.definition(n).constant for n in document.names if n.startswith("k"))
    assert panel.problem() == ""
    session.undo_stack.undo()
    assert "loss" not in document and document.training.loss is None


def test_phases_show_forward_loss_backward_update(panel, qtbot):
    """With phases shown, four clicks make one step: forward, loss (the trainer's), backward (the row's
    grads), update (the trainer's parameters)."""
    moons(panel, qtbot)
    losses, expected = reference(panel, 1)
    panel.phases_box.setChecked(True)
    document = panel.session.document
    panel.step_button.click()
    assert panel.message.text().startswith("Forward")
    qtbot.waitUntil(lambda: panel.step_button.isEnabled(), timeout=WAIT_MS)
    assert panel.step_button.text() == "Step: loss"
    panel.step_button.click()
    assert panel.message.text().startswith("Loss") and f"{losses[0]:.4f}" in panel.message.text()
    panel.step_button.click()
    assert panel.message.text().startswith("Backward")
    assert document.backward_root == "loss" and not document.grads_stale
    assert panel.history() == []
    panel.step_button.click()
    assert panel.message.text().startswith("Update")
    assert panel.history() == losses
    assert parameters(panel) == expected
    assert panel.step_button.text() == "Step: forward"


def test_a_change_elsewhere_stops_the_run_in_its_own_undo_step(panel, qtbot):
    """An edit pushed while a run is under way stops it; the steps done are one undo step before the edit."""
    moons(panel, qtbot, steps=100_000)
    session = panel.session
    panel.run_button.click()
    qtbot.waitUntil(lambda: len(panel.history()) >= 2, timeout=WAIT_MS)
    session.push(SetLeafData, session.document, "o_n1_1_w1", 0.25)
    assert not panel.is_running()
    stack = session.undo_stack
    assert stack.text(stack.index() - 1) == "Set o_n1_1_w1 to 0.25"
    assert stack.text(stack.index() - 2).startswith("Train ")
    settle(qtbot, panel)
    assert session.document.data("o_n1_1_w1") == 0.25


def test_the_decision_picture_needs_two_inputs(panel, qtbot):
    """A model of three inputs gets a message in place of the decision picture; the moons, a picture."""
    session = panel.session
    leaves = [Definition(n, data=0.5) for n in ("x1", "x2", "x3", "w1", "w2", "w3", "b", "y")]
    session.push(AddDefinitions, session.document, leaves)
    text = "loss = (tanh(x1*w1 + x2*w2 + x3*w3 + b) - y)**2"
    session.push(AddDefinitions, session.document, parse_expression(text, session.document))
    session.document.set_data(DataTable.of(("x1", "x2", "x3", "y"), [(1.0, 0.5, 2.0, 1.0)]))
    session.document.set_training(TrainingSettings(loss="loss"))
    assert panel.problem() == ""
    assert panel.decision_plot.grid() is None
    assert "two inputs" in panel.decision_plot.message.text()
    moons(panel, qtbot)
    assert panel.decision_plot.grid() is not None
    assert panel.decision_plot.message.isHidden()


def test_updates_tint_the_parameters(panel, qtbot):
    """After a step the panel reports each parameter's update (its sign and size) for the picture."""
    moons(panel, qtbot)
    shown = []
    panel.updates_shown.connect(shown.append)
    before = parameters(panel)
    panel.step_button.click()
    settle(qtbot, panel)
    after = parameters(panel)
    updates = shown[-1]
    assert set(updates) == set(before)
    assert updates == pytest.approx({n: after[n] - before[n] for n in before}, rel=1e-9, abs=1e-15)
    assert np.any(np.array(list(updates.values())) != 0)


def test_the_lecture_mlp_trains_with_its_loss_falling(panel, qtbot):
    """mlp.json (the lecture's MLP over its four rows, sum of squared errors, 20 steps of 0.05): Run
    gives the trainer's losses, falling as in the lecture."""
    apply_workspace(panel.session.document, read_workspace(MLP))
    settle(qtbot, panel)
    losses, expected = reference(panel, 20)
    panel.run_button.click()
    settle(qtbot, panel)
    assert panel.history() == losses
    assert parameters(panel) == expected
    assert losses[-1] < losses[0] / 2
    assert panel.decision_plot.grid() is None  # three inputs


def test_the_plots_follow_a_dark_palette(panel, qtbot):
    """A dark palette paints both plots on its dark base."""
    from micrograd_gui.widgets.look_actions import dark_palette, light_palette

    panel.setPalette(dark_palette(light_palette()))
    for plot in (panel.loss_plot, panel.decision_plot):
        assert plot.backgroundBrush().color().lightness() < 60
    panel.setPalette(light_palette())
    assert panel.loss_plot.backgroundBrush().color().lightness() > 200
