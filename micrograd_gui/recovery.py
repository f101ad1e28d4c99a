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
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

from micrograd_gui.document import Definition, Group
from micrograd_gui.workspace_file import (
    Workspace,
    WorkspaceFileError,
    dumps,
    parse_json,
    workspace_from_object,
    write_atomic,
)

FORMAT = "micrograd-gui-recovery"
VERSION = 1
LOCK_SUFFIX = ".lock"


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

    @property
    def original_name(self) -> str:
        return os.path.basename(self.original_path) if self.original_path else "an untitled workspace"


def recovery_text(
    definitions: Sequence[Definition],
    backward_from: str | None,
    original_path: str | None,
    groups: Sequence[Group] = (),
) -> str:
    """The recovery file's text; the workspace part is a workspace file's text, written the fast way."""
    workspace = dumps(definitions, backward_from, groups).rstrip("\n")
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
    ) -> None:
        """Write (atomically) the recovery file; raises OSError."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            lock = QLockFile(str(self.path) + LOCK_SUFFIX)
            lock.setStaleLockTime(0)  # held as long as the window lives; stale only when its process is gone
            if lock.tryLock(0):
                self._lock = lock
        write_atomic(self.path, recovery_text(definitions, backward_from, original_path, groups).encode("utf-8"))

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


def pending_recoveries(directory: Path | None = None) -> list[RecoveryInfo]:
    """The recovery files left by windows that are gone, newest first."""
    folder = directory if directory is not None else recovery_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.json"):
        if _owner_alive(path):
            continue
        try:
            stat = path.stat()
            obj = parse_json(path.read_bytes(), path.name)
        except (OSError, WorkspaceFileError):
            found.append(RecoveryInfo(path, None, _mtime(path), 0))
            continue
        original = obj.get("original_path") if isinstance(obj, dict) else None
        workspace = obj.get("workspace") if isinstance(obj, dict) else None
        values = workspace.get("values") if isinstance(workspace, dict) else None
        found.append(
            RecoveryInfo(
                path,
                original if isinstance(original, str) else None,
                stat.st_mtime,
                len(values) if isinstance(values, list) else 0,
            )
        )
    return sorted(found, key=lambda info: info.saved_at, reverse=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_recovery(info: RecoveryInfo) -> Workspace:
    """The workspace in a recovery file, validated, or WorkspaceFileError."""
    source = "the recovered work"
    try:
        data = info.path.read_bytes()
    except OSError as error:
        raise WorkspaceFileError(f"{source} could not be read ({error.strerror or error})") from None
    obj = parse_json(data, source)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise WorkspaceFileError(f"{source}: it is not a micrograd-gui recovery file")
    version = obj.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version > VERSION:
        raise WorkspaceFileError(f"{source}: it was written by another version of micrograd-gui")
    return workspace_from_object(obj.get("workspace"), source)


def discard_recovery(info: RecoveryInfo) -> None:
    """Remove a recovery file and its stale lock."""
    for path in (info.path, Path(str(info.path) + LOCK_SUFFIX)):
        try:
            path.unlink()
        except OSError:
            pass
