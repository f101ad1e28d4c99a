"""The File menu in the window: open, save, export, recent files, examples, drops, unsaved changes, recovery."""

from __future__ import annotations

import html
import json
import os
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import Definition
from micrograd_gui.exporting import ExportOptions
from micrograd_gui.recovery import RecoveryFile, pending_recoveries
from micrograd_gui.widgets.export_dialog import ExportDialog
from micrograd_gui.workspace_file import document_text, load_document
from tests.workspaces import OVERFLOWING_BACKWARD

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "resources" / "examples"
LECTURE = EXAMPLES_DIR / "lecture.json"
REUSE = EXAMPLES_DIR / "reuse.json"
CORRUPT = ROOT / "tests" / "data" / "corrupt"
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".svg": b"<?xml", ".dot": b"digraph", ".py": b'"""'}


@pytest.fixture
def files(window, tmp_path):
    """The window's FileActions, with its recovery file in a folder of this test's own."""
    actions = window.file_actions
    actions.recovery_keeper.recovery = RecoveryFile(tmp_path / "recovery")
    window.answers = []

    def ask_save_changes(display_name: str) -> str:
        window.answers.append("asked")
        return window.next_answer

    window.next_answer = "cancel"
    window.dialogs.ask_save_changes = ask_save_changes
    return actions


