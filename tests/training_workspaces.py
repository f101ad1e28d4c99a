"""Workspaces to train, shared by the trainer's tests and benchmarks: micrograd's moons demo as a workspace.

micrograd's `demo.ipynb`: `np.random.seed(1337); random.seed(1337)`, 100 moons points
(`make_moons(n_samples=100, noise=0.1)`, y as -1/1), `MLP(2, [16, 16, 1])` (ReLU, a linear output),
loss per row `relu(1 + -y*score)`, their mean + 1e-4 * the sum of every parameter squared, 100 steps
with the learning rate from 1.0 down to 0.1. Step 0's loss is 0.8958441028683222.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import engine.nn
from micrograd_gui import data_sources
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, Group
from micrograd_gui.templates import neuron_forward

MOONS_STEP_0_LOSS = 0.8958441028683222  # the demo notebook's first printed loss
MOONS_SETTINGS = TrainingSettings(
    loss="loss", reduce="mean", l2=1e-4, learning_rate=1.0, final_learning_rate=0.1, steps=100
)


def moons_rows() -> list[tuple[float, float, float]]:
    """The demo's 100 points (x1, x2, y), as the app ships them (resources/data/moons.csv)."""
    table = data_sources.moons()
    assert table.columns == ("x1", "x2", "y"), table.columns
    return [(a, b, y) for a, b, y in table.rows]


def net_definitions(
    model: engine.nn.MLP, inputs: Sequence[str], name: str = "o"
) -> tuple[list[Definition], list[Group]]:
    """The definitions and groups of an engine.nn MLP with its parameters as they are now, over the
    values `inputs`, computed as micrograd's Neuron does (`sum(w*x, b)`, then relu unless it is linear).
    Neuron j of layer l is `{name}_n{l}_{j}`; the net's output (its last layer's one neuron) is `name`."""
    definitions: list[Definition] = []
    groups: list[Group] = []
    layers: list[Group] = []
    inputs = list(inputs)
    for depth, layer in enumerate(model.layers, start=1):
        outputs = []
        neurons = []
        for j, neuron in enumerate(layer.neurons, start=1):
            prefix = f"{name}_n{depth}_{j}"
            last = depth == len(model.layers) and len(layer.neurons) == 1
            output = name if last else prefix
            weights = [Definition(f"{prefix}_w{i}", data=w.data) for i, w in enumerate(neuron.w, start=1)]
            bias = Definition(f"{prefix}_b", data=neuron.b.data)
            activation = ("tanh" if neuron.lecture else "relu") if neuron.nonlin else "linear"
            made = [
                *weights,
                bias,
                *neuron_forward(prefix, output, inputs, [w.name for w in weights], bias.name, activation),
            ]
            definitions += made
            neurons.append(Group(prefix, "neuron", tuple(d.name for d in made)))
            outputs.append(output)
        groups += neurons
        layers.append(Group(f"{name}_l{depth}", "layer", tuple(m for g in neurons for m in g.members)))
        inputs = outputs
    groups += layers
    groups.append(Group(f"{name}_net", "net", tuple(m for g in layers for m in g.members)))
    return definitions, groups


def max_margin_loss(output: str, target: str, name: str = "loss") -> list[Definition]:
    """relu(1 - y*score), the demo's per-row loss (its `1 + -y*score` gives the same numbers)."""
    return [
        Definition("one", data=1.0, constant=True),
        Definition("margin", "*", (target, output)),
        Definition("slack", "-", ("one", "margin")),
        Definition(name, "relu", ("slack",)),
    ]


def moons_workspace(seed: int = 1337) -> tuple[list[Definition], DataTable, TrainingSettings, list[Group]]:
    """The demo as a workspace: its data, its initial MLP (drawn by engine.nn under random.seed(seed),
    which draws micrograd.nn's), its loss and settings."""
    random.seed(seed)
    model = engine.nn.MLP(2, [16, 16, 1])
    definitions = [Definition("x1", data=0.0), Definition("x2", data=0.0), Definition("y", data=0.0)]
    net, groups = net_definitions(model, ["x1", "x2"])
    definitions += net + max_margin_loss("o", "y")
    return definitions, DataTable.of(("x1", "x2", "y"), moons_rows()), MOONS_SETTINGS, groups
