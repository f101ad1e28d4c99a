"""Every op, one row each: its number, its shape in the graph, and its grads against finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from engine import LOCAL_GRAD_FORMULAS, LOCAL_GRADS, Value, local_grads, topological_order
from tests.engine.helpers import central_difference, close, recursive_order


@dataclass(frozen=True)
class Op:
    """One row: the expression on Values, the same maths on floats, the inputs and the node it must make.

    `operands` describes `out._prev` in order: "a" or "b" for an input, a number for a constant leaf.
    """

    expression: str
    build: Callable[..., Value]
    reference: Callable[..., float]
    inputs: tuple[float, ...]
    symbol: str
    operands: tuple[str | float, ...]


OPS = [
    Op("a + b", lambda a, b: a + b, lambda a, b: a + b, (1.5, -2.25), "+", ("a", "b")),
    Op("a - b", lambda a, b: a - b, lambda a, b: a - b, (1.5, -2.25), "-", ("a", "b")),
    Op("a * b", lambda a, b: a * b, lambda a, b: a * b, (1.5, -2.25), "*", ("a", "b")),
    Op("a / b", lambda a, b: a / b, lambda a, b: a / b, (1.5, -2.25), "/", ("a", "b")),
    Op("a + 2", lambda a: a + 2, lambda a: a + 2, (1.5,), "+", ("a", 2.0)),
    Op("a - 2", lambda a: a - 2, lambda a: a - 2, (1.5,), "-", ("a", 2.0)),
    Op("a * 2", lambda a: a * 2, lambda a: a * 2, (1.5,), "*", ("a", 2.0)),
    Op("a / 2", lambda a: a / 2, lambda a: a / 2, (1.5,), "/", ("a", 2.0)),
    Op("2 + a", lambda a: 2 + a, lambda a: 2 + a, (1.5,), "+", (2.0, "a")),
    Op("2 - a", lambda a: 2 - a, lambda a: 2 - a, (1.5,), "-", (2.0, "a")),
    Op("2 * a", lambda a: 2 * a, lambda a: 2 * a, (1.5,), "*", (2.0, "a")),
    Op("1 / a", lambda a: 1 / a, lambda a: 1 / a, (1.5,), "/", (1.0, "a")),
    Op("0.5 * a", lambda a: 0.5 * a, lambda a: 0.5 * a, (-3.0,), "*", (0.5, "a")),
    Op("-a", lambda a: -a, lambda a: -a, (1.5,), "-", ("a",)),
    Op("a ** 2", lambda a: a**2, lambda a: a**2, (-1.5,), "**", ("a",)),
    Op("a ** 3", lambda a: a**3, lambda a: a**3, (-1.5,), "**", ("a",)),
    Op("a ** -1", lambda a: a**-1, lambda a: a**-1, (-1.5,), "**", ("a",)),
    Op("a ** -2", lambda a: a**-2, lambda a: a**-2, (1.5,), "**", ("a",)),
    Op("a ** 0.5", lambda a: a**0.5, lambda a: a**0.5, (2.25,), "**", ("a",)),
    Op("a ** -1.5", lambda a: a**-1.5, lambda a: a**-1.5, (2.25,), "**", ("a",)),
    Op("a ** 0", lambda a: a**0, lambda a: a**0, (2.25,), "**", ("a",)),
    Op("a ** 2.0 (float exponent, negative base)", lambda a: a**2.0, lambda a: a**2.0, (-1.5,), "**", ("a",)),
    Op("tanh(a)", lambda a: a.tanh(), math.tanh, (0.7,), "tanh", ("a",)),
    Op("tanh(a), a < 0", lambda a: a.tanh(), math.tanh, (-1.2,), "tanh", ("a",)),
    Op("exp(a)", lambda a: a.exp(), math.exp, (0.7,), "exp", ("a",)),
    Op("log(a)", lambda a: a.log(), math.log, (0.7,), "log", ("a",)),
    Op("relu(a), a > 0", lambda a: a.relu(), lambda a: max(a, 0.0), (0.7,), "relu", ("a",)),
    Op("relu(a), a < 0", lambda a: a.relu(), lambda a: max(a, 0.0), (-0.7,), "relu", ("a",)),
]


def leaves(op: Op) -> list[Value]:
    return [Value(x, label=name) for name, x in zip("ab", op.inputs)]


@pytest.mark.parametrize("op", OPS, ids=[op.expression for op in OPS])
def test_op_computes_its_number(op):
    """The op's data is the maths done on floats."""
    out = op.build(*leaves(op))
    assert isinstance(out.data, float)
    assert out.data == pytest.approx(op.reference(*op.inputs), rel=1e-15, abs=1e-15)


