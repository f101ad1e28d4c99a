"""What part each value plays, for colouring the picture. Qt-free.

- `root`: the value backward runs from;
- `result`: an operation's result;
- `constant`: a number typed in an expression, never trained;
- `data`: a leaf a data column binds, which takes each row's numbers;
- `parameter`: any other leaf, the numbers gradient descent would change.
"""

from __future__ import annotations

from collections.abc import Collection

from micrograd_gui.document import Document

ROLES = ("parameter", "data", "constant", "result", "root")
ROLE_TITLES = {
    "parameter": "parameter",
    "data": "data input",
    "constant": "constant",
    "result": "result",
    "root": "backward root",
}


def value_role(document: Document, name: str, bound: Collection[str] | None = None) -> str:
    """The role of the value `name` (one of ROLES); `bound` is `document.bound_columns()`, given when
    many values are asked about at once."""
    if name == document.backward_root:
        return "root"
    definition = document.definition(name)
    if not definition.is_leaf:
        return "result"
    if definition.constant:
        return "constant"
    return "data" if name in (bound if bound is not None else document.bound_columns()) else "parameter"
