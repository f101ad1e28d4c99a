"""The Data panel in the Training dock, driven through its widgets: cells, rows, CSV files, data sets,
the row the graph shows, columns bound and unbound; every change one undo step."""

from __future__ import annotations

import csv
import io
from importlib.resources import files

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDockWidget, QLineEdit, QMenu, QPushButton, QWidget

from micrograd_gui import MainWindow
from micrograd_gui.commands import AddDefinitions, SetData
from micrograd_gui.data_sources import read_csv
from micrograd_gui.dataset import DataTable
from micrograd_gui.document import Definition
from micrograd_gui.widgets.data_panel import DataPanel
from micrograd_gui.widgets.data_table_view import SHOWN_MARK
from micrograd_gui.workspace_file import dumps
from tests.workspaces import DATA_ROWS as ROWS
from tests.workspaces import SQUARED_ERROR as DEFINITIONS


def find(window: QWidget, cls: type, name: str):
    widget = window.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} called {name!r}"
    return widget


def panel_of(window: MainWindow) -> DataPanel:
    return find(window, DataPanel, "dataPanel")


def table_view(window: MainWindow) -> QAbstractItemView:
    return find(window, QAbstractItemView, "dataTable")


def with_data(window: MainWindow, table: DataTable = ROWS) -> DataPanel:
    """The window holding the small workspace and its data, as the user built it; the undo history cleared."""
    assert window.push(AddDefinitions, window.document, DEFINITIONS)
    assert window.push(SetData, window.document, table)
    window.undo_stack.clear()
    find(window, QDockWidget, "trainingDock").show()
    return panel_of(window)


def cell(window: MainWindow, row: int, column: int) -> str:
    model = table_view(window).model()
    return model.data(model.index(row, column))


def type_into_cell(qtbot, window: MainWindow, row: int, column: int, text: str) -> None:
    """Double-click the cell, type `text` over what it holds, press Return."""
    view = table_view(window)
    index = view.model().index(row, column)
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    editor = view.indexWidget(index)
    assert isinstance(editor, QLineEdit), "the cell did not open an editor"
    editor.selectAll()
    QTest.keyClick(editor, Qt.Key.Key_Backspace)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on a queued call


