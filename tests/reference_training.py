"""A reference for CONTRACT.md's training step, written the way micrograd's demo trains: the document's graph
built once per data row with engine Values (the parameters shared, the bound leaves fresh Values holding the
row), total = sum (or the demo's `sum(losses) * (1.0 / len(losses))`) of the loss plus l2 times the sum of
every parameter squared, backward, `p.data -= lr_k * p.grad`. Slow, plain, for tests of small workspaces."""

from __future__ import annotations

from dataclasses import dataclass

from engine import Value
from micrograd_gui.document import Document, evaluate


@dataclass
class Step:
    """One step's total loss before the update, accuracy (the sign of `output` against the sign of the target
    column, when given), and the parameters' grads, by name."""

    loss: float
    accuracy: float | None
    grads: dict[str, float]


def train(document: Document, steps: int, output: str | None = None, target: str = "y") -> list[Step]:
    """`steps` training steps of the document's data and training settings from its parameters now; the
    document is left as it was."""
    table, settings = document.data_table, document.training
    assert table is not None and settings.loss is not None
    bound = set(document.bound_columns())
    numbers = {name: document.data(name) for name in document.parameters()}
    done = []
    for k in range(steps):
        parameters = {name: Value(number) for name, number in numbers.items()}
        losses, right = [], 0
        for index in range(len(table.rows)):
            row = table.row(index)
            values: dict[str, Value] = {}
            for d in document.definitions:
                if d.name in bound:
                    values[d.name] = Value(row[d.name])
                elif d.name in parameters:
                    values[d.name] = parameters[d.name]
                else:
                    values[d.name] = evaluate(d, [values[o] for o in d.operands])
            losses.append(values[settings.loss])
            if output is not None:
                right += (row[target] > 0) == (values[output].data > 0)
        total = sum(losses)
        assert isinstance(total, Value), "the table has no rows"
        if settings.reduce == "mean":
            total = total * (1.0 / len(losses))
        if settings.l2:
            total = total + settings.l2 * sum(p * p for p in parameters.values())
        total.backward()
        done.append(
            Step(
                total.data, None if output is None else right / len(losses), {n: p.grad for n, p in parameters.items()}
            )
        )
        rate = settings.learning_rate_at(k)
        numbers = {name: p.data - rate * p.grad for name, p in parameters.items()}
    return done
