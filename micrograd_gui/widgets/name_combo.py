"""A combo box listing the workspace's value names, kept in step with the document."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from micrograd_gui.document import Change, Document


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

    def sync(self) -> None:
        """Bring the items in line with the document, touching as few as possible."""
        names = self._document.names
        items = self._items
        if names == items:
            return
        self._syncing = True
        try:
            if len(names) > len(items) and names[: len(items)] == items:
                self.addItems(names[len(items) :])
            elif len(names) == len(items):
                for i, (old, new) in enumerate(zip(items, names)):
                    if old != new:
                        self.setItemText(i, new)
                        if self._user_choice == old:
                            self._user_choice = new
            else:
                current = self.currentText()
                self.clear()
                self.addItems(names)
                if current in names:
                    self.setCurrentIndex(names.index(current))
                else:
                    self.setCurrentIndex(len(names) - 1)
            self._items = names
            if self._follow_newest and names:
                wanted = self._user_choice if self._user_choice in names else names[-1]
                self.setCurrentIndex(names.index(wanted))
        finally:
            self._syncing = False

    def _on_document_changed(self, change: Change) -> None:
        if change.structure:
            self.sync()

    def _on_index_changed(self, index: int) -> None:
        if self._syncing:
            return
        # Choosing the newest value is choosing the default: keep following new ones.
        self._user_choice = None if index in (-1, self.count() - 1) else self.itemText(index)