def select_rows(window: MainWindow, rows: list[int]) -> None:
    """Select whole rows, as Ctrl+clicks on their numbers do."""
    view = table_view(window)
    selection = view.selectionModel()
    selection.setCurrentIndex(view.model().index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    selection.clearSelection()
    for row in rows:
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(view.model().index(row, 0), flags)


def row_header(window: MainWindow, row: int) -> str:
    return table_view(window).model().headerData(row, Qt.Orientation.Vertical)


def double_click_row_number(qtbot, window: MainWindow, row: int) -> None:
    header = table_view(window).verticalHeader()
    y = header.sectionViewportPosition(row) + header.sectionSize(row) // 2
    QTest.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.width() // 2, y))


def menu_action(menu: QMenu, text: str) -> QAction:
    for action in menu.actions():
        if action.text() == text:
            return action
        if action.menu() is not None:
            try:
                return menu_action(action.menu(), text)
            except AssertionError:
                pass
    raise AssertionError(f"no menu item {text!r} in {[a.text() for a in menu.actions()]}")


# ---- the dock ------------------------------------------------------------------------------


def test_the_training_dock_holds_the_data_panel_and_is_in_the_view_menu(window):
    dock = find(window, QDockWidget, "trainingDock")
    assert dock.windowTitle() == "Training"
    assert panel_of(window) is window.training_dock.data_panel
    assert window.training_dock.tabs.tabText(0) == "Data"
    assert window.training_dock.tabs.tabText(1) == "Train"
    assert window.training_dock.tabs.widget(1) is find(window, QWidget, "trainPanel")
    assert dock.toggleViewAction() in window.view_menu.actions()
    assert not dock.isVisible()  # an empty workspace has no data to show
    dock.toggleViewAction().trigger()
    assert dock.isVisible()
    assert window.dock_area(dock) == Qt.DockWidgetArea.RightDockWidgetArea


def test_the_dock_shows_itself_when_a_workspace_with_data_opens(window, tmp_path):
    path = tmp_path / "with_data.json"
    path.write_text(dumps(DEFINITIONS, data=ROWS))
    dock = find(window, QDockWidget, "trainingDock")
    assert not dock.isVisible()
    assert window.open_workspace(path)
    assert dock.isVisible()
    assert table_view(window).model().rowCount() == 3
    assert cell(window, 1, 0) == "3.0000"


def test_the_dock_is_remembered_open_after_a_restart(qtbot):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    find(first, QDockWidget, "trainingDock").toggleViewAction().trigger()
    first.save_settings()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    dock = find(second, QDockWidget, "trainingDock")
    assert dock.isVisible()
    assert second.dock_area(dock) == Qt.DockWidgetArea.RightDockWidgetArea


# ---- cells ---------------------------------------------------------------------------------


def test_a_typed_cell_changes_the_data_and_undo_puts_it_back(qtbot, window):
    with_data(window)
    type_into_cell(qtbot, window, 1, 0, "7.25")
    assert window.document.data_table.rows[1] == (7.25, 4.0, 0.5)
    assert cell(window, 1, 0) == "7.2500"
    assert window.undo_stack.count() == 1
    assert window.undo_stack.text(0) == "Set x in row 2 to 7.25"
    window.undo_action.trigger()
    assert window.document.data_table.rows[1] == (3.0, 4.0, 0.5)
    assert cell(window, 1, 0) == "3.0000"
    window.redo_action.trigger()
    assert cell(window, 1, 0) == "7.2500"


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1e999", "", "2,5"])
def test_a_cell_that_is_not_a_finite_number_is_refused_and_nothing_changes(qtbot, window, text):
    with_data(window)
    before = window.document.data_table
    type_into_cell(qtbot, window, 0, 1, text)
    assert window.document.data_table is before
    assert window.undo_stack.count() == 0
    assert window.errors and window.errors[-1].startswith("Row 1, y unchanged:")
    assert cell(window, 0, 1) == "2.0000"


def test_a_cell_of_the_row_shown_changes_its_leaf_too_in_one_step(qtbot, window):
    with_data(window)
    panel_of(window).show_row(1)
    assert window.document.data("x") == 3.0
    count = window.undo_stack.count()
    type_into_cell(qtbot, window, 1, 0, "5")
    assert window.document.data("x") == 5.0
    assert window.document.data("o") == 2.5  # o = x * w follows
    assert window.undo_stack.count() == count + 1
    window.undo_action.trigger()
    assert window.document.data("x") == 3.0
    assert window.document.data_table.rows[1][0] == 3.0
    assert window.document.shown_row == 1


# ---- rows ------------------------------------------------------------------------------------


def test_add_row_appends_the_leaves_numbers_and_undo_removes_it(qtbot, window):
    with_data(window)
    window.document.set_leaves({"x": 9.0, "y": -1.5})
    find(window, QPushButton, "dataAddRowButton").click()
    table = window.document.data_table
    assert len(table.rows) == 4
    assert table.rows[3] == (9.0, -1.5, 0.0)
    assert table_view(window).currentIndex().row() == 3
    window.undo_action.trigger()
    assert len(window.document.data_table.rows) == 3
    assert table_view(window).model().rowCount() == 3


def test_delete_rows_removes_the_selection_and_undo_brings_it_back(qtbot, window):
    with_data(window)
    select_rows(window, [0, 2])
    find(window, QPushButton, "dataDeleteRowsButton").click()
    assert window.document.data_table.rows == ((3.0, 4.0, 0.5),)
    assert window.undo_stack.text(0) == "Delete 2 data rows"
    window.undo_action.trigger()
    assert window.document.data_table.rows == ROWS.rows


def test_the_row_shown_follows_a_deletion_and_is_forgotten_with_its_row(qtbot, window):
    with_data(window)
    panel = panel_of(window)
    panel.show_row(2)
    assert panel.delete_rows([0])
    assert window.document.shown_row == 1
    assert row_header(window, 1) == f"{SHOWN_MARK}2"
    assert panel.delete_rows([1])  # the shown row itself
    assert window.document.shown_row is None
    assert window.document.data("x") == -1.0  # the leaves keep the numbers they had
    window.undo_action.trigger()
    assert window.document.shown_row == 1
    assert row_header(window, 1) == f"{SHOWN_MARK}2"


def test_the_delete_key_deletes_the_selected_rows(qtbot, window):
    with_data(window)
    select_rows(window, [1])
    view = table_view(window)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert len(window.document.data_table.rows) == 2


# ---- the row the graph shows ------------------------------------------------------------------


def test_double_clicking_a_row_number_shows_the_row_in_the_leaves_and_the_graph(qtbot, window):
    with_data(window)
    with qtbot.waitSignal(window.graph_view.picture_updated, timeout=20_000):
        pass
    with qtbot.waitSignal(window.graph_view.picture_updated, timeout=20_000):
        double_click_row_number(qtbot, window, 2)
    document = window.document
    assert document.shown_row == 2
    assert (document.data("x"), document.data("y")) == (-1.0, 0.25)
    assert document.data("o") == -0.5 and document.data("loss") == (-0.5 - 0.25) ** 2
    assert window.graph_view.node_item("x").texts()[1] == "data -1.0000"
    assert window.graph_view.node_item("loss").texts()[1] == "data 0.5625"
    assert row_header(window, 2) == f"{SHOWN_MARK}3"
    assert row_header(window, 1) == "2"
    assert "The graph shows row 3" in find(window, QWidget, "dataSummary").text()
    window.undo_action.trigger()
    assert document.shown_row is None and document.data("x") == 0.0
    assert row_header(window, 2) == "3"


def test_show_in_graph_shows_the_current_row(qtbot, window):
    with_data(window)
    table_view(window).setCurrentIndex(table_view(window).model().index(1, 2))
    find(window, QPushButton, "dataShowRowButton").click()
    assert window.document.shown_row == 1
    assert window.document.data("y") == 4.0


def test_the_graph_follows_the_current_row_and_browsing_is_one_undo_step(qtbot, window):
    with_data(window)
    find(window, QWidget, "dataFollowCheck").setChecked(True)
    view = table_view(window)
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert window.document.shown_row == 2
    assert window.document.data("x") == -1.0
    assert window.undo_stack.count() == 1
    window.undo_action.trigger()
    assert window.document.shown_row is None and window.document.data("x") == 0.0


def test_showing_a_row_when_no_column_binds_a_leaf_says_why(window):
    panel = with_data(window, DataTable.of(["p", "q"], [[1, 2]]))
    assert not panel.show_row(0)
    assert "bind a column first" in window.errors[-1]


# ---- binding columns --------------------------------------------------------------------------


def test_unbinding_a_column_renames_it_and_its_leaf_becomes_a_parameter(window):
    panel = with_data(window)
    header = table_view(window).model()
    assert header.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).bold()
    menu_action(panel.column_menu(0), "Unbind x (rename the column x_data)").trigger()
    document = window.document
    assert document.data_table.columns == ("x_data", "y", "note")
    assert document.bound_columns() == ("y",)
    assert document.parameters() == ["x", "w"]
    assert header.headerData(0, Qt.Orientation.Horizontal) == "x_data"
    assert header.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).italic()
    assert "Parameters (trained): 2: x, w" in find(window, QWidget, "dataSummary").text()
    window.undo_action.trigger()
    assert document.bound_columns() == ("x", "y")


