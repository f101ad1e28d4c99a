"""The bug lab: each mistake's backward against an independent oracle; the engine and the document stay correct."""

from __future__ import annotations

import math

import pytest

from engine import LOCAL_GRADS, Value, topological_order
from micrograd_gui.bug_lab import BUGS, BUGS_BY_KEY, NO_BUG, BugLabLens, lab_backward, run_lab
from micrograd_gui.document import Definition, Document, compute, evaluate
from tests.learning_graphs import REUSE, random_graph
from tests.workspaces import LECTURE, NEURON


def document_of(definitions) -> Document:
    document = Document()
    document.add_many(definitions)
    return document


def by_label(grads: dict[Value, float]) -> dict[str, float]:
    return {v.label: g for v, g in grads.items()}


def surrogate(a: Value, data: float, slope: float) -> Value:
    """A Value whose data is `data` and whose derivative with respect to `a` is `slope`, for the engine's
    own backward: what a mistaken local derivative amounts to, as a graph."""
    g = a * slope
    return g - g.data + data


def rebuilt(definitions, replace) -> dict[str, Value]:
    """The definitions computed with the engine, each op `replace` knows built by it instead."""
    values: dict[str, Value] = {}
    for d in definitions:
        operands = [values[o] for o in d.operands]
        made = replace(d, operands)
        values[d.name] = made if made is not None else evaluate(d, operands)
    return values


def engine_grads(values: dict[str, Value], root: str) -> dict[str, float]:
    values[root].backward()
    return {name: v.grad for name, v in values.items()}


@pytest.mark.parametrize("seed", range(40))
def test_no_bug_is_the_engines_backward_bit_for_bit(seed):
    """The lab's loop with the engine's table is backward itself, on random graphs with reuse."""
    values, root = random_graph(seed)
    grads = lab_backward(root, NO_BUG)
    root.backward()
    assert all(grads[v] == v.grad for v in topological_order(root))


def test_assign_instead_of_add_loses_a_path_of_a_reused_value():
    """b = a + a: with `=`, a.grad is 1, not 2; on a graph where each value is used once nothing changes."""
    values = compute(REUSE)
    assert by_label(lab_backward(values["b"], BUGS_BY_KEY["assign"]))["a"] == 1.0
    lecture = compute(LECTURE)
    wrong = by_label(lab_backward(lecture["L"], BUGS_BY_KEY["assign"]))
    assert wrong == engine_grads(lecture, "L")


def test_grads_not_zeroed_double_every_leaf():
    """Two passes without zeroing: each leaf's grad is twice backward's, each computed value's once."""
    values = compute(LECTURE)
    twice = by_label(lab_backward(values["L"], BUGS_BY_KEY["not_zeroed"]))
    correct = engine_grads(values, "L")
    for d in LECTURE:
        assert twice[d.name] == (2 * correct[d.name] if d.is_leaf else correct[d.name])


@pytest.mark.parametrize(
    ("key", "op", "slope"),
    [
        ("tanh_input", "tanh", lambda out, a: 1.0 - a.data**2),
        ("exp_input", "exp", lambda out, a: a.data),
    ],
)
def test_a_wrong_unary_derivative_is_backward_of_a_graph_with_that_slope(key, op, slope):
    """The oracle: the engine's own backward on the graph with each such op replaced by a surrogate of
    the same data whose derivative is the mistaken one; the grads must be the lab's."""
    definitions = [*NEURON, Definition("e", "exp", ("o",)), Definition("y", "*", ("e", "x1"))]

    def replace(d: Definition, operands: list[Value]) -> Value | None:
        if d.op != op:
            return None
        a = operands[0]
        out = getattr(a, op)()
        return surrogate(a, out.data, slope(out, a))

    oracle = engine_grads(rebuilt(definitions, replace), "y")
    lab = by_label(lab_backward(compute(definitions)["y"], BUGS_BY_KEY[key]))
    assert lab.keys() <= oracle.keys()
    for name, grad in lab.items():
        assert grad == pytest.approx(oracle[name], rel=1e-12, abs=1e-15), name
    assert lab != engine_grads(compute(definitions), "y")