def action(window, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def modify(window, name: str = "z", data: float = 1.0) -> None:
    """Make an unsaved change the way the app does: push a command."""
    assert window.push(AddDefinitions, window.document, [Definition(name, data=data)])


def state(window) -> tuple[str, int, int, bool]:
    """What must stay the same when something is refused: the workspace, the undo history, the modified mark."""
    return (
        document_text(window.document),
        window.undo_stack.count(),
        window.undo_stack.index(),
        window.isWindowModified(),
    )


# ---- actions and title -------------------------------------------------------------------


def test_file_actions_have_names_and_standard_shortcuts(window, files):
    """Open, Save and Export exist with their object names and keys; File has Open Recent and Examples."""
    assert action(window, "actionOpen").shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert action(window, "actionSave").shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert action(window, "actionExport").shortcut() == QKeySequence("Ctrl+E")
    assert action(window, "actionNew").shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    menus = [a.menu() for a in window.file_menu.actions() if a.menu() is not None]
    assert [m.objectName() for m in menus] == ["recentMenu", "examplesMenu"]
    examples = window.findChild(QMenu, "examplesMenu")
    assert [a.objectName() for a in examples.actions()] == [
        "actionExampleLecture",
        "actionExampleNeuron",
        "actionExampleReuse",
        "actionExampleNeuronExp",
        "actionExampleMlp",
        "actionExampleMoonsNet",
        "actionExampleLineNeuron",
    ]
    assert window.file_menu.actions()[-1] is window.quit_action


def test_title_shows_the_file_and_a_modified_mark(window, files):
    """The title names the open file; an unsaved change sets the modified mark; undoing it clears the mark."""
    assert window.windowTitle() == "untitled[*] — micrograd-gui"
    assert window.open_workspace(LECTURE)
    assert window.windowTitle() == "lecture.json[*] — micrograd-gui"
    assert not window.isWindowModified()
    modify(window)
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert not window.isWindowModified()


# ---- open -------------------------------------------------------------------------------


def test_open_workspace_replaces_the_document_and_clears_undo(window, files):
    """open_workspace puts the file's values in the window and starts a fresh undo history."""
    modify(window, "old")
    assert window.open_workspace(LECTURE)
    assert window.document.names == ["a", "b", "c", "e", "d", "f", "L"]
    assert window.document.data("L") == -8.0
    assert window.undo_stack.count() == 0
    assert files.path == str(LECTURE)
    assert files.recent_files() == [str(LECTURE)]


def test_open_action_reads_in_the_background(window, files, qtbot):
    """File > Open asks for a path, reads it off the UI thread, then shows it."""
    window.dialogs.ask_open_path = lambda folder: str(LECTURE)
    with qtbot.waitSignal(files.opened, timeout=10_000) as opened:
        action(window, "actionOpen").trigger()
    assert opened.args == [str(LECTURE)]
    assert window.document.names[-1] == "L"
    assert window.errors == []


def test_opening_a_file_computes_it_off_the_ui_thread(window, files, qtbot, monkeypatch):
    """The maths of a file being opened (every value, its backward) runs on the worker thread;
    the UI thread only takes the finished document over."""
    from micrograd_gui import document as document_module

    threads: list[str] = []
    compute = document_module.compute

    def recording_compute(definitions):
        threads.append(threading.current_thread().name)
        return compute(definitions)

    monkeypatch.setattr(document_module, "compute", recording_compute)
    with qtbot.waitSignal(files.opened, timeout=10_000):
        files.open_path(str(LECTURE))
    assert window.document.value("L").data == -8.0
    assert threads and threading.main_thread().name not in threads


def test_an_example_is_read_and_computed_off_the_ui_thread(window, files, qtbot, monkeypatch):
    """File > Examples reads the shipped file and computes it on a worker thread, as File > Open does."""
    from micrograd_gui import document as document_module
    from micrograd_gui import workspace_file

    threads: list[str] = []
    compute, example_bytes = document_module.compute, workspace_file.example_bytes

    def recording(function):
        def record(*args):
            threads.append(threading.current_thread().name)
            return function(*args)

        return record

    monkeypatch.setattr(document_module, "compute", recording(compute))
    monkeypatch.setattr(workspace_file, "example_bytes", recording(example_bytes))
    with qtbot.waitSignal(files.opened, timeout=10_000):
        action(window, "actionExampleReuse").trigger()
    assert window.windowTitle().startswith("reuse (example)")
    assert len(threads) >= 2 and threading.main_thread().name not in threads


def slow_reads(monkeypatch, name: str) -> threading.Event:
    """Make reading `name` wait until the returned event is set (reads of other files go on)."""
    from micrograd_gui.widgets import file_actions

    release = threading.Event()
    read = file_actions.read_workspace

    def waiting_read(path):
        if os.path.basename(path) == name:
            assert release.wait(10)
        return read(path)

    monkeypatch.setattr(file_actions, "read_workspace", waiting_read)
    return release


@pytest.mark.parametrize("then", ["example", "new", "open"])
def test_a_file_still_loading_is_dropped_when_something_else_is_asked_for(window, files, qtbot, monkeypatch, then):
    """Open a slow file, then ask for an example, New or another file: what was asked for last stays,
    even when the slow file finishes after it."""
    release = slow_reads(monkeypatch, "lecture.json")
    files.open_path(str(LECTURE))
    if then == "example":
        with qtbot.waitSignal(files.opened, timeout=10_000):
            action(window, "actionExampleNeuron").trigger()
        expected_title, expected_last = "neuron (example)", "o"
    elif then == "new":
        action(window, "actionNew").trigger()
        expected_title, expected_last = "untitled", None
    else:
        with qtbot.waitSignal(files.opened, timeout=10_000):
            files.open_path(str(REUSE))
        expected_title, expected_last = "reuse.json", window.document.names[-1]
    finished = []
    files.jobs.job_finished.connect(lambda *args: finished.append(args))
    release.set()
    qtbot.waitUntil(lambda: finished != [], timeout=10_000)
    qtbot.wait(50)
    assert window.windowTitle().startswith(expected_title)
    assert (window.document.names[-1] if len(window.document) else None) == expected_last
    assert str(LECTURE) not in files.recent_files()


def test_new_cancelled_at_the_question_leaves_a_loading_file_to_open(window, files, qtbot, monkeypatch):
    """Open a slow file, then New, then Cancel at the unsaved-changes question: New was not asked for
    after all, so the file opens when it is read (after the same question, answered Discard)."""
    modify(window)
    release = slow_reads(monkeypatch, "lecture.json")
    files.open_path(str(LECTURE))
    window.next_answer = "cancel"
    action(window, "actionNew").trigger()
    assert "z" in window.document
    window.next_answer = "discard"
    with qtbot.waitSignal(files.opened, timeout=10_000):
        release.set()
    assert window.windowTitle().startswith("lecture.json") and window.answers == ["asked", "asked"]


def test_new_waiting_for_a_save_gives_way_to_a_file_opened_meanwhile(window, files, qtbot, monkeypatch, tmp_path):
    """New with Save first waits for the save; a file opened in the meantime (Discard) stays open
    when the save ends, instead of New emptying the window after it."""
    from micrograd_gui.widgets import file_actions

    modify(window, "kept", 4.5)
    release = threading.Event()
    write = file_actions.write_workspace

    def slow_write(*args, **kwargs):
        assert release.wait(10)
        return write(*args, **kwargs)

    monkeypatch.setattr(file_actions, "write_workspace", slow_write)
    window.dialogs.ask_save_path = lambda suggested: str(tmp_path / "kept.json")
    window.next_answer = "save"
    action(window, "actionNew").trigger()
    window.next_answer = "discard"
    with qtbot.waitSignal(files.opened, timeout=10_000):
        files.open_path(str(REUSE))
    with qtbot.waitSignal(files.saved, timeout=10_000):
        release.set()
    qtbot.wait(50)
    assert window.windowTitle().startswith("reuse.json") and "kept" not in window.document
    assert load_document(tmp_path / "kept.json").names == ["kept"]


def test_an_example_that_cannot_be_read_changes_nothing(window, files, qtbot, monkeypatch):
    """If a shipped example cannot be read, the message says so and the work stays as it was."""
    from micrograd_gui import workspace_file

    modify(window)
    before = state(window)

    def unreadable(name):
        raise OSError(f"{name}.json: permission denied")

    monkeypatch.setattr(workspace_file, "example_bytes", unreadable)
    with qtbot.waitSignal(files.open_failed, timeout=10_000) as failed:
        action(window, "actionExampleLecture").trigger()
    assert failed.args == ["the lecture example could not be read: lecture.json: permission denied"]
    assert window.errors[-1] == failed.args[0]
    assert window.answers == [] and state(window) == before


def test_opening_a_file_with_backward_from_shows_its_grads(window, files, tmp_path):
    """A file saved after a backward pass opens with the same grads."""
    document = load_document(LECTURE)
    document.backward("L")
    path = tmp_path / "with_grads.json"
    path.write_text(document_text(document))
    assert window.open_workspace(path)
    assert window.document.backward_root == "L"
    assert window.document.grad("a") == 6.0


def test_each_corrupt_file_leaves_the_current_work_untouched(window, files):
    """Each corrupt file of the corpus is refused with one message naming it; workspace, undo history and title stay."""
    assert window.open_workspace(REUSE)
    modify(window)
    before, title = state(window), window.windowTitle()
    corpus = sorted(CORRUPT.glob("*.json"))
    assert len(corpus) > 40
    for path in corpus:
        window.errors.clear()
        assert not window.open_workspace(path), path.name
        assert state(window) == before and window.windowTitle() == title, path.name
        assert len(window.errors) == 1, (path.name, window.errors)
        assert window.errors[0].startswith(f"{path.name}: "), window.errors[0]
        assert "\n" not in window.errors[0]
    assert files.recent_files() == [str(REUSE)]


def test_a_corrupt_file_opened_from_the_menu_is_refused_without_asking(window, files, qtbot):
    """Opening a bad file from the menu shows one message and never asks about unsaved changes."""
    modify(window)
    before = state(window)
    window.dialogs.ask_open_path = lambda folder: str(CORRUPT / "dangling_operand.json")
    with qtbot.waitSignal(files.open_failed, timeout=10_000):
        action(window, "actionOpen").trigger()
    assert state(window) == before
    assert window.errors == ["dangling_operand.json: value 2 ('e') uses 'q', which is not defined before it"]
    assert window.answers == []


# ---- unsaved changes ------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["new", "open", "example"])
def test_cancel_keeps_everything(window, files, qtbot, how):
    """Cancel at the unsaved-changes question keeps the work, its history and its mark."""
    modify(window)
    before = state(window)
    window.next_answer = "cancel"
    replace_the_work(window, files, qtbot, how, expect_change=False)
    assert window.answers == ["asked"]
    assert state(window) == before


@pytest.mark.parametrize("how", ["new", "open", "example"])
def test_discard_proceeds(window, files, qtbot, how):
    """Discard drops the unsaved work and goes on."""
    modify(window)
    window.next_answer = "discard"
    replace_the_work(window, files, qtbot, how, expect_change=True)
    assert window.answers == ["asked"]
    assert "z" not in window.document
    assert not window.isWindowModified()


@pytest.mark.parametrize("how", ["new", "open", "example"])
def test_save_saves_then_proceeds(window, files, qtbot, tmp_path, how):
    """Save writes the unsaved work (asking where, as it is untitled), then goes on."""
    modify(window, "kept", 4.5)
    target = tmp_path / "kept"
    window.dialogs.ask_save_path = lambda suggested: str(target)
    window.next_answer = "save"
    with qtbot.waitSignal(files.saved, timeout=10_000):
        replace_the_work(window, files, qtbot, how, expect_change=True)
    qtbot.waitUntil(lambda: "kept" not in window.document, timeout=10_000)
    saved = load_document(tmp_path / "kept.json")
    assert saved.names == ["kept"] and saved.data("kept") == 4.5


def replace_the_work(window, files, qtbot, how: str, expect_change: bool) -> None:
    if how == "new":
        action(window, "actionNew").trigger()
    elif how == "example":
        action(window, "actionExampleLecture").trigger()
        qtbot.waitUntil(lambda: window.answers != [], timeout=10_000)  # read in the background, then asked
    else:
        window.dialogs.ask_open_path = lambda folder: str(LECTURE)
        action(window, "actionOpen").trigger()
        qtbot.waitUntil(lambda: window.answers != [], timeout=10_000)  # read in the background, then asked
    if expect_change and window.next_answer != "save":
        assert window.document.names in (["a", "b", "c", "e", "d", "f", "L"], [])


def test_close_with_unsaved_changes_asks(window, files, qtbot, tmp_path):
    """Closing asks: Cancel keeps the window open; Save saves then closes."""
    assert window.open_workspace(REUSE)
    copy = tmp_path / "reuse.json"
    assert window.save_workspace(copy)
    modify(window, "c", 2.0)
    window.next_answer = "cancel"
    assert not window.close()
    assert window.isVisible() and window.isWindowModified()
    window.next_answer = "save"
    with qtbot.waitSignal(files.saved, timeout=10_000):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert load_document(copy).names == ["a", "b", "c"]


def test_close_without_changes_does_not_ask(window, files):
    """A window with nothing unsaved closes at once."""
    assert window.open_workspace(LECTURE)
    assert window.close()
    assert window.answers == []


# ---- save ----------------------------------------------------------------------------------


def test_save_of_an_untitled_workspace_asks_where_and_saves_in_the_background(window, files, qtbot, tmp_path):
    """Ctrl+S on untitled work asks for a name (adding .json) and saves; the title follows."""
    modify(window, "x", 0.1)
    window.dialogs.ask_save_path = lambda suggested: str(tmp_path / "mine")
    with qtbot.waitSignal(files.saved, timeout=10_000) as saved:
        action(window, "actionSave").trigger()
    assert saved.args == [str(tmp_path / "mine.json")]
    assert document_text(window.document) == (tmp_path / "mine.json").read_text()
    assert window.windowTitle() == "mine.json[*] — micrograd-gui"
    assert not window.isWindowModified()
    modify(window, "y", 0.2)
    window.dialogs.ask_save_path = lambda suggested: pytest.fail("Save must not ask again once the work has a file")
    with qtbot.waitSignal(files.saved, timeout=10_000):
        action(window, "actionSave").trigger()
    assert load_document(tmp_path / "mine.json").names == ["x", "y"]


def test_save_as_writes_a_new_file_and_keeps_the_old_one(window, files, qtbot, tmp_path):
    """Save As writes to the chosen file; the file opened before keeps its contents."""
    original = tmp_path / "a.json"
    original.write_bytes(LECTURE.read_bytes())
    assert window.open_workspace(original)
    modify(window)
    window.dialogs.ask_save_path = lambda suggested: str(tmp_path / "b.json")
    with qtbot.waitSignal(files.saved, timeout=10_000):
        action(window, "actionSaveAs").trigger()
    assert original.read_bytes() == LECTURE.read_bytes()
    assert load_document(tmp_path / "b.json").names[-1] == "z"
    assert files.recent_files()[:2] == [str(tmp_path / "b.json"), str(original)]


def test_a_failed_save_keeps_the_old_file_and_says_why(window, files, qtbot, tmp_path, monkeypatch):
    """When the final rename fails, the old file is unchanged, the reason is shown, the work stays modified."""
    path = tmp_path / "work.json"
    assert window.save_workspace(path)
    old = path.read_bytes()
    modify(window)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with qtbot.waitSignal(files.save_failed, timeout=10_000) as failed:
        action(window, "actionSave").trigger()
    assert failed.args == ["Could not save work.json: permission denied"]
    assert window.errors == ["Could not save work.json: permission denied"]
    assert path.read_bytes() == old
    assert window.isWindowModified()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_read_only_workspace_is_not_overwritten_by_save(window, files, qtbot, tmp_path):
    """Save onto a file without write permission is refused with the reason and the way out (the atomic
    replace only needs the folder to be writable, and used to overwrite it); file and work stay as they were."""
    path = tmp_path / "work.json"
    path.write_bytes(LECTURE.read_bytes())
    path.chmod(0o444)
    assert window.open_workspace(path)
    modify(window)
    with qtbot.waitSignal(files.save_failed, timeout=10_000) as failed:
        action(window, "actionSave").trigger()
    assert failed.args == ["Could not save work.json: it is read-only; Save As saves the work under another name"]
    assert path.read_bytes() == LECTURE.read_bytes() and path.stat().st_mode & 0o777 == 0o444
    assert window.isWindowModified() and "z" in window.document


def test_saving_onto_a_folder_says_why(window, files, tmp_path):
    """save_workspace onto a folder returns False with the reason; the folder is untouched."""
    (tmp_path / "folder.json").mkdir()
    modify(window)
    assert not window.save_workspace(tmp_path / "folder.json")
    assert window.errors == ["Could not save folder.json: it is a folder"]
    assert (tmp_path / "folder.json").is_dir() and window.isWindowModified()


# ---- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".dot", ".py"])
def test_export_image_writes_each_format(window, files, tmp_path, suffix):
    """export_image writes the format its suffix names, blocking until the file is there."""
    assert window.open_workspace(LECTURE)
    out = tmp_path / f"lecture{suffix}"
    assert window.export_image(out)
    assert out.read_bytes().startswith(MAGIC[suffix])
    assert window.errors == []


def test_exported_svg_shows_every_label_and_number(window, files, tmp_path, qtbot):
    """After backward, the exported SVG holds each value's name, data and grad."""
    assert window.open_workspace(LECTURE)
    window.document.backward("L")
    out = tmp_path / "lecture.svg"
    assert window.export_image(out)
    svg = html.unescape(out.read_text())
    for name in window.document.names:
        assert f">{name}</text>" in svg
        assert f"data {window.document.data(name):.4f}" in svg
        assert f"grad {window.document.grad(name):.4f}" in svg


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".dot", ".py"])
def test_export_action_exports_in_the_background(window, files, qtbot, tmp_path, suffix):
    """Ctrl+E asks for the options and exports off the UI thread; the status bar says when it is done."""
    assert window.open_workspace(LECTURE)
    out = tmp_path / f"picture{suffix}"
    window.dialogs.ask_export_options = lambda *suggested: ExportOptions(str(out), rankdir="TB", root="d", scale=1.0)
    with qtbot.waitSignal(files.exported, timeout=30_000):
        action(window, "actionExport").trigger()
    assert out.read_bytes().startswith(MAGIC[suffix])
    assert window.statusBar().currentMessage() == f"Exported picture{suffix}"
    if suffix == ".dot":
        text = out.read_text()
        assert "rankdir=TB" in text and '"v_L"' not in text and '"v_e"' in text


def test_exported_script_prints_the_windows_numbers(window, files, tmp_path):
    """The .py export, run on its own, prints the data and grads the window shows after backward."""
    import subprocess
    import sys

    assert window.open_workspace(EXAMPLES_DIR / "neuron.json")
    window.document.backward("o")
    out = tmp_path / "neuron.py"
    assert window.export_image(out)
    result = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, cwd=tmp_path, check=True)
    document = window.document
    assert result.stdout.splitlines() == [
        f"{n} data={document.data(n):.4f} grad={document.grad(n):.4f}" for n in document.names
    ]


def test_an_export_scaled_down_to_fit_says_so(window, files, qtbot, tmp_path, monkeypatch):
    """A PNG drawn smaller than the scale asked for (its pixel limits) says so in the status bar, whether
    exported now or in the background."""
    from micrograd_gui import render

    monkeypatch.setattr(render, "MAX_PNG_SIDE", 300)
    assert window.open_workspace(LECTURE)
    assert window.export_image(tmp_path / "lecture.png")
    note = "instead of 2, to stay within 300 pixels a side and 60 megapixels"
    message = window.statusBar().currentMessage()
    assert message.startswith("Exported lecture.png: the PNG was drawn at scale 0.") and message.endswith(note)
    with qtbot.waitSignal(files.exported, timeout=10_000):
        files.export_in_background(ExportOptions(str(tmp_path / "again.png")))
    message = window.statusBar().currentMessage()
    assert message.startswith("Exported again.png: the PNG was drawn at scale 0.") and message.endswith(note)


def test_a_bad_export_says_why_and_writes_nothing(window, files, qtbot, tmp_path):
    """An unknown suffix or a missing root is refused with a message and no file."""
    assert window.open_workspace(LECTURE)
    assert not window.export_image(tmp_path / "picture.gif")
    assert not window.export_image(tmp_path / "picture.svg", root="nope")
    assert window.errors == [
        "Cannot export to 'picture.gif': the name must end in one of .png .svg .pdf .dot .py",
        "There is no value named 'nope'",
    ]
    window.dialogs.ask_export_options = lambda *suggested: ExportOptions(str(tmp_path / "missing" / "x.svg"))
    with qtbot.waitSignal(files.export_failed, timeout=30_000):
        action(window, "actionExport").trigger()
    assert [p.name for p in tmp_path.iterdir() if p.name != "settings"] == []


def test_export_dialog_follows_the_suffix_and_returns_the_options(window, files, qtbot, tmp_path):
    """The dialog's format follows the file name and the other way round; scale is for PNG only."""
    dialog = ExportDialog(window, window.document.names + ["a", "b"], str(tmp_path / "g.png"), rankdir="LR")
    qtbot.addWidget(dialog)
    assert dialog.suffix() == ".png" and dialog.scale_spin.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "g.svg"))
    assert dialog.suffix() == ".svg" and not dialog.scale_spin.isEnabled()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".pdf"))
    assert dialog.path_edit.text() == str(tmp_path / "g.pdf")
    dialog.direction_combo.setCurrentIndex(1)
    dialog.root_combo.setCurrentIndex(dialog.root_combo.findData("b"))
    assert dialog.root_combo.currentText() == "Only what feeds b"
    assert dialog.options() == ExportOptions(str(tmp_path / "g.pdf"), "TB", "b", 2.0)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".py"))
    assert dialog.root_label.text() == "&Backward from:" and dialog.root_combo.currentData() == "b"
    dialog.path_edit.setText(str(tmp_path / "g.gif"))
    dialog.show()
    dialog.export_button.click()
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "must end in one of" in dialog.error_label.text()
    dialog.path_edit.setText(str(tmp_path / "g.svg"))
    dialog.export_button.click()
    assert dialog.result() == ExportDialog.DialogCode.Accepted


# ---- recent files, examples, drops ------------------------------------------------------


def test_open_recent_lists_files_and_drops_missing_ones(window, files, qtbot, tmp_path):
    """Opened and saved files go to Open Recent (at most 8, newest first); a vanished one is removed with a message."""
    paths = []
    for i in range(10):
        path = tmp_path / f"w{i}.json"
        path.write_bytes(REUSE.read_bytes())
        assert window.open_workspace(path)
        paths.append(str(path))
    assert files.recent_files() == paths[::-1][:8]
    recent_menu = window.findChild(QMenu, "recentMenu")
    recent_menu.aboutToShow.emit()
    entries = [a for a in recent_menu.actions() if a.data()]
    assert [a.text() for a in entries[:2]] == ["&1 w9.json", "&2 w8.json"]
    os.remove(paths[8])
    entries[1].trigger()
    assert window.errors == ["w8.json no longer exists; it was removed from Open Recent"]
    assert paths[8] not in files.recent_files()
    with qtbot.waitSignal(files.opened, timeout=10_000) as opened:
        [a for a in recent_menu.actions() if a.data() == paths[5]][0].trigger()
    assert opened.args == [paths[5]]


def test_an_example_opens_as_an_untitled_copy(window, files, qtbot, tmp_path):
    """Examples open as untitled copies: Save asks where instead of writing into the package."""
    with qtbot.waitSignal(files.opened, timeout=10_000):
        action(window, "actionExampleNeuron").trigger()
    assert window.document.names[-1] == "o"
    assert files.path is None
    assert window.windowTitle() == "neuron (example)[*] — micrograd-gui"
    asked = []
    window.dialogs.ask_save_path = lambda suggested: asked.append(True) or str(tmp_path / "neuron.json")
    with qtbot.waitSignal(files.saved, timeout=10_000):
        action(window, "actionSave").trigger()
    assert asked == [True]
    assert (tmp_path / "neuron.json").read_bytes() == (EXAMPLES_DIR / "neuron.json").read_bytes()


MIME_KEEP_ALIVE: list[QMimeData] = []  # a drag event only points at its QMimeData


def drop_event(kind: str, path: Path) -> QDragEnterEvent | QDropEvent:
    """A drag-enter or drop event carrying one local file, as a file manager sends it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    MIME_KEEP_ALIVE.append(mime)
    if kind == "enter":
        return QDragEnterEvent(
            QPoint(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
        )
    return QDropEvent(
        QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )


def test_a_dropped_workspace_file_opens(window, files, qtbot):
    """Dragging a .json file onto the window is accepted, and dropping it opens it."""
    enter = drop_event("enter", LECTURE)
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(files.opened, timeout=10_000):
        QApplication.sendEvent(window, drop_event("drop", LECTURE))
    assert window.document.names[-1] == "L"


@pytest.mark.parametrize("name", ["picture.gif", "notes.txt", "graph.pdf"])
def test_other_dropped_files_are_refused(window, files, tmp_path, name):
    """A dragged file that does not open as a workspace (not .json, .py, .png or .svg) is not accepted."""
    other = tmp_path / name
    other.write_bytes(b"x")
    enter = drop_event("enter", other)
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


# ---- crash recovery ----------------------------------------------------------------------


def test_unsaved_work_is_written_to_a_recovery_file_and_removed_on_save(window, files, qtbot, tmp_path):
    """With unsaved changes a recovery file appears (workspace + original path); saving removes it."""
    assert window.open_workspace(LECTURE)
    files.recovery_keeper.interval_ms = 10
    with qtbot.waitSignal(files.recovery_written, timeout=10_000):
        modify(window)
    recovery = json.loads(files.recovery_keeper.recovery.path.read_text())
    assert recovery["original_path"] == str(LECTURE)
    assert [v["name"] for v in recovery["workspace"]["values"]][-1] == "z"
    assert pending_recoveries(files.recovery_keeper.recovery.directory) == []  # this window is alive: nothing to offer
    assert window.save_workspace(tmp_path / "saved.json")
    assert not files.recovery_keeper.recovery.path.exists()


def test_recovery_is_removed_when_the_window_closes_normally(window, files, qtbot):
    """Discarding the unsaved work on close removes its recovery file."""
    files.recovery_keeper.interval_ms = 10
    with qtbot.waitSignal(files.recovery_written, timeout=10_000):
        modify(window)
    assert files.recovery_keeper.recovery.path.exists()
    window.next_answer = "discard"
    assert window.close()
    assert not files.recovery_keeper.recovery.path.exists()


def write_crashed_recovery(directory: Path, original: str | None) -> Path:
    """A recovery file as a crashed window leaves it: no live lock beside it."""
    crashed = RecoveryFile(directory)
    document = load_document(REUSE)
    crashed.write(document.definitions + (Definition("c", "*", ("a", "b")),), None, original)
    crashed._lock.unlock()  # what the end of a crashed process amounts to
    return crashed.path


def test_work_left_by_a_crash_is_offered_and_restored(window, files, tmp_path):
    """At start, a crashed window's recovery file is offered; accepting restores it as unsaved work on its file."""
    original = str(tmp_path / "reuse.json")
    path = write_crashed_recovery(files.recovery_keeper.recovery.directory, original)
    offered = []
    window.dialogs.ask_restore_recovery = lambda info: offered.append(info) or True
    assert files.offer_recovery()
    assert offered[0].original_path == original and offered[0].value_count == 3
    assert window.document.names == ["a", "b", "c"] and window.document.data("c") == 18.0
    assert window.isWindowModified()
    assert files.path == original
    assert not path.exists()


def test_a_file_name_from_a_recovery_file_is_shown_escaped(window, files, tmp_path):
    """The original file's name comes from the recovery file: the question, the title and the status show
    its control characters escaped, never raw."""
    original = str(tmp_path / "\x1b]0;pwned\x07.json")
    write_crashed_recovery(files.recovery_keeper.recovery.directory, original)
    asked = []
    window.dialogs.ask_restore_recovery = lambda info: asked.append(info.original_name) or True
    assert files.offer_recovery()
    assert asked == ["\\x1b]0;pwned\\x07.json"]
    assert window.windowTitle().startswith("\\x1b]0;pwned\\x07.json")
    assert window.statusBar().currentMessage().isprintable() and files.path == original


def test_declined_recovery_is_deleted(window, files):
    """Declining the offer deletes the recovery file and keeps the empty workspace."""
    path = write_crashed_recovery(files.recovery_keeper.recovery.directory, None)
    window.dialogs.ask_restore_recovery = lambda info: False
    assert not files.offer_recovery()
    assert not path.exists() and len(window.document) == 0
    assert pending_recoveries(files.recovery_keeper.recovery.directory) == []


def test_a_corrupt_recovery_file_is_set_aside_not_offered(window, files):
    """A recovery file that cannot be read is not offered: it is moved out of the way for good, with one message."""
    directory = files.recovery_keeper.recovery.directory
    directory.mkdir(parents=True)
    (directory / "broken.json").write_text('{"format": "micrograd-gui-recovery", "version": 1, "workspace": 3}')
    offered = []
    window.dialogs.ask_restore_recovery = lambda info: offered.append(info) or True
    assert not files.offer_recovery()
    assert offered == [] and len(window.document) == 0
    assert list(directory.glob("*.json")) == [] and (directory / "broken.json.unreadable").exists()
    assert window.errors == [
        "1 entry in the recovery folder could not be read as unsaved work and was set aside"
        " (renamed to *.unreadable): broken.json"
    ]


def test_bad_entries_in_the_recovery_folder_are_set_aside_with_one_message(window, files):
    """A named pipe, a link to a device and a folder in the recovery folder: the start is not held up, one
    message names them, the good recovery file is still offered, and the next start says nothing."""
    directory = files.recovery_keeper.recovery.directory
    directory.mkdir(parents=True)
    os.mkfifo(directory / "pipe.json")
    (directory / "zero.json").symlink_to(os.devnull)
    (directory / "folder.json").mkdir()
    good = write_crashed_recovery(directory, None)
    offered = []
    window.dialogs.ask_restore_recovery = lambda info: offered.append(info.path) or False
    # Were the scan to wait on the pipe (the fault guarded against), a writer lets it go after 10 s.
    release = threading.Timer(10, lambda: os.close(os.open(directory / "pipe.json", os.O_WRONLY)))
    release.daemon = True
    release.start()
    started = time.monotonic()
    try:
        assert not files.offer_recovery()
    finally:
        release.cancel()
    assert time.monotonic() - started < 5
    assert offered == [good]
    assert len(window.errors) == 1
    assert window.errors[0].startswith("3 entries in the recovery folder could not be read as unsaved work")
    assert all(name in window.errors[0] for name in ("pipe.json", "zero.json", "folder.json"))
    window.errors.clear()
    assert not files.offer_recovery() and window.errors == []


# ---- the command line -------------------------------------------------------------------


def test_a_workspace_given_on_the_command_line_opens(qtbot):
    """`micrograd-gui lecture.json` shows the window with the lecture's values."""
    from micrograd_gui.cli import open_window

    window = open_window(str(LECTURE))
    qtbot.addWidget(window)
    window.dialogs.ask_save_changes = lambda display_name: "discard"
    qtbot.waitUntil(lambda: window.document.names[-1:] == ["L"], timeout=10_000)
    assert window.isVisible()
    assert window.windowTitle() == "lecture.json[*] — micrograd-gui"


def test_a_missing_workspace_on_the_command_line_says_so(qtbot, tmp_path):
    """A file given on the command line that does not exist leaves an empty window and a message."""
    from micrograd_gui.cli import open_window

    window = open_window(str(tmp_path / "gone.json"))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.file_actions.open_failed, timeout=10_000) as failed:
        pass
    assert failed.args == ["gone.json: no such file"]
    assert len(window.document) == 0


def test_a_file_whose_backward_overflows_opens_with_a_message(window, tmp_path):
    """Opening a file whose backward_from gradient overflows shows its values, grads at 0, and says why."""

    path = tmp_path / "overflow.json"
    path.write_text(OVERFLOWING_BACKWARD)
    window.open_workspace(LECTURE)
    window.findChild(QAction, "actionBackward").trigger()
    assert window.open_workspace(path)
    assert window.document.names == ["tiny", "one", "q", "w"]
    assert all(window.document.grad(name) == 0.0 for name in window.document.names)
    assert window.errors and "overflows" in window.errors[-1] and window.errors[-1].startswith("overflow.json: ")


# ---- a save overtaken by later changes ----------------------------------------------------


def test_a_save_overtaken_by_undo_and_a_new_change_leaves_the_work_unsaved(window, files, qtbot, tmp_path):
    """Ctrl+S, then Undo and a new change before the save is done: the new change is not in the file, so the
    window stays modified, closing asks, and the recovery copy stays."""
    path = tmp_path / "work.json"
    assert window.save_workspace(path)
    files.recovery_keeper.interval_ms = 10
    modify(window, "x", 1.0)
    with qtbot.waitSignal(files.recovery_written, timeout=10_000):
        modify(window, "y", 2.0)
    index = window.undo_stack.index()
    window.dialogs.ask_save_path = lambda suggested: pytest.fail("the work has a file")
    files.save()  # written on a worker thread; the result comes back through the event loop
    window.undo_stack.undo()
    modify(window, "w", 3.0)  # the same undo index as when the save began, through another command
    assert window.undo_stack.index() == index
    with qtbot.waitSignal(files.saved, timeout=10_000):
        pass
    assert load_document(path).names == ["x", "y"]
    assert window.isWindowModified() and files.is_modified()
    assert files.recovery_keeper.recovery.path.exists()
    window.next_answer = "cancel"
    assert not window.close() and window.answers == ["asked"]


def test_a_save_overtaken_by_undo_and_redo_still_marks_the_work_saved(window, files, qtbot, tmp_path):
    """Undo then Redo during a save come back to the very state that was saved: the window is saved."""
    path = tmp_path / "work.json"
    assert window.save_workspace(path)
    modify(window, "x", 1.0)
    files.save()
    window.undo_stack.undo()
    window.undo_stack.redo()
    with qtbot.waitSignal(files.saved, timeout=10_000):
        pass
    assert not window.isWindowModified() and load_document(path).names == ["x"]


def test_a_dropped_named_pipe_is_refused_at_once(window, files, qtbot, tmp_path):
    """A FIFO named x.json dropped on the window gives one message straight away (it used to leave
    "Opening x.json…" forever, a worker stuck on it); the work stays as it was."""
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    assert window.open_workspace(LECTURE)
    before = state(window)
    try:
        with qtbot.waitSignal(files.open_failed, timeout=10_000) as failed:
            QApplication.sendEvent(window, drop_event("enter", fifo))
            QApplication.sendEvent(window, drop_event("drop", fifo))
    finally:
        try:  # a reader stuck on the pipe (the fault this guards against) is let go
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert failed.args == ["x.json: it is a named pipe, not a file"]
    assert state(window) == before
