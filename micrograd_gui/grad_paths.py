"""Why this grad? Every path from the backward root down to a value, with its product. Qt-free.

The chain rule says d root / d x is the sum, over every path from the root down
to x, of the product of the local derivatives along the path (a value used
twice, `b = a + a`, is reached by two paths). `explain_grad` lists them:

* how many paths there are, counted by dynamic programming (one pass over the
  values between x and the root, never enumerating them: an MLP has millions);
* the `limit` largest by magnitude, found by the same pass keeping the best
  `limit` partial products at each value (multiplying by |local| >= 0 keeps
  the order, so the best paths to x extend best paths to its users); when
  there are at most `limit`, that is all of them;
* their sum over all paths, which is backward's grad bit for bit: the pass adds
  the same products in the same order as `Value.backward()`.

The local derivatives come from `engine.local_grads`, the table backward uses.
The work is linear in the size of the graph (times `limit`).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from engine import Value, format_decimals, local_grads, topological_order

LIMIT = 12  # paths listed; more than this and only the largest this many are
LONG_PATH = 9  # a path of more values shows its first and last few only
ARROW = " → "
TIMES = " × "


@dataclass(frozen=True)
class GradPath:
    """One path from the root (first) down to the value (last): `slots[i]` is which operand of
    `names[i]` the path goes through to `names[i + 1]`; `factors` are 1 (d root / d root), then
    each step's local derivative."""

    names: tuple[str, ...]
    slots: tuple[int, ...]
    factors: tuple[float, ...]
    repeats: tuple[int, ...]  # how many times names[i] uses names[i + 1] (2 in `b = a + a`)

    @property
    def product(self) -> float:
        product = 1.0
        for factor in self.factors:
            product *= factor
        return product

    def text(self) -> str:
        """`L → d → e → a: 1.0000 × -2.0000 × 1.0000 × -3.0000 = 6.0000` (a long path shortened)."""
        names = list(self.names)
        factors = [format_decimals(f) for f in self.factors]
        if len(names) > LONG_PATH:
            hidden = len(names) - 6
            names = [*names[:3], f"… {hidden} more …", *names[-3:]]
            factors = [*factors[:3], "…", *factors[-3:]]
        return f"{ARROW.join(names)}: {TIMES.join(factors)} = {format_decimals(self.product)}"

    def step_notes(self) -> str:
        """Which use a step takes where a value uses the next one twice (`b = a + a`), else ''."""
        notes = [
            f"{self.names[i + 1]} as {self.names[i]}'s {'first' if slot == 0 else 'second'} operand"
            for i, slot in enumerate(self.slots)
            if self.repeats[i] > 1
        ]
        return "   (" + "; ".join(notes) + ")" if notes else ""


@dataclass(frozen=True)
class GradPaths:
    """The paths from `root` down to `target`: `count` in all, `paths` listed (every one when
    `complete`, else the largest by magnitude), `total` their sum over every path (= the grad)
    and `rest` what the paths not listed add up to."""

    root: str
    target: str
    count: int
    paths: tuple[GradPath, ...]
    total: float
    rest: float

    @property
    def complete(self) -> bool:
        return len(self.paths) == self.count

    def path_lines(self) -> list[str]:
        return [path.text() + path.step_notes() for path in self.paths]

    def summary_lines(self) -> list[str]:
        """What follows the paths: the sum, which is the grad."""
        grad = f"d{self.root}/d{self.target} = {self.target}.grad"
        if self.count == 0:
            return [f"{self.root} does not depend on {self.target}: no path leads to it, so {self.target}.grad is 0."]
        if self.complete:
            if self.count == 1:
                return [f"One path: its product {format_decimals(self.total)} is {grad}."]
            terms = " + ".join(format_decimals(p.product) for p in self.paths)
            return [f"Sum of the {self.count} paths: {terms} = {format_decimals(self.total)} = {grad}"]
        listed = sum(p.product for p in self.paths)
        others = self.count - len(self.paths)
        return [
            f"{count_text(self.count)} paths in all; the {len(self.paths)} largest above add up to"
            f" {format_decimals(listed)}.",
            f"The other {count_text(others)} add up to {format_decimals(self.rest)}.",
            f"Sum of all {count_text(self.count)}: {format_decimals(self.total)} = {grad}",
        ]


def count_text(count: int) -> str:
    """A count of paths as a person reads it: 1,234,567, or 3.5e+21 past a quadrillion."""
    return f"{count:,}" if count < 10**15 else f"{float(count):.2g}"


@dataclass
class _Partial:
    """A best path from the root down to some value: its product, and where it came from."""

    product: float
    parent: Value | None
    entry: int  # the index of the path it extends in the parent's list
    slot: int


def explain_grad(root: Value, target: Value, limit: int = LIMIT) -> GradPaths:
    """The paths from `root` down to `target` (both engine Values, labelled with their names)."""
    order = topological_order(root)  # operands first
    reaches: set[Value] = set()  # the values on some path: they depend on target (or are it)
    for v in order:
        if v is target or any(child in reaches for child in v._prev):
            reaches.add(v)
    if target not in reaches:
        return GradPaths(root.label, target.label, 0, (), 0.0, 0.0)
    cone = [v for v in reversed(order) if v in reaches]  # every value before its operands, root first
    counts: dict[Value, int] = {v: 0 for v in cone}
    sums: dict[Value, float] = {v: 0.0 for v in cone}
    best: dict[Value, list[_Partial]] = {v: [] for v in cone}
    counts[root], sums[root] = 1, 1.0
    best[root] = [_Partial(1.0, None, -1, -1)]
    for v in cone:
        if v is target:
            break  # nothing below the target is on a path to it
        mine = best[v] = _largest(best[v], limit)
        for slot, (child, local) in enumerate(zip(v._prev, local_grads(v))):
            if child not in reaches:
                continue
            counts[child] += counts[v]
            sums[child] += local * sums[v]  # as backward adds it
            extended = best[child]
            extended.extend(_Partial(p.product * local, v, k, slot) for k, p in enumerate(mine))
            if len(extended) > 4 * limit:  # keep the lists short while they grow
                best[child] = _largest(extended, limit)
    paths = tuple(_path(best, target, p) for p in _largest(best[target], limit))
    listed = 0.0
    for path in paths:
        listed += path.product
    count = counts[target]
    rest = 0.0 if len(paths) == count else sums[target] - listed
    return GradPaths(root.label, target.label, count, paths, sums[target], rest)


def _largest(partials: list[_Partial], limit: int) -> list[_Partial]:
    """The `limit` partial paths of largest magnitude, in that order (ties in the order found)."""
    if len(partials) <= 1:
        return partials
    return heapq.nlargest(limit, partials, key=lambda p: -1.0 if math.isnan(p.product) else abs(p.product))


def _path(best: dict[Value, list[_Partial]], target: Value, final: _Partial) -> GradPath:
    """The path a best partial path to the target stands for, followed back up to the root."""
    steps = [(target, final)]
    partial = final
    while partial.parent is not None:
        parent = partial.parent
        partial = best[parent][partial.entry]
        steps.append((parent, partial))
    steps.reverse()
    factors, slots, repeats = [1.0], [], []
    for (parent, _), (child, reached) in zip(steps, steps[1:]):
        factors.append(local_grads(parent)[reached.slot])
        slots.append(reached.slot)
        repeats.append(sum(1 for operand in parent._prev if operand is child))
    return GradPath(tuple(v.label for v, _ in steps), tuple(slots), tuple(factors), tuple(repeats))
