"""Why this grad?: the paths from the root to a value, against brute force and the engine's backward."""

from __future__ import annotations

import pytest

from engine import Value
from micrograd_gui.document import Definition, compute
from micrograd_gui.grad_paths import LIMIT, count_text, explain_grad
from tests.learning_graphs import REUSE, all_paths, close, diamonds, random_graph
from tests.workspaces import LECTURE, NEURON


def test_the_lecture_has_one_path_to_a():
    """L → d → e → a, its factors written out, and the sum that is a.grad."""
    values = compute(LECTURE)
    result = explain_grad(values["L"], values["a"])
    assert result.count == 1 and result.complete
    assert result.path_lines() == ["L → d → e → a: 1.0000 × -2.0000 × 1.0000 × -3.0000 = 6.0000"]
    assert result.summary_lines() == ["One path: its product 6.0000 is dL/da = a.grad."]
    values["L"].backward()
    assert result.total == values["a"].grad == 6.0


def test_a_reused_value_has_two_paths_adding_to_two():
    """b = a + a: a path through each operand, 1 each, summing to a.grad = 2."""
    values = compute(REUSE)
    result = explain_grad(values["b"], values["a"])
    assert result.count == 2
    assert result.path_lines() == [
        "b → a: 1.0000 × 1.0000 = 1.0000   (a as b's first operand)",
        "b → a: 1.0000 × 1.0000 = 1.0000   (a as b's second operand)",
    ]
    assert result.summary_lines() == ["Sum of the 2 paths: 1.0000 + 1.0000 = 2.0000 = db/da = a.grad"]


def test_the_root_itself_and_a_value_it_does_not_depend_on():
    """The root's own grad is one path of no steps; a value off every path has none and grad 0."""
    values = compute([*LECTURE, Definition("z", data=5.0)])
    own = explain_grad(values["L"], values["L"])
    assert own.count == 1 and own.total == 1.0 and own.path_lines() == ["L: 1.0000 = 1.0000"]
    off = explain_grad(values["L"], values["z"])
    assert off.count == 0 and off.paths == () and off.total == 0.0
    assert off.summary_lines() == ["L does not depend on z: no path leads to it, so z.grad is 0."]


@pytest.mark.parametrize("seed", range(60))
def test_random_graphs_match_brute_force_and_backward(seed):
    """On random graphs with reuse: the count is the brute-force count, the sum is backward's grad bit for
    bit, and the listed paths are every path (when few) or the largest by magnitude (when many)."""
    values, root = random_graph(seed)
    root.backward()
    for target in values:
        result = explain_grad(root, target, limit=5)
        brute = all_paths(root, target)
        assert result.count == len(brute)
        assert result.total == target.grad
        largest = sorted((abs(b[2]) for b in brute), reverse=True)[:5]
        assert [abs(p.product) for p in result.paths] == pytest.approx(largest)
        if result.complete:
            assert sorted((p.names, p.slots) for p in result.paths) == sorted((b[0], b[1]) for b in brute)
            assert result.rest == 0.0
        else:
            assert close(result.rest + sum(p.product for p in result.paths), result.total)
        for path in result.paths:
            assert path.names[0] == root.label and path.names[-1] == target.label
            assert len(path.factors) == len(path.names) and path.factors[0] == 1.0


def test_listed_paths_come_largest_first():
    """A dense graph lists its paths by decreasing magnitude; the neuron's w1 has one path."""
    root, x = diamonds(6)
    result = explain_grad(root, x)
    magnitudes = [abs(p.product) for p in result.paths]
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert result.paths[0].product == pytest.approx(0.5**6)  # the path through every left branch
    values = compute(NEURON)
    assert explain_grad(values["o"], values["w1"]).count == 1


def test_too_many_paths_are_counted_not_listed():
    """2**60 paths: counted exactly by dynamic programming, the largest LIMIT listed, the rest summed."""
    root, x = diamonds(60)
    result = explain_grad(root, x)
    assert result.count == 2**60
    assert len(result.paths) == LIMIT and not result.complete
    root.backward()
    assert result.total == x.grad
    assert close(result.rest + sum(p.product for p in result.paths), x.grad)
    lines = result.summary_lines()
    assert lines[0].startswith("1.2e+18 paths in all; the 12 largest above add up to")
    assert lines[1].startswith("The other 1.2e+18 add up to")
    assert lines[2].endswith("= ds59/dx = x.grad")


def test_a_long_path_is_shortened_in_its_text():
    """A path of many values shows its first and last three, and how many are left out."""
    v = x = Value(1.0, label="x")
    for i in range(20):
        v = v * 1.0
        v.label = f"m{i}"
    (path,) = explain_grad(v, x).paths
    assert path.text() == (
        "m19 → m18 → m17 → … 15 more … → m1 → m0 → x: 1.0000 × 1.0000 × 1.0000 × … × 1.0000 × 1.0000 × 1.0000 = 1.0000"
    )


def test_count_text():
    """Counts read with thousands separators, and past a quadrillion in scientific notation."""
    assert count_text(1234567) == "1,234,567"
    assert count_text(2**100) == "1.3e+30"
