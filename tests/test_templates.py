"""Neuron, Layer and MLP templates: the lecture's nets, value for value; systematic names; groups; refusals."""

from __future__ import annotations

import random
import re

import pytest

from engine import nn
from micrograd_gui.document import Document
from micrograd_gui.templates import (
    MAX_LAYER_SIZE,
    MAX_TEMPLATE_VALUES,
    Net,
    TemplateError,
    build_net,
    is_template,
    parse_template,
)


def inputs_document(*values: float) -> Document:
    document = Document()
    for i, value in enumerate(values, start=1):
        document.add_leaf(f"x{i}", value)
    return document


def make(document: Document, text: str) -> list[str]:
    """Parse and build a template and add it to the document; the names it made."""
    net, _ = parse_template(text)
    built = build_net(net, document)
    document.add_many(built.definitions, built.groups)
    return [d.name for d in built.definitions]


@pytest.mark.parametrize("seed", [0, 42, 1337])
def test_the_lectures_mlp_is_engine_nn_lecture_mlp_value_for_value(seed: int) -> None:
    """o = MLP([x1, x2, x3], [4, 4, 1], seed=S) holds the parameters engine.nn.MLP(3, [4, 4, 1], lecture=True)
    draws under random.seed(S), in its order, and computes the same output and the same grads, exactly."""
    document = inputs_document(2.0, 3.0, -1.0)
    names = make(document, f"o = MLP([x1, x2, x3], [4, 4, 1], seed={seed})")
    random.seed(seed)
    net = nn.MLP(3, [4, 4, 1], lecture=True)
    out = net([2.0, 3.0, -1.0])
    leaves = [n for n in names if document.definition(n).is_leaf]
    assert len(leaves) == len(net.parameters()) == 41
    assert [document.data(n) for n in leaves] == [p.data for p in net.parameters()]
    assert document.data("o") == out.data
    out.backward()
    document.backward("o")
    assert [document.grad(n) for n in leaves] == [p.grad for p in net.parameters()]


def test_a_neuron_reads_as_the_lectures_neuron() -> None:
    """n = Neuron([x1, x2]): weights, bias, w*x, the running sum from b, then tanh; the output is n."""
    document = inputs_document(2.0, 0.0)
    names = make(document, "n = Neuron([x1, x2], seed=7)")
    assert names == ["n_w1", "n_w2", "n_b", "n_wx1", "n_wx2", "n_s1", "n_act", "n"]
    assert document.definition("n_wx1").formula == "n_w1 * x1"
    assert document.definition("n_s1").formula == "n_b + n_wx1"
    assert document.definition("n_act").formula == "n_s1 + n_wx2"
    assert document.definition("n").formula == "tanh(n_act)"
    rng = random.Random(7)
    assert [document.data(n) for n in ("n_w1", "n_w2", "n_b")] == [rng.uniform(-1, 1) for _ in range(3)]
    (group,) = document.groups
    assert (group.name, group.kind, group.members) == ("n", "neuron", tuple(names))


def test_layer_and_mlp_groups_and_outputs() -> None:
    """A Layer's neurons are h_n1, h_n2, ...; an MLP's o_n<layer>_<j>, with layer groups o_l1, ... and the net o;
    a last layer of one neuron outputs NAME itself, a wider one its neurons."""
    document = inputs_document(1.0, -1.0)
    net, _ = parse_template("h = Layer([x1, x2], 3, seed=1)")
    built = build_net(net, document)
    assert built.outputs == ["h_n1", "h_n2", "h_n3"]
    assert [(g.name, g.kind) for g in built.groups] == [
        ("h_n1", "neuron"),
        ("h_n2", "neuron"),
        ("h_n3", "neuron"),
        ("h", "layer"),
    ]
    assert built.groups[-1].members == tuple(d.name for d in built.definitions)
    document.add_many(built.definitions, built.groups)

    make(document, "o = MLP([x1, x2], [3, 2, 1], seed=2)")
    assert document.definition("o").formula == "tanh(o_n3_1_act)"
    assert document.definition("o_n2_1_wx3").formula == "o_n2_1_w3 * o_n1_3"
    kinds = {g.name: g.kind for g in document.groups}
    assert kinds["o"] == "net" and kinds["o_l2"] == "layer" and kinds["o_n3_1"] == "neuron"
    net_group = next(g for g in document.groups if g.name == "o")
    layers = [g for g in document.groups if g.name.startswith("o_l")]
    assert net_group.members == tuple(m for g in layers for m in g.members)
    assert [g.name for g in document.groups_of("o_n2_1_b")] == ["o_n2_1", "o_l2", "o"]


