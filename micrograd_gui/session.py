"""The workspace session: what every widget shares, so that none of them needs the window.

A widget takes a `WorkspaceSession` (plus, where it needs one, a narrow callback or
signal) and never the main window. The window is the composition root: it builds the
session and the widgets, and shows the session's messages in its status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from micrograd_gui.document import Document, DocumentError


def sentence(message: str) -> str:
    """A refusal as the user reads it: the document's reasons start in lower case, a message with a capital."""
    return message[:1].upper() + message[1:]


class WorkspaceSession(QObject):
    """Owns the workspace `document` (the one source of truth) and its `undo_stack`.

    Widgets read their inputs and hand a command to `push()` or `try_push()`; they never
    change the document themselves. Messages for the user go out as signals, which the
    window shows: `status_shown(text)` for news, `error_shown(text)` for a refusal.
    `workspace_replaced()` follows New, Open, an example or a recovery: what a widget
    still says about the work before (an error, a finished walk) no longer applies.
    `about_to_push(command)` comes when a command is built and checked, just before it is pushed:
    a widget showing live changes of its own (training) ends them first, in their own undo step.
    """

    status_shown = Signal(str)
    error_shown = Signal(str)
    workspace_replaced = Signal()
    about_to_push = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = Document()
        self.undo_stack = QUndoStack(self)
        self.pushing = False  # True while a command pushed here runs its first redo()

    def show_status(self, message: str) -> None:
        """Tell the user what happened."""
        self.status_shown.emit(message)

    def show_error(self, message: str) -> None:
        """Tell the user why something was refused."""
        self.error_shown.emit(message)

    def try_push(self, make_command: Callable[..., QUndoCommand], *args: Any) -> str | None:
        """Build a command (which checks the change) and push it. Returns None when it was
        pushed, else the reason it was refused, as a sentence (already shown with show_error)."""
        try:
            command = make_command(*args)
        except DocumentError as error:
            message = sentence(str(error))
            self.show_error(message)
            return message
        self.about_to_push.emit(command)
        text = command.text()  # a command merged into the one before it is deleted by push()
        self.pushing = True
        try:
            self.undo_stack.push(command)
        finally:
            self.pushing = False
        self.show_status(text)
        return None

    def push(self, make_command: Callable[..., QUndoCommand], *args: Any) -> bool:
        """Build a command (which checks the change) and push it; on a refused change show the
        reason and change nothing. Returns True if pushed.

        Example: `session.push(AddDefinitions, session.document, [definition])`.
        """
        return self.try_push(make_command, *args) is None
