"""How long the learning modes take on the UI thread: Why this grad?, the bug lab, Predict mode.

For each workspace it prints the median over --repeat runs, in milliseconds, of:

  backward   the engine's backward from the root (the yardstick: Backward runs it on the UI thread too)
  paths      explain_grad from the root to a first-layer weight (count, the 12 largest, the sum)
  lab        the bug lab's overlay: its backward with a bug, and the correct one, by name
  quiz       Predict mode's questions and chain-rule lines for every value

and the number of paths. Workspaces: the lecture, the lecture's MLP 3-4-4-1 on 7 examples with its loss
(about 600 values), the same net on 70 examples (about 6,000), and shared chains of 4,990 steps
(9,989 values, near the most the bug lab runs on) and 49,000 steps (98,009 values, near the most a
workspace holds; the lab says it is too big, Why this grad? runs on a worker thread).

Run: .venv/bin/python bench/learning_modes.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.graph_layout import mlp  # noqa: E402
from micrograd_gui.bug_lab import BUGS_BY_KEY, BugLabLens  # noqa: E402
from micrograd_gui.document import Document  # noqa: E402
from micrograd_gui.grad_paths import explain_grad  # noqa: E402
from micrograd_gui.quiz import GradQuiz  # noqa: E402
from micrograd_gui.workspace_file import read_example  # noqa: E402
from tests.workspaces import shared_chain_definitions  # noqa: E402


def median_ms(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def chain(steps: int) -> Document:
    document = Document()
    document.replace_definitions(shared_chain_definitions(steps))
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lecture = Document()
    lecture.replace_definitions(read_example("lecture").definitions)
    workspaces = [
        ("lecture", lecture, "L", "a"),
        ("MLP 3-4-4-1 x7", mlp(), None, "w0_0_0"),
        ("MLP 3-4-4-1 x70", mlp(examples=70), None, "w0_0_0"),
        ("shared chain, 4,990 steps", chain(4_990), "v4990", "w0"),
        ("shared chain, 49,000 steps", chain(49_000), "v49000", "w0"),
    ]
    print(f"{'workspace':28} {'values':>8} {'backward':>9} {'paths':>8} {'lab':>8} {'quiz':>8}  paths found")
    for title, document, root, target in workspaces:
        root = root or document.names[-1]
        backward, paths, lab, asked, count = measure(document, root, target, args.repeat)
        print(f"{title:28} {len(document):>8,} {backward:>8.1f} {paths:>8.1f} {lab:>8.1f} {asked:>8.1f}  {count:,}")


def measure(document: Document, root: str, target: str, repeat: int) -> tuple[float, float, float, float, int]:
    """The four timings of one workspace, and how many paths lead from the root to the target."""
    value, leaf = document.value(root), document.value(target)
    lens = BugLabLens(BUGS_BY_KEY["assign"], root)
    backward = median_ms(value.backward, repeat)
    paths = median_ms(lambda: explain_grad(value, leaf), repeat)
    lab = median_ms(lambda: lens.grad_overlay(document), repeat)
    asked = median_ms(lambda: GradQuiz(root).sync(document), repeat)
    return backward, paths, lab, asked, explain_grad(value, leaf).count


if __name__ == "__main__":
    main()