def test_relu_nets_end_linear_as_micrograds_unless_told() -> None:
    """activation='relu': ReLU hidden layers and a linear output (micrograd's MLP); output= overrides it;
    a Neuron or Layer uses the activation it is given."""
    document = inputs_document(0.5, 2.0)
    make(document, "m = MLP([x1, x2], [4, 1], activation='relu', seed=3)")
    assert document.definition("m_n1_1").op == "relu"
    assert document.definition("m").formula == "m_n2_1_s3 + m_n2_1_wx4"
    make(document, "q = MLP([x1, x2], [2, 1], activation='relu', output='tanh', seed=3)")
    assert document.definition("q").op == "tanh"
    make(document, "r = Neuron([x1, x2], activation='relu')")
    assert document.definition("r").op == "relu"
    make(document, "s = Neuron([x1, x2], activation='linear')")
    assert document.definition("s").formula == "s_s1 + s_wx2"


def test_number_inputs_become_constants() -> None:
    """Neuron([2.0, -3]): the numbers are constant leaves (k1, k2), not parameters."""
    document = Document()
    make(document, "n = Neuron([2.0, -3], seed=0)")
    assert document.definition("n_wx2").operands == ("n_w2", "k2")
    assert [document.definition(k).constant for k in ("k1", "k2")] == [True, True]
    assert document.data("k2") == -3.0
    assert not any(document.definition(n).constant for n in ("n_w1", "n_b"))


@pytest.mark.parametrize(
    "text",
    [
        "n = Neuron([x1, x2])",
        "h = Layer([x1, x2], 5, activation='linear')",
        "o = MLP([x1, x2, 1.5], [16, 16, 1], activation='relu', seed=9)",
        "o = MLP([x1], [2, 3])",
    ],
)
def test_the_value_count_is_what_is_built(text: str) -> None:
    """Net.value_count (what the size limit checks) is the number of definitions built."""
    net, _ = parse_template(text)
    assert net.value_count == len(build_net(net, inputs_document(1.0, 2.0)).definitions)


