"""One training step of micrograd's moons demo: the numpy trainer beside micrograd 0.1.0 and the engine.

The demo (`demo.ipynb`): 100 rows, MLP(2, [16, 16, 1]) (ReLU, 337 parameters), the max-margin loss
relu(1 - y*score) over the rows, their mean + 1e-4 * the sum of the parameters squared, then
`p.data -= lr * p.grad`. Three ways to run it, in one process, from the same start:

1. micrograd 0.1.0 (`micrograd.nn.MLP`, the notebook's own loop: a graph of Values per step, every row);
2. the engine (`engine.nn.MLP`, the same loop with this project's Values);
3. micrograd_gui.trainer on resources/examples/moons_net.json (the demo as a workspace: its graph
   once, every row at once in numpy arrays).

Each runs the demo's first steps; the losses are printed side by side (they must agree), then the
time of one step, wall clock, with the garbage collector on as users have it: the median of the
steps timed, and the ratios. The target (issue 12): the trainer >= 100x faster than micrograd.
Last, the trainer alone on bigger tables (the same net, random points: 1,000 to 100,000 rows) and
the net's output over a 100 x 100 grid (what a decision plot asks for).

Run: .venv/bin/python bench/training_vs_micrograd.py [--micrograd-steps N] [--engine-steps N]
(micrograd comes with `pip install -e '.[bench]'`)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import engine  # noqa: E402
import engine.nn  # noqa: E402
from micrograd_gui.dataset import DataTable  # noqa: E402
from micrograd_gui.trainer import Trainer  # noqa: E402
from micrograd_gui.workspace_file import load_workspace, read_example  # noqa: E402
from tests.training_workspaces import moons_rows  # noqa: E402

try:
    import micrograd.engine
    import micrograd.nn
except ImportError:
    sys.exit("micrograd is not installed: pip install -e '.[bench]' (micrograd==0.1.0)")

TARGET = 100.0


def demo_loop(value_class: Any, mlp_class: Any, steps: int) -> tuple[list[float], list[float]]:
    """The notebook's training loop (its `loss()`, zero_grad, backward, update) for `steps` steps:
    the losses and the seconds of each step."""
    random.seed(1337)
    model = mlp_class(2, [16, 16, 1])
    rows = moons_rows()
    losses, times = [], []
    for k in range(steps):
        start = time.perf_counter()
        inputs = [[value_class(x1), value_class(x2)] for x1, x2, _ in rows]
        scores = list(map(model, inputs))
        row_losses = [(1 + -y * score).relu() for (_, _, y), score in zip(rows, scores)]
        data_loss = sum(row_losses) * (1.0 / len(row_losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        times.append(time.perf_counter() - start)
        losses.append(total.data)
    return losses, times


def moons_trainer() -> Trainer:
    document, _ = load_workspace(read_example("moons_net"), "moons_net.json")
    return Trainer(document.definitions, document.data_table, document.training, document.groups)


def trainer_loop(steps: int) -> tuple[list[float], list[float]]:
    trainer = moons_trainer()
    losses, times = [], []
    for k in range(steps):
        start = time.perf_counter()
        result = trainer.step(k)
        times.append(time.perf_counter() - start)
        losses.append(result.loss)
    return losses, times


def compile_time() -> float:
    document, _ = load_workspace(read_example("moons_net"), "moons_net.json")
    start = time.perf_counter()
    Trainer(document.definitions, document.data_table, document.training, document.groups)
    return time.perf_counter() - start


def big_tables() -> None:
    """The trainer's step on the demo's net over more rows, and its output over a grid."""
    document, _ = load_workspace(read_example("moons_net"), "moons_net.json")
    rng = np.random.default_rng(0)
    print("\nthe trainer on bigger tables (the demo's net; median of 3 steps)")
    for rows in (1_000, 10_000, 100_000):
        table = np.column_stack([rng.normal(size=rows), rng.normal(size=rows), rng.choice([-1.0, 1.0], rows)])
        data = DataTable.of(("x1", "x2", "y"), table.tolist())
        trainer = Trainer(document.definitions, data, document.training, document.groups)
        times = []
        for k in range(3):
            start = time.perf_counter()
            trainer.step(k)
            times.append(time.perf_counter() - start)
        print(show(f"{rows:,} rows", statistics.median(times)))
    trainer = moons_trainer()
    xs, ys = np.meshgrid(np.linspace(-2, 3, 100), np.linspace(-1.5, 2, 100))
    start = time.perf_counter()
    trainer.outputs({"x1": xs, "x2": ys})
    print(f"{'output over a 100 x 100 grid':<34} {(time.perf_counter() - start) * 1e3:10.2f} ms")


def show(label: str, seconds: float) -> str:
    return f"{label:<34} {seconds * 1e3:10.2f} ms/step"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--micrograd-steps", type=int, default=3, help="steps of micrograd to time (default 3)")
    parser.add_argument("--engine-steps", type=int, default=5, help="steps of the engine to time (default 5)")
    parser.add_argument("--trainer-steps", type=int, default=100, help="steps of the trainer to time (default 100)")
    args = parser.parse_args()
    sys.setrecursionlimit(10_000)  # micrograd's recursive topological sort

    runs: dict[str, tuple[list[float], list[float]]] = {}
    loops: list[tuple[str, Callable[[], tuple[list[float], list[float]]]]] = [
        ("micrograd 0.1.0", lambda: demo_loop(micrograd.engine.Value, micrograd.nn.MLP, args.micrograd_steps)),
        ("engine (Values per row)", lambda: demo_loop(engine.Value, engine.nn.MLP, args.engine_steps)),
        ("trainer (numpy, all rows at once)", lambda: trainer_loop(args.trainer_steps)),
    ]
    for label, loop in loops:
        print(f"running {label} ...", flush=True)
        runs[label] = loop()

    print("\nloss per step (the notebook's step 0: 0.8958441028683222)")
    names = list(runs)
    shown = min(len(losses) for losses, _ in runs.values())
    print(f"{'step':>4}  " + "  ".join(f"{name:>33}" for name in names))
    for k in range(shown):
        print(f"{k:>4}  " + "  ".join(f"{runs[name][0][k]!r:>33}" for name in names))
    reference = runs["micrograd 0.1.0"][0]
    for name in names[1:]:
        worst = max(abs(a - b) / abs(b) for a, b in zip(runs[name][0], reference))
        print(f"largest relative difference from micrograd, {name}: {worst:.1e}")
    trainer_losses = runs[names[2]][0]
    print(f"trainer after {len(trainer_losses)} steps: loss {trainer_losses[-1]:.4f}")

    print("\none step, wall clock, garbage collector on (median of the steps timed)")
    medians = {name: statistics.median(times) for name, (_, times) in runs.items()}
    for name, seconds in medians.items():
        print(show(name, seconds))
    print(f"{'trainer compile (once per run)':<34} {compile_time() * 1e3:10.2f} ms")
    mg, eng, tr = (medians[name] for name in names)
    print(f"\nengine vs micrograd:  {mg / eng:8.1f}x faster")
    print(f"trainer vs engine:    {eng / tr:8.1f}x faster")
    ratio = mg / tr
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"trainer vs micrograd: {ratio:8.1f}x faster  (target >= {TARGET:.0f}x: {verdict})")
    big_tables()


if __name__ == "__main__":
    main()
