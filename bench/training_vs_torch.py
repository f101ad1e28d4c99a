"""`micrograd-gui train` against PyTorch in float64, step by step, on the shipped examples.

1. resources/examples/moons_net.json, micrograd's demo: MLP(2, [16, 16, 1]) (ReLU, linear output)
   on its 100 points, the mean of relu(1 - y*score) + 1e-4 * sum(p**2), learning rate 1.0 down to
   0.1 over 100 steps;
2. resources/examples/mlp.json, the lecture's tanh MLP(3, [4, 4, 1]) on its four rows, the sum of
   (o - y)**2, 20 steps of 0.05; and the same with L2 1e-3 and the rate falling to 0.005 over 50.

Each is trained by the command line in a fresh process. PyTorch computes the same thing its own
way from the workspace's initial parameters: the net (its groups) as float64 weight matrices
(`x @ W.T + b`, torch's own summation order), the values after the net (the loss) op by op on
tensors of every row, torch's autograd, then `p -= lr_k * p.grad`. The largest relative
difference between the printed losses and torch's is printed per workspace; float64 rounding
alone gives about 1e-15.

torch is not a dependency of the project (200 MB): `pip install torch` into the environment first.
Run: .venv/bin/python bench/training_vs_torch.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from micrograd_gui.document import Definition  # noqa: E402
from micrograd_gui.workspace_file import Workspace, dumps, read_example  # noqa: E402

try:
    import torch
except ImportError:
    sys.exit(
        "torch is not installed: this check needs PyTorch (pip install torch), which the project does not depend on"
    )


def cli_losses(workspace: Workspace) -> list[float]:
    """The losses `micrograd-gui train` prints for the workspace."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workspace.json"
        path.write_text(dumps(workspace.definitions, None, workspace.groups, workspace.data, workspace.training))
        command = Path(sys.executable).parent / "micrograd-gui"
        result = subprocess.run([str(command), "train", str(path)], capture_output=True, text=True, check=True)
    return [float(line.split()[3]) for line in result.stdout.splitlines()]


def torch_op(d: Definition, operands: list[torch.Tensor]) -> torch.Tensor:
    if d.op == "**":
        return operands[0] ** d.exponent
    if len(operands) == 1:
        return {"-": torch.neg, "tanh": torch.tanh, "exp": torch.exp, "log": torch.log, "relu": torch.relu}[d.op](
            operands[0]
        )
    a, b = operands
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[d.op]


def torch_losses(workspace: Workspace) -> list[float]:
    """The same training in torch float64: the net as matrices, the rest op by op, autograd, the step."""
    definitions, data, settings = workspace.definitions, workspace.data, workspace.training
    assert data is not None and settings is not None
    by_name = {d.name: d for d in definitions}
    (net,) = [g for g in workspace.groups if g.kind == "net"]
    in_net = set(net.members)
    inputs = sorted({o for m in net.members for o in by_name[m].operands if o not in in_net}, key=data.columns.index)
    layers = []
    width, depth = len(inputs), 1
    while f"o_n{depth}_1_b" in by_name:
        count = sum(1 for j in range(1, 1000) if f"o_n{depth}_{j}_b" in by_name)
        weights = [[by_name[f"o_n{depth}_{j}_w{i}"].data for i in range(1, width + 1)] for j in range(1, count + 1)]
        biases = [by_name[f"o_n{depth}_{j}_b"].data for j in range(1, count + 1)]
        output = by_name.get(f"o_n{depth}_1" if f"o_n{depth}_1" in by_name else "o")
        activation = output.op if output is not None and output.op in ("relu", "tanh") else "linear"
        w = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(biases, dtype=torch.float64, requires_grad=True)
        layers.append((w, b, activation))
        width, depth = count, depth + 1
    parameters = [p for w, b, _ in layers for p in (w, b)]
    table = torch.tensor(data.rows, dtype=torch.float64)
    columns = {c: table[:, k] for k, c in enumerate(data.columns) if c in by_name}
    x = torch.stack([columns[c] for c in inputs], dim=1)
    losses = []
    for k in range(settings.steps):
        h = x
        for w, b, activation in layers:
            h = h @ w.T + b
            h = {"relu": torch.relu, "tanh": torch.tanh, "linear": lambda t: t}[activation](h)
        values: dict[str, torch.Tensor] = {**columns, "o": h[:, 0]}
        for d in definitions:
            if d.name in values or d.name in in_net:
                continue
            if d.is_leaf:
                assert d.constant, f"a parameter outside the net: {d.name}"
                values[d.name] = torch.tensor(d.data, dtype=torch.float64)
            else:
                values[d.name] = torch_op(d, [values[o] for o in d.operands])
        rows = values[settings.loss]
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


def compare(name: str, workspace: Workspace) -> float:
    ours, theirs = cli_losses(workspace), torch_losses(workspace)
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    worst = max(abs(a - b) / abs(b) for a, b in zip(ours, theirs))
    print(f"\n{name}: {len(ours)} steps")
    for k in sorted({0, 1, 2, len(ours) // 2, len(ours) - 1}):
        print(f"  step {k:>3}  micrograd-gui {ours[k]!r:<22}  torch {theirs[k]!r}")
    print(f"  largest relative difference: {worst:.2e}")
    return worst


def main() -> None:
    torch.set_num_threads(1)
    moons, mlp = read_example("moons_net"), read_example("mlp")
    assert mlp.training is not None
    decayed = Workspace(
        mlp.definitions,
        None,
        mlp.groups,
        mlp.data,
        mlp.training.changed(l2=1e-3, learning_rate=0.1, final_learning_rate=0.005, steps=50),
    )
    worst = max(
        compare("moons_net.json: micrograd's demo, MLP(2, [16, 16, 1])", moons),
        compare("mlp.json: the lecture's tanh MLP(3, [4, 4, 1]), its settings", mlp),
        compare("mlp.json with L2 1e-3, learning rate 0.1 down to 0.005 over 50 steps", decayed),
    )
    print(f"\nlargest relative difference over all: {worst:.2e} (torch {torch.__version__})")
    if worst > 1e-12:
        sys.exit("the losses disagree with torch beyond 1e-12")


if __name__ == "__main__":
    main()
