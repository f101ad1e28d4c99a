"""The value table: what it shows, in-place edits of numbers and names, deletion with dependents."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QLabel, QLineEdit

from tests.gui.clicks import backward, build_lecture, combine, create, find, table, table_rows

NAME, OP, DATA, GRAD = range(4)


def view(window) -> QAbstractItemView:
    return find(window, QAbstractItemView, "valueTable")


def cell(window, name: str, column: int):
    model = view(window).model()
    return model.index(window.document.position(name), column)


def edit_cell(window, name: str, column: int, text: str) -> None:
    """Open the cell's editor as a double-click would (or use the one a refused rename kept open),
    type `text`, press Return."""
    table_view = view(window)
    index = cell(window, name, column)
    editor = table_view.indexWidget(index)
    if editor is None:
        table_view.setCurrentIndex(index)
        table_view.edit(index)
        editor = table_view.indexWidget(index)
    assert isinstance(editor, QLineEdit), "the cell did not open an editor"
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on a queued call


def test_columns_and_four_decimals(window):
    """Columns are Name, Op, Data, Grad; numbers show with 4 decimals like the lecture's %.4f."""
    model = view(window).model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Name", "Op", "Data", "Grad"]
    create(window, "x", "0.123456")
    combine(window, "-", "x", "x", "y")
    combine(window, "**", "x", "x", "z")
    assert table_rows(window)[0] == ("x", "", "0.1235", "0.0000")
    assert table(window)["y"][0] == "x - x"
    assert table(window)["z"][0] == "x ** 0.123456"


def test_huge_numbers_show_in_exponent_notation(window, qtbot):
    """1e300 shows as 1.0000e+300 in the table and on its graph node, not as 300 digits."""
    with qtbot.waitSignal(window.graph_view.picture_updated, timeout=20000):
        create(window, "x", "1e300")
    create(window, "y", "-2.5e12")
    create(window, "z", "123456789.5")
    assert table(window)["x"][1] == "1.0000e+300"
    assert table(window)["y"][1] == "-2.5000e+12"
    assert table(window)["z"][1] == "123456789.5000"
    assert window.graph_view.node_item("x").texts()[1] == "data 1.0000e+300"


def test_a_vanishing_gradient_shows_in_scientific_notation(window, qtbot):
    """A grad of 6.09e-08 (tanh at 9) is 6.0920e-08 in the table and on its graph node, never 0.0000;
    a Greek name entered in the form is taken."""
    create(window, "α", "9", typed=False)  # QTest cannot type a character beyond Latin-1
    combine(window, "tanh", "α", result="o", typed=False)
    with qtbot.waitSignal(window.graph_view.picture_updated, timeout=20000):
        backward(window, "o")
    assert table(window)["α"][2] == "6.0920e-08"
    assert window.graph_view.node_item("α").texts()[2] == "grad 6.0920e-08"


def test_only_leaf_data_and_names_are_editable(window):
    """A leaf's Data cell and every Name cell are editable; computed data, Op and Grad are not."""
    build_lecture(window, typed=False)
    editable = Qt.ItemFlag.ItemIsEditable
    assert cell(window, "a", DATA).flags() & editable
    assert cell(window, "a", NAME).flags() & editable
    assert not cell(window, "e", DATA).flags() & editable
    assert not cell(window, "e", OP).flags() & editable
    assert not cell(window, "a", GRAD).flags() & editable


def test_leaf_edit_recomputes_downstream(window):
    """Typing a new number in a leaf's Data cell recomputes every value computed from it."""
    build_lecture(window, typed=False)
    edit_cell(window, "a", DATA, "3")
    rows = table(window)
    assert rows["a"][1] == "3.0000"
    assert rows["e"][1] == "-9.0000"
    assert rows["d"][1] == "1.0000"
    assert rows["L"][1] == "-2.0000"
    assert window.undo_stack.undoText() == "Set a to 3"
    window.undo_stack.undo()
    assert table(window)["L"][1] == "-8.0000"


def test_edit_that_breaks_a_dependent_is_refused(window):
    """Setting a denominator to 0 is refused whole: nothing changes and the reason shows."""
    create(window, "x", "1", typed=False)
    create(window, "y", "2", typed=False)
    combine(window, "/", "x", "y", "q", typed=False)
    before = table_rows(window)
    undo_count = window.undo_stack.count()
    edit_cell(window, "y", DATA, "0")
    assert table_rows(window) == before
    assert window.undo_stack.count() == undo_count
    assert "division by zero" in window.errors[-1]


def test_bad_number_in_a_cell_is_refused(window):
    """Typing text that is not a finite number in a Data cell changes nothing and says why."""
    create(window, "x", "1", typed=False)
    edit_cell(window, "x", DATA, "nan")
    assert table(window)["x"][1] == "1.0000"
    assert "not a finite number" in window.errors[-1]


