"""What part each value plays, for colouring the picture. Qt-free.

- `root`: the value backward runs from;
- `result`: an operation's result;
- `constant`: a number typed in an expression, never trained;
- `parameter`: any other leaf, the numbers gradient descent would change.
"""

from __future__ import annotations

from micrograd_gui.document import Document

ROLES = ("parameter", "constant", "result", "root")
ROLE_TITLES = {"parameter": "parameter", "constant": "constant", "result": "result", "root": "backward root"}


def value_role(document: Document, name: str) -> str:
    """The role of the value `name` (one of ROLES)."""
    if name == document.backward_root:
        return "root"
    definition = document.definition(name)
    if not definition.is_leaf:
        return "result"
    return "constant" if definition.constant else "parameter"
