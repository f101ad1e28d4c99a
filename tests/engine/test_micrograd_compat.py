"""The lecture's and micrograd's own code runs on the engine: `_backward()` per node, numbers of any real
type, extra attributes, `draw_dot(root, format=...)` rendered by the bundled dot, checked against micrograd."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import graphviz
import numpy as np
import pytest
from micrograd.engine import Value as MgValue

import engine.graph
from engine import Value, draw_dot
from tests.engine.helpers import recursive_order

ROOT = Path(__file__).resolve().parents[2]


def lecture_neuron() -> dict[str, Value]:
    """The lecture notebook's neuron cell, as written there."""
    # inputs x1,x2
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    # weights w1,w2
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    # bias of the neuron
    b = Value(6.8813735870195432, label="b")
    # x1*w1 + x2*w2 + b
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}


LECTURE_NEURON_GRADS = {"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5, "n": 0.5, "o": 1.0}


def grads(values: dict[str, Value]) -> dict[str, float]:
    return {name: round(v.grad, 6) for name, v in values.items() if name in LECTURE_NEURON_GRADS}


def test_the_lectures_manual_backward_cells_run():
    """The lecture's node-by-node cells (`o.grad = 1.0; o._backward(); n._backward(); ...`) give its grads."""
    v = lecture_neuron()
    o, n, b, x1w1x2w2, x2w2, x1w1 = (v[k] for k in ("o", "n", "b", "x1*w1 + x2*w2", "x2*w2", "x1*w1"))
    o.grad = 1.0
    o._backward()
    assert round(n.grad, 6) == 0.5  # the lecture: "n.grad = 0.5"
    n._backward()
    b._backward()  # a leaf's does nothing
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    assert grads(v) == LECTURE_NEURON_GRADS


def test_the_lectures_topological_backward_cell_runs():
    """The lecture's `build_topo` then `for node in reversed(topo): node._backward()` gives backward()'s grads."""
    v = lecture_neuron()
    o = v["o"]
    topo = []
    visited = set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    manual = grads(v)
    assert manual == LECTURE_NEURON_GRADS
    o.backward()
    assert grads(v) == manual


def test_backward_adds_like_the_lectures_closures():
    """Each `_backward()` adds into the operands' grads: called twice it adds twice; `a + a` gets 2."""
    a = Value(3.0, label="a")
    b = a + a
    b.grad = 1.0
    b._backward()
    assert a.grad == 2.0
    b._backward()
    assert a.grad == 4.0
    b.backward()  # backward() still sets
    assert a.grad == 2.0


def test_a_leafs_backward_does_nothing():
    """A leaf has no operands, so its `_backward()` changes nothing."""
    a = Value(2.0)
    a.grad = 5.0
    a._backward()
    assert a.grad == 5.0


def test_backward_of_a_hand_made_op_without_a_derivative_is_refused():
    """`Value(x, (a, b), 'max')` has no entry in LOCAL_GRADS: `_backward()` says so, as backward() does."""
    a, b = Value(1.0), Value(2.0)
    out = Value(2.0, (a, b), "max")
    out.grad = 1.0
    with pytest.raises(ValueError, match="no local derivative for 'max' with 2 operand"):
        out._backward()
    assert a.grad == b.grad == 0.0


def both(build, leaves):
    """The root and leaves of one program built on each engine."""
    ours = [Value(x) for x in leaves]
    theirs = [MgValue(x) for x in leaves]
    return (build(ours), ours), (build(theirs), theirs)


def manual_backward(root) -> None:
    """The lecture's loop, on either engine."""
    root.grad = 1.0
    for node in reversed(recursive_order(root)):
        node._backward()


def random_program(rng: random.Random):
    """A random graph over four leaves with the ops micrograd 0.1.0 has (it has no tanh, exp or log)."""
    steps = [(rng.choice("+-*/pr"), rng.randrange(100), rng.randrange(100), rng.uniform(-2, 2)) for _ in range(12)]

    def build(vs):
        pool = list(vs)
        for op, i, j, k in steps:
            x, y = pool[i % len(pool)], pool[j % len(pool)]
            if op == "+":
                pool.append(x + y)
            elif op == "-":
                pool.append(x - y)
            elif op == "*":
                pool.append(x * y * k)
            elif op == "/":
                pool.append(x / (y * y + 1.0))
            elif op == "p":
                pool.append((x * x + 0.5) ** 1.5)
            else:
                pool.append(x.relu() + k * y)
        return sum(pool[len(vs) :], pool[0])

    return build


@pytest.mark.parametrize("seed", range(20))
def test_manual_backward_matches_micrograd(seed):
    """The lecture's `_backward()` loop gives micrograd 0.1.0's grads on random graphs, and so does backward()."""
    rng = random.Random(seed)
    leaves = [rng.uniform(-2, 2) for _ in range(4)]
    (ours, our_leaves), (theirs, their_leaves) = both(random_program(rng), leaves)
    assert ours.data == pytest.approx(theirs.data, rel=1e-12)
    manual_backward(ours)
    manual_backward(theirs)
    expected = [v.grad for v in their_leaves]
    assert [v.grad for v in our_leaves] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    ours.backward()
    assert [v.grad for v in our_leaves] == pytest.approx(expected, rel=1e-9, abs=1e-12)


NUMPY_SCALARS = [np.int64(2), np.int32(2), np.float32(1.5), np.float64(1.5), np.float16(0.5), np.uint8(3)]


@pytest.mark.parametrize("n", NUMPY_SCALARS, ids=lambda n: type(n).__name__)
def test_numpy_scalars_mix_with_values_on_either_side(n):
    """`a * np.int64(2)`, `np.int64(2) * a`, `a + np.float32(1.5)`, as exponents too: the same as with a float."""
    x = float(n)
    for op in (
        lambda a, k: a + k,
        lambda a, k: k + a,
        lambda a, k: a * k,
        lambda a, k: k * a,
        lambda a, k: a - k,
        lambda a, k: k - a,
        lambda a, k: a / k,
        lambda a, k: k / a,
        lambda a, k: a**k,
    ):
        a, b = Value(2.0), Value(2.0)
        out, expected = op(a, n), op(b, x)
        assert type(out.data) is float and out.data == expected.data
        out.backward()
        expected.backward()
        assert a.grad == b.grad


def test_a_numpy_scalar_becomes_a_plain_float():
    """A Value made from a numpy scalar holds a float, as its constant leaves do."""
    assert type(Value(np.float32(0.25)).data) is float
    out = Value(1.0) + np.int64(3)
    assert [type(v.data) for v in out._prev] == [float, float]
    assert out._prev[1].label == "3"


def test_what_is_not_a_real_number_is_still_refused():
    """A string, a complex number, a bool (numpy's too) and None do not mix with a Value."""
    a = Value(1.0)
    for other in ("1", 1j, True, np.bool_(True), None):
        with pytest.raises(TypeError, match="cannot combine a Value with"):
            a + other  # type: ignore[operator]
    with pytest.raises(TypeError, match="the exponent of \\*\\* must be a number"):
        a ** Value(2.0)  # type: ignore[operator]


def test_extra_attributes_as_micrograd_code_sets_them():
    """`p.m = 0.0` (AdamW's state in EurekaLabsAI/micrograd) and `setattr(v, '_vis_color', c)` work, on a
    `**` result too, and change nothing the engine computes."""
    p = Value(2.0)
    q = p**2
    p.m = 0.0
    p.v = 0.0
    setattr(q, "_vis_color", "red")  # noqa: B010 (as EurekaLabsAI/micrograd writes it)
    assert (p.m, p.v, q._vis_color) == (0.0, 0.0, "red")
    q.backward()
    assert p.grad == 4.0
    assert "m" not in vars(q) and vars(p) == {"m": 0.0, "v": 0.0}


def test_a_value_without_extra_attributes_stays_small():
    """Bytes held per node after backward, by tracemalloc, stay at most 200 (the engine's target)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x = Value(0.5)
        v = x
        for _ in range(5000):
            v = v * 1.0001 + 0.001
        v.backward()
        per_node = (tracemalloc.get_traced_memory()[0] - before) / 20001
    finally:
        tracemalloc.stop()
    assert per_node <= 200


def test_draw_dot_takes_micrograds_trace_graph_signature():
    """`draw_dot(root, format='png', rankdir='TB')` as in micrograd's trace_graph.ipynb; the older
    `draw_dot(root, 'TB')` still means a rank direction."""
    a = Value(2.0, label="a")
    dot = draw_dot(a * a, format="png", rankdir="TB")
    assert dot.format == "png" and "rankdir=TB" in dot.source
    assert draw_dot(a * a, "TB").source == draw_dot(a * a, rankdir="TB").source
    assert draw_dot(a * a, "TB").format == "svg"
    assert draw_dot(a, format="svg").source == draw_dot(a).source
    with pytest.raises(ValueError, match="format must be one Graphviz writes"):
        draw_dot(a, format="docx")


def test_draw_dot_of_something_else_names_what_it_got():
    """A learner's own Value class, a number or a string is a TypeError naming its type, not 'not iterable'."""

    class Value:  # a learner's own, as in the lecture notebook
        def __init__(self, data):
            self.data = data

    with pytest.raises(TypeError, match=r"expected an engine Value .* got .*test_micrograd_compat\..*Value"):
        draw_dot(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got float"):
        draw_dot(2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got str"):
        draw_dot("L")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got micrograd.engine.Value"):
        draw_dot([MgValue(1.0)])  # type: ignore[list-item]


NOTEBOOK = """
import os, sys
from engine import Value, draw_dot
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
e = a * b; e.label = "e"
e.backward()
dot = draw_dot(e, format="png")
bundle = dot._repr_mimebundle_()  # what Jupyter calls to show `dot`
assert "<svg" in bundle["image/svg+xml"] and "data 2.0000" in bundle["image/svg+xml"]
path = dot.render("graph")
assert path == "graph.png" and open(path, "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
assert dot.pipe(format="svg").startswith(b"<?xml")
print(dot.pipe()[:4])
"""


def test_draw_dot_renders_in_jupyter_without_a_system_graphviz(tmp_path):
    """With no `dot` on PATH, a draw_dot result shows in Jupyter, `.render()`s and `.pipe()`s with the
    bundled graphviz-pure."""
    env = dict(os.environ, PATH=str(tmp_path / "empty"), PYTHONPATH=str(ROOT))
    env.pop("MICROGRAD_GUI_DOT", None)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(NOTEBOOK)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "b'\\x89PNG'"


def test_a_dot_the_user_has_is_left_alone(tmp_path, monkeypatch):
    """A `dot` on PATH, or a DOT_BINARY already set, is what the graphviz package keeps using."""
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(graphviz.backend.dot_command, "DOT_BINARY", Path("dot"))
    draw_dot(Value(1.0))
    assert graphviz.backend.dot_command.DOT_BINARY == Path("dot")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    draw_dot(Value(1.0))
    assert Path(graphviz.backend.dot_command.DOT_BINARY).name == engine.graph.BUNDLED_DOT
