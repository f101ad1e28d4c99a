"""Edit > Paste: the clipboard's Python code (the lecture's cells, the app's own export), a workspace
file's JSON, a copied workspace, code or picture file, or an exported picture, added to the workspace
as one undo step.

The clipboard is read on the UI thread; the code is parsed (never run) and the graph computed on a
worker thread, then placed beside the values already there (a taken name changes: see
micrograd_gui.paste). Into an empty workspace a paste is the pasted graph, as if it were opened, but
untitled and undoable. Refused code says what is not allowed, with its line and column, and changes
nothing.

Ctrl+V in a text field pastes there, unless the clipboard holds code or a workspace
(`is_for_the_workspace`): `text_field_filter` sends those to the workspace, as a one-line field
could do nothing useful with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit

from micrograd_gui.commands import PasteValues
from micrograd_gui.document import DocumentError
from micrograd_gui.paste import (
    CLIPBOARD,
    Prepared,
    clipboard_workspace,
    first_openable,
    is_for_the_workspace,
    place,
    prepare,
    renaming_note,
)
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.background_jobs import BackgroundJobs
from micrograd_gui.workspace_file import (
    OPENABLE_SUFFIXES,
    Workspace,
    WorkspaceFileError,
    read_workspace,
    shown_name,
    workspace_from_bytes,
)

PICTURE_TYPES = {"image/png": ".png", "image/svg+xml": ".svg"}
NOTHING_TO_PASTE = (
    "Nothing to paste: copy Python code that builds Values (a = Value(2.0, label='a')), a workspace, "
    "or a picture the app exported"
)
TIP = "Paste Python code that builds Values (the lecture's, or the app's export) or a workspace, as new values"


class PasteAction(QObject):
    """`action` (`actionPaste`, Ctrl+V) pastes the clipboard (`paste`); `paste_text(text)` and
    `paste_mime(mime)` paste what they are given. Each paste reports `pasted(count)` or
    `paste_failed(message)` on the UI thread; a paste still being read when another workspace is
    opened is dropped."""

    pasted = Signal(int)
    paste_failed = Signal(str)

    def __init__(self, session: WorkspaceSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._generation = 0
        self.jobs = BackgroundJobs(self)
        self.action = QAction("&Paste", self)
        self.action.setObjectName("actionPaste")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Paste))
        self.action.setToolTip(TIP)
        self.action.setStatusTip(TIP)
        self.action.setProperty("shortcutTitle", "Paste code or a workspace as values")
        self.action.triggered.connect(self.paste)
        self.text_field_filter = _PasteKeysToWorkspace(self)
        session.workspace_replaced.connect(self._on_workspace_replaced)

    # ---- what to paste ---------------------------------------------------------------

    def paste(self) -> None:
        """Edit > Paste: the clipboard into the focused text field when it is text for one, else into
        the workspace."""
        mime = QGuiApplication.clipboard().mimeData()
        field = QApplication.focusWidget()
        if isinstance(field, QLineEdit) and not field.isReadOnly() and not for_the_workspace(mime):
            field.paste()
            return
        self.paste_mime(mime)

    def paste_mime(self, mime: QMimeData | None) -> None:
        """Paste clipboard data: a copied file (.json, .py, an exported .png or .svg), text (code or a
        workspace's JSON), or an exported picture's bytes."""
        if mime is None:
            self._refuse(NOTHING_TO_PASTE)
            return
        files = _local_files(mime)
        if files:
            path = first_openable(files)
            if path is None:
                self._refuse(
                    f"Not pasted: {shown_name(files[0])} is not a workspace, code or an exported picture "
                    f"(the app pastes {' '.join(OPENABLE_SUFFIXES)} files)"
                )
                return
            source = shown_name(path)
            self._paste_in_background(lambda: read_workspace(path), source)
            return
        if mime.hasText() and mime.text().strip():
            self.paste_text(mime.text())
            return
        kind = next((kind for kind in PICTURE_TYPES if mime.hasFormat(kind)), None)
        if kind is None:
            self._refuse(NOTHING_TO_PASTE)
            return
        data, suffix, source = bytes(mime.data(kind).data()), PICTURE_TYPES[kind], "the picture on the clipboard"
        self._paste_in_background(lambda: workspace_from_bytes(data, suffix, source), source)

    def paste_text(self, text: str) -> None:
        """Paste Python code or a workspace's JSON (parsed on a worker thread)."""
        self._paste_in_background(lambda: clipboard_workspace(text, CLIPBOARD), CLIPBOARD)

    # ---- pasting -----------------------------------------------------------------------

    def _paste_in_background(self, read: Callable[[], Workspace], source: str) -> None:
        generation = self._generation
        self._session.show_status(f"Pasting from {source}…")

        def done(prepared: Any, error: BaseException | None) -> None:
            if generation != self._generation:  # another workspace was opened meanwhile
                return
            if error is not None:
                reason = str(error) if isinstance(error, WorkspaceFileError) else f"{source}: {error!r}"
                self._refuse(f"Not pasted: {reason}")
                return
            self._place(prepared)

        self.jobs.start("paste", lambda: prepare(read(), source), done)

    def _place(self, prepared: Prepared) -> None:
        document = self._session.document
        placed = place(prepared.workspace, document.names, [g.name for g in document.groups])
        workspace, renamed = placed.workspace, placed.renamed
        grads = {renamed.get(n, n): g for n, g in prepared.grads.items()} if prepared.grads is not None else None
        count = len(workspace.definitions)
        root = workspace.backward_from if grads is not None else None
        text = f"Paste {count} value{'s' if count != 1 else ''}" + (f", backward from {root}" if root else "")
        try:
            command = PasteValues(
                document,
                workspace.definitions,
                text,
                workspace.groups,
                root,
                grads,
                workspace.data,
                workspace.training,
            )
        except DocumentError as error:  # too many values beside those there
            self._refuse(f"Not pasted: {error}")
            return
        self._session.push(lambda: command)
        status = f"Pasted {count} value{'s' if count != 1 else ''}" + (f", backward from {root}" if root else "")
        if renamed:
            status += f"; names already taken were changed: {renaming_note(renamed)}"
        self._session.show_status(status)
        if prepared.note:
            self._session.show_error(prepared.note[:1].upper() + prepared.note[1:])
        self.pasted.emit(count)

    def _refuse(self, message: str) -> None:
        self._session.show_error(message)
        self.paste_failed.emit(message)

    def _on_workspace_replaced(self) -> None:
        self._generation += 1


def _local_files(mime: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


def for_the_workspace(mime: QMimeData | None) -> bool:
    """Whether clipboard data is for the workspace rather than a text field: a copied workspace, code
    or picture file, text that is code or a workspace, or an exported picture without text."""
    if mime is None:
        return False
    if first_openable(_local_files(mime)) is not None:
        return True
    if mime.hasText() and mime.text().strip():
        return is_for_the_workspace(mime.text())
    return any(mime.hasFormat(kind) for kind in PICTURE_TYPES)


class _PasteKeysToWorkspace(QObject):
    """A text field takes Ctrl+V for its own text; clipboard text meant for the workspace (code, a
    workspace) goes to Edit > Paste instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QLineEdit):
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Paste) and for_the_workspace(
                QGuiApplication.clipboard().mimeData()
            ):
                event.ignore()
                return True
        return False
