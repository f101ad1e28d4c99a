"""Where a data table comes from: a CSV file, or one of the built-in data sets. Qt-free.

A CSV file's first line is the header, the column names (names a value could have: `x1`, `y`);
every other line is a row of numbers, as many as there are columns. `read_csv` reads a file whole
and checks everything before it returns a table: a bad file gives one `DataError` whose message
names the file and the first problem (the data row, its line in the file, the column), never a
part of the file. Blank lines are skipped. `write_csv` writes a table back, every number with
Python's `repr`, so a table exported and imported again is the same table, bit for bit.

The built-in data sets (GENERATORS, what the Data panel lists) have columns `x1`, `x2` (and `x3`)
and a target `y` of 1 or -1: the lecture's four rows, micrograd's demo moons (its exact 100 points,
shipped as resources/data/moons.csv) and three made from a seed with the standard library's
`random`, the same points for the same seed on every machine.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib.resources import files
from typing import NamedTuple

from micrograd_gui.dataset import MAX_COLUMNS, MAX_ROWS, DataError, DataTable, check_column_name
from micrograd_gui.document import underflows
from micrograd_gui.messages import shown_text

MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_CELL_CHARACTERS = 400
MAX_GENERATED_ROWS = 10_000

# The lecture's four rows (`xs`) and their targets (`ys`).
LECTURE_XS = ((2.0, 3.0, -1.0), (3.0, -1.0, 0.5), (0.5, 1.0, 1.0), (1.0, 1.0, -1.0))
LECTURE_YS = (1.0, -1.0, -1.0, 1.0)


# ---- CSV ------------------------------------------------------------------------------------------


def read_csv(data: bytes, source: str = "the CSV file") -> DataTable:
    """The table in a CSV file's contents (UTF-8, a byte-order mark allowed), or DataError: one line,
    starting with `source`, naming the first problem."""
    try:
        return _read_csv(data)
    except DataError as problem:
        raise DataError(f"{source}: {problem}") from None


def _read_csv(data: bytes) -> DataTable:
    if len(data) > MAX_CSV_BYTES:
        raise DataError(f"it is too large ({len(data) // 2**20} MB; at most {MAX_CSV_BYTES // 2**20} MB)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(f"line {line} is not UTF-8 text (save the file as UTF-8 CSV)") from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise DataError(f"line {line} holds a NUL character: it is not a text file")
    if not text.strip():
        raise DataError("it is empty")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: tuple[str, ...] | None = None
    rows: list[tuple[float, ...]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line (or one of empty cells a spreadsheet left)
            if columns is None:
                columns = _header([cell.strip() for cell in cells], reader.line_num)
                continue
            if len(rows) == MAX_ROWS:
                raise DataError(
                    f"it has more than {MAX_ROWS:,} rows of numbers (a data table holds at most {MAX_ROWS:,})"
                )
            rows.append(_row(cells, columns, len(rows) + 1, reader.line_num))
    except csv.Error as error:
        raise DataError(f"line {reader.line_num} is not valid CSV ({str(error).rstrip('.')})") from None
    assert columns is not None
    if not rows:
        raise DataError("it has a header line but no rows of numbers under it")
    return DataTable(columns, tuple(rows))


def _header(names: list[str], line: int) -> tuple[str, ...]:
    """The column names of the header line, or DataError saying which name cannot be one and why."""
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        separator = "semicolons" if ";" in names[0] else "tabs"
        raise DataError(f"the header (line {line}) seems to use {separator}: columns are separated by commas")
    if len(names) > MAX_COLUMNS:
        raise DataError(f"it has {len(names)} columns; a data table has at most {MAX_COLUMNS}")
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"column {position} has no name in the header (line {line})")
        if not name.isidentifier() and _is_number(name):  # `inf` and `nan` may name columns
            raise DataError(
                f"the first line is the header, the columns' names (like x1, y), but column {position} is"
                f" the number {shown_text(name)}"
            )
        reason = check_column_name(name)
        if reason:
            raise DataError(f"the header (line {line}), column {position}: {reason.replace(name, shown_text(name))}")
        if name in seen:
            raise DataError(f"the header (line {line}) names two columns '{name}'")
        seen.add(name)
    return tuple(names)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _row(cells: Sequence[str], columns: tuple[str, ...], number: int, line: int) -> tuple[float, ...]:
    where = f"row {number} (line {line})"
    if len(cells) != len(columns):
        raise DataError(f"{where} has {len(cells)} cells; the header has {len(columns)} columns")
    return tuple(_cell(cell.strip(), f"{where}, column '{name}'") for cell, name in zip(cells, columns))


def _cell(text: str, where: str) -> float:
    if not text:
        raise DataError(f"{where} is empty: every cell holds a number")
    if len(text) > MAX_CELL_CHARACTERS:
        raise DataError(f"{where} is {len(text):,} characters long, too long for a number")
    shown = shown_text(text)
    # float() also takes 1_000 and other scripts' digits; a CSV cell is a plain decimal number
    number = None
    if "_" not in text and text.isascii():
        try:
            number = float(text)
        except ValueError:
            pass
    if number is None:
        raise DataError(f"{where}: '{shown}' is not a number")
    if math.isnan(number):
        raise DataError(f"{where}: '{shown}' is not a number (NaN); every cell holds a finite number")
    if math.isinf(number):
        raise DataError(f"{where}: '{shown}' is not a finite number")
    if number == 0.0 and underflows(text):
        raise DataError(f"{where}: '{shown}' is too small for a float (it would be 0)")
    return number


def write_csv(table: DataTable) -> str:
    """A table as CSV text: the header line, then one line per row, each number as `repr` writes it
    (the shortest text that reads back as the same float)."""
    lines = [",".join(table.columns)]
    lines += [",".join(repr(float(cell)) for cell in row) for row in table.rows]
    return "\n".join(lines) + "\n"


# ---- built-in data sets -----------------------------------------------------------------------------


def lecture_rows() -> DataTable:
    """The lecture's four rows: `xs` as columns x1, x2, x3 and `ys` as y."""
    return DataTable.of(("x1", "x2", "x3", "y"), [(*x, y) for x, y in zip(LECTURE_XS, LECTURE_YS)])


