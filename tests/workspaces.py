"""Workspaces the tests share: the lecture, the tanh neuron, and a chain over shared leaves."""

from __future__ import annotations

from micrograd_gui.dataset import DataTable
from micrograd_gui.document import Definition

LECTURE = [
    Definition("a", data=2.0),
    Definition("b", data=-3.0),
    Definition("c", data=10.0),
    Definition("e", "*", ("a", "b")),
    Definition("d", "+", ("e", "c")),
    Definition("f", data=-2.0),
    Definition("L", "*", ("d", "f")),
]

NEURON = [
    Definition("x1", data=2.0),
    Definition("x2", data=0.0),
    Definition("w1", data=-3.0),
    Definition("w2", data=1.0),
    Definition("b", data=6.8813735870195432),
    Definition("x1w1", "*", ("x1", "w1")),
    Definition("x2w2", "*", ("x2", "w2")),
    Definition("x1w1x2w2", "+", ("x1w1", "x2w2")),
    Definition("n", "+", ("x1w1x2w2", "b")),
    Definition("o", "tanh", ("n",)),
]


def shared_chain_definitions(steps: int, leaves: int = 8) -> list[Definition]:
    """v = v*w_i + w_j over `leaves` shared leaves: 2*steps + leaves + 1 values."""
    definitions = [Definition(f"w{i}", data=0.5 + 0.1 * i) for i in range(leaves)]
    definitions.append(Definition("v0", data=1.0))
    for k in range(steps):
        definitions.append(Definition(f"m{k + 1}", "*", (f"v{k}", f"w{k % leaves}")))
        definitions.append(Definition(f"v{k + 1}", "+", (f"m{k + 1}", f"w{(k + 3) % leaves}")))
    return definitions


# A workspace file whose backward cannot be computed: d q / d tiny = -one / tiny**2 overflows.
OVERFLOWING_BACKWARD = """{
  "format": "micrograd-gui-workspace",
  "version": 1,
  "values": [
    {"name": "tiny", "data": 1e-300},
    {"name": "one", "data": 1.0},
    {"name": "q", "op": "/", "operands": ["one", "tiny"]},
    {"name": "w", "op": "*", "operands": ["q", "tiny"]}
  ],
  "backward_from": "w"
}
"""


# A one-weight model o = x * w with a squared error and a constant, and rows for it: x and y bind,
# "note" names no value (unbound), w is the one parameter.
SQUARED_ERROR = [
    Definition("x", data=0.0),
    Definition("y", data=0.0),
    Definition("w", data=0.5),
    Definition("k1", data=2.0, constant=True),
    Definition("o", "*", ("x", "w")),
    Definition("e", "-", ("o", "y")),
    Definition("loss", "**", ("e",), exponent=2.0),
]
DATA_ROWS = DataTable.of(["x", "y", "note"], [[1, 2, 0], [3, 4, 0.5], [-1, 0.25, 1]])
