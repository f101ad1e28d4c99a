"""Workspaces the training tests share: micrograd's demo (the moons example) and the lecture's MLP."""

from __future__ import annotations

from pathlib import Path

from micrograd_gui.document import Document
from micrograd_gui.workspace_file import apply_workspace, read_workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
MOONS = EXAMPLES / "moons_net.json"
MLP = EXAMPLES / "mlp.json"


def moons_document(document: Document | None = None, steps: int | None = None) -> Document:
    """micrograd's demo: MLP(2, [16, 16, 1]) on its 100 moons, mean max-margin loss, L2 1e-4, learning
    rate 1.0 down to 0.1 over 100 steps (or `steps`)."""
    document = document if document is not None else Document()
    apply_workspace(document, read_workspace(MOONS))
    if steps is not None:
        document.set_training(document.training.changed(steps=steps))
    return document
