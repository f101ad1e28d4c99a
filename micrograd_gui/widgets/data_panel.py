"""The Data panel: the workspace's data table, edited, imported, generated, and the row the graph shows.

Every change is an undo command pushed through the session: a cell, rows added or deleted, a
column bound or unbound, a table imported or generated (one undo step, the leaves it creates and
the row it shows included). A refused change (a cell that is not a number, a bad CSV file)
changes nothing and says why. Reading and writing CSV files runs on a worker thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine import format_number
from micrograd_gui import data_edits
from micrograd_gui.commands import AddDefinitions, SetData, SetLeaves, ShowRow, Together
from micrograd_gui.data_sources import GENERATORS, MAX_CSV_BYTES, read_csv, write_csv
from micrograd_gui.dataset import DataError, DataTable
from micrograd_gui.document import Change, Definition, DocumentError, parse_number
from micrograd_gui.safe_files import describe_os_error, read_regular_file, write_atomic
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.settings import app_settings
from micrograd_gui.widgets.background_jobs import BackgroundJobs
from micrograd_gui.widgets.data_table_view import DataTableModel, DataTableView
from micrograd_gui.widgets.file_dialogs import FileDialogs

CSV_SUFFIX = ".csv"
FOLDER_SETTING = "data/folder"
Maker = Callable[[], QUndoCommand]


class DataPanel(QWidget):
    """The `dataPanel`: `table` (`dataTable`, a DataTableView over `model`), the buttons
    Generate (`dataGenerateButton`, a menu of GENERATORS), Import CSV… (`dataImportButton`), Export
    CSV… (`dataExportButton`), Add row (`dataAddRowButton`), Delete rows (`dataDeleteRowsButton`),
    Show in graph (`dataShowRowButton`), Bind column… (`dataBindButton`), the check box
    `dataFollowCheck` (the graph follows the current row) and the `dataSummary` lines.

    The methods below are what the buttons do, for scripts and tests; each returns whether the
    change was made. Files go through `dialogs` (FileDialogs: tests replace its `ask_*` methods).
    Signals: `imported(path)`, `import_failed(message)`, `exported(path)`, `export_failed(message)`.
    """

    imported = Signal(str)
    import_failed = Signal(str)
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, session: WorkspaceSession, dialogs: FileDialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self._session = session
        self._document = session.document
        self.dialogs = dialogs
        self.jobs = BackgroundJobs(self)
        self._generation = 0  # bumped when the workspace is replaced: a file still being read is dropped

        self.model = DataTableModel(self._document, self.edit_cell)
        self.table = DataTableView(self.model)
        self.generate_button = self._button(
            "&Generate", "dataGenerateButton", "Replace the data with a built-in data set"
        )
        self.generate_menu = QMenu(self)
        self.generate_menu.setObjectName("dataGenerateMenu")
        self.generate_actions: dict[str, QAction] = {}
        for key, generator in GENERATORS.items():
            action = self.generate_menu.addAction(generator.title)
            action.setObjectName("actionGenerate" + key.capitalize())
            action.setToolTip(generator.description)
            action.setStatusTip(generator.description)
            action.triggered.connect(lambda _checked=False, k=key: self.generate(k))
            self.generate_actions[key] = action
        self.generate_menu.setToolTipsVisible(True)
        self.generate_menu.addSeparator()
        self.remove_action = self.generate_menu.addAction("&Remove the data table")
        self.remove_action.setObjectName("actionRemoveData")
        self.remove_action.triggered.connect(self.remove_table)
        self.generate_button.setMenu(self.generate_menu)
        self.import_button = self._button("&Import CSV…", "dataImportButton", "Replace the data with a CSV file's")
        self.export_button = self._button("E&xport CSV…", "dataExportButton", "Write the data to a CSV file")
        self.add_button = self._button(
            "&Add row", "dataAddRowButton", "Add a row holding the numbers the bound leaves have now"
        )
        self.delete_button = self._button("&Delete rows", "dataDeleteRowsButton", "Delete the selected rows (Delete)")
        self.show_button = self._button(
            "&Show in graph",
            "dataShowRowButton",
            "Give the bound leaves the current row's numbers: the graph shows its forward pass "
            "(or double-click a row's number)",
        )
        self.bind_button = self._button(
            "&Bind column…", "dataBindButton", "Bind the current column to a leaf (its header's menu), or unbind it"
        )
        self.follow_check = QCheckBox("Graph follows the current row")
        self.follow_check.setObjectName("dataFollowCheck")
        self.follow_check.setToolTip("Show each row in the graph as you move to it (browsing rows is one undo step)")
        self.summary = QLabel()
        self.summary.setObjectName("dataSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self._lay_out()
        self._connect()
        self._refresh()

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def _lay_out(self) -> None:
        sources = QHBoxLayout()
        for widget in (self.generate_button, self.import_button, self.export_button):
            sources.addWidget(widget)
        sources.addStretch(1)
        rows = QHBoxLayout()
        for widget in (self.add_button, self.delete_button, self.show_button, self.bind_button):
            rows.addWidget(widget)
        rows.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(sources)
        layout.addLayout(rows)
        layout.addWidget(self.follow_check)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def _connect(self) -> None:
        self.import_button.clicked.connect(lambda: self.import_csv())
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.add_button.clicked.connect(self.add_row)
        self.delete_button.clicked.connect(lambda: self.delete_rows(self.table.selected_rows()))
        self.show_button.clicked.connect(self._show_current_row)
        self.bind_button.clicked.connect(self._show_bind_menu)
        self.table.row_activated.connect(self.show_row)
        self.table.delete_pressed.connect(lambda: self.delete_rows(self.table.selected_rows()))
        self.table.column_menu_requested.connect(lambda column, at: self.column_menu(column).exec(at))
        self.table.customContextMenuRequested.connect(self._show_cell_menu)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self._document.add_listener(self._on_document_changed)
        self._session.workspace_replaced.connect(self._on_workspace_replaced)

    # ---- what the buttons do -------------------------------------------------------

    def edit_cell(self, row: int, column: int, text: str) -> bool:
        """Set one cell to the number `text`; refused (nothing changes) unless it is a finite number.
        In the row the graph shows, a bound column's leaf takes the number too."""
        document, table = self._document, self._document.data_table
        if table is None or not (0 <= row < len(table.rows) and 0 <= column < len(table.columns)):
            return False
        name = table.columns[column]
        try:
            number = parse_number(text)
        except DocumentError as error:
            self._session.show_error(f"Row {row + 1}, {name} unchanged: {error}")
            return False
        if number == table.rows[row][column]:
            return False
        changed = table.with_cell(row, column, number)
        what = f"Set {name} in row {row + 1} to {format_number(number)}"
        makers: list[Maker] = [lambda: SetData(document, changed, what)]
        if row == document.shown_row and name in document.bound_columns():  # the row stays the one shown
            makers = [
                lambda: SetData(document, changed, what, shown_row=row),
                lambda: SetLeaves(document, {name: number}, what, shown_row=row),
            ]
        return self._push(what, makers)

    def add_row(self) -> bool:
        """Add a row at the end holding the numbers the bound leaves have now (0 in unbound columns)."""
        document, table = self._document, self._document.data_table
        if table is None:
            self._session.show_error("There is no data table yet: generate a data set or import a CSV file")
            return False
        try:
            grown = table.inserting(len(table.rows), [data_edits.new_row(document, table)])
        except DataError as error:
            self._session.show_error(sentence(str(error)))
            return False
        if not self._push(f"Add data row {len(grown.rows):,}", [lambda: SetData(document, grown, "Add a data row")]):
            return False
        self.table.go_to(len(grown.rows) - 1)
        return True

    def delete_rows(self, rows: Sequence[int]) -> bool:
        """Delete rows (by index from 0); the row shown in the graph moves with the rest or is forgotten."""
        document, table = self._document, self._document.data_table
        doomed = sorted({row for row in rows if table is not None and 0 <= row < len(table.rows)})
        if table is None or not doomed:
            self._session.show_error("Select the rows to delete first")
            return False
        kept = table.without(doomed)
        shown = data_edits.shown_after_removal(document.shown_row, doomed)
        what = f"Delete data row {doomed[0] + 1:,}" if len(doomed) == 1 else f"Delete {len(doomed):,} data rows"
        if not self._push(what, [lambda: SetData(document, kept, what, shown_row=shown)]):
            return False
        self.table.go_to(min(doomed[0], len(kept.rows) - 1))
        return True

    def show_row(self, row: int) -> bool:
        """Give the bound leaves row `row`'s numbers (from 0): the graph shows that row's forward pass."""
        document, table = self._document, self._document.data_table
        if table is None or not 0 <= row < len(table.rows):
            return False
        if not document.bound_columns():
            self._session.show_error(
                "No column feeds a leaf, so a row changes nothing: bind a column first (right-click its header)"
            )
            return False
        if row == document.shown_row:
            return True
        return self._session.try_push(ShowRow, document, row) is None

    def bind_column(self, column: str, leaf: str) -> bool:
        """Bind the data column `column` to the leaf `leaf` (the column takes the leaf's name; a column
        already named so is unbound). In the row the graph shows, the leaf takes the row's number."""
        document, table = self._document, self._document.data_table
        if table is None or column not in table.columns or column == leaf:
            return False
        if leaf not in data_edits.bindable_leaves(document):
            self._session.show_error(f"'{leaf}' is not a leaf that data can feed")
            return False
        bound = data_edits.bind(document, table, column, leaf)
        what = f"Bind column {column} to {leaf}"
        makers: list[Maker] = [lambda: SetData(document, bound, what)]
        shown = document.shown_row
        if shown is not None:  # the leaf takes the shown row's number: the row stays the one shown
            number = table.rows[shown][table.columns.index(column)]
            makers = [
                lambda: SetData(document, bound, what, shown_row=shown),
                lambda: SetLeaves(document, {leaf: number}, what, shown_row=shown),
            ]
        return self._push(what, makers)

    def unbind_column(self, column: str) -> bool:
        """Unbind the column `column`: renamed to a name no value has (`x1` -> `x1_data`)."""
        document, table = self._document, self._document.data_table
        if table is None or not data_edits.is_bound(document, column) or column not in table.columns:
            return False
        unbound = data_edits.unbind(document, table, column)
        what = f"Unbind column {column} (now {unbound.columns[table.columns.index(column)]})"
        return self._push(what, [lambda: SetData(document, unbound, what)])

    def generate(self, key: str) -> bool:
        """Replace the data with a built-in data set (GENERATORS: lecture, moons, xor, circles, line)."""
        generator = GENERATORS[key]
        try:
            table = generator.make()
        except DataError as error:
            self._session.show_error(sentence(str(error)))
            return False
        return self.replace_table(table, f"Generate {generator.title.lower()} data")

    def remove_table(self) -> bool:
        """Remove the data table (undoable)."""
        if self._document.data_table is None:
            return False
        return self._push("Remove the data table", [lambda: SetData(self._document, None, "Remove the data table")])

    def replace_table(self, table: DataTable, what: str) -> bool:
        """Put `table` in place of the data, as one undo step: leaves for its columns that name no value
        (in an empty workspace, or if the user agrees), and the graph showing its first row."""
        document = self._document
        missing = [c for c in table.columns if c not in document]
        created = missing if missing and (len(document) == 0 or self.dialogs.ask_create_leaves(missing)) else []
        first = table.row(0) if table.rows else {}
        makers: list[Maker] = []
        if created:
            leaves = [Definition(name, data=first.get(name, 0.0)) for name in created]
            makers.append(lambda: AddDefinitions(document, leaves, what))
        numbers = {c: first[c] for c in table.columns if data_edits.is_bound(document, c)} if first else {}
        shown: int | None = 0 if first and (numbers or created) else None
        if numbers:
            try:
                document.check_leaves(numbers)
            except DocumentError:  # the first row cannot be computed: the leaves keep their numbers
                numbers, shown = {}, None
        makers.append(lambda: SetData(document, table, what, shown_row=shown))
        if numbers:
            makers.append(lambda: SetLeaves(document, numbers, what, shown_row=shown))
        return self._push(what, makers)

    def import_csv(self, path: str | None = None) -> None:
        """Read a CSV file (asked for when `path` is None) on a worker thread, then put it in place of the
        data (one undo step). A bad file changes nothing: `import_failed(message)` says why;
        `imported(path)` follows a good one."""
        if path is None:
            path = self.dialogs.ask_csv_open_path(self._folder())
            if not path:
                return
        path = os.path.abspath(path)
        name = os.path.basename(path)
        generation = self._generation
        self._session.show_status(f"Reading {name}…")

        def done(table: Any, error: BaseException | None) -> None:
            if generation != self._generation:
                return  # another workspace came in meanwhile
            if error is not None:
                reason = str(error) if isinstance(error, DataError) else self._os_reason(name, error)
                self._import_failed(sentence(reason))
                return
            app_settings().setValue(FOLDER_SETTING, os.path.dirname(path))
            if self.replace_table(table, f"Import {name}"):
                self.imported.emit(path)
            else:
                self.import_failed.emit(f"{name} was not imported")

        self.jobs.start("import-csv", lambda: read_csv(read_regular_file(path, MAX_CSV_BYTES), name), done)

    def export_csv(self, path: str | None = None) -> None:
        """Write the data table to a CSV file (asked for when `path` is None) on a worker thread, every
        number exactly; `exported(path)` or `export_failed(message)` follows."""
        table = self._document.data_table
        if table is None:
            self._export_failed("There is no data to export")
            return
        if path is None:
            path = self.dialogs.ask_csv_save_path(os.path.join(self._folder(), "data" + CSV_SUFFIX))
            if not path:
                return
            if not os.path.splitext(path)[1]:
                path += CSV_SUFFIX
        path = os.path.abspath(path)
        name = os.path.basename(path)

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._export_failed(sentence(self._os_reason(name, error, "write")))
                return
            app_settings().setValue(FOLDER_SETTING, os.path.dirname(path))
            self._session.show_status(f"Exported {len(table.rows):,} rows to {name}")
            self.exported.emit(path)

        self.jobs.start("export-csv", lambda: write_atomic(path, write_csv(table).encode("utf-8")), done)

    def column_menu(self, column: int) -> QMenu:
        """The menu of a column's header: bind it to one of the leaves, or unbind it."""
        document, table = self._document, self._document.data_table
        menu = QMenu(self)
        menu.setObjectName("dataColumnMenu")
        if table is None or not 0 <= column < len(table.columns):
            return menu
        name = table.columns[column]
        bound = data_edits.is_bound(document, name)
        if bound:
            free = data_edits.free_column_name(name, data_edits.taken_names(document, table))
            unbind = menu.addAction(f"Unbind {name} (rename the column {free})")
            unbind.setObjectName("actionUnbindColumn")
            unbind.triggered.connect(lambda: self.unbind_column(name))
        leaves = data_edits.bindable_leaves(document)
        bind_menu = menu.addMenu(f"Bind {name} to the leaf")
        bind_menu.setObjectName("dataBindMenu")
        bind_menu.setEnabled(bool(leaves))
        for leaf in leaves:
            action = bind_menu.addAction(leaf)
            action.setCheckable(True)
            action.setChecked(leaf == name)
            action.triggered.connect(lambda _checked=False, n=leaf: self.bind_column(name, n))
        return menu

    # ---- helpers -------------------------------------------------------------------------

    def _push(self, what: str, makers: Sequence[Maker]) -> bool:
        """Build every command first (each checks its change: a refusal changes nothing), then push
        them through the session as one undo step named `what`."""
        try:
            commands = [make() for make in makers]
        except (DocumentError, DataError) as error:
            self._session.show_error(sentence(str(error)))
            return False
        command = commands[0] if len(commands) == 1 else Together(what, commands)
        return self._session.try_push(lambda: command) is None

    def _folder(self) -> str:
        folder = str(app_settings().value(FOLDER_SETTING, "") or "")
        return folder if os.path.isdir(folder) else os.path.expanduser("~")

    @staticmethod
    def _os_reason(name: str, error: BaseException, doing: str = "read") -> str:
        if isinstance(error, FileNotFoundError) and doing == "read":
            reason = "there is no such file"
        else:
            reason = describe_os_error(error) if isinstance(error, OSError) else repr(error)
        return f"could not {doing} {name}: {reason}"

    def _import_failed(self, message: str) -> None:
        self._session.show_error(message)
        self.import_failed.emit(message)

    def _export_failed(self, message: str) -> None:
        self._session.show_error(message)
        self.export_failed.emit(message)

    def _show_current_row(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.show_row(index.row())
        else:
            self._session.show_error("Choose a row first")

    def _show_bind_menu(self) -> None:
        column = self.table.current_column()
        if column >= 0:
            self.column_menu(column).exec(self.bind_button.mapToGlobal(QPoint(0, self.bind_button.height())))

    def _show_cell_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        menu = QMenu(self)
        if index.isValid():
            self.table.setCurrentIndex(index)
            show = menu.addAction(f"Show row {index.row() + 1:,} in the graph")
            show.triggered.connect(lambda: self.show_row(index.row()))
        menu.addAction("Add row", self.add_row)
        delete = menu.addAction("Delete rows", lambda: self.delete_rows(self.table.selected_rows()))
        delete.setEnabled(index.isValid())
        menu.exec(self.table.viewport().mapToGlobal(position))

    # ---- following the document ------------------------------------------------------

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.follow_check.isChecked() and current.isValid() and current.row() != previous.row():
            self.show_row(current.row())
        self._refresh_buttons()

    def _on_document_changed(self, change: Change) -> None:
        document = self._document
        if change.structure or change.data:
            self._refresh()
        shown = document.shown_row
        if change.data and shown is not None and shown < self.model.rowCount():
            self.table.scrollTo(self.model.index(shown, max(self.table.current_column(), 0)))

    def _on_workspace_replaced(self) -> None:
        self._generation += 1
        self._refresh()

    def _refresh(self) -> None:
        self.summary.setText("\n".join(data_edits.summary(self._document)))
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        document, table = self._document, self._document.data_table
        has_rows = table is not None and len(table.rows) > 0
        for widget in (self.export_button, self.add_button, self.bind_button):
            widget.setEnabled(table is not None)
        self.remove_action.setEnabled(table is not None)
        self.delete_button.setEnabled(has_rows)
        self.show_button.setEnabled(has_rows and bool(document.bound_columns()))
