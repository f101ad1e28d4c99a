"""A Picture built from a real layout with no widget around it: its items, numbers, marks and freeing."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF

from micrograd_gui.widgets.graph_items import (
    ACTIVE_FILL,
    ACTIVE_INK,
    SELECTED_FILL,
    SELECTED_INK,
    VISITED_FILL,
    graph_font,
)
from micrograd_gui.widgets.graph_picture import EDGES_PER_BATCH, MARGIN, Picture
from tests.gui.graph_helpers import document_of, layout_of
from tests.workspaces import LECTURE, shared_chain_definitions


def built(definitions) -> Picture:
    picture = Picture(None, layout_of(definitions))
    font = graph_font()
    for _ in picture.build(font, QFontMetricsF(font)):
        pass
    return picture


def test_build_makes_one_item_per_node_a_step_at_a_time(qapp):
    """Building yields once per edge batch and once per node; values, ops and copies are found by name."""
    layout = layout_of(LECTURE)
    picture = Picture(None, layout)
    font = graph_font()
    steps = sum(1 for _ in picture.build(font, QFontMetricsF(font)))
    batches = -(-len(layout.edges) // EDGES_PER_BATCH)
    assert steps == batches + len(layout.nodes)
    assert list(picture.values) == [n.name for n in layout.nodes if n.kind == "value"]
    assert set(picture.values) == {d.name for d in LECTURE}
    assert set(picture.ops) == {"e", "d", "L"} and picture.copies == {}
    assert picture.overview is not None and not picture.overview.isVisible()
    rect = picture.scene.sceneRect()
    assert (rect.width(), rect.height()) == (layout.width + 2 * MARGIN, layout.height + 2 * MARGIN)


def test_show_numbers_writes_the_documents_data_grads_and_staleness(qapp):
    """The records (and dashed copies) show the document's current numbers; grads go stale after an edit."""
    document = document_of(LECTURE)
    picture = built(LECTURE)
    document.backward("L")
    picture.show_numbers(document)
    assert picture.values["a"].texts() == ["a", "data 2.0000", "grad 6.0000"]
    assert not picture.values["a"].grad_stale
    document.set_leaf_data("a", 3.0)
    picture.show_numbers(document)
    assert picture.values["e"].texts()[1] == "data -9.0000"
    assert all(item.grad_stale for item in picture.values.values())

    chain = shared_chain_definitions(60)
    chain_document, chain_picture = document_of(chain), built(chain)
    assert chain_picture.copies["w0"]
    chain_document.set_leaf_data("w0", 0.25)
    chain_picture.show_numbers(chain_document)
    assert {copy.texts()[1] for copy in chain_picture.copies["w0"]} == {"data 0.2500"}


def test_show_marks_colours_the_step_and_the_selection_and_clears(qapp):
    """The active value, its op and edges, the visited values and the selection each get their colour."""
    picture = built(LECTURE)
    picture.show_marks("d", ["L"], "a")
    assert (picture.values["d"].fill, picture.values["d"].outline) == (ACTIVE_FILL, ACTIVE_INK)
    assert picture.ops["d"].fill == ACTIVE_FILL and picture.ops["e"].fill is None
    assert picture.values["L"].fill == VISITED_FILL
    assert (picture.values["a"].fill, picture.values["a"].outline) == (SELECTED_FILL, SELECTED_INK)
    assert picture.values["b"].fill is None
    edges = sorted((h.edge.tail, h.edge.head) for h in picture.highlights)
    assert edges == sorted([("v_e", "o_d"), ("v_c", "o_d"), ("o_d", "v_d"), ("v_d", "o_L")])
    assert all(h.scene() is picture.scene for h in picture.highlights)
    picture.show_marks(None, (), None)
    assert picture.highlights == []
    assert all(item.fill is None and item.outline is None for item in picture.values.values())


def test_show_blocks_swaps_the_detailed_nodes_for_the_overview(qapp):
    """Blocks on: the overview shows and the node layer hides; off: the reverse."""
    picture = built(LECTURE)
    assert picture.overview is not None
    picture.show_blocks(True)
    assert picture.overview.isVisible() and not picture.layer.isVisible()
    assert not picture.values["a"].isVisible()
    picture.show_blocks(False)
    assert not picture.overview.isVisible() and picture.values["a"].isVisible()


def test_discard_frees_a_big_picture_a_few_items_per_step(qapp):
    """Freeing a picture of hundreds of items takes many short steps and leaves an empty scene."""
    picture = built(shared_chain_definitions(60))
    count = len(picture.items)
    assert count > 200
    steps = sum(1 for _ in picture.discard())
    assert steps > 5  # never all at once: each step stays short
    assert picture.items == [] and picture.values == {} and picture.overview is None
    assert picture.scene.items() == []
