"""Pictures of the workspace for the graph panel, made without ever holding the UI thread.

Graphviz runs in the background (`render.LayoutWorker`); its output is parsed
and the picture's items are built on the UI thread in slices of a few
milliseconds, between events; an old picture is freed the same way.
"""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Collection, Iterator

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QFontMetricsF

from micrograd_gui import collapse, layered_layout, render
from micrograd_gui.document import Change, Document
from micrograd_gui.render import Layout, LayoutWorker
from micrograd_gui.widgets.graph_items import graph_font
from micrograd_gui.widgets.graph_picture import Picture

DEBOUNCE_MS = 30  # a burst of changes gets one layout
BUSY_AFTER_MS = 300  # a layout slower than this is announced with `layout_slow`
BUILD_SLICE_S = 0.008  # the scene is built in slices this long, so the UI thread never stalls
RETIRE_AT_ONCE = 200  # a picture with fewer items is freed at once, a bigger one in slices
# Up to this many values drawn, Graphviz `dot` lays the picture out (its routing is the lecture's look);
# past it dot needs seconds (it grows as n^2.2 to n^3), and micrograd_gui.layered_layout, well under a
# second, does instead.
LAYERED_FROM = 1000
MAX_DRAWN_VALUES = 20_000  # past this, even the layered picture is too big to be of use: the panel says so


def _freeze_long_lived() -> None:
    """Move what exists now (the workspace's Values, the layout, the picture's items: all long-lived)
    out of the collector's generations, as cli.open_window does at start-up. A full collection walks
    every tracked object, and with a big workspace open one took 50-70 ms of the UI thread while the
    next picture was built; frozen objects are still freed when their last reference goes (nothing
    here makes reference cycles), they are only no longer walked."""
    gc.freeze()


