"""The Backward group: choose a value and fill every grad with d value / d x."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget

from micrograd_gui import assets
from micrograd_gui.commands import RunBackward, ZeroGrads
from micrograd_gui.document import Change
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.name_combo import NameCombo


class BackwardPanel(QGroupBox):
    """`backwardFrom` (defaults to the newest value, keeps the user's choice while it
    exists), `backwardButton` (pushes RunBackward), `zeroGradsButton` (pushes
    ZeroGrads) and `gradsStatus`, which says where the grads shown come from and
    whether an edit has made them stale.
    """

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__("Backward", parent)
        self._session = session
        document = session.document

        self.backward_from = NameCombo(document, "backwardFrom", follow_newest=True)
        self.backward_from.setToolTip("The value to differentiate: grads become d this / d value")
        self.backward_button = QPushButton(assets.icon("backward"), "Backward")
        self.backward_button.setObjectName("backwardButton")
        self.backward_button.setProperty("role", "primary")
        self.backward_button.setToolTip("Run backward: every grad becomes d (this value) / d (that value)")
        self.zero_grads_button = QPushButton(assets.icon("zero_grads"), "Zero grads")
        self.zero_grads_button.setObjectName("zeroGradsButton")
        self.zero_grads_button.setToolTip("Set every grad back to 0")
        self.status_label = QLabel()
        self.status_label.setObjectName("gradsStatus")
        self.status_label.setProperty("role", "hint")
        self.status_label.setWordWrap(True)

        layout = QFormLayout(self)
        layout.addRow("&From", self.backward_from)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backward_button)
        buttons.addWidget(self.zero_grads_button)
        layout.addRow(buttons)
        layout.addRow(self.status_label)

        self.backward_button.clicked.connect(self.run_backward)
        self.zero_grads_button.clicked.connect(self.zero_grads)
        document.add_listener(self._on_document_changed)
        self._update()

    def run_backward(self) -> bool:
        """Backward from the chosen value; True if it ran."""
        root = self.backward_from.currentText()
        if not root:
            self._session.show_error("Nothing to differentiate: create a value first")
            return False
        return self._session.try_push(RunBackward, self._session.document, root) is None

    def zero_grads(self) -> bool:
        """Set every grad back to 0; True if pushed."""
        return self._session.try_push(ZeroGrads, self._session.document) is None

    def _on_document_changed(self, change: Change) -> None:
        self._update()

    def _update(self) -> None:
        document = self._session.document
        has_values = len(document) > 0
        self.backward_button.setEnabled(has_values)
        root = document.backward_root
        self.zero_grads_button.setEnabled(root is not None)
        overlay = document.grad_overlay
        if overlay is not None:
            text = "Grads: hidden until predicted (Learn panel)" if overlay.hide_others else f"Grads: {overlay.reason}"
        elif document.showing_partial_grads:
            text = "Grads: a backward pass in progress (Learn panel)"
        elif root is None:
            text = "Grads: none yet" if has_values else "Create values, then run backward"
        elif document.grads_stale:
            text = f"Grads are stale: a number changed since backward from {root}. Run backward again."
        else:
            text = f"Grads: d {root} / d value"
        if text != self.status_label.text():
            self.status_label.setText(text)
