"""What Edit > Paste reads and the names a pasted graph takes beside the values already there (Qt-free)."""

from __future__ import annotations

import pytest

from micrograd_gui.document import MAX_NAME_LENGTH, Definition, Document, Group, check_name
from micrograd_gui.paste import (
    clipboard_workspace,
    first_openable,
    fresh_name,
    is_for_the_workspace,
    place,
    prepare,
    renaming_note,
)
from micrograd_gui.workspace_file import Workspace, WorkspaceFileError, dumps
from tests.workspaces import LECTURE, OVERFLOWING_BACKWARD

CELL = "a = Value(2.0, label='a')\nb = Value(-3.0, label='b')\ne = a*b; e.label = 'e'\ne.backward()\n"


def test_code_on_the_clipboard_is_read_as_python_and_json_as_a_workspace():
    """Code is parsed as a .py file is; text starting with `{` (after blank lines) is a workspace file."""
    code = clipboard_workspace(CELL)
    assert [d.name for d in code.definitions] == ["a", "b", "e"] and code.backward_from == "e"
    assert clipboard_workspace("\n  " + dumps(LECTURE, "L")).definitions == tuple(LECTURE)
    with pytest.raises(
        WorkspaceFileError, match=r"^the clipboard: a call to open\(\) is not allowed at line 2, column 5"
    ):
        clipboard_workspace("a = Value(1.0)\nb = open('x')\n")
    with pytest.raises(WorkspaceFileError, match="^the clipboard: it is not a workspace file"):
        clipboard_workspace("{not json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = Value(2.0, label='a')", True),
        ("x = 1\ny = 2", True),
        ('{"format": "micrograd-gui-workspace"}', True),
        ("Δx", False),
        ("-3.5", False),
        ("  L = (a*b + c) * f  \n", False),
    ],
)
def test_text_for_the_workspace_is_code_several_lines_or_a_workspace(text, expected):
    assert is_for_the_workspace(text) is expected


def test_the_first_file_that_opens_as_a_workspace():
    assert first_openable(["a.txt", "b.GIF", "c.Py", "d.json"]) == "c.Py"
    assert first_openable(["x.svg"]) == "x.svg" and first_openable(["x.pdf", "y"]) is None


def test_a_graph_pasted_where_no_name_is_taken_keeps_its_names():
    workspace = Workspace(tuple(LECTURE), "L")
    placed = place(workspace, ["x", "y"], ["g"])
    assert placed.workspace is workspace and placed.renamed == {}


def test_taken_names_change_and_every_reference_follows():
    """a -> a_2 (a_2 is taken too: a_3), t1 -> the next free t; operands, groups and backward_from follow."""
    workspace = Workspace(
        (
            Definition("a", data=1.0),
            Definition("t1", "tanh", ("a",)),
            Definition("k1", data=2.0, constant=True),
            Definition("o", "*", ("t1", "k1")),
            Definition("a_2", data=5.0),
        ),
        "o",
        (Group("o", "neuron", ("t1", "o")), Group("n", "layer", ("o",))),
    )
    placed = place(workspace, ["a", "t1", "t2", "o", "x"], ["o", "n"])
    assert placed.renamed == {"a": "a_3", "t1": "t3", "o": "o_2"}
    assert placed.workspace.definitions == (
        Definition("a_3", data=1.0),
        Definition("t3", "tanh", ("a_3",)),
        Definition("k1", data=2.0, constant=True),
        Definition("o_2", "*", ("t3", "k1")),
        Definition("a_2", data=5.0),
    )
    assert placed.workspace.backward_from == "o_2"
    assert placed.workspace.groups == (Group("o_2", "neuron", ("t3", "o_2")), Group("n_2", "layer", ("o_2",)))
    document = Document()
    document.add_many([Definition(n, data=0.0) for n in ("a", "t1", "t2", "o", "x")])
    document.check_many(placed.workspace.definitions)  # the placed graph fits beside them


