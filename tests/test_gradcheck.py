"""The gradient check: backward's grads against central finite differences."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from micrograd_gui.document import Definition, Document, DocumentError
from micrograd_gui.expression import parse_expression
from micrograd_gui.gradcheck import (
    GradCheckCancelledError,
    LeafCheck,
    analytic_grads,
    check_gradients,
    summary,
)


def build(*lines: str) -> Document:
    document = Document()
    for line in lines:
        document.add_many(parse_expression(line, document))
    return document


def neuron() -> Document:
    return build("x1 = 2", "x2 = 0", "w1 = -3", "w2 = 1", "b = 6.8813735870195432", "o = tanh(x1*w1 + x2*w2 + b)")


def test_neuron_grads_agree():
    """Every leaf of the lecture's neuron agrees with its finite difference."""
    document = neuron()
    document.backward("o")
    results = check_gradients(document.definitions, "o", {n: document.grad(n) for n in document.names})
    assert [r.name for r in results] == ["x1", "x2", "w1", "w2", "b"]
    assert all(r.agrees for r in results)
    assert results[0].numeric == pytest.approx(-1.5, rel=1e-6)
    assert all(r.error is not None and r.error < 1e-6 for r in results)
    assert summary(results) == "Gradient check: 5 of 5 leaves agree"


def test_a_wrong_grad_is_flagged():
    """A faked analytic grad disagrees, with a large relative error, and the summary says so."""
    document = neuron()
    grads = analytic_grads(document.definitions, "o")
    grads["w1"] += 0.1
    results = check_gradients(document.definitions, "o", grads)
    w1 = next(r for r in results if r.name == "w1")
    assert w1.agrees is False
    assert w1.error == pytest.approx(0.1 / 1.1, rel=1e-4)
    assert summary(results) == "Gradient check: 4 of 5 leaves agree, 1 disagrees"


def test_wrong_grads_of_intermediate_values_do_not_hide_a_wrong_leaf_grad():
    """The allowance for rounding comes from forward passes only: grads of intermediate values that are
    far off (as from a broken backward) cannot widen it until a wrong leaf grad passes."""
    document = build("x = 1", "k = 3", "t = x * k", "r = t * k")
    wrong = {"x": 5.0, "k": 6.0, "t": 1e12, "r": 1.0}  # x's grad is 9, t's 3
    x = next(r for r in check_gradients(document.definitions, "r", wrong) if r.name == "x")
    assert x.agrees is False and x.roundoff < 1e-6


def test_missing_analytic_grad_counts_as_zero():
    """A leaf with no grad given is checked against 0."""
    results = check_gradients(neuron().definitions, "o", {})
    assert [r.agrees for r in results] == [False, False, False, True, False]  # only w2's true grad is 0


def test_without_analytic_grads_a_fresh_backward_is_used():
    """analytic_grads equals the document's own backward."""
    document = neuron()
    document.backward("o")
    assert analytic_grads(document.definitions, "o") == {n: document.grad(n) for n in document.names}
    assert all(r.agrees for r in check_gradients(document.definitions, "o"))


def test_maths_error_at_the_nudge_is_not_available():
    """log(z) with z = 0 + tiny: z - h leaves the domain, so that leaf is n/a with the reason."""
    document = build("z = 0", "q = log(z + 1e-9)")
    results = check_gradients(document.definitions, "q")
    z = next(r for r in results if r.name == "z")
    assert z.numeric is None and z.agrees is None and z.error is None
    assert "log of a non-positive number" in z.note
    assert summary(results) == "Gradient check: 1 of 2 leaves agree, 1 n/a"


def test_small_leaf_gets_a_smaller_nudge():
    """A leaf of 1e-7 inside a log is still checked, with a step relative to its size."""
    document = build("z = 1e-7", "q = log(z)")
    (z,) = check_gradients(document.definitions, "q")
    assert z.agrees is True
    assert z.numeric == pytest.approx(1e7, rel=1e-6)


def test_relu_kink_disagrees():
    """At relu's kink the engine's grad (0) and the finite difference (0.5) differ: shown as disagreement."""
    document = build("x = 0", "r = relu(x)")
    (x,) = check_gradients(document.definitions, "r")
    assert x.numeric == pytest.approx(0.5)
    assert x.agrees is False


