"""Builds the neural-net example workspaces in resources/examples/ from the lecture's code.

tests/test_workspace_file.py holds every shipped file equal to what this builds; after changing it, run
`python -m tests.examples_builder` to write the files again.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from engine import nn
from micrograd_gui import data_sources
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, Document, Group
from micrograd_gui.expression import parse_expression
from micrograd_gui.templates import build_net, neuron_forward, parse_template
from micrograd_gui.workspace_file import dumps

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "examples"

# The lecture's four rows and targets, and the seed its MLP is drawn with here.
LECTURE_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
LECTURE_YS = [1.0, -1.0, -1.0, 1.0]
LECTURE_SEED = 1337
LECTURE_SIZES = [3, 4, 4, 1]
LECTURE_TRAINING = TrainingSettings(loss="loss", reduce="sum", learning_rate=0.05, final_learning_rate=0.05, steps=20)
# micrograd's demo.ipynb: random.seed(1337) before MLP(2, [16, 16, 1]), and its training loop.
DEMO_SEED = 1337
DEMO_TRAINING = TrainingSettings(
    loss="loss", reduce="mean", l2=1e-4, learning_rate=1.0, final_learning_rate=0.1, steps=100
)
LINE_TRAINING = TrainingSettings(loss="loss", reduce="mean", learning_rate=0.5, final_learning_rate=0.05, steps=30)


def lines(document: Document, *texts: str) -> Document:
    for text in texts:
        document.add_many(parse_expression(text, document))
    return document


def neuron_exp() -> Document:
    """The lecture's neuron with tanh written out: e = exp(2n), o = (e - 1) / (e + 1)."""
    document = Document()
    for name, data in [("x1", 2.0), ("x2", 0.0), ("w1", -3.0), ("w2", 1.0), ("b", 6.8813735870195432)]:
        document.add_leaf(name, data)
    steps = ["x1w1 = x1*w1", "x2w2 = x2*w2", "x1w1x2w2 = x1w1 + x2w2", "n = x1w1x2w2 + b"]
    return lines(document, *steps, "e = exp(2*n)", "o = (e - 1) / (e + 1)")


def with_data(document: Document, table: DataTable) -> Document:
    """`document` with leaves for `table`'s columns first, holding its first row (what the picture shows)."""
    document.add_many([Definition(name, data=number) for name, number in table.row(0).items()])
    document.set_data(table)
    return document


def lecture_mlp() -> Document:
    """The lecture's MLP(3, [4, 4, 1]) (tanh throughout, random biases: the template's MLP) on its four rows
    as a data table, with the squared error (o - y)**2 summed over the rows, trained as the lecture does
    (20 steps of 0.05)."""
    document = with_data(Document(), data_sources.lecture_rows())
    net, _ = parse_template(f"o = MLP([x1, x2, x3], [4, 4, 1], seed={LECTURE_SEED})")
    built = build_net(net, document)
    document.add_many(built.definitions, built.groups)
    document.set_training(LECTURE_TRAINING)
    return lines(document, "loss = (o - y)**2")


