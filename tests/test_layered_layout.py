"""The layered layout for big pictures: the same nodes, texts and edges as dot's, laid out in ranks, fast."""

from __future__ import annotations

import pytest

from micrograd_gui import layered_layout, render
from micrograd_gui.document import Document
from tests.test_render import make_document, net_document
from tests.workspaces import LECTURE, shared_chain_definitions


def overlaps(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw - 0.01 and bx < ax + aw - 0.01 and ay < by + bh - 0.01 and by < ay + ah - 0.01


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_lecture_has_dots_nodes_texts_and_edges_in_ranks(rankdir):
    """Every node and edge of dot's layout, the same ids, kinds and texts; no two nodes overlap; every edge
    runs forward (left to right, or top to bottom) inside the picture, with its arrowhead at its head."""
    source = render.build_dot_source(make_document(LECTURE, backward_from="L"), rankdir=rankdir)
    ours = layered_layout.layout(source)
    dots = render.layout(source, timeout=20)
    assert sorted((n.id, n.kind, n.name, tuple(f.text for f in n.fields)) for n in ours.nodes) == sorted(
        (n.id, n.kind, n.name, tuple(f.text for f in n.fields)) for n in dots.nodes
    )
    assert sorted((e.tail, e.head) for e in ours.edges) == sorted((e.tail, e.head) for e in dots.edges)
    rects = {n.id: n.rect for n in ours.nodes}
    for i, a in enumerate(ours.nodes):
        assert all(not overlaps(a.rect, b.rect) for b in ours.nodes[i + 1 :]), a.id
        x, y, w, h = a.rect
        assert -0.5 <= x and x + w <= ours.width + 0.5 and -0.5 <= y and y + h <= ours.height + 0.5
        for field in a.fields:
            if a.shape == "record":
                assert layered_layout.text_width(field.text) <= field.cell[2]
    axis = 0 if rankdir == "LR" else 1
    for edge in ours.edges:
        assert rects[edge.tail][axis] < rects[edge.head][axis]
        assert len(edge.path) == 4 and len(edge.arrow) == 3
        tip = edge.arrow[1]
        hx, hy, hw, hh = rects[edge.head]
        assert hx - 0.5 <= tip[0] <= hx + hw + 0.5 and hy - 0.5 <= tip[1] <= hy + hh + 0.5


def test_collapsed_groups_are_laid_out_too():
    """A collapsed neuron is a group node in the layered layout as in dot's."""
    document = net_document()
    neurons = [g.name for g in document.groups if g.kind == "neuron"]
    result = layered_layout.layout(render.build_dot_source(document, collapsed=neurons))
    assert sorted(n.name for n in result.nodes if n.kind == "group") == neurons


def test_a_leaf_sits_just_before_its_first_use_and_a_chain_keeps_its_order():
    """Leaves and single-use values are ranked as late as their use allows, so a long chain is one rank per
    step, and its shared leaves stand beside the step that uses them first."""
    document = Document()
    document.replace_definitions(shared_chain_definitions(40))
    result = layered_layout.layout(render.build_dot_source(document, split_shared=False))
    x = {n.id: n.rect[0] for n in result.nodes}
    steps = [x[render.value_id(f"v{k}")] for k in range(41)]
    assert steps == sorted(steps) and len(set(steps)) == 41
    assert x[render.value_id("w0")] < x[render.op_id("m1")] < x[render.value_id("m1")]


def test_a_big_graph_gets_a_place_for_every_node():
    """The chain at 1,000 steps (2,009 values, about 4,000 nodes; bench/big_graphs.py times it beside dot):
    every node laid out once, none overlapping its rank's neighbours."""
    document = Document()
    document.replace_definitions(shared_chain_definitions(1000))
    result = layered_layout.layout(render.build_dot_source(document, split_shared=False))
    assert len(result.nodes) == len({n.id for n in result.nodes}) == 2009 + 2000
    columns: dict[float, list] = {}
    for node in result.nodes:
        columns.setdefault(round(node.rect[0] + node.rect[2] / 2, 3), []).append(node.rect)
    for rects in columns.values():
        rects.sort(key=lambda r: r[1])
        assert all(a[1] + a[3] <= b[1] + 0.01 for a, b in zip(rects, rects[1:]))
