"""The data table as the Data panel shows it: a model reading the document's data table, and its view."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QKeyEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from engine import format_decimals, format_number
from micrograd_gui.dataset import DataTable
from micrograd_gui.document import Change, Document
from micrograd_gui.widgets.controls import FittedColumns
from micrograd_gui.widgets.graph_items import ACTIVE_FILL, ROLE_FILLS

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
NUMBER_TEMPLATE = "-0000.0000"  # a column is at least this wide, and its header's text
CELL_PADDING = 18
SPREAD_LIMIT = 3  # no column grows past this many times its fit to fill the table
SHOWN_MARK = "▶ "  # before the number of the row the graph shows
Index = QModelIndex | QPersistentModelIndex
EditCell = Callable[[int, int, str], bool]


def same_rows(a: tuple[tuple[float, ...], ...], b: tuple[tuple[float, ...], ...]) -> bool:
    """Whether `b` starts with `a`'s very row objects (a table edit keeps the rows it does not touch)."""
    return len(a) <= len(b) and all(map(operator.is_, a, b))


class DataTableModel(QAbstractTableModel):
    """The document's data table, one row per data row, one column per data column, read live.

    The row the graph shows (`document.shown_row`) is marked (▶ before its number, bold, filled
    as the picture fills the value at hand); a column that binds a leaf has a bold header filled
    as the picture fills data inputs, an unbound one an italic grey header. Editing a cell calls
    `edit_cell(row, column, text)`, which pushes the command (or refuses, saying why).
    """

    def __init__(self, document: Document, edit_cell: EditCell) -> None:
        super().__init__()
        self._document = document
        self._edit_cell = edit_cell
        self._table: DataTable | None = document.data_table
        self._shown: int | None = document.shown_row
        self._bound: frozenset[str] = frozenset(document.bound_columns())
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        document.add_listener(self._on_document_changed)

    # ---- reading ------------------------------------------------------------

    def table(self) -> DataTable | None:
        return self._table

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() or self._table is None else len(self._table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._table is None else len(self._table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        table = self._table
        if not index.isValid() or table is None:
            return None
        number = table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_decimals(number)
        if role == Qt.ItemDataRole.EditRole:
            return format_number(number)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{table.columns[index.column()]} in row {index.row() + 1:,}: {number!r}"
        if index.row() == self._shown:
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.BackgroundRole:
                return ACTIVE_FILL
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        table = self._table
        if table is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return self._row_header(section, role)
        if not 0 <= section < len(table.columns):
            return None
        column = table.columns[section]
        bound = column in self._bound
        if role == Qt.ItemDataRole.DisplayRole:
            return column
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if bound else self._italic
        if role == Qt.ItemDataRole.BackgroundRole and bound:
            return ROLE_FILLS["data"]
        if role == Qt.ItemDataRole.ForegroundRole and not bound:
            return QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if role == Qt.ItemDataRole.ToolTipRole:
            if bound:
                return (
                    f"Column {column} feeds the leaf {column}: showing a row gives {column} that row's number. "
                    "Right-click to bind it to another leaf or unbind it."
                )
            return f"Column {column} names no leaf: kept, not used. Right-click to bind it to a leaf."
        return None

    def _row_header(self, row: int, role: int) -> Any:
        shown = row == self._shown
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{SHOWN_MARK}{row + 1}" if shown else str(row + 1)
        if role == Qt.ItemDataRole.FontRole and shown:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if shown:
                return f"Row {row + 1:,}: the graph shows its numbers"
            return f"Row {row + 1:,}: double-click to show it in the graph"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.isValid() else flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self._edit_cell(index.row(), index.column(), str(value))

    # ---- following the document ----------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        document = self._document
        table, old = document.data_table, self._table
        if change.structure or change.data:
            bound = frozenset(document.bound_columns())
            if table is not old:
                self._follow_table(old, table)
            if bound != self._bound:
                self._bound = bound
                if table is not None and table.columns:
                    self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(table.columns) - 1)
        shown = document.shown_row
        if shown != self._shown:
            before, self._shown = self._shown, shown
            for row in (before, shown):
                if row is not None and row < self.rowCount():
                    self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
                    self.headerDataChanged.emit(Qt.Orientation.Vertical, row, row)

    def _follow_table(self, old: DataTable | None, table: DataTable | None) -> None:
        """Rows added at the end or dropped from it, or cells changed in place, are told as such
        (the view keeps its place and selection); anything else resets the view."""
        if old is None or table is None or old.columns != table.columns and len(old.columns) != len(table.columns):
            self.beginResetModel()
            self._table = table
            self.endResetModel()
            return
        if len(table.rows) > len(old.rows) and same_rows(old.rows, table.rows):
            self.beginInsertRows(QModelIndex(), len(old.rows), len(table.rows) - 1)
            self._table = table
            self.endInsertRows()
        elif len(table.rows) < len(old.rows) and same_rows(table.rows, old.rows):
            self.beginRemoveRows(QModelIndex(), len(table.rows), len(old.rows) - 1)
            self._table = table
            self.endRemoveRows()
        elif len(table.rows) == len(old.rows):
            self._table = table
            kept = list(map(operator.is_, old.rows, table.rows))  # an edit keeps the rows it does not touch
            if False in kept:
                first, last = kept.index(False), len(kept) - 1 - kept[::-1].index(False)
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(table.columns) - 1))
        else:
            self.beginResetModel()
            self._table = table
            self.endResetModel()
            return
        if old.columns != table.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(table.columns) - 1)


