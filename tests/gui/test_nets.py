"""Neural nets in the window: templates in the expression bar, the Insert dialog, groups drawn collapsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QMenu

from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import Definition
from micrograd_gui.widgets.net_dialog import NetDialog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "resources" / "examples"
LECTURE_MLP = "o = MLP([x1, x2, x3], [4, 4, 1], seed=1)"


def settle(qtbot, window) -> None:
    """Wait until the graph shows the workspace as it is."""
    qtbot.waitUntil(lambda: not window.graph_view.is_busy(), timeout=30_000)


def inputs(qtbot, window, *values: float) -> None:
    definitions = [Definition(f"x{i}", data=v) for i, v in enumerate(values, start=1)]
    window.push(AddDefinitions, window.document, definitions)
    settle(qtbot, window)


def type_line(qtbot, window, text: str) -> QLineEdit:
    edit = window.findChild(QLineEdit, "exprEdit")
    edit.setText(text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    return edit


def test_the_lectures_mlp_is_one_line_one_undo_step_and_draws_collapsed(qtbot, window):
    """Typing the lecture's MLP makes its 41 parameters and groups as one undo step; its neurons are drawn
    one node each, readable at fit; Ctrl+Z takes it all away, redo brings it back."""
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    type_line(qtbot, window, LECTURE_MLP)
    assert "o" in window.document and len(window.document.groups) == 13
    assert window.undo_stack.undoText() == f"Expression {LECTURE_MLP}"
    settle(qtbot, window)
    graph = window.graph_view
    assert sorted(graph.group_names()) == sorted(g.name for g in window.document.groups if g.kind == "neuron")
    assert sorted(graph.node_names()) == ["x1", "x2", "x3"]
    item = graph.group_item("o_n2_1")
    assert item.texts()[0] == "o_n2_1: tanh(w·x + b)" and item.texts()[1].startswith("data ")
    assert graph.zoom() >= 0.3  # 9 neurons and 3 inputs fit at a readable size
    window.undo_stack.undo()
    assert window.document.names == ["x1", "x2", "x3"] and window.document.groups == ()
    window.undo_stack.redo()
    assert len(window.document.groups) == 13


def test_a_bad_template_is_refused_in_the_bar_and_makes_nothing(qtbot, window):
    """A template with an unknown input or a bad size says why; nothing is created, the text stays."""
    inputs(qtbot, window, 1.0)
    edit = type_line(qtbot, window, "o = MLP([x1, q], [4, 1])")
    assert window.document.names == ["x1"]
    assert "Unknown input 'q'" in window.errors[-1]
    assert edit.text() == "o = MLP([x1, q], [4, 1])"
    type_line(qtbot, window, "o = MLP([x1], [0, 1])")
    assert "from 1 to 100 neurons, not 0" in window.errors[-1]
    assert edit.cursorPosition() == len("o = MLP([x1], [")
    type_line(qtbot, window, "o = MLP([x1], [2, 1])")
    assert "seed" in window.undo_stack.undoText()  # no seed given: the one drawn is named, to repeat it


def test_a_lone_neuron_is_drawn_expanded_and_double_clicks_collapse_and_expand_it(qtbot, window):
    """n = Neuron([x1, x2]) is drawn value by value; a double-click on one of its values draws it as one
    node, a double-click on that node draws it whole again."""
    inputs(qtbot, window, 2.0, 0.0)
    type_line(qtbot, window, "n = Neuron([x1, x2], seed=3)")
    settle(qtbot, window)
    graph = window.graph_view
    assert graph.group_names() == [] and "n_act" in graph.node_names()
    point = graph.canvas.mapFromScene(graph.node_item("n_w1").sceneBoundingRect().center())
    QTest.mouseDClick(graph.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    settle(qtbot, window)
    assert graph.group_names() == ["n"] and graph.node_names() == ["x1", "x2"]
    point = graph.canvas.mapFromScene(graph.group_item("n").sceneBoundingRect().center())
    assert "double-click" in graph.group_tooltip_for("n")
    QTest.mouseDClick(graph.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    settle(qtbot, window)
    assert graph.group_names() == [] and "n" in graph.node_names()


def test_view_menu_collapses_and_expands_every_neuron(qtbot, window):
    """View > Expand all draws every value; View > Collapse all neurons one node per neuron."""
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    type_line(qtbot, window, LECTURE_MLP)
    settle(qtbot, window)
    window.findChild(QAction, "actionExpandAll").trigger()
    settle(qtbot, window)
    graph = window.graph_view
    assert graph.group_names() == [] and len(graph.node_names()) == len(window.document)
    window.findChild(QAction, "actionCollapseNeurons").trigger()
    settle(qtbot, window)
    assert len(graph.group_names()) == 9


def test_selecting_or_stepping_to_a_hidden_value_expands_its_group(qtbot, window):
    """A value inside a collapsed neuron, selected or reached by the step-through, is drawn: its neuron
    expands, the value is selected or highlighted."""
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    type_line(qtbot, window, LECTURE_MLP)
    settle(qtbot, window)
    graph = window.graph_view
    graph.select("o_n1_2_b")
    settle(qtbot, window)
    assert "o_n1_2_b" in graph.node_names() and graph.selected() == "o_n1_2_b"
    assert "o_n1_2" not in graph.group_names() and "o_n1_1" in graph.group_names()
    graph.set_step_highlight("o_n2_3_act", ())
    settle(qtbot, window)
    assert "o_n2_3_act" in graph.node_names()
    assert graph.node_item("o_n2_3_act").fill is not None


def test_numbers_on_a_collapsed_neuron_follow_backward(qtbot, window):
    """A collapsed neuron shows its output's data and grad, rewritten in place by a backward."""
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    type_line(qtbot, window, LECTURE_MLP)
    settle(qtbot, window)
    window.document.backward("o")
    item = window.graph_view.group_item("o_n1_1")
    assert item.texts()[2] == "grad %.4f" % window.document.grad("o_n1_1")
    assert window.document.grad("o_n1_1") != 0.0


