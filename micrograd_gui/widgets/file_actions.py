"""The File menu: New, Open, Examples, Save, Save As, Export; the current file and the window's
title; files dropped on the window; unsaved work on close.

`FileActions` takes the workspace session, the `FileDialogs` it asks the user through and a
callback for the graph's direction; it never sees the window. The window puts `menu_items()` in
its File menu, shows `title_changed` and `modified_changed`, hands it dropped files
(`dropped_workspace`, `open_path`) and asks `may_close()` before closing.

The disk and Graphviz never block the UI thread for the menu actions: reading a file, writing
one, exporting a picture and writing the recovery file run on worker threads (BackgroundJobs)
and report back on the UI thread. The contract methods `open_workspace`, `save_workspace` and
`export_image` are for scripts and tests: they do the same work synchronously.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QMimeData, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from micrograd_gui import shortcuts
from micrograd_gui.document import Document
from micrograd_gui.exporting import EXPORT_FORMATS, MAX_SCALE, MIN_SCALE, ExportError, ExportOptions, export_snapshot
from micrograd_gui.paste import first_openable
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.settings import app_settings
from micrograd_gui.widgets.background_jobs import BackgroundJobs
from micrograd_gui.widgets.file_dialogs import FileDialogs
from micrograd_gui.widgets.recent_files import RecentFiles
from micrograd_gui.widgets.recovery_keeper import RecoveryKeeper
from micrograd_gui.workspace_file import (
    EXAMPLE_DESCRIPTIONS,
    EXAMPLES,
    SUFFIX,
    ReadOnlyWorkspaceError,
    Workspace,
    WorkspaceFileError,
    document_parts,
    load_workspace,
    read_example,
    read_workspace,
    write_workspace,
)

APP_NAME = "micrograd-gui"

EXAMPLE_TITLES = {
    "lecture": "&Lecture: L = (a*b + c) * f",
    "neuron": "&Neuron: o = tanh(x1*w1 + x2*w2 + b)",
    "reuse": "&Reuse: b = a + a",
    "neuron_exp": "Neuron through &exp: o = (e - 1) / (e + 1), e = exp(2n)",
    "mlp": "&MLP(3, [4, 4, 1]) on the lecture's four rows, squared-error loss",
    "moons_net": "M&oons net: MLP(2, [16, 16, 1]), ReLU, max-margin loss",
    "line_neuron": "One neuron, a l&ine: two classes either side of a line",
}


class FileActions(QObject):
    """The File menu features of one window: the current file, its title, recent files (`recent`),
    examples, saving, exporting, dropped files and crash recovery (`recovery_keeper`).

    Signals (all on the UI thread): `opened(path)` (path is '' for an example or a recovery),
    `open_failed(message)`, `saved(path)`, `save_failed(message)`, `exported(path)`,
    `export_failed(message)`, `title_changed(title)` (with Qt's `[*]` for the modified mark),
    `modified_changed(modified)`, and `close_requested()` once unsaved work asked about on
    close has been saved.
    """

    opened = Signal(str)
    open_failed = Signal(str)
    saved = Signal(str)
    save_failed = Signal(str)
    exported = Signal(str)
    export_failed = Signal(str)
    title_changed = Signal(str)
    modified_changed = Signal(bool)
    close_requested = Signal()

    def __init__(
        self,
        session: WorkspaceSession,
        dialogs: FileDialogs,
        rankdir: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self.dialogs = dialogs
        self._rankdir = rankdir
        self.path: str | None = None
        self.display_name = "untitled"
        self._generation = 0  # bumped each time the document is replaced (open, new, example)
        self._latest_request = 0  # bumped by each New, Open or Example: only the latest one goes ahead
        self._saving = False
        self._close_confirmed = False
        self.jobs = BackgroundJobs(self)
        self.recent = RecentFiles(dialogs.parent_widget())
        self.recovery_keeper = RecoveryKeeper(session, self.jobs, lambda: self.path, self)

        self._build_actions()
        self._connect()

    @property
    def recovery_written(self) -> Any:
        """The recovery keeper's `recovery_written(path)` signal."""
        return self.recovery_keeper.recovery_written

    # ---- building ---------------------------------------------------------------------

    def _action(self, text: str, object_name: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(object_name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New", "actionNew", "Start an empty workspace")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.open_action = self._action(
            "&Open…", "actionOpen", "Open a workspace, Python code or a picture the app exported"
        )
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.save_action = self._action("&Save", "actionSave", "Save the workspace")
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_as_action = self._action("Save &As…", "actionSaveAs", "Save the workspace under a new name")
        self.save_as_action.setShortcut(QKeySequence.StandardKey.SaveAs)
        self.export_action = self._action(
            "&Export…", "actionExport", "Export the graph as PNG, SVG, PDF or DOT, or the workspace as a Python script"
        )
        self.export_action.setShortcut(QKeySequence(shortcuts.EXPORT))
        self.example_actions: dict[str, QAction] = {}
        for name in EXAMPLES:
            action = self._action(
                EXAMPLE_TITLES.get(name, name),
                "actionExample" + "".join(part.capitalize() for part in name.split("_")),
                EXAMPLE_DESCRIPTIONS.get(name, f"Open a copy of the {name} example"),
            )
            action.triggered.connect(lambda _checked=False, n=name: self.open_example(n))
            self.example_actions[name] = action
        self.examples_menu = QMenu("E&xamples", self.dialogs.parent_widget())
        self.examples_menu.setObjectName("examplesMenu")
        self.examples_menu.addActions(list(self.example_actions.values()))

    def menu_items(self) -> list[QAction | None]:
        """The File menu's items, in order (None for a separator)."""
        return [
            self.new_action,
            self.open_action,
            self.recent.menu.menuAction(),
            self.examples_menu.menuAction(),
            None,
            self.save_action,
            self.save_as_action,
            self.export_action,
            None,
        ]

    def _connect(self) -> None:
        self.new_action.triggered.connect(self.new)
        self.open_action.triggered.connect(self.open)
        self.save_action.triggered.connect(self.save)
        self.save_as_action.triggered.connect(lambda: self.save_as())
        self.export_action.triggered.connect(self.export)
        self.recent.open_requested.connect(self.open_recent)
        self._session.undo_stack.cleanChanged.connect(self._on_clean_changed)

    # ---- title -----------------------------------------------------------------------------

    def title(self) -> str:
        """The window title: the file's name, Qt's modified mark, the app."""
        return f"{self.display_name}[*] — {APP_NAME}"

    def _update_title(self) -> None:
        self.title_changed.emit(self.title())
        self.modified_changed.emit(self.is_modified())

    def is_modified(self) -> bool:
        return not self._session.undo_stack.isClean()

    def _on_clean_changed(self, clean: bool) -> None:
        if shiboken6.isValid(self):  # the stack also reports while the window is being destroyed
            self.modified_changed.emit(not clean)

    # ---- unsaved changes -------------------------------------------------------------------

    def _maybe_proceed(self, action: Callable[[], object]) -> None:
        """Run `action` (it replaces the work) once unsaved changes are saved or discarded; not on Cancel."""
        if not self.is_modified():
            action()
            return
        answer = self.dialogs.ask_save_changes(self.display_name)
        if answer == "discard":
            action()
        elif answer == "save":
            self._save_then(action)

    def _save_then(self, action: Callable[[], object]) -> None:
        path = self.path or self._ask_save_path()
        if path:
            self._save_in_background(path, then=action)

    # ---- New and Open -----------------------------------------------------------------

    def new(self) -> None:
        """Start an empty untitled workspace (after asking about unsaved changes). It is a request to
        replace the work once the user goes ahead: Cancel leaves a file still loading to open, and a
        New that waits for a save gives way to anything asked for meanwhile."""
        asked = self._latest_request

        def replace() -> None:
            if self._latest_request == asked:
                self._new_request()
                self._replace_with_empty()

        self._maybe_proceed(replace)

    def _new_request(self) -> Callable[[], bool]:
        """Start a request to replace the work (New, Open, an example); the answer says whether it is
        still the latest, so that a file still loading when the user asks for something else is dropped
        instead of replacing what they asked for later."""
        self._latest_request += 1
        request = self._latest_request
        return lambda: request == self._latest_request

    def _replace_with_empty(self) -> None:
        self._adopt(Workspace(()), path=None, display_name="untitled")

    def open(self) -> None:
        """Ask for a workspace file and open it."""
        path = self.dialogs.ask_open_path(self._start_folder())
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """Open a workspace file without blocking: read and validated in the background, then
        (after asking about unsaved changes) put in place. A bad file changes nothing."""
        path = os.path.abspath(path)
        name = os.path.basename(path)
        self._session.show_status(f"Opening {name}…")
        self._load_in_background(
            lambda: load_workspace(read_workspace(path), name),
            failed=lambda error: self._open_failed(path, error),
            install=lambda loaded: self._adopt_file(path, loaded),
        )

    def _load_in_background(
        self,
        load: Callable[[], tuple[Document, str | None]],
        failed: Callable[[BaseException], None],
        install: Callable[[tuple[Document, str | None]], None],
    ) -> None:
        """Open, as a request to replace the work: `load` runs on a worker thread; then, unless
        something else was asked for meanwhile, `failed(error)`, or `install(loaded)` once unsaved
        changes are dealt with."""
        latest = self._new_request()

        def done(loaded: Any, error: BaseException | None) -> None:
            if not latest():
                return
            if error is not None:
                failed(error)
                return
            self._maybe_proceed(lambda: install(loaded) if latest() else None)

        self.jobs.start("open", load, done)

    def open_workspace(self, path: str | os.PathLike[str]) -> bool:
        """Open a workspace file now (blocking; no question about unsaved changes).
        True if opened; otherwise the reason is shown and the current work is untouched."""
        path = os.path.abspath(os.fspath(path))
        self._new_request()
        try:
            loaded = load_workspace(read_workspace(path), os.path.basename(path))
        except WorkspaceFileError as error:
            self._open_failed(path, error)
            return False
        self._adopt_file(path, loaded)
        return True

    def _adopt_file(self, path: str, loaded: tuple[Document, str | None]) -> None:
        """A workspace file becomes the work's file; code or a picture opened as a workspace does
        not (Save must not write JSON over it): Save asks where, suggesting its name as .json."""
        name = os.path.basename(path)
        if Path(path).suffix.lower() == SUFFIX:
            self._install(loaded, path=path, display_name=name)
        else:
            count = f"{len(loaded[0])} value{'s' if len(loaded[0]) != 1 else ''}"
            status = f"Opened {name} ({count}) as a new workspace: Save asks where to keep it as a {SUFFIX} file"
            self._install(loaded, path=None, display_name=f"{name} (imported)", status=status)
        self.recent.add(path)

    def _adopt(
        self, workspace: Workspace, path: str | None, display_name: str, modified: bool = False, source: str = ""
    ) -> bool:
        """Put a workspace in the window (validated whole first), clear the undo history."""
        try:
            loaded = load_workspace(workspace, source or display_name)
        except WorkspaceFileError as error:
            self._report_open_failure(str(error))
            return False
        self._install(loaded, path, display_name, modified)
        return True

    def show_workspace(self, workspace: Workspace, display_name: str) -> bool:
        """Put a workspace made elsewhere (a graph built in code) in the window, untitled: Save asks where."""
        return self._adopt(workspace, None, display_name)

    def _install(
        self,
        loaded: tuple[Document, str | None],
        path: str | None,
        display_name: str,
        modified: bool = False,
        status: str = "",
    ) -> None:
        """Put a document built by `load_workspace` in the window and clear the undo history."""
        document, note = loaded
        count = len(document)
        self._session.document.take_over(document)
        self._generation += 1
        self._session.undo_stack.clear()
        self.recovery_keeper.discard()
        self.path = path
        self.display_name = display_name
        if modified:
            self._session.undo_stack.resetClean()
        self._update_title()
        self._session.workspace_replaced.emit()
        self._session.show_status(status or f"Opened {display_name} ({count} value{'s' if count != 1 else ''})")
        if note:
            self._session.show_error(note)
        self.opened.emit(path or "")

    def _open_failed(self, path: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, WorkspaceFileError) else f"{os.path.basename(path)}: {error!r}"
        if not os.path.exists(path) and path in self.recent_files():
            self.recent.remove(path)
            message = f"{os.path.basename(path)} no longer exists; it was removed from Open Recent"
        self._report_open_failure(message)

    def _report_open_failure(self, message: str) -> None:
        self._session.show_error(message)
        self.open_failed.emit(message)

    def open_example(self, name: str) -> None:
        """Open an untitled copy of a shipped example (Save asks where to save it). Read and computed
        in the background, like a file, then (after asking about unsaved changes) put in place."""
        self._load_in_background(
            lambda: load_workspace(read_example(name), f"{name}.json"),
            failed=lambda error: self._report_open_failure(f"the {name} example could not be read: {error}"),
            install=lambda loaded: self._install(loaded, None, f"{name} (example)"),
        )

    # ---- Save ----------------------------------------------------------------------------

    def save(self) -> None:
        """Save to the current file (in the background), or ask where if it has none."""
        if self.path is None:
            self.save_as()
        else:
            self._save_in_background(self.path)

    def save_as(self, then: Callable[[], object] | None = None) -> None:
        """Ask for a file name and save there (in the background)."""
        path = self._ask_save_path()
        if path:
            self._save_in_background(path, then)

    def _ask_save_path(self) -> str | None:
        suggested = self.path or os.path.join(self._start_folder(), self._suggested_stem() + SUFFIX)
        path = self.dialogs.ask_save_path(suggested)
        if not path:
            return None
        if not Path(path).suffix:
            path += SUFFIX
        return os.path.abspath(path)

    def _suggested_stem(self) -> str:
        """The name to suggest for a file of this work, without a suffix: the file's own name
        (`lecture1` for lecture1.json), an example's name, or `workspace` when untitled."""
        if self.path:
            return Path(self.path).stem
        stem = Path(self.display_name.split(" (")[0]).stem  # "lecture (example)", "mine.py"
        return stem if stem and stem != "untitled" else "workspace"

    def _save_in_background(self, path: str, then: Callable[[], object] | None = None) -> None:
        if self._saving:
            self._session.show_status("Still saving the previous version; try again in a moment")
            return
        parts = document_parts(self._session.document)
        state = self._work_state()
        self._set_saving(True)
        self._session.show_status(f"Saving {os.path.basename(path)}…")

        def done(_result: Any, error: BaseException | None) -> None:
            self._set_saving(False)
            if error is not None:
                self._save_failed(path, error)
                return
            self._saved(path, state)
            if then is not None:
                then()

        self.jobs.start("save", lambda: write_workspace(path, *parts), done)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        for action in (self.save_action, self.save_as_action):
            action.setEnabled(not saving)

    def save_workspace(self, path: str | os.PathLike[str]) -> bool:
        """Save the workspace to `path` now (blocking). True if saved; otherwise the reason is
        shown and any file already at `path` is left exactly as it was."""
        path = os.path.abspath(os.fspath(path))
        try:
            write_workspace(path, *document_parts(self._session.document))
        except WorkspaceFileError as error:
            self._save_failed(path, error)
            return False
        self._saved(path, self._work_state())
        return True

    def _work_state(self) -> tuple[int, int, object]:
        """What identifies the work as it is now, for a save to compare with once it is written: the
        document's generation, the undo index, and the command that led there, by identity (Undo then
        a new change reach the same index through another command, and the file lacks that change)."""
        undo_stack = self._session.undo_stack
        index = undo_stack.index()
        return self._generation, index, undo_stack.command(index - 1) if index > 0 else None

    def _saved(self, path: str, state: tuple[int, int, object]) -> None:
        undo_stack = self._session.undo_stack
        generation, index, command = state
        if generation == self._generation:
            self.path = path
            self.display_name = os.path.basename(path)
            _, index_now, command_now = self._work_state()
            if index_now == index and command_now is command:  # the work is still what was written
                undo_stack.setClean()
                self.recovery_keeper.discard()
            self._update_title()
        self.recent.add(path)
        self._session.show_status(f"Saved {os.path.basename(path)}")
        self.saved.emit(path)

    def _save_failed(self, path: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, WorkspaceFileError) else f"could not save {path}: {error!r}"
        if isinstance(error, ReadOnlyWorkspaceError):  # refused, as editors do, and the way out named
            message += "; Save As saves the work under another name"
        message = sentence(message)
        self._session.show_error(message)
        self.save_failed.emit(message)

    # ---- Export -------------------------------------------------------------------------

    def export(self) -> None:
        """Ask for the export options, then export in the background."""
        options = self._ask_export_options()
        if options is None:
            return
        self._remember_export(options)
        self.export_in_background(options)

    def export_in_background(self, options: ExportOptions) -> None:
        """Export without blocking; `exported(path)` or `export_failed(message)` follows."""
        document = self._session.document
        parts, grads = document_parts(document), document.grad_state()
        name = os.path.basename(options.path)
        self._session.show_status(f"Exporting {name}…")

        def done(note: Any, error: BaseException | None) -> None:
            if error is not None:
                self._export_failed(options.path, error)
                return
            self._exported(options.path, note if isinstance(note, str) else None)

        self.jobs.start("export", lambda: export_snapshot(parts, grads, options), done)

    def export_image(
        self,
        path: str | os.PathLike[str],
        rankdir: str | None = None,
        root: str | None = None,
        scale: float = 2.0,
    ) -> bool:
        """Export now (blocking); the format comes from the suffix: .png .svg .pdf .dot .py.
        True if written; otherwise the reason is shown and nothing is written."""
        options = ExportOptions(os.fspath(path), rankdir or self._rankdir(), root, scale)
        document = self._session.document
        try:
            note = export_snapshot(document_parts(document), document.grad_state(), options)
        except ExportError as error:
            self._export_failed(options.path, error)
            return False
        self._exported(options.path, note)
        return True

    def _exported(self, path: str, note: str | None) -> None:
        """Say the export is done, and how the picture was scaled down to fit its format when it was."""
        self._session.show_status(f"Exported {os.path.basename(path)}" + (f": {note}" if note else ""))
        self.exported.emit(path)

    def _export_failed(self, path: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, ExportError) else f"could not export {path}: {error!r}"
        message = sentence(message)
        self._session.show_error(message)
        self.export_failed.emit(message)

    def _ask_export_options(self) -> ExportOptions | None:
        settings = app_settings()
        folder = str(settings.value("export/folder", "") or "") or self._start_folder()
        suffix = str(settings.value("export/suffix", ".png") or ".png")
        suffix = suffix if suffix in EXPORT_FORMATS else ".png"
        try:
            scale = float(settings.value("export/scale", 2.0))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            scale = 2.0
        document = self._session.document
        return self.dialogs.ask_export_options(
            document.names,
            os.path.join(folder, self._suggested_stem() + suffix),
            self._rankdir(),
            min(max(scale, MIN_SCALE), MAX_SCALE),
            document.backward_root,
        )

    def _remember_export(self, options: ExportOptions) -> None:
        settings = app_settings()
        settings.setValue("export/folder", os.path.dirname(os.path.abspath(options.path)))
        settings.setValue("export/suffix", Path(options.path).suffix.lower())
        settings.setValue("export/scale", options.scale)

    # ---- recent files --------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """The recently opened or saved files, newest first (at most 8)."""
        return self.recent.paths()

    def open_recent(self, path: str) -> None:
        """Open a recent file; one that no longer exists is removed from the list with a message."""
        if not os.path.isfile(path):
            self.recent.remove(path)
            self._report_open_failure(f"{os.path.basename(path)} no longer exists; it was removed from Open Recent")
            return
        self.open_path(path)

    def _start_folder(self) -> str:
        if self.path:
            return os.path.dirname(self.path)
        recent = self.recent_files()
        return os.path.dirname(recent[0]) if recent else os.path.expanduser("~")

    # ---- drops, closing and recovery ---------------------------------------------------

    @staticmethod
    def dropped_workspace(mime: QMimeData | None) -> str | None:
        """The first local file among dropped data that opens as a workspace (.json, .py, an exported
        .png or .svg), or None."""
        urls = mime.urls() if mime is not None and mime.hasUrls() else []
        return first_openable([url.toLocalFile() for url in urls if url.isLocalFile()])

    def may_close(self) -> bool:
        """Whether the window may close now; asks about unsaved changes. After Save, the save runs in
        the background and `close_requested` follows once it is done."""
        if self._close_confirmed or not self.is_modified():
            self.recovery_keeper.discard()
            return True
        answer = self.dialogs.ask_save_changes(self.display_name)
        if answer == "discard":
            self.recovery_keeper.discard()
            return True
        if answer == "save":
            self._save_then(self._close_after_save)
        return False

    def _close_after_save(self) -> None:
        self._close_confirmed = True
        self.close_requested.emit()

    def write_recovery(self) -> None:
        """Write the recovery copy of unsaved work now (in the background)."""
        self.recovery_keeper.write()

    def offer_recovery(self) -> bool:
        """Offer to restore work left unsaved by a window that crashed; True if restored."""

        def restore(workspace: Workspace, path: str | None, name: str) -> bool:
            return self._adopt(workspace, path, name, modified=True, source="the recovered work")

        return self.recovery_keeper.offer(self.dialogs.ask_restore_recovery, restore)
