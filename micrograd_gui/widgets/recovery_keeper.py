"""Crash recovery in the window: unsaved work is copied to the recovery folder at most every 30 s,
in the background, removed once the work is saved or discarded, and offered back after a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from micrograd_gui.recovery import RecoveryFile, RecoveryInfo, discard_recovery, read_recovery, scan_recoveries
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.widgets.background_jobs import BackgroundJobs
from micrograd_gui.workspace_file import Workspace, WorkspaceFileError, shown_name

RECOVERY_INTERVAL_MS = 30_000


class RecoveryKeeper(QObject):
    """Keeps `recovery` (this window's RecoveryFile) in step with the session's unsaved changes.

    The undo stack's clean state says whether there are any. `original_path()` names the file the
    work belongs to (None when untitled). Emits `recovery_written(path)` after each write.
    """

    recovery_written = Signal(str)

    def __init__(
        self,
        session: WorkspaceSession,
        jobs: BackgroundJobs,
        original_path: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._jobs = jobs
        self._original_path = original_path
        self.recovery = RecoveryFile()
        self.interval_ms = RECOVERY_INTERVAL_MS
        self._writing = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.write)
        session.undo_stack.cleanChanged.connect(self._on_clean_changed)
        session.undo_stack.indexChanged.connect(self._on_index_changed)

    def is_modified(self) -> bool:
        return not self._session.undo_stack.isClean()

    def discard(self) -> None:
        """The work was saved, replaced or discarded: no copy is needed any more."""
        self.timer.stop()
        self.recovery.remove()

    @Slot()
    def write(self) -> None:
        """Write the recovery file in the background (the timer calls this while there are unsaved changes)."""
        if not self.is_modified():
            return
        if self._writing:
            self._schedule()
            return
        document = self._session.document
        definitions, root, original = document.definitions, document.backward_root, self._original_path()
        groups, data, training = document.groups, document.data_table, document.training
        self._writing = True
        recovery = self.recovery

        def done(_result: Any, error: BaseException | None) -> None:
            self._writing = False
            if not self.is_modified():
                recovery.remove()
            elif error is not None:
                self._session.show_status(f"The recovery copy could not be written: {error}")
            else:
                self.recovery_written.emit(str(recovery.path))

        self._jobs.start("recovery", lambda: recovery.write(definitions, root, original, groups, data, training), done)

    def offer(
        self,
        ask: Callable[[RecoveryInfo], bool],
        restore: Callable[[Workspace, str | None, str], bool],
    ) -> bool:
        """Offer to restore work left unsaved by a window that crashed; True if restored. `ask(info)`
        asks the user; `restore(workspace, original_path, display_name)` puts it in the window.
        The files declined are deleted; after a restore the others wait for the next start. Entries
        of the folder that are not good recovered work are set aside once, with one message."""
        scan = scan_recoveries(self.recovery.directory)
        set_aside = scan.message()
        if set_aside:
            self._session.show_error(sentence(set_aside))
        for info in scan.offered:
            if not ask(info):
                discard_recovery(info)
                continue
            try:
                workspace = read_recovery(info)
            except WorkspaceFileError as error:
                self._session.show_error(str(error))
                discard_recovery(info)
                continue
            name = shown_name(info.original_path) if info.original_path else "untitled"  # from the file: escaped
            if restore(workspace, info.original_path, name):
                self._session.show_status(f"Restored the unsaved work on {info.original_name}: save it to keep it")
                discard_recovery(info)
                self.write()
                return True
            discard_recovery(info)
        return False

    def _schedule(self) -> None:
        if not self.timer.isActive():
            self.timer.start(self.interval_ms)

    def _alive(self) -> bool:
        # The undo stack emits while the window is being destroyed: nothing to update then.
        return shiboken6.isValid(self) and shiboken6.isValid(self._session.undo_stack)

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        if not self._alive():
            return
        if clean:
            self.timer.stop()
            if not self._writing:
                self.recovery.remove()
        else:
            self._schedule()

    @Slot(int)
    def _on_index_changed(self, _index: int) -> None:
        if self._alive() and self.is_modified():
            self._schedule()
