"""Random expression graphs: backward's grads match finite differences, in micrograd's order, every time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from engine import Value, local_grads, topological_order
from tests.engine.helpers import central_difference, close, recursive_order

BINARY = ["+", "-", "*", "/"]
UNARY = ["neg", "tanh", "exp", "log", "relu", "**2", "**3", "**-1", "**0.5", "**-1.5"]
WITH_NUMBER = ["n+", "n-", "n*", "n/", "+n", "-n", "*n", "/n"]  # n+ is `number + value`, +n is `value + number`

# Inputs stay this far from where an op is undefined or kinked, so a finite-difference step never crosses over.
MARGIN = 0.2
KINK = 1e-3
LARGEST = 100.0


@dataclass(frozen=True)
class Step:
    op: str
    left: int  # index of an earlier node (leaves first)
    right: int
    number: float


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[Step]]:
    """Some leaves, then ops over any earlier node (so values are reused), numbers mixed in on either side."""
    leaves = draw(st.lists(st.floats(-2.0, 2.0).filter(lambda x: abs(x) > 0.05), min_size=1, max_size=4))
    steps = []
    for k in range(draw(st.integers(1, 12))):
        available = len(leaves) + k
        steps.append(
            Step(
                draw(st.sampled_from(BINARY + UNARY + WITH_NUMBER)),
                draw(st.integers(0, available - 1)),
                draw(st.integers(0, available - 1)),
                draw(st.sampled_from([-2.0, -0.5, 0.75, 1.0, 3.0])),
            )
        )
    return leaves, steps


class OutOfRangeError(Exception):
    """The program comes too close to a point where an op is undefined, kinked or huge."""


def far_from_zero(x: float) -> None:
    if abs(x) < MARGIN:
        raise OutOfRangeError


def apply(step: Step, a: Value, b: Value) -> Value:
    """One step on Values, refusing inputs near the edge of the op's domain."""
    op, n = step.op, step.number
    if op in ("/", "**-1"):
        far_from_zero(b.data if op == "/" else a.data)
    if op in ("log", "**0.5", "**-1.5") and a.data < MARGIN:
        raise OutOfRangeError
    if op == "relu" and abs(a.data) < KINK:
        raise OutOfRangeError
    if op in ("n/",):
        far_from_zero(a.data)
    if op == "exp" and a.data > 4.0:
        raise OutOfRangeError
    table = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / b,
        "neg": lambda: -a,
        "tanh": lambda: a.tanh(),
        "exp": lambda: a.exp(),
        "log": lambda: a.log(),
        "relu": lambda: a.relu(),
        "**2": lambda: a**2,
        "**3": lambda: a**3,
        "**-1": lambda: a**-1,
        "**0.5": lambda: a**0.5,
        "**-1.5": lambda: a**-1.5,
        "n+": lambda: n + a,
        "n-": lambda: n - a,
        "n*": lambda: n * a,
        "n/": lambda: n / a,
        "+n": lambda: a + n,
        "-n": lambda: a - n,
        "*n": lambda: a * n,
        "/n": lambda: a / n,
    }
    out = table[op]()
    if abs(out.data) > LARGEST:
        raise OutOfRangeError
    return out


def run(leaves: Sequence[float], steps: Sequence[Step]) -> tuple[list[Value], Value]:
    """The leaves as Values and the program's last node."""
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    nodes = list(xs)
    for step in steps:
        nodes.append(apply(step, nodes[step.left], nodes[step.right]))
    return xs, nodes[-1]


def run_in_range(leaves, steps):
    """`run`, with programs whose numbers leave the safe range set aside."""
    try:
        return run(leaves, steps)
    except OutOfRangeError:
        assume(False)
        raise


@settings(max_examples=150, deadline=None)
@given(programs())
@example(([2.0], [Step("+", 0, 0, -2.0), Step("exp", 1, 0, -2.0)]))  # exp(4): a nudge crosses the guard at 4
def test_random_graph_grads_match_finite_differences(program):
    """For a random graph (reuse, numbers on both sides, every op), each leaf's grad is d root / d leaf."""
    leaves, steps = program
    xs, root = run_in_range(leaves, steps)
    root.backward()

    def f(*values: float) -> float:
        return run_in_range(values, steps)[1].data  # a nudge across a guard sets the program aside too

    for i, x in enumerate(xs):
        expected = central_difference(f, leaves, i)
        assert close(x.grad, expected, tolerance=1e-4), (steps, i, x.grad, expected)


@settings(max_examples=100, deadline=None)
@given(programs())
def test_random_graph_order_and_idempotence(program):
    """The order is micrograd's recursive one; backward twice gives the same grads; every grad is finite."""
    leaves, steps = program
    xs, root = run_in_range(leaves, steps)
    order = topological_order(root)
    assert order == recursive_order(root)
    position = {v: i for i, v in enumerate(order)}
    assert all(position[child] < position[v] for v in order for child in v._prev)
    root.backward()
    first = [v.grad for v in order]
    root.backward()
    assert [v.grad for v in order] == first
    assert all(math.isfinite(g) for g in first)


@settings(max_examples=100, deadline=None)
@given(programs(), st.integers(0, 3))
def test_random_graph_backward_is_the_chain_rule_in_reverse_topological_order(program, stale):
    """backward() gives exactly (to the last bit) the grads of the chain rule applied to
    `topological_order` in reverse with `local_grads`, whatever grads the graph held before."""
    leaves, steps = program
    xs, root = run_in_range(leaves, steps)
    order = topological_order(root)
    for i, v in enumerate(order):  # grads left over from earlier work: none may leak into the result
        v.grad = float(i * stale)
    expected = {v: 0.0 for v in order}
    expected[root] = 1.0
    for v in reversed(order):
        if not v._prev:
            continue
        for child, local in zip(v._prev, local_grads(v)):
            expected[child] += local * expected[v]
    root.backward()
    assert [v.grad for v in order] == [expected[v] for v in order]