def test_binding_a_column_to_a_leaf_renames_it_and_unbinds_the_column_in_the_way(window):
    panel = with_data(window)
    panel.show_row(1)
    menu = panel.column_menu(2)  # note, unbound
    bind_menu = menu.findChild(QMenu, "dataBindMenu")
    assert [a.text() for a in bind_menu.actions()] == ["x", "y", "w"]  # no constant
    menu_action(menu, "x").trigger()
    document = window.document
    assert document.data_table.columns == ("x_data", "y", "x")
    assert document.data("x") == 0.5  # the row shown gives x the column's number
    assert document.shown_row == 1
    assert window.undo_stack.text(window.undo_stack.count() - 1) == "Bind column note to x"
    window.undo_action.trigger()
    assert document.data_table.columns == ("x", "y", "note")
    assert document.data("x") == 3.0 and document.shown_row == 1


# ---- data sets and CSV files -------------------------------------------------------------------


def demo_moons() -> list[tuple[float, float, float]]:
    """The shipped moons points, read with the standard csv module (not the app's reader)."""
    text = files("micrograd_gui.resources").joinpath("data/moons.csv").read_text()
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == ["x1", "x2", "y"]
    return [tuple(float(cell) for cell in row) for row in reader if row]


def test_generating_moons_in_an_empty_workspace_makes_its_leaves_in_one_step(qtbot, window):
    panel = panel_of(window)
    window.training_dock.show()
    find(window, QWidget, "dataGenerateButton")
    panel.generate_actions["moons"].trigger()
    document = window.document
    table = document.data_table
    assert table.columns == ("x1", "x2", "y")
    assert list(table.rows) == demo_moons() and len(table.rows) == 100
    assert document.names == ["x1", "x2", "y"]
    assert document.shown_row == 0
    assert [document.data(n) for n in ("x1", "x2", "y")] == list(demo_moons()[0])
    assert window.undo_stack.count() == 1
    assert table_view(window).model().rowCount() == 100
    window.undo_action.trigger()
    assert document.data_table is None and len(document) == 0


