"""Check each leaf's grad against a central finite difference. Qt-free.

`check_gradients(definitions, root, analytic)` recomputes the forward pass
with one leaf nudged to x + h and x - h and compares
(f(x+h) - f(x-h)) / 2h with the grad backward computed. It works on the
immutable definitions alone (no shared Values), so it can run on a worker
thread while the window keeps going. Only the values between the leaf and
the root are recomputed for each nudge.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from engine import Value
from micrograd_gui.document import Definition, DocumentError, ancestors, compute, evaluate

RELATIVE_STEP = 1e-5  # h = 1e-5 * max(1, |x|): central differences are then accurate to about 1e-10
RTOL = 1e-4
ATOL = 1e-6


class GradCheckCancelledError(Exception):
    """The check was stopped before it finished (the workspace changed)."""


@dataclass(frozen=True)
class LeafCheck:
    """One row of the check: a leaf's grad from backward against the finite difference."""

    name: str
    analytic: float
    numeric: float | None  # None when the maths fails at x + h or x - h
    note: str = ""  # why `numeric` is None
    roundoff: float = 0.0  # how far rounding alone moves `numeric`, as measured (see _check_leaf)

    @property
    def error(self) -> float | None:
        """Relative error |analytic - numeric| / max(|analytic|, |numeric|); 0 when both are 0."""
        if self.numeric is None or not math.isfinite(self.analytic):
            return None
        scale = max(abs(self.analytic), abs(self.numeric))
        return abs(self.analytic - self.numeric) / scale if scale else 0.0

    @property
    def agrees(self) -> bool | None:
        """True or False, or None ("n/a") when there is no finite difference to compare with."""
        if self.numeric is None:
            return None
        if not math.isfinite(self.analytic):
            return False
        scale = max(abs(self.analytic), abs(self.numeric))
        return abs(self.analytic - self.numeric) <= ATOL + RTOL * scale + self.roundoff


def step_size(x: float) -> float:
    return RELATIVE_STEP * max(1.0, abs(x))


def analytic_grads(definitions: Sequence[Definition], root: str) -> dict[str, float]:
    """The grads a full backward from `root` gives, computed on fresh Values."""
    values = compute(definitions)
    values[root].backward()
    return {name: v.grad for name, v in values.items()}


def check_gradients(
    definitions: Sequence[Definition],
    root: str,
    analytic: Mapping[str, float] | None = None,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] | None = None,
) -> list[LeafCheck]:
    """One LeafCheck per leaf the root depends on, in document order.

    `analytic` maps names to the grads to check (a missing name counts as
    0); without it a fresh backward provides them. Raises DocumentError if
    the definitions cannot be computed at all, GradCheckCancelledError when
    `cancelled()` turns True.
    """
    definitions = list(definitions)
    position = {d.name: i for i, d in enumerate(definitions)}
    if root not in position:
        raise DocumentError(f"'{root}' does not exist")
    if analytic is None:
        analytic = analytic_grads(definitions, root)
    cone = ancestors(definitions, position, root)
    base = compute([d for d in definitions if d.name in cone])
    # d root / d value on these Values, from a backward of their own (never the grads being checked):
    # how much each value's rounding moves the root, for the rounding bound in _check_leaf.
    base[root].backward()

    leaves = [d for d in definitions if d.is_leaf and d.name in cone]
    results: list[LeafCheck] = []
    for count, leaf in enumerate(leaves):
        if cancelled():
            raise GradCheckCancelledError()
        grad = float(analytic.get(leaf.name, 0.0))
        results.append(_check_leaf(definitions, position, cone, base, leaf, root, grad))
        if progress is not None:
            progress(count + 1, len(leaves))
    return results


def _check_leaf(
    definitions: list[Definition],
    position: dict[str, int],
    cone: set[str],
    base: dict[str, Value],
    leaf: Definition,
    root: str,
    grad: float,
) -> LeafCheck:
    x = leaf.data or 0.0
    # The values between the leaf and the root: the only ones a nudge changes.
    affected = {leaf.name}
    downstream = []
    for d in definitions[position[leaf.name] + 1 : position[root] + 1]:
        if d.name in cone and any(o in affected for o in d.operands):
            affected.add(d.name)
            downstream.append(d)
    steps = [step_size(x)]
    if 0 < abs(x) * RELATIVE_STEP < steps[0]:
        steps.append(abs(x) * RELATIVE_STEP)  # a smaller nudge may stay inside the domain (log near 0)

    def difference(step: float) -> float:
        """The central difference over `step`; DocumentError where x ± step leaves the maths' domain."""
        plus = _forward(downstream, base, leaf.name, x + step, root)
        return (plus - _forward(downstream, base, leaf.name, x - step, root)) / (2 * step)

    for h in steps:
        try:
            numeric = difference(h)
            break
        except DocumentError as error:
            failure = error
    else:
        return LeafCheck(leaf.name, grad, None, f"{leaf.name} ± h: {failure}")
    if not math.isfinite(numeric):
        return LeafCheck(leaf.name, grad, None, f"{leaf.name} ± h: the difference is not a finite number")
    # How far rounding moves the difference, measured from forward passes alone, never from the grads
    # being checked: twice the gap to the difference over 2h. For smooth maths the two agree to about
    # h**2 (1e-10); where they differ more, a small nudge is lost in a large value (x0*w0 + 10 with
    # w0 = 6e-8) and each is that noisy. 0 where 2h leaves the domain.
    try:
        noise = 2 * abs(difference(2 * h) - numeric)
    except DocumentError:
        noise = 0.0
    # The two differences can agree by chance while both are that noisy: at the least, allow the rounding
    # of the root's value itself over the step, 4 ulp-sized errors of f divided by 2h. It is 1e-10 for an
    # f near 1, and only matters where f is huge next to what the nudge changes (exp(13) * 1e-7).
    noise = max(noise, 4 * sys.float_info.epsilon * abs(base[root].data) / (2 * h))
    # And at the most what rounding in the forward pass can do: each value between the leaf and the root
    # rounds once in each of the two passes (an error of about eps * |v|), which moves the root by
    # |d root / d v| times that. A nudge lost in a sum of many terms is the noise this bounds.
    rounding = sum(abs(base[d.name].data * base[d.name].grad) for d in downstream)
    noise = max(noise, 2 * sys.float_info.epsilon * rounding / (2 * h))
    return LeafCheck(leaf.name, grad, numeric, roundoff=noise if math.isfinite(noise) else 0.0)


def _forward(downstream: list[Definition], base: dict[str, Value], leaf: str, x: float, root: str) -> float:
    changed = {leaf: Value(x, label=leaf)}
    for d in downstream:
        changed[d.name] = evaluate(d, [changed[o] if o in changed else base[o] for o in d.operands])
    return changed[root].data


def summary(results: Sequence[LeafCheck]) -> str:
    """One line for the status bar: `Gradient check: 5 of 5 leaves agree`."""
    agree = sum(1 for r in results if r.agrees is True)
    disagree = sum(1 for r in results if r.agrees is False)
    missing = sum(1 for r in results if r.agrees is None)
    noun = "leaf agrees" if len(results) == 1 else "leaves agree"
    text = f"Gradient check: {agree} of {len(results)} {noun}"
    if disagree:
        text += f", {disagree} {'disagrees' if disagree == 1 else 'disagree'}"
    if missing:
        text += f", {missing} n/a"
    return text
