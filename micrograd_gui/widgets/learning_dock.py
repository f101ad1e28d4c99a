"""The Learn dock: the Step through, Gradient check, Predict, Why this grad? and Bug lab tabs, under the graph."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QPushButton, QTabWidget, QWidget

from micrograd_gui import shortcuts
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.bug_lab_panel import BugLabPanel
from micrograd_gui.widgets.grad_check_panel import GradCheckPanel
from micrograd_gui.widgets.grad_paths_panel import GradPathsPanel
from micrograd_gui.widgets.predict_panel import PredictPanel
from micrograd_gui.widgets.step_through_panel import StepThroughPanel

DOCK_HEIGHT = 200  # the dock's first height: the last step's explanation shows whole, the graph keeps the room


class LearningDock(QDockWidget):
    """A compact dock (`learningDock`, titled Learn) with its tabs in `tabs` (`learningTabs`):
    Step through (`step_through`), Gradient check (`grad_check`), Predict (`predict`),
    Why this grad? (`grad_paths`, explaining the value `selected_name()` names) and
    Bug lab (`bug_lab`).

    `highlight_changed(active, visited)` relays the step-through's and Predict mode's marks for the
    picture (the value at hand, and those done).

    `menu_actions()` are the window's Learn menu: each presses one of the tabs' buttons, with a
    keyboard shortcut that works wherever the focus is (the buttons' tooltips name it).

    Predict mode and the bug lab each show the grads their own way, so while one is on the
    tools that would show other grads are off: Predict mode turns every other tab off (their
    numbers would give the answers away); a bug turns the step-through and Predict off.
    """

    highlight_changed = Signal(object, list)

    def __init__(
        self,
        session: WorkspaceSession,
        root_choice: QComboBox,
        selected_name: Callable[[], str] = lambda: "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Learn", parent)
        self.setObjectName("learningDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.step_through = StepThroughPanel(session, root_choice)
        self.grad_check = GradCheckPanel(session, root_choice)
        self.predict = PredictPanel(session, root_choice)
        self.grad_paths = GradPathsPanel(session, root_choice, selected_name)
        self.bug_lab = BugLabPanel(session, root_choice)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("learningTabs")
        self.tabs.setDocumentMode(True)
        tabs = (
            (
                self.step_through,
                "Step through backward",
                "Walk the backward pass one node at a time, with the chain-rule arithmetic",
            ),
            (self.grad_check, "Gradient check", "Compare backward's grads with finite differences"),
            (self.predict, "Predict", "Guess each grad before it is revealed"),
            (self.grad_paths, "Why this grad?", "Every path from the root to a value: the products add up to its grad"),
            (self.bug_lab, "Bug lab", "Run backward with a classic mistake and see what it changes"),
        )
        for index, (panel, title, tip) in enumerate(tabs):
            self.tabs.addTab(panel, title)
            self.tabs.setTabToolTip(index, tip)
        self.setWidget(self.tabs)

        # Whichever tool just acted shows its tab: a step or a check started elsewhere is seen.
        self.step_through.step_shown.connect(self._on_step_shown)
        self.grad_check.check_finished.connect(self._on_check_finished)
        self.predict.mode_changed.connect(self._on_predict_mode)
        self.bug_lab.bug_changed.connect(self._on_bug_changed)
        self.step_through.highlight_changed.connect(self.highlight_changed)
        self.predict.highlight_changed.connect(self.highlight_changed)
        self.grad_paths.explained.connect(lambda: self.tabs.setCurrentWidget(self.grad_paths))

        panel = self.step_through
        self._actions = [
            self._pressing(panel.step_button, "&Step backward", "actionStep", shortcuts.STEP),
            self._pressing(panel.back_button, "Step &back", "actionStepBack", shortcuts.STEP_BACK),
            self._pressing(panel.play_button, "&Play / Pause", "actionStepPlay", shortcuts.PLAY),
            self._pressing(panel.reset_button, "&Reset the step-through", "actionStepReset", shortcuts.RESET_STEPS),
            None,
            self._pressing(
                self.grad_check.check_button, "&Check gradients", "actionCheckGradients", shortcuts.CHECK_GRADIENTS
            ),
            None,
            self._pressing(self.predict.mode_button, "P&redict mode", "actionPredictMode", shortcuts.PREDICT_MODE),
            self._pressing(
                self.grad_paths.explain_button, "&Why this grad?", "actionExplainGrad", shortcuts.EXPLAIN_GRAD
            ),
        ]

    def menu_actions(self) -> list[QAction | None]:
        """The Learn menu's items, in order (None for a separator)."""
        return list(self._actions)

    def _pressing(self, button: QPushButton, text: str, object_name: str, key: str) -> QAction:
        """An action that presses `button` (when it is enabled), with shortcut `key`."""
        action = QAction(text, self)
        action.setObjectName(object_name)
        sequence = QKeySequence(key)
        action.setShortcut(sequence)
        action.setToolTip(button.toolTip())
        action.triggered.connect(lambda: button.click() if button.isEnabled() else None)
        shown = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{button.toolTip()} ({shown})")
        return action

    def _on_step_shown(self, number: int) -> None:
        if number:
            self.tabs.setCurrentWidget(self.step_through)

    def _on_check_finished(self, summary: str) -> None:
        self.tabs.setCurrentWidget(self.grad_check)

    def _on_predict_mode(self, on: bool) -> None:
        if on:
            self.step_through.reset()
            self.bug_lab.choose("none")
            self.tabs.setCurrentWidget(self.predict)
        for panel in (self.step_through, self.grad_check, self.grad_paths, self.bug_lab):
            self.tabs.setTabEnabled(self.tabs.indexOf(panel), not on)

    def _on_bug_changed(self, on: bool) -> None:
        if on:
            self.step_through.reset()
            self.predict.set_mode(False)
        for panel in (self.step_through, self.predict):
            self.tabs.setTabEnabled(self.tabs.indexOf(panel), not on)
