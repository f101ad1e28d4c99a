"""The value table: one row per value, Name | Op | Data | Grad, read from the document."""

from __future__ import annotations

import heapq
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QContextMenuEvent, QFont, QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from engine import format_decimals, format_number
from micrograd_gui import assets
from micrograd_gui.commands import RenameValue, SetLeafData
from micrograd_gui.document import Change, Document, DocumentError, follow, parse_number
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.widgets.controls import FittedColumns, mark_invalid

NAME, OP, DATA, GRAD = range(4)
COLUMNS = ("Name", "Op", "Data", "Grad")
STALE_TIP = "Stale: a number changed since the last backward pass. Run backward again."
HIDDEN_GRAD = "?"  # a grad hidden until it is guessed (predict mode)
# Columns are sized to what they show, read from this many rows at each end of a big workspace.
FIT_SAMPLE = 50
WIDEST_CANDIDATES = 8  # only the longest few texts (by characters) are measured: a far shorter one is not wider
CELL_PADDING = 16  # a cell's margins and focus frame, both sides
# Widths in characters: the least a text column shrinks to in a narrow window, and the most it takes.
NAME_CHARS = (6, 24)
OP_CHARS = (10, 40)
NUMBER_TEMPLATE = "-0000.0000"  # Data and Grad are at least this wide
SPREAD_WEIGHTS = {NAME: 1, OP: 1, DATA: 1, GRAD: 1}  # equal shares of the spare width: the table is filled
SPREAD_LIMIT = 8.0  # no column grows past this many times its fit (a very wide table leaves some blank)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
Index = QModelIndex | QPersistentModelIndex


def widest(metrics: QFontMetrics, texts: list[str]) -> int:
    """The width of the widest of `texts`; only the longest few are measured (measuring is the slow part)."""
    longest = heapq.nlargest(WIDEST_CANDIDATES, texts, key=len)
    return max((metrics.horizontalAdvance(text) for text in longest), default=0)


class ValueTableModel(QAbstractTableModel):
    """Rows in document order, read live from the document.

    Editing a leaf's Data cell pushes SetLeafData; editing a Name cell pushes
    RenameValue. A refused edit changes nothing and the session says why.
    """

    def __init__(self, session: WorkspaceSession) -> None:
        super().__init__(session)
        self._session = session
        self._document: Document = session.document
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

    def display_text(self, row: int, column: int) -> str:
        """What the cell shows."""
        name = self._names[row]
        if column == NAME:
            return name
        if column == OP:
            return self._document.definition(name).formula
        if column == DATA:
            return format_decimals(self._document.data(name))
        grad = self._document.shown_grad(name)
        return HIDDEN_GRAD if grad is None else format_decimals(grad)

    def row_of(self, name: str) -> int:
        return self._document.position(name) if name in self._document else -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        name = self._names[index.row()]
        column = index.column()
        document = self._document
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(index.row(), column)
        if role == Qt.ItemDataRole.EditRole:
            if column == NAME:
                return name
            if column == DATA:
                return format_number(document.data(name))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column in (DATA, GRAD) else LEFT)
        if column == GRAD and document.grad_overlay is not None:
            return self._overlay_data(name, role)
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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if section in (DATA, GRAD) else LEFT)  # headers line up with their cells
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

    def _overlay_data(self, name: str, role: int) -> Any:
        """A Grad cell while a learning tool shows its own grads: a wrong one is marked."""
        document = self._document
        expected = document.expected_grad(name)
        if expected is not None:
            if role == Qt.ItemDataRole.ForegroundRole:
                return assets.WRONG_GRAD_COLOUR
            if role == Qt.ItemDataRole.BackgroundRole:
                return assets.WRONG_GRAD_FILL
        if role == Qt.ItemDataRole.ToolTipRole:
            overlay = document.grad_overlay
            reason = overlay.reason if overlay is not None else ""
            shown = document.shown_grad(name)
            if shown is None:
                return f"{name}.grad: {reason}"
            if expected is not None:
                return f"{name}.grad {reason}: {shown!r}; the correct grad is {expected!r}"
            return f"{name}.grad = {shown!r}"
        return None

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
            return f"{name}: double-click or F2 to rename"
        if column == OP:
            text = document.definition(name).formula
            return f"{name} = {text}" if text else f"{name} is a leaf: its number is set by hand"
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
            return self._session.try_push(RenameValue, self._document, name, new) is None
        if index.column() == DATA:
            try:
                number = parse_number(text)
            except DocumentError as error:
                self._session.show_error(f"{name} unchanged: {error}")
                return False
            if number == self._document.data(name):
                return False
            return self._session.try_push(SetLeafData, self._document, name, number) is None
        return False

    def rename_refusal(self, row: int, text: str) -> str | None:
        """Why renaming the value in `row` to `text` would be refused (None when it would not, or
        when the name is unchanged), as a sentence; nothing changes."""
        name, new = self._names[row], text.strip()
        if new == name:
            return None
        try:
            RenameValue(self._document, name, new)
        except DocumentError as error:
            return sentence(str(error))
        return None

    def tell_refusal(self, reason: str) -> None:
        self._session.show_error(reason)

    # ---- following the document ----------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        old = self._names
        last_column = len(COLUMNS) - 1
        if not change.structure:
            if old:
                self.dataChanged.emit(self.index(0, DATA), self.index(len(old) - 1, last_column))
            return
        how, names = follow(change, old, self._document)
        if how == "appended":
            self.beginInsertRows(QModelIndex(), len(old), len(names) - 1)
            self._names = names
            self.endInsertRows()
        elif how == "dropped":
            self.beginRemoveRows(QModelIndex(), len(names), len(old) - 1)
            self._names = names
            self.endRemoveRows()
        elif how == "renamed" or names == old:  # same rows; a rename also changes the Op texts using it
            self._names = names
            if names:
                self.dataChanged.emit(self.index(0, NAME), self.index(len(names) - 1, last_column))
        else:
            self.beginResetModel()
            self._names = names
            self.endResetModel()


