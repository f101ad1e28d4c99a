"""What a new user tripped over: export names, stale Learn text after New, the keyboard, help pages."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QScrollArea, QWidget

from tests.gui.clicks import build_lecture, create, find

ROOT = Path(__file__).resolve().parents[2]
LECTURE = ROOT / "resources" / "examples" / "lecture.json"


def test_export_suggests_the_workspace_name_with_the_picture_suffix(window, tmp_path):
    """After saving lecture1.json, Export suggests lecture1.png (not lecture1.json.png)."""
    assert window.open_workspace(LECTURE)
    assert window.save_workspace(tmp_path / "lecture1.json")
    suggested = []

    def ask(names, path, rankdir, scale, default_root):
        suggested.append(path)
        return None

    window.dialogs.ask_export_options = ask
    find(window, QAction, "actionExport").trigger()
    assert [Path(p).name for p in suggested] == ["lecture1.png"]


def test_save_as_suggests_the_workspace_name_once(window, tmp_path):
    """Save As after saving lecture1.json suggests lecture1.json, not lecture1.json.json."""
    assert window.save_workspace(tmp_path / "lecture1.json")
    suggested = []
    window.dialogs.ask_save_path = lambda path: suggested.append(path) or None
    find(window, QAction, "actionSaveAs").trigger()
    assert [Path(p).name for p in suggested] == ["lecture1.json"]


def test_new_clears_the_learn_panel_and_old_errors(window, qtbot):
    """After a step and File > New, the Learn panel speaks of no old root and the red errors are gone."""
    build_lecture(window, typed=False)
    assert window.learning_dock.step_through.step()
    find(window, QLineEdit, "dataEdit").setText("not a number")
    find(window, QPushButton, "createButton").click()
    assert window.value_form.error_text()
    expr = find(window, QLineEdit, "exprEdit")
    expr.setText("z = nothing_here + 1")
    QTest.keyClick(expr, Qt.Key.Key_Return)
    assert window.expression_bar.error()
    find(window, QAction, "actionNew").trigger()
    qtbot.waitUntil(lambda: len(window.document) == 0, timeout=5_000)
    text = window.learning_dock.step_through.explanation.text()
    assert "Backward is now from" not in text and "walk ended" not in text
    assert " L " not in text and "from L" not in text
    assert text.startswith("Create values and choose one in Backward")
    assert window.value_form.error_text() == ""
    assert window.expression_bar.error() == ""


def test_new_resets_the_gradient_check(window, qtbot):
    """A check of the old work does not linger after New."""
    build_lecture(window, typed=False)
    grad_check = window.learning_dock.grad_check
    with qtbot.waitSignal(grad_check.check_finished, timeout=10_000):
        grad_check.run_check()
    assert grad_check.table.rowCount() == 4
    find(window, QAction, "actionNew").trigger()
    qtbot.waitUntil(lambda: len(window.document) == 0, timeout=5_000)
    assert grad_check.table.rowCount() == 0 and grad_check.results() == []
    assert grad_check.status.text() == "Compares backward's grads with finite differences."


def focus_after_tab(qtbot, widget: QWidget) -> QWidget | None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2_000)
    QTest.keyClick(widget, Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def test_tab_leaves_the_table_and_arrows_move_inside_it(window, qtbot):
    """Tab from the value table goes on to the next widget; the arrow keys move between cells."""
    window.activateWindow()
    build_lecture(window, typed=False)
    table = window.value_table
    table.select_name("a")
    row = table.currentIndex().row()
    QTest.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == row + 1
    after = focus_after_tab(qtbot, table)
    assert after is not None and after is not table
    assert window.learning_dock.isAncestorOf(after)  # the next stop is the Learn panel


def test_tab_goes_from_the_expression_bar_to_the_create_form(window, qtbot):
    """The expression bar at the top comes first: Tab from it reaches the name field."""
    window.activateWindow()
    build_lecture(window, typed=False)
    assert focus_after_tab(qtbot, find(window, QLineEdit, "exprEdit")) is find(window, QLineEdit, "nameEdit")
    assert (
        focus_after_tab(qtbot, window.backward_panel.backward_button) is window.graph_view.canvas
    )  # Zero grads is off
    window.backward_panel.run_backward()
    assert focus_after_tab(qtbot, window.backward_panel.zero_grads_button) is window.graph_view.canvas
    assert focus_after_tab(qtbot, window.graph_view.canvas) is window.value_table


def test_scroll_areas_take_no_tab_stop(window):
    """The side panel's and the explanation's scroll areas are not Tab stops themselves."""
    areas = window.findChildren(QScrollArea)
    assert {a.objectName() for a in areas} >= {"sideScroll", "stepExplanationScroll"}
    for area in areas:
        assert not area.focusPolicy() & Qt.FocusPolicy.TabFocus, area.objectName()


def test_op_buttons_have_shortcuts_shown_in_their_tooltips(window, qtbot):
    """Each op button has a shortcut, named in its tooltip; Ctrl+3 multiplies A by B."""
    keys = set()
    for button in window.op_buttons.buttons.values():
        key = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert key and key in button.toolTip(), button.objectName()
        keys.add(key)
    assert len(keys) == len(window.op_buttons.buttons)
    create(window, "a", "3", typed=False)
    create(window, "b", "4", typed=False)
    window.op_buttons.set_operand("a", "A")
    window.op_buttons.set_operand("b", "B")
    window.activateWindow()
    QTest.keySequence(window, QKeySequence("Ctrl+3"))
    qtbot.waitUntil(lambda: len(window.document) == 3, timeout=2_000)  # a button's shortcut animates its click
    newest = window.document.names[-1]
    assert window.document.definition(newest).op == "*" and window.document.data(newest) == 12.0


def test_step_play_and_zero_grads_have_shortcuts(window, qtbot):
    """F10 steps backward, Zero grads has a key, and the Learn menu lists the step-through's actions."""
    build_lecture(window, typed=False)
    window.activateWindow()
    QTest.keySequence(window, QKeySequence("F10"))
    assert window.learning_dock.step_through.stepper is not None
    assert window.learning_dock.step_through.stepper.position == 1
    assert "F10" in window.learning_dock.step_through.step_button.toolTip()
    names = {a.objectName() for a in window.learn_menu.actions()}
    assert {"actionStep", "actionStepBack", "actionStepPlay", "actionStepReset", "actionCheckGradients"} <= names
    assert not find(window, QAction, "actionZeroGrads").shortcut().isEmpty()


