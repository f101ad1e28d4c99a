"""Undo commands: each refuses a bad change before it is pushed, and undo restores exactly."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from micrograd_gui.commands import (
    AddDefinitions,
    DeleteValues,
    RenameValue,
    RunBackward,
    SetLeafData,
    ZeroGrads,
    describe,
)
from micrograd_gui.document import Definition, Document, DocumentError, Group
from micrograd_gui.templates import build_net, parse_template


@pytest.fixture
def stack(qapp) -> QUndoStack:
    return QUndoStack()


def state(doc: Document) -> tuple:
    return (doc.definitions, {n: (doc.data(n), doc.grad(n)) for n in doc.names}, doc.grad_state())


def build_lecture(doc: Document, stack: QUndoStack) -> None:
    for name, data in [("a", 2.0), ("b", -3.0), ("c", 10.0)]:
        stack.push(AddDefinitions(doc, [Definition(name, data=data)]))
    stack.push(AddDefinitions(doc, [Definition("e", "*", ("a", "b"))]))
    stack.push(AddDefinitions(doc, [Definition("d", "+", ("e", "c"))]))
    stack.push(AddDefinitions(doc, [Definition("f", data=-2.0)]))
    stack.push(AddDefinitions(doc, [Definition("L", "*", ("d", "f"))]))


def test_every_command_undoes_and_redoes_exactly(stack: QUndoStack) -> None:
    """Each kind of command, undone, returns the document to the state before it; redone, after it."""
    doc = Document()
    states = [state(doc)]
    build_lecture(doc, stack)
    states.append(state(doc))
    for make in (
        lambda: RunBackward(doc, "L"),
        lambda: SetLeafData(doc, "a", 3.0),
        lambda: RenameValue(doc, "c", "bias"),
        lambda: ZeroGrads(doc),
        lambda: RunBackward(doc, "L"),
        lambda: DeleteValues(doc, ["L"]),
    ):
        stack.push(make())
        states.append(state(doc))
    for expected in reversed(states[1:-1]):
        stack.undo()
        assert state(doc) == expected
    for expected in states[2:]:
        stack.redo()
        assert state(doc) == expected


def test_command_texts_name_the_step(stack: QUndoStack) -> None:
    """The undo text names what the step did."""
    doc = Document()
    build_lecture(doc, stack)
    assert stack.undoText() == "Create L = d * f"
    stack.setIndex(1)
    assert stack.undoText() == "Create a"
    stack.setIndex(7)
    stack.push(SetLeafData(doc, "a", 2.5))
    assert stack.undoText() == "Set a to 2.5"


def test_refused_commands_raise_before_push(stack: QUndoStack) -> None:
    """A bad change raises DocumentError from the constructor; nothing reaches the stack."""
    doc = Document()
    build_lecture(doc, stack)
    stack.push(AddDefinitions(doc, [Definition("q", "/", ("a", "b"))]))
    before = state(doc)
    count = stack.count()
    with pytest.raises(DocumentError, match="division by zero"):
        SetLeafData(doc, "b", 0.0)
    with pytest.raises(DocumentError, match="used by"):
        DeleteValues(doc, ["a"])
    with pytest.raises(DocumentError, match="already exists"):
        RenameValue(doc, "a", "b")
    with pytest.raises(DocumentError, match="non-positive"):
        AddDefinitions(doc, [Definition("z", "log", ("b",))])
    assert state(doc) == before
    assert stack.count() == count


def test_delete_with_dependents_undoes_in_place(stack: QUndoStack) -> None:
    """Deleting a value with its dependents and undoing puts every definition back in order."""
    doc = Document()
    build_lecture(doc, stack)
    stack.push(RunBackward(doc, "L"))
    before = state(doc)
    stack.push(DeleteValues(doc, ["e", *doc.dependents("e")]))
    assert doc.names == ["a", "b", "c", "f"]
    stack.undo()
    assert state(doc) == before


@pytest.mark.parametrize(
    ("definition", "text"),
    [
        (Definition("a", data=2.0), "a = 2"),
        (Definition("e", "*", ("a", "b")), "e = a * b"),
        (Definition("o", "tanh", ("n",)), "o = tanh(n)"),
        (Definition("s", "**", ("x",), exponent=2.0), "s = x ** 2"),
        (Definition("m", "-", ("x",)), "m = -x"),
    ],
)
def test_describe(definition: Definition, text: str) -> None:
    """Definitions read as a learner would write them."""
    assert describe(definition) == text


def test_a_template_is_one_undo_step_with_its_groups(stack: QUndoStack) -> None:
    """An MLP made by one AddDefinitions goes with one undo, its groups too, and comes back with redo;
    deleting its output dissolves the groups it belonged to, and undoing that puts them back."""
    doc = Document()
    stack.push(AddDefinitions(doc, [Definition("x1", data=1.0), Definition("x2", data=-2.0)]))
    net, _ = parse_template("o = MLP([x1, x2], [3, 1], seed=4)")
    built = build_net(net, doc)
    stack.push(AddDefinitions(doc, built.definitions, "Expression o = MLP(...)", built.groups))
    made = state(doc), doc.groups
    assert len(doc.groups) == 7
    stack.undo()
    assert doc.names == ["x1", "x2"] and doc.groups == ()
    stack.redo()
    assert (state(doc), doc.groups) == made
    stack.push(DeleteValues(doc, ["o"]))
    assert [g.name for g in doc.groups] == ["o_n1_1", "o_n1_2", "o_n1_3", "o_l1"]
    stack.push(RenameValue(doc, "o_n1_1", "h1"))
    assert doc.groups[0].members[-1] == "h1"
    stack.undo()
    stack.undo()
    assert (state(doc), doc.groups) == made
    with pytest.raises(DocumentError, match="already exists"):
        AddDefinitions(doc, [Definition("y", data=0.0)], "", [Group("o", "net", ("y",))])


def data_document() -> Document:
    from micrograd_gui.dataset import DataTable

    doc = Document()
    doc.replace_definitions(
        [Definition("x", data=0.0), Definition("w", data=2.0), Definition("o", "*", ("x", "w"))],
        data=DataTable.of(["x"], [[1.0], [2.0], [3.0]]),
    )
    return doc


def test_rows_shown_one_after_another_are_one_undo_step(stack):
    from micrograd_gui.commands import ShowRow

    doc = data_document()
    stack.push(ShowRow(doc, 0))
    stack.push(ShowRow(doc, 2))
    assert stack.count() == 1 and stack.text(0) == "Show data row 3"
    assert (doc.shown_row, doc.data("o")) == (2, 6.0)
    stack.undo()
    assert (doc.shown_row, doc.data("x"), doc.data("o")) == (None, 0.0, 0.0)
    stack.redo()
    assert (doc.shown_row, doc.data("o")) == (2, 6.0)


def test_set_data_can_say_which_row_is_shown_after_it(stack):
    from micrograd_gui.commands import SetData, ShowRow

    doc = data_document()
    stack.push(ShowRow(doc, 2))
    table = doc.data_table
    stack.push(SetData(doc, table.without([0]), "Delete data row 1", shown_row=1))
    assert doc.shown_row == 1 and doc.data_table.rows == ((2.0,), (3.0,))
    stack.push(SetData(doc, doc.data_table.without([1]), "Delete data row 2", shown_row=None))
    assert doc.shown_row is None
    stack.undo()
    stack.undo()
    assert doc.shown_row == 2 and doc.data_table is table


def test_set_leaves_keeps_the_row_shown_when_asked_and_undo_puts_it_back(stack):
    from micrograd_gui.commands import SetLeaves, ShowRow

    doc = data_document()
    stack.push(ShowRow(doc, 1))
    stack.push(SetLeaves(doc, {"x": 9.0}, "Set x"))
    assert doc.shown_row is None  # a bound leaf set by hand holds no row
    stack.undo()
    assert doc.shown_row == 1 and doc.data("x") == 2.0
    stack.push(SetLeaves(doc, {"x": 9.0}, "Edit row 2", shown_row=1))
    assert doc.shown_row == 1 and doc.data("o") == 18.0
    stack.undo()
    assert doc.shown_row == 1 and doc.data("x") == 2.0
