"""Workspaces the training tests share: micrograd's moons net on moons-shaped points, the lecture's neuron."""

from __future__ import annotations

import math
import random

from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Document
from tests.examples_builder import moons_net


def moons_points(count: int = 100, noise: float = 0.1, seed: int = 1337) -> list[tuple[float, float, float]]:
    """Two interleaved half circles with some noise (as sklearn's make_moons), labels -1 and 1."""
    rng = random.Random(seed)
    half = count // 2
    points = []
    for i in range(half):
        t = math.pi * i / (half - 1)
        points.append((math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise), -1.0))
    for i in range(count - half):
        t = math.pi * i / (count - half - 1)
        points.append((1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise), 1.0))
    return points


MOONS_SETTINGS = TrainingSettings(
    loss="loss", reduce="mean", l2=1e-4, learning_rate=1.0, final_learning_rate=0.1, steps=100
)


def moons_document(document: Document | None = None, steps: int = 100) -> Document:
    """micrograd's demo: MLP(2, [16, 16, 1]), max-margin loss, L2 1e-4, learning rate 1.0 to 0.1."""
    built = moons_net()
    document = document if document is not None else Document()
    document.replace_definitions(
        built.definitions,
        groups=built.groups,
        data=DataTable.of(("x1", "x2", "y"), moons_points()),
        training=MOONS_SETTINGS.changed(steps=steps),
    )
    return document
