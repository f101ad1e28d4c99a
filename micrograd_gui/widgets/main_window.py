"""The main window: owns the document, the undo stack and the widgets around them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMainWindow

from micrograd_gui.document import Document, DocumentError


class MainWindow(QMainWindow):
    """The app's window over one workspace document.

    Owns `document` (the one source of truth) and `undo_stack`. Widgets read
    their inputs and hand a command to `push()`; they never change the
    document themselves. Menus live in `file_menu`, `edit_menu`, `view_menu`
    and `help_menu`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.document = Document()
        self.undo_stack = QUndoStack(self)
        self.setWindowTitle("micrograd-gui")
        self.file_menu = self.menuBar().addMenu("&File")
        self.edit_menu = self.menuBar().addMenu("&Edit")
        self.view_menu = self.menuBar().addMenu("&View")
        self.help_menu = self.menuBar().addMenu("&Help")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.file_menu.addAction(quit_action)
        self.quit_action = quit_action

        # ---- features that install themselves from their own modules ----

    # ---- intent methods: tests replace these instead of clicking dialogs ----

    def show_error(self, message: str) -> None:
        """Tell the user why something was refused (status bar)."""
        self.statusBar().showMessage(message, 8000)

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)

    def push(self, make_command: Callable[..., QUndoCommand], *args: Any) -> bool:
        """Build a command (which checks the change) and push it; on a refused
        change show the reason and change nothing. Returns True if pushed.

        Example: `window.push(AddDefinitions, window.document, [definition])`.
        """
        try:
            command = make_command(*args)
        except DocumentError as error:
            self.show_error(str(error))
            return False
        self.undo_stack.push(command)
        return True