class NameEditing(QStyledItemDelegate):
    """Edits Name cells in place. Return on a name that would be refused (an existing name, a
    keyword) keeps the editor open with what was typed, outlined, with the reason in its tooltip and
    the status bar."""

    def __init__(self, view: ValueTable) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(watched, QLineEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            reason = self._view.value_model().rename_refusal(self._view.currentIndex().row(), watched.text())
            if reason is not None:
                watched.setToolTip(reason)
                mark_invalid(watched, True)
                watched.selectAll()
                self._view.value_model().tell_refusal(reason)
                return True
        return super().eventFilter(watched, event)


class ValueTable(QTableView):
    """The `valueTable` view over a ValueTableModel.

    Emits `value_selected(name)` when the current row changes ('' when none).
    F2 or a double-click renames in place; the context menu holds the actions
    added to the table with addAction() (the window adds Rename and Delete).
    """

    value_selected = Signal(str)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("valueTable")
        self._session = session
        self._model = ValueTableModel(session)
        self.setModel(self._model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move inside it
        self.setItemDelegateForColumn(NAME, NameEditing(self))
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Columns fit what they show (no column takes the spare width: 'a * b' in a huge column
        # reads badly); a column the user drags keeps the user's width from then on.
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        self._columns = FittedColumns(header)
        self.setAccessibleName("Values")

        self.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self._model.rowsInserted.connect(self._on_rows_inserted)
        for signal in (self._model.rowsInserted, self._model.rowsRemoved, self._model.dataChanged):
            signal.connect(self.fit_columns)
        self._model.modelReset.connect(self.fit_columns)
        self.fit_columns()

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
        menu.addActions(self.actions())
        menu.exec(event.globalPos())

    def fit_columns(self, *_: object) -> None:
        """Size each column to its texts (sampled in big workspaces) within sensible bounds.

        Spare width is shared out equally, so the columns fill the table (no column grows past
        SPREAD_LIMIT times its fit); in a narrow table Op, then Name, give way first. Columns the
        user has resized keep their width."""
        wanted = self._wanted_widths()
        user_sized = self._columns.user_sized
        auto = [column for column in (NAME, OP, DATA, GRAD) if column not in user_sized]
        widths = {column: self.columnWidth(column) if column in user_sized else wanted[column][1] for column in wanted}
        spare = self.viewport().width() - sum(widths.values())
        if spare > 0:
            weights = {column: SPREAD_WEIGHTS[column] for column in auto}
            total = sum(weights.values()) or 1
            for column, weight in weights.items():
                widths[column] += min(spare * weight // total, int(widths[column] * (SPREAD_LIMIT - 1)))
        for column in (OP, NAME):
            if spare < 0 and column in auto:
                cut = min(widths[column] - wanted[column][0], -spare)
                widths[column] -= cut
                spare += cut
        self._columns.apply(widths)

    def _wanted_widths(self) -> dict[int, tuple[int, int]]:
        """column -> (least, wanted) width in pixels."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        model = self._model
        count = model.rowCount()
        rows = range(count) if count <= 2 * FIT_SAMPLE else [*range(FIT_SAMPLE), *range(count - FIT_SAMPLE, count)]
        texts = {column: [model.display_text(row, column) for row in rows] for column in (NAME, OP, DATA, GRAD)}
        char = metrics.averageCharWidth()
        widths: dict[int, tuple[int, int]] = {}
        for column, (least_chars, most_chars) in ((NAME, NAME_CHARS), (OP, OP_CHARS)):
            least = max(least_chars * char, header.sectionSizeFromContents(column).width() - CELL_PADDING)
            content = widest(metrics, texts[column])
            widths[column] = (least + CELL_PADDING, max(least, min(content, most_chars * char)) + CELL_PADDING)
        for column in (DATA, GRAD):
            least = max(metrics.horizontalAdvance(NUMBER_TEMPLATE), header.sectionSizeFromContents(column).width())
            content = widest(metrics, texts[column])
            width = max(least, content) + CELL_PADDING
            widths[column] = (width, width)
        return widths

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def _on_current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.value_selected.emit(self._model.name_at(current.row()) if current.isValid() else "")

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        self.scrollTo(self._model.index(last, NAME))
