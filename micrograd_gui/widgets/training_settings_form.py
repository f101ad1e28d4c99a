"""The training settings as a form: the loss value, how rows combine, L2, the learning rates, the steps."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QSpinBox, QWidget

from micrograd_gui.commands import SetTraining
from micrograd_gui.dataset import MAX_STEPS, REDUCTIONS, DataError
from micrograd_gui.document import Change
from micrograd_gui.session import WorkspaceSession, sentence

RATE_LIMIT = 1_000.0


def computed_names(session: WorkspaceSession) -> list[str]:
    """The workspace's computed values, newest first (a loss is usually made last)."""
    return [d.name for d in reversed(session.document.definitions) if not d.is_leaf]


class TrainingSettingsForm(QWidget):
    """`trainLoss` (the per-row loss: a computed value), `trainReduce` (sum or mean over the rows),
    `trainL2`, `learningRate`, `finalLearningRate` (the rate falls linearly to it over the run) and
    `trainSteps`. Each edit is one undoable SetTraining; an undo shows here at once."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.loss = QComboBox()
        self.loss.setObjectName("trainLoss")
        self.loss.setPlaceholderText("choose the loss value")
        self.loss.setToolTip("The value that is each row's loss (computed once per data row)")
        self.loss.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.loss.setMinimumContentsLength(8)
        self.loss.setMaxVisibleItems(20)
        self.reduce = QComboBox()
        self.reduce.setObjectName("trainReduce")
        self.reduce.addItems(["sum", "mean"])
        self.reduce.setToolTip("How the rows' losses combine: their sum (the lecture) or their mean (micrograd's demo)")
        self.l2 = self._number("trainL2", 0.0, 1_000.0, 6, 0.0001, "L2: the total adds this times Σ parameter²")
        self.learning_rate = self._number(
            "learningRate", 0.0, RATE_LIMIT, 4, 0.01, "The learning rate of step 0: p -= rate × grad"
        )
        self.final_learning_rate = self._number(
            "finalLearningRate", 0.0, RATE_LIMIT, 4, 0.01, "The learning rate falls linearly to this by the last step"
        )
        self.steps = QSpinBox()
        self.steps.setObjectName("trainSteps")
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setKeyboardTracking(False)
        self.steps.setToolTip("How many steps Run takes")
        self.steps.setGroupSeparatorShown(True)

        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("&Loss", self.loss)
        layout.addRow("Rows &combine by", self.reduce)
        layout.addRow("L&2", self.l2)
        rates = QHBoxLayout()
        rates.addWidget(self.learning_rate, 1)
        rates.addWidget(QLabel("→"))
        rates.addWidget(self.final_learning_rate, 1)
        rates_label = QLabel("Learning &rate")
        rates_label.setBuddy(self.learning_rate)
        layout.addRow(rates_label, rates)
        layout.addRow("S&teps", self.steps)

        self.loss.activated.connect(self._on_loss_chosen)
        self.reduce.activated.connect(lambda: self._change("reduce", self.reduce.currentText(), "rows combine by"))
        self.l2.valueChanged.connect(lambda v: self._change("l2", v, "L2"))
        self.learning_rate.valueChanged.connect(lambda v: self._change("learning_rate", v, "learning rate"))
        self.final_learning_rate.valueChanged.connect(
            lambda v: self._change("final_learning_rate", v, "final learning rate")
        )
        self.steps.valueChanged.connect(lambda v: self._change("steps", v, "steps"))
        session.document.add_listener(self._on_document_changed)
        self._fill_losses()
        self._show_settings()

    def _number(self, name: str, low: float, high: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(low, high)
        box.setDecimals(decimals)
        box.setSingleStep(step)
        box.setKeyboardTracking(False)  # one change when the typing is done, not one per key
        box.setToolTip(tip)
        return box

    def set_editable(self, editable: bool) -> None:
        """Allow edits (False while a run is under way)."""
        for field in (self.loss, self.reduce, self.l2, self.learning_rate, self.final_learning_rate, self.steps):
            field.setEnabled(editable)

    def _on_loss_chosen(self, index: int) -> None:
        name = self.loss.itemText(index)
        if name and name != self._session.document.training.loss:
            self._push(self._session.document.training.changed(loss=name), f"Train the loss {name}")

    def _change(self, field: str, value: object, what: str) -> None:
        settings = self._session.document.training
        if getattr(settings, field) == value:
            return
        try:
            changed = settings.changed(**{field: value})
        except DataError as error:
            self._session.show_error(sentence(str(error)))
            self._show_settings()
            return
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        self._push(changed, f"Set the {what} to {shown}")

    def _push(self, settings: object, text: str) -> None:
        self._session.try_push(SetTraining, self._session.document, settings, text)
        self._show_settings()

    def _on_document_changed(self, change: Change) -> None:
        if change.structure:
            self._fill_losses()
        if change.structure or change.training or change.replaced:
            self._show_settings()

    def _fill_losses(self) -> None:
        names = computed_names(self._session)
        with QSignalBlocker(self.loss):
            if names != [self.loss.itemText(i) for i in range(self.loss.count())]:
                self.loss.clear()
                self.loss.addItems(names)
        self._show_settings()

    def _show_settings(self) -> None:
        settings = self._session.document.training
        fields = (self.loss, self.reduce, self.l2, self.learning_rate, self.final_learning_rate, self.steps)
        blockers = [QSignalBlocker(field) for field in fields]
        index = self.loss.findText(settings.loss) if settings.loss else -1
        self.loss.setCurrentIndex(index)
        self.reduce.setCurrentIndex(REDUCTIONS.index(settings.reduce))
        self.l2.setValue(settings.l2)
        self.learning_rate.setValue(settings.learning_rate)
        self.final_learning_rate.setValue(settings.final_learning_rate)
        self.steps.setValue(settings.steps)
        del blockers
