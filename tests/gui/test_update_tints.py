"""The picture tints parameters by their last training update: the sign by the hue, the size by how strong."""

from __future__ import annotations

import pytest

from micrograd_gui.document import Document
from micrograd_gui.templates import build_net, parse_template
from micrograd_gui.widgets.graph_items import LOWERED_FILL, RAISED_FILL, ROLE_FILLS, mix, update_fills
from micrograd_gui.widgets.graph_view import GraphView
from tests.workspaces import LECTURE


@pytest.fixture
def view(qtbot):
    document = Document()
    widget = GraphView(document)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=10000)
    widget.document = document
    return widget


def test_fills_take_the_sign_and_the_size_of_each_update():
    """The largest update gets the strongest tint, a hundred times smaller still shows (a tenth as
    strong), a zero none; up is green, down red."""
    base = ROLE_FILLS["parameter"]
    fills = update_fills({"a": 1.0, "b": -0.01, "c": 0.0}, base)
    assert fills["a"] == mix(base, RAISED_FILL, 0.7)
    assert fills["b"] == mix(base, LOWERED_FILL, 0.07)
    assert fills["c"] == base
    assert update_fills({"a": 0.0}, base) == {}


def test_parameters_are_tinted_and_the_tint_goes(qtbot, view):
    """show_updates tints the parameters named and leaves the rest in their role's fill; {} clears it,
    and a new picture keeps the tints."""
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        view.document.replace_definitions(LECTURE)
    view.show_updates({"a": 0.5, "f": -0.5})
    assert view.node_item("a").role_fill == mix(ROLE_FILLS["parameter"], RAISED_FILL, 0.7)
    assert view.node_item("f").role_fill == mix(ROLE_FILLS["parameter"], LOWERED_FILL, 0.7)
    assert view.node_item("b").role_fill == ROLE_FILLS["parameter"]
    view.set_rankdir("TB")
    qtbot.waitUntil(lambda: not view.is_busy(), timeout=20000)
    assert view.node_item("a").role_fill == mix(ROLE_FILLS["parameter"], RAISED_FILL, 0.7)
    view.show_updates({})
    assert view.node_item("a").role_fill == ROLE_FILLS["parameter"]


def test_a_collapsed_neuron_takes_its_largest_update(qtbot, view):
    """A neuron drawn as one node is tinted as its parameter with the largest update."""
    document = view.document
    document.add_leaf("x1", 1.0)
    document.add_leaf("x2", 2.0)
    net, _ = parse_template("n = Neuron([x1, x2], seed=3)")
    built = build_net(net, document)
    document.add_many(built.definitions, built.groups)
    group = built.groups[0].name
    with qtbot.waitSignal(view.picture_updated, timeout=20000):
        view.collapse(group)
    qtbot.waitUntil(lambda: group in view.group_names(), timeout=20000)
    weights = [m for m in built.groups[0].members if document.definition(m).is_leaf]
    updates = {weights[0]: 0.1, weights[1]: -0.4}
    view.show_updates(updates)
    assert view.group_item(group).role_fill == update_fills(updates, ROLE_FILLS["parameter"])[weights[1]]
