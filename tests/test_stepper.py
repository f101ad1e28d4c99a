"""The step-through backward model: same grads as backward(), one explanation per step."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import LOCAL_GRAD_FORMULAS, Value, local_grads, topological_order
from micrograd_gui.stepper import BackwardStepper


def lecture() -> dict[str, Value]:
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f  # noqa: N806 (the lecture's name)
    L.label = "L"
    return {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": L}


def full_backward(root: Value) -> list[float]:
    root.backward()
    grads = [v.grad for v in topological_order(root)]
    for v in topological_order(root):
        v.grad = 0.0
    return grads


def test_lecture_steps_end_at_the_full_backward():
    """Three steps (L, d, e) leave exactly the grads backward() computes."""
    values = lecture()
    stepper = BackwardStepper(values["L"])
    assert stepper.total == 3
    steps = []
    while not stepper.done:
        steps.append(stepper.step())
    assert [s.node for s in steps] == ["L", "d", "e"]
    assert stepper.grads == full_backward(values["L"])
    assert stepper.grads_by_name() == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "e": -2.0, "d": -2.0, "L": 1.0}


def test_stepper_leaves_the_values_untouched():
    """Stepping keeps its own grads; the Values' grads stay as they were."""
    values = lecture()
    BackwardStepper(values["L"]).finish()
    assert all(v.grad == 0.0 for v in values.values())


def test_first_step_explains_the_seed():
    """Step 1 says L.grad = 1 and goes through L = d * f."""
    stepper = BackwardStepper(lecture()["L"])
    step = stepper.step()
    assert step.lines[0] == "Step 1 of 3"
    assert step.lines[1].startswith("L.grad = 1")
    assert "through L = d * f, where L.grad = 1.0000:" in step.explanation
    assert "d.grad += f.data * L.grad = (-2.0000) * 1.0000 = -2.0000" in step.explanation
    assert "f.grad += d.data * L.grad = 4.0000 * 1.0000 = 4.0000" in step.explanation


def test_chain_rule_with_this_steps_numbers():
    """The step through e = a * b shows the lecture's arithmetic."""
    stepper = BackwardStepper(lecture()["L"])
    stepper.step()
    stepper.step()
    step = stepper.step()
    assert step.node == "e"
    assert step.lines[1] == "through e = a * b, where e.grad = -2.0000:"
    assert "a.grad += b.data * e.grad = (-3.0000) * (-2.0000) = 6.0000" in step.explanation
    assert "b.grad += a.data * e.grad = 2.0000 * (-2.0000) = -4.0000" in step.explanation
    assert stepper.done


def test_reused_value_shows_the_accumulation():
    """For b = a + a the second contribution says what a.grad is now and was."""
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    stepper = BackwardStepper(b)
    step = stepper.step()
    first, second = step.lines[-2:]
    assert first == "a.grad += 1 * b.grad = 1.0000 * 1.0000 = 1.0000"
    assert second == "a.grad += 1 * b.grad = 1.0000 * 1.0000 = 1.0000   now 2.0000, was 1.0000"
    assert stepper.grads_by_name()["a"] == 2.0


def test_accumulation_across_steps():
    """A value used by two nodes accumulates in the later step: now 6.0000, was 3.0000 style."""
    a = Value(3.0, label="a")
    g = a * 1.0
    g.label = "g"
    h = g + a
    h.label = "h"
    stepper = BackwardStepper(h)
    stepper.step()  # h = g + a: a gets 1
    step = stepper.step()  # g = a * k: a gets 1 * 1 more
    assert step.lines[-2].endswith("now 2.0000, was 1.0000")


def test_step_back_restores_the_previous_grads():
    """Step back undoes exactly one step; stepping again repeats it."""
    stepper = BackwardStepper(lecture()["L"])
    stepper.step()
    after_one = list(stepper.grads)
    second = stepper.step()
    assert stepper.step_back() is not None
    assert stepper.grads == after_one
    assert stepper.step() == second
    stepper.step_back()
    stepper.step_back()
    assert stepper.step_back() is None
    assert stepper.grads == [0.0] * len(stepper.grads)


def test_step_after_the_end_is_refused():
    """Once complete, step() raises instead of running a second pass."""
    stepper = BackwardStepper(lecture()["L"])
    stepper.finish()
    with pytest.raises(IndexError):
        stepper.step()