def test_generating_data_beside_other_values_asks_before_making_leaves(window):
    window.push(AddDefinitions, window.document, [Definition("a", data=1.0)])
    asked = []
    window.dialogs.ask_create_leaves = lambda names: asked.append(names) or False
    panel_of(window).generate("xor")
    assert asked == [["x1", "x2", "y"]]
    assert window.document.names == ["a"]
    assert window.document.bound_columns() == ()
    window.dialogs.ask_create_leaves = lambda names: True
    panel_of(window).generate("circles")
    assert window.document.bound_columns() == ("x1", "x2", "y")


def test_generating_replaces_a_table_as_one_undo_step(window):
    with_data(window)
    window.dialogs.ask_create_leaves = lambda names: False
    panel_of(window).generate("lecture")
    assert window.document.data_table.columns == ("x1", "x2", "x3", "y")
    assert window.undo_stack.count() == 1
    window.undo_action.trigger()
    assert window.document.data_table == ROWS


def test_importing_a_good_csv_replaces_the_data_in_one_step(qtbot, window, tmp_path):
    with_data(window)
    path = tmp_path / "points.csv"
    path.write_text("x,y\n0.5,1\n-2,3e-2\n")
    window.dialogs.ask_csv_open_path = lambda folder: str(path)
    panel = panel_of(window)
    with qtbot.waitSignal(panel.imported, timeout=10_000):
        find(window, QPushButton, "dataImportButton").click()
    document = window.document
    assert document.data_table == DataTable.of(["x", "y"], [[0.5, 1.0], [-2.0, 0.03]])
    assert document.shown_row == 0 and document.data("x") == 0.5
    assert window.undo_stack.count() == 1
    window.undo_action.trigger()
    assert document.data_table == ROWS and document.data("x") == 0.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x,y\n1,2\n3\n", "row 2 (line 3) has 1 cells"),
        ("x,y\n1,two\n", "'two' is not a number"),
        ("x,y\n1,nan\n", "NaN"),
        ("", "it is empty"),
        ("x,y\n" + "1,2\n" * 100_001, "more than 100,000 rows"),
    ],
)
def test_a_bad_csv_gives_one_message_and_changes_nothing(qtbot, window, tmp_path, text, reason):
    with_data(window)
    path = tmp_path / "bad.csv"
    path.write_text(text)
    panel = panel_of(window)
    before = window.document.data_table
    with qtbot.waitSignal(panel.import_failed, timeout=20_000) as failed:
        panel.import_csv(str(path))
    assert reason in failed.args[0] and failed.args[0].startswith("Bad.csv")
    assert window.errors == [failed.args[0]]
    assert window.document.data_table is before
    assert window.undo_stack.count() == 0