def test_mul_with_its_own_operand_is_backward_of_a_graph_with_those_slopes():
    """`*` giving each operand its own data: the oracle is a surrogate with slopes a.data and b.data."""

    def replace(d: Definition, operands: list[Value]) -> Value | None:
        if d.op != "*":
            return None
        a, b = operands
        g = a * a.data + b * b.data
        return g - g.data + a.data * b.data

    oracle = engine_grads(rebuilt(LECTURE, replace), "L")
    lab = by_label(lab_backward(compute(LECTURE)["L"], BUGS_BY_KEY["mul_own"]))
    assert lab == pytest.approx({name: oracle[name] for name in lab})
    assert lab["d"] == 4.0  # d.data * L.grad, not f.data * L.grad
    assert lab["a"] == 2.0 * 4.0  # a.data * e.grad, where e.grad = d.grad = 4


def test_the_local_derivative_without_out_grad():
    """No `* out.grad`: each value gets the sum of the local derivatives of its uses (by hand, the lecture)."""
    lab = by_label(lab_backward(compute(LECTURE)["L"], BUGS_BY_KEY["no_chain"]))
    assert lab == {"L": 1.0, "d": -2.0, "f": 4.0, "e": 1.0, "c": 1.0, "a": -3.0, "b": 2.0}


def test_the_lab_changes_nothing_in_the_engine_or_the_document():
    """LOCAL_GRADS, the document's grads and its Values' grads are as before after every bug ran."""
    table = dict(LOCAL_GRADS)
    document = document_of(NEURON)
    document.backward("o")
    state = document.grad_state()
    own = {name: document.value(name).grad for name in document.names}
    for bug in BUGS:
        document.show_lens(BugLabLens(bug, "o"))
    document.show_lens(None)
    assert dict(LOCAL_GRADS) == table
    assert document.grad_state() == state
    assert {name: document.value(name).grad for name in document.names} == own
    values, root = random_graph(3)
    root.backward()
    assert all(not math.isnan(v.grad) for v in values)


def test_the_lens_shows_the_buggy_grads_and_marks_the_wrong_ones():
    """On the reuse example with `=`: a shows 1 and is marked with 2 expected; b is right and unmarked.
    A later Backward (a change) keeps the lab's grads shown; No bug shows the document's own."""
    document = document_of(REUSE)
    lens = BugLabLens(BUGS_BY_KEY["assign"], "b")
    document.show_lens(lens)
    assert document.shown_grad("a") == 1.0 and document.expected_grad("a") == 2.0
    assert document.shown_grad("b") == 1.0 and document.expected_grad("b") is None
    assert document.grad("a") == 0.0  # the document's own grads are untouched
    document.backward("b")
    assert document.grad("a") == 2.0
    assert document.shown_grad("a") == 1.0 and document.expected_grad("a") == 2.0
    assert lens.result is not None and lens.result.wrong == ["a"]
    document.show_lens(None)
    assert document.shown_grad("a") == 2.0 and document.expected_grad("a") is None


def test_run_lab_names_every_value_and_zero_off_the_root():
    """Values the root does not depend on get 0, as Backward gives them."""
    document = document_of([*LECTURE, Definition("z", data=1.0)])
    result = run_lab(document, "L", BUGS_BY_KEY["not_zeroed"])
    assert list(result.grads) == document.names
    assert result.grads["z"] == 0.0 == result.correct["z"]
    assert result.wrong == ["a", "b", "c", "f"]


def test_every_bug_has_a_title_and_a_lecture_moment():
    """The combo's texts are distinct; each bug but No bug tells of a moment in the lecture."""
    assert BUGS[0] is NO_BUG
    assert len({bug.title for bug in BUGS}) == len(BUGS)
    assert {"assign", "not_zeroed", "tanh_input", "exp_input"} <= set(BUGS_BY_KEY)
    for bug in BUGS[1:]:
        assert "lecture" in bug.moment


def test_the_lab_stays_off_on_a_workspace_too_big_for_it():
    """Past LAB_LIMIT values the lens shows the document's own grads and says it is too big."""
    from micrograd_gui.bug_lab import LAB_LIMIT
    from tests.workspaces import shared_chain_definitions

    definitions = shared_chain_definitions(LAB_LIMIT // 2)
    document = document_of(definitions)
    assert len(document) > LAB_LIMIT
    lens = BugLabLens(BUGS_BY_KEY["assign"], definitions[-1].name)
    document.show_lens(lens)
    assert lens.too_big and lens.result is None and document.grad_overlay is None
