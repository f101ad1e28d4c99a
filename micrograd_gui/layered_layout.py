"""A layered layout in plain Python, for graphs too big for Graphviz to lay out in time. Qt-free.

Graphviz `dot` grows as about n^2.2 to n^3 on these graphs (2,300 values take it 10 s or more);
this takes a fraction of a second, because a computation graph is already layered: every value
comes after its operands. It reads the DOT text `render.build_dot_source` makes, so it draws
exactly the same nodes, labels and edges, and returns the same `render.Layout` that parsing
`dot`'s output gives:

* ranks by longest path from the leaves, then each node moved as late as its first use allows
  (a leaf, a weight just before it is used; a neuron's products beside the sums that take them,
  not all in one rank);
* the order within each rank by a few sweeps of the barycenter heuristic (each node towards the
  mean position of its neighbours), which removes most crossings;
* positions: each rank in a column (a row top to bottom), each node as near the middle of its
  neighbours as the nodes above it allow;
* every edge one cubic curve from the side of its tail to the side of its head.

Node sizes come from the widths of DejaVu Sans (the font the picture draws with), so texts
fit their cells as they do in `dot`'s layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from micrograd_gui import render
from micrograd_gui.render import Field, Layout, LayoutEdge, LayoutNode, Point

SWEEPS = 4
RANK_GAP = 48.0  # between columns (rows, top to bottom), in points
NODE_GAP = 12.0  # between neighbours in a column
RECORD_HEIGHT = 36.0
ELLIPSE_MIN_WIDTH = 54.0
FIELD_PADDING = 16.0
ARROW_LENGTH = 10.0

# Advance widths of DejaVu Sans in em (from its metrics), for the characters labels hold.
_WIDTHS = {c: 0.636 for c in "0123456789"}
_WIDTHS.update(
    {
        " ": 0.318, ".": 0.318, ",": 0.318, ":": 0.337, "-": 0.361, "_": 0.5, "+": 0.838, "*": 0.5, "/": 0.337,
        "(": 0.39, ")": 0.39, "[": 0.39, "]": 0.39, "·": 0.318, "=": 0.838, "a": 0.613, "b": 0.635, "c": 0.55,
        "d": 0.635, "e": 0.615, "f": 0.352, "g": 0.635, "h": 0.634, "i": 0.278, "j": 0.278, "k": 0.579,
        "l": 0.278, "m": 0.974, "n": 0.634, "o": 0.612, "p": 0.635, "q": 0.635, "r": 0.411, "s": 0.521,
        "t": 0.392, "u": 0.634, "v": 0.592, "w": 0.818, "x": 0.592, "y": 0.592, "z": 0.525,
    }
)  # fmt: skip
_UPPER = 0.7
_OTHER = 0.62

_STRING = r'"((?:[^"\\]|\\.)*)"'
_NODE = re.compile(r"^\s*" + _STRING + r"\s*\[label=" + _STRING + r"(.*)\];\s*$")
_EDGE = re.compile(r"^\s*" + _STRING + r"\s*->\s*" + _STRING + r";\s*$")
_RANKDIR = re.compile(r"rankdir=(\w+)")


def text_width(text: str, size: float = render.FONT_SIZE) -> float:
    """The width of `text` in DejaVu Sans at `size` points."""
    return size * sum(_WIDTHS.get(c, _UPPER if c.isupper() else _OTHER) for c in text)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class _Node:
    __slots__ = ("id", "texts", "shape", "dashed", "width", "height", "rank", "order", "across", "preds", "succs")

    def __init__(self, node_id: str, texts: list[str], shape: str, dashed: bool) -> None:
        self.id = node_id
        self.texts = texts
        self.shape = shape
        self.dashed = dashed
        if shape == "record":
            self.width = sum(text_width(t) + FIELD_PADDING for t in texts)
        else:
            self.width = max(ELLIPSE_MIN_WIDTH, text_width(texts[0]) + 2 * FIELD_PADDING)
        self.height = RECORD_HEIGHT
        self.rank = 0
        self.order = 0.0
        self.across = 0.0  # the centre's coordinate across the ranks
        self.preds: list[_Node] = []
        self.succs: list[_Node] = []


def layout(source: str) -> Layout:
    """The layered layout of DOT text made by `render.build_dot_source`."""
    nodes, edges, rankdir = _read(source)
    ranks = _rank(nodes)
    _order(ranks)
    return _place(ranks, edges, rankdir)


def _read(source: str) -> tuple[dict[str, _Node], list[tuple[_Node, _Node]], str]:
    nodes: dict[str, _Node] = {}
    edges: list[tuple[_Node, _Node]] = []
    rankdir = "LR"
    for line in source.splitlines():
        edge = _EDGE.match(line)
        if edge:
            tail, head = nodes[_unquote(edge.group(1))], nodes[_unquote(edge.group(2))]
            edges.append((tail, head))
            tail.succs.append(head)
            head.preds.append(tail)
            continue
        node = _NODE.match(line)
        if node:
            node_id, label, attributes = _unquote(node.group(1)), node.group(2), node.group(3)
            if "shape=ellipse" in attributes:
                nodes[node_id] = _Node(node_id, [_unquote(label)], "ellipse", False)
            else:
                nodes[node_id] = _Node(node_id, render.record_fields(label), "record", "dashed" in attributes)
        elif line.lstrip().startswith("graph ["):
            found = _RANKDIR.search(line)
            rankdir = found.group(1) if found else rankdir
    return nodes, edges, rankdir


def _rank(nodes: dict[str, _Node]) -> list[list[_Node]]:
    """Longest-path ranks, in a topological order (operands first); sources moved next to their first use."""
    waiting = {node.id: len(node.preds) for node in nodes.values()}
    ready = [node for node in nodes.values() if not node.preds]
    topological: list[_Node] = []
    while ready:
        node = ready.pop()
        topological.append(node)
        for succ in node.succs:
            succ.rank = max(succ.rank, node.rank + 1)
            waiting[succ.id] -= 1
            if waiting[succ.id] == 0:
                ready.append(succ)
    if len(topological) != len(nodes):
        raise render.RenderError("the graph has a cycle, so it cannot be laid out in layers")
    for node in reversed(topological):  # then each as late as its uses allow: a neuron's w*x beside its sum
        if node.succs:
            node.rank = min(succ.rank for succ in node.succs) - 1
    ranks: list[list[_Node]] = [[] for _ in range(max((n.rank for n in nodes.values()), default=-1) + 1)]
    for node in nodes.values():  # in the order the text lists them: the document's
        node.order = len(ranks[node.rank])
        ranks[node.rank].append(node)
    return ranks


def _mean_order(neighbours: Iterable[_Node], sizes: list[int]) -> float | None:
    total, count = 0.0, 0
    for n in neighbours:
        total += (n.order + 0.5) / sizes[n.rank]
        count += 1
    return total / count if count else None


def _order(ranks: list[list[_Node]]) -> None:
    """Barycenter sweeps, down then up: each node towards the mean position of its neighbours."""
    sizes = [max(len(rank), 1) for rank in ranks]
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        for rank in ranks if downward else reversed(ranks):
            keys = []
            for node in rank:
                mean = _mean_order(node.preds if downward else node.succs, sizes)
                keys.append((node.order + 0.5) / sizes[node.rank] if mean is None else mean)
            ordered = sorted(zip(keys, range(len(rank)), rank), key=lambda k: (k[0], k[1]))
            rank[:] = [node for _, _, node in ordered]
            for i, node in enumerate(rank):
                node.order = i


def _pack(rank: list[_Node], targets: list[float]) -> None:
    """Put the nodes of a rank in order, each as near its target as its neighbours allow: packed once
    pushing down, once pushing up, and the two averaged, so that crowded ranks do not drift one way."""
    down, end = [], float("-inf")
    for node, target in zip(rank, targets):
        centre = max(target, end + NODE_GAP + node.height / 2)
        down.append(centre)
        end = centre + node.height / 2
    up, start = [0.0] * len(rank), float("inf")
    for i in range(len(rank) - 1, -1, -1):
        node = rank[i]
        centre = min(targets[i], start - NODE_GAP - node.height / 2)
        up[i] = centre
        start = centre - node.height / 2
    for node, a, b in zip(rank, down, up):
        node.across = (a + b) / 2


def _mean_across(neighbours: list[_Node]) -> float | None:
    return sum(n.across for n in neighbours) / len(neighbours) if neighbours else None


def _place(ranks: list[list[_Node]], edges: list[tuple[_Node, _Node]], rankdir: str) -> Layout:
    vertical = rankdir == "TB"
    for node in (n for rank in ranks for n in rank):
        if vertical:  # the fields side by side stay a row; across the ranks a node is as wide as its row
            node.height, node.width = node.width, node.height
    # along: where each rank starts; `height` is a node's extent across the ranks, `width` along them
    along = []
    position = 0.0
    for rank in ranks:
        along.append(position)
        position += max((n.width for n in rank), default=0.0) + RANK_GAP
    slot = 0.0
    for rank in ranks:  # first pass: towards the operands
        targets = []
        for node in rank:
            mean = _mean_across(node.preds)
            slot = slot if mean is None else mean
            targets.append(slot)
        _pack(rank, targets)
    for rank in reversed(ranks):  # second pass: a leaf towards what uses it, the others stay
        targets = [
            (_mean_across(n.succs) or n.across) if not n.preds else n.across for n in rank
        ]  # fmt: skip
        _pack(rank, targets)
    low = min((n.across - n.height / 2 for rank in ranks for n in rank), default=0.0)
    high = max((n.across + n.height / 2 for rank in ranks for n in rank), default=0.0)
    extent_along = max(position - RANK_GAP, 0.0)

    def rect(node: _Node, start: float) -> tuple[float, float, float, float]:
        a = start + (max(n.width for n in ranks[node.rank]) - node.width) / 2
        c = node.across - node.height / 2 - low
        return (c, a, node.height, node.width) if vertical else (a, c, node.width, node.height)

    rects = {node.id: rect(node, along[node.rank]) for rank in ranks for node in rank}
    laid = tuple(_layout_node(node, rects[node.id], vertical) for rank in ranks for node in rank)
    lines = tuple(_edge(tail.id, head.id, rects[tail.id], rects[head.id], vertical) for tail, head in edges)
    width, height = (high - low, extent_along) if vertical else (extent_along, high - low)
    return Layout(width, height, laid, lines)


def _layout_node(node: _Node, rect: tuple[float, float, float, float], vertical: bool) -> LayoutNode:
    kind, name = render.parse_node_id(node.id)
    x, y, w, h = rect
    if node.shape == "ellipse":
        return LayoutNode(
            node.id, name, kind, "ellipse", rect, (Field(node.texts[0], render.inner_rect(rect)),), (), False
        )
    widths = [text_width(t) + FIELD_PADDING for t in node.texts]
    scale = w / sum(widths)  # the row's fields share its width (in TB the record was turned, not its row)
    fields, separators = [], []
    left = x
    for i, (text, field_width) in enumerate(zip(node.texts, widths)):
        cell = (left, y, field_width * scale, h)
        fields.append(Field(text, cell))
        if i:
            separators.append(((left, y), (left, y + h)))
        left += field_width * scale
    return LayoutNode(node.id, name, kind, "record", rect, tuple(fields), tuple(separators), node.dashed)


def _edge(
    tail: str, head: str, a: tuple[float, float, float, float], b: tuple[float, float, float, float], vertical: bool
) -> LayoutEdge:
    """One cubic curve from the side of the tail facing the head to the head's, and its arrowhead."""
    if vertical:
        start: Point = (a[0] + a[2] / 2, a[1] + a[3])
        tip: Point = (b[0] + b[2] / 2, b[1])
        end: Point = (tip[0], tip[1] - ARROW_LENGTH)
        bend = (end[1] - start[1]) / 2
        path = (start, (start[0], start[1] + bend), (end[0], end[1] - bend), end)
    else:
        start = (a[0] + a[2], a[1] + a[3] / 2)
        tip = (b[0], b[1] + b[3] / 2)
        end = (tip[0] - ARROW_LENGTH, tip[1])
        bend = (end[0] - start[0]) / 2
        path = (start, (start[0] + bend, start[1]), (end[0] - bend, end[1]), end)
    dx, dy = tip[0] - end[0], tip[1] - end[1]
    nx, ny = -dy * render.ARROW_HALF_WIDTH, dx * render.ARROW_HALF_WIDTH
    return LayoutEdge(tail, head, path, ((end[0] + nx, end[1] + ny), tip, (end[0] - nx, end[1] - ny)))