def test_a_csv_file_that_is_missing_says_so(qtbot, window, tmp_path):
    panel = with_data(window)
    with qtbot.waitSignal(panel.import_failed, timeout=10_000) as failed:
        panel.import_csv(str(tmp_path / "gone.csv"))
    assert failed.args[0] == "Could not read gone.csv: there is no such file"


def test_export_csv_writes_every_number_exactly(qtbot, window, tmp_path):
    table = DataTable.of(["x", "y"], [[0.1 + 0.2, 1e-300], [-5.0, 2.5]])
    panel = with_data(window, table)
    target = tmp_path / "out"
    window.dialogs.ask_csv_save_path = lambda suggested: str(target)
    with qtbot.waitSignal(panel.exported, timeout=10_000):
        find(window, QPushButton, "dataExportButton").click()
    written = tmp_path / "out.csv"
    assert read_csv(written.read_bytes()) == table
    rows = list(csv.reader(io.StringIO(written.read_text())))
    assert rows[1] == [repr(0.1 + 0.2), "1e-300"]


def test_a_big_table_shows_without_reading_every_row(window):
    rows = [[i * 0.5, -i] for i in range(100_000)]
    panel = with_data(window, DataTable.of(["x", "y"], rows))
    view = table_view(window)
    assert view.model().rowCount() == 100_000
    view.scrollToBottom()
    assert cell(window, 99_999, 0) == "49999.5000"
    assert panel.show_row(99_999)
    assert window.document.data("x") == 49_999.5
    assert "100,000 rows" in find(window, QWidget, "dataSummary").text()


def test_the_moons_example_opens_with_its_data_in_the_dock(qtbot, window):
    dock = find(window, QDockWidget, "trainingDock")
    with qtbot.waitSignal(window.file_actions.opened, timeout=20_000):
        window.file_actions.example_actions["moons_net"].trigger()
    assert dock.isVisible()
    assert table_view(window).model().rowCount() == 100
    summary = find(window, QWidget, "dataSummary").text()
    assert "100 rows; columns feeding the leaves of their name: x1, x2, y" in summary
    assert "Parameters (trained): 337" in summary
    assert panel_of(window).show_row(4)
    assert [window.document.data(n) for n in ("x1", "x2", "y")] == list(demo_moons()[4])


def test_the_dock_and_its_panel_work_on_a_session_alone(qtbot):
    """No MainWindow: the Training dock takes the session and the file dialogs only."""
    from micrograd_gui.session import WorkspaceSession
    from micrograd_gui.widgets.file_dialogs import FileDialogs
    from micrograd_gui.widgets.training_dock import TrainingDock

    host = QWidget()
    qtbot.addWidget(host)
    session = WorkspaceSession(host)
    dock = TrainingDock(session, FileDialogs(host))
    qtbot.addWidget(dock)
    dock.hide()
    assert dock.data_panel.generate("line")
    assert session.document.bound_columns() == ("x1", "x2", "y") and session.document.shown_row == 0
    assert dock.data_panel.show_row(7)
    assert session.document.data("x1") == session.document.data_table.rows[7][0]
    session.workspace_replaced.emit()  # a workspace with data came in
    assert dock.isVisible()


def test_renaming_a_bound_leaf_renames_its_column_and_a_new_leaf_binds_a_column(window):
    with_data(window)
    model = table_view(window).model()
    assert window.rename_value("x", "x_in")
    assert model.headerData(0, Qt.Orientation.Horizontal) == "x_in"
    assert window.document.bound_columns() == ("x_in", "y")
    assert not model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).bold()
    window.push(AddDefinitions, window.document, [Definition("note", data=0.0)])
    assert model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).bold()
    assert "Unbound" not in find(window, QWidget, "dataSummary").text()
