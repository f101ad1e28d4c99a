"""Draw a Value's graph in the lecture's look: `trace` and `draw_dot`."""

from __future__ import annotations

from collections.abc import Iterable

import graphviz

from engine.value import Value, format_number, topological_order

_RECORD_SPECIALS = {"\\": "\\\\", "{": "\\{", "}": "\\}", "|": "\\|", "<": "\\<", ">": "\\>", '"': '\\"'}


def escape_record_text(text: str) -> str:
    """Text that reads as itself inside a DOT record label, whatever it holds."""
    text = " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text
    return "".join(_RECORD_SPECIALS.get(ch, ch) for ch in text)


def op_symbol(v: Value) -> str:
    """What an op node shows: its symbol, with the exponent for `**`."""
    if v._op == "**" and v._arg is not None:
        return "**" + format_number(v._arg)
    return v._op


def trace(roots: Iterable[Value]) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """The Values the roots depend on (operands first) and one edge per operand use."""
    nodes = topological_order(*roots)
    edges = [(child, v) for v in nodes for child in v._prev]
    return nodes, edges


def draw_dot(root_or_roots: Value | Iterable[Value], rankdir: str = "LR") -> graphviz.Digraph:
    """A `graphviz.Digraph` of everything the root(s) depend on, as in the lecture.

    One record node `{ label | data | grad }` per Value, one node per op
    labelled with its symbol, edges operand -> op -> result. Node ids are the
    position in a stable traversal (`v0`, `v1`, ...), so the same graph always
    gives the same DOT text.
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', not {rankdir!r}")
    roots = [root_or_roots] if isinstance(root_or_roots, Value) else list(root_or_roots)
    nodes, _ = trace(roots)
    ids = {id(v): f"v{i}" for i, v in enumerate(nodes)}
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": rankdir})
    for v in nodes:
        uid = ids[id(v)]
        label = "{ %s | data %.4f | grad %.4f }" % (escape_record_text(v.label), v.data, v.grad)
        dot.node(name=uid, label=label, shape="record")
        if v._op:
            dot.node(name=uid + "_op", label=graphviz.escape(op_symbol(v)))
            dot.edge(uid + "_op", uid)
            for child in v._prev:
                dot.edge(ids[id(child)], uid + "_op")
    return dot
