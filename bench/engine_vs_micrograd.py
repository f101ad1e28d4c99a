"""Our engine beside micrograd 0.1.0 (the lecture's engine), in one process.

Times build + backward of three graphs with the garbage collector enabled
as users have it, and measures bytes per node with tracemalloc (the graph
held after backward, grads filled). Times are CPU time of this process, so
other programs on the machine skew them less. The two engines take N turns,
one run each per turn, so both see the machine in the same state; the
speed-up is given two ways: best run against best run, and the median over
the turns of each turn's ratio, which a fast or slow moment of a shared
machine moves least. A target counts as met when the median is at target:

1. a chain of about 4,000 nodes        (target: >= 2.5x faster than micrograd)
2. a dense relu net of about 30,000    (target: >= 5x)
3. a chain of about 200,000 nodes      (target: >= 5x)
and bytes per node                     (target: <= 200; micrograd about 690)

micrograd's recursive topological sort needs a recursion limit above the
graph's depth, so its runs happen in a worker thread with a big stack and a
raised recursion limit; ours run on the main thread with the defaults.

With --instructions (needs valgrind), it counts instead the instructions the
CPU executes for build + backward of the first two graphs, under callgrind, in
a fresh process per count: a figure that does not move with the machine's
load, but leaves out what memory costs (cache misses), which is much of
micrograd's time.

Run: .venv/bin/python bench/engine_vs_micrograd.py [--instructions]
(micrograd comes with `pip install -e '.[bench]'`)
"""

from __future__ import annotations

import gc
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from engine import Value  # noqa: E402

try:
    from micrograd.engine import Value as MgValue
except ImportError:
    sys.exit("micrograd is not installed: pip install -e '.[bench]' (micrograd==0.1.0)")

# Build one graph from a Value class; return its root, the number of nodes built and its input leaves.
Builder = Callable[[Any], tuple[Any, int, list[Any]]]


def chain(steps: int) -> Builder:
    """x = x * w + b, `steps` times, over shared leaves: two nodes per step, depth 2 * steps."""

    def build(value_class: Any) -> tuple[Any, int, list[Any]]:
        w, b, x0 = value_class(0.999), value_class(0.001), value_class(0.5)
        x = x0
        for _ in range(steps):
            x = x * w + b
        return x, 2 * steps + 3, [w, b, x0]

    return build


def dense_net(n_inputs: int, widths: list[int]) -> Builder:
    """An MLP written with Values, as micrograd's nn.MLP: each neuron is b + sum of w * x, through relu
    except in the last layer, every layer fully connected.

    Its random numbers are drawn once, here, so the clock times the engines and not the random generator.
    """
    rng = random.Random(0)
    inputs = [rng.uniform(-1, 1) for _ in range(n_inputs)]
    layers = []  # per layer, per neuron: its bias, then one weight per input
    fan_in = n_inputs
    for width in widths:
        layers.append([[rng.uniform(-1, 1) for _ in range(fan_in + 1)] for _ in range(width)])
        fan_in = width

    def build(value_class: Any) -> tuple[Any, int, list[Any]]:
        xs = inputs_ = [value_class(x) for x in inputs]
        nodes = n_inputs
        for i, layer in enumerate(layers):
            hidden = i < len(layers) - 1
            outputs = []
            for bias, *weights in layer:
                act = value_class(bias)
                for w, x in zip(weights, xs):
                    act = act + value_class(w) * x
                outputs.append(act.relu() if hidden else act)
                nodes += 3 * len(xs) + 1 + hidden
            xs = outputs
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out, nodes + len(xs) - 1, inputs_

    return build


def build_and_backward(build: Builder, value_class: Any) -> tuple[int, float, list[float]]:
    """The number of nodes, the root's data and the inputs' grads: both engines must agree on them."""
    root, nodes, inputs = build(value_class)
    root.backward()
    return nodes, root.data, [x.grad for x in inputs]


def one_run(build: Builder, value_class: Any) -> float:
    """CPU seconds of one build + backward; the graph is freed outside the clock."""
    gc.collect()
    start = time.process_time()
    root, _, _ = build(value_class)
    root.backward()
    elapsed = time.process_time() - start
    del root
    gc.collect()
    return elapsed


def bytes_per_node(build: Builder, value_class: Any) -> float:
    """Memory held by the graph after backward, per node, as tracemalloc counts it."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root, nodes, _ = build(value_class)
    root.backward()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del root
    gc.collect()
    return held / nodes


def in_big_thread(work: Callable[[], Any]) -> Any:
    """Run `work` where micrograd's recursion fits: a deep recursion limit on a 1 GiB stack."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(1_000_000)
        try:
            result.append(work())
        except BaseException as error:  # reported on the main thread
            errors.append(error)
        finally:
            sys.setrecursionlimit(old)

    old_size = threading.stack_size(1 << 30)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
    if errors:
        raise errors[0]
    return result[0]


CASES: list[tuple[str, Builder, int, float]] = [
    ("chain, small", chain(2_000), 41, 2.5),
    ("dense relu net", dense_net(20, [64, 64, 64, 1]), 41, 5.0),
    ("chain, deep", chain(100_000), 5, 5.0),
]
# Memory per node does not depend on a graph's size, and tracemalloc makes big graphs very slow to build:
# the deep chain is the small chain's shape, longer.
MEMORY_CASES = CASES[:2]
BYTES_TARGET = 200.0


