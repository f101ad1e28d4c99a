"""The neural-net examples: what tests/examples_builder.py builds, checked against the lecture's code."""

from __future__ import annotations

import math
import random

import micrograd.nn
import pytest

from engine import nn
from micrograd_gui import collapse, render
from micrograd_gui.workspace_file import load_document
from tests.examples_builder import BUILDERS, EXAMPLES_DIR, LECTURE_SEED, LECTURE_XS, LECTURE_YS, example_text


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_the_shipped_file_is_what_the_builder_builds(name):
    """Each net example in resources/examples is exactly the builder's output (rebuild with
    `python -m tests.examples_builder`)."""
    assert (EXAMPLES_DIR / f"{name}.json").read_text() == example_text(name)


def test_neuron_exp_is_the_lectures_neuron_through_exp():
    """e = exp(2n), o = (e - 1)/(e + 1) gives the lecture's 0.7071 and its grads (x1 -1.5, w1 1.0),
    with the numbers 2 and 1 as constants."""
    document = load_document(EXAMPLES_DIR / "neuron_exp.json")
    assert document.data("o") == pytest.approx(math.sqrt(0.5))
    assert document.grad("x1") == pytest.approx(-1.5) and document.grad("w1") == pytest.approx(1.0)
    assert document.definition("e").op == "exp"
    assert [d.name for d in document.definitions if d.constant] == ["k1", "k2", "k3"]


def test_the_lecture_mlp_example_is_the_lectures_mlp_on_its_four_rows():
    """mlp.json holds engine.nn.MLP(3, [4, 4, 1], lecture=True) under its seed, run on the lecture's xs,
    and the sum of squared errors: the same loss and the same parameter grads, exactly."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    random.seed(LECTURE_SEED)
    net = nn.MLP(3, [4, 4, 1], lecture=True)
    loss = sum((net(x) - y) ** 2 for x, y in zip(LECTURE_XS, LECTURE_YS))
    loss.backward()
    names = [d.name for d in document.definitions if d.name.startswith("n") and d.is_leaf]
    assert len(names) == 41
    assert [document.data(n) for n in names] == [p.data for p in net.parameters()]
    assert document.data("loss") == loss.data
    assert [document.grad(n) for n in names] == [p.grad for p in net.parameters()]
    kinds = [g.kind for g in document.groups]
    assert kinds.count("neuron") == 36 and kinds.count("layer") == 12 and kinds.count("net") == 4


def test_the_moons_net_is_micrograds_mlp_with_a_max_margin_loss():
    """moons_net.json: MLP(2, [16, 16, 1]) with ReLU hidden layers and a linear output, as micrograd's, and
    loss = relu(1 - y*o); its structure matches micrograd.nn's (337 parameters)."""
    document = load_document(EXAMPLES_DIR / "moons_net.json")
    random.seed(0)
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    parameters = [d for d in document.definitions if d.is_leaf and d.name.startswith("o_")]
    assert len(parameters) == len(theirs.parameters()) == 337
    assert document.definition("o").op == "+"  # linear output
    assert document.definition("o_n1_1").op == "relu"
    assert document.definition("loss").op == "relu"


def test_collapsed_the_lecture_mlp_draws_one_node_per_neuron_and_row(tmp_path):
    """Collapsed, each row's neurons are one node each, the shared weights inside them; the edges come
    from the row's inputs and from the neurons before, never between rows."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    neurons = [g.name for g in document.groups if g.kind == "neuron"]
    source = render.build_dot_source(document, collapsed=neurons)
    assert source.count('[label="{ r1_n1_1: tanh(w·x + b) | data ') == 1
    assert "n1_1_w1" not in source
    for line in source.splitlines():
        if "->" in line and '"g_r' in line:
            rows = {
                part.split("_")[1] for part in line.replace('"', "").split(" -> ") if part.strip()[:3] in ("g_r", "v_r")
            }
            assert len(rows) == 1, line
    layout = render.layout(source, timeout=30)
    assert sum(node.kind == "group" for node in layout.nodes) == 36
    assert collapse.title(document, next(g for g in document.groups if g.name == "r1")) == "r1: MLP(3, [4, 4, 1])"


def test_one_rows_neuron_expanded_draws_its_shared_weights_with_edges_into_the_other_rows():
    """With every neuron collapsed but row 1's n2_1, that neuron's weights (shared by all four rows) are
    drawn, each with an edge into the same neuron of the other rows, never hidden inside one of them."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    neurons = [g.name for g in document.groups if g.kind == "neuron" and g.name != "r1_n2_1"]
    source = render.build_dot_source(document, collapsed=neurons)
    assert '"v_n2_1_w1" [label=' in source
    for row in (2, 3, 4):
        assert f'"v_n2_1_w1" -> "g_r{row}_n2_1";' in source
    assert '"v_n2_1_w1" -> "o_r1_n2_1_wx1";' in source
    assert '"v_n1_1_w1"' not in source  # the other neurons' weights stay inside them