class LayoutScheduler(QObject):
    """Makes a new picture each time the structure of a document changes.

    Listens to the document itself: a change of structure asks `render` for a
    new layout (debounced, in the background, the newest superseding older
    ones, whose results are dropped) and builds the picture's items in short
    slices; a change of numbers only is passed on as `numbers_changed()`, for
    the picture shown to rewrite its texts in place. The first picture is
    scheduled on construction.

    Signals: `picture_ready(picture)` when a new `Picture` is built, then
    `settled()` once nothing is on its way any more; `failed(message)` instead
    when there is no new picture (too many values, Graphviz failed, its output
    unreadable); `layout_started(count)` when Graphviz is asked to lay out
    `count` values and `layout_slow()` if it takes longer than BUSY_AFTER_MS;
    `numbers_changed()` on a change of numbers only; `workspace_replaced()` when a whole new
    workspace comes in (opened, new, an example); `root_dropped()` when the value whose ancestry alone
    was drawn (`set_root`) is gone, and everything is drawn again.

    It also holds which groups are drawn collapsed (`collapsed()`, `set_collapsed()`):
    the neurons of a template that makes more than one start collapsed, as
    do those of a file opened; a lone neuron starts expanded, to be read.
    """

    picture_ready = Signal(object)
    settled = Signal()
    failed = Signal(str)
    layout_started = Signal(int)
    layout_slow = Signal()
    numbers_changed = Signal()
    workspace_replaced = Signal()
    root_dropped = Signal()

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._rankdir = "LR"
        self._font = graph_font()
        self._metrics = QFontMetricsF(self._font)
        self._next: Picture | None = None  # the picture being built
        self._steps: Iterator[None] | None = None
        self._pending = False  # a new picture is on its way (debounce, dot, or building)
        self._generation = 0
        self._worker = LayoutWorker(parse=False)  # parsed here, in slices: see _parse_and_build
        self._collapsed: frozenset[str] = frozenset()
        self._root: str | None = None  # draw only what feeds this value
        self._numbers_moved = True
        self._known_groups: frozenset[str] = frozenset()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._build_timer = QTimer(self)
        self._build_timer.setInterval(0)
        self._retiring: list[Iterator[None]] = []  # pictures being freed, in slices
        self._retire_timer = QTimer(self)
        self._retire_timer.setInterval(0)

        self._debounce.timeout.connect(self._start_layout)
        self._busy_timer.timeout.connect(self._on_busy_timeout)
        self._build_timer.timeout.connect(self._build_slice)
        self._retire_timer.timeout.connect(self._retire_slice)
        self._worker.finished.connect(self._on_layout_finished)
        self._worker.failed.connect(self._on_layout_failed)
        worker = self._worker
        self.destroyed.connect(lambda *_: worker.cancel())
        self._listen(document)
        self._follow_groups()
        self.schedule()

    def _listen(self, document: Document) -> None:
        # A weak link: a scheduler that is gone never hears from the document again.
        ref = weakref.ref(self)

        def listener(change: Change) -> None:
            scheduler = ref()
            if scheduler is None or not shiboken6.isValid(scheduler):
                document.remove_listener(listener)
                return
            scheduler._on_document_changed(change)

        document.add_listener(listener)

    # ---- public API -------------------------------------------------------------------

    def rankdir(self) -> str:
        return self._rankdir

    def set_rankdir(self, rankdir: str) -> bool:
        """Lay out left to right ('LR') or top to bottom ('TB'); True if that changes it (a new picture comes)."""
        if rankdir not in ("LR", "TB"):
            raise ValueError(f"rankdir must be 'LR' or 'TB', not {rankdir!r}")
        if rankdir == self._rankdir:
            return False
        self._rankdir = rankdir
        self.schedule()
        return True

    def root(self) -> str | None:
        """The value whose ancestry alone is drawn (None: everything)."""
        return self._root

    def set_root(self, root: str | None) -> bool:
        """Draw only what feeds `root` (None: everything); True if that changes the picture."""
        if root is not None and root not in self._document:
            root = None
        if root == self._root:
            return False
        self._root = root
        self.schedule()
        return True

    def collapsed(self) -> frozenset[str]:
        """The names of the groups drawn as one node each."""
        return self._collapsed

    def set_collapsed(self, names: Collection[str]) -> bool:
        """Draw the groups named (of those the document has) collapsed, every other one expanded;
        True if that changes the picture (a new one comes)."""
        groups = {g.name for g in self._document.groups}
        collapsed = frozenset(n for n in names if n in groups)
        if collapsed == self._collapsed:
            return False
        self._collapsed = collapsed
        self.schedule()
        return True

    def _follow_groups(self) -> None:
        """Collapse the neurons of groups that just appeared, when there are several; forget groups gone."""
        groups = self._document.groups
        names = frozenset(g.name for g in groups)
        if names == self._known_groups:
            return
        new_neurons = [g.name for g in groups if g.kind == "neuron" and g.name not in self._known_groups]
        collapsed = set(self._collapsed & names)
        if len(new_neurons) > 1:
            collapsed.update(new_neurons)
        self._collapsed = frozenset(collapsed)
        self._known_groups = names

    def schedule(self) -> None:
        """Make a new picture soon; a layout or a build already running describes an older workspace: drop it now."""
        self._generation = self._worker.cancel()
        self._stop_building()
        self._pending = True
        self._debounce.start()

    def is_pending(self) -> bool:
        """Whether a new picture is on its way."""
        return self._pending

    def is_busy(self) -> bool:
        """Whether a new picture is on its way or an old one is still being freed."""
        return self._pending or bool(self._retiring)

    def retire(self, picture: Picture) -> None:
        """Free a picture no longer shown: at once if it is small, else in slices between events."""
        steps = picture.discard()
        if len(picture.items) < RETIRE_AT_ONCE:
            for _ in steps:
                pass
            return
        self._retiring.append(steps)
        self._retire_timer.start()

    # ---- the layout -------------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        if change.replaced:
            self.workspace_replaced.emit()
        if self._root is not None and (change.replaced or self._root not in self._document):
            self._root = None
            self.root_dropped.emit()
        if change.structure:
            self._follow_groups()
            self.schedule()
        else:
            self._numbers_moved = True
            self.numbers_changed.emit()

    def numbers_moved(self) -> bool:
        """Whether numbers changed since the text of the picture on its way was made (its labels then
        hold older numbers, and the picture shown must rewrite them)."""
        return self._numbers_moved

    def _start_layout(self) -> None:
        self._numbers_moved = False  # the labels hold the numbers as they are now
        kept = self._document.ancestors(self._root) if self._root is not None else None
        count = len(self._document) if kept is None else len(kept)
        if self._collapsed:  # what is drawn: the values outside collapsed groups, and the groups
            owner = collapse.owners(self._document, self._collapsed, kept)
            count += len({g.name for g in owner.values()}) - len(owner)
        if count == 0:
            self._deliver(Picture(self))
            return
        if count > MAX_DRAWN_VALUES:
            self._fail(
                f"This workspace has {count:,} values; the graph panel draws at most "
                f"{MAX_DRAWN_VALUES:,}. The table and the other tools still work."
            )
            return
        layered = count > LAYERED_FROM
        try:  # the layered layout draws long edges as they are: no dashed copies needed
            source = render.build_dot_source(
                self._document,
                rankdir=self._rankdir,
                root=self._root,
                split_shared=False if layered else None,
                collapsed=self._collapsed,
            )
        except render.RenderError as error:
            self._fail(str(error))
            return
        self._generation = self._worker.request(source, layered_layout.layout if layered else None)
        self.layout_started.emit(count)
        self._busy_timer.start()

    def _on_layout_finished(self, generation: int, output: bytes | Layout) -> None:
        if generation != self._generation or not self._pending or self._debounce.isActive():
            return
        _freeze_long_lived()
        self._steps = self._parse_and_build(output)
        self._build_slice()
        if self._steps is not None:
            self._build_timer.start()

    def _parse_and_build(self, output: bytes | Layout) -> Iterator[None]:
        """Read dot's output (or take the layered layout's) and make the new picture's items, yielding
        often (see `_build_slice`)."""
        result = output if isinstance(output, Layout) else (yield from render.parse_layout_steps(output))
        self._next = Picture(self, result)
        yield from self._next.build(self._font, self._metrics)

    def _build_slice(self) -> None:
        """Run the picture's steps for a few milliseconds; the event loop runs between slices."""
        if self._steps is None:
            self._build_timer.stop()
            return
        deadline = time.perf_counter() + BUILD_SLICE_S
        steps = self._steps
        try:
            while True:
                for _ in range(8):
                    if next(steps, StopIteration) is StopIteration:
                        picture, self._next, self._steps = self._next, None, None
                        self._build_timer.stop()
                        assert picture is not None
                        self._deliver(picture)
                        return
                if time.perf_counter() > deadline:
                    return
        except render.RenderError as error:
            self._stop_building()
            self._fail(str(error))

    def _stop_building(self) -> None:
        self._build_timer.stop()
        if self._next is not None:
            self.retire(self._next)
        self._next, self._steps = None, None

    def _on_layout_failed(self, generation: int, message: str) -> None:
        if generation != self._generation or not self._pending or self._debounce.isActive():
            return
        self._fail(message)

    def _deliver(self, picture: Picture) -> None:
        _freeze_long_lived()
        self.picture_ready.emit(picture)  # still pending while the receiver shows it
        self._settle()
        self.settled.emit()

    def _fail(self, message: str) -> None:
        self._settle()
        self.failed.emit(message)

    def _settle(self) -> None:
        self._pending = False
        self._busy_timer.stop()

    def _on_busy_timeout(self) -> None:
        if self._pending:
            self.layout_slow.emit()

    def _retire_slice(self) -> None:
        deadline = time.perf_counter() + BUILD_SLICE_S
        while self._retiring and time.perf_counter() < deadline:
            if next(self._retiring[0], StopIteration) is StopIteration:
                self._retiring.pop(0)
        if not self._retiring:
            self._retire_timer.stop()
