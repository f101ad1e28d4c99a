"""The layout scheduler on a bare Document, no widget at all: pictures that follow the document's structure."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtGui import QFontMetricsF

from micrograd_gui import render
from micrograd_gui.document import Document
from micrograd_gui.widgets import layout_scheduler
from micrograd_gui.widgets.graph_items import graph_font
from micrograd_gui.widgets.graph_picture import Picture
from micrograd_gui.widgets.layout_scheduler import RETIRE_AT_ONCE, LayoutScheduler
from tests.gui.graph_helpers import fake_dot, layout_of
from tests.workspaces import LECTURE, shared_chain_definitions


class Recorder:
    """A scheduler over a fresh document, with every signal it sends written down in order."""

    def __init__(self, qtbot, document: Document) -> None:
        self.document = document
        self.scheduler = LayoutScheduler(document)
        self.events: list[tuple[str, object]] = []
        self.pictures: list[Picture] = []
        self.scheduler.picture_ready.connect(self._on_picture)
        self.scheduler.settled.connect(lambda: self.events.append(("settled", self.scheduler.is_pending())))
        self.scheduler.failed.connect(lambda message: self.events.append(("failed", message)))
        self.scheduler.layout_started.connect(lambda count: self.events.append(("started", count)))
        self.scheduler.layout_slow.connect(lambda: self.events.append(("slow", None)))
        self.scheduler.numbers_changed.connect(lambda: self.events.append(("numbers", None)))
        qtbot.waitUntil(lambda: not self.scheduler.is_busy(), timeout=10_000)  # the first (empty) picture

    def _on_picture(self, picture: Picture) -> None:
        self.events.append(("picture", self.scheduler.is_pending()))
        self.pictures.append(picture)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


@pytest.fixture
def recorder(qtbot):
    return Recorder(qtbot, Document())


def test_an_empty_document_gets_an_empty_picture_first(qtbot, recorder):
    """On construction the scheduler makes the first picture by itself: empty, with no layout, then settles."""
    assert recorder.kinds() == ["picture", "settled"]
    assert recorder.events == [("picture", True), ("settled", False)]  # pending while the picture is handed over
    picture = recorder.pictures[0]
    assert picture.layout is None and picture.values == {}


def test_a_change_of_structure_brings_one_picture_of_the_new_document(qtbot, recorder):
    """Graphviz lays out the document in the background; the picture has every value; one signal each."""
    recorder.events.clear()
    with qtbot.waitSignal(recorder.scheduler.settled, timeout=20_000):
        recorder.document.replace_definitions(LECTURE)
        assert recorder.scheduler.is_pending() and recorder.scheduler.is_busy()
    assert recorder.events == [("started", 7), ("picture", True), ("settled", False)]
    picture = recorder.pictures[-1]
    assert list(picture.values) == ["a", "b", "c", "e", "d", "f", "L"]
    assert picture.values["e"].texts() == ["e", "data -6.0000", "grad 0.0000"]
    assert picture.layout is not None and picture.layout.width > picture.layout.height  # left to right


def test_a_change_of_numbers_only_is_passed_on_without_a_layout(qtbot, recorder):
    """A leaf edit or a backward says numbers_changed() at once and asks Graphviz for nothing."""
    with qtbot.waitSignal(recorder.scheduler.settled, timeout=20_000):
        recorder.document.replace_definitions(LECTURE)
    recorder.events.clear()
    recorder.document.set_leaf_data("a", 5.0)
    recorder.document.backward("L")
    assert recorder.events == [("numbers", None), ("numbers", None)]
    assert not recorder.scheduler.is_busy()
    qtbot.wait(layout_scheduler.DEBOUNCE_MS * 3)
    assert recorder.kinds() == ["numbers", "numbers"]


def test_a_burst_of_changes_gets_one_layout(qtbot, recorder):
    """Twelve changes in a row are debounced into one layout of the final document."""
    recorder.events.clear()
    recorder.document.add_leaf("x0", 1.0)
    for i in range(1, 12):
        recorder.document.add_op(f"x{i}", "*", [f"x{i - 1}", "x0"])
    qtbot.waitUntil(lambda: not recorder.scheduler.is_busy(), timeout=20_000)
    assert recorder.kinds() == ["started", "picture", "settled"]
    assert list(recorder.pictures[-1].values) == recorder.document.names


def test_a_newer_change_supersedes_a_layout_in_progress(qtbot, recorder, tmp_path, monkeypatch):
    """A change while dot runs drops that layout: only the picture of the newer document arrives."""
    real = render.find_dot()
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, f'sleep 0.5\nexec "{real}" "$@"\n'))
    recorder.events.clear()
    recorder.document.replace_definitions(LECTURE)
    qtbot.waitUntil(lambda: ("started", 7) in recorder.events, timeout=5_000)
    recorder.document.add_leaf("z", 1.0)
    with qtbot.waitSignal(recorder.scheduler.settled, timeout=20_000):
        pass
    kinds = [kind for kind in recorder.kinds() if kind != "slow"]  # each layout takes over BUSY_AFTER_MS here
    assert kinds == ["started", "started", "picture", "settled"]
    assert [event for event in recorder.events if event[0] == "started"] == [("started", 7), ("started", 8)]
    assert "z" in recorder.pictures[-1].values


def test_a_slow_layout_is_announced_once_it_passes_the_threshold(qtbot, recorder, tmp_path, monkeypatch):
    """dot taking longer than BUSY_AFTER_MS brings layout_slow() while still pending, then the picture."""
    real = render.find_dot()
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, f'sleep 0.8\nexec "{real}" "$@"\n'))
    recorder.events.clear()
    with qtbot.waitSignal(recorder.scheduler.layout_slow, timeout=5_000):
        recorder.document.replace_definitions(LECTURE)
    assert recorder.scheduler.is_pending()
    with qtbot.waitSignal(recorder.scheduler.settled, timeout=20_000):
        pass
    assert recorder.kinds() == ["started", "slow", "picture", "settled"]


def test_a_failing_dot_is_a_failure_with_its_reason(qtbot, recorder, tmp_path, monkeypatch):
    """dot exiting with an error gives failed(message) and no picture; the scheduler is idle after."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, 'echo "Error: out of memory" >&2\nexit 1\n'))
    recorder.events.clear()
    with qtbot.waitSignal(recorder.scheduler.failed, timeout=10_000) as blocker:
        recorder.document.replace_definitions(LECTURE)
    assert "out of memory" in blocker.args[0]
    assert recorder.kinds() == ["started", "failed"] and not recorder.scheduler.is_busy()


