"""One laid-out picture of the workspace: its scene, its items by value name, and what is drawn on them.

A picture is built from a `render.Layout` and freed a few items at a time
(both as generators the caller runs in slices between events). The numbers
and the colours of selection and of the backward step change on its items in
place, so nothing moves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from engine import format_decimals
from micrograd_gui import collapse, render
from micrograd_gui.document import Document
from micrograd_gui.render import Layout, LayoutEdge
from micrograd_gui.roles import value_role
from micrograd_gui.widgets.graph_items import (
    ACTIVE_FILL,
    ACTIVE_INK,
    BACKGROUND,
    BLOCK_INK,
    HIGHLIGHT_WIDTH,
    PATH_FILL,
    PATH_INK,
    ROLE_FILLS,
    SELECTED_FILL,
    SELECTED_INK,
    VISITED_FILL,
    EdgeBatch,
    EdgeHighlight,
    NodeItem,
    NodeLayer,
    Overview,
    update_fills,
)

EDGES_PER_BATCH = 32
MARGIN = 12.0  # scene units around the layout


class Picture:
    """One laid-out picture: its scene and its items by value name."""

    def __init__(self, parent: QObject | None, layout: Layout | None = None) -> None:
        self.layout = layout
        self.scene = QGraphicsScene(parent)
        # No BSP tree: the items never move, and indexing thousands of them when the picture is first
        # shown stalled the UI thread; finding the few items under a point or in view is quick without.
        self.scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.scene.setBackgroundBrush(BACKGROUND)
        self.values: dict[str, NodeItem] = {}
        self.copies: dict[str, list[NodeItem]] = {}
        self.ops: dict[str, NodeItem] = {}
        self.groups: dict[str, NodeItem] = {}  # collapsed groups, by group name
        self._group_outputs: dict[str, str | None] = {}  # the value whose numbers a group's node shows
        self.highlights: list[EdgeHighlight] = []
        self.tints: dict[str, QColor] = {}  # fills in place of a role's (parameters by their last update)
        self.group_tints: dict[str, QColor] = {}  # collapsed groups' fills, likewise
        self.items: list[QGraphicsItem] = []  # every item built, in order
        self.layer = NodeLayer()
        self.overview: Overview | None = None
        if layout is not None:
            self.scene.setSceneRect(QRectF(-MARGIN, -MARGIN, layout.width + 2 * MARGIN, layout.height + 2 * MARGIN))

    def build(self, font: QFont, metrics: QFontMetricsF) -> Iterator[None]:
        """Make the items one at a time; the caller runs this in slices between events."""
        assert self.layout is not None
        # Neighbouring edges share a batch, so a batch's bounds stay small and painting can skip it.
        edges = sorted(self.layout.edges, key=lambda e: (round(e.path[0][0] / 150) if e.path else 0, e.path[:1]))
        for start in range(0, len(edges), EDGES_PER_BATCH):
            batch = EdgeBatch(edges[start : start + EDGES_PER_BATCH])
            self.scene.addItem(batch)
            self.items.append(batch)
            yield
        self.scene.addItem(self.layer)
        self.items.append(self.layer)
        for node in self.layout.nodes:
            item = NodeItem(node, font, metrics)
            item.setParentItem(self.layer)
            self.items.append(item)
            if node.kind == "value":
                self.values[node.name] = item
            elif node.kind == "copy":
                self.copies.setdefault(node.name, []).append(item)
            elif node.kind == "group":
                self.groups[node.name] = item
            else:
                self.ops[node.name] = item
            yield
        self.overview = Overview(self.layout.nodes)
        self.scene.addItem(self.overview)
        self.items.append(self.overview)

    def show_blocks(self, blocks: bool) -> None:
        """Draw every node as a plain block (zoomed far out), or in full."""
        if self.overview is not None and self.overview.isVisible() != blocks:
            self.overview.setVisible(blocks)
            self.layer.setVisible(not blocks)

    def show_roles(self, document: Document) -> None:
        """Fill each record and its copies in the colour of its role (a parameter, a data input, a
        constant, a result, the backward root), or of its tint."""
        copies, tints = self.copies, self.tints
        bound = set(document.bound_columns())
        for name, item in self.values.items():
            if name in document:
                role_fill = tints.get(name) or ROLE_FILLS[value_role(document, name, bound)]
                item.set_role_fill(role_fill)
                for copy in copies.get(name, ()):
                    copy.set_role_fill(role_fill)
        for name, item in self.groups.items():
            item.set_role_fill(self.group_tints.get(name))

    def show_updates(self, updates: Mapping[str, float], document: Document, fill: bool = True) -> None:
        """Tint each parameter by its last training update (`update_fills`) and each collapsed group by
        its member's with the largest update, so that a net drawn as neurons shows its learning too;
        with `fill`, fill the items now."""
        fills = update_fills(updates, ROLE_FILLS["parameter"])
        self.tints = fills
        self.group_tints = {}
        groups = {g.name: g for g in document.groups} if fills else {}
        for name in self.groups:
            members = [m for m in groups[name].members if m in fills] if name in groups else []
            if members:
                self.group_tints[name] = fills[max(members, key=lambda m: abs(updates[m]))]
        if fill:
            self.show_roles(document)

    def show_numbers(self, document: Document) -> None:
        """Write each value's current data and grad into its record and its copies (and its role's
        fill: the backward root is one of the numbers that change)."""
        self.show_roles(document)
        stale = document.grads_stale
        copies = self.copies
        for name, item in self.values.items():
            if name not in document:
                continue
            grad = document.shown_grad(name)  # a learning tool's in place of the document's, or hidden
            wrong = document.expected_grad(name) is not None
            texts = [
                name,
                f"data {format_decimals(document.data(name))}",
                "grad ?" if grad is None else f"grad {format_decimals(grad)}",
            ]
            item.set_texts(texts, stale, wrong)
            for copy in copies.get(name, ()):
                copy.set_texts(texts, stale, wrong)
        for group_name, item in self.groups.items():
            output = self._group_output(document, group_name)
            if output is not None and len(item.node.fields) == 3:
                grad = document.shown_grad(output)
                numbers = [
                    f"data {format_decimals(document.data(output))}",
                    "grad ?" if grad is None else f"grad {format_decimals(grad)}",
                ]
                item.set_texts([item.node.fields[0].text, *numbers], stale, document.expected_grad(output) is not None)

    def _group_output(self, document: Document, group_name: str) -> str | None:
        """The one output of a collapsed group, found once per picture (its structure does not change)."""
        if group_name not in self._group_outputs:
            group = next((g for g in document.groups if g.name == group_name), None)
            outputs = collapse.outputs(document, group) if group is not None else []
            self._group_outputs[group_name] = outputs[0] if len(outputs) == 1 and outputs[0] in document else None
        return self._group_outputs[group_name]

    def show_marks(
        self,
        active: str | None,
        visited: Collection[str],
        selected: str | None,
        selected_group: str | None = None,
        path: Sequence[str] = (),
    ) -> None:
        """Colour the selected value (or collapsed group), the backward step's active value and its edges,
        the values it visited, and a path of the chain rule (`path`, from the root down: its values and
        the edges between them)."""
        on_path = set(path)
        for name, item in self.values.items():
            fill, outline = None, None
            if name == active:
                fill, outline = ACTIVE_FILL, ACTIVE_INK
            elif name in on_path:
                fill, outline = PATH_FILL, PATH_INK
            elif name in visited:
                fill = VISITED_FILL
            if name == selected:
                fill, outline = (fill or SELECTED_FILL), SELECTED_INK
            item.set_colours(fill, outline)
            for copy in self.copies.get(name, ()):
                copy.set_colours(fill, outline)
        path_ops = set(path[:-1])  # the ops the path goes through: each value's but the last
        for name, item in self.ops.items():
            if name == active:
                item.set_colours(ACTIVE_FILL, ACTIVE_INK)
            else:
                item.set_colours(*((PATH_FILL, PATH_INK) if name in path_ops else (None, None)))
        for item in self.groups.values():
            item.set_colours(SELECTED_FILL if item.name == selected_group else None, None)
        if self.overview is not None:
            marks = []
            for item in [
                *self.values.values(),
                *self.ops.values(),
                *(c for cs in self.copies.values() for c in cs),
            ]:
                if item.outline or item.fill:
                    colour = item.outline or (item.fill.darker(125) if item.fill else BLOCK_INK)
                    marks.append(
                        (
                            item.sceneBoundingRect().adjusted(
                                HIGHLIGHT_WIDTH, HIGHLIGHT_WIDTH, -HIGHLIGHT_WIDTH, -HIGHLIGHT_WIDTH
                            ),
                            colour,
                        )
                    )
            self.overview.set_marks(marks)
        for highlight in self.highlights:
            self.scene.removeItem(highlight)
        self.highlights = []
        if active is not None and self.layout is not None:
            # The edges of the step: operands -> op -> active value, and active value -> its users' ops.
            around = {render.value_id(active), render.op_id(active)}
            around.update(copy.node.id for copy in self.copies.get(active, ()))
            for edge in self.layout.edges:
                if edge.head == render.op_id(active) or edge.tail in around:
                    self._highlight(edge, ACTIVE_INK)
        if len(path) > 1 and self.layout is not None:
            # Each step of the path: the operand (or its dashed copy) -> the user's op -> the user.
            steps = {(render.op_id(user), operand) for user, operand in zip(path, path[1:])}
            for edge in self.layout.edges:
                kind, tail = render.parse_node_id(edge.tail)
                if kind == "op":
                    wanted = tail in path_ops and edge.head == render.value_id(tail)
                else:  # a collapsed group's edges are no step of a path between values
                    wanted = kind != "group" and (edge.head, tail) in steps
                if wanted:
                    self._highlight(edge, PATH_INK)

    def _highlight(self, edge: LayoutEdge, colour: QColor) -> None:
        highlight = EdgeHighlight(edge, colour)
        self.scene.addItem(highlight)
        self.highlights.append(highlight)

    def discard(self) -> Iterator[None]:
        """Free the items a few at a time (yielding between them), then the scene.

        Deleting a big picture's items at once would stall the UI thread for tens of milliseconds.
        """
        self.values, self.copies, self.ops, self.groups, self.highlights = {}, {}, {}, {}, []
        self.overview = None
        items, self.items = self.items, []
        while items:
            for item in reversed(items[-32:]):  # last built first: the nodes before their layer
                self.scene.removeItem(item)  # back to Python, freed with the last reference
            del items[-32:]
            yield
        self.scene.clear()
        self.scene.deleteLater()
