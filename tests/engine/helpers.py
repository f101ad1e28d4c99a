"""Shared checks for the engine tests: central finite differences and graph inspection."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from engine import Value


def central_difference(f: Callable[..., float], xs: Sequence[float], i: int, h: float = 1e-6) -> float:
    """d f / d xs[i] by a central difference with a step scaled to the input."""
    step = h * max(1.0, abs(xs[i]))
    up = list(xs)
    down = list(xs)
    up[i] += step
    down[i] -= step
    return (f(*up) - f(*down)) / (2 * step)


def close(a: float, b: float, tolerance: float = 1e-5) -> bool:
    """Equal up to a tolerance relative to the larger magnitude, absolute near 0."""
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)


def recursive_order(*roots: Value) -> list[Value]:
    """micrograd's recursive topological sort, kept as the reference order (small graphs only)."""
    topo: list[Value] = []
    visited: set[Value] = set()

    def build(v: Value) -> None:
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    for root in roots:
        build(root)
    return topo