def test_help_has_getting_started_and_keyboard_shortcuts(window):
    """Help > Getting started explains the first steps; Keyboard shortcuts lists the real keys."""
    guide = window.show_getting_started()
    assert "Create a value" in guide.text() and "Backward" in guide.text()
    guide.close()
    page = window.show_keyboard_shortcuts()
    text = page.text()
    multiply = window.op_buttons.buttons["*"].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert "multiply" in text and multiply in text
    assert "Step backward" in text and "F10" in text
    assert "Undo" in text
    page.close()


def test_double_click_on_a_node_renames_it(window, qtbot):
    """A double-click on a value's node opens its Name cell for renaming."""
    build_lecture(window, typed=False)
    view = window.graph_view
    qtbot.waitUntil(lambda: "e" in view._picture.values, timeout=10_000)
    item = view._picture.values["e"]
    point = view.canvas.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseDClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    qtbot.waitUntil(lambda: window.value_table.state() == window.value_table.State.EditingState, timeout=2_000)
    assert window.value_table.current_name() == "e"
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "e"


def test_the_last_step_scrolls_its_done_line_into_view(window, qtbot):
    """In a short Learn panel, the walk's last step scrolls to its closing 'Done:' line."""
    window.resize(1024, 700)
    build_lecture(window, typed=False)
    panel = window.learning_dock.step_through
    while panel.step():
        pass
    bar = panel._scroll.verticalScrollBar()
    assert "Done:" in panel.explanation.text()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=2_000)


def test_renaming_to_an_existing_name_keeps_the_editor_open(window, qtbot):
    """Return on a name already taken keeps the Name cell open with what was typed and the reason; nothing changes."""
    build_lecture(window, typed=False)
    table = window.value_table
    table.edit_name("e")
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit), timeout=2_000)
    editor = QApplication.focusWidget()
    editor.setText("a")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert table.state() == table.State.EditingState
    assert QApplication.focusWidget() is editor and editor.text() == "a"
    assert "already" in editor.toolTip() and editor.property("invalid")
    assert "e" in window.document and window.document.definition("d").operands == ("e", "c")
    assert window.errors and "already" in window.errors[-1]
    editor.setText("ab")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "ab" in window.document, timeout=2_000)
    assert table.state() != table.State.EditingState


def test_saving_code_opened_as_a_workspace_asks_where_and_suggests_json(window, tmp_path):
    """Opening mine.py and pressing Save does not write JSON over the code: Save As suggests mine.json."""
    code = tmp_path / "mine.py"
    code.write_text("from engine import Value\na = Value(2.0, label='a')\nb = a * a\nb.backward()\n")
    assert window.open_workspace(code)
    asked = []
    window.dialogs.ask_save_path = lambda suggested: asked.append(suggested) or None
    find(window, QAction, "actionSave").trigger()
    assert [Path(p).name for p in asked] == ["mine.json"]
    assert code.read_text().startswith("from engine import Value")


def test_opening_a_file_says_opened_not_undone(window):
    """Opening a workspace after some work shows 'Opened …', never an empty 'Undone: '."""
    build_lecture(window, typed=False)
    said = []
    window.session.status_shown.connect(said.append)
    assert window.open_workspace(LECTURE)
    assert not any(text.startswith("Undone") for text in said), said
    assert said[-1].startswith("Opened lecture.json")


def test_the_shortcuts_page_names_undo_not_its_last_step(window):
    """With something to undo, the Undo row of the shortcuts page reads 'Undo', not 'Undo Create a'."""
    create(window, "a", "1", typed=False)
    page = window.show_keyboard_shortcuts()
    assert "Undo Create" not in page.text() and "Undo" in page.text()
    page.close()