def test_without_a_seed_one_is_drawn_and_with_one_the_net_repeats() -> None:
    """The same seed gives the same numbers; no seed draws one at random (and says none was given)."""
    first, given = parse_template("o = MLP([x1], [2, 1], seed=5)")
    assert given and first.seed == 5
    a = build_net(first, inputs_document(1.0)).definitions
    b = build_net(first, inputs_document(1.0)).definitions
    assert a == b
    drawn, given = parse_template("o = MLP([x1], [2, 1])")
    assert not given and 0 <= drawn.seed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Neuron([x1])", "name the Neuron"),
        ("n = Neuron(x1)", "the inputs are a list"),
        ("n = Neuron([])", "needs at least one input"),
        ("n = Neuron([q])", "unknown input 'q'"),
        ("n = Neuron([x1 * 2])", "an input is a value's name or a number"),
        ("n = Neuron([x1], 3)", "Neuron takes a list of inputs"),
        ("h = Layer([x1])", "Layer takes a list of inputs and a number of neurons"),
        ("h = Layer([x1], 0)", "from 1 to 100 neurons, not 0"),
        (f"h = Layer([x1], {MAX_LAYER_SIZE + 1})", "not 101"),
        ("h = Layer([x1], 2.5)", "a whole number of neurons"),
        ("o = MLP([x1], 3)", "the layer sizes are a list"),
        ("o = MLP([x1], [])", "at least one layer"),
        ("o = MLP([x1], [100, 100, 100])", f"at most {MAX_TEMPLATE_VALUES:,}"),
        ("o = MLP([x1], [1] * 2)", "the layer sizes are a list"),
        ("n = Neuron([x1], act='tanh')", "takes no keyword 'act'"),
        ("n = Neuron([x1], output='tanh')", "takes no keyword 'output'"),
        ("n = Neuron([x1], activation='sigmoid')", "'tanh', 'relu' or 'linear'"),
        ("n = Neuron([x1], activation=tanh)", "'tanh', 'relu' or 'linear'"),
        ("n = Neuron([x1], seed=-1)", "the seed must be a whole number"),
        ("n = Neuron([x1], seed=1.5)", "the seed must be a whole number"),
        ("n = Neuron([x1], seed=True)", "the seed must be a whole number"),
        ("n = Neuron([x1], **opts)", "takes no keyword **"),
        ("n = Neuron([x1], seed=1, seed=2)", "seed= is given twice"),
        ("n = Neuron([x1]); m = 2", "unexpected character ';'"),
        ("x1 = Neuron([x1])", "'x1' already exists"),
        ("n = Neuron([x1]) + 1", "this is not a template"),
        ("n = Neuron([__import__('os')])", "an input is a value's name or a number"),
        ("n = Neuron([1e400])", "too large"),
        ("abcdefghijklmnopqrstuvwxyz = Layer([x1], 10)", "over 32 characters"),
        ("n = Neuron([" + "[" * 60 + "]" * 60 + "])", "levels of nesting"),
    ],
)
def test_a_bad_template_is_refused_with_its_reason_and_makes_nothing(text: str, message: str) -> None:
    """Each refusal says what is wrong; the document is untouched."""
    document = inputs_document(1.0)
    before = document.definitions
    assert is_template(text)
    with pytest.raises(TemplateError, match=re.escape(message)):
        make(document, text)
    assert document.definitions == before and document.groups == ()


def test_names_a_template_would_take_are_refused() -> None:
    """A value or group already using a name the net would make refuses the template, saying which."""
    document = inputs_document(1.0)
    document.add_leaf("o_n1_2_w1", 0.0)
    with pytest.raises(TemplateError, match="'o_n1_2_w1' already exists: choose another name than 'o'"):
        make(document, "o = MLP([x1], [2, 1])")
    make(document, "h = Layer([x1], 2)")
    document.remove(["h_n2"])  # the layer group h goes, the neuron group h_n1 stays
    with pytest.raises(TemplateError, match="'h_n1_w1' already exists"):
        make(document, "h = Layer([x1], 1)")


def test_is_template_tells_templates_from_expressions() -> None:
    """Only a line that is a Neuron, Layer or MLP call (perhaps assigned) is a template."""
    assert is_template("o = MLP([a], [1])") and is_template("  Neuron ([a])")
    assert not is_template("L = a * b") and not is_template("o = tanh(n)") and not is_template("MLPx = a")


def test_a_net_built_directly_checks_its_bounds() -> None:
    """build_net checks a Net made without the parser (the Insert dialog's) the same way."""
    with pytest.raises(TemplateError, match="not a template"):
        build_net(Net("RNN", "r", ("x1",), (1,)), inputs_document(1.0))
    with pytest.raises(TemplateError, match="at least one neuron"):
        build_net(Net("MLP", "r", ("x1",), (2, 0)), inputs_document(1.0))
    with pytest.raises(TemplateError, match="the seed"):
        build_net(Net("Neuron", "r", ("x1",), (1,), seed=-3), inputs_document(1.0))