def net_on_rows(
    sizes: list[int],
    xs: list[list[float]],
    ys: list[float],
    rng: random.Random,
    hidden: str = "tanh",
    last: str = "tanh",
    groups: bool = True,
) -> Document:
    """An MLP of `sizes` run on each row of `xs`, with loss = the sum of (out - y)**2: one set of
    parameters (neuron j of layer l is n{l}_{j}, its weights and then its bias drawn from `rng`, as
    engine.nn's lecture nets), a forward pass per row. With `groups`, row r's neuron is the group
    r{r}_n{l}_{j} (its computed values and the shared weights and bias), its layers r{r}_l{l} and its
    net r{r}."""
    document = Document()
    parameters: dict[str, tuple[list[str], str]] = {}
    leaves = []
    for layer in range(1, len(sizes)):
        for j in range(1, sizes[layer] + 1):
            neuron = f"n{layer}_{j}"
            weights = [f"{neuron}_w{i}" for i in range(1, sizes[layer - 1] + 1)]
            leaves += [Definition(w, data=rng.uniform(-1, 1)) for w in weights]
            leaves.append(Definition(f"{neuron}_b", data=rng.uniform(-1, 1)))
            parameters[neuron] = (weights, f"{neuron}_b")
    document.add_many(leaves)
    for r, (row, y) in enumerate(zip(xs, ys), start=1):
        inputs = [f"r{r}_x{i}" for i in range(1, len(row) + 1)]
        document.add_many([Definition(name, data=x) for name, x in zip(inputs, row)])
        document.add_leaf(f"r{r}_y", y)
        layers: list[Group] = []
        for layer in range(1, len(sizes)):
            outputs = []
            in_layer = []
            for j in range(1, sizes[layer] + 1):
                weights, bias = parameters[f"n{layer}_{j}"]
                prefix = f"r{r}_n{layer}_{j}"
                output = f"r{r}_out" if layer == len(sizes) - 1 else prefix
                activation = last if layer == len(sizes) - 1 else hidden
                forward = neuron_forward(prefix, output, inputs, weights, bias, activation)
                group = Group(prefix, "neuron", (*weights, bias, *(d.name for d in forward)))
                document.add_many(forward, [group] if groups else [])
                in_layer.append(group)
                outputs.append(output)
            layers.append(Group(f"r{r}_l{layer}", "layer", tuple(m for g in in_layer for m in g.members)))
            inputs = outputs
        if groups:
            members = tuple(dict.fromkeys(m for g in layers for m in g.members))
            document.add_many([], [*layers, Group(f"r{r}", "net", members)])
    terms = " + ".join(f"(r{r}_out - r{r}_y)**2" for r in range(1, len(ys) + 1))
    return lines(document, f"loss = {terms}")


def demo_parameters() -> list[float]:
    """The parameters of micrograd's demo model, engine.nn.MLP(2, [16, 16, 1]) after random.seed(1337) (the
    same as micrograd.nn's: each neuron's weights drawn in turn, its bias 0), leaving `random` as it was."""
    state = random.getstate()
    try:
        random.seed(DEMO_SEED)
        return [p.data for p in nn.MLP(2, [16, 16, 1]).parameters()]
    finally:
        random.setstate(state)


def moons_net() -> Document:
    """micrograd's demo: MLP(2, [16, 16, 1]) (ReLU, a linear output) with the demo's initial parameters, on
    its 100 moons points, with the max-margin loss relu(1 - y*o) (the demo's (1 + -y*score).relu(), the same
    floats) averaged over the rows plus 1e-4 times the parameters squared, trained 100 steps from a learning
    rate of 1.0 down to 0.1."""
    document = with_data(Document(), data_sources.moons())
    net, _ = parse_template("o = MLP([x1, x2], [16, 16, 1], activation='relu', seed=0)")
    built = build_net(net, document)
    numbers = iter(demo_parameters())
    definitions = [replace(d, data=next(numbers)) if d.is_leaf and not d.constant else d for d in built.definitions]
    assert next(numbers, None) is None
    document.add_many(definitions, built.groups)
    document.set_training(DEMO_TRAINING)
    return lines(document, "loss = relu(1 - y*o)")


def line_neuron() -> Document:
    """One tanh neuron on 100 points either side of a line (data_sources.line()), with the squared error:
    the smallest net that learns to separate two classes."""
    document = with_data(Document(), data_sources.line())
    net, _ = parse_template("o = Neuron([x1, x2], seed=7)")
    built = build_net(net, document)
    document.add_many(built.definitions, built.groups)
    document.set_training(LINE_TRAINING)
    return lines(document, "loss = (o - y)**2")


BUILDERS = {
    "neuron_exp": (neuron_exp, "o"),
    "mlp": (lecture_mlp, "loss"),
    "moons_net": (moons_net, "loss"),
    "line_neuron": (line_neuron, "loss"),
}


def example_text(name: str) -> str:
    build, root = BUILDERS[name]
    document = build()
    return dumps(document.definitions, root, document.groups, document.data_table, document.training)


def main() -> None:
    for name in BUILDERS:
        (EXAMPLES_DIR / f"{name}.json").write_text(example_text(name))


if __name__ == "__main__":
    main()
