"""Training in the main window: the moons example trains from its Train panel, the picture tints the
parameters, and training_history() gives the losses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTabWidget

from micrograd_gui.widgets.train_panel import TrainPanel

MOONS = Path(__file__).resolve().parents[2] / "resources" / "examples" / "moons_net.json"


def train_panel(window) -> TrainPanel:
    """The window's Train panel, shown (its dock open, its tab chosen); a dock of its own where the
    window has none."""
    panel = window.findChild(TrainPanel)
    if panel is None:
        panel = TrainPanel(window.session)
        dock = QDockWidget("Train", window)
        dock.setObjectName("testTrainDock")
        dock.setWidget(panel)
        window.add_dock(dock, Qt.DockWidgetArea.RightDockWidgetArea)
        panel.updates_shown.connect(window.graph_view.show_updates)
    holder = panel.parentWidget()
    while holder is not None:
        if isinstance(holder, QTabWidget):
            holder.setCurrentWidget(panel)
        if isinstance(holder, QDockWidget):
            holder.show()
        holder = holder.parentWidget()
    return panel


def test_training_history_is_the_losses_of_the_steps_done(qtbot, window):
    """Before training the history is empty; after Run, it is the run's 100 losses, oldest first, the
    first the demo's 0.8958441028683222."""
    assert window.training_history() == []
    assert window.open_workspace(MOONS)
    panel = train_panel(window)
    qtbot.waitUntil(lambda: not window.graph_view.is_busy() and panel._job is None, timeout=60_000)
    window.findChild(type(panel.run_button), "trainRunButton").click()
    qtbot.waitUntil(lambda: not panel.is_running() and panel._job is None, timeout=60_000)
    history = window.training_history()
    assert len(history) == 100 and history == panel.history()
    assert abs(history[0] - 0.8958441028683222) < 1e-12
    assert window.errors == []


def test_the_contract_names_are_found_in_the_window(qtbot, window):
    """trainStepButton, trainRunButton, learningRate, trainSteps, lossPlot and decisionPlot are there."""
    train_panel(window)
    from PySide6.QtWidgets import QWidget

    for name in ("trainStepButton", "trainRunButton", "learningRate", "trainSteps", "lossPlot", "decisionPlot"):
        assert window.findChild(QWidget, name) is not None, name
