"""The questions the File menu asks: unsaved changes, which file to open or save to, the export
options, whether to restore a crashed window's work.

Each is one intent method, so tests replace it instead of clicking through a modal dialog
(`window.dialogs.ask_save_path = lambda suggested: path`)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from micrograd_gui.exporting import ExportOptions
from micrograd_gui.recovery import RecoveryInfo
from micrograd_gui.widgets.export_dialog import ExportDialog

WORKSPACE_FILTER = "Workspaces (*.json);;All files (*)"  # what Save writes
# What Open reads (workspace_file.OPENABLE_SUFFIXES): workspaces, code, and pictures the app exported.
OPEN_FILTER = ";;".join(
    (
        "Workspaces, code and pictures (*.json *.py *.png *.svg)",
        "Workspaces (*.json)",
        "Python code (*.py)",
        "Pictures exported by the app (*.png *.svg)",
        "All files (*)",
    )
)


class FileDialogs(QObject):
    """Asks the user; the dialogs open over `parent`."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent

    def parent_widget(self) -> QWidget:
        """The widget the dialogs (and menus made for them) belong to."""
        return self._parent

    def ask_save_changes(self, display_name: str) -> str:
        """Save / Discard / Cancel for unsaved changes to `display_name`: 'save', 'discard' or 'cancel'."""
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to {display_name}?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    def ask_open_path(self, folder: str) -> str | None:
        """A file to open as a workspace (a workspace, code or an exported picture), starting in `folder`;
        None when cancelled."""
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open workspace", folder, OPEN_FILTER)
        return path or None

    def ask_save_path(self, suggested: str) -> str | None:
        """Where to save, starting from `suggested`; None when cancelled."""
        path, _ = QFileDialog.getSaveFileName(self._parent, "Save workspace", suggested, WORKSPACE_FILTER)
        return path or None

    def ask_export_options(
        self, names: list[str], path: str, rankdir: str, scale: float, default_root: str | None
    ) -> ExportOptions | None:
        """The Export dialog, prefilled; None when cancelled."""
        dialog = ExportDialog(self._parent, names, path, rankdir=rankdir, scale=scale, default_root=default_root)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.options()

    def ask_restore_recovery(self, info: RecoveryInfo) -> bool:
        """Whether to restore the unsaved work `info` describes (No deletes it)."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.saved_at))
        answer = QMessageBox.question(
            self._parent,
            "Restore unsaved work?",
            f"micrograd-gui did not close normally. Unsaved work on {info.original_name} "
            f"({info.value_count} values, {when}) was kept.\n\nRestore it? (No deletes it.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes
