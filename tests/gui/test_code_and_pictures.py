"""Code and pictures in the window: File > Open and drops take .py, .png and .svg; Edit > Paste builds
the graph of Python code (the lecture's cells, the app's own export) or a workspace on the clipboard."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QLineEdit

from micrograd_gui.export_python import python_script
from micrograd_gui.recovery import RecoveryFile
from micrograd_gui.widgets.file_dialogs import OPEN_FILTER, WORKSPACE_FILTER
from micrograd_gui.workspace_file import document_text, load_document
from tests.gui.clicks import create, find
from tests.workspaces import LECTURE, OVERFLOWING_BACKWARD

ROOT = Path(__file__).resolve().parents[2]
LECTURE_JSON = ROOT / "resources" / "examples" / "lecture.json"
NEURON_JSON = ROOT / "resources" / "examples" / "neuron.json"

# The lecture notebook's cell, as it is written there.
LECTURE_CELL = """\
a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a*b; e.label = 'e'
d = e + c; d.label = 'd'
f = Value(-2.0, label='f')
L = d * f; L.label = 'L'
L
"""
LECTURE_GRADS = {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
REFUSED_CODE = "from micrograd.engine import Value\na = Value(2.0, label='a')\nb = open('secrets.txt')\n"


@pytest.fixture
def files(window, tmp_path):
    """The window's FileActions, with its recovery file in this test's folder; unsaved changes are discarded."""
    actions = window.file_actions
    actions.recovery_keeper.recovery = RecoveryFile(tmp_path / "recovery")
    window.asked = []
    window.dialogs.ask_save_changes = lambda name: window.asked.append(name) or "discard"
    return actions


@pytest.fixture
def clipboard():
    """The application's clipboard, emptied after the test (a clipboard left holding data at exit can crash Qt)."""
    board = QGuiApplication.clipboard()
    yield board
    board.clear()


def state(window) -> tuple[str, int, int, bool, str | None]:
    """What a refusal must leave as it was: the workspace, the undo history, the modified mark, the file."""
    return (
        document_text(window.document),
        window.undo_stack.count(),
        window.undo_stack.index(),
        window.isWindowModified(),
        window.file_actions.path,
    )


def definitions(window) -> list:
    return list(window.document.definitions)


def grads(window) -> dict[str, float]:
    return {name: window.document.grad(name) for name in window.document.names}


def open_in_background(window, qtbot, path: Path) -> None:
    """File > Open, the dialog answered with `path`, and wait until it has opened."""
    window.dialogs.ask_open_path = lambda folder: str(path)
    with qtbot.waitSignal(window.file_actions.opened, timeout=10_000):
        find(window, QAction, "actionOpen").trigger()


def refused_in_background(window, qtbot, path: Path) -> str:
    window.dialogs.ask_open_path = lambda folder: str(path)
    with qtbot.waitSignal(window.file_actions.open_failed, timeout=10_000) as failed:
        find(window, QAction, "actionOpen").trigger()
    return failed.args[0]


def exported(window, tmp_path: Path, name: str) -> Path:
    out = tmp_path / name
    assert window.export_image(out)
    return out


# ---- File > Open and drops -------------------------------------------------------------------


def test_the_open_dialog_offers_workspaces_code_and_pictures_and_save_only_workspaces(window, monkeypatch):
    """The Open dialog's first filter takes .json, .py, .png and .svg, with one filter for each kind;
    Save's dialog stays with workspaces."""
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: asked.append(args) or ("", ""))
    assert window.dialogs.ask_open_path("/tmp") is None
    shown_filter = asked[0][3]
    assert shown_filter == OPEN_FILTER
    filters = shown_filter.split(";;")
    assert filters[0] == "Workspaces, code and pictures (*.json *.py *.png *.svg)"
    assert "Python code (*.py)" in filters and "Workspaces (*.json)" in filters
    assert any("*.png *.svg" in f for f in filters[1:]) and filters[-1] == "All files (*)"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: asked.append(args) or ("", ""))
    window.dialogs.ask_save_path("/tmp/x.json")
    assert asked[1][3] == WORKSPACE_FILTER and "*.py" not in WORKSPACE_FILTER


def test_python_code_opens_in_the_background_as_an_imported_workspace(window, files, qtbot, tmp_path):
    """File > Open of the lecture's code builds the lecture's graph; the window is titled as an import
    and Save asks for a .json beside the code, which stays as it was."""
    code = tmp_path / "lecture.py"
    code.write_text("from micrograd.engine import Value\n" + LECTURE_CELL + "L.backward()\nprint(a.grad)\n")
    before = code.read_bytes()
    open_in_background(window, qtbot, code)
    assert definitions(window) == LECTURE
    assert grads(window) == LECTURE_GRADS and window.document.backward_root == "L"
    assert files.path is None
    assert window.windowTitle() == "lecture.py (imported)[*] — micrograd-gui"
    assert not window.isWindowModified()
    assert window.statusBar().currentMessage() == (
        "Opened lecture.py (7 values) as a new workspace: Save asks where to keep it as a .json file"
    )
    asked = []
    window.dialogs.ask_save_path = lambda suggested: asked.append(suggested) or str(tmp_path / "lecture")
    with qtbot.waitSignal(files.saved, timeout=10_000):
        find(window, QAction, "actionSave").trigger()
    assert asked == [str(tmp_path / "lecture.json")]
    assert code.read_bytes() == before
    assert [d for d in load_document(tmp_path / "lecture.json").definitions] == LECTURE
    assert files.path == str(tmp_path / "lecture.json")
    assert window.windowTitle() == "lecture.json[*] — micrograd-gui"


def test_saving_an_import_over_its_code_is_refused_and_leaves_the_code(window, files, qtbot, tmp_path):
    """Answering Save's question with the .py itself writes nothing over the code and says why."""
    code = tmp_path / "mine.py"
    code.write_text(LECTURE_CELL)
    open_in_background(window, qtbot, code)
    create(window, "z", 1)
    window.dialogs.ask_save_path = lambda suggested: str(code)
    with qtbot.waitSignal(files.save_failed, timeout=10_000) as failed:
        find(window, QAction, "actionSave").trigger()
    assert failed.args == ["Could not save mine.py: a workspace is saved as .json, not over a .py file"]
    assert code.read_text() == LECTURE_CELL
    assert window.isWindowModified() and files.path is None


def test_closing_an_edited_import_asks_about_the_import(window, files, qtbot, tmp_path):
    """Unsaved changes to opened code are asked about by the code's name, marked as an import."""
    code = tmp_path / "mine.py"
    code.write_text(LECTURE_CELL)
    open_in_background(window, qtbot, code)
    assert files.may_close() and window.asked == []  # nothing changed: nothing to lose
    create(window, "z", 1)
    files.may_close()
    assert window.asked == ["mine.py (imported)"]


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_picture_the_app_exported_opens_as_its_workspace(window, files, qtbot, tmp_path, suffix):
    """Export the neuron as a picture, start anew, open the picture: the same workspace, grads and all."""
    assert window.open_workspace(NEURON_JSON)
    window.backward_panel.run_backward()
    expected, expected_grads = document_text(window.document), grads(window)
    picture = exported(window, tmp_path, "neuron" + suffix)
    find(window, QAction, "actionNew").trigger()
    assert len(window.document) == 0
    open_in_background(window, qtbot, picture)
    assert document_text(window.document) == expected
    assert grads(window) == expected_grads
    assert window.windowTitle() == f"neuron{suffix} (imported)[*] — micrograd-gui"
    assert files.path is None


def test_refused_code_says_where_and_changes_nothing(window, files, qtbot, tmp_path):
    """Code that calls open() is refused with its line and column; the work and its file stay."""
    assert window.open_workspace(LECTURE_JSON)
    create(window, "z", 1)
    before = state(window)
    code = tmp_path / "bad.py"
    code.write_text(REFUSED_CODE)
    message = refused_in_background(window, qtbot, code)
    assert message == "bad.py: a call to open() is not allowed at line 3, column 5"
    assert window.errors[-1] == message
    assert state(window) == before


def test_a_picture_without_a_workspace_is_refused_and_changes_nothing(window, files, qtbot, tmp_path):
    """A PNG the app did not export (no workspace chunk) says so; nothing changes."""
    assert window.open_workspace(LECTURE_JSON)
    before = state(window)
    photo = tmp_path / "photo.png"
    ihdr = b"IHDR" + (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    idat = b"IDAT" + zlib.compress(b"\0\0\0\0")

    def chunk(body: bytes) -> bytes:
        return (len(body) - 4).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(ihdr) + chunk(idat) + chunk(b"IEND"))
    message = refused_in_background(window, qtbot, photo)
    assert message.startswith("photo.png: ") and "workspace" in message
    assert state(window) == before


MIME_KEEP_ALIVE: list[QMimeData] = []  # a drag event only points at its QMimeData


def drag(window, path: Path, kind: str) -> bool:
    """Send a drag-enter or a drop of one local file to the window; whether it was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    MIME_KEEP_ALIVE.append(mime)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    event = QDragEnterEvent(QPoint(100, 100), *args) if kind == "enter" else QDropEvent(QPointF(100, 100), *args)
    event.ignore()
    QApplication.sendEvent(window, event)
    return event.isAccepted()


@pytest.mark.parametrize("name", ["lecture.py", "lecture.png", "LECTURE.SVG"])
def test_dropped_code_and_pictures_open(window, files, qtbot, tmp_path, name):
    """Code and exported pictures are accepted on a drag and open when dropped."""
    assert window.open_workspace(LECTURE_JSON)
    path = exported(window, tmp_path, name.lower())
    if name != name.lower():
        path = path.rename(tmp_path / name)
    find(window, QAction, "actionNew").trigger()
    assert drag(window, path, "enter")
    with qtbot.waitSignal(files.opened, timeout=10_000):
        drag(window, path, "drop")
    assert definitions(window) == LECTURE
    assert files.path is None


def test_opened_code_is_listed_in_open_recent_and_reopens(window, files, qtbot, tmp_path):
    """Code opened is a recent file like a workspace; Open Recent opens it again as an import."""
    code = tmp_path / "lecture.py"
    code.write_text(LECTURE_CELL)
    open_in_background(window, qtbot, code)
    assert files.recent_files()[0] == str(code)
    find(window, QAction, "actionNew").trigger()
    menu = files.recent.menu
    menu.aboutToShow.emit()
    entry = next(a for a in menu.actions() if a.data() == str(code))
    assert entry.text() == "&1 lecture.py"
    with qtbot.waitSignal(files.opened, timeout=10_000):
        entry.trigger()
    assert definitions(window) == LECTURE
    assert window.windowTitle() == "lecture.py (imported)[*] — micrograd-gui"


# ---- Edit > Paste -----------------------------------------------------------------------------


def paste_key(window, qtbot, widget=None) -> None:
    """Ctrl+V with the picture (or `widget`) focused, and wait for the paste to land or be refused."""
    target = widget if widget is not None else window.graph_view.canvas
    target.setFocus()
    paste = window.paste_action
    results: list[object] = []
    paste.pasted.connect(results.append)
    paste.paste_failed.connect(results.append)
    try:
        QTest.keyClick(target, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
    finally:
        paste.pasted.disconnect(results.append)
        paste.paste_failed.disconnect(results.append)


def test_edit_menu_has_paste_on_the_standard_key(window):
    """Edit > Paste, on Ctrl+V, right after Undo and Redo."""
    paste = find(window, QAction, "actionPaste")
    assert paste.shortcut() == QKeySequence(QKeySequence.StandardKey.Paste)
    texts = [a.text() for a in window.edit_menu.actions()]
    assert texts[3] == "&Paste" and texts[2] == "" and texts[4] == ""
    assert "code" in paste.toolTip()


def test_pasting_the_lectures_cell_into_an_empty_window_builds_the_lectures_graph(window, qtbot, clipboard):
    """The lecture's cell, pasted with Ctrl+V, is the lecture's graph, in one undo step."""
    clipboard.setText(LECTURE_CELL)
    paste_key(window, qtbot)
    assert definitions(window) == LECTURE
    assert window.document.data("L") == -8.0
    assert window.undo_stack.count() == 1 and window.undo_stack.text(0) == "Paste 7 values"
    assert window.isWindowModified() and window.file_actions.path is None
    assert window.statusBar().currentMessage() == "Pasted 7 values"
    window.undo_action.trigger()
    assert len(window.document) == 0


def test_pasted_code_with_imports_prints_and_backward_runs_it(window, qtbot, clipboard):
    """`from micrograd.engine import Value`, `print(...)` and `draw_dot(L)` lines are skipped; `L.backward()`
    runs backward from L, and undo takes the values and the grads away together."""
    clipboard.setText(
        "from micrograd.engine import Value\n\n"
        + LECTURE_CELL
        + "print(L)\nL.backward()\nprint(a.grad, b.grad)\ndraw_dot(L)\n"
    )
    paste_key(window, qtbot)
    assert definitions(window) == LECTURE
    assert grads(window) == LECTURE_GRADS and window.document.backward_root == "L"
    assert window.undo_stack.text(0) == "Paste 7 values, backward from L"
    window.undo_action.trigger()
    assert len(window.document) == 0 and window.document.backward_root is None


def test_the_apps_own_python_export_pastes_back_exactly(window, qtbot, clipboard):
    """The .py export of the neuron, pasted into an empty window, is the neuron again, grads too."""
    neuron = load_document(NEURON_JSON)
    neuron.backward("o")
    clipboard.setText(python_script(neuron))
    paste_key(window, qtbot)
    assert document_text(window.document) == document_text(neuron)
    assert grads(window) == {n: neuron.grad(n) for n in neuron.names}


def test_pasting_beside_values_renames_what_is_taken_in_one_undo_step(window, qtbot, clipboard):
    """The lecture pasted next to the lecture: a second copy whose taken names get _2, every reference
    with them; the first copy and its grads stay; one Undo removes the copy and restores the grads."""
    assert window.open_workspace(LECTURE_JSON)
    window.backward_panel.run_backward()
    create(window, "t1", 0.5)  # an automatic-looking name
    before, before_grads = document_text(window.document), grads(window)
    clipboard.setText(LECTURE_CELL + "g = (L * 2).relu()\n")
    paste_key(window, qtbot)
    names = window.document.names
    assert names[:8] == ["a", "b", "c", "e", "d", "f", "L", "t1"]
    assert names[8:] == ["a_2", "b_2", "c_2", "e_2", "d_2", "f_2", "L_2", "k1", "t2", "g"]
    assert window.document.definition("e_2").operands == ("a_2", "b_2")
    assert window.document.definition("t2").operands == ("L_2", "k1")
    assert window.document.definition("g").operands == ("t2",)
    assert window.document.data("L_2") == -8.0 and window.document.data("t2") == -16.0
    assert {n: window.document.grad(n) for n in names[:7]} == LECTURE_GRADS  # the code ran no backward
    message = window.statusBar().currentMessage()
    assert message == "Pasted 10 values; names already taken were changed: a → a_2, b → b_2, c → c_2 and 5 more"
    assert window.undo_stack.count() == 3  # backward, create t1, paste
    window.undo_action.trigger()
    assert document_text(window.document) == before and grads(window) == before_grads


def test_pasted_backward_beside_values_runs_from_the_pasted_root(window, qtbot, clipboard):
    """When the pasted code runs backward, the grads are its root's: the values there before get 0."""
    create(window, "x", 3.0)
    clipboard.setText(LECTURE_CELL + "L.backward()\n")
    paste_key(window, qtbot)
    assert window.document.backward_root == "L"
    assert grads(window) == {"x": 0.0, **LECTURE_GRADS}


def test_refused_pasted_code_says_where_and_changes_nothing(window, qtbot, clipboard):
    """Code calling open() is refused with its line and column; the workspace and its history stay."""
    assert window.open_workspace(LECTURE_JSON)
    create(window, "z", 1)
    before = state(window)
    clipboard.setText(REFUSED_CODE)
    paste_key(window, qtbot)
    assert window.errors[-1] == "Not pasted: the clipboard: a call to open() is not allowed at line 3, column 5"
    assert state(window) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = Value(2.0, label='a')\nb = a.log() * Value(0.0).log()\n", "Not pasted: the clipboard: "),
        ("just some words", "Not pasted: the clipboard: it is not Python this app reads"),
        ("   ", "Nothing to paste"),
    ],
)
def test_other_refused_pastes_change_nothing(window, qtbot, clipboard, text, expected):
    """A maths error in pasted code, text that is no code, an empty clipboard: one message, no change."""
    create(window, "z", 1)
    before = state(window)
    clipboard.setText(text)
    paste_key(window, qtbot)
    assert window.errors[-1].startswith(expected)
    assert state(window) == before


def test_a_pasted_backward_that_overflows_pastes_the_values_and_says_why(window, qtbot, clipboard):
    """A workspace whose backward overflows pastes without grads, with the reason."""
    clipboard.setText(OVERFLOWING_BACKWARD)
    paste_key(window, qtbot)
    assert window.document.names == ["tiny", "one", "q", "w"]
    assert window.document.backward_root is None
    assert window.errors[-1].startswith("The clipboard: pasted without running backward: ")


def test_a_workspace_on_the_clipboard_pastes(window, qtbot, clipboard):
    """A workspace file's JSON, copied as text, pastes as its values (its backward_from runs)."""
    clipboard.setText(LECTURE_JSON.read_text())
    paste_key(window, qtbot)
    assert document_text(window.document) == LECTURE_JSON.read_text()
    assert window.undo_stack.count() == 1