def test_grads_go_stale_after_an_edit(window):
    """After a data edit the grads are shown greyed and italic, with a tooltip, until backward runs again."""
    build_lecture(window, typed=False)
    backward(window, "L")
    grad = cell(window, "a", GRAD)
    assert not window.document.grads_stale
    assert grad.data(Qt.ItemDataRole.FontRole) is None
    edit_cell(window, "b", DATA, "-4")
    assert window.document.grads_stale
    assert grad.data(Qt.ItemDataRole.FontRole).italic()
    assert grad.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "Stale" in grad.data(Qt.ItemDataRole.ToolTipRole)
    assert "stale" in find(window, QLabel, "gradsStatus").text()
    assert table(window)["a"][2] == "6.0000"  # the old grads stay visible, marked stale
    backward(window, "L")
    assert grad.data(Qt.ItemDataRole.FontRole) is None
    assert table(window)["a"][2] == "8.0000"


def test_rename_in_the_table_updates_references(window):
    """Editing a Name cell renames the value and every definition that uses it."""
    build_lecture(window, typed=False)
    edit_cell(window, "e", NAME, "ab")
    rows = table(window)
    assert "e" not in rows
    assert rows["ab"][0] == "a * b"
    assert rows["d"][0] == "ab + c"
    assert find(window, QComboBox, "operandA").findText("ab") >= 0
    window.undo_stack.undo()
    assert table(window)["d"][0] == "e + c"


def test_rename_refuses_a_bad_name(window):
    """Renaming to a taken or invalid name changes nothing and says why."""
    build_lecture(window, typed=False)
    before = table_rows(window)
    edit_cell(window, "e", NAME, "a")
    edit_cell(window, "e", NAME, "9x")
    assert table_rows(window) == before
    assert "already exists" in window.errors[-2]
    assert "not a valid name" in window.errors[-1]


def test_rename_action_edits_the_name_in_place(window):
    """Edit > Rename opens the selected value's Name cell for typing."""
    build_lecture(window, typed=False)
    table_view = view(window)
    window.value_table.select_name("c")
    window.rename_action.trigger()
    editor = table_view.indexWidget(cell(window, "c", NAME))
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "bias")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert table(window)["d"][0] == "e + bias"


def test_delete_a_value_nothing_depends_on(window):
    """Deleting an unused value removes it at once, without asking."""
    build_lecture(window, typed=False)
    asked = []
    window.ask_delete_dependents = lambda name, dependents: asked.append(name) or True
    window.value_table.select_name("L")
    window.delete_action.trigger()
    assert "L" not in table(window)
    assert asked == []


def test_delete_with_dependents_asks_and_deletes_them_when_accepted(window):
    """Deleting a value others use asks first; yes deletes the dependents too, and undo restores all."""
    build_lecture(window, typed=False)
    before = table_rows(window)
    asked = []

    def ask(name, dependents):
        asked.append((name, list(dependents)))
        return True

    window.ask_delete_dependents = ask
    window.value_table.select_name("e")
    window.delete_action.trigger()
    assert asked == [("e", ["d", "L"])]
    assert list(table(window)) == ["a", "b", "c", "f"]
    window.undo_stack.undo()
    assert table_rows(window) == before


def test_delete_with_dependents_refused_changes_nothing(window):
    """Answering no to deleting dependents deletes nothing and says why."""
    build_lecture(window, typed=False)
    before = table_rows(window)
    window.ask_delete_dependents = lambda name, dependents: False
    window.value_table.select_name("a")
    window.delete_action.trigger()
    assert table_rows(window) == before
    assert "Nothing deleted" in window.errors[-1]


def test_delete_key_in_the_table_deletes(window):
    """The Delete key in the table deletes the selected value."""
    build_lecture(window, typed=False)
    table_view = view(window)
    window.value_table.select_name("L")
    table_view.setFocus()
    QTest.keyClick(table_view, Qt.Key.Key_Delete)
    assert "L" not in table(window)


def test_delete_key_in_a_text_field_edits_text(window):
    """The Delete key in the name field deletes text, not the selected value."""
    build_lecture(window, typed=False)
    window.value_table.select_name("L")
    name_edit = find(window, QLineEdit, "nameEdit")
    name_edit.setText("xy")
    name_edit.setFocus()
    name_edit.setCursorPosition(0)
    QTest.keyClick(name_edit, Qt.Key.Key_Delete)
    assert name_edit.text() == "y"
    assert "L" in table(window)


