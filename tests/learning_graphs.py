"""Graphs the learning-mode tests share: random labelled graphs with reuse, and brute-force path lists."""

from __future__ import annotations

import math
import random

from engine import Value, local_grads
from micrograd_gui.document import Definition

OPS = ("+", "*", "-", "tanh", "exp", "relu", "neg", "**")


def random_graph(seed: int, leaves: int = 4, ops: int = 10) -> tuple[list[Value], Value]:
    """Values built from random ops over earlier ones (reuse and `x * x` included), each labelled; the
    last is the root. Numbers stay small, so exp never overflows."""
    rng = random.Random(seed)
    values = [Value(round(rng.uniform(-1.5, 1.5), 3), label=f"x{i}") for i in range(leaves)]
    for i in range(ops):
        op = rng.choice(OPS)
        a = rng.choice(values[-6:]) if rng.random() < 0.7 else rng.choice(values)
        b = rng.choice(values)
        if op == "+":
            out = a + b
        elif op == "*":
            out = a * b
        elif op == "-":
            out = a - b
        elif op == "tanh":
            out = a.tanh()
        elif op == "exp":
            out = (a.tanh()).exp() if abs(a.data) > 3 else a.exp()
        elif op == "relu":
            out = a.relu()
        elif op == "neg":
            out = -a
        else:
            out = a**2
        out.label = f"v{i}"
        values.append(out)
    return values, values[-1]


def all_paths(root: Value, target: Value) -> list[tuple[tuple[str, ...], tuple[int, ...], float]]:
    """Every path from root down to target by brute force: names, operand slots, product of locals."""
    found = []

    def walk(v: Value, names: list[str], slots: list[int], product: float) -> None:
        if v is target:
            found.append((tuple(names), tuple(slots), product))
            return
        if not v._prev:
            return
        for slot, (child, local) in enumerate(zip(v._prev, local_grads(v))):
            walk(child, [*names, child.label], [*slots, slot], product * local)

    walk(root, [root.label], [], 1.0)
    return found


def diamonds(n: int) -> tuple[Value, Value]:
    """x -> (v*w1 + v*w2) n times: 2**n paths from the root down to x."""
    x = Value(0.9, label="x")
    v = x
    for i in range(n):
        left, right = v * 0.5, v * 0.25
        left.label, right.label = f"l{i}", f"r{i}"
        v = left + right
        v.label = f"s{i}"
    return v, x


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


REUSE = [Definition("a", data=3.0), Definition("b", "+", ("a", "a"))]
