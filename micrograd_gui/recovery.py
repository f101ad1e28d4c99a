"""Crash recovery files: unsaved work kept on disk so a crash loses at most a few seconds.

While a window has unsaved changes it writes a recovery file (the workspace and
the path of the file it came from) to `<AppDataLocation>/recovery/`, and removes
it when the work is saved or the window closes normally. Each window holds a
`QLockFile` beside its recovery file, so at the next start only the files of
windows that are gone (crashed, killed) are offered, never those of another
running instance.

A recovery file::

    {"format": "micrograd-gui-recovery", "version": 1, "original_path": "/home/me/lecture.json",
     "workspace": { ...a workspace file's object... }}

The folder is read before the window's event loop runs, so nothing in it may block or
exhaust memory: only regular files of at most MAX_RECOVERY_BYTES are read (opened without
blocking). An entry that is not a good recovery file (a folder, a pipe, a link to a device,
too large, not a recovery file, an invalid workspace) is set aside once, renamed to
`NAME.unreadable`, and reported in one message: it is never offered again.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, Group
from micrograd_gui.messages import shown_text
from micrograd_gui.safe_files import describe_os_error, read_regular_file, write_atomic
from micrograd_gui.workspace_file import (
    MAX_FILE_BYTES,
    Workspace,
    WorkspaceFileError,
    dumps,
    parse_json,
    shown_name,
    workspace_from_object,
)

FORMAT = "micrograd-gui-recovery"
VERSION = 1
LOCK_SUFFIX = ".lock"
SET_ASIDE_SUFFIX = ".unreadable"
MAX_RECOVERY_BYTES = MAX_FILE_BYTES + 2**20  # the largest workspace and the recovery file's own lines


def recovery_dir() -> Path:
    """Where recovery files live: the app's data folder, then recovery/."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not base:
        base = os.path.join(os.path.expanduser("~"), ".micrograd-gui")
    return Path(base) / "recovery"


@dataclass(frozen=True)
class RecoveryInfo:
    """A recovery file left by a window that is gone: where it is, the file its work came from
    (None for an untitled workspace), when it was written and how many values it holds."""

    path: Path
    original_path: str | None
    saved_at: float
    value_count: int
    workspace: Workspace | None = field(default=None, compare=False, repr=False)  # as read when the folder was scanned

    @property
    def original_name(self) -> str:
        """The file's name as a message shows it (it comes from the recovery file: escaped)."""
        return shown_name(self.original_path) if self.original_path else "an untitled workspace"


def recovery_text(
    definitions: Sequence[Definition],
    backward_from: str | None,
    original_path: str | None,
    groups: Sequence[Group] = (),
    data: DataTable | None = None,
    training: TrainingSettings | None = None,
) -> str:
    """The recovery file's text; the workspace part is a workspace file's text, written the fast way."""
    workspace = dumps(definitions, backward_from, groups, data, training).rstrip("\n")
    head = f'{{"format": {json.dumps(FORMAT)}, "version": {VERSION}, "original_path": {json.dumps(original_path)},'
    return f'{head}\n"workspace": {workspace}}}\n'


class RecoveryFile:
    """The recovery file of one window. `write` may run in a worker thread; `remove` in any."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else recovery_dir()
        self.path = self.directory / f"{uuid.uuid4().hex}.json"
        self._lock: QLockFile | None = None

    def write(
        self,
        definitions: Sequence[Definition],
        backward_from: str | None,
        original_path: str | None,
        groups: Sequence[Group] = (),
        data: DataTable | None = None,
        training: TrainingSettings | None = None,
    ) -> None:
        """Write (atomically) the recovery file; raises OSError."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            lock = QLockFile(str(self.path) + LOCK_SUFFIX)
            lock.setStaleLockTime(0)  # held as long as the window lives; stale only when its process is gone
            if lock.tryLock(0):
                self._lock = lock
        text = recovery_text(definitions, backward_from, original_path, groups, data, training)
        write_atomic(self.path, text.encode("utf-8"))

    def exists(self) -> bool:
        return self.path.exists()

    def remove(self) -> None:
        """Remove the recovery file (the work was saved or deliberately dropped)."""
        try:
            self.path.unlink()
        except OSError:
            pass
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def _owner_alive(path: Path) -> bool:
    lock = QLockFile(str(path) + LOCK_SUFFIX)
    lock.setStaleLockTime(0)
    if lock.tryLock(0):  # the lock was free or stale (its process is gone)
        lock.unlock()
        return False
    return lock.error() == QLockFile.LockError.LockFailedError


