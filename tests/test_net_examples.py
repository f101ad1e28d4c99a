"""The neural-net examples: what tests/examples_builder.py builds, checked against the lecture's code."""

from __future__ import annotations

import math
import random

import micrograd.engine
import micrograd.nn
import pytest

from engine import nn
from micrograd_gui import collapse, data_sources, render
from micrograd_gui.workspace_file import load_document
from tests import reference_training
from tests.examples_builder import (
    BUILDERS,
    DEMO_SEED,
    DEMO_TRAINING,
    EXAMPLES_DIR,
    LECTURE_SEED,
    LECTURE_TRAINING,
    LECTURE_XS,
    LECTURE_YS,
    example_text,
)


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
    """mlp.json holds engine.nn.MLP(3, [4, 4, 1], lecture=True) under its seed once, the lecture's four rows as
    its data and (o - y)**2 summed over them: step 0's loss and grads are the lecture's, exactly."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    assert document.data_table == data_sources.lecture_rows()
    assert document.bound_columns() == ("x1", "x2", "x3", "y")
    assert document.training == LECTURE_TRAINING
    random.seed(LECTURE_SEED)
    net = nn.MLP(3, [4, 4, 1], lecture=True)
    loss = sum((net(x) - y) ** 2 for x, y in zip(LECTURE_XS, LECTURE_YS))
    loss.backward()
    names = document.parameters()
    assert len(names) == 41 and all(n.startswith("o_n") for n in names)
    assert [document.data(n) for n in names] == [p.data for p in net.parameters()]
    (step,) = reference_training.train(document, 1)
    assert step.loss == loss.data
    assert [step.grads[n] for n in names] == [p.grad for p in net.parameters()]
    kinds = [g.kind for g in document.groups]
    assert kinds.count("neuron") == 9 and kinds.count("layer") == 3 and kinds.count("net") == 1


def test_the_lecture_mlp_trains_as_the_lectures_loop():
    """Its 20 steps of 0.05 give the lecture's loop's losses, step for step and exactly, falling from about 6
    to below 0.1, every row's sign right at the end."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    random.seed(LECTURE_SEED)
    net = nn.MLP(3, [4, 4, 1], lecture=True)
    theirs = []
    for _ in range(20):
        ypred = [net(x) for x in LECTURE_XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(LECTURE_YS, ypred))
        for p in net.parameters():
            p.grad = 0.0
        loss.backward()
        for p in net.parameters():
            p.data += -0.05 * p.grad
        theirs.append(loss.data)
    steps = reference_training.train(document, document.training.steps, output="o")
    assert [s.loss for s in steps] == theirs
    assert steps[0].loss > 5 and steps[-1].loss < 0.1 and steps[-1].accuracy == 1.0


def test_the_moons_net_is_micrograds_demo():
    """moons_net.json: MLP(2, [16, 16, 1]) with ReLU hidden layers and a linear output, holding micrograd.nn's
    parameters after random.seed(1337) (the demo's model: biases 0), the demo's 100 points as data and its
    training: mean of relu(1 - y*o), L2 1e-4, learning rate 1.0 down to 0.1 over 100 steps."""
    document = load_document(EXAMPLES_DIR / "moons_net.json")
    random.seed(DEMO_SEED)
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    names = document.parameters()
    assert len(names) == len(theirs.parameters()) == 337
    assert [document.data(n) for n in names] == [p.data for p in theirs.parameters()]
    assert document.data_table == data_sources.moons()
    assert document.training == DEMO_TRAINING
    assert document.bound_columns() == ("x1", "x2", "y")
    assert document.definition("o").op == "+"  # linear output
    assert document.definition("o_n1_1").op == "relu"
    assert document.definition("loss").op == "relu"


def test_the_moons_nets_first_step_is_the_demos():
    """Built per row with engine Values as the demo does, step 0's total loss is exactly the demo's printed
    0.8958441028683222 and its accuracy 50%; the grads are the demo model's (micrograd's own sum the grads
    of shared parameters in an order set by memory addresses, so they agree to rounding)."""
    document = load_document(EXAMPLES_DIR / "moons_net.json")
    (step,) = reference_training.train(document, 1, output="o")
    assert step.loss == 0.8958441028683222
    assert step.accuracy == 0.5
    random.seed(DEMO_SEED)
    model = micrograd.nn.MLP(2, [16, 16, 1])
    table = document.data_table
    scores = [model(list(map(micrograd.engine.Value, row[:2]))) for row in table.rows]
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(table.column("y"), scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    total.backward()
    assert total.data == step.loss
    grads = [step.grads[n] for n in document.parameters()]
    assert grads == pytest.approx([p.grad for p in model.parameters()], rel=1e-12, abs=1e-15)
    assert sum(g != 0 for g in grads) > 200


def test_the_line_neuron_learns_its_line():
    """line_neuron.json: one tanh neuron on data_sources.line(); its training gets every point right, from
    about a quarter, with the loss falling each step."""
    document = load_document(EXAMPLES_DIR / "line_neuron.json")
    assert document.data_table == data_sources.line() and document.parameters() == ["o_w1", "o_w2", "o_b"]
    steps = reference_training.train(document, document.training.steps, output="o")
    assert steps[0].accuracy is not None and steps[0].accuracy < 0.3
    assert steps[-1].accuracy == 1.0
    assert all(later.loss < earlier.loss for earlier, later in zip(steps, steps[1:]))


def test_collapsed_the_lecture_mlp_draws_one_node_per_neuron(tmp_path):
    """Collapsed, each neuron is one node, its weights inside it; the edges come from the inputs and the
    neurons before."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    neurons = [g.name for g in document.groups if g.kind == "neuron"]
    source = render.build_dot_source(document, collapsed=neurons)
    assert source.count('[label="{ o_n1_1: tanh(w·x + b) | data ') == 1
    assert "o_n1_1_w1" not in source
    assert '"v_x1" -> "g_o_n1_1";' in source and '"g_o_n1_1" -> "g_o_n2_1";' in source
    layout = render.layout(source, timeout=30)
    assert sum(node.kind == "group" for node in layout.nodes) == 9
    assert collapse.title(document, next(g for g in document.groups if g.kind == "net")) == "o: MLP(3, [4, 4, 1])"


def test_one_neuron_expanded_draws_its_weights_and_the_others_keep_theirs_inside():
    """With every neuron collapsed but o_n2_1, that neuron's weights are drawn, each with an edge into its
    product; the other neurons' weights stay inside them."""
    document = load_document(EXAMPLES_DIR / "mlp.json")
    neurons = [g.name for g in document.groups if g.kind == "neuron" and g.name != "o_n2_1"]
    source = render.build_dot_source(document, collapsed=neurons)
    assert '"v_o_n2_1_w1" [label=' in source
    assert '"v_o_n2_1_w1" -> "o_o_n2_1_wx1";' in source
    assert '"v_o_n1_1_w1"' not in source
