"""backward(): the lecture's numbers, reuse, idempotence, a million-deep graph, and the order it walks."""

from __future__ import annotations

import gc
import inspect
import math
import sys

import pytest

import engine.value as value_module
from engine import Value, topological_order
from tests.engine.helpers import recursive_order


def lecture() -> dict[str, Value]:
    """The lecture's first graph: L = (a*b + c) * f."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f  # noqa: N806 (the lecture's name)
    L.label = "L"
    return {v.label: v for v in (a, b, c, d, e, f, L)}


def test_lecture_numbers():
    """L = -8 and the grads the lecture finds by hand: a 6, b -4, c -2, d -2, e -2, f 4."""
    v = lecture()
    v["L"].backward()
    assert v["L"].data == -8.0
    grads = {name: value.grad for name, value in v.items()}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "d": -2.0, "e": -2.0, "f": 4.0, "L": 1.0}


def test_lecture_neuron():
    """The lecture's tanh neuron: o = 0.7071, grads x1 -1.5, w1 1.0, x2 0.5, w2 0.0, n 0.5."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071, abs=1e-4)
    assert n.grad == pytest.approx(0.5, abs=1e-4)
    assert [x1.grad, w1.grad, x2.grad, w2.grad] == pytest.approx([-1.5, 1.0, 0.5, 0.0], abs=1e-4)


def test_the_same_value_twice_in_one_op_gets_both_contributions():
    """`b = a + a` gives a.grad 2, `y = x * x` gives x.grad 2x: one contribution per use."""
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    x = Value(-1.5)
    y = x * x
    y.backward()
    assert x.grad == -3.0


def test_a_value_used_in_several_places_sums_its_contributions():
    """The lecture's second bug: d = a * b, e = a + b, f = d * e; a.grad sums both paths."""
    a, b = Value(-2.0), Value(3.0)
    d, e = a * b, a + b
    f = d * e
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)


def test_backward_twice_gives_the_same_grads():
    """Grads are set, not accumulated across calls: backward() is idempotent."""
    v = lecture()
    v["L"].backward()
    first = {name: value.grad for name, value in v.items()}
    v["L"].backward()
    v["L"].backward()
    assert {name: value.grad for name, value in v.items()} == first


def test_backward_from_an_inner_value_resets_the_graph_below_it():
    """backward() from d after backward() from L leaves d's subgraph with d's own grads."""
    v = lecture()
    v["L"].backward()
    v["d"].backward()
    assert [v[n].grad for n in "abcde"] == [-3.0, 2.0, 1.0, 1.0, 1.0]


def test_backward_documents_that_it_is_idempotent():
    """backward's docstring says calling it twice gives the same grads."""
    assert "twice" in (Value.backward.__doc__ or "")


def test_a_leaf_is_its_own_gradient():
    """backward() from a leaf sets its grad to 1."""
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_a_chain_of_a_million_ops_with_the_default_recursion_limit():
    """A graph 1,000,000 operations deep runs backward without recursion, and frees without crashing."""
    limit = sys.getrecursionlimit()
    assert limit < 100_000
    x = Value(0.5, label="x")
    c = Value(0.25, label="c")
    v = x
    for _ in range(1_000_000):
        v = v + c
    v.backward()
    assert (x.grad, c.grad, v.grad) == (1.0, 1_000_000.0, 1.0)
    assert v.data == pytest.approx(0.5 + 250_000.0)
    assert sys.getrecursionlimit() == limit
    del v


def test_backward_leaves_the_garbage_collector_as_it_found_it():
    """backward() never switches the collector on or off."""
    x = Value(1.0)
    y = (x * 2).tanh()
    assert gc.isenabled()
    y.backward()
    assert gc.isenabled()
    gc.disable()
    try:
        y.backward()
        assert not gc.isenabled()
    finally:
        gc.enable()


