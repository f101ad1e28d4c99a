"""A workspace's data table and training settings: plain values, checked when made. Qt-free.

A data table has named columns and rows of finite numbers. A column whose name is a leaf of the
workspace binds that leaf: for each row, the leaf takes the row's number (inputs and targets
alike). A column that names no leaf is unbound: kept, shown, not used.

The training settings say which value is the per-row loss, how the rows combine (`sum` or
`mean`), the L2 term and the learning rate, falling linearly from `learning_rate` to
`final_learning_rate` over `steps` steps. One step is defined in ../shared/CONTRACT.md
("Workspace file, version 2") and carried out by micrograd_gui.trainer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

MAX_ROWS = 100_000
MAX_COLUMNS = 64
MAX_STEPS = 1_000_000
REDUCTIONS = ("sum", "mean")


class DataError(ValueError):
    """Data or settings that cannot be used; the message is written for the user."""


def check_column_name(name: str) -> str | None:
    """Why `name` cannot name a column, or None: it must be a name a value could have."""
    from micrograd_gui.document import check_name

    return check_name(name)


def check_columns(columns: tuple[str, ...]) -> None:
    """DataError unless `columns` can head a data table: 1 to MAX_COLUMNS distinct names."""
    if not columns:
        raise DataError("a data table needs at least one column")
    if len(columns) > MAX_COLUMNS:
        raise DataError(f"a data table has at most {MAX_COLUMNS} columns, not {len(columns)}")
    seen: set[str] = set()
    for name in columns:
        reason = check_column_name(name)
        if reason:
            raise DataError(f"column '{name}': {reason}")
        if name in seen:
            raise DataError(f"there are two columns named '{name}'")
        seen.add(name)


def check_row(columns: tuple[str, ...], row: tuple[float, ...], number: int) -> None:
    """DataError unless `row` (row `number`, from 1) holds one finite number per column."""
    if len(row) != len(columns):
        count = f"{len(row)} number" + ("" if len(row) == 1 else "s")
        raise DataError(f"row {number} has {count}; there are {len(columns)} columns")
    for column, cell in zip(columns, row, strict=True):
        if isinstance(cell, bool) or not isinstance(cell, (int, float)) or not math.isfinite(cell):
            raise DataError(f"row {number}, column '{column}': {cell!r} is not a finite number")


@dataclass(frozen=True)
class DataTable:
    """Named columns and rows of finite numbers, every row as long as the columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...] = ()

    def __post_init__(self) -> None:
        check_columns(self.columns)
        if len(self.rows) > MAX_ROWS:
            raise DataError(f"a data table has at most {MAX_ROWS:,} rows, not {len(self.rows):,}")
        for number, row in enumerate(self.rows, start=1):
            check_row(self.columns, row, number)

    @classmethod
    def _checked_parts(cls, columns: tuple[str, ...], rows: tuple[tuple[float, ...], ...]) -> DataTable:
        """A table from parts already checked (its columns, and rows of checked tables): an edit of a
        100,000-row table checks what it changes, not every row again."""
        table = object.__new__(cls)
        object.__setattr__(table, "columns", columns)
        object.__setattr__(table, "rows", rows)
        return table

    @staticmethod
    def of(columns: Iterable[str], rows: Iterable[Iterable[float]] = ()) -> DataTable:
        """A table from any iterables, its numbers made floats (DataError for anything else)."""
        columns = tuple(columns)
        made = []
        for number, row in enumerate(rows, start=1):
            cells = []
            for at, cell in enumerate(row):
                where = f"row {number}, column '{columns[at]}'" if at < len(columns) else f"row {number}"
                if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                    shown = str(cell).lower() if isinstance(cell, bool) else repr(cell)
                    raise DataError(f"{where}: {shown} is not a number")
                try:
                    cells.append(float(cell))
                except OverflowError:  # an int past the float range
                    raise DataError(f"{where}: the number is too large (not a finite float)") from None
            made.append(tuple(cells))
            if number > MAX_ROWS:
                raise DataError(f"a data table has at most {MAX_ROWS:,} rows")
        return DataTable(columns, tuple(made))

    def column(self, name: str) -> tuple[float, ...]:
        at = self.columns.index(name)
        return tuple(row[at] for row in self.rows)

    def row(self, index: int) -> dict[str, float]:
        """Row `index` (from 0) as column name -> number."""
        return dict(zip(self.columns, self.rows[index], strict=True))

    def with_rows(self, rows: Sequence[Sequence[float]]) -> DataTable:
        return DataTable.of(self.columns, rows)

    def with_cell(self, row: int, column: int, number: float) -> DataTable:
        rows = list(self.rows)
        cells = list(rows[row])
        cells[column] = float(number)
        rows[row] = tuple(cells)
        check_row(self.columns, rows[row], row + 1)
        return DataTable._checked_parts(self.columns, tuple(rows))

    def inserting(self, at: int, rows: Sequence[Sequence[float]]) -> DataTable:
        """Rows put in before row `at` (at == len(rows) appends)."""
        added = DataTable.of(self.columns, rows).rows
        if len(self.rows) + len(added) > MAX_ROWS:
            raise DataError(f"a data table has at most {MAX_ROWS:,} rows")
        return DataTable._checked_parts(self.columns, (*self.rows[:at], *added, *self.rows[at:]))

    def without(self, indexes: Iterable[int]) -> DataTable:
        doomed = set(indexes)
        return DataTable._checked_parts(self.columns, tuple(r for i, r in enumerate(self.rows) if i not in doomed))

    def renaming(self, old: str, new: str) -> DataTable:
        """The column `old` named `new` (a no-op when there is no column `old`)."""
        if old not in self.columns:
            return self
        columns = tuple(new if c == old else c for c in self.columns)
        check_columns(columns)
        return DataTable._checked_parts(columns, self.rows)

    def bound(self, leaves: Iterable[str]) -> tuple[str, ...]:
        """The columns that name one of `leaves`, in column order."""
        leaves = set(leaves)
        return tuple(c for c in self.columns if c in leaves)


@dataclass(frozen=True)
class TrainingSettings:
    """What a training step does (see the module docstring); checked when made."""

    loss: str | None = None
    reduce: str = "sum"
    l2: float = 0.0
    learning_rate: float = 0.05
    final_learning_rate: float = 0.05
    steps: int = 20

    def __post_init__(self) -> None:
        if self.reduce not in REDUCTIONS:
            raise DataError(f"the rows combine by sum or mean, not {self.reduce!r}")
        for what, number in (
            ("the L2 term", self.l2),
            ("the learning rate", self.learning_rate),
            ("the final learning rate", self.final_learning_rate),
        ):
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
                raise DataError(f"{what} must be a finite number, not {number!r}")
        if self.l2 < 0:
            raise DataError("the L2 term cannot be negative")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or not 1 <= self.steps <= MAX_STEPS:
            raise DataError(f"the number of steps is a whole number from 1 to {MAX_STEPS:,}")

    def learning_rate_at(self, step: int) -> float:
        """lr_k of CONTRACT.md: learning_rate + (final_learning_rate - learning_rate) * k / n."""
        return self.learning_rate + (self.final_learning_rate - self.learning_rate) * step / self.steps

    def changed(self, **changes: object) -> TrainingSettings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def renaming(self, old: str, new: str) -> TrainingSettings:
        return replace(self, loss=new) if self.loss == old else self