def test_delete_several_selected_rows(window):
    """Several selected rows are deleted together in one undoable step."""
    build_lecture(window, typed=False)
    table_view = view(window)
    window.value_table.select_name("f")
    table_view.selectionModel().select(
        cell(window, "L", NAME),
        table_view.selectionModel().SelectionFlag.Select | table_view.selectionModel().SelectionFlag.Rows,
    )
    window.delete_action.trigger()
    assert list(table(window)) == ["a", "b", "c", "e", "d"]
    window.undo_stack.undo()
    assert list(table(window)) == ["a", "b", "c", "e", "d", "f", "L"]


def test_delete_with_nothing_selected_says_so(window):
    """Delete with no selection changes nothing and says what to do."""
    create(window, "a", "1", typed=False)
    window.value_table.clearSelection()
    window.value_table.setCurrentIndex(view(window).model().index(-1, -1))
    window.delete_action.trigger()
    assert list(table(window)) == ["a"]
    assert "Select a value" in window.errors[-1]


def test_new_rows_scroll_into_view(window):
    """A new value's row is scrolled into view, even in a long table."""
    for i in range(60):
        create(window, f"v{i}", str(i), typed=False)
    table_view = view(window)
    last = cell(window, "v59", NAME)
    assert table_view.viewport().rect().intersects(table_view.visualRect(last))


def test_delete_key_on_the_graph_deletes_the_clicked_value(window, qtbot):
    """After clicking a node, the Delete key in the graph panel deletes that value."""
    build_lecture(window, typed=False)
    graph = window.graph_view
    qtbot.waitUntil(lambda: not graph.is_busy() and "L" in graph.node_names(), timeout=20_000)
    graph.node_clicked.emit("L", False)
    graph.canvas.setFocus()
    QTest.keyClick(graph.canvas, Qt.Key.Key_Delete)
    assert "L" not in table(window)


def text_fits(table_view, row: int, column: int) -> bool:
    """Whether the cell's display text fits its column (with a little room for the cell's margins)."""
    text = table_view.model().index(row, column).data()
    return table_view.fontMetrics().horizontalAdvance(text) + 8 <= table_view.columnWidth(column)


def test_columns_fit_their_texts_without_a_huge_op_column(window, qtbot):
    """Name and Op fit what they show; the columns share the width, none takes most; numbers line up on the right."""
    build_lecture(window, typed=False)
    create(window, "learning_rate", "0.01", typed=False)
    combine(window, "*", "learning_rate", "L", "step_size", typed=False)
    qtbot.wait(10)
    table_view = view(window)
    model = table_view.model()
    for row in range(model.rowCount()):
        for column in (NAME, OP, DATA, GRAD):
            assert text_fits(table_view, row, column), model.index(row, column).data()
    width = table_view.viewport().width()
    assert table_view.columnWidth(OP) < width / 3, "Op takes only a modest share of the spare width"
    assert sum(table_view.columnWidth(c) for c in range(4)) <= width
    assert sum(table_view.columnWidth(c) for c in range(4)) >= 0.95 * width, "the columns fill the table"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    for column, alignment in ((NAME, left), (OP, left), (DATA, right), (GRAD, right)):
        assert model.index(0, column).data(Qt.ItemDataRole.TextAlignmentRole) == int(alignment)
        assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) == int(alignment)
    assert model.index(window.document.position("step_size"), OP).data(Qt.ItemDataRole.ToolTipRole) == (
        "step_size = learning_rate * L"
    )


def test_a_narrow_table_needs_no_sideways_scrolling(window, qtbot):
    """In a narrow table Op and Name give way (down to a few characters) before the numbers do."""
    create(window, "a_rather_long_leaf_name", "2", typed=False)
    combine(window, "*", "a_rather_long_leaf_name", "a_rather_long_leaf_name", "another_long_name", typed=False)
    table_view = view(window)
    wide = [table_view.columnWidth(c) for c in range(4)]
    window.main_splitter.setSizes([1400, 1])  # the centre as narrow as it goes
    qtbot.wait(10)
    assert table_view.viewport().width() < sum(wide), "the table is narrower than its columns would like"
    assert sum(table_view.columnWidth(c) for c in range(4)) <= table_view.viewport().width()
    model = table_view.model()
    for row in range(model.rowCount()):
        assert text_fits(table_view, row, DATA) and text_fits(table_view, row, GRAD)


def test_a_column_the_user_resizes_keeps_its_width(window, qtbot):
    """After dragging a column's edge, new values and window resizes leave that column as the user set it."""
    build_lecture(window, typed=False)
    table_view = view(window)
    table_view.horizontalHeader().resizeSection(OP, 333)  # what dragging the header's edge does
    create(window, "g", "1", typed=False)
    window.resize(1200, 800)
    qtbot.wait(10)
    assert table_view.columnWidth(OP) == 333
    assert text_fits(table_view, window.document.position("g"), NAME)