def count_once(engine: str, case: int, build_it: bool) -> int:
    """Instructions callgrind counts in a fresh process that warms up, then builds and backpropagates
    CASES[case] with one engine (or, with build_it False, stops before that)."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        engine,
        str(case),
        "all" if build_it else "none",
    ]
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same string hashes, so the same count, every run
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return int(re.findall(r"Collected : (\d+)", done.stderr)[-1])


def child(engine: str, case: int, what: str) -> None:
    """The process count_once measures: warm up the interpreter, then (for "all") build + backward."""
    value_class = Value if engine == "engine" else MgValue
    graphs: list[Any] = []

    def run() -> None:
        warm = dense_net(3, [3, 3, 1]) if CASES[case][0].startswith("dense") else chain(30)
        for _ in range(20):  # the interpreter specializes code only after it has run a few times
            warm(value_class)[0].backward()
        gc.collect()
        if what == "all":
            root = CASES[case][1](value_class)[0]
            root.backward()
            graphs.append(root)  # freed after the count ends, not counted

    in_big_thread(run)
    os._exit(0)  # no interpreter shutdown in the count


def instructions() -> int:
    if shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (callgrind), which is not on PATH")
    print(f"Python {sys.version.split()[0]}: instructions executed for build + backward, counted by callgrind")
    print("(each count is a fresh process's total minus that of the same process stopped before building).")
    print()
    header = f"{'graph':<16} {'nodes':>8} {'micrograd':>12} {'engine':>12} {'fewer':>6}"
    print(header)
    print("-" * len(header))
    for case in range(2):  # the deep chain would take minutes under callgrind; it is the small chain's shape
        name, build, _, _ = CASES[case]
        counts = {}
        for engine in ("micrograd", "engine"):
            counts[engine] = count_once(engine, case, True) - count_once(engine, case, False)
        print(
            f"{name:<16} {build(Value)[1]:>8,} {counts['micrograd'] / 1e6:>10.1f} M {counts['engine'] / 1e6:>10.1f} M"
            f" {counts['micrograd'] / counts['engine']:>5.1f}x",
            flush=True,
        )
    return 0


def main() -> int:
    print(f"Python {sys.version.split()[0]}: micrograd 0.1.0 beside engine, in one process, garbage collector on.")
    print("Build + backward, CPU time of this process (time.process_time), N turns of one run each.")
    print("speed-up: best run against best run; median: the median over the turns of each turn's ratio.")
    print()
    header = (
        f"{'graph':<16} {'nodes':>8} {'N':>2} {'micrograd':>11} {'engine':>10}"
        f" {'speed-up':>9} {'median':>7} {'target':>7}  met"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    node_counts: dict[str, int] = {}
    for name, build, turns, target in CASES:
        nodes, data, grads = build_and_backward(build, Value)  # warms up; ours needs no recursion limit
        node_counts[name] = nodes
        their_nodes, their_data, their_grads = in_big_thread(lambda b=build: build_and_backward(b, MgValue))
        assert nodes == their_nodes and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
            for x, y in zip([data, *grads], [their_data, *their_grads], strict=True)
        ), f"{name}: the engines disagree"
        ours: list[float] = []
        theirs: list[float] = []
        for turn in range(turns):  # each engine first every other turn
            if turn % 2:
                theirs.append(in_big_thread(lambda b=build: one_run(b, MgValue)))
            ours.append(one_run(build, Value))
            if not turn % 2:
                theirs.append(in_big_thread(lambda b=build: one_run(b, MgValue)))
        best = min(theirs) / min(ours)
        median = statistics.median(t / o for t, o in zip(theirs, ours))
        met = median >= target
        all_met &= met
        print(
            f"{name:<16} {nodes:>8,} {turns:>2} {min(theirs) * 1e3:>8.1f} ms {min(ours) * 1e3:>7.1f} ms"
            f" {best:>8.1f}x {median:>6.1f}x {target:>6.1f}x  {'yes' if met else 'NO'}",
            flush=True,
        )
    print()
    header = f"{'bytes per node':<16} {'nodes':>8} {'micrograd':>10} {'engine':>7} {'ratio':>6} {'target':>7}  met"
    print(header)
    print("-" * len(header))
    for name, build, _, _ in MEMORY_CASES:
        ours_bytes = bytes_per_node(build, Value)
        theirs_bytes = in_big_thread(lambda b=build: bytes_per_node(b, MgValue))
        met = ours_bytes <= BYTES_TARGET
        all_met &= met
        print(
            f"{name:<16} {node_counts[name]:>8,} {theirs_bytes:>10.0f} {ours_bytes:>7.0f}"
            f" {theirs_bytes / ours_bytes:>5.1f}x"
            f" {'<= %d' % BYTES_TARGET:>7}  {'yes' if met else 'NO'}",
            flush=True,
        )
    print()
    print("every target met" if all_met else "some targets NOT met")
    return 0  # figures, not a test: `make bench` goes on to its next script either way


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    sys.exit(instructions() if sys.argv[1:] == ["--instructions"] else main())
