"""The data table and training settings: checked values, held by the document, saved in the file,
kept by crash recovery, changed by undoable commands."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QUndoStack

from micrograd_gui.commands import SetData, SetLeaves, SetTraining, ShowRow
from micrograd_gui.dataset import DataError, DataTable, TrainingSettings
from micrograd_gui.document import Change, Definition, Document, DocumentError
from micrograd_gui.recovery import recovery_text
from micrograd_gui.workspace_file import WorkspaceFileError, document_text, dumps, load_workspace, loads
from tests.workspaces import DATA_ROWS as ROWS
from tests.workspaces import SQUARED_ERROR


def neuron() -> Document:
    doc = Document()
    doc.replace_definitions(SQUARED_ERROR)
    return doc


@pytest.mark.parametrize(
    ("columns", "rows", "message"),
    [
        ([], [], "at least one column"),
        (["x", "x"], [], "two columns named 'x'"),
        (["1x"], [], "column '1x'"),
        (["x", "y"], [[1.0]], "row 1 has 1 number; there are 2 columns"),
        (["x"], [[1.0], [float("nan")]], "row 2, column 'x'"),
        (["x"], [[float("inf")]], "not a finite number"),
        (["x"], [["2"]], "row 1, column 'x': '2' is not a number"),
        (["x"], [[True]], "row 1, column 'x': true is not a number"),
        (["x"], [[10**400]], "row 1, column 'x': the number is too large"),
    ],
)
def test_a_bad_table_is_refused_with_its_reason(columns, rows, message):
    with pytest.raises(DataError, match=message):
        DataTable.of(columns, rows)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reduce": "max"}, "sum or mean"),
        ({"l2": -1.0}, "cannot be negative"),
        ({"learning_rate": float("nan")}, "finite number"),
        ({"steps": 0}, "whole number from 1"),
        ({"steps": 2.5}, "whole number from 1"),
    ],
)
def test_bad_settings_are_refused(changes, message):
    with pytest.raises(DataError, match=message):
        TrainingSettings().changed(**changes)


def test_the_learning_rate_falls_linearly_as_the_contract_says():
    settings = TrainingSettings(learning_rate=1.0, final_learning_rate=0.1, steps=100)
    assert settings.learning_rate_at(0) == 1.0
    assert settings.learning_rate_at(50) == pytest.approx(0.55)
    assert settings.learning_rate_at(100) == pytest.approx(0.1)
    assert settings.learning_rate_at(7) == 1.0 + (0.1 - 1.0) * 7 / 100


def test_columns_naming_leaves_bind_them_and_the_rest_are_parameters():
    doc = neuron()
    assert doc.parameters() == ["x", "y", "w"]
    doc.set_data(ROWS)
    assert doc.bound_columns() == ("x", "y")  # "note" names nothing: unbound
    assert doc.parameters() == ["w"]  # k1 is a constant


def test_a_column_cannot_name_a_computed_value_and_nothing_changes():
    doc = neuron()
    with pytest.raises(DocumentError, match="'o' names a value computed by \\*"):
        doc.set_data(DataTable.of(["x", "o"], [[1, 2]]))
    assert doc.data_table is None


def test_showing_a_row_sets_the_bound_leaves_and_recomputes_in_one_notice():
    doc = neuron()
    doc.set_data(ROWS)
    changes: list[Change] = []
    doc.add_listener(changes.append)
    doc.show_row(1)
    assert (doc.data("x"), doc.data("y"), doc.data("loss")) == (3.0, 4.0, (3 * 0.5 - 4) ** 2)
    assert doc.shown_row == 1
    assert len(changes) == 1 and changes[0].data and not changes[0].structure
    assert changes[0].names == {"x", "y", "o", "e", "loss"}
    with pytest.raises(DocumentError, match="no data row 4"):
        doc.show_row(3)
    assert doc.shown_row == 1


def test_set_leaves_is_refused_whole():
    doc = neuron()
    with pytest.raises(DocumentError, match="'o' is computed by \\*"):
        doc.set_leaves({"w": 3.0, "o": 1.0})
    assert doc.data("w") == 0.5
    doc.set_leaves({"w": 3.0, "x": 2.0})
    assert doc.data("loss") == 36.0


def test_renaming_a_bound_leaf_or_the_loss_renames_the_column_and_the_setting():
    doc = neuron()
    doc.set_data(ROWS)
    doc.set_training(TrainingSettings(loss="loss"))
    changes: list[Change] = []
    doc.add_listener(changes.append)
    doc.rename("x", "x1")
    assert doc.data_table is not None and doc.data_table.columns == ("x1", "y", "note")
    assert changes[-1].data and not changes[-1].training
    doc.rename("loss", "L")
    assert doc.training.loss == "L" and changes[-1].training


def test_data_and_training_are_saved_and_reopened_exactly():
    doc = neuron()
    table = DataTable.of(["x", "y"], [[0.1, 1 / 3], [-2.5e-12, 7.0]])
    settings = TrainingSettings("loss", "mean", 1e-4, 1.0, 0.1, 100)
    doc.set_data(table)
    doc.set_training(settings)
    text = document_text(doc)
    obj = json.loads(text)
    assert obj["version"] == 2
    assert obj["data"] == {"columns": ["x", "y"], "rows": [[0.1, 1 / 3], [-2.5e-12, 7.0]]}
    assert obj["training"] == {
        "loss": "loss",
        "reduce": "mean",
        "l2": 1e-4,
        "learning_rate": 1.0,
        "final_learning_rate": 0.1,
        "steps": 100,
    }
    assert "\n      [0.1, 0.3333333333333333],\n" in text  # a row per line
    again, note = load_workspace(loads(text))
    assert note is None
    assert again.data_table == table and again.training == settings
    assert document_text(again) == text


def test_default_settings_and_no_data_keep_a_plain_file_at_version_1():
    text = dumps([Definition("a", data=1.0)], training=TrainingSettings())
    assert json.loads(text)["version"] == 1 and "training" not in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"data": [1]}, "must be an object with columns and rows"),
        ({"data": {"columns": ["a"], "rows": [], "x": 1}}, "data has an unknown key 'x'"),
        ({"data": {"columns": "a"}}, "columns must be a list of names"),
        ({"data": {"columns": ["a"], "rows": [1]}}, "rows must be a list of lists"),
        ({"data": {"columns": ["b"], "rows": []}}, "'b' names a computed value"),
        ({"data": {"columns": ["a"], "rows": [[1, 2]]}}, "row 1 has 2 numbers"),
        ({"training": {"loss": "zz"}}, "the loss 'zz' is not defined"),
        ({"training": {"loss": 3}}, "loss must be a value's name"),
        ({"training": {"steps": -1}}, "whole number from 1"),
        ({"training": {"reduce": "max"}}, "sum or mean"),
        ({"training": {"lr": 1}}, "training has an unknown key 'lr'"),
        ({"training": {"l2": "big"}}, "l2"),
    ],
)
def test_a_bad_data_or_training_entry_is_refused_with_its_reason(extra, message):
    obj = {
        "format": "micrograd-gui-workspace",
        "version": 2,
        "values": [{"name": "a", "data": 1.0}, {"name": "b", "op": "tanh", "operands": ["a"]}],
        **extra,
    }
    with pytest.raises(WorkspaceFileError, match=message):
        loads(json.dumps(obj), "w.json")


def test_crash_recovery_keeps_the_data_and_the_settings():
    table = DataTable.of(["x"], [[1.0], [2.0]])
    settings = TrainingSettings(loss="o", steps=5)
    text = recovery_text(SQUARED_ERROR, None, None, (), table, settings)
    workspace = loads(json.dumps(json.loads(text)["workspace"]))
    assert workspace.data == table and workspace.training == settings


@pytest.fixture
def stack(qapp) -> QUndoStack:
    return QUndoStack()


def test_data_commands_undo_and_redo_exactly(stack):
    doc = neuron()
    stack.push(SetData(doc, ROWS, "Generate data"))
    stack.push(ShowRow(doc, 2))
    assert (doc.data("x"), doc.shown_row) == (-1.0, 2)
    stack.push(SetData(doc, ROWS.with_cell(0, 0, 9.0), "Edit x"))
    assert doc.shown_row == 2
    stack.push(SetTraining(doc, TrainingSettings(loss="loss", steps=3)))
    stack.push(SetLeaves(doc, {"w": 2.0}, "Train 3 steps", before={"w": 0.25}))
    assert doc.data("w") == 2.0
    stack.undo()
    assert doc.data("w") == 0.25  # where the run started, not where the last live update left it
    stack.undo()
    assert doc.training == TrainingSettings()
    stack.undo()
    assert doc.data_table == ROWS
    stack.undo()
    assert (doc.data("x"), doc.data("y"), doc.shown_row) == (0.0, 0.0, None)
    stack.undo()
    assert doc.data_table is None
    for _ in range(5):
        stack.redo()
    assert doc.data_table == ROWS.with_cell(0, 0, 9.0) and doc.shown_row == 2
    assert doc.training.steps == 3 and doc.data("w") == 2.0


def test_a_command_that_would_fail_is_refused_before_it_is_pushed(stack):
    doc = neuron()
    with pytest.raises(DocumentError):
        SetData(doc, DataTable.of(["loss"], [[1.0]]))
    with pytest.raises(DocumentError, match="no data row 1"):
        ShowRow(doc, 0)
    with pytest.raises(DocumentError, match="does not exist"):
        SetLeaves(doc, {"zz": 1.0}, "Train")
    assert stack.count() == 0


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_an_exported_picture_carries_the_data_and_the_settings(qapp, tmp_path, suffix):
    from micrograd_gui.exporting import ExportOptions, export_snapshot
    from micrograd_gui.workspace_file import document_parts, read_workspace

    doc = neuron()
    doc.set_data(ROWS)
    doc.set_training(TrainingSettings(loss="loss", reduce="mean", steps=7))
    path = tmp_path / f"slide{suffix}"
    export_snapshot(document_parts(doc), doc.grad_state(), ExportOptions(str(path)))
    workspace = read_workspace(path)
    assert workspace.data == ROWS and workspace.training == doc.training


def test_deleting_the_loss_unchooses_it_so_the_file_still_opens_and_undo_chooses_it_again(stack):
    from micrograd_gui.commands import DeleteValues

    doc = neuron()
    doc.set_training(TrainingSettings(loss="loss", steps=9))
    stack.push(DeleteValues(doc, ["loss"]))
    assert doc.training == TrainingSettings(steps=9)
    again, _ = load_workspace(loads(document_text(doc)))  # reopens: no loss that is not there
    assert again.training.loss is None
    stack.undo()
    assert doc.training.loss == "loss" and "loss" in doc


def test_only_a_leaf_takes_a_data_columns_name():
    doc = neuron()
    doc.set_data(DataTable.of(["x", "z"], [[1.0, 2.0]]))  # z names nothing: unbound
    with pytest.raises(DocumentError, match="'z' is the name of a data column"):
        doc.add(Definition("z", "tanh", ("x",)))
    with pytest.raises(DocumentError, match="'z' is the name of a data column: bind 'w' to it"):
        doc.rename("w", "z")
    with pytest.raises(DocumentError, match="'z' is the name of a data column"):
        doc.rename("x", "z")  # a bound leaf too: two columns would be named z
    assert "z" not in doc and doc.data_table is not None and doc.data_table.columns == ("x", "z")
    doc.add(Definition("z", data=0.0))  # a leaf may: it binds
    assert doc.bound_columns() == ("x", "z")


def test_the_shown_row_is_forgotten_when_the_leaves_no_longer_hold_it(stack):
    from micrograd_gui.commands import SetLeafData

    doc = neuron()
    doc.set_data(ROWS)
    doc.show_row(1)
    doc.set_data(ROWS.without([0]))  # row 2 moved up: the leaves hold row 1 of the new table, not row 2
    assert doc.shown_row is None
    doc.show_row(0)
    doc.set_data(ROWS.without([0]).with_cell(0, 0, 7.0))  # the shown row's number changed under the leaf
    assert doc.shown_row is None
    doc.set_data(ROWS.without([0]))
    doc.show_row(0)
    doc.set_data(ROWS.without([0]).with_cell(1, 0, 7.0))  # another row changed: still shown
    assert doc.shown_row == 0
    stack.push(SetLeafData(doc, "x", 5.0))  # a bound leaf typed by hand
    assert doc.shown_row is None
    stack.undo()
    assert doc.shown_row == 0 and doc.data("x") == 3.0
    stack.push(SetLeafData(doc, "w", 5.0))  # a parameter: the row is still what x and y hold
    assert doc.shown_row == 0


def test_a_huge_whole_number_in_a_file_is_refused_with_a_message():
    text = json.dumps(
        {"format": "micrograd-gui-workspace", "version": 2, "values": [{"name": "x", "data": 1.0}]}
    ).replace("}]}", '}], "data": {"columns": ["x"], "rows": [[' + "9" * 400 + "]]}}")
    with pytest.raises(WorkspaceFileError, match="row 1, column 'x': the number is too large"):
        loads(text, "big.json")