def reused_graph() -> list[Value]:
    """Every Value of a graph that sends the walk down second operands, over shared results and leaves."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    d = e + c
    t = (d * e).tanh()
    L = t * (d + a) + e**2  # noqa: N806 (the lecture's name)
    return [a, b, c, e, d, t, L]


def _tracing_walk_lines(on_line) -> None:
    """Trace every line event of _op_results: `on_line(line_number)` (it may raise to interrupt)."""

    def trace(frame, event, arg):
        if frame.f_code is not value_module._op_results.__code__:
            return None

        def line_events(frame, event, arg):
            if event == "line":
                on_line(frame.f_lineno)
            return line_events

        return line_events

    sys.settrace(trace)


def _walk_passes() -> list[tuple[int, int]]:
    """(line, pass) for each line of _op_results's body, from its `try:` to its `except`, at its first,
    second and fifth pass, where a backward() of reused_graph() passes there that often."""
    lines, first = inspect.getsourcelines(value_module._op_results)
    numbered = list(zip(range(first, first + len(lines)), lines))
    start = next(n for n, line in numbered if line.strip() == "try:")
    end = next(n for n, line in numbered if line.strip().startswith("except BaseException"))
    passes: dict[int, int] = {}
    _tracing_walk_lines(lambda n: passes.__setitem__(n, passes.get(n, 0) + 1))
    try:
        reused_graph()[-1].backward()
    finally:
        sys.settrace(None)
    return [(n, hit) for n in range(start + 1, end) for hit in (1, 2, 5) if passes.get(n, 0) >= hit]


@pytest.mark.parametrize(("line", "hit"), _walk_passes())
def test_backward_interrupted_anywhere_in_its_walk_leaves_every_grad_a_number(line, hit):
    """Ctrl+C at any line of the walk, at its first, second or fifth pass there, leaves no grad
    None (None marks a visited Value during the walk), and the next backward() is right."""
    graph = reused_graph()
    root = graph[-1]
    expected = reused_graph()
    expected[-1].backward()
    passes = 0

    def interrupt(n: int) -> None:
        nonlocal passes
        if n == line:
            passes += 1
            if passes == hit:
                raise KeyboardInterrupt

    _tracing_walk_lines(interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            root.backward()
    finally:
        sys.settrace(None)
    assert all(isinstance(v.grad, float) for v in graph), [v.grad for v in graph]
    root.backward()
    assert [v.grad for v in graph] == [v.grad for v in expected]


def test_the_walk_of_backward_lists_the_op_results_in_topological_order():
    """backward()'s own walk gives topological_order's Values without the leaves, on a graph with
    shared results and leaves, and on the lecture's."""
    for root in (reused_graph()[-1], lecture()["L"]):
        assert value_module._op_results(root) == [v for v in topological_order(root) if v._prev]


def test_backward_resets_leftover_grads_on_shared_leaves_and_results():
    """Grads set by hand or by another root's backward never leak into this one."""
    x = Value(3.0, label="x")
    y = x * x
    z = y + x
    for v in (x, y, z):
        v.grad = 123.0
    z.backward()
    assert (x.grad, y.grad, z.grad) == (7.0, 1.0, 1.0)
    y.backward()
    assert (x.grad, y.grad, z.grad) == (6.0, 1.0, 1.0)  # z is not below y: its grad is not touched


def test_topological_order_puts_operands_first_like_micrograd():
    """The order is micrograd's depth-first one: lecture graph a, b, e, c, d, f, L."""
    v = lecture()
    assert [u.label for u in topological_order(v["L"])] == ["a", "b", "e", "c", "d", "f", "L"]


def test_topological_order_of_several_roots_lists_each_value_once():
    """Several roots (and a repeated root) give one list with every Value once, in micrograd's order."""
    a, b = Value(1.0), Value(2.0)
    s = a + b
    t = s * a
    u = b - s
    order = topological_order(t, u, t)
    assert order == recursive_order(t, u)
    assert len(order) == len(set(order)) == 5


def test_a_value_made_by_hand_with_an_unknown_op_cannot_be_differentiated():
    """A Value built directly with an op the engine does not know raises a clear ValueError from backward()."""
    a = Value(0.5)
    out = Value(math.sin(0.5), (a,), "sin")
    with pytest.raises(ValueError, match="no local derivative for 'sin' with 1 operand"):
        out.backward()
    three = Value(1.0, (a, a, a), "+")
    with pytest.raises(ValueError, match="no local derivative for '\\+' with 3 operand") as refused:
        three.backward()
    assert "None" not in str(refused.value) and three.grad == 0.0
    power = Value(0.25, (a,), "**")  # only `a ** n` keeps its exponent
    with pytest.raises(ValueError, match="a '\\*\\*' made by hand has no exponent; write a \\*\\* n"):
        power.backward()


@pytest.mark.parametrize("children", [(3.0,), (None,), (Value(1.0), None), (Value(1.0), "b", Value(2.0))])
def test_a_value_made_by_hand_takes_only_values_as_operands(children):
    """Anything else among the children is refused when the Value is made, naming what it is."""
    kind = next(type(c).__name__ for c in children if not isinstance(c, Value))
    with pytest.raises(TypeError, match=f"the operands of a Value must be Values, not {kind}"):
        Value(1.0, children, "+")


def test_backward_never_raises_on_extreme_but_valid_numbers():
    """Derivatives too large for a float become infinite grads; backward itself does not raise."""
    tiny = Value(1e-200)
    q = Value(1.0) / tiny  # 1e200; d q / d tiny = -1e400
    q.backward()
    assert q.data == 1e200 and tiny.grad == -math.inf
    small = Value(1e-160)
    r = small / small  # the old formula's 1e-320 square underflowed and divided by zero
    r.backward()
    assert r.data == 1.0 and math.isfinite(small.grad)
    zero = Value(0.0)
    root = zero**0.5
    root.backward()
    assert zero.grad == math.inf
    negative = Value(-1e-200)
    inverse = negative**-1  # -1e200; d/dx = -x**-2 = -1e400
    inverse.backward()
    assert negative.grad == -math.inf


def test_tanh_saturates_without_error():
    """tanh of a large number is exactly 1.0 (or -1.0), and its grad 0."""
    big = Value(1e6)
    t = big.tanh()
    t.backward()
    assert (t.data, big.grad) == (1.0, 0.0)
    assert Value(-1e308).tanh().data == -1.0
