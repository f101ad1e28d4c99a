"""Draw a Value's graph in the lecture's look: `trace` and `draw_dot`."""

from __future__ import annotations

from collections.abc import Iterable

import graphviz

from engine.value import Value, format_decimals, format_number, topological_order

RANKDIRS = ("LR", "TB", "RL", "BT")

# Characters a record label gives a meaning: fields, ports, escapes, entities, the quote ending the DOT string.
_RECORD_SPECIALS = {
    "\\": "\\\\",
    "{": "\\{",
    "}": "\\}",
    "|": "\\|",
    "<": "\\<",
    ">": "\\>",
    '"': '\\"',
    "&": "&amp;",
}


def escape_record_text(text: str) -> str:
    """Text that reads as itself inside a DOT record label, whatever it holds.

    Backslashes are doubled and `&` written as `&amp;`, so `\\N`, `\\n` or
    `&lt;` in a name show as typed instead of turning into Graphviz escapes or
    entities. Line breaks and other unprintable characters become spaces (and,
    as everywhere in a record, runs of spaces show as one).
    """
    return "".join(_RECORD_SPECIALS.get(ch, ch) if ch.isprintable() else " " for ch in text)


def record_cells(label: str, data: float, grad: float) -> str:
    """The cells of a Value's record node, as the lecture draws them: `label | data 2.0000 | grad 0.0000`
    (the label escaped for records)."""
    return "%s | data %s | grad %s" % (escape_record_text(label), format_decimals(data), format_decimals(grad))


def op_symbol(v: Value) -> str:
    """What an op node shows: its symbol, with the exponent for `**` (`**2`, `**-0.5`)."""
    if v._op == "**" and v._arg is not None:
        return "**" + format_number(v._arg)
    return v._op


def _roots(root_or_roots: Value | Iterable[Value]) -> list[Value]:
    roots = [root_or_roots] if isinstance(root_or_roots, Value) else list(root_or_roots)
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"expected Values to draw, got {type(root).__name__}")
    return roots


def trace(root_or_roots: Value | Iterable[Value]) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """The Values the root(s) depend on (operands first) and one (operand, result) edge per operand use."""
    nodes = topological_order(*_roots(root_or_roots))
    edges = [(child, v) for v in nodes for child in v._prev]
    return nodes, edges


def draw_dot(root_or_roots: Value | Iterable[Value], rankdir: str = "LR") -> graphviz.Digraph:
    """A `graphviz.Digraph` of everything the root(s) depend on, as in the lecture.

    One record node `{ label | data %.4f | grad %.4f }` per Value, one node per
    op labelled with its symbol, edges operand -> op -> result, one per operand
    use (`a + a` draws two). Node ids are positions in a stable traversal
    (`v0`, `v1`, ... and `v3_op` for the op making `v3`), never `id()`, so the
    same graph always gives the same DOT text.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    nodes, edges = trace(root_or_roots)
    uids = {v: f"v{i}" for i, v in enumerate(nodes)}
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": rankdir})
    for v in nodes:
        uid = uids[v]
        label = "{ %s }" % record_cells(v.label, v.data, v.grad)
        dot.node(name=uid, label=label, shape="record")
        if v._op or v._prev:
            dot.node(name=uid + "_op", label=graphviz.escape(op_symbol(v)))
            dot.edge(uid + "_op", uid)
    for child, v in edges:
        dot.edge(uids[child], uids[v] + "_op")
    return dot