@pytest.mark.parametrize("op", OPS, ids=[op.expression for op in OPS])
def test_op_is_one_node_with_its_own_symbol(op):
    """Each op makes one node; its operands are the inputs in order, or constant leaves labelled by the number."""
    xs = leaves(op)
    out = op.build(*xs)
    assert out._op == op.symbol
    assert out.grad == 0.0 and out.label == ""
    assert len(out._prev) == len(op.operands)
    for operand, expected in zip(out._prev, op.operands):
        if isinstance(expected, str):
            assert operand is xs["ab".index(expected)]
        else:
            assert operand._prev == () and operand._op == ""
            assert operand.data == expected
            assert operand.label == ("%g" % expected)
    constants = sum(isinstance(e, float) for e in op.operands)
    assert len(topological_order(out)) == len(xs) + constants + 1


@pytest.mark.parametrize("op", OPS, ids=[op.expression for op in OPS])
def test_op_grads_match_central_differences(op):
    """backward() gives each input the derivative a central finite difference measures."""
    xs = leaves(op)
    out = op.build(*xs)
    out.backward()
    assert out.grad == 1.0
    for i, x in enumerate(xs):
        expected = central_difference(op.reference, op.inputs, i)
        assert close(x.grad, expected), (op.expression, x.label, x.grad, expected)


@pytest.mark.parametrize("op", OPS, ids=[op.expression for op in OPS])
def test_local_grads_and_formulas_cover_the_op(op):
    """local_grads() and LOCAL_GRAD_FORMULAS have one entry per operand for every op the engine makes."""
    out = op.build(*leaves(op))
    key = (out._op, len(out._prev))
    assert key in LOCAL_GRADS and key in LOCAL_GRAD_FORMULAS
    assert len(local_grads(out)) == len(out._prev) == len(LOCAL_GRAD_FORMULAS[key])


def test_power_keeps_its_exponent_as_a_number_not_an_operand():
    """`a ** 3` has one operand; the exponent is stored as a float in `_arg`."""
    a = Value(2.0)
    out = a**3
    assert out._prev == (a,)
    assert out._arg == 3.0 and isinstance(out._arg, float)
    assert isinstance(out, Value) and repr(out).startswith("Value(")
    assert a._arg is None and (a + a)._arg is None and (-a)._arg is None


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
def test_a_value_made_by_hand_keeps_its_operands_in_order(count):
    """`Value(data, children, op)` reads back its children as `_prev`, in order, repeats kept, however many."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    children = [a, b, a, b, b][:count]
    out = Value(7.0, children, "f" if count else "")
    assert out._prev == tuple(children)
    order = topological_order(out)
    assert order == recursive_order(out) and order[-1] is out
    assert [v.label for v in order[:-1]] == ["a", "b"][: min(count, 2)]


def test_unary_minus_and_subtraction_are_told_apart_by_operand_count():
    """`-a` and `a - b` share the symbol '-', with one and two operands."""
    a, b = Value(1.0), Value(2.0)
    assert ((-a)._op, len((-a)._prev)) == ("-", 1)
    assert ((a - b)._op, len((a - b)._prev)) == ("-", 2)


def test_values_hold_floats():
    """An int given to Value becomes a float, and a fresh Value has grad 0.0, no operands, no op."""
    v = Value(3, label="x")
    assert v.data == 3.0 and isinstance(v.data, float)
    assert (v.grad, v._prev, v._op, v.label) == (0.0, (), "", "x")


def test_operands_keep_their_order_and_duplicates():
    """`_prev` is an ordered tuple: `b - a` lists b first, and `a * a` lists a twice."""
    a, b = Value(1.0), Value(2.0)
    assert (b - a)._prev == (b, a)
    assert (a * a)._prev == (a, a)
    assert isinstance((a * a)._prev, tuple)


def test_constant_labels_are_short():
    """Constants mixed into ops are labelled with their shortest text: 2, 0.5, -3, 1e-07."""
    a = Value(1.0)
    assert [(a * c)._prev[1].label for c in (2, 2.0, 0.5, -3, 1e-7)] == ["2", "2", "0.5", "-3", "1e-07"]


def test_repr_shows_data_grad_and_label():
    """repr reads like micrograd's, exact numbers, with the label when there is one."""
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"
    assert repr(Value(-0.1)) == "Value(data=-0.1, grad=0.0)"
