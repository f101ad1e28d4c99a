"""One QUndoCommand per kind of document change.

Each command checks its change when it is built (raising DocumentError with
the user's message, before anything is pushed), so `QUndoStack.push()`, which
runs `redo()`, cannot fail halfway. Widgets build a command and push it; they
never change the document themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtGui import QUndoCommand

from engine import format_number
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, Document, DocumentError, Group


def describe(definition: Definition) -> str:
    """How a definition reads: `a = 2`, `e = a * b`, `o = tanh(n)`, `s = x ** 2`."""
    d = definition
    return f"{d.name} = {format_number(d.data or 0.0) if d.is_leaf else d.formula}"


class AddDefinitions(QUndoCommand):
    """Create one or more values (a leaf, an op, or all the nodes of an expression or of a template,
    with the groups a template forms)."""

    def __init__(
        self, document: Document, definitions: Sequence[Definition], text: str = "", groups: Sequence[Group] = ()
    ) -> None:
        document.check_many(definitions, groups)
        if not text:
            d = definitions[-1]
            text = f"Create {d.name}" if d.is_leaf else f"Create {describe(d)}"
        super().__init__(text)
        self.document = document
        self.definitions = list(definitions)
        self.groups = list(groups)

    def redo(self) -> None:
        self.document.add_many(self.definitions, self.groups)

    def undo(self) -> None:
        self.document.remove([d.name for d in self.definitions])  # its groups go with their members


class PasteValues(QUndoCommand):
    """Add a pasted graph (its values and groups, none of them reading a value already there) as one
    step. When the pasted code ran backward from one of its values, `root` is that value and `grads`
    d root / d value for the pasted values, worked out beforehand: backward runs from it too, and the
    values already there, which do not feed it, get a grad of 0. Undo puts the grads back as well.
    A pasted data table and training settings come along where the workspace has none of its own."""

    def __init__(
        self,
        document: Document,
        definitions: Sequence[Definition],
        text: str,
        groups: Sequence[Group] = (),
        root: str | None = None,
        grads: dict[str, float] | None = None,
        data: DataTable | None = None,
        training: TrainingSettings | None = None,
    ) -> None:
        document.check_many(definitions, groups)
        self.old_data, self.old_training = document.data_table, document.training
        self.data = data if self.old_data is None else None
        self.training = training if self.old_training == TrainingSettings() else None
        super().__init__(text)
        self.document = document
        self.definitions = list(definitions)
        self.groups = list(groups)
        self.root = root if root is not None and grads is not None else None
        self.new_grads = dict(grads or {})
        self.grads = document.grad_state()

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.document.add_many(self.definitions, self.groups)
        if self.data is not None:
            self.document.set_data(self.data)
        if self.training is not None:
            self.document.set_training(self.training)
        if self.root is not None:
            self.document.set_grads(self.new_grads, self.root, False)

    def undo(self) -> None:
        if self.training is not None:
            self.document.set_training(self.old_training)
        if self.data is not None:
            self.document.set_data(self.old_data)
        self.document.remove([d.name for d in self.definitions])
        self.document.set_grads(*self.grads)


class DeleteValues(QUndoCommand):
    """Delete values; nothing left may depend on them (include dependents to delete them too).
    A group that loses a member goes with it; undo puts it back."""

    def __init__(self, document: Document, names: Sequence[str]) -> None:
        doomed = set(names)
        document.check_removal(doomed)
        ordered = [n for n in document.names if n in doomed]
        super().__init__("Delete " + ", ".join(ordered[:3]) + ("…" if len(ordered) > 3 else ""))
        self.document = document
        self.names = ordered
        self.removed: list[tuple[int, Definition]] = []
        self.grads = document.grad_state()
        self.groups = document.groups

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.groups = self.document.groups
        self.training = self.document.training  # deleting the loss unchooses it
        self.removed = self.document.remove(self.names)

    def undo(self) -> None:
        self.document.restore(self.removed, self.groups)
        if self.document.training != self.training:
            self.document.set_training(self.training)
        self.document.set_grads(*self.grads)


class SetLeafData(QUndoCommand):
    """Change a leaf's number; everything downstream is recomputed."""

    def __init__(self, document: Document, name: str, data: float) -> None:
        document.check_leaf_data(name, data)  # not a leaf, or it breaks a dependent: refused before it is pushed
        old = document.definition(name)
        super().__init__(f"Set {name} to {format_number(data)}")
        self.document = document
        self.name = name
        self.data = data
        self.old_data = old.data if old.data is not None else 0.0
        self.grads = document.grad_state()
        self.old_row = document.shown_row

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.old_row = self.document.shown_row
        self.document.set_leaf_data(self.name, self.data)

    def undo(self) -> None:
        self.document.set_leaves({self.name: self.old_data}, shown_row=self.old_row)
        self.document.set_grads(*self.grads)


