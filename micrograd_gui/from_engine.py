"""A graph built in code with engine Values, as a workspace (what `micrograd_gui.show` opens). Qt-free.

Every Value the roots depend on becomes one definition, operands first. A
label that is a valid name becomes the value's name; a number the engine
turned into a constant leaf (labelled with the number, as `2 * a` makes it)
and an unlabelled leaf are named `k1`, `k2`, ..., an unlabelled result `t1`,
`t2`, ... The leaves keep their data; the results are computed again from them
by the same engine, so they come out the same. A leaf made from a number, or
marked `x.constant = True` (as the app's Python export marks one), is a
constant: never trained. When backward has run from the first root (its grad
is 1), the workspace runs backward from it too.
"""

from __future__ import annotations

from engine import Value, format_number, topological_order
from micrograd_gui.document import BINARY_OPS, MAX_DEFINITIONS, UNARY_OPS, Definition
from micrograd_gui.expression import CONSTANT_PREFIX, RESULT_PREFIX
from micrograd_gui.python_import import unique_names
from micrograd_gui.workspace_file import Workspace


def workspace_from_values(*roots: Value) -> Workspace:
    """The workspace of everything `roots` depend on; TypeError for what is not an engine Value,
    ValueError for a graph the app cannot hold (an op of its own, too many values)."""
    if not roots:
        raise TypeError("show() needs at least one Value: show(L)")
    for root in roots:
        if not isinstance(root, Value):
            kind = type(root)
            raise TypeError(
                f"show() takes engine Values (from engine import Value), not {kind.__module__}.{kind.__name__}"
            )
    values = topological_order(*roots)
    if len(values) > MAX_DEFINITIONS:
        raise ValueError(f"the graph has {len(values):,} values; a workspace holds at most {MAX_DEFINITIONS:,}")
    described = []
    for v in values:
        operands = v._prev
        if operands and not _known(v, len(operands)):
            raise ValueError(
                f"cannot show {v!r}: its op '{v._op}' with {len(operands)} operand(s) is not one the app has"
            )
        made_from_a_number = not operands and v.label == format_number(v.data)
        label = "" if made_from_a_number else v.label
        described.append((label, (), CONSTANT_PREFIX if not operands else RESULT_PREFIX))
    names = dict(zip(values, unique_names(described)))
    definitions = []
    for v in values:
        operand_names = tuple(names[o] for o in v._prev)
        if not operand_names:
            constant = v.label == format_number(v.data) or getattr(v, "constant", False) is True
            definitions.append(Definition(names[v], data=v.data, constant=constant))
        elif v._op == "**":
            definitions.append(Definition(names[v], "**", operand_names, exponent=v._arg))
        else:
            definitions.append(Definition(names[v], v._op, operand_names))
    first = roots[0]
    return Workspace(tuple(definitions), names[first] if first.grad == 1.0 else None)


def _known(v: Value, arity: int) -> bool:
    """Whether the app has v's op: a `**` needs its exponent, which only `a ** n` keeps."""
    if v._op == "**":
        return arity == 1 and v._arg is not None
    return v._op in BINARY_OPS if arity == 2 else arity == 1 and v._op in UNARY_OPS