def test_only_leaves_the_root_depends_on():
    """Leaves the root does not use are not listed."""
    document = build("a = 2", "b = 3", "unused = 7", "c = a * b")
    assert [r.name for r in check_gradients(document.definitions, "c")] == ["a", "b"]
    assert [r.name for r in check_gradients(document.definitions, "a")] == ["a"]


def test_reused_leaf():
    """b = a * a: a's grad 2a agrees."""
    document = build("a = 3", "b = a * a")
    (a,) = check_gradients(document.definitions, "b")
    assert a.analytic == 6.0 and a.agrees


def test_unknown_root_is_refused():
    """Checking from a name that does not exist raises DocumentError."""
    with pytest.raises(DocumentError):
        check_gradients(neuron().definitions, "nope")


def test_cancel_and_progress():
    """progress reports each leaf; cancelled() stops the check."""
    seen = []
    check_gradients(neuron().definitions, "o", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    with pytest.raises(GradCheckCancelledError):
        check_gradients(neuron().definitions, "o", cancelled=lambda: True)


def test_summary_wording():
    """One leaf reads in the singular."""
    assert summary([LeafCheck("a", 1.0, 1.0)]) == "Gradient check: 1 of 1 leaf agrees"
    assert summary([LeafCheck("a", 1.0, 2.0), LeafCheck("b", 1.0, 3.0)]) == (
        "Gradient check: 0 of 2 leaves agree, 2 disagree"
    )


def test_does_not_touch_the_definitions():
    """The check works on the definitions it is given and changes none of them."""
    document = neuron()
    definitions = document.definitions
    check_gradients(definitions, "o")
    assert document.definitions == definitions
    assert isinstance(definitions[0], Definition)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-3, 3, allow_nan=False), min_size=2, max_size=6),
    st.lists(st.floats(-3, 3, allow_nan=False), min_size=2, max_size=6),
    st.floats(-3, 3, allow_nan=False),
    st.sampled_from(["tanh", "exp"]),
)
# exp(13) next to a weight of 1.2e-7: the root's own rounding is most of the difference's noise.
@example([0.0, 3.0, 0.0, 2.0], [0.0, 3.0, 1.192092896e-07, 2.0], 0.0, "exp")
def test_random_neurons_agree(xs, ws, bias, activation):
    """On smooth neurons with random weights every leaf agrees."""
    n = min(len(xs), len(ws))
    lines = [f"x{i} = {xs[i]!r}" for i in range(n)] + [f"w{i} = {ws[i]!r}" for i in range(n)] + [f"b = {bias!r}"]
    lines.append(f"o = {activation}(" + " + ".join(f"x{i}*w{i}" for i in range(n)) + " + b)")
    results = check_gradients(build(*lines).definitions, "o")
    assert len(results) == 2 * n + 1
    assert all(r.agrees for r in results), [r for r in results if not r.agrees]


def test_a_tiny_weight_before_a_large_exp_agrees():
    """Rounding in x0*w0 + 10 limits the finite difference; a right grad is not called wrong for it."""
    document = build("x0 = 0", "w0 = 5.960464477539063e-08", "c = 10", "o = exp(x0*w0 + c)")
    results = {r.name: r for r in check_gradients(document.definitions, "o")}
    assert results["x0"].analytic == pytest.approx(5.960464477539063e-08 * 22026.465794806718)
    assert all(r.agrees for r in results.values()), results
    wrong = {r.name: r.analytic for r in results.values()} | {"x0": 2 * results["x0"].analytic}
    assert not check_gradients(document.definitions, "o", wrong)[0].agrees


def test_a_nudge_lost_in_a_large_sum_is_not_called_a_wrong_grad():
    """x*w + big - big: the nudge of w (1e-9) is below what 1e8 can hold, so both differences are 0.
    That is rounding, bounded from the forward pass, not a wrong grad; a grad off by far more still is."""
    document = build("x = 0.0001", "w = 1", "big = 100000000", "o = tanh(x*w + big - big)")
    results = {r.name: r for r in check_gradients(document.definitions, "o")}
    assert results["w"].numeric == 0.0 and results["w"].analytic == pytest.approx(1e-4)
    assert results["w"].agrees
    wrong = {r.name: r.analytic for r in results.values()} | {"w": 1.0}
    assert not {r.name: r for r in check_gradients(document.definitions, "o", wrong)}["w"].agrees
