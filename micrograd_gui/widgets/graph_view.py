"""The graph panel: the workspace drawn as the micrograd lecture draws it.

The panel shows one `Picture` (graph_picture.py, its items in graph_items.py)
on a zoomable `GraphCanvas` (graph_canvas.py); a `LayoutScheduler`
(layout_scheduler.py) makes each new picture as the workspace changes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGraphicsScene, QLabel, QVBoxLayout, QWidget

from engine import LOCAL_GRAD_FORMULAS, format_decimals, format_number, local_grads
from micrograd_gui import assets, collapse
from micrograd_gui.document import Document
from micrograd_gui.roles import ROLE_TITLES, ROLES
from micrograd_gui.widgets.find_bar import FindBar
from micrograd_gui.widgets.graph_canvas import MIN_SCALE, ZOOM_STEP, GraphCanvas
from micrograd_gui.widgets.graph_items import BACKGROUND, BLOCK_BELOW, BORDER, INK, ROLE_FILLS, NodeItem
from micrograd_gui.widgets.graph_picture import Picture
from micrograd_gui.widgets.layout_scheduler import LayoutScheduler
from micrograd_gui.widgets.overview_map import OverviewMap

MAX_FIT_SCALE = 1.5
READING_SCALE = 0.8  # Find zooms in to at least this, so the value found can be read

EMPTY_HINT = (
    "Create a value to start: type a name and a number, then press Create.\n"
    "Or paste Python code that builds Values, such as the lecture's (Ctrl+V)."
)


class GraphView(QWidget):
    """The graph panel over a workspace document (objectName 'graphView').

    Its `LayoutScheduler` listens to the document: a change of structure
    brings a new picture (laid out in the background, the newest superseding
    older ones, built in short slices); a change of numbers only rewrites the
    texts of the picture shown in place, so nothing moves.

    Signals: `picture_updated()` each time the picture catches up with the
    workspace; `node_clicked(name, shift)` on a click on a value node (or one
    of its dashed copies); `node_double_clicked(name)` on a double-click on one;
    `selection_changed(name)` ('' for none) when a click
    or a new picture changes the selection (not when `select()` is called);
    `layout_failed(message)` when Graphviz could not draw the workspace;
    `focus_changed(name)` when the panel starts drawing only what feeds `name`
    (`set_focus`), or everything again ('').

    `show_find()` opens the find bar (Ctrl+F): typing selects the best match,
    expanding its group, and scrolls to it (`selection_changed` follows).

    A group of the document (a neuron, layer or net) can be drawn collapsed, as one
    node (`collapse`, `expand`, `collapse_all_neurons`, `expand_all`): a double-click
    on it expands it, a double-click on a value of an expanded neuron collapses the
    neuron again. Selecting or stepping to a value drawn inside a collapsed group
    expands the group, so nothing is hidden.
    """

    picture_updated = Signal()
    node_clicked = Signal(str, bool)
    node_double_clicked = Signal(str)
    selection_changed = Signal(str)
    layout_failed = Signal(str)
    focus_changed = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        self._document = document
        self._picture = Picture(self)
        self._selected: str | None = None
        self._step_active: str | None = None
        self._step_visited: frozenset[str] = frozenset()
        self._selected_group: str | None = None
        self._select_after: str | None = None  # a value to select once the picture that shows it comes
        self._scroll_after: str | None = None  # a step's value to scroll to, likewise
        self._path: tuple[str, ...] = ()
        self._updates: Mapping[str, float] = {}  # parameters' last training updates, tinting them
        self._read_after: str | None = None  # a found value to zoom in on, likewise
        self._message = ""
        self._follow_fit = True  # refit new pictures until the user zooms
        self._text_scale = 1.0  # presentation mode draws the picture bigger

        self.canvas = GraphCanvas(self._picture.scene, self, self.tooltip_for, self.group_tooltip_for)
        self._hint = QLabel(EMPTY_HINT, self)
        self._hint.setObjectName("graphHint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color: #707070; font-size: 15px; background: transparent;")
        self._banner = QLabel(self)
        self._banner.setObjectName("graphMessage")
        self._banner.setWordWrap(True)
        self._banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._banner.setStyleSheet(
            "QLabel { color: %s; background: #fdecea; border: 1px solid #f2b8b5;"
            " border-radius: 4px; padding: 6px 10px; }" % assets.ERROR_COLOUR.name()
        )
        self._banner.hide()
        self._busy = QLabel("Laying out the graph…", self)
        self._busy.setObjectName("graphBusy")
        self._busy.setStyleSheet(
            "QLabel { color: #404040; background: #fff8e1; border: 1px solid #e6d7a3;"
            " border-radius: 4px; padding: 4px 10px; }"
        )
        self._busy.hide()
        self.legend = QLabel(self)
        self.legend.setObjectName("graphLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._scheduler = LayoutScheduler(document, self)
        self._find_bar = FindBar(document, self)
        self._map = OverviewMap(self._visible_scene_rect, self)
        self._map.hide()
        self._map_wanted = True
        self._map_picture: Picture | None = None  # the picture the map shows

        box = QVBoxLayout(self)
        box.setContentsMargins(1, 1, 1, 1)  # room for the panel's border, drawn in paintEvent
        box.addWidget(self.canvas)

        self._scheduler.picture_ready.connect(self._show_picture)
        self._scheduler.settled.connect(self._on_settled)
        self._scheduler.failed.connect(self._fail)
        self._scheduler.layout_started.connect(self._on_layout_started)
        self._scheduler.layout_slow.connect(self._show_busy)
        self._scheduler.numbers_changed.connect(self._on_numbers_changed)
        self._scheduler.workspace_replaced.connect(self._on_workspace_replaced)
        self._scheduler.root_dropped.connect(lambda: self.focus_changed.emit(""))
        self._find_bar.found.connect(self._on_found)
        self._map.centre_requested.connect(self.canvas.centerOn)
        self.canvas.horizontalScrollBar().valueChanged.connect(self._update_map)
        self.canvas.verticalScrollBar().valueChanged.connect(self._update_map)
        self.canvas.node_clicked.connect(self._on_node_clicked)
        self.canvas.group_clicked.connect(self._on_group_clicked)
        self.canvas.group_activated.connect(self.expand)
        self.canvas.value_activated.connect(self._on_value_activated)
        self.canvas.zoomed.connect(self._on_user_zoomed)

    # ---- public API -------------------------------------------------------------------

    def rankdir(self) -> str:
        return self._scheduler.rankdir()

    def set_rankdir(self, rankdir: str) -> None:
        """Lay the graph out left to right ('LR') or top to bottom ('TB')."""
        if self._scheduler.set_rankdir(rankdir):
            self._follow_fit = True

    def select(self, name: str | None) -> None:
        """Highlight one value node (None clears) and scroll it into view; a value drawn inside a
        collapsed group expands the group, and is selected once the new picture shows it."""
        self._select_after = None
        if name is not None and name not in self._picture.values:
            if self._reveal(name):
                self._select_after = name
            name = None
        self._selected = name
        self._selected_group = None
        self._apply_colours()
        if name is not None:
            self.canvas.ensureVisible(self._picture.values[name], 40, 40)

    def selected(self) -> str | None:
        return self._selected

    def zoom_in(self) -> None:
        self.canvas.scale_by(ZOOM_STEP, anchor_under_mouse=False)

    def zoom_out(self) -> None:
        self.canvas.scale_by(1 / ZOOM_STEP, anchor_under_mouse=False)

    def zoom(self) -> float:
        """The current scale: 1.0 draws one point of the layout as one pixel."""
        return self.canvas.transform().m11()

    def scale_picture(self, factor: float) -> None:
        """Draw the picture `factor` times bigger (presentation mode): a fit may grow as much, a zoom is scaled."""
        self._text_scale *= factor
        if self._follow_fit:
            self._fit()
        else:
            self.canvas.scale_by(factor, anchor_under_mouse=False)

    def fit_to_window(self) -> None:
        """Show the whole graph, no larger than a comfortable reading size."""
        self._follow_fit = True
        self._fit()

    def set_step_highlight(self, active: str | None, visited: Collection[str]) -> None:
        """Mark the backward step in progress: the active value and its edges, the values done (None, (): none)."""
        self._step_active = active
        self._step_visited = frozenset(visited)
        if active is not None and active not in self._picture.values and self._reveal(active):
            self._scroll_after = active
        self._apply_colours()
        if active is not None and active in self._picture.values:
            self.canvas.ensureVisible(self._picture.values[active], 40, 40)

    # ---- find and focus -------------------------------------------------------------------

    def show_find(self) -> FindBar:
        """Open the find bar over the graph."""
        self._find_bar.open()
        self._place_overlays()
        return self._find_bar

    def set_map_shown(self, shown: bool) -> None:
        """View > Overview map: show the map of the whole picture when it does not fit the panel."""
        self._map_wanted = shown
        self._update_map()

    def map_shown(self) -> bool:
        """Whether the overview map is on screen (wanted, and the picture does not fit)."""
        return self._map.isVisible()

    def _visible_scene_rect(self) -> QRectF:
        return self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()

    def _fits(self) -> bool:
        rect = self._picture.scene.sceneRect()
        return rect.isEmpty() or self._visible_scene_rect().adjusted(-2, -2, 2, 2).contains(rect)

    def _refresh_map(self) -> None:
        """Draw the picture shown into the map, then show it if the picture does not fit."""
        picture = self._picture
        if picture.overview is not None:
            self._map.set_blocks(picture.scene.sceneRect(), picture.overview.blocks())
        self._map_picture = picture
        self._update_map()

    def _update_map(self) -> None:
        shown = self._map_wanted and not self._fits()
        if shown and self._map_picture is not self._picture:  # drawn once the panel has shown the picture
            QTimer.singleShot(0, self, self._refresh_map)
            shown = False
        self._map.setVisible(shown)
        if shown:
            # bottom right, clear of the scroll bars (the legend has the bottom left)
            vertical, horizontal = self.canvas.verticalScrollBar(), self.canvas.horizontalScrollBar()
            right = self.width() - 12 - (vertical.width() if vertical.isVisible() else 0)
            bottom = self.height() - 12 - (horizontal.height() if horizontal.isVisible() else 0)
            self._map.move(right - self._map.width(), bottom - self._map.height())
            self._map.raise_()
            self._map.update()

    def focus(self) -> str | None:
        """The value whose ancestry alone is drawn (None: everything)."""
        return self._scheduler.root()

    def set_focus(self, name: str | None) -> None:
        """Draw only what feeds `name` (None: everything again), fitted."""
        if self._scheduler.set_root(name):
            self._follow_fit = True
            self.focus_changed.emit(self._scheduler.root() or "")

    def _on_found(self, name: str) -> None:
        if not name:
            return
        if self.focus() is not None and name not in self._document.ancestors(self.focus() or ""):
            self.set_focus(None)  # a value outside the focus: show everything again
        self.select(name)
        self.selection_changed.emit(name)
        if name in self._picture.values:
            self._zoom_to_read(name)
        else:
            self._read_after = name  # its group expands: zoom in once the new picture shows it

    def _zoom_to_read(self, name: str) -> None:
        """Centre `name`, zoomed in to a reading size when the picture is zoomed far out."""
        item = self._picture.values[name]
        if self.zoom() < READING_SCALE:
            self.canvas.resetTransform()
            self.canvas.scale(READING_SCALE, READING_SCALE)
            self._follow_fit = False
            self._update_detail()
        self.canvas.centerOn(item)

    # ---- groups drawn collapsed ------------------------------------------------------------

    def collapsed_groups(self) -> frozenset[str]:
        """The groups drawn (or about to be drawn) as one node each."""
        return self._scheduler.collapsed()

    def set_collapsed(self, names: Collection[str]) -> None:
        """Draw the groups named collapsed, every other one expanded (a new picture comes)."""
        self._scheduler.set_collapsed(names)

    def collapse(self, group: str) -> None:
        self.set_collapsed(self.collapsed_groups() | {group})

    def expand(self, group: str) -> None:
        self.set_collapsed(self.collapsed_groups() - {group})

    def collapse_all_neurons(self) -> None:
        """View > Collapse all neurons: each neuron one node (layers and nets drawn through their neurons)."""
        self.set_collapsed([g.name for g in self._document.groups if g.kind == "neuron"])

    def expand_all(self) -> None:
        """View > Expand all: every value drawn."""
        self.set_collapsed(())

    def group_names(self) -> list[str]:
        """The collapsed groups the picture shown draws."""
        return list(self._picture.groups)

    def group_item(self, name: str) -> NodeItem:
        """The node item drawing the collapsed group `name`."""
        return self._picture.groups[name]

    def group_tooltip_for(self, name: str) -> str:
        """What hovering a collapsed group shows: what it is, its size, how to expand it."""
        group = next((g for g in self._document.groups if g.name == name), None)
        if group is None:
            return ""
        lines = [collapse.title(self._document, group), f"a {group.kind} of {len(group.members)} values"]
        inputs = collapse.inputs(self._document, group)
        lines.append("inputs: " + ", ".join(inputs[:8]) + (" …" if len(inputs) > 8 else ""))
        lines.append("double-click to draw every value of it")
        return "\n".join(lines)

    def _reveal(self, name: str) -> bool:
        """Expand the collapsed groups that hide `name`; True if any did."""
        hiding = {g.name for g in self._document.groups_of(name)} & self.collapsed_groups()
        if not hiding:
            return False
        self.set_collapsed(self.collapsed_groups() - hiding)
        return True

    def _on_group_clicked(self, name: str) -> None:
        self._selected_group = name
        self._apply_colours()

    def _on_value_activated(self, name: str) -> None:
        """A double-click on a value folds its neuron; outside a neuron it asks for a rename (`node_double_clicked`)."""
        neurons = [g for g in self._document.groups_of(name) if g.kind == "neuron"]
        if neurons:
            self.collapse(neurons[0].name)
        else:
            self.node_double_clicked.emit(name)

    def set_path_highlight(self, path: Sequence[str]) -> None:
        """Mark one path of the chain rule, from the root down to a value: its values, ops and edges (() clears)."""
        self._path = tuple(path)
        self._apply_colours()

    def show_updates(self, updates: Mapping[str, float]) -> None:
        """Tint parameters by the size and sign of their last training update ({}: none; see Picture)."""
        self._updates = updates
        self._picture.show_updates(updates, self._document)

    def path_highlight(self) -> tuple[str, ...]:
        return self._path

    def message(self) -> str:
        """The error the panel shows ('' if none)."""
        return self._message

    def is_busy(self) -> bool:
        """Whether a new picture is on its way (or an old one is still being freed)."""
        return self._scheduler.is_busy()

    @property
    def scene(self) -> QGraphicsScene:
        """The scene of the picture shown."""
        return self._picture.scene

    def node_names(self) -> list[str]:
        """The names of the values drawn (each once, copies aside)."""
        return list(self._picture.values)

    def node_item(self, name: str) -> NodeItem:
        """The record item drawing `name` (tests read its position and texts)."""
        return self._picture.values[name]

    def copy_items(self, name: str) -> list[NodeItem]:
        """The dashed copies of `name` drawn at its far uses."""
        return list(self._picture.copies.get(name, ()))

    def highlighted_edges(self) -> list[tuple[str, str]]:
        """The (tail, head) node ids of the edges drawn highlighted."""
        return [(item.edge.tail, item.edge.head) for item in self._picture.highlights]

    def tooltip_for(self, name: str) -> str:
        """What hovering the value `name` shows: its definition, numbers and local derivatives."""
        document = self._document
        if name not in document:
            return ""
        definition = document.definition(name)
        value = document.value(name)
        operands = definition.operands
        lines = [f"{name}: a leaf" if definition.is_leaf else f"{name} = {definition.formula}"]
        lines.append(f"data {format_decimals(value.data)}")
        stale = "  (stale: run backward again)" if document.grads_stale else ""
        grad = document.shown_grad(name)  # never gives away a hidden grad
        lines.append(f"grad {'?' if grad is None else format_decimals(grad)}{stale}")
        expected = document.expected_grad(name)
        if expected is not None:
            lines.append(f"  wrong: the correct grad is {format_decimals(expected)}")
        formulas = LOCAL_GRAD_FORMULAS.get((definition.op, len(operands)))
        if formulas:
            lines.append("local derivatives:")
            try:
                numbers = local_grads(value)
            except (ArithmeticError, ValueError):
                numbers = tuple(float("nan") for _ in formulas)
            for operand, formula, number in zip(operands, formulas, numbers):
                text = formula.format(*operands).replace("out.", f"{name}.")
                if definition.op == "**":
                    text += f" with n = {format_number(definition.exponent or 0.0)}"
                lines.append(f"  d{name}/d{operand} = {text} = {format_decimals(number)}")
        copies = len(self._picture.copies.get(name, ()))
        if copies:
            lines.append(f"drawn again, dashed, at {copies} of its uses")
        return "\n".join(lines)

    # ---- following the scheduler --------------------------------------------------------

    def _on_numbers_changed(self) -> None:
        self._picture.show_numbers(self._document)
        if not self._scheduler.is_pending():
            self.picture_updated.emit()

    def _on_workspace_replaced(self) -> None:
        """Another workspace starts fitted, whatever zoom the one before had, and with no search open."""
        self._follow_fit = True
        self._find_bar.hide()

    def _on_layout_started(self, count: int) -> None:
        self._busy.setText(f"Laying out the graph ({count:,} values)…")

    def _on_settled(self) -> None:
        self._finish(message="")

    def _fail(self, message: str) -> None:
        """Show why there is no new picture; the last good one stays under the message."""
        self._finish(message=message, updated=False)
        self.layout_failed.emit(message)

    def _finish(self, message: str, updated: bool = True) -> None:
        self._busy.hide()
        self._message = message
        self._banner.setText(message)
        self._banner.setVisible(bool(message))
        self._hint.setVisible(len(self._document) == 0)
        self._place_overlays()
        if updated:
            self.picture_updated.emit()

    def _show_busy(self) -> None:
        self._busy.show()
        self._place_overlays()

    # ---- the picture --------------------------------------------------------------------

    def _show_picture(self, picture: Picture) -> None:
        old, self._picture = self._picture, picture
        picture.show_updates(self._updates, self._document, fill=False)
        self.canvas.setScene(picture.scene)
        self._scheduler.retire(old)
        # The labels hold the document's numbers as they were when the layout began; a learning tool's
        # grads (or hidden ones) and stale marks are not in them.
        if self._scheduler.numbers_moved() or self._document.grads_stale or self._document.grad_overlay is not None:
            self._picture.show_numbers(self._document)
        else:
            self._picture.show_roles(self._document)
        if self._select_after is not None and self._select_after in picture.values:
            self._selected, self._select_after = self._select_after, None
            self.canvas.ensureVisible(picture.values[self._selected], 40, 40)
        if self._selected is not None and self._selected not in picture.values:
            self._selected = None
            self.selection_changed.emit("")
        if self._scroll_after is not None and self._scroll_after in picture.values:
            self.canvas.ensureVisible(picture.values[self._scroll_after], 40, 40)
            self._scroll_after = None
        if self._read_after is not None and self._read_after in picture.values:
            self._zoom_to_read(self._read_after)
            self._read_after = None
        if self._selected_group not in picture.groups:
            self._selected_group = None
        self._apply_colours()
        if self._follow_fit:
            self._fit()
        self._update_detail()
        self._update_map()

    def _update_detail(self) -> None:
        """Far out, draw the nodes as blocks in one item: painting a thousand detailed items is slow."""
        overview = self._picture.overview
        if overview is not None:
            self._picture.show_blocks(self.zoom() * overview.node_height < BLOCK_BELOW)

    def _apply_colours(self) -> None:
        self._picture.show_marks(
            self._step_active, self._step_visited, self._selected, self._selected_group, self._path
        )

    # ---- zoom -----------------------------------------------------------------------------

    def _fit(self) -> None:
        rect = self._picture.scene.sceneRect()
        if rect.isEmpty() or not self._picture.values:
            return
        self.canvas.resetTransform()
        self.canvas.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.canvas.transform().m11()
        largest = MAX_FIT_SCALE * self._text_scale
        if scale > largest or scale < MIN_SCALE:
            target = min(largest, max(MIN_SCALE, scale))
            self.canvas.resetTransform()
            self.canvas.scale(target, target)
            self.canvas.centerOn(rect.center())
        self._update_detail()

    def _on_user_zoomed(self) -> None:
        self._follow_fit = False
        self._update_detail()
        self._update_map()

    def _on_node_clicked(self, name: str, shift: bool) -> None:
        if name != self._selected or self._selected_group is not None:
            self.select(name)
            self.selection_changed.emit(name)
        self.node_clicked.emit(name, shift)

    # ---- Qt overrides -------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(BORDER)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_overlays()
        if self._follow_fit:
            self._fit()
        self._update_map()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._place_overlays()
        if self._follow_fit:
            self._fit()

    def refresh_look(self) -> None:
        """Repaint in the picture's current look (graph_items.apply_look): background, nodes, legend."""
        self.canvas.setBackgroundBrush(BACKGROUND)
        self._picture.scene.setBackgroundBrush(BACKGROUND)
        self._picture.scene.update()
        self._fill_legend()

    def _fill_legend(self) -> None:
        ink = INK.name()

        def swatch(role: str) -> str:  # a filled square, or an outline where the fill is the background's
            fill = ROLE_FILLS[role]
            return (
                f"<span style='color:{ink}'>□</span>"
                if fill == BACKGROUND
                else f"<span style='color:{fill.name()}'>■</span>"
            )

        swatches = "".join(f"{swatch(role)}&nbsp;{ROLE_TITLES[role]}&nbsp;&nbsp; " for role in ROLES)
        self.legend.setText(f"<span style='color:{ink}; font-size:11px;'>{swatches}</span>")
        self.legend.setStyleSheet(f"QLabel {{ background: {BACKGROUND.name()}; padding: 2px 6px; }}")
        self.legend.adjustSize()

    def _place_overlays(self) -> None:
        width, height = self.width(), self.height()
        self.legend.setVisible(bool(self._picture.values))
        if self.legend.isVisible():
            if not self.legend.text():
                self._fill_legend()
            self.legend.move(8, height - self.legend.height() - 8)
            self.legend.raise_()
        if self._find_bar.isVisible():
            bar_width = min(320, max(width - 24, 10))
            self._find_bar.setFixedWidth(bar_width)
            self._find_bar.adjustSize()
            scroll_bar = self.canvas.verticalScrollBar()
            right = width - 12 - (scroll_bar.width() if scroll_bar.isVisible() else 0)
            self._find_bar.move(right - bar_width, 8)
            self._find_bar.raise_()
        self._hint.setGeometry(20, 0, max(width - 40, 10), height)
        if self._banner.isVisible():
            banner_width = max(min(width - 24, 720), 10)
            self._banner.setFixedWidth(banner_width)
            self._banner.adjustSize()
            self._banner.move((width - banner_width) // 2, 12)
            self._banner.raise_()
        if self._busy.isVisible():
            self._busy.adjustSize()
            self._busy.move(width - self._busy.width() - 12, height - self._busy.height() - 12)
            self._busy.raise_()
