"""The backward pass one node at a time, with the chain rule written out. Qt-free.

`BackwardStepper(root)` replays exactly what `root.backward()` does, in the
same order: seed `root.grad = 1`, then visit the values in reverse
topological order and add `local * out.grad` into each operand's grad. Each
step is one value that has operands; its explanation is built from
`engine.local_grads` (the numbers) and `engine.LOCAL_GRAD_FORMULAS` (the
words), the same table `backward()` uses, so the text cannot drift from the
maths. After the last step the grads equal a full backward's bit for bit.

The stepper never writes into the Values: it keeps its own grads, which the
caller publishes (the window shows them with `Document.show_partial_grads`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine import LOCAL_GRAD_FORMULAS, Value, format_decimals, format_number, local_grads, op_symbol, topological_order


def format_grad(x: float) -> str:
    """A factor in an explanation: negatives in parentheses, so `(-3.0000) * (-2.0000)` reads clearly."""
    text = format_decimals(x)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class GradUpdate:
    """One `operand.grad += local * out.grad` of a step."""

    operand: str
    index: int  # the operand's position in the stepper's order
    formula: str  # the local derivative in words, e.g. "b.data"
    local: float
    upstream: float  # out.grad
    before: float
    after: float
    accumulated: bool  # the operand already had a contribution: it is used more than once

    @property
    def contribution(self) -> float:
        return self.local * self.upstream

    def text(self, out: str) -> str:
        formula = f"({self.formula})" if " " in self.formula else self.formula
        line = (
            f"{self.operand}.grad += {formula} * {out}.grad = "
            f"{format_grad(self.local)} * {format_grad(self.upstream)} = {format_decimals(self.contribution)}"
        )
        if self.accumulated:
            line += f"   now {format_decimals(self.after)}, was {format_decimals(self.before)}"
        return line


@dataclass(frozen=True)
class Step:
    """One step: the value whose grad flows to its operands, and the arithmetic."""

    number: int  # 1-based
    total: int
    node: str
    index: int  # the node's position in the stepper's order
    seeded: bool  # this step also set root.grad = 1
    updates: tuple[GradUpdate, ...]
    lines: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return "\n".join(self.lines)


class BackwardStepper:
    """Steps through `root.backward()`; `grads` holds the partial grads so far.

    `order` is every Value the root depends on, operands first; `names[i]`
    is how value i is called (its label). `step()` goes forward one node,
    `step_back()` undoes the last step, `done` is True after the last one.
    """

    def __init__(self, root: Value) -> None:
        self.root = root
        self.order = topological_order(root)
        self.names = [v.label or f"v{i}" for i, v in enumerate(self.order)]
        self._index = {id(v): i for i, v in enumerate(self.order)}
        # One step per value that has operands, in the order backward() visits them; a leaf root is one step.
        self._schedule = [i for i in reversed(range(len(self.order))) if self.order[i]._prev] or [len(self.order) - 1]
        self._uses = [0] * len(self.order)  # operand uses not yet propagated: 0 means the grad is final
        for v in self.order:
            for child in v._prev:
                self._uses[self._index[id(child)]] += 1
        self.grads = [0.0] * len(self.order)
        self._contributions = [0] * len(self.order)
        self.history: list[Step] = []

    # ---- state ------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._schedule)

    @property
    def position(self) -> int:
        """How many steps are done."""
        return len(self.history)

    @property
    def done(self) -> bool:
        return self.position == self.total

    @property
    def current(self) -> Step | None:
        return self.history[-1] if self.history else None

    @property
    def root_name(self) -> str:
        return self.names[-1]

    def grads_by_name(self) -> dict[str, float]:
        return dict(zip(self.names, self.grads))

    def visited(self) -> set[str]:
        """Values already handled: earlier steps' nodes, and leaves whose grad is final."""
        names = {self.names[step.index] for step in self.history[:-1]}
        if self.history:
            names.update(self.names[i] for i, v in enumerate(self.order) if not v._prev and self._uses[i] == 0)
        return names

    # ---- moving -----------------------------------------------------------

    def step(self) -> Step:
        """Propagate the next node's grad to its operands."""
        if self.done:
            raise IndexError("the backward pass is already complete")
        i = self._schedule[self.position]
        v = self.order[i]
        lines = [f"Step {self.position + 1} of {self.total}"]
        seeded = not self.history
        if seeded:
            root = self.root_name
            self.grads[i] = 1.0
            lines.append(f"{root}.grad = 1   (d{root}/d{root} = 1: the chain rule starts here)")
        updates: list[GradUpdate] = []
        if v._prev:
            out = self.names[i]
            operands = [self.names[self._index[id(c)]] for c in v._prev]
            lines.append(f"through {describe(v, out, operands)}, where {out}.grad = {format_decimals(self.grads[i])}:")
            formulas = local_formulas(v, operands, out)
            for child, local, formula in zip(v._prev, local_grads(v), formulas):
                j = self._index[id(child)]
                before = self.grads[j]
                self.grads[j] += local * self.grads[i]  # the chain rule, as in Value.backward
                update = GradUpdate(
                    operand=self.names[j],
                    index=j,
                    formula=formula,
                    local=local,
                    upstream=self.grads[i],
                    before=before,
                    after=self.grads[j],
                    accumulated=self._contributions[j] > 0,
                )
                self._contributions[j] += 1
                self._uses[j] -= 1
                updates.append(update)
                lines.append(update.text(out))
        else:
            lines.append(f"{self.names[i]} is a leaf: nothing to propagate")
        step = Step(self.position + 1, self.total, self.names[i], i, seeded, tuple(updates), tuple(lines))
        self.history.append(step)
        return step

    def step_back(self) -> Step | None:
        """Undo the last step; returns the step now current (None at the start)."""
        if not self.history:
            return None
        step = self.history.pop()
        for update in reversed(step.updates):
            self.grads[update.index] = update.before
            self._contributions[update.index] -= 1
            self._uses[update.index] += 1
        if step.seeded:
            self.grads[step.index] = 0.0
        return self.current

    def finish(self) -> None:
        while not self.done:
            self.step()


def describe(v: Value, name: str, operands: list[str]) -> str:
    """How a node reads: `e = a * b`, `o = tanh(n)`, `m = -a`, `s = x ** 2`."""
    if v._op == "**" and v._arg is not None:  # a `**` made by hand has no exponent
        return f"{name} = {operands[0]} ** {format_number(v._arg)}"
    if len(operands) == 1:
        return f"{name} = -{operands[0]}" if v._op == "-" else f"{name} = {op_symbol(v)}({operands[0]})"
    return f"{name} = {operands[0]} {op_symbol(v)} {operands[1]}"


def local_formulas(v: Value, operands: list[str], out: str) -> list[str]:
    """The engine's local-derivative formulas with this node's names (and exponent) filled in."""
    formulas = []
    for template in LOCAL_GRAD_FORMULAS[(v._op, len(v._prev))]:
        if v._op == "**" and v._arg is not None:
            n = v._arg
            template = re.sub(r"\(n-1\)", format_number(n - 1), template)
            template = re.sub(r"\bn\b", format_number(n), template)
        text = template.format(*operands).replace("out.data", f"{out}.data")
        formulas.append(text)
    return formulas
