"""The Create group: a name and a number make a new leaf value."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import Change, Definition, DocumentError, parse_number
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.controls import mark_invalid


class ValueForm(QGroupBox):
    """Creates leaf values: `nameEdit`, `dataEdit`, `createButton` (Return in either field creates too).

    After each creation the name field suggests the next free name. Refused
    input changes nothing; its reason shows in `createError` and the status bar.
    """

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__("Create a value", parent)
        self._session = session
        self._suggested = ""

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setPlaceholderText("a, α, Δx")
        self.name_edit.setToolTip(
            "The new value's name, a Python name: letters (Greek too: α, Δx), digits and _,\n"
            "not starting with a digit, at most 32 characters"
        )
        self.name_edit.setMaxLength(200)  # longer than any valid name, so the length rule can say why
        self.data_edit = QLineEdit()
        self.data_edit.setObjectName("dataEdit")
        self.data_edit.setPlaceholderText("number")
        self.data_edit.setToolTip("The new value's number, e.g. 2, -3.5 or 1e-3")
        self.create_button = QPushButton("Create")
        self.create_button.setObjectName("createButton")
        self.create_button.setProperty("role", "primary")
        self.create_button.setToolTip("Create a leaf value with this name and number (Return)")
        self.error_label = QLabel()
        self.error_label.setObjectName("createError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        # One row that reads like the lecture's `a = Value(2.0)`: name = number [Create].
        self.name_edit.setAccessibleName("Name")
        self.data_edit.setAccessibleName("Data")
        equals = QLabel("=")
        equals.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 2)
        row.addWidget(equals)
        row.addWidget(self.data_edit, 3)
        row.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error_label)

        self.create_button.clicked.connect(self.create_value)
        self.data_edit.returnPressed.connect(self.create_value)
        self.name_edit.returnPressed.connect(self._on_name_return)
        self.name_edit.textEdited.connect(self._clear_error)
        self.data_edit.textEdited.connect(self._clear_error)
        session.document.add_listener(self._on_document_changed)
        session.workspace_replaced.connect(self._clear_error)
        self._suggest_name()

    def create_value(self) -> bool:
        """Create the leaf the fields describe; True if it was created."""
        document = self._session.document
        name = self.name_edit.text().strip()
        try:
            document.check_new_name(name)
        except DocumentError as error:
            return self._refuse(self.name_edit, f"Name: {error}")
        try:
            number = parse_number(self.data_edit.text())
        except DocumentError as error:
            return self._refuse(self.data_edit, f"Data: {error}")
        reason = self._session.try_push(AddDefinitions, document, [Definition(name, data=number)])
        if reason is not None:
            return self._refuse(self.name_edit, reason, shown=True)
        self._clear_error()
        self._suggest_name(force=True)
        self.data_edit.clear()
        self.name_edit.setFocus()
        self.name_edit.selectAll()
        return True

    def error_text(self) -> str:
        """The reason shown next to the fields ('' when there is none)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def _on_name_return(self) -> None:
        if self.data_edit.text().strip():
            self.create_value()
        else:
            self.data_edit.setFocus()

    def _refuse(self, field: QLineEdit, message: str, shown: bool = False) -> bool:
        self.error_label.setText(message)
        self.error_label.show()
        mark_invalid(field, True)
        if not shown:
            self._session.show_error(f"Not created. {message}")
        field.setFocus()
        return False

    def _clear_error(self) -> None:
        if not self.error_label.isHidden():
            self.error_label.hide()
            self.error_label.clear()
        mark_invalid(self.name_edit, False)
        mark_invalid(self.data_edit, False)

    def _suggest_name(self, force: bool = False) -> None:
        # Replace only our own suggestion: never what the user typed.
        current = self.name_edit.text()
        if force or current in ("", self._suggested):
            self._suggested = self._session.document.next_free_name()
            if current != self._suggested:
                self.name_edit.setText(self._suggested)

    def _on_document_changed(self, change: Change) -> None:
        if change.structure:
            self._suggest_name()
