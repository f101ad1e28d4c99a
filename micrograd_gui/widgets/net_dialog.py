"""Insert > Neuron / Layer / MLP…: the expression bar's templates as a form."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import DocumentError, check_name, parse_number
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.templates import ACTIVATIONS, KINDS, Net, TemplateError, build_net, check_net
from micrograd_gui.widgets.controls import mark_invalid

DEFAULT_NAMES = {"Neuron": "n", "Layer": "h", "MLP": "o"}
DEFAULT_SIZES = {"Neuron": "1", "Layer": "3", "MLP": "4, 4, 1"}
OUTPUT_DEFAULT = "as the net (tanh stays tanh, else linear)"


class NetDialog(QDialog):
    """A form for a neuron, a layer or an MLP over existing values (objectName 'netDialog').

    Its fields: `netKind`, `netName`, `netInputs` (names or numbers, comma-separated; prefilled
    with the values selected), `netSizes`, `netActivation`, `netOutput` (an MLP's last layer),
    `netSeed` (empty: a random seed). `netSummary` shows what it will make, as the line the
    expression bar takes; `netError` why it cannot. OK makes it as one undo step and closes;
    a refusal keeps the dialog open with the reason.
    """

    def __init__(self, session: WorkspaceSession, inputs: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("netDialog")
        self.setWindowTitle("Insert a neuron, a layer or an MLP")
        self.setMinimumWidth(520)
        self._session = session
        self._seed = random.SystemRandom().randrange(1_000_000)  # the seed while the field is empty

        self.kind = QComboBox(self)
        self.kind.setObjectName("netKind")
        self.kind.addItems(list(KINDS))
        self.kind.setCurrentText("MLP")
        self.name = QLineEdit(self)
        self.name.setObjectName("netName")
        self.inputs = QLineEdit(", ".join(inputs), self)
        self.inputs.setObjectName("netInputs")
        self.inputs.setPlaceholderText("x1, x2, x3")
        self.sizes = QLineEdit(self)
        self.sizes.setObjectName("netSizes")
        self.activation = QComboBox(self)
        self.activation.setObjectName("netActivation")
        self.activation.addItems(list(ACTIVATIONS))
        self.output = QComboBox(self)
        self.output.setObjectName("netOutput")
        self.output.addItems([OUTPUT_DEFAULT, *ACTIVATIONS])
        self.seed = QLineEdit(self)
        self.seed.setObjectName("netSeed")
        self.seed.setPlaceholderText("random")
        self.summary = QLabel(self)
        self.summary.setObjectName("netSummary")
        self.summary.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("netError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )

        form = QFormLayout()
        form.addRow("&Kind", self.kind)
        form.addRow("&Name", self.name)
        form.addRow("&Inputs", self.inputs)
        form.addRow("&Sizes", self.sizes)
        form.addRow("&Activation", self.activation)
        form.addRow("&Last layer", self.output)
        form.addRow("S&eed", self.seed)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.summary)
        box.addWidget(self.error_label)
        box.addWidget(self.buttons)

        self.kind.currentTextChanged.connect(self._on_kind_changed)
        for field in (self.name, self.inputs, self.sizes, self.seed):
            field.textChanged.connect(self._update_summary)
        for combo in (self.activation, self.output):
            combo.currentTextChanged.connect(self._update_summary)
        self.buttons.accepted.connect(self.insert)
        self.buttons.rejected.connect(self.reject)
        self._on_kind_changed(self.kind.currentText())

    def net(self) -> Net:
        """The net the form describes, or TemplateError saying which field is wrong."""
        kind = self.kind.currentText()
        name = self.name.text().strip()
        reason = check_name(name)
        if reason:
            raise TemplateError(f"the name: {reason}")
        inputs: list[str | float] = []
        for text in (part.strip() for part in self.inputs.text().split(",")):
            if not text:
                continue
            if check_name(text) is None:
                inputs.append(text)
                continue
            try:
                inputs.append(parse_number(text))
            except DocumentError:
                raise TemplateError(f"the inputs: '{text}' is neither a value's name nor a number") from None
        sizes = []
        for text in (part.strip() for part in self.sizes.text().split(",")):
            if not text.isdigit():
                raise TemplateError(f"the sizes: '{text}' is not a whole number of neurons")
            sizes.append(int(text))
        seed_text = self.seed.text().strip()
        if seed_text and not seed_text.isdigit():
            raise TemplateError(f"the seed: '{seed_text}' is not a whole number")
        output = self.output.currentText()
        return Net(
            kind,
            name,
            tuple(inputs),
            tuple(sizes),
            self.activation.currentText(),
            None if kind != "MLP" or output == OUTPUT_DEFAULT else output,
            int(seed_text) if seed_text else self._seed,
        )

    def template_text(self, net: Net) -> str:
        """The expression bar's line for `net`."""
        inputs = ", ".join(x if isinstance(x, str) else repr(x) for x in net.inputs)
        if net.kind == "Neuron":
            args = f"[{inputs}]"
        elif net.kind == "Layer":
            args = f"[{inputs}], {net.sizes[0]}"
        else:
            args = f"[{inputs}], [{', '.join(str(s) for s in net.sizes)}]"
        if net.activation != "tanh":
            args += f", activation='{net.activation}'"
        if net.output is not None:
            args += f", output='{net.output}'"
        return f"{net.name} = {net.kind}({args}, seed={net.seed})"

    def insert(self) -> bool:
        """Make the net as one undo step and close; True if made, else the reason shows in the dialog."""
        document = self._session.document
        try:
            net = self.net()
            built = build_net(net, document)
            command = AddDefinitions(document, built.definitions, f"Insert {self.template_text(net)}", built.groups)
        except DocumentError as error:
            self._show_error(sentence(str(error)))
            return False
        self._session.push(lambda: command)
        self.accept()
        return True

    def error(self) -> str:
        """Why the form cannot make its net ('' when it can)."""
        return self.error_label.text()

    def _on_kind_changed(self, kind: str) -> None:
        self.name.setText(self._free_name(DEFAULT_NAMES.get(kind, "n")))
        self.sizes.setText(DEFAULT_SIZES.get(kind, "1"))
        self.sizes.setEnabled(kind != "Neuron")
        self.output.setEnabled(kind == "MLP")
        self._update_summary()

    def _free_name(self, base: str) -> str:
        document = self._session.document
        groups = {g.name for g in document.groups}
        name, i = base, 1
        while name in document or name in groups:
            i += 1
            name = f"{base}{i}"
        return name

    def _update_summary(self) -> None:
        try:
            net = self.net()
            check_net(net)
            unknown = [x for x in net.inputs if isinstance(x, str) and x not in self._session.document]
            if unknown:
                raise TemplateError(f"unknown input '{unknown[0]}'")
        except DocumentError as error:
            self.summary.setText("")
            self._show_error(sentence(str(error)))
            return
        self._show_error("")
        self.summary.setText(
            f"{net.parameter_count:,} parameters, {net.value_count:,} values. In the expression bar:\n"
            f"{self.template_text(net)}"
        )

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        mark_invalid(self.inputs, "input" in message)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not message)