class DataTableView(QTableView):
    """The `dataTable` view. Double-click a cell (or type over it) to edit it; double-click a row's
    number to show that row in the graph (`row_activated(row)`); right-click a column's header for
    `column_menu_requested(column, global position)`; the Delete key gives `delete_pressed()` (a key of
    the table's own, not a shortcut: the value table's Delete stays the window's only one)."""

    row_activated = Signal(int)
    column_menu_requested = Signal(int, QPoint)
    delete_pressed = Signal()

    def __init__(self, model: DataTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataTable")
        self.setAccessibleName("Data rows")
        self.setModel(model)
        self._model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move inside it
        metrics = self.fontMetrics()
        rows = self.verticalHeader()
        rows.setDefaultSectionSize(metrics.height() + 8)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 100,000 rows are never measured
        rows.sectionDoubleClicked.connect(self.row_activated)
        columns = self.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setDefaultSectionSize(metrics.horizontalAdvance(NUMBER_TEMPLATE) + CELL_PADDING)
        columns.setHighlightSections(False)
        columns.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        columns.customContextMenuRequested.connect(self._on_header_menu)
        self._columns = FittedColumns(columns)
        model.modelReset.connect(self._on_reset)
        model.headerDataChanged.connect(self._on_header_changed)

    def table_model(self) -> DataTableModel:
        return self._model

    def selected_rows(self) -> list[int]:
        """The rows with a selected cell, in order (the current row when nothing is selected)."""
        rows: set[int] = set()
        selection = self.selectionModel().selection()
        for number in range(selection.count()):
            selected = selection.at(number)
            rows.update(range(selected.top(), selected.bottom() + 1))
        if not rows and self.currentIndex().isValid():
            rows.add(self.currentIndex().row())
        return sorted(rows)

    def current_column(self) -> int:
        index = self.currentIndex()
        return index.column() if index.isValid() else (0 if self._model.columnCount() else -1)

    def go_to(self, row: int, column: int | None = None) -> None:
        """Make a cell of `row` current (the current column, else the first) and scroll to it."""
        if not 0 <= row < self._model.rowCount():
            return
        if column is None:
            column = max(self.current_column(), 0)
        index = self._model.index(row, column)
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def fit_columns(self, *_: object) -> None:
        """Each column as wide as its header or a number with four decimals, whichever is wider; the
        spare width is shared out equally (up to SPREAD_LIMIT times that). A column the user resized
        keeps its width."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        least = metrics.horizontalAdvance(NUMBER_TEMPLATE) + CELL_PADDING
        bold = QFont(self.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        count = self._model.columnCount()
        widths = {}
        for column in range(count):
            text = str(self._model.headerData(column, Qt.Orientation.Horizontal))
            widths[column] = max(least, bold_metrics.horizontalAdvance(text) + 2 * CELL_PADDING)
        user_sized = self._columns.user_sized
        auto = [column for column in widths if column not in user_sized]
        used = sum(header.sectionSize(c) if c in user_sized else widths[c] for c in widths)
        spare = self.viewport().width() - used
        if spare > 0 and auto:
            for column in auto:
                widths[column] += min(spare // len(auto), widths[column] * (SPREAD_LIMIT - 1))
        self._columns.apply(widths)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != QAbstractItemView.State.EditingState:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def _on_reset(self) -> None:
        self._columns.forget()
        self.fit_columns()

    def _on_header_changed(self, orientation: Qt.Orientation, first: int, last: int) -> None:
        if orientation == Qt.Orientation.Horizontal:
            self.fit_columns()

    def _on_header_menu(self, position: QPoint) -> None:
        header = self.horizontalHeader()
        column = header.logicalIndexAt(position)
        if column >= 0:
            self.column_menu_requested.emit(column, header.mapToGlobal(position))
