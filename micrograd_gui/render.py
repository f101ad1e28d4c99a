"""The only module that runs Graphviz.

It finds the `dot` executable (a system Graphviz or the bundled graphviz-pure),
turns a workspace document into DOT text in the micrograd lecture's look, lays
it out in a subprocess that can never run unbounded, parses `dot -Tjson0` into
a plain-Python `Layout` the graph panel draws, and exports pictures (.svg .png
.pdf .dot). Every failure of `dot` (missing, crashing, failing, too slow) is a
`RenderError` whose message is written for the user.

`LayoutWorker` runs layouts off the UI thread: a newer request supersedes an
older one, whose `dot` process is killed and whose result is discarded.

Size: over 600 lines on purpose. The architecture keeps every use of Graphviz
in this one module (finding `dot`, the DOT text, the bounded subprocess, the
parsed layout, the exports), so that choosing between the system Graphviz and
the bundled one, and every way `dot` can fail, stays in one place.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Collection, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from engine import escape_record_text, op_symbol, record_cells
from engine.graph import BUNDLED_DOT, bundled_dot
from micrograd_gui import collapse
from micrograd_gui.picture_workspace import embed_in_png, embed_in_svg
from micrograd_gui.safe_files import describe_os_error, write_atomic, write_target
from micrograd_gui.workspace_file import document_text

if TYPE_CHECKING:
    from micrograd_gui.document import Document, Group

# A font Qt resolves to the font Graphviz measured (graphviz-pure knows DejaVu
# Sans' metrics). DejaVu Sans is wider than the usual fallback sans fonts, so
# text laid out for it still fits where Qt has to substitute another.
FONT_FAMILY = "DejaVu Sans"
FONT_SIZE = 14.0
SVG_FONT_FAMILIES = "DejaVu Sans,Arial,Helvetica,sans-serif"

LAYOUT_TIMEOUT = 30.0  # seconds for the graph panel
EXPORT_TIMEOUT = 120.0  # seconds for an export
VERSION_TIMEOUT = 3.0

DOT_ENV = "MICROGRAD_GUI_DOT"
BUNDLED_NAME = BUNDLED_DOT

# Graphviz routes an edge that crosses k ranks through k - 1 virtual nodes, and
# many long edges (a leaf shared by uses far apart) make its layout explode and
# its picture a tangle. Such a value is drawn as a dashed copy at each use when
# that saves at least MIN_SAVING virtual nodes. The lecture's and the neuron's
# graphs never qualify; shared-weight chains do.
MIN_SAVING = 100
MIN_USES_TO_SPLIT = 3  # a value used twice (a residual, `a + a`) keeps its edges

# A PNG never exceeds these, whatever the scale asked for (a raster of a huge
# graph would need gigabytes): the scale is lowered to fit, and the export says so.
MAX_PNG_SIDE = 32000
MAX_PNG_PIXELS = 60_000_000
MIN_PNG_SIDE = 16  # pixels: a scale that makes the picture's longer side smaller than this is refused
# PDF 1.x's largest page side (200 inches); most viewers refuse a larger page, so a bigger
# graph is scaled down to fit, and the export says so.
MAX_PDF_SIDE = 14_400.0

EXPORT_FORMATS = (".svg", ".png", ".pdf", ".dot")
MAX_SCALE = 20.0  # a PNG of at most 20 x 72 dpi

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x, y, width, height; y grows downwards


class RenderError(Exception):
    """Graphviz could not draw the picture; the message is written for the user."""


class ScaleError(RenderError):
    """A PNG scale that would make the picture too small to see: bad input, refused before writing."""


# ---- finding dot -------------------------------------------------------------


def find_dot() -> str:
    """The path of the `dot` to run: $MICROGRAD_GUI_DOT, else `dot` on PATH, else the bundled graphviz-pure."""
    configured = os.environ.get(DOT_ENV, "").strip()
    if configured:
        found = shutil.which(configured)
        if found is None and os.path.isfile(configured) and os.access(configured, os.X_OK):
            found = configured
        if found is None:
            raise RenderError(f"{DOT_ENV} is set to '{configured}', but no such Graphviz executable exists")
        return found
    system_dot = shutil.which("dot")
    if system_dot:
        return system_dot
    bundled = bundled_dot()
    if bundled:
        return bundled
    raise RenderError(
        "Graphviz was not found, so the graph cannot be drawn: install the graphviz-pure package "
        f"(pip install graphviz-pure) or Graphviz itself, or set {DOT_ENV} to a dot executable"
    )


_describe_cache: dict[tuple[str, float], str] = {}


def describe_dot() -> str:
    """Which Graphviz draws the pictures, for Help > About.

    E.g. 'graphviz-pure 0.2.2 (bundled), /venv/bin/graphviz-pure' or 'Graphviz 2.43.0, /usr/bin/dot'.
    """
    path = find_dot()
    try:
        key = (path, os.path.getmtime(path))
    except OSError:
        key = (path, 0.0)
    if key not in _describe_cache:
        _describe_cache[key] = _describe(path)
    return _describe_cache[key]


def _describe(path: str) -> str:
    try:
        _, out, err = _communicate([path, "-V"], b"", VERSION_TIMEOUT, what="report its version")
    except RenderError as error:
        return f"{path} (its version is unknown: {error})"
    text = (err + out).decode("utf-8", "replace")  # dot prints its version on stderr
    pure = re.search(r"graphviz-pure version (\S+)", text)
    if pure:
        bundled = " (bundled)" if _same_file(path, bundled_dot()) else ""
        return f"graphviz-pure {pure.group(1)}{bundled}, {path}"
    version = re.search(r"version (\S+)", text)
    if version:
        return f"Graphviz {version.group(1)}, {path}"
    first_line = text.strip().splitlines()[0] if text.strip() else "version unknown"
    return f"{first_line}, {path}"


def _same_file(a: str, b: str | None) -> bool:
    if b is None:
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# ---- running dot -------------------------------------------------------------

_live_processes: weakref.WeakSet[subprocess.Popen[bytes]] = weakref.WeakSet()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill a dot process and anything it started (a wrapper script's children too)."""
    if process.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError, OSError):
        try:
            process.kill()
        except OSError:
            pass


