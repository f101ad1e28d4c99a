"""`micrograd-gui train` against PyTorch in float64, step by step.

Two workspaces, each written to a file and trained by the command line in a fresh process:

1. micrograd's moons demo: MLP(2, [16, 16, 1]) (ReLU, linear output) on its 100 points, the mean of
   relu(1 - y*score) + 1e-4 * sum(p**2), learning rate 1.0 down to 0.1 over 100 steps;
2. the lecture's small net: a tanh MLP(3, [4, 4, 1]) on its four rows, the sum of (o - y)**2 +
   1e-3 * sum(p**2), learning rate 0.1 down to 0.01 over 50 steps.

PyTorch computes the same thing its own way: the nets as float64 weight matrices (`x @ W.T + b`, its
own summation order), its own autograd, then `p -= lr_k * p.grad`, from the workspace's initial
parameters. The largest relative difference between the printed losses and torch's is printed
per workspace; float64 rounding alone gives about 1e-15.

torch is not a dependency of the project (200 MB): `pip install torch` into the environment first.
Run: .venv/bin/python bench/training_vs_torch.py
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine.nn  # noqa: E402
from micrograd_gui.dataset import DataTable, TrainingSettings  # noqa: E402
from micrograd_gui.document import Definition, Group  # noqa: E402
from micrograd_gui.workspace_file import dumps  # noqa: E402
from tests.training_workspaces import moons_workspace, net_definitions  # noqa: E402

try:
    import torch
except ImportError:
    sys.exit(
        "torch is not installed: this check needs PyTorch (pip install torch), which the project does not depend on"
    )

LECTURE_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
LECTURE_YS = [1.0, -1.0, -1.0, 1.0]


def lecture_workspace() -> tuple[list[Definition], DataTable, TrainingSettings, list[Group]]:
    random.seed(1337)
    model = engine.nn.MLP(3, [4, 4, 1], lecture=True)
    definitions = [Definition(name, data=0.0) for name in ("x1", "x2", "x3", "y")]
    net, groups = net_definitions(model, ["x1", "x2", "x3"])
    definitions += net
    definitions += [Definition("err", "-", ("o", "y")), Definition("loss", "**", ("err",), exponent=2.0)]
    data = DataTable.of(("x1", "x2", "x3", "y"), [(*x, y) for x, y in zip(LECTURE_XS, LECTURE_YS)])
    settings = TrainingSettings(
        loss="loss", reduce="sum", l2=1e-3, learning_rate=0.1, final_learning_rate=0.01, steps=50
    )
    return definitions, data, settings, groups


def cli_losses(definitions, data, settings, groups) -> list[float]:
    """The losses `micrograd-gui train` prints for the workspace."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workspace.json"
        path.write_text(dumps(definitions, None, groups, data, settings))
        command = Path(sys.executable).parent / "micrograd-gui"
        result = subprocess.run([str(command), "train", str(path)], capture_output=True, text=True, check=True)
    return [float(line.split()[3]) for line in result.stdout.splitlines()]


def torch_losses(
    definitions: Sequence[Definition], data: DataTable, settings: TrainingSettings, inputs: int, activations: list[str]
) -> list[float]:
    """The same training in torch float64: the net's layers as matrices, autograd, the contract's step."""
    numbers = {d.name: d.data for d in definitions if d.is_leaf}
    layers = []
    width = inputs
    for depth, activation in enumerate(activations, start=1):
        neurons = sorted({d.name.split("_")[2] for d in definitions if d.name.startswith(f"o_n{depth}_")}, key=int)
        weights = [[numbers[f"o_n{depth}_{j}_w{i}"] for i in range(1, width + 1)] for j in neurons]
        biases = [numbers[f"o_n{depth}_{j}_b"] for j in neurons]
        w = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(biases, dtype=torch.float64, requires_grad=True)
        layers.append((w, b, activation))
        width = len(neurons)
    parameters = [p for w, b, _ in layers for p in (w, b)]
    table = torch.tensor(data.rows, dtype=torch.float64)
    x, y = table[:, :inputs], table[:, inputs]
    losses = []
    for k in range(settings.steps):
        h = x
        for w, b, activation in layers:
            h = h @ w.T + b
            h = {"relu": torch.relu, "tanh": torch.tanh, "linear": lambda t: t}[activation](h)
        score = h[:, 0]
        if settings.loss == "loss" and activations[-1] == "linear":  # the demo's max-margin loss
            rows = torch.relu(1 - y * score)
        else:
            rows = (score - y) ** 2
        total = rows.mean() if settings.reduce == "mean" else rows.sum()
        total = total + settings.l2 * sum((p**2).sum() for p in parameters)
        for p in parameters:
            p.grad = None
        total.backward()
        lr = settings.learning_rate_at(k)
        with torch.no_grad():
            for p in parameters:
                p -= lr * p.grad
        losses.append(total.item())
    return losses


def compare(name: str, ours: list[float], theirs: list[float]) -> float:
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    worst = max(abs(a - b) / abs(b) for a, b in zip(ours, theirs))
    print(f"\n{name}: {len(ours)} steps")
    for k in sorted({0, 1, 2, len(ours) // 2, len(ours) - 1}):
        print(f"  step {k:>3}  micrograd-gui {ours[k]!r:<22}  torch {theirs[k]!r}")
    print(f"  largest relative difference: {worst:.2e}")
    return worst


def main() -> None:
    torch.set_num_threads(1)
    worst = 0.0
    moons = moons_workspace()
    worst = max(
        worst,
        compare(
            "moons demo, MLP(2, [16, 16, 1])",
            cli_losses(*moons),
            torch_losses(*moons[:3], 2, ["relu", "relu", "linear"]),
        ),
    )
    lecture = lecture_workspace()
    worst = max(
        worst,
        compare(
            "lecture net, tanh MLP(3, [4, 4, 1])",
            cli_losses(*lecture),
            torch_losses(*lecture[:3], 3, ["tanh", "tanh", "tanh"]),
        ),
    )
    print(f"\nlargest relative difference over both: {worst:.2e} (torch {torch.__version__})")
    if worst > 1e-12:
        sys.exit("the losses disagree with torch beyond 1e-12")


if __name__ == "__main__":
    main()
