"""The Data panel's edits of a workspace's data table, worked out without Qt: the new table and
what else changes with it. The panel turns them into undo commands.

A column binds the leaf of its name, so binding a column to a leaf renames the column to the
leaf's name (a column already called that is unbound first), and unbinding renames it to a name
no value and no other column has (`x1` becomes `x1_data`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from micrograd_gui.dataset import DataTable
from micrograd_gui.document import MAX_NAME_LENGTH, Document

UNBOUND_SUFFIX = "_data"
LISTED_NAMES = 6  # a summary names at most this many values of a kind, then says how many more


def free_column_name(base: str, taken: Collection[str]) -> str:
    """A name for an unbound column made from `base` (`x1` -> `x1_data`, `x1_data2`, ...), not in
    `taken` (the workspace's names and the table's columns)."""
    for number in range(1, len(taken) + 2):
        suffix = UNBOUND_SUFFIX if number == 1 else f"{UNBOUND_SUFFIX}{number}"
        name = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
        if name not in taken:
            return name
    raise AssertionError("unreachable: one of len(taken) + 1 distinct names is free")


def taken_names(document: Document, table: DataTable) -> set[str]:
    return {*document.names, *table.columns}


def bind(document: Document, table: DataTable, column: str, leaf: str) -> DataTable:
    """`table` with `column` feeding `leaf`: renamed to the leaf's name. Another column already
    named `leaf` is unbound first (renamed to a free name)."""
    if column == leaf:
        return table
    if leaf in table.columns:
        table = table.renaming(leaf, free_column_name(leaf, taken_names(document, table)))
    return table.renaming(column, leaf)


def unbind(document: Document, table: DataTable, column: str) -> DataTable:
    """`table` with `column` renamed to a name that binds nothing."""
    return table.renaming(column, free_column_name(column, taken_names(document, table)))


def bindable_leaves(document: Document) -> list[str]:
    """The leaves a column may feed, in document order: every leaf that is not a constant."""
    return [d.name for d in document.definitions if d.is_leaf and not d.constant]


def is_bound(document: Document, column: str) -> bool:
    return column in document and document.definition(column).is_leaf


def new_row(document: Document, table: DataTable) -> tuple[float, ...]:
    """A row to add: the numbers the bound leaves hold now (the graph's own row), 0 elsewhere."""
    return tuple(document.data(c) if is_bound(document, c) else 0.0 for c in table.columns)


def shown_after_removal(shown: int | None, removed: Iterable[int]) -> int | None:
    """Where the row shown is once `removed` rows are gone: None when it is one of them."""
    if shown is None:
        return None
    gone = set(removed)
    if shown in gone:
        return None
    return shown - sum(1 for row in gone if row < shown)


def name_list(names: Sequence[str], limit: int = LISTED_NAMES) -> str:
    """`a, b, c` or `a, b, c, … and 12 more`."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", … and {len(names) - limit:,} more"


def summary(document: Document) -> list[str]:
    """The lines that say what the data does: how many rows, which columns feed which leaves, which
    leaves are parameters, which row the graph shows."""
    table = document.data_table
    parameters = document.parameters()
    trained = f"Parameters (trained): {len(parameters):,}" + (f": {name_list(parameters)}" if parameters else "")
    if table is None:
        return [
            "No data: generate a data set or import a CSV file. A column named like a leaf (x1, y) gives that "
            "leaf each row's number.",
            trained,
        ]
    count = len(table.rows)
    bound = document.bound_columns()
    unbound = [c for c in table.columns if c not in bound]
    lines = [
        f"{count:,} row{'' if count == 1 else 's'}"
        + (f"; columns feeding the leaves of their name: {name_list(bound)}" if bound else "; no column names a leaf")
    ]
    if unbound:
        lines.append(f"Unbound (kept, not used): {name_list(unbound)}")
    lines.append(trained)
    shown = document.shown_row
    if shown is not None and shown < count:
        lines.append(f"The graph shows row {shown + 1:,}")
    elif bound:
        lines.append("The graph shows the leaves as typed: show a row to see its forward pass")
    return lines
