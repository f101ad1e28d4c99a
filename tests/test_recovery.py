"""The crash-recovery folder: what a start reads from it, and what it sets aside."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from micrograd_gui.document import Definition
from micrograd_gui.recovery import (
    MAX_RECOVERY_BYTES,
    RecoveryFile,
    RecoveryScan,
    read_recovery,
    scan_recoveries,
)


def crashed_recovery(directory: Path, original: str | None = "/home/me/work.json") -> Path:
    """A recovery file as a crashed window leaves it: no live lock beside it."""
    crashed = RecoveryFile(directory)
    crashed.write((Definition("a", data=2.0), Definition("b", "+", ("a", "a"))), "b", original)
    assert crashed._lock is not None
    crashed._lock.unlock()
    return crashed.path


def scan_in_a_thread(directory: Path, fifo: Path) -> RecoveryScan:
    """Scan, failing (not hanging the suite) if the scan waits on the pipe."""
    outcome: list[RecoveryScan] = []
    thread = threading.Thread(target=lambda: outcome.append(scan_recoveries(directory)), daemon=True)
    thread.start()
    thread.join(timeout=5)
    if thread.is_alive():
        with open(fifo, "wb"):  # unblock the reader so that the suite goes on
            pass
        thread.join(timeout=5)
        pytest.fail("the scan waited on a named pipe")
    return outcome[0]


def test_a_good_recovery_file_is_offered_with_its_workspace(tmp_path):
    """A crashed window's recovery file is offered once read whole; restoring needs no second read."""
    path = crashed_recovery(tmp_path)
    scan = scan_recoveries(tmp_path)
    assert scan.set_aside == [] and scan.message() is None
    (info,) = scan.offered
    assert (info.path, info.original_path, info.value_count) == (path, "/home/me/work.json", 2)
    path.unlink()
    assert [d.name for d in read_recovery(info).definitions] == ["a", "b"]


def test_a_named_pipe_in_the_folder_is_set_aside_without_waiting(tmp_path):
    """A FIFO named like a recovery file would block the start before the window shows: set aside at once."""
    fifo = tmp_path / "0123.json"
    os.mkfifo(fifo)
    good = crashed_recovery(tmp_path)
    scan = scan_in_a_thread(tmp_path, fifo)
    assert [info.path for info in scan.offered] == [good]
    assert scan.set_aside == ["0123.json"]
    assert not fifo.exists() and (tmp_path / "0123.json.unreadable").exists()


def test_a_link_to_a_device_a_folder_and_a_huge_file_are_set_aside_once(tmp_path):
    """A link to a device (/dev/zero read whole exhausts memory), a folder and an oversized file are set aside
    with one message, and the next start neither offers nor mentions them."""
    (tmp_path / "zero.json").symlink_to(os.devnull)
    (tmp_path / "folder.json").mkdir()
    with open(tmp_path / "huge.json", "wb") as handle:
        handle.truncate(MAX_RECOVERY_BYTES + 1)
    scan = scan_recoveries(tmp_path)
    assert scan.offered == []
    assert sorted(scan.set_aside) == ["folder.json", "huge.json", "zero.json"]
    message = scan.message()
    assert message is not None and "3 entries in the recovery folder" in message and "set aside" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "folder.json.unreadable",
        "huge.json.unreadable",
        "zero.json.unreadable",
    ]
    again = scan_recoveries(tmp_path)
    assert again.offered == [] and again.set_aside == []


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"format": "micrograd-gui-recovery", "version": 1, "workspace": 3}',
        '{"format": "something else", "version": 1, "workspace": {}}',
        '{"format": "micrograd-gui-recovery", "version": 99, "workspace": {}}',
        '{"format": "micrograd-gui-recovery", "version": 1, "workspace": {"format": "micrograd-gui-workspace",'
        ' "version": 1, "values": [{"name": "2x", "data": 1}]}}',
    ],
)
def test_a_file_that_is_not_good_recovered_work_is_set_aside_not_offered(text, tmp_path):
    """Unreadable content is found when the folder is scanned, not after the user said Restore."""
    (tmp_path / "bad.json").write_text(text)
    scan = scan_recoveries(tmp_path)
    assert scan.offered == [] and scan.set_aside == ["bad.json"]
    assert (tmp_path / "bad.json.unreadable").read_text() == text


def test_the_original_name_from_a_recovery_file_is_escaped(tmp_path):
    """The file name inside a recovery file is the file's text: a message shows it escaped."""
    crashed_recovery(tmp_path, "/home/me/\x1b]0;pwned\x07.json")
    (info,) = scan_recoveries(tmp_path).offered
    assert info.original_name == "\\x1b]0;pwned\\x07.json"
