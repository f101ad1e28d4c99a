"""Builds the neural-net example workspaces in resources/examples/ from the lecture's code.

tests/test_workspace_file.py holds every shipped file equal to what this builds; after changing it, run
`python -m tests.examples_builder` to write the files again.
"""

from __future__ import annotations

import random
from pathlib import Path

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


def lecture_mlp() -> Document:
    """The lecture's MLP(3, [4, 4, 1]) (tanh throughout, random biases) run on its four rows, with the
    sum of squared errors: one set of parameters, four forward passes, as `draw_dot(loss)` shows it."""
    return net_on_rows(LECTURE_SIZES, LECTURE_XS, LECTURE_YS, random.Random(LECTURE_SEED))


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


def moons_net() -> Document:
    """A 2-input net for the moons data: micrograd's MLP(2, [16, 16, 1]) (ReLU, a linear output) on
    one point of the moons, with its max-margin loss relu(1 - y * o)."""
    document = Document()
    document.add_leaf("x1", 0.5)
    document.add_leaf("x2", -0.25)
    document.add_leaf("y", 1.0)
    net, _ = parse_template("o = MLP([x1, x2], [16, 16, 1], activation='relu', seed=1337)")
    built = build_net(net, document)
    document.add_many(built.definitions, built.groups)
    return lines(document, "loss = relu(1 - y*o)")


BUILDERS = {
    "neuron_exp": (neuron_exp, "o"),
    "mlp": (lecture_mlp, "loss"),
    "moons_net": (moons_net, "loss"),
}


def example_text(name: str) -> str:
    build, root = BUILDERS[name]
    document = build()
    return dumps(document.definitions, root, document.groups)


def main() -> None:
    for name in BUILDERS:
        (EXAMPLES_DIR / f"{name}.json").write_text(example_text(name))


if __name__ == "__main__":
    main()