@atexit.register
def _kill_live_processes() -> None:
    for process in list(_live_processes):
        _kill(process)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _run(
    args: list[str],
    stdin: bytes,
    timeout: float,
    what: str = "lay out the graph",
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> bytes:
    """Run Graphviz with a time bound; its stdout, or RenderError saying what went wrong."""
    code, out, err = _communicate(args, stdin, timeout, what, on_start)
    if code != 0:
        detail = _first_line(err) or "no message"
        raise RenderError(f"Graphviz failed to {what} (exit code {code}): {detail}")
    return out


def _communicate(
    args: list[str],
    stdin: bytes,
    timeout: float,
    what: str,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> tuple[int, bytes, bytes]:
    """Run Graphviz with a time bound: (exit code, stdout, stderr); a timeout or a crash is a RenderError."""
    options: dict[str, Any] = {}
    if os.name == "posix":
        options["start_new_session"] = True  # so a timeout kills the whole process group
    elif sys.platform == "win32":
        options["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options
        )
    except OSError as error:
        raise RenderError(f"cannot run Graphviz ({args[0]}): {error.strerror or error}") from None
    _live_processes.add(process)
    try:
        if on_start is not None:
            on_start(process)
        try:
            out, err = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            try:
                process.communicate(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
            raise RenderError(
                f"Graphviz could not {what} within {timeout:g} s and was stopped; the graph may be too large to draw"
            ) from None
    finally:
        _live_processes.discard(process)
    code = process.returncode
    if code < 0:
        raise RenderError(f"Graphviz crashed ({_signal_name(-code)}) while trying to {what}")
    return code, out, err


def _first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


# ---- the DOT text of a workspace ---------------------------------------------


def _quote(text: str) -> str:
    """A DOT double-quoted string holding `text`."""
    if text.isidentifier():  # a node id (`v_name`): nothing to escape
        return f'"{text}"'
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def value_id(name: str) -> str:
    return "v_" + name


def op_id(name: str) -> str:
    return "o_" + name


def copy_id(name: str, index: int) -> str:
    return f"c_{name}_{index}"


def parse_node_id(node_id: str) -> tuple[str, str]:
    """(kind, name) of a node id made by value_id / op_id / copy_id (a value's name) or
    collapse.group_id (a group's name, kind 'group')."""
    prefix, _, rest = node_id.partition("_")
    if prefix == "v":
        return "value", rest
    if prefix == "o":
        return "op", rest
    if prefix == "g":
        return "group", rest
    if prefix == "c":
        name, _, index = rest.rpartition("_")
        if name and index.isdigit():
            return "copy", name
    raise RenderError(f"Graphviz returned a node this program did not create: {node_id!r}")


def record_label(name: str, data: float, grad: float, rankdir: str = "LR") -> str:
    """The lecture's record label as a quoted DOT string; in TB the cells stay side by side.

    The name is escaped for records (engine.record_cells, whose escaping also covers
    backslashes and quotes), so the label is put between quotes as it is: quoting it
    again would double those escapes.
    """
    fields = record_cells(name, data, grad)
    return '"' + ("{ " + fields + " }" if rankdir == "LR" else fields) + '"'


def _kept_names(document: Document, root: str | None) -> list[str]:
    if root is None:
        return document.names
    if root not in document:
        raise RenderError(f"'{root}' does not exist")
    wanted = document.ancestors(root)
    return [name for name in document.names if name in wanted]


def shared_values_to_split(document: Document, names: list[str]) -> set[str]:
    """The values drawn as a dashed copy at each far use, so `dot` stays fast and the picture readable.

    A value's virtual nodes are estimated from a longest-path ranking (a leaf
    sits just before its first use). A value used at least MIN_USES_TO_SPLIT
    times is split when keeping only the edge to its first use saves at least
    MIN_SAVING of them.
    """
    level: dict[str, int] = {}  # the rank of each value node; an op sits one rank before its value
    uses: dict[str, list[int]] = {}  # the ranks of the op nodes using each value
    for name in names:
        definition = document.definition(name)
        if definition.is_leaf:
            level[name] = 0
            continue
        op_level = 1 + max(level[o] for o in definition.operands)
        level[name] = op_level + 1
        for operand in definition.operands:
            uses.setdefault(operand, []).append(op_level)
    split: set[str] = set()
    for name, ranks in uses.items():
        if len(ranks) < MIN_USES_TO_SPLIT:
            continue
        first, *others = sorted(ranks)
        start = first - 1 if document.definition(name).is_leaf else level[name]
        saving = sum(rank - start - 1 for rank in others)  # every use but the first gets a copy beside it
        if saving >= MIN_SAVING:
            split.add(name)
    return split


def build_dot_source(
    document: Document,
    rankdir: str = "LR",
    root: str | None = None,
    split_shared: bool | None = None,
    collapsed: Collection[str] = (),
) -> str:
    """DOT text for the workspace, in the lecture's look.

    One record `{ name | data | grad }` per value, one op node per op labelled
    with its symbol, edges operand -> op -> result, one per operand use.
    `root` keeps only what feeds that value. `split_shared`: None splits the
    heavily shared values only when the graph needs it for speed (see
    `shared_values_to_split`), True splits every value used more than once,
    False never splits. A split value keeps its edge to its first use; every
    other use gets its own dashed copy of the record. `collapsed` names groups
    drawn as one node each (see micrograd_gui.collapse).
    """
    if rankdir not in ("LR", "TB"):
        raise RenderError(f"the direction must be 'LR' or 'TB', not {rankdir!r}")
    names = _kept_names(document, root)
    if split_shared is None:
        split = shared_values_to_split(document, names)
    elif split_shared:
        counts: dict[str, int] = {}
        for name in names:
            for operand in document.definition(name).operands:
                counts[operand] = counts.get(operand, 0) + 1
        split = {name for name, count in counts.items() if count > 1}
    else:
        split = set()

    font = _quote(FONT_FAMILY)
    lines = [
        "digraph micrograd {",
        f"  graph [rankdir={rankdir}, fontname={font}, bgcolor=white];",
        f"  node [shape=record, fontname={font}, fontsize={FONT_SIZE:g}];",
        f"  edge [fontname={font}];",
    ]
    owner = collapse.owners(document, collapsed, names) if collapsed else {}
    groups_drawn: set[str] = set()
    used_once: set[str] = set()
    copies = 0
    chunks: dict[str, list[str]] = {}  # each value's statements: its record, its op, the op's edges
    for name in names:
        if name in owner:
            group = owner[name]
            if group.name not in groups_drawn:  # in document order, where its first member is
                groups_drawn.add(group.name)
                chunks[name] = [_group_node(document, group, rankdir)]
            continue
        definition = document.definition(name)
        value = document.value(name)
        label = record_label(name, value.data, value.grad, rankdir)
        chunk = chunks[name] = [f"  {_quote(value_id(name))} [label={label}];"]
        if definition.is_leaf:
            continue
        op = _quote(op_id(name))
        chunk.append(f"  {op} [label={_quote(op_symbol(value))}, shape=ellipse];")
        for operand in definition.operands:
            if operand in owner:
                tail = collapse.group_id(owner[operand].name)
            elif operand in split and operand in used_once:
                tail = copy_id(operand, copies)
                copies += 1
                operand_value = document.value(operand)
                copy_label = record_label(operand, operand_value.data, operand_value.grad, rankdir)
                chunk.append(f"  {_quote(tail)} [label={copy_label}, style=dashed, color=gray40];")
            else:
                tail = value_id(operand)
                used_once.add(operand)
            chunk.append(f"  {_quote(tail)} -> {op};")
        chunk.append(f"  {op} -> {_quote(value_id(name))};")
    for component in _components_in_drawing_order(document, names, rankdir):
        for name in component:
            lines.extend(chunks.get(name, ()))
    if owner:
        lines.extend(_group_edges(document, owner))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _components_in_drawing_order(document: Document, names: list[str], rankdir: str) -> list[list[str]]:
    """The values in groups that share no edge, each group in creation order, the groups in the
    order that draws the older first: top to bottom (LR) or left to right (TB). `dot` places
    separate groups in the order they appear from left to right in TB, which left to right turns
    into bottom to top: for LR the groups are given newest first, so that the leaves a, b, c
    created in that order read a, b, c from the top."""
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for name in names:
        for operand in document.definition(name).operands:
            if operand in parent:
                parent[root(operand)] = root(name)
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(root(name), []).append(name)
    ordered = list(groups.values())  # by each group's oldest value
    return ordered[::-1] if rankdir == "LR" else ordered


def _group_node(document: Document, group: Group, rankdir: str) -> str:
    """The node of a collapsed group: its title, and its output's numbers when it has one output."""
    outputs = collapse.outputs(document, group)
    text = collapse.title(document, group)
    if len(outputs) == 1 and group.kind != "layer":
        value = document.value(outputs[0])
        label = record_label(text, value.data, value.grad, rankdir)
    else:
        label = '"' + ("{ %s }" if rankdir == "LR" else "%s") % escape_record_text(text) + '"'
    return f"  {_quote(collapse.group_id(group.name))} [label={label}, style=rounded, penwidth=2];"


def _group_edges(document: Document, owner: dict[str, Group]) -> list[str]:
    """The edges into the collapsed groups: one from each input (a value drawn, or another collapsed
    group), whatever number of members read it. A member two groups share (the weights of one
    neuron run on several rows) is inside each, and draws no edge between them."""
    members = {g.name: set(g.members) for g in owner.values()}
    edges: dict[tuple[str, str], None] = {}
    for name, group in owner.items():
        head = collapse.group_id(group.name)
        for operand in document.definition(name).operands:
            source = owner.get(operand)
            hidden_inside = source is not None and operand in members[group.name]  # shared, and folded in both
            if source is not group and not hidden_inside:
                edges[(value_id(operand) if source is None else collapse.group_id(source.name), head)] = None
    return [f"  {_quote(tail)} -> {_quote(head)};" for tail, head in edges]


# ---- the layout --------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One text of a node: its text at layout time and the cell it is centred in."""

    text: str
    cell: Rect


@dataclass(frozen=True)
class LayoutNode:
    """A drawn node: a value's record ('value'), a dashed copy of it ('copy'), or its op ('op').

    `shape` is 'record' (the outline is `rect`, cut into `fields` by `separators`)
    or 'ellipse' (inscribed in `rect`).
    """

    id: str
    name: str
    kind: str
    shape: str
    rect: Rect
    fields: tuple[Field, ...]  # name, data, grad for a record; the symbol for an op
    separators: tuple[tuple[Point, Point], ...]
    dashed: bool


@dataclass(frozen=True)
class LayoutEdge:
    """An edge as a cubic bezier path (start point, then control, control, end triples) and its arrowhead."""

    tail: str
    head: str
    path: tuple[Point, ...]
    arrow: tuple[Point, ...]


@dataclass(frozen=True)
class Layout:
    """A laid-out graph in plain Python: coordinates in points, y growing downwards."""

    width: float
    height: float
    nodes: tuple[LayoutNode, ...]
    edges: tuple[LayoutEdge, ...]

    def value_names(self) -> list[str]:
        """The names of the values drawn (once each, copies aside), in drawing order."""
        return [node.name for node in self.nodes if node.kind == "value"]


def layout(
    source: str,
    timeout: float = LAYOUT_TIMEOUT,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> Layout:
    """Lay out DOT text with `dot -Tjson0` (at most `timeout` seconds) and parse it.

    `on_start` gets the running process (so a superseding request can kill it).
    """
    return parse_layout(run_layout(source, timeout, on_start))


def run_layout(
    source: str,
    timeout: float = LAYOUT_TIMEOUT,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> bytes:
    """The raw output of `dot -Tjson0` for DOT text (at most `timeout` seconds), for `parse_layout`."""
    # -Tjson0 carries positions, record cells and splines without xdot drawing
    # operations: a fifth of -Tjson's size, faster to write and to read.
    return _run([find_dot(), "-Tjson0"], source.encode("utf-8"), timeout, on_start=on_start)


def parse_layout(json_text: bytes | str) -> Layout:
    """A `Layout` from the output of `dot -Tjson0` (or `-Tjson`, which holds the same attributes)."""
    steps = parse_layout_steps(json_text)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: Layout = done.value
            return result


def parse_layout_steps(json_text: bytes | str) -> Generator[None, None, Layout]:
    """`parse_layout` a few dozen nodes or edges at a time: it yields between them and returns the Layout.

    The graph panel runs it on the UI thread in short slices between events.
    """
    try:
        data = json.loads(json_text)
        llx, lly, urx, ury = _floats(data["bb"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise RenderError(f"Graphviz returned a layout this program cannot read ({error!r})") from None

    def point(x: float, y: float) -> Point:
        return (x - llx, ury - y)

    ids_by_gvid: dict[int, str] = {}
    nodes: list[LayoutNode] = []
    edges: list[LayoutEdge] = []
    try:
        for count, obj in enumerate(data.get("objects", []), start=1):
            if count % PARSE_BATCH == 0:
                yield
            if "nodes" in obj or "pos" not in obj:
                continue  # a subgraph
            node_id = obj["name"]
            ids_by_gvid[obj["_gvid"]] = node_id
            kind, name = parse_node_id(node_id)
            nodes.append(_parse_node(node_id, kind, name, obj, point))
        for count, edge in enumerate(data.get("edges", []), start=1):
            if count % PARSE_BATCH == 0:
                yield
            path, arrow = _parse_spline(edge.get("pos", ""), point)
            edges.append(LayoutEdge(ids_by_gvid[edge["tail"]], ids_by_gvid[edge["head"]], path, arrow))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise RenderError(f"Graphviz returned a layout this program cannot read ({error!r})") from None
    return Layout(urx - llx, ury - lly, tuple(nodes), tuple(edges))


PARSE_BATCH = 32


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _parse_node(
    node_id: str, kind: str, name: str, obj: dict[str, Any], point: Callable[[float, float], Point]
) -> LayoutNode:
    cx, cy = point(*_floats(obj["pos"]))
    width, height = float(obj["width"]) * 72.0, float(obj["height"]) * 72.0
    rect = (cx - width / 2, cy - height / 2, width, height)
    dashed = "dashed" in obj.get("style", "")
    if "rects" not in obj:
        return LayoutNode(
            node_id, name, kind, "ellipse", rect, (Field(obj.get("label", ""), inner_rect(rect)),), (), dashed
        )
    cells = []
    for text in obj["rects"].split():
        x1, y1, x2, y2 = _floats(text)
        left, top = point(x1, y2)
        right, bottom = point(x2, y1)
        cells.append((left, top, right - left, bottom - top))
    texts = record_fields(obj.get("label", ""))
    texts += [""] * (len(cells) - len(texts))
    separators = []
    for (_, ay, _, ah), (bx, by, bw, bh) in zip(cells, cells[1:]):
        if abs(ay - by) < 0.5 and abs(ah - bh) < 0.5:  # side by side
            separators.append(((bx, by), (bx, by + bh)))
        else:  # stacked
            separators.append(((bx, by), (bx + bw, by)))
    fields = tuple(Field(text, cell) for text, cell in zip(texts, cells))
    return LayoutNode(node_id, name, kind, "record", rect, fields, tuple(separators), dashed)


def record_fields(label: str) -> list[str]:
    """The texts of a record label's fields, unescaped: '{ a | data 2.0000 }' -> ['a', 'data 2.0000']."""
    fields: list[str] = []
    current: list[str] = []
    chars = iter(label)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, ""))
        elif ch == "|":
            fields.append("".join(current).strip())
            current = []
        elif ch not in "{}":
            current.append(ch)
    fields.append("".join(current).strip())
    return fields


def inner_rect(rect: Rect) -> Rect:
    """The largest axis-aligned rectangle inside the ellipse inscribed in `rect`."""
    x, y, w, h = rect
    k = 0.7071
    return (x + w * (1 - k) / 2, y + h * (1 - k) / 2, w * k, h * k)


ARROW_HALF_WIDTH = 0.35  # of the arrow's length, as Graphviz draws its 'normal' arrowhead


def _parse_spline(pos: str, point: Callable[[float, float], Point]) -> tuple[tuple[Point, ...], tuple[Point, ...]]:
    """An edge's bezier points and arrowhead from its `pos`: 'e,x,y p0 p1 p2 p3 ...'."""
    end = None
    path: list[Point] = []
    for token in pos.split(";")[0].split():
        if token.startswith("e,"):
            end = point(*_floats(token[2:]))
        elif token.startswith("s,"):
            continue
        else:
            path.append(point(*_floats(token)))
    arrow: tuple[Point, ...] = ()
    if end is not None and path:
        bx, by = path[-1]
        tx, ty = end
        dx, dy = tx - bx, ty - by
        # the normal of the shaft, scaled to half the arrow's width
        nx, ny = -dy * ARROW_HALF_WIDTH, dx * ARROW_HALF_WIDTH
        arrow = ((bx + nx, by + ny), (tx, ty), (bx - nx, by - ny))
    return tuple(path), arrow


# ---- the layout service for the window ---------------------------------------


class LayoutWorker(QObject):
    """Runs layouts in a background thread so the UI thread never waits on `dot`.

    `request(source)` returns a generation number; a newer request supersedes
    every older one (its `dot` is killed and its result discarded). Emits
    `finished(generation, Layout)` or `failed(generation, message)`, queued to
    the thread the worker lives in. With `parse=False`, `finished` carries
    dot's raw output instead, for `parse_layout_steps` on the receiving thread:
    parsing in a second Python thread would compete with the UI thread for the
    GIL.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, timeout: float = LAYOUT_TIMEOUT, parse: bool = True) -> None:
        super().__init__()
        self.timeout = timeout
        self.parse = parse
        self._lock = threading.Lock()
        self._generation = 0
        self._process: subprocess.Popen[bytes] | None = None

    def request(self, source: str, lay_out: Callable[[str], Layout] | None = None) -> int:
        """Start laying out `source` (with `dot`, or with `lay_out`, which then runs in the worker
        thread and always gives a Layout); the returned generation tags its result."""
        generation = self.cancel()
        thread = threading.Thread(target=self._run, args=(generation, source, lay_out), name="dot-layout", daemon=True)
        thread.start()
        return generation

    def cancel(self) -> int:
        """Supersede every running request (its `dot` is killed); returns the new generation."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            process, self._process = self._process, None
        if process is not None:
            _kill(process)
        return generation

    def _current(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def _run(self, generation: int, source: str, lay_out: Callable[[str], Layout] | None = None) -> None:
        def started(process: subprocess.Popen[bytes]) -> None:
            with self._lock:
                if generation == self._generation:
                    self._process = process
                    return
            _kill(process)

        result: Layout | bytes
        try:
            if lay_out is not None:
                result = lay_out(source)
            else:
                result = run_layout(source, self.timeout, on_start=started)
                if self.parse:
                    result = parse_layout(result)
        except RenderError as error:
            if self._current(generation):
                self.failed.emit(generation, str(error))
            return
        except Exception as error:  # a bug must show as a message, not kill the thread silently
            if self._current(generation):
                self.failed.emit(generation, f"the graph could not be drawn: {error!r}")
            return
        with self._lock:
            if generation != self._generation:
                return
            self._process = None
        self.finished.emit(generation, result)


# ---- export ------------------------------------------------------------------


def export(
    document: Document,
    path: str | os.PathLike[str],
    rankdir: str = "LR",
    root: str | None = None,
    scale: float = 2.0,
    timeout: float = EXPORT_TIMEOUT,
    collapsed: Collection[str] = (),
) -> str | None:
    """Write the workspace's picture; the format comes from the suffix (.svg .png .pdf .dot);
    the groups named in `collapsed` are drawn as one node each.

    The file appears whole or not at all: on any failure an existing file is
    left untouched and nothing else is left behind. PNG is `scale` times 72
    dpi; PDF is vector. A picture too large for its format (a PNG beyond
    MAX_PNG_SIDE or MAX_PNG_PIXELS, a PDF page beyond MAX_PDF_SIDE) is scaled
    down to fit: the returned note says so (None when nothing was changed). A
    scale that makes the PNG smaller than MIN_PNG_SIDE is a ScaleError. A PNG or
    SVG carries the whole workspace (see picture_workspace), so opening the
    picture reopens it.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        known = " ".join(EXPORT_FORMATS)
        raise RenderError(f"cannot export '{target.name}': the file name must end in one of {known}")
    if not (scale > 0 and scale <= MAX_SCALE):
        raise RenderError(f"the scale must be more than 0 and at most {MAX_SCALE:g}, not {scale}")
    try:
        write_target(target)  # a pipe, a device or a read-only file is refused before Graphviz runs
    except OSError as error:
        raise RenderError(f"cannot write {target}: {describe_os_error(error)}") from None
    source = build_dot_source(document, rankdir=rankdir, root=root, collapsed=collapsed)
    note: str | None = None
    if suffix == ".dot":
        data = source.encode("utf-8")
    elif suffix == ".pdf" and _supports_format("pdf"):
        data, note = _dot_pdf(source, timeout)
    else:
        svg = _run([find_dot(), "-Tsvg"], source.encode("utf-8"), timeout, what="draw the picture")
        if suffix == ".svg":
            data = embed_in_svg(_browser_svg(svg), document_text(document))
        elif suffix == ".png":
            png, note = _svg_to_png(_qt_svg(svg), scale)
            data = embed_in_png(png, document_text(document))
        else:
            data, note = _svg_to_pdf(_qt_svg(svg))
    try:
        write_atomic(target, data)
    except OSError as error:
        raise RenderError(f"cannot write {target}: {describe_os_error(error)}") from None
    return note


_PDF_FIT = f"to fit a PDF page of at most {MAX_PDF_SIDE:,.0f} pt a side, the largest most viewers open"
_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def _dot_pdf(source: str, timeout: float) -> tuple[bytes, str | None]:
    """A PDF drawn by dot itself, its page at most MAX_PDF_SIDE a side (dot's `size` scales a larger
    drawing down), and a note when its page shows it was scaled."""
    inches = MAX_PDF_SIDE / 72.0 - 1.0  # dot adds a few points of margin around the drawing
    args = [find_dot(), "-Tpdf", f"-Gsize={inches:g},{inches:g}"]
    data = _run(args, source.encode("utf-8"), timeout, what="draw the PDF")
    box = _MEDIA_BOX.search(data)
    if box is not None:
        x1, y1, x2, y2 = (float(number) for number in box.groups())
        if max(abs(x2 - x1), abs(y2 - y1)) >= (inches - 0.5) * 72.0:
            return data, f"the graph was scaled down {_PDF_FIT}"
    return data, None


_format_cache: dict[tuple[str, str], bool] = {}


def _supports_format(fmt: str) -> bool:
    """Whether the `dot` in use writes `fmt` itself (graphviz-pure has no PDF)."""
    dot = find_dot()
    key = (dot, fmt)
    if key not in _format_cache:
        try:
            # dot lists the formats it knows in its complaint about an unknown one
            _, _, err = _communicate([dot, "-T?"], b"", VERSION_TIMEOUT, what="list its formats")
        except RenderError:
            err = b""
        listed = re.search(r"one of:(.*)", err.decode("utf-8", "replace"), flags=re.DOTALL)
        formats = {word.split(":")[0] for word in listed.group(1).split()} if listed else set()
        _format_cache[key] = fmt in formats
    return _format_cache[key]


_FONT_ATTRIBUTE = re.compile(rb'font-family="[^"]*"')


def _browser_svg(svg: bytes) -> bytes:
    """The SVG with fallback fonts for browsers without DejaVu Sans (narrower ones, so text still fits)."""
    return _FONT_ATTRIBUTE.sub(b'font-family="' + SVG_FONT_FAMILIES.encode() + b'"', svg)


def _qt_svg(svg: bytes) -> bytes:
    """The SVG with one font family QtSvg resolves (it misreads lists such as 'Times,serif')."""
    return _FONT_ATTRIBUTE.sub(b'font-family="' + FONT_FAMILY.encode() + b'"', svg)


_app: Any = None


def _ensure_gui_application() -> None:
    """Qt's painting needs a QGuiApplication; the headless command line has none.

    A full QApplication is made, so widgets created later in the same process still work.
    """
    global _app
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QGuiApplication.instance() is not None:
        return
    headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if headless and sys.platform not in ("win32", "darwin"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication(sys.argv[:1] or ["micrograd-gui"])


def _svg_renderer(svg: bytes) -> Any:
    _ensure_gui_application()
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise RenderError("Graphviz returned an SVG picture this program cannot read")
    return renderer


def png_scale(width: float, height: float, scale: float) -> tuple[float, str | None]:
    """The scale a PNG of a `width` x `height` pt picture is drawn at, and a note when it is not
    `scale`: lowered to stay within MAX_PNG_SIDE and MAX_PNG_PIXELS. ScaleError when `scale` makes
    the picture smaller than MIN_PNG_SIDE pixels on its longer side."""
    width, height = max(width, 1.0), max(height, 1.0)
    if max(width, height) * scale < MIN_PNG_SIDE:
        least = MIN_PNG_SIDE / max(width, height)
        raise ScaleError(
            f"at scale {scale:g} the PNG would be {max(1, round(width * scale))} x {max(1, round(height * scale))}"
            f" pixels; the scale must be at least {least:.2g} for this graph"
        )
    fitted = min(scale, MAX_PNG_SIDE / width, MAX_PNG_SIDE / height, (MAX_PNG_PIXELS / (width * height)) ** 0.5)
    if fitted >= scale:
        return scale, None
    return fitted, (
        f"the PNG was drawn at scale {fitted:.3g} instead of {scale:g}, to stay within {MAX_PNG_SIDE:,} pixels"
        f" a side and {MAX_PNG_PIXELS / 1e6:g} megapixels"
    )


def _svg_to_png(svg: bytes, scale: float) -> tuple[bytes, str | None]:
    from PySide6.QtCore import QBuffer, QIODevice, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    renderer = _svg_renderer(svg)
    size = renderer.viewBoxF().size()
    width, height = max(size.width(), 1.0), max(size.height(), 1.0)
    scale, note = png_scale(width, height, scale)
    image = QImage(max(1, round(width * scale)), max(1, round(height * scale)), QImage.Format.Format_RGB32)
    if image.isNull():
        raise RenderError("the picture is too large to export as PNG: try SVG or PDF")
    image.fill(QColor("white"))
    dpm = round(72 * scale / 0.0254)
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; PySide6 wants str
        raise RenderError("the PNG could not be made")
    return bytes(buffer.data().data()), note


def _svg_to_pdf(svg: bytes) -> tuple[bytes, str | None]:
    from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    renderer = _svg_renderer(svg)
    size = renderer.viewBoxF().size()
    width, height = max(size.width(), 1.0), max(size.height(), 1.0)
    fit = min(1.0, MAX_PDF_SIDE / max(width, height))
    note = None if fit == 1.0 else f"the graph was scaled down to {fit:.0%} {_PDF_FIT}"
    width, height = width * fit, height * fit
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(72)  # one PDF point per Graphviz point
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    writer.setTitle("micrograd-gui graph")
    writer.setCreator("micrograd-gui")
    painter = QPainter()
    if not painter.begin(writer):
        raise RenderError("the PDF could not be made")
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    del writer  # finishes the PDF
    return bytes(buffer.data().data()), note