def test_a_fresh_name_stays_a_valid_name_of_at_most_32_characters():
    long = "w" * MAX_NAME_LENGTH
    taken = {long, long[:30] + "_2"}
    new = fresh_name(long, taken)
    assert new == long[:30] + "_3" and check_name(new) is None
    assert fresh_name("Δx", {"Δx"}) == "Δx_2"
    assert fresh_name("k7", {"k1", "k2", "k7"}) == "k3"
    assert fresh_name("t1x", {"t1x"}) == "t1x_2"  # not an automatic name


def test_the_renaming_is_told_in_a_few_words():
    assert renaming_note({}) == ""
    assert renaming_note({"a": "a_2", "b": "b_2"}) == "a → a_2, b → b_2"
    renamed = {n: n + "_2" for n in "abcde"}
    assert renaming_note(renamed) == "a → a_2, b → b_2, c → c_2 and 2 more"


def test_prepare_checks_the_maths_and_runs_backward():
    """Its grads are the engine's, from the pasted root; a maths error is refused naming the source."""
    prepared = prepare(clipboard_workspace(CELL))
    assert prepared.grads == {"a": -3.0, "b": 2.0, "e": 1.0} and prepared.note is None
    assert prepare(Workspace(tuple(LECTURE))).grads is None
    bad = Workspace((Definition("z", data=0.0), Definition("y", "log", ("z",))))
    with pytest.raises(WorkspaceFileError, match="^x.py: "):
        prepare(bad, "x.py")


def test_a_backward_that_overflows_is_left_out_with_the_reason():
    prepared = prepare(clipboard_workspace(OVERFLOWING_BACKWARD))
    assert prepared.grads is None
    assert prepared.note is not None and prepared.note.startswith("the clipboard: pasted without running backward: ")


def test_data_columns_and_the_loss_follow_the_renaming_and_come_along_into_a_workspace_without_data(qapp):
    from PySide6.QtGui import QUndoStack

    from micrograd_gui.commands import PasteValues
    from micrograd_gui.dataset import DataTable, TrainingSettings

    table = DataTable.of(["x", "y"], [[1.0, 2.0]])
    settings = TrainingSettings(loss="loss", steps=3)
    workspace = Workspace(
        (Definition("x", data=0.0), Definition("y", data=0.0), Definition("loss", "-", ("x", "y"))),
        data=table,
        training=settings,
    )
    placed = place(workspace, ["x", "loss"]).workspace
    assert placed.data == DataTable.of(["x_2", "y"], [[1.0, 2.0]])
    assert placed.training == TrainingSettings(loss="loss_2", steps=3)
    document = Document()
    document.add_many([Definition("x", data=5.0), Definition("loss", "tanh", ("x",))])
    stack = QUndoStack()
    stack.push(PasteValues(document, placed.definitions, "Paste", data=placed.data, training=placed.training))
    assert document.data_table == placed.data and document.training.loss == "loss_2"
    assert document.bound_columns() == ("x_2", "y")
    stack.undo()
    assert document.data_table is None and document.training == TrainingSettings() and len(document) == 2
    # A workspace that has data of its own keeps it: the pasted values come, their table does not.
    own = DataTable.of(["x"], [[9.0]])
    document.set_data(own)
    stack.push(PasteValues(document, placed.definitions, "Paste", data=placed.data, training=placed.training))
    assert document.data_table == own and document.training.loss == "loss_2"


def test_pasted_columns_never_clash_with_each_other_or_with_the_values_there():
    from micrograd_gui.dataset import DataTable

    workspace = Workspace(
        (Definition("x", data=0.0), Definition("o", "tanh", ("x",))),
        data=DataTable.of(["x", "x_2", "z"], [[1.0, 2.0, 3.0]]),  # x binds x; x_2 and z name nothing
    )
    placed = place(workspace, ["x", "z"]).workspace  # x and z are taken (z by a computed value, say)
    assert placed.data is not None
    assert placed.data.columns == ("x_3", "x_2", "z_2")  # x's column follows it past the column x_2
    assert [d.name for d in placed.definitions] == ["x_3", "o"]