class RenameValue(QUndoCommand):
    """Rename a value and every reference to it."""

    def __init__(self, document: Document, old: str, new: str) -> None:
        if old not in document:
            raise DocumentError(f"'{old}' does not exist")
        document.check_new_name(new)
        super().__init__(f"Rename {old} to {new}")
        self.document = document
        self.old = old
        self.new = new

    def redo(self) -> None:
        self.document.rename(self.old, self.new)

    def undo(self) -> None:
        self.document.rename(self.new, self.old)


class RunBackward(QUndoCommand):
    """Backward from one value: every grad becomes d root / d value."""

    def __init__(self, document: Document, root: str) -> None:
        # Computed here, so a failing backward is refused before it is pushed.
        self.new_grads = document.compute_grads(root)
        super().__init__(f"Backward from {root}")
        self.document = document
        self.root = root
        self.grads = document.grad_state()

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.document.set_grads(self.new_grads, self.root, False)

    def undo(self) -> None:
        self.document.set_grads(*self.grads)


class ZeroGrads(QUndoCommand):
    """Set every grad back to 0."""

    def __init__(self, document: Document) -> None:
        super().__init__("Zero grads")
        self.document = document
        self.grads = document.grad_state()

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.document.zero_grads()

    def undo(self) -> None:
        self.document.set_grads(*self.grads)


class SetData(QUndoCommand):
    """Replace the data table (an edited cell, rows added or deleted, a column bound or unbound, a
    CSV imported, data generated; None removes it). `shown_row`, unless False, is the row the bound
    leaves hold afterwards (None: none), for a change that moves or removes the row shown."""

    def __init__(
        self,
        document: Document,
        table: DataTable | None,
        text: str = "Edit the data",
        shown_row: int | None | bool = False,
    ) -> None:
        document.check_data(table)
        super().__init__(text)
        self.document = document
        self.table = table
        self.shown_row = shown_row
        self.old = document.data_table
        self.old_row = document.shown_row

    def redo(self) -> None:
        self.document.set_data(self.table, shown_row=self.shown_row)

    def undo(self) -> None:
        self.document.set_data(self.old, shown_row=self.old_row)


class SetTraining(QUndoCommand):
    """Change the training settings (the loss, how rows combine, L2, learning rates, steps)."""

    def __init__(self, document: Document, settings: TrainingSettings, text: str = "Change the training") -> None:
        super().__init__(text)
        self.document = document
        self.settings = settings
        self.old = document.training

    def redo(self) -> None:
        self.document.set_training(self.settings)

    def undo(self) -> None:
        self.document.set_training(self.old)


class SetLeaves(QUndoCommand):
    """Set several leaves' numbers at once: trained parameters, a reset. `before` is what undo puts
    back (default: the numbers now); a run that showed its progress live passes the numbers at its
    start, so that undo returns there. `shown_row`, unless False, is the data row the leaves hold
    afterwards (a data edit that changes the row shown); undo puts back the row shown before."""

    def __init__(
        self,
        document: Document,
        numbers: Mapping[str, float],
        text: str,
        before: Mapping[str, float] | None = None,
        shown_row: int | None | bool = False,
    ) -> None:
        document.check_leaves(numbers)
        super().__init__(text)
        self.document = document
        self.numbers = dict(numbers)
        self.before = dict(before) if before is not None else {n: document.data(n) for n in numbers}
        self.shown_row = shown_row
        self.grads = document.grad_state()
        self.old_row = document.shown_row

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.old_row = self.document.shown_row
        self.document.set_leaves(self.numbers, shown_row=self.shown_row)

    def undo(self) -> None:
        self.document.set_leaves(self.before, shown_row=self.old_row)
        self.document.set_grads(*self.grads)


class ShowRow(QUndoCommand):
    """Give the bound leaves one data row's numbers: the picture shows that row's forward pass.
    Showing one row after another is one undo step (browsing rows does not fill the history):
    its undo goes back to the numbers before the first."""

    ID = 0x5352  # "SR": consecutive ShowRow commands merge

    def __init__(self, document: Document, index: int) -> None:
        numbers = document.row_numbers(index)
        document.check_leaves(numbers)
        super().__init__(f"Show data row {index + 1}")
        self.document = document
        self.index = index
        self.old_row = document.shown_row
        self.before = {n: document.data(n) for n in numbers}
        self.grads = document.grad_state()

    def redo(self) -> None:
        self.grads = self.document.grad_state()
        self.document.show_row(self.index)

    def undo(self) -> None:
        self.document.set_leaves(self.before, shown_row=self.old_row)
        self.document.set_grads(*self.grads)

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ShowRow) or other.document is not self.document:
            return False
        self.index = other.index
        self.before = {**other.before, **self.before}
        self.setText(other.text())
        return True


class Together(QUndoCommand):
    """Several commands as one undo step (a loss built and chosen): each was checked when it was built;
    done in order, undone in reverse."""

    def __init__(self, text: str, commands: Sequence[QUndoCommand]) -> None:
        super().__init__(text)
        self.commands = list(commands)

    def redo(self) -> None:
        for command in self.commands:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()
