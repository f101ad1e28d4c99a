"""A combo box listing the workspace's value names, kept in step with the document."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QComboBox, QWidget

from micrograd_gui.document import Change, Document, follow

# Adding one item costs about as much as copying 64 names of a whole new list (measured: 14 us
# against 0.2 us), so an append of more than 1/64 of the list copies the list instead.
_ITEMS_PER_COPY = 64


class NameCombo(QComboBox):
    """The document's value names, in document order; updates itself on every structural change.

    A rename keeps the selection on the renamed value; a deletion falls back to
    the newest value. With `follow_newest`, the selection moves to each new
    value unless the user picked an older one that still exists.
    """

    def __init__(
        self, document: Document, object_name: str = "", follow_newest: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._document = document
        self._follow_newest = follow_newest
        self._items: list[str] = []
        self._user_choice: str | None = None
        self._syncing = False
        # A plain list of strings: a whole new list goes in as one copy (setStringList), about three
        # times faster than addItems, which makes an item object per name (100,000 on opening a file).
        self._model = QStringListModel(self)
        self.setModel(self._model)
        # Long names and big workspaces: never size to the widest of 600 items.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self.setMaxVisibleItems(20)

        self.currentIndexChanged.connect(self._on_index_changed)
        document.add_listener(self._on_document_changed)
        self.sync()

    def names(self) -> list[str]:
        """The names listed, in order."""
        return list(self._items)

    def sync(self, change: Change | None = None) -> None:
        """Bring the items in line with the document, touching as few as possible. Listeners hear of
        the current value at most once, when it differs at the end, not of the steps on the way."""
        items = self._items
        how, names = follow(change, items, self._document)
        index, text = self.currentIndex(), self.currentText()
        self._syncing = True
        signals_were_blocked = self.blockSignals(True)
        try:
            if how == "appended":
                self._append(names[len(items) :])
            elif how == "dropped":
                self._truncate(names)
            elif how == "renamed":
                assert change is not None and change.renamed is not None
                self._rename(*change.renamed)
                self._items = names
            else:
                self._reread(names)
        finally:
            self.blockSignals(signals_were_blocked)
        try:
            if self.currentIndex() != index:
                self.currentIndexChanged.emit(self.currentIndex())
            if self.currentText() != text:
                self.currentTextChanged.emit(self.currentText())
        finally:
            self._syncing = False

    def _append(self, appended: list[str]) -> None:
        # Earlier items keep their places, so the current index still names the same value.
        current = self.currentIndex()
        self._items = self._items + appended
        if len(appended) * _ITEMS_PER_COPY > len(self._items):  # many (an undo of a big delete): one copy
            self._model.setStringList(self._items)
            self.setCurrentIndex(max(current, 0))  # an empty combo shows its first value, as addItems does
        else:
            self.addItems(appended)
        if self._follow_newest and self._user_choice is None:
            self.setCurrentIndex(len(self._items) - 1)

    def _truncate(self, kept: list[str]) -> None:
        current = self.currentIndex()
        self._items = kept
        self._model.removeRows(len(kept), self.count() - len(kept))
        if current >= len(kept) or (self._follow_newest and self._user_choice is None):
            self._user_choice = None
            self.setCurrentIndex(len(kept) - 1)

    def _rename(self, old: str, new: str) -> None:
        self.setItemText(self._document.position(new), new)
        if self._user_choice == old:
            self._user_choice = new

    def _reread(self, names: list[str]) -> None:
        if names != self._items:  # another list: a file opened, an undo
            current = self.currentText()
            self._model.setStringList(names)
            if self._follow_newest and self._user_choice not in names:
                self._user_choice = None
            wanted = self._user_choice if self._follow_newest else current
            if wanted is None or wanted not in names:
                self.setCurrentIndex(len(names) - 1)
            else:
                self.setCurrentIndex(names.index(wanted))
        self._items = names

    def _on_document_changed(self, change: Change) -> None:
        if change.structure:
            self.sync(change)

    def _on_index_changed(self, index: int) -> None:
        if self._syncing:
            return
        # Choosing the newest value is choosing the default: keep following new ones.
        self._user_choice = None if index in (-1, self.count() - 1) else self.itemText(index)
