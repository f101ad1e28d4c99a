"""Edit > Rename and Edit > Delete: on the values selected in the table (or the graph), with
F2 and Delete working only there, so that Delete in a text field still deletes text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from micrograd_gui import shortcuts
from micrograd_gui.commands import DeleteValues, RenameValue
from micrograd_gui.document import Change
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.value_table import ValueTable


def ask_delete_dependents(parent: QWidget, name: str, dependents: Sequence[str]) -> bool:
    """Ask whether deleting `name` may delete the values computed from it too."""
    shown = ", ".join(dependents[:12]) + (f" and {len(dependents) - 12} more" if len(dependents) > 12 else "")
    answer = QMessageBox.question(
        parent,
        "Delete dependent values?",
        f"{shown} {'is' if len(dependents) == 1 else 'are'} computed from {name}.\n\nDelete them too?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class ValueActions(QObject):
    """`rename_action` (actionRename, F2) and `delete_action` (actionDelete), on `table`'s selection,
    their keys active in the widgets given to `add_to`. Deleting values that others are computed
    from asks `ask(name, dependents)` first."""

    def __init__(
        self,
        session: WorkspaceSession,
        table: ValueTable,
        ask: Callable[[str, Sequence[str]], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session, self._table, self._ask = session, table, ask
        self.rename_action = QAction("&Rename…", self)
        self.rename_action.setObjectName("actionRename")
        self.rename_action.setShortcut(QKeySequence(shortcuts.RENAME))
        self.delete_action = QAction("&Delete", self)
        self.delete_action.setObjectName("actionDelete")
        self.delete_action.setShortcuts(QKeySequence.StandardKey.Delete)
        for action, tip in (
            (self.rename_action, "Rename the selected value"),
            (self.delete_action, "Delete the selected values"),
        ):
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.rename_action.triggered.connect(self.rename_selected)
        self.delete_action.triggered.connect(self.delete_selected)
        session.document.add_listener(self._on_document_changed)
        self._on_document_changed(Change(True))

    def actions(self) -> list[QAction]:
        return [self.rename_action, self.delete_action]

    def add_to(self, *widgets: QWidget) -> None:
        """Make the keys work in `widgets` (and their context menus list the actions)."""
        for widget in widgets:
            widget.addActions(self.actions())

    def rename_value(self, old: str, new: str) -> bool:
        """Rename a value and every reference to it; True if renamed."""
        return self._session.push(RenameValue, self._session.document, old, new)

    def rename_selected(self) -> None:
        """Start renaming the selected value in the table."""
        name = self._table.current_name()
        if not name:
            self._session.show_error("Select a value to rename")
            return
        self.rename(name)

    def rename(self, name: str) -> None:
        """Open `name`'s Name cell for typing."""
        self._table.select_name(name)
        self._table.edit_name(name)
        self._session.show_status(f"Renaming {name}: type the new name and press Return (Escape cancels)")

    def delete_selected(self) -> bool:
        """Delete the values selected in the table; True if something was deleted."""
        names = self._table.selected_names()
        if not names:
            self._session.show_error("Select a value to delete")
            return False
        return self.delete_values(names)

    def delete_values(self, names: Sequence[str]) -> bool:
        """Delete `names`; values computed from them go too, only if the user agrees."""
        document = self._session.document
        names = [n for n in names if n in document]
        if not names:  # nothing to delete: no empty undo step
            return False
        dependents = document.dependents(*names)
        if dependents:
            label = ", ".join(names)
            if not self._ask(label, dependents):
                self._session.show_error(f"Nothing deleted: {', '.join(dependents[:5])} depend on {label}")
                return False
        return self._session.push(DeleteValues, document, [*names, *dependents])

    def _on_document_changed(self, change: Change) -> None:
        has_values = len(self._session.document) > 0
        self.rename_action.setEnabled(has_values)
        self.delete_action.setEnabled(has_values)