@dataclass(frozen=True)
class RecoveryScan:
    """What the recovery folder holds for this start: the recovery files to offer, newest first,
    and the names of the entries that were set aside (renamed to NAME.unreadable) as bad."""

    offered: list[RecoveryInfo]
    set_aside: list[str]

    def message(self) -> str | None:
        """One message about the entries set aside, or None when there were none."""
        if not self.set_aside:
            return None
        names = ", ".join(self.set_aside[:3]) + (
            f" and {len(self.set_aside) - 3} more" if len(self.set_aside) > 3 else ""
        )
        entries = "entry" if len(self.set_aside) == 1 else "entries"
        return (
            f"{len(self.set_aside)} {entries} in the recovery folder could not be read as unsaved work and"
            f" {'was' if len(self.set_aside) == 1 else 'were'} set aside (renamed to *{SET_ASIDE_SUFFIX}): {names}"
        )


class _BadEntryError(Exception):
    """An entry of the recovery folder that is not a recovery file this version can restore."""


def _read_entry(path: Path) -> RecoveryInfo:
    """A recovery file, read and validated whole without following links or blocking, or _BadEntryError."""
    source = "the recovered work"
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode):  # a folder, a pipe, a link: never written by this program
            raise _BadEntryError("not a file")
        data = read_regular_file(path, MAX_RECOVERY_BYTES)
    except OSError as error:
        raise _BadEntryError(describe_os_error(error)) from None
    try:
        obj = parse_json(data, source)
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise _BadEntryError("not a micrograd-gui recovery file")
        version = obj.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version > VERSION:
            raise _BadEntryError("written by another version of micrograd-gui")
        workspace = workspace_from_object(obj.get("workspace"), source)
    except WorkspaceFileError as error:
        raise _BadEntryError(str(error)) from None
    original = obj.get("original_path")
    return RecoveryInfo(
        path,
        original if isinstance(original, str) else None,
        status.st_mtime,
        len(workspace.definitions),
        workspace,
    )


def _set_aside(path: Path) -> None:
    """Move a bad entry out of the way for good: renamed so that no later start reads it, else removed."""
    target = path.with_name(path.name + SET_ASIDE_SUFFIX)
    number = 1
    while os.path.lexists(target) and number < 100:
        number += 1
        target = path.with_name(f"{path.name}.{number}{SET_ASIDE_SUFFIX}")
    try:
        os.rename(path, target)
    except OSError:
        try:
            os.unlink(path)  # a folder that cannot be renamed stays, and is reported again
        except OSError:
            pass
    try:
        os.unlink(str(path) + LOCK_SUFFIX)
    except OSError:
        pass


def scan_recoveries(directory: Path | None = None) -> RecoveryScan:
    """The recovery files left by windows that are gone, and the bad entries set aside meanwhile."""
    folder = directory if directory is not None else recovery_dir()
    try:
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError:
        paths = []
    found: list[RecoveryInfo] = []
    set_aside: list[str] = []
    for path in paths:
        if _owner_alive(path):
            continue
        try:
            found.append(_read_entry(path))
        except _BadEntryError:
            _set_aside(path)
            set_aside.append(shown_name(path))
    return RecoveryScan(sorted(found, key=lambda info: info.saved_at, reverse=True), set_aside)


def pending_recoveries(directory: Path | None = None) -> list[RecoveryInfo]:
    """The recovery files left by windows that are gone, newest first (bad entries are set aside:
    see `scan_recoveries`)."""
    return scan_recoveries(directory).offered


def read_recovery(info: RecoveryInfo) -> Workspace:
    """The workspace in a recovery file, validated, or WorkspaceFileError."""
    if info.workspace is not None:
        return info.workspace
    try:
        return _read_entry(info.path).workspace or Workspace(())
    except _BadEntryError as problem:
        raise WorkspaceFileError(f"the recovered work could not be read ({shown_text(problem, 200)})") from None


def discard_recovery(info: RecoveryInfo) -> None:
    """Remove a recovery file and its stale lock."""
    for path in (info.path, Path(str(info.path) + LOCK_SUFFIX)):
        try:
            path.unlink()
        except OSError:
            pass