@lru_cache(maxsize=1)
def moons() -> DataTable:
    """micrograd's demo data, its exact 100 points: `np.random.seed(1337); random.seed(1337);
    X, y = make_moons(n_samples=100, noise=0.1); y = y*2 - 1` (scikit-learn), as x1, x2 and y."""
    data = files("micrograd_gui.resources").joinpath("data/moons.csv").read_bytes()
    return read_csv(data, "moons.csv")


def _rng(n: int, seed: int) -> random.Random:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_GENERATED_ROWS:
        raise DataError(f"the number of points is a whole number from 1 to {MAX_GENERATED_ROWS:,}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError("the seed must be a whole number, 0 or more")
    return random.Random(seed)


def _points(rows: list[tuple[float, float, float]]) -> DataTable:
    """Rows of (x1, x2, y), the coordinates rounded to 4 decimals (easier to read; still exact in a file)."""
    return DataTable.of(("x1", "x2", "y"), [(round(a, 4), round(b, 4), y) for a, b, y in rows])


def xor(n: int = 100, seed: int = 0) -> DataTable:
    """`n` points uniform in the square [-1, 1] x [-1, 1], none within 0.05 of an axis, y = 1 where x1 and x2
    have the same sign and -1 where not: no line separates them."""
    rng = _rng(n, seed)
    rows: list[tuple[float, float, float]] = []
    for _ in range(n):
        a, b = (math.copysign(rng.uniform(0.05, 1.0), rng.random() - 0.5) for _ in range(2))
        rows.append((a, b, 1.0 if a * b > 0 else -1.0))
    return _points(rows)


def circles(n: int = 100, seed: int = 0) -> DataTable:
    """`n` points, alternately inside a disc of radius 0.5 (y = 1) and in the ring from radius 0.7 to 1
    around it (y = -1), at random angles and radii."""
    rng = _rng(n, seed)
    rows: list[tuple[float, float, float]] = []
    for i in range(n):
        inside = i % 2 == 0
        radius = rng.uniform(0.0, 0.5) if inside else rng.uniform(0.7, 1.0)
        angle = rng.uniform(0.0, 2 * math.pi)
        rows.append((radius * math.cos(angle), radius * math.sin(angle), 1.0 if inside else -1.0))
    return _points(rows)


def line(n: int = 100, seed: int = 0) -> DataTable:
    """`n` points uniform in the square [-1, 1] x [-1, 1], at least 0.05 from the line x2 = 0.5*x1 + 0.1:
    y = 1 above it, -1 below (one neuron can separate them)."""
    rng = _rng(n, seed)
    rows: list[tuple[float, float, float]] = []
    while len(rows) < n:
        a, b = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        above = b - (0.5 * a + 0.1)
        if abs(above) / math.hypot(0.5, 1.0) >= 0.05:
            rows.append((a, b, 1.0 if above > 0 else -1.0))
    return _points(rows)


class Generator(NamedTuple):
    """A built-in data set as the Data panel lists it: a menu title, a one-line description and the
    function that makes its table."""

    title: str
    description: str
    make: Callable[[], DataTable]


GENERATORS: dict[str, Generator] = {
    "lecture": Generator(
        "Lecture rows", "The lecture's four rows: x1, x2, x3 and the target y (1 or -1)", lecture_rows
    ),
    "moons": Generator(
        "Moons",
        "micrograd's demo: 100 points on two interleaved half-moons, y = 1 or -1 (make_moons, seed 1337)",
        moons,
    ),
    "xor": Generator("XOR", "100 points in the four quarters of the square: y = 1 where x1 and x2 share a sign", xor),
    "circles": Generator("Circles", "100 points: a disc (y = 1) inside a ring (y = -1)", circles),
    "line": Generator("Line", "100 points either side of the line x2 = 0.5*x1 + 0.1 (y = 1 above, -1 below)", line),
}