def test_leaf_root_is_one_step():
    """Backward from a leaf is one step: its grad is 1."""
    a = Value(5.0, label="a")
    stepper = BackwardStepper(a)
    step = stepper.step()
    assert stepper.done and step.node == "a"
    assert stepper.grads_by_name() == {"a": 1.0}


def test_visited_values():
    """Earlier steps' nodes and finished leaves are visited; pending ones are not."""
    stepper = BackwardStepper(lecture()["L"])
    stepper.step()
    assert stepper.visited() == {"f"}  # f's only use is done; L is the active node
    stepper.step()
    assert stepper.visited() == {"L", "f", "c"}
    stepper.step()
    assert stepper.visited() == {"L", "d", "f", "c", "a", "b"}


OPS = [
    ("+", lambda x, y: x + y),
    ("-", lambda x, y: x - y),
    ("*", lambda x, y: x * y),
    ("/", lambda x, y: x / y),
    ("neg", lambda x, y: -x),
    ("**", lambda x, y: x**3),
    ("tanh", lambda x, y: x.tanh()),
    ("exp", lambda x, y: x.exp()),
    ("log", lambda x, y: x.log()),
    ("relu", lambda x, y: x.relu()),
]


@pytest.mark.parametrize(("name", "build"), OPS, ids=[n for n, _ in OPS])
def test_each_op_explains_the_engines_local_grad(name, build):
    """Every op's step uses local_grads for its numbers and LOCAL_GRAD_FORMULAS for its words."""
    x, y = Value(1.5, label="x"), Value(0.5, label="y")
    out = build(x, y)
    out.label = "out"
    stepper = BackwardStepper(out)
    step = stepper.step()
    assert [u.local for u in step.updates] == list(local_grads(out))
    templates = LOCAL_GRAD_FORMULAS[(out._op, len(out._prev))]
    assert len(step.updates) == len(templates)
    for update, operand in zip(step.updates, ("x", "y")):
        assert update.operand == operand
        assert update.formula in update.text("out")


@st.composite
def graphs(draw):
    """A random graph with shared values: each new node combines earlier ones."""
    pool = [Value(draw(st.floats(-2, 2, allow_nan=False)), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for i in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["+", "-", "*", "tanh", "relu", "neg", "**2", "exp"]))
        x = pool[draw(st.integers(0, len(pool) - 1))]
        y = pool[draw(st.integers(0, len(pool) - 1))]
        if kind in ("+", "-", "*"):
            v = {"+": x.__add__, "-": x.__sub__, "*": x.__mul__}[kind](y)
        elif kind == "neg":
            v = -x
        elif kind == "**2":
            v = x**2
        elif kind == "exp":
            v = x.tanh().exp()
        else:
            v = getattr(x, kind)()
        v.label = f"t{i}"
        pool.append(v)
    return pool[-1]


@settings(max_examples=120, deadline=None)
@given(graphs())
def test_random_graphs_step_to_the_full_backward(root):
    """On any graph, stepping to the end gives backward()'s grads bit for bit, and back to zeros."""
    stepper = BackwardStepper(root)
    explanations = []
    while not stepper.done:
        explanations.append(stepper.step().explanation)
    assert len(explanations) == stepper.total
    assert stepper.grads == full_backward(root)
    while stepper.step_back() is not None:
        pass
    assert stepper.grads == [0.0] * len(stepper.grads)


def test_deep_chain_without_recursion():
    """A 3,000-deep chain (beyond any recursion limit) steps through like any other graph."""
    v = Value(0.5, label="x")
    for i in range(3_000):
        v = v * 1.0001 if i % 2 else v + 0.001
        v.label = f"t{i}"
    stepper = BackwardStepper(v)
    stepper.finish()
    assert stepper.grads == full_backward(v)


def test_learning_models_import_no_qt():
    """The expression parser, the stepper and the gradient check run without Qt."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import micrograd_gui.expression, micrograd_gui.stepper, micrograd_gui.gradcheck\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_vanishing_gradient_is_written_in_scientific_notation():
    """tanh at 9 has a local derivative of 6.09e-08: the step writes it so, never as 0.0000."""
    x = Value(9.0, label="x")
    o = x.tanh()
    o.label = "o"
    step = BackwardStepper(o).step()
    assert "x.grad += (1 - o.data**2) * o.grad = 6.0920e-08 * 1.0000 = 6.0920e-08" in step.explanation
    assert "0.0000" not in step.explanation
