"""Quick builders for the two losses people train here: squared error and micrograd's max-margin."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QWidget

from micrograd_gui.commands import AddDefinitions, SetTraining, Together
from micrograd_gui.document import Change, DocumentError
from micrograd_gui.expression import parse_expression
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.trainer import TrainingError, training_roles
from micrograd_gui.widgets.training_settings_form import computed_names

# What each builder makes, from the output o and the target y, as the expression bar reads it.
LOSSES = {
    "squared error (o - y)**2": "({o} - {y})**2",
    "max-margin relu(1 - y*o)": "relu(1 - {y}*{o})",
}


def free_loss_name(taken: object) -> str:
    """`loss`, or `loss2`, `loss3`, ... the first not in `taken`."""
    name, number = "loss", 1
    while name in taken:  # type: ignore[operator]
        number += 1
        name = f"loss{number}"
    return name


class LossBuilder(QWidget):
    """`lossKind` (which loss), `lossOutput` (the model's output o), `lossTarget` (the target y: a
    leaf, the data columns first) and `buildLossButton`: makes the loss value through the expression
    language (numbers become constants) and trains it, in one undo step."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.kind = QComboBox()
        self.kind.setObjectName("lossKind")
        self.kind.addItems(list(LOSSES))
        self.kind.setToolTip("The loss of one row: squared error, or the max-margin loss of micrograd's demo")
        self.output = QComboBox()
        self.output.setObjectName("lossOutput")
        self.output.setToolTip("o: the model's output")
        self.target = QComboBox()
        self.target.setObjectName("lossTarget")
        self.target.setToolTip("y: the target, usually a data column")
        for box in (self.output, self.target):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(5)
            box.setMaxVisibleItems(20)
        self.build_button = QPushButton("Make")
        self.build_button.setObjectName("buildLossButton")
        self.build_button.setToolTip("Make the loss value from o and y and train it (one undo step)")

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        kind_label = QLabel("&New loss")
        kind_label.setBuddy(self.kind)
        layout.addWidget(kind_label, 0, 0)
        layout.addWidget(self.kind, 0, 1, 1, 5)
        output_label = QLabel("&o")
        output_label.setBuddy(self.output)
        target_label = QLabel("&y")
        target_label.setBuddy(self.target)
        layout.addWidget(output_label, 1, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.output, 1, 1)
        layout.addWidget(target_label, 1, 2)
        layout.addWidget(self.target, 1, 3)
        layout.addWidget(self.build_button, 1, 4, 1, 2)
        layout.setColumnStretch(1, 1)
        layout.setColumnStretch(3, 1)

        self._table: object = None  # the data table the choices were made from
        self._chosen: dict[QComboBox, str] = {}  # what the user picked, kept while it exists
        self.output.activated.connect(lambda: self._chosen.__setitem__(self.output, self.output.currentText()))
        self.target.activated.connect(lambda: self._chosen.__setitem__(self.target, self.target.currentText()))
        self.build_button.clicked.connect(self.build)
        session.document.add_listener(self._on_document_changed)
        self._fill()

    def build(self) -> bool:
        """Make the chosen loss from the chosen output and target and train it; True if made."""
        document = self._session.document
        o, y = self.output.currentText(), self.target.currentText()
        if not o or not y:
            self._session.show_error("Choose the output o and the target y first")
            return False
        name = free_loss_name(document)
        text = f"{name} = " + LOSSES[self.kind.currentText()].format(o=o, y=y)
        try:
            add = AddDefinitions(document, parse_expression(text, document), f"Make the loss {text}")
        except DocumentError as error:
            self._session.show_error(str(error))
            return False
        settings = SetTraining(document, document.training.changed(loss=name))
        return self._session.try_push(Together, f"Make the loss {text}", [add, settings]) is None

    def _on_document_changed(self, change: Change) -> None:
        # A data row shown (numbers only) binds nothing new: only another table or values matter.
        if change.structure or change.training or self._session.document.data_table is not self._table:
            self._fill()

    def _fill(self) -> None:
        document = self._session.document
        self._table = document.data_table
        loss = document.training.loss
        used = {o for d in document.definitions for o in d.operands}
        computed = [n for n in computed_names(self._session) if n != loss]
        # The model's output first: what the loss reads, else a value nothing uses (a net's output).
        outputs = [n for n in computed if n not in used] + [n for n in computed if n in used]
        output = self._trained_output()
        if output in outputs:
            outputs.remove(output)
            outputs.insert(0, output)
        bound = list(document.bound_columns())
        targets = list(reversed(bound)) + [d.name for d in document.definitions if d.is_leaf and d.name not in bound]
        for box, names in ((self.output, outputs), (self.target, targets)):
            if names == [box.itemText(i) for i in range(box.count())]:
                continue
            chosen = self._chosen.get(box)
            with QSignalBlocker(box):
                box.clear()
                box.addItems(names)
                box.setCurrentIndex(names.index(chosen) if chosen in names else 0 if names else -1)
        self.build_button.setEnabled(bool(outputs) and bool(targets))

    def _trained_output(self) -> str | None:
        """The output the trained loss reads, when there is one."""
        document = self._session.document
        if document.training.loss is None:
            return None
        try:
            return training_roles(document.definitions, document.data_table, document.training, document.groups).output
        except TrainingError:
            return None