def test_a_copied_file_pastes_as_its_workspace(window, qtbot, clipboard, tmp_path):
    """A file manager's copied file (a URL) pastes its workspace: here an exported picture."""
    assert window.open_workspace(LECTURE_JSON)
    picture = exported(window, tmp_path, "lecture.png")
    find(window, QAction, "actionNew").trigger()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    clipboard.setMimeData(mime)
    paste_key(window, qtbot)
    assert definitions(window) == LECTURE
    unknown = QMimeData()
    unknown.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    clipboard.setMimeData(unknown)
    paste_key(window, qtbot)
    assert window.errors[-1].startswith("Not pasted: notes.txt is not a workspace, code or an exported picture")
    assert definitions(window) == LECTURE


def test_ctrl_v_in_a_text_field_pastes_text_there_and_code_into_the_workspace(window, qtbot, clipboard):
    """A name on the clipboard goes into the name field; the lecture's code goes to the workspace, even
    with the name field focused (where the window starts)."""
    name_edit = find(window, QLineEdit, "nameEdit")
    name_edit.clear()
    clipboard.setText("Δx")
    name_edit.setFocus()
    QTest.keyClick(name_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert name_edit.text() == "Δx"
    assert len(window.document) == 0 and window.undo_stack.count() == 0
    clipboard.setText(LECTURE_CELL)
    paste_key(window, qtbot, name_edit)
    assert definitions(window) == LECTURE
    assert "Value(" not in name_edit.text()


def test_edit_paste_from_the_menu_fills_a_focused_field_with_plain_text(window, qtbot, clipboard):
    """Edit > Paste with a text field focused and a number on the clipboard pastes into the field."""
    data_edit = find(window, QLineEdit, "dataEdit")
    data_edit.clear()
    data_edit.setFocus()
    clipboard.setText("-3.5")
    window.paste_action.action.trigger()
    assert data_edit.text() == "-3.5" and len(window.document) == 0


def test_a_paste_still_being_read_when_another_workspace_opens_is_dropped(window, files, qtbot, clipboard):
    """Open after Paste: the opened workspace is what the window shows, without the pasted values."""
    clipboard.setText(LECTURE_CELL)
    window.paste_action.paste()
    assert window.open_workspace(NEURON_JSON)
    qtbot.waitUntil(lambda: window.paste_action.jobs.pending() == 0, timeout=10_000)
    assert document_text(window.document) == NEURON_JSON.read_text()


def test_the_name_field_says_greek_letters_work(window):
    """The Create form's name field names α and Δx as names in its tooltip and placeholder."""
    name_edit = find(window, QLineEdit, "nameEdit")
    assert "α" in name_edit.toolTip() and "Δx" in name_edit.toolTip()
    assert "α" in name_edit.placeholderText()


def test_the_empty_picture_mentions_paste(window):
    """The empty graph's hint names pasting code as a way to start."""
    hint = find(window, QLabel, "graphHint")
    assert hint.isVisible() and "paste" in hint.text().lower() and "Ctrl+V" in hint.text()


def test_code_typed_in_the_expression_bar_says_where_code_goes(window, qtbot):
    """`a = Value(2.0, label='a')` in the Expression bar is not an expression: the reason names Paste."""
    edit = find(window, QLineEdit, "exprEdit")
    edit.setText("a = Value(2.0, label='a')")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.expression_bar.error() == (
        "That is Python code, which the Expression bar does not read: paste it into the window "
        "(Edit > Paste, Ctrl+V) to build its graph"
    )
    assert edit.cursorPosition() == 4 and len(window.document) == 0


def test_the_shortcuts_page_and_getting_started_name_paste(window):
    """Help names the paste key, and Getting started says code can be pasted and opened."""
    from micrograd_gui.widgets.help_pages import GETTING_STARTED, keyboard_shortcuts

    assert (
        "Paste code or a workspace as values",
        QKeySequence(QKeySequence.StandardKey.Paste).toString(QKeySequence.SequenceFormat.NativeText),
    ) in keyboard_shortcuts(window)
    assert "Ctrl+V" in GETTING_STARTED and ".py" in GETTING_STARTED


def test_a_paste_that_would_make_the_workspace_too_big_changes_nothing(window, qtbot, clipboard, monkeypatch):
    """Beside values already there, a paste past the most a workspace holds is refused whole."""
    import micrograd_gui.document

    monkeypatch.setattr(micrograd_gui.document, "MAX_DEFINITIONS", 10)
    for name in "vwxyz":
        create(window, name, 1)
    before = state(window)
    clipboard.setText(LECTURE_CELL)
    paste_key(window, qtbot)
    assert window.errors[-1].startswith("Not pasted: ") and "10" in window.errors[-1]
    assert state(window) == before
