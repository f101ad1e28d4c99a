"""How the Train panel shows training in the workspace: the parameters it is at, the shown data row's
numbers in the bound leaves and the grads of that row's loss, as changes of its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from PySide6.QtGui import QUndoCommand

from micrograd_gui.document import DocumentError
from micrograd_gui.session import WorkspaceSession, sentence


class TrainingMirror:
    """Changes the panel makes in the workspace. `applying` is True while one is under way, so the
    panel's own listener can tell them from changes made elsewhere. Live changes (`show_parameters`,
    `show_row`, `show_grads`) are no undo steps: the steps make theirs, with `push`, when they are
    over. A refusal goes to `fail(message)` and the call returns False."""

    def __init__(self, session: WorkspaceSession, fail: Callable[[str], None]) -> None:
        self._session = session
        self._fail = fail
        self.applying = False

    def row_index(self) -> int:
        """The data row the graph shows (the first, when none is chosen)."""
        shown = self._session.document.shown_row
        return shown if shown is not None else 0

    def row(self) -> dict[str, float]:
        """The numbers the shown data row gives the bound leaves."""
        return self._session.document.row_numbers(self.row_index())

    def show_parameters(self, names: Sequence[str], values: np.ndarray, grads: bool = True) -> bool:
        """The parameters `names` at `values`, with the shown row's numbers, and with `grads` the grads
        of its loss."""
        document = self._session.document
        numbers: Mapping[str, float] = dict(zip(names, (float(x) for x in values)))
        shown = self.change(lambda: document.set_leaves({**numbers, **self.row()}, shown_row=self.row_index()))
        return shown and (not grads or self.show_grads())

    def show_row(self) -> bool:
        """Give the bound leaves the shown row's numbers, unless they hold them already."""
        document = self._session.document
        row = self.row()
        if document.shown_row == self.row_index() and all(document.data(n) == x for n, x in row.items()):
            return True
        return self.change(lambda: document.set_leaves(row, shown_row=self.row_index()))

    def show_grads(self) -> bool:
        """The grads of the shown row's loss, as backward from the loss gives them."""
        document = self._session.document
        loss = document.training.loss
        return loss is None or self.change(lambda: document.set_grads(document.compute_grads(loss), loss, False))

    def change(self, change: Callable[[], None]) -> bool:
        """Make a change of the panel's own (not an undo step); False if the workspace refused it."""
        self.applying = True
        try:
            change()
        except DocumentError as error:
            self._fail(f"Cannot show the training in the graph: {sentence(str(error))}")
            return False
        finally:
            self.applying = False
        return True

    def push(self, make_command: Callable[..., QUndoCommand], *args: object) -> bool:
        """Push an undo step of the panel's own; True if pushed."""
        self.applying = True
        try:
            return self._session.try_push(make_command, *args) is None
        finally:
            self.applying = False
