"""Grads a learning tool shows in place of the workspace's own. Qt-free.

Predict mode hides the grads not yet guessed; the bug lab shows the grads a
mistaken backward gives and marks the ones that are wrong. Neither changes a
grad of the document: each hands the document a `GradLens`, and the document
asks it for a `GradOverlay` after every change of its own, before any listener
hears of the change, so the table and the picture never show an overlay made
for numbers that have gone. Nothing here is recorded for undo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from micrograd_gui.document import Document

_EMPTY: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True)
class GradOverlay:
    """What the table and the picture show for each grad.

    `grads` are shown instead of the document's; with `hide_others`, a value not in
    `grads` shows its grad as unknown (`?`). `expected` holds the correct grad of each
    value whose shown grad is wrong: those are marked. `reason` says in a few words
    where the shown grads come from (for tooltips).
    """

    grads: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    hide_others: bool = False
    expected: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    reason: str = ""


class GradLens(Protocol):
    """A learning tool's view of the grads: asked for a fresh overlay after each change of the document."""

    def grad_overlay(self, document: Document) -> GradOverlay | None:
        """The overlay for the document as it is now (None: show the document's own grads)."""
        ...
