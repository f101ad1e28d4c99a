"""The value table: one row per value, Name | Op | Data | Grad, read from the document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from engine import format_number
from micrograd_gui import assets
from micrograd_gui.commands import RenameValue, SetLeafData
from micrograd_gui.document import Change, Definition, Document, DocumentError, parse_number
from micrograd_gui.widgets.name_combo import updated_names

if TYPE_CHECKING:
    from micrograd_gui.widgets.main_window import MainWindow

NAME, OP, DATA, GRAD = range(4)
COLUMNS = ("Name", "Op", "Data", "Grad")
STALE_TIP = "Stale: a number changed since the last backward pass. Run backward again."
Index = QModelIndex | QPersistentModelIndex


def op_text(definition: Definition) -> str:
    """How a value is computed, as the table shows it: `a * b`, `tanh(n)`, `-a`, `x ** 2`; '' for a leaf."""
    d = definition
    if d.is_leaf:
        return ""
    if d.op == "**":
        return f"{d.operands[0]} ** {format_number(d.exponent or 0.0)}"
    if len(d.operands) == 1:
        return f"-{d.operands[0]}" if d.op == "-" else f"{d.op}({d.operands[0]})"
    return f"{d.operands[0]} {d.op} {d.operands[1]}"


class ValueTableModel(QAbstractTableModel):
    """Rows in document order, read live from the document.

    Editing a leaf's Data cell pushes SetLeafData; editing a Name cell pushes
    RenameValue. A refused edit changes nothing and the window shows why.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._document: Document = window.document
        self._names: list[str] = self._document.names  # row order only; everything else is read live
        self._italic = QFont()
        self._italic.setItalic(True)
        self._document.add_listener(self._on_document_changed)

    # ---- reading ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def name_at(self, row: int) -> str:
        return self._names[row]

    def row_of(self, name: str) -> int:
        return self._document.position(name) if name in self._document else -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        name = self._names[index.row()]
        column = index.column()
        document = self._document
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME:
                return name
            if column == OP:
                return op_text(document.definition(name))
            if column == DATA:
                return "%.4f" % document.data(name)
            return "%.4f" % document.grad(name)
        if role == Qt.ItemDataRole.EditRole:
            if column == NAME:
                return name
            if column == DATA:
                return format_number(document.data(name))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (DATA, GRAD):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == GRAD and document.grads_stale:
            if role == Qt.ItemDataRole.ForegroundRole:
                return assets.STALE_COLOUR
            if role == Qt.ItemDataRole.FontRole:
                return self._italic
            if role == Qt.ItemDataRole.ToolTipRole:
                return STALE_TIP
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tool_tip(name, column)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return (
                "The value's name",
                "How it is computed (blank for a leaf)",
                "Its number (double-click a leaf's to edit it)",
                "d root / d value from the last backward pass",
            )[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not index.isValid():
            return flags
        if index.column() == NAME:
            return flags | Qt.ItemFlag.ItemIsEditable
        if index.column() == DATA and self._document.definition(self._names[index.row()]).is_leaf:
            return flags | Qt.ItemFlag.ItemIsEditable
        return flags

    def _tool_tip(self, name: str, column: int) -> str | None:
        document = self._document
        if column == DATA:
            definition = document.definition(name)
            exact = repr(document.data(name))
            return f"{exact} (double-click to edit)" if definition.is_leaf else exact
        if column == GRAD:
            root = document.backward_root
            return f"d {root} / d {name} = {document.grad(name)!r}" if root else "No backward pass yet"
        if column == NAME:
            return "Double-click or F2 to rename"
        return None

    # ---- editing: every change is a command --------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        name = self._names[index.row()]
        text = str(value)
        if index.column() == NAME:
            new = text.strip()
            if new == name:
                return False
            return self._window.try_push(RenameValue, self._document, name, new) is None
        if index.column() == DATA:
            try:
                number = parse_number(text)
            except DocumentError as error:
                self._window.show_error(f"{name} unchanged: {error}")
                return False
            if number == self._document.data(name):
                return False
            return self._window.try_push(SetLeafData, self._document, name, number) is None
        return False

    # ---- following the document ----------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        old = self._names
        last_column = len(COLUMNS) - 1
        if not change.structure:
            if old:
                self.dataChanged.emit(self.index(0, DATA), self.index(len(old) - 1, last_column))
            return
        names = updated_names(self._document, change, old)
        if names == old:
            if names:
                self.dataChanged.emit(self.index(0, NAME), self.index(len(names) - 1, last_column))
        elif len(names) > len(old) and names[: len(old)] == old:
            self.beginInsertRows(QModelIndex(), len(old), len(names) - 1)
            self._names = names
            self.endInsertRows()
        elif len(names) < len(old) and old[: len(names)] == names:
            self.beginRemoveRows(QModelIndex(), len(names), len(old) - 1)
            self._names = names
            self.endRemoveRows()
        elif len(names) == len(old):
            self._names = names  # a rename: same rows, new text
            self.dataChanged.emit(self.index(0, NAME), self.index(len(names) - 1, last_column))
        else:
            self.beginResetModel()
            self._names = names
            self.endResetModel()


class ValueTable(QTableView):
    """The `valueTable` view over a ValueTableModel.

    Emits `value_selected(name)` when the current row changes ('' when none).
    F2 or a double-click renames in place; the context menu holds the
    window's value actions (Rename, Delete).
    """

    value_selected = Signal(str)

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("valueTable")
        self._window = window
        self._model = ValueTableModel(window)
        self.setModel(self._model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(OP, QHeaderView.ResizeMode.Stretch)
        digits = self.fontMetrics().horizontalAdvance("-0000.0000") + 24
        self.setColumnWidth(NAME, self.fontMetrics().horizontalAdvance("M") * 8 + 16)
        self.setColumnWidth(DATA, digits)
        self.setColumnWidth(GRAD, digits)
        self.setAccessibleName("Values")

        self.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self._model.rowsInserted.connect(self._on_rows_inserted)

    def value_model(self) -> ValueTableModel:
        return self._model

    def current_name(self) -> str:
        """The value in the current row ('' when none)."""
        index = self.currentIndex()
        return self._model.name_at(index.row()) if index.isValid() else ""

    def selected_names(self) -> list[str]:
        """The selected values in document order, or the current one when no row is selected."""
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        names = [self._model.name_at(row) for row in rows]
        if not names and self.current_name():
            names = [self.current_name()]
        return names

    def select_name(self, name: str | None) -> None:
        """Make `name`'s row current and selected, scrolled into view; None clears the selection."""
        row = self._model.row_of(name) if name else -1
        if row < 0:
            self.clearSelection()
            return
        if row == self.currentIndex().row() and self.selectionModel().isRowSelected(row):
            return
        index = self._model.index(row, NAME)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def edit_name(self, name: str) -> None:
        """Start editing `name`'s Name cell in place (Rename)."""
        row = self._model.row_of(name)
        if row >= 0:
            index = self._model.index(row, NAME)
            self.setCurrentIndex(index)
            self.edit(index)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid() and not self.selectionModel().isRowSelected(index.row()):
            self.select_name(self._model.name_at(index.row()))
        menu = QMenu(self)
        for action in self._window.value_actions():
            menu.addAction(action)
        menu.exec(event.globalPos())

    def _on_current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.value_selected.emit(self._model.name_at(current.row()) if current.isValid() else "")

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        self.scrollTo(self._model.index(last, NAME))
