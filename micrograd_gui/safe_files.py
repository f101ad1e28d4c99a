"""Files read and written safely, for every file the app touches. Qt-free.

Only regular files are read or written: a named pipe or a device is refused before it can
block anything, and a read is capped in size. Writing is atomic (a temporary file beside the
target, flushed, then renamed over it), keeps the file's permissions, writes through a
symbolic link to the file it names, and refuses a read-only file. A temporary left by a save
that was killed half way is removed by a later save to the same folder.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from pathlib import Path


class NotRegularFileError(OSError):
    """A path that names a pipe, a device, a socket or a folder where a file was expected."""


class ReadOnlyFileError(PermissionError):
    """A file whose permissions say it is not to be written."""


class FileTooLargeError(OSError):
    """A file larger than the reader accepts; `size` is its size in bytes."""

    def __init__(self, size: int, filename: str) -> None:
        super().__init__(27, "it is too large", filename)  # errno 27 is EFBIG
        self.size = size


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words ('' when unknown)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return ""


def _not_regular(mode: int, filename: str) -> OSError:
    if stat.S_ISDIR(mode):
        return IsADirectoryError(21, "it is a folder", filename)
    kind = _kind(mode)
    return NotRegularFileError(22, f"it is {kind}, not a file" if kind else "it is not a regular file", filename)


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file at `path` (a symbolic link is followed), at most `max_bytes`.

    The file is opened without blocking and checked before anything is read, so a named pipe
    or a device refuses at once (NotRegularFileError) instead of hanging or reading forever;
    a larger file is FileTooLargeError, unread. Other failures are the usual OSError.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise _not_regular(status.st_mode, os.fspath(path))
        if status.st_size > max_bytes:
            raise FileTooLargeError(status.st_size, os.fspath(path))
        chunks = []
        remaining = max_bytes + 1  # a file that grew after fstat is still caught
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise FileTooLargeError(len(data), os.fspath(path))
    return data


# Temporary files are short (a name near the 255-byte limit must still save) and carry one
# prefix, so that those left by a save that was killed half way are found and removed later.
TEMPORARY_PREFIX = ".micrograd-gui-"
TEMPORARY_SUFFIX = ".tmp"
STALE_TEMPORARY_SECONDS = 15 * 60  # no save takes this long; a younger one may still be writing
_TEMPORARY = re.compile(re.escape(TEMPORARY_PREFIX) + r"[0-9a-f]{12}" + re.escape(TEMPORARY_SUFFIX))
_OLD_TEMPORARY_TAIL = re.compile(r"\.[0-9a-f]{12}\.tmp")  # .NAME.<hex>.tmp, the form earlier versions used


def write_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to `path` replaces: the file a symbolic link points to, or `path` itself.

    Raises OSError for what must not be replaced: a folder (IsADirectoryError), a pipe or a
    device (NotRegularFileError), a read-only file (ReadOnlyFileError).
    """
    target = Path(path)
    if os.path.islink(target):
        target = Path(os.path.realpath(target))
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(status.st_mode):
        raise _not_regular(status.st_mode, str(target))
    # The mode bits as well as access(): for root, access() allows everything.
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise ReadOnlyFileError(13, "it is read-only", str(target))
    return target


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` so that the file is either the old one or the whole new one.

    The bytes go to a temporary file in the same directory, are flushed to disk,
    then replace the target in one step. Through a symbolic link the file it points
    to is replaced and the link kept. Raises OSError (the old file untouched), as
    `write_target` does for a target that must not be replaced.
    """
    target = write_target(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode: int | None = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        mode = None  # a new file: os.open applies the umask (os.umask itself is not thread-safe)
    fd, temporary = _create_temporary(directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_directory(directory)
    remove_stale_temporaries(directory, target.name)


def _create_temporary(directory: Path) -> tuple[int, str]:
    """A new, uniquely named file beside the target, created with the usual permissions."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = str(directory / f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}{TEMPORARY_SUFFIX}")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary file name", str(directory))


def remove_stale_temporaries(directory: Path, name: str = "", now: float | None = None) -> int:
    """Remove this program's temporary files in `directory` that no save is still writing
    (untouched for STALE_TEMPORARY_SECONDS): what a save killed half way leaves. `name`
    also matches the older `.NAME.<hex>.tmp` form for that file. Returns how many went."""
    cutoff = (time.time() if now is None else now) - STALE_TEMPORARY_SECONDS
    old_prefix = f".{name}" if name else None
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.endswith(TEMPORARY_SUFFIX) or not entry.name.startswith("."):
            continue  # most entries: not a temporary of any kind
        ours = _TEMPORARY.fullmatch(entry.name) or (
            old_prefix is not None
            and entry.name.startswith(old_prefix)
            and _OLD_TEMPORARY_TAIL.fullmatch(entry.name, len(old_prefix))
        )
        if not ours:
            continue
        try:
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(status.st_mode) and status.st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _sync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def describe_os_error(error: OSError) -> str:
    """A short reason for a failed file operation: 'permission denied', 'no such folder', ..."""
    if isinstance(error, (NotRegularFileError, ReadOnlyFileError, FileTooLargeError)) and error.strerror:
        return error.strerror
    if isinstance(error, IsADirectoryError):
        return "it is a folder"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "the folder does not exist"
    reason = error.strerror or str(error) or type(error).__name__
    return reason[:1].lower() + reason[1:]