def test_too_many_values_fail_without_asking_dot(qtbot, recorder, monkeypatch):
    """Past MAX_DRAWN_VALUES the scheduler says why at once and starts no layout."""
    monkeypatch.setattr(layout_scheduler, "MAX_DRAWN_VALUES", 5)
    recorder.events.clear()
    with qtbot.waitSignal(recorder.scheduler.failed, timeout=5_000) as blocker:
        recorder.document.replace_definitions(LECTURE)
    assert "7 values" in blocker.args[0] and "at most 5" in blocker.args[0]
    assert recorder.kinds() == ["failed"]


def test_rankdir_change_brings_a_top_to_bottom_picture(qtbot, recorder):
    """set_rankdir('TB') says it changed and lays out downwards; the same value again changes nothing."""
    with qtbot.waitSignal(recorder.scheduler.settled, timeout=20_000):
        recorder.document.replace_definitions(LECTURE)
    with qtbot.waitSignal(recorder.scheduler.settled, timeout=20_000):
        assert recorder.scheduler.set_rankdir("TB") is True
    assert recorder.scheduler.rankdir() == "TB"
    values = recorder.pictures[-1].values
    assert values["L"].sceneBoundingRect().top() > values["a"].sceneBoundingRect().bottom()
    assert recorder.scheduler.set_rankdir("TB") is False and not recorder.scheduler.is_busy()
    with pytest.raises(ValueError):
        recorder.scheduler.set_rankdir("sideways")
    assert recorder.scheduler.rankdir() == "TB"


def test_a_big_old_picture_is_freed_in_slices(qtbot, recorder):
    """retire() frees a small picture at once and a big one between events, busy until it is done."""
    font = graph_font()
    small = Picture(None, layout_of(LECTURE))
    for _ in small.build(font, QFontMetricsF(font)):
        pass
    recorder.scheduler.retire(small)
    assert small.items == [] and not recorder.scheduler.is_busy()
    big = Picture(None, layout_of(shared_chain_definitions(60)))
    for _ in big.build(font, QFontMetricsF(font)):
        pass
    assert len(big.items) >= RETIRE_AT_ONCE
    recorder.scheduler.retire(big)
    assert recorder.scheduler.is_busy() and not recorder.scheduler.is_pending()
    qtbot.waitUntil(lambda: not recorder.scheduler.is_busy(), timeout=5_000)
    assert big.items == []


def test_a_deleted_scheduler_stops_listening_to_the_document(qtbot, recorder):
    """Once the scheduler is gone, the document's next change removes its listener and nothing breaks."""
    document = recorder.document
    listeners = len(document._listeners)
    shiboken6.delete(recorder.scheduler)
    document.add_leaf("a", 1.0)
    assert len(document._listeners) == listeners - 1