def test_groups_are_saved_and_reopened_from_the_window(qtbot, window, tmp_path):
    """Save writes the groups (file version 2); opening the file brings them back, neurons collapsed."""
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    type_line(qtbot, window, LECTURE_MLP)
    path = tmp_path / "mlp.json"
    assert window.save_workspace(path)
    saved = json.loads(path.read_text())
    assert saved["version"] == 2 and len(saved["groups"]) == 13
    window.undo_stack.undo()
    assert window.document.groups == ()
    assert window.open_workspace(path)
    assert [g.name for g in window.document.groups] == [g["name"] for g in saved["groups"]]
    settle(qtbot, window)
    assert len(window.graph_view.group_names()) == 9


def test_the_insert_dialog_is_prefilled_with_the_selection_and_makes_one_undo_step(qtbot, window):
    """Insert > Neuron / Layer / MLP… takes the selected values as inputs, shows the bar's line for the net,
    refuses a bad size with the reason, and makes the net as one undo step."""
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    window.value_table.selectAll()
    dialog = window.open_net_dialog()
    assert isinstance(dialog, NetDialog)
    assert dialog.inputs.text() == "x1, x2, x3"
    dialog.sizes.setText("4, 4, 1")
    dialog.seed.setText("1")
    assert "41 parameters" in dialog.summary.text()
    assert "o = MLP([x1, x2, x3], [4, 4, 1], seed=1)" in dialog.summary.text()
    dialog.sizes.setText("4, 0")
    assert "not 0" in dialog.error() and not dialog.insert()
    assert window.document.names == ["x1", "x2", "x3"]
    dialog.sizes.setText("4, 4, 1")
    assert dialog.insert()
    assert window.undo_stack.undoText() == "Insert o = MLP([x1, x2, x3], [4, 4, 1], seed=1)"
    assert len(window.document.groups) == 13
    window.undo_stack.undo()
    assert window.document.names == ["x1", "x2", "x3"]


@pytest.mark.parametrize("kind", ["Neuron", "Layer"])
def test_the_insert_dialog_makes_neurons_and_layers(qtbot, window, kind):
    """The form switches its sizes for a Neuron (none) and a Layer (one), and a relu activation."""
    inputs(qtbot, window, 0.5, -1.0)
    dialog = window.open_net_dialog()
    dialog.kind.setCurrentText(kind)
    dialog.inputs.setText("x1, x2, 1.5")
    dialog.activation.setCurrentText("relu")
    assert dialog.sizes.isEnabled() == (kind == "Layer")
    assert dialog.insert()
    made = window.document.groups
    assert made[-1].kind == ("neuron" if kind == "Neuron" else "layer")
    assert window.document.definition(made[0].members[-1]).op == "relu"
    assert window.document.definition("k1").constant


def test_the_examples_menu_lists_the_nets_with_descriptions(qtbot, window):
    """File > Examples has the net examples, each with a one-line description; the lecture's MLP opens with
    its 9 neurons collapsed, its four rows bound and its training settings."""
    examples = window.findChild(QMenu, "examplesMenu")
    tips = {a.objectName(): a.statusTip() for a in examples.actions()}
    assert "four rows" in tips["actionExampleMlp"] and "moons" in tips["actionExampleMoonsNet"]
    assert "line" in tips["actionExampleLineNeuron"]
    assert all(tip for tip in tips.values())
    with qtbot.waitSignal(window.file_actions.opened, timeout=20_000):
        window.findChild(QAction, "actionExampleMlp").trigger()
    settle(qtbot, window)
    assert len(window.graph_view.group_names()) == 9
    assert window.document.data("loss") > 0
    assert window.document.bound_columns() == ("x1", "x2", "x3", "y") and window.document.training.loss == "loss"


def test_a_big_picture_is_laid_out_in_layers_without_dot(qtbot, window, monkeypatch):
    """Past LAYERED_FROM values the panel lays the picture out itself (micrograd_gui.layered_layout), never
    running dot; the picture has every value and answers clicks as usual."""
    from micrograd_gui import layered_layout, render
    from micrograd_gui.widgets import layout_scheduler

    monkeypatch.setattr(layout_scheduler, "LAYERED_FROM", 0)
    calls = []
    real = layered_layout.layout
    monkeypatch.setattr(layered_layout, "layout", lambda source: calls.append(1) or real(source))
    monkeypatch.setattr(render, "run_layout", lambda *args, **kwargs: pytest.fail("dot ran"))
    inputs(qtbot, window, 2.0, 3.0, -1.0)
    type_line(qtbot, window, "o = MLP([x1, x2, x3], [4, 4, 1], seed=1)")
    window.findChild(QAction, "actionExpandAll").trigger()
    settle(qtbot, window)
    assert calls and len(window.graph_view.node_names()) == len(window.document)
    window.graph_view.select("o_n1_1_b")
    assert window.graph_view.selected() == "o_n1_1_b"
