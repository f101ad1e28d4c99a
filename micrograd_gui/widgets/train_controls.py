"""The Train panel's controls: the settings, the loss builders, Step / Run / Reset, the numbers of the
step shown, the time slider and a message, in a column that scrolls rather than squeezes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSlider, QVBoxLayout, QWidget

from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.loss_builder import LossBuilder
from micrograd_gui.widgets.training_settings_form import TrainingSettingsForm

WIDE_CONTROLS = 460  # the column's widest, beside the plots


class TrainControls(QScrollArea):
    """`settings_form`, `loss_builder`, `trainStepButton`, `trainPhases`, `trainRunButton`,
    `trainResetButton`, `trainStepLabel`, `trainLossLabel`, `trainAccuracyLabel`, `trainTimeSlider`
    and `trainMessage` (`say(text)`). Only the layout lives here: the Train panel connects them."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainControls")
        self.settings_form = TrainingSettingsForm(session)
        self.loss_builder = LossBuilder(session)
        self.step_button = self._button("Step", "trainStepButton", "One step of gradient descent over every row")
        self.phases_box = QCheckBox("Show phases")
        self.phases_box.setObjectName("trainPhases")
        self.phases_box.setToolTip("Step shows one phase per click: forward, loss, backward, update")
        self.run_button = self._button("Run", "trainRunButton", "Run the remaining steps live; press again to pause")
        self.run_button.setProperty("role", "primary")
        self.reset_button = self._button(
            "Reset", "trainResetButton", "Back to the parameters at the start of the run (Run replays it)"
        )
        self.step_label = self._label("trainStepLabel")
        self.loss_label = self._label("trainLossLabel")
        self.accuracy_label = self._label("trainAccuracyLabel")
        self.message = QLabel()
        self.message.setObjectName("trainMessage")
        self.message.setProperty("role", "hint")
        self.message.setWordWrap(True)
        self.time_slider = QSlider(Qt.Orientation.Horizontal)
        self.time_slider.setObjectName("trainTimeSlider")
        self.time_slider.setToolTip("Go back to any step of the run: its parameters, loss and picture")

        column_widget = QWidget()
        column = QVBoxLayout(column_widget)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(self.settings_form)
        column.addWidget(self.loss_builder)
        buttons = QHBoxLayout()
        for button in (self.step_button, self.run_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addWidget(self.phases_box)
        buttons.addStretch(1)
        column.addLayout(buttons)
        numbers = QHBoxLayout()
        for label in (self.step_label, self.loss_label, self.accuracy_label):
            numbers.addWidget(label, 1)
        column.addLayout(numbers)
        column.addWidget(self.time_slider)
        column.addWidget(self.message)
        column.addStretch(1)
        self.setWidget(column_widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields are Tab stops, the scroll area is not
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        least = column_widget.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(least)
        self.widest = max(WIDE_CONTROLS, least)

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def say(self, text: str) -> None:
        """Show `text` under the controls ('' for none)."""
        self.message.setText(text)
        self._fit_message()

    def _fit_message(self) -> None:
        """A wrapped label does not ask its scroll area for the height its lines need: tell it."""
        self.message.setMinimumHeight(max(0, self.message.heightForWidth(max(self.message.width(), 100))))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_message)  # once the label has its new width
