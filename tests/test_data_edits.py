"""The Data panel's table edits without Qt: binding by renaming, free names, rows removed, the summary."""

from __future__ import annotations

import pytest

from micrograd_gui import data_edits
from micrograd_gui.dataset import DataTable
from micrograd_gui.document import Document
from tests.workspaces import DATA_ROWS as ROWS
from tests.workspaces import SQUARED_ERROR as DEFINITIONS


def document(table: DataTable | None = ROWS) -> Document:
    doc = Document()
    doc.replace_definitions(DEFINITIONS, data=table)
    return doc


def test_a_free_name_avoids_the_workspace_and_the_columns():
    assert data_edits.free_column_name("x", {"x"}) == "x_data"
    assert data_edits.free_column_name("x", {"x", "x_data", "x_data2"}) == "x_data3"
    long = "v" * 32
    name = data_edits.free_column_name(long, {long})
    assert len(name) == 32 and name.endswith("_data") and name != long


def test_binding_renames_the_column_and_unbinds_the_one_in_the_way():
    doc = document()
    bound = data_edits.bind(doc, ROWS, "note", "w")
    assert bound.columns == ("x", "y", "w")
    assert bound.rows == ROWS.rows  # the numbers stay where they were
    moved = data_edits.bind(doc, ROWS, "note", "x")  # x already has a column: it is unbound first
    assert moved.columns == ("x_data", "y", "x")
    assert data_edits.bind(doc, ROWS, "x", "x") is ROWS


def test_unbinding_renames_the_column_to_a_name_nothing_has():
    doc = document()
    unbound = data_edits.unbind(doc, ROWS, "y")
    assert unbound.columns == ("x", "y_data", "note")
    doc.set_data(unbound)
    assert doc.bound_columns() == ("x",)
    assert "y" in doc.parameters()


def test_only_leaves_that_are_not_constants_can_be_bound():
    assert data_edits.bindable_leaves(document()) == ["x", "y", "w"]
    doc = document()
    assert data_edits.is_bound(doc, "x") and not data_edits.is_bound(doc, "note") and not data_edits.is_bound(doc, "o")


def test_a_new_row_holds_the_bound_leaves_numbers():
    doc = document()
    doc.set_leaves({"x": 7.0, "y": -2.5})
    assert data_edits.new_row(doc, ROWS) == (7.0, -2.5, 0.0)


@pytest.mark.parametrize(
    ("shown", "removed", "after"),
    [(None, [0], None), (2, [0], 1), (2, [0, 1], 0), (1, [1], None), (0, [1, 2], 0), (2, [3], 2)],
)
def test_the_row_shown_moves_with_the_rows_before_it(shown, removed, after):
    assert data_edits.shown_after_removal(shown, removed) == after


def test_a_hand_edit_of_a_shown_leaf_means_no_row_is_shown():
    doc = document()
    doc.show_row(1)
    assert data_edits.summary(doc)[-1] == "The graph shows row 2"
    doc.set_leaf_data("x", 100.0)
    assert data_edits.summary(doc)[-1].startswith("The graph shows the leaves as typed")


def test_the_summary_says_rows_bound_columns_parameters_and_the_row_shown():
    doc = document()
    lines = data_edits.summary(doc)
    assert lines[0] == "3 rows; columns feeding the leaves of their name: x, y"
    assert "Unbound (kept, not used): note" in lines
    assert "Parameters (trained): 1: w" in lines
    assert lines[-1].startswith("The graph shows the leaves as typed")
    doc.show_row(2)
    assert data_edits.summary(doc)[-1] == "The graph shows row 3"
    assert data_edits.summary(document(None))[0].startswith("No data")


def test_long_lists_are_cut_short_with_a_count():
    names = [f"w{i}" for i in range(20)]
    assert data_edits.name_list(names) == "w0, w1, w2, w3, w4, w5, … and 14 more"
    assert data_edits.name_list(names[:3]) == "w0, w1, w2"


def test_table_edits_check_what_they_change():
    from micrograd_gui.dataset import MAX_ROWS, DataError

    with pytest.raises(DataError, match="row 2, column 'y'"):
        ROWS.with_cell(1, 1, float("nan"))
    with pytest.raises(DataError, match="two columns named 'x'"):
        ROWS.renaming("y", "x")
    with pytest.raises(DataError, match="not a valid name"):
        ROWS.renaming("y", "1y")
    with pytest.raises(DataError, match="not a number"):
        ROWS.inserting(0, [["a", 1, 2]])
    with pytest.raises(DataError, match="3 columns"):
        ROWS.inserting(0, [[1, 2]])
    full = DataTable.of(["x"], [[0.0]] * MAX_ROWS)
    with pytest.raises(DataError, match="at most 100,000 rows"):
        full.inserting(0, [[1.0]])


def test_table_edits_give_the_table_they_say():
    edited = ROWS.with_cell(1, 0, 7)
    assert edited == DataTable.of(["x", "y", "note"], [[1, 2, 0], [7, 4, 0.5], [-1, 0.25, 1]])
    assert edited.rows[0] is ROWS.rows[0]  # untouched rows are shared, not copied
    assert ROWS.inserting(1, [[5, 6, 7]]).rows == ((1.0, 2.0, 0.0), (5.0, 6.0, 7.0), (3.0, 4.0, 0.5), (-1.0, 0.25, 1.0))
    assert ROWS.without([0, 2]) == DataTable.of(["x", "y", "note"], [[3, 4, 0.5]])
    assert ROWS.renaming("note", "w").columns == ("x", "y", "w")
