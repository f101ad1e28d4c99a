"""A graph built in code with engine Values becomes a workspace (what micrograd_gui.show opens)."""

from __future__ import annotations

import random

import pytest
from micrograd.engine import Value as MgValue

from engine import Value
from micrograd_gui.document import Definition
from micrograd_gui.from_engine import workspace_from_values
from micrograd_gui.workspace_file import load_workspace
from tests.engine.test_backward import lecture
from tests.workspaces import LECTURE


def test_the_lectures_graph_becomes_the_lecture_workspace():
    """Labels become names, in the engine's topological order; backward from L once it ran there."""
    v = lecture()
    definitions = workspace_from_values(v["L"]).definitions
    assert sorted(definitions, key=lambda d: d.name) == sorted(LECTURE, key=lambda d: d.name)
    assert [d.name for d in definitions] == ["a", "b", "e", "c", "d", "f", "L"]
    assert workspace_from_values(v["L"]).backward_from is None
    v["L"].backward()
    workspace = workspace_from_values(v["L"])
    assert workspace.backward_from == "L"
    document, note = load_workspace(workspace)
    assert note is None
    assert {name: document.grad(name) for name in document.names} == {k: x.grad for k, x in v.items()}


def test_numbers_become_constants_and_unlabelled_values_get_automatic_names():
    """`2 * a` makes a constant leaf labelled 2: it is k1; an unlabelled leaf is k2, results t1, t2."""
    a = Value(3.0, label="a")
    out = (2 * a + Value(0.5)).tanh()
    assert workspace_from_values(out).definitions == (
        Definition("k1", data=2.0, constant=True),
        Definition("a", data=3.0),
        Definition("t1", "*", ("k1", "a")),
        Definition("k2", data=0.5),
        Definition("t2", "+", ("t1", "k2")),
        Definition("t3", "tanh", ("t2",)),
    )


def test_a_leaf_marked_constant_stays_a_constant():
    """`x.constant = True`, as the app's Python export marks a typed number: a constant in the workspace."""
    x = Value(0.5, label="x")
    x.constant = True
    w = Value(2.0, label="w")
    assert [d.constant for d in workspace_from_values(x * w).definitions] == [True, False, False]


def test_labels_that_are_not_names_or_are_taken_give_way_to_automatic_names():
    """The lecture's `x1*w1` label is no name; a second value labelled `a` is not a second a."""
    x, w = Value(2.0, label="x"), Value(-3.0, label="a")
    xw = x * w
    xw.label = "x1*w1"
    y = xw + Value(1.0, label="a")
    assert [d.name for d in workspace_from_values(y).definitions] == ["x", "a", "t1", "k1", "t2"]


def test_several_roots_and_every_op():
    """Two roots share their values; -, /, ** n, exp, log, relu and unary minus all come across."""
    a, b = Value(2.0, label="a"), Value(4.0, label="b")
    p = (a - b) / a
    q = (-(a**0.5)).exp() + b.log() + p.relu()
    workspace = workspace_from_values(p, q)
    ops = [(d.op, d.exponent) for d in workspace.definitions if d.op]
    assert ops == [("-", None), ("/", None), ("**", 0.5), ("-", None), ("exp", None)] + [
        ("log", None),
        ("+", None),
        ("relu", None),
        ("+", None),
    ]
    document, _ = load_workspace(workspace)
    assert document.data(workspace.definitions[-1].name) == q.data


@pytest.mark.parametrize("seed", range(5))
def test_random_graphs_keep_their_numbers(seed):
    """On random graphs the workspace's data and grads are the engine's, exactly."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(4)]
    pool = list(leaves)
    for _ in range(30):
        x, y = rng.choice(pool), rng.choice(pool)
        pool.append(rng.choice([x + y, x * y, x - y, (x * y).tanh(), x.relu() * 0.5]))
    root = pool[-1] + sum(pool[4:-1], Value(0.0))
    root.backward()
    workspace = workspace_from_values(root)
    document, _ = load_workspace(workspace)
    by_name = dict(zip([d.name for d in workspace.definitions], __import__("engine").topological_order(root)))
    for name, value in by_name.items():
        assert document.data(name) == value.data and document.grad(name) == value.grad


def test_what_is_not_an_engine_graph_is_refused():
    """A micrograd Value, a number, nothing at all, an op the app does not have: a clear error each."""
    with pytest.raises(TypeError, match="not micrograd.engine.Value"):
        workspace_from_values(MgValue(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not builtins.float"):
        workspace_from_values(2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="at least one Value"):
        workspace_from_values()
    a = Value(1.0)
    with pytest.raises(ValueError, match="its op 'max' with 2 operand"):
        workspace_from_values(Value(1.0, (a, a), "max"))
