"""What each phase of a training step shown one click at a time says (the Train panel's Show
phases): forward, loss, backward, update. Qt-free."""

from __future__ import annotations

from engine import format_decimals
from micrograd_gui.dataset import TrainingSettings


def forward_text(row: int, rows: int) -> str:
    """`row` counts from 0."""
    return (
        f"Forward: the graph shows data row {row + 1} run through the model; the step runs all"
        f" {rows} rows at once. Next: the loss."
    )


def loss_text(settings: TrainingSettings, rows: int, total: float, row_loss: float) -> str:
    l2 = f" + {settings.l2:g} × Σ p²" if settings.l2 else ""
    return (
        f"Loss: the {settings.reduce} of {settings.loss} over {rows} rows{l2} = {format_decimals(total)}"
        f" (this row's {settings.loss}: {format_decimals(row_loss)}). Next: backward."
    )


def backward_text(loss: str | None) -> str:
    return (
        f"Backward: the graph shows d {loss} / d value for this row; the step adds up every row's"
        " (and the L2 term's) grads. Next: the update."
    )


def update_text(learning_rate: float) -> str:
    return (
        f"Update: every parameter p -= {format_decimals(learning_rate)} × grad, with the grads of the"
        " total over every row (tinted in the graph: green up, red down)"
    )
