"""Draw a Value's graph in the lecture's look: `trace` and `draw_dot`.

`draw_dot` returns a `graphviz.Digraph`, which runs Graphviz's `dot` to show
itself in Jupyter, `.render()` or `.pipe()`. Where no `dot` is on PATH, the
first `draw_dot` points the graphviz package at the `dot` installed with this
project (graphviz-pure), so a notebook needs no system Graphviz.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

import graphviz
from graphviz.backend import dot_command

from engine.value import Value, format_decimals, format_number, topological_order

RANKDIRS = ("LR", "TB", "RL", "BT")
BUNDLED_DOT = "graphviz-pure"  # the executable graphviz-pure installs: a `dot` in Python

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
    if text.isidentifier():  # a Value's usual label: nothing to escape, and most of a big graph's labels
        return text
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


def _type_name(x: object) -> str:
    """A type as a message names it: `float`, or `__main__.Value` for a class that is not a builtin."""
    kind = type(x)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _roots(root_or_roots: Value | Iterable[Value]) -> list[Value]:
    if isinstance(root_or_roots, Value):
        return [root_or_roots]
    if isinstance(root_or_roots, (str, bytes)) or not isinstance(root_or_roots, Iterable):
        raise TypeError(
            f"expected an engine Value or a list of them to draw, got {_type_name(root_or_roots)}"
            " (build the graph with `from engine import Value`)"
        )
    roots = list(root_or_roots)
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"expected Values to draw, got {_type_name(root)}")
    return roots


def trace(root_or_roots: Value | Iterable[Value]) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """The Values the root(s) depend on (operands first) and one (operand, result) edge per operand use."""
    nodes = topological_order(*_roots(root_or_roots))
    edges = [(child, v) for v in nodes for child in v._prev]
    return nodes, edges


def draw_dot(root_or_roots: Value | Iterable[Value], format: str = "svg", rankdir: str = "LR") -> graphviz.Digraph:
    """A `graphviz.Digraph` of everything the root(s) depend on, as in the lecture.

    micrograd's `trace_graph` signature: `format` is what `.render()` and
    `.pipe()` write (svg, png, ...; Jupyter shows it as SVG either way). The
    older `draw_dot(root, "TB")`, a rank direction second, still works.

    One record node `{ label | data %.4f | grad %.4f }` per Value, one node per
    op labelled with its symbol, edges operand -> op -> result, one per operand
    use (`a + a` draws two). Node ids are positions in a stable traversal
    (`v0`, `v1`, ... and `v3_op` for the op making `v3`), never `id()`, so the
    same graph always gives the same DOT text.
    """
    if format in RANKDIRS and rankdir == "LR":  # draw_dot(root, "TB"), from before `format` came second
        format, rankdir = "svg", format
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"format must be one Graphviz writes (svg, png, pdf, ...), not {format!r}")
    nodes, edges = trace(root_or_roots)
    use_bundled_dot()
    uids = {v: f"v{i}" for i, v in enumerate(nodes)}
    dot = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir})
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


def bundled_dot() -> str | None:
    """The graphviz-pure executable installed next to this Python, if any."""
    exe = BUNDLED_DOT + (".exe" if sys.platform == "win32" else "")
    folders = [Path(sys.executable).parent]
    for scheme_path in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")):
        if scheme_path:
            folders.append(Path(scheme_path))
    for folder in folders:
        candidate = folder / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(BUNDLED_DOT)


def use_bundled_dot() -> None:
    """Point the graphviz package at the bundled `dot` when its own (`dot` on PATH) is missing.

    The graphviz package runs `graphviz.backend.dot_command.DOT_BINARY` for everything it draws:
    Jupyter's display, `.render()`, `.pipe()`. A `dot` the user has, or a DOT_BINARY someone set,
    is left as it is.
    """
    current = dot_command.DOT_BINARY
    if shutil.which(os.fspath(current)) is not None:
        return
    bundled = bundled_dot()
    if bundled is not None:
        dot_command.DOT_BINARY = Path(bundled)
