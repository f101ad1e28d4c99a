"""The Learn dock: the Step through and Gradient check tabs, under the graph."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QPushButton, QTabWidget, QWidget

from micrograd_gui import shortcuts
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.grad_check_panel import GradCheckPanel
from micrograd_gui.widgets.step_through_panel import StepThroughPanel

DOCK_HEIGHT = 200  # the dock's first height: the last step's explanation shows whole, the graph keeps the room


class LearningDock(QDockWidget):
    """A compact dock (`learningDock`, titled Learn) with two tabs in `tabs` (`learningTabs`):
    Step through (`step_through`) and Gradient check (`grad_check`).

    `menu_actions()` are the window's Learn menu: each presses one of the tabs' buttons, with a
    keyboard shortcut that works wherever the focus is (the buttons' tooltips name it)."""

    def __init__(self, session: WorkspaceSession, root_choice: QComboBox, parent: QWidget | None = None) -> None:
        super().__init__("Learn", parent)
        self.setObjectName("learningDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.step_through = StepThroughPanel(session, root_choice)
        self.grad_check = GradCheckPanel(session, root_choice)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("learningTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.step_through, "Step through backward")
        self.tabs.addTab(self.grad_check, "Gradient check")
        self.tabs.setTabToolTip(0, "Walk the backward pass one node at a time, with the chain-rule arithmetic")
        self.tabs.setTabToolTip(1, "Compare backward's grads with finite differences")
        self.setWidget(self.tabs)

        # Whichever tool just acted shows its tab: a step or a check started elsewhere is seen.
        self.step_through.step_shown.connect(self._on_step_shown)
        self.grad_check.check_finished.connect(self._on_check_finished)

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
