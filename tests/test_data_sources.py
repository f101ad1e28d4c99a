"""Data sources: CSV read with one clear message per problem and written back exactly, and the built-in data
sets (the lecture's rows, micrograd's demo moons, XOR, circles, a line)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Value, nn
from micrograd_gui import data_sources
from micrograd_gui.data_sources import GENERATORS, read_csv, write_csv
from micrograd_gui.dataset import MAX_COLUMNS, MAX_ROWS, DataError, DataTable


def test_a_csv_reads_as_its_header_and_rows_of_numbers():
    """The header names the columns (spaces trimmed, a byte-order mark skipped), every other line is a row of
    numbers in any of Python's decimal spellings; blank lines and CRLF line ends are fine."""
    data = "\ufeff x1 , x2,y\r\n1, -2.5 ,+3\r\n\r\n1e-3,.5,-0\r\n,,\r\n".encode()
    table = read_csv(data, "points.csv")
    assert table == DataTable(("x1", "x2", "y"), ((1.0, -2.5, 3.0), (0.001, 0.5, -0.0)))
    assert read_csv(b'"x1","y"\n"1","2"') == DataTable(("x1", "y"), ((1.0, 2.0),))
    assert read_csv(b"inf,nan\n1,2\n").columns == ("inf", "nan")  # names, in a header


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "points.csv: it is empty"),
        (b" \n\n \r\n", "points.csv: it is empty"),
        (b"x1,x2,y\n", "points.csv: it has a header line but no rows of numbers under it"),
        (b"x1,x2,y\n\n,,\n", "points.csv: it has a header line but no rows of numbers under it"),
        (b"x1,x2,y\n1,2,3\n4,5\n", "points.csv: row 2 (line 3) has 2 cells; the header has 3 columns"),
        (b"x1,x2,y\n1,2,3,\n", "points.csv: row 1 (line 2) has 4 cells; the header has 3 columns"),
        (b"x1,x2,y\n1,2,3\n4,five,6\n", "points.csv: row 2 (line 3), column 'x2': 'five' is not a number"),
        (b"x1,x2,y\n1,,3\n", "points.csv: row 1 (line 2), column 'x2' is empty: every cell holds a number"),
        (
            b"x1,x2,y\n1,2,nan\n",
            "points.csv: row 1 (line 2), column 'y': 'nan' is not a number (NaN); every cell holds a finite number",
        ),
        (b"x1,x2,y\n\n1,2,3\n-inf,2,3\n", "points.csv: row 2 (line 4), column 'x1': '-inf' is not a finite number"),
        (b"x1,x2,y\n1e999,2,3\n", "points.csv: row 1 (line 2), column 'x1': '1e999' is not a finite number"),
        (
            b"x1,y\n1e-999,2\n",
            "points.csv: row 1 (line 2), column 'x1': '1e-999' is too small for a float (it would be 0)",
        ),
        (b"x1,y\n1_000,2\n", "points.csv: row 1 (line 2), column 'x1': '1_000' is not a number"),
        ("x1,y\n\u0661,2\n".encode(), "points.csv: row 1 (line 2), column 'x1': '\u0661' is not a number"),
        (b"x1,x2,x1\n1,2,3\n", "points.csv: the header (line 1) names two columns 'x1'"),
        (b"x1,,y\n1,2,3\n", "points.csv: column 2 has no name in the header (line 1)"),
        (
            b"x 1,y\n1,2\n",
            "points.csv: the header (line 1), column 1: 'x 1' is not a valid name: use letters, digits and _, not"
            " starting with a digit",
        ),
        (b"x1,class,y\n1,2,3\n", "points.csv: the header (line 1), column 2: 'class' is a Python keyword"),
        (
            b"1.5,2,3\n4,5,6\n",
            "points.csv: the first line is the header, the columns' names (like x1, y), but column 1 is the number 1.5",
        ),
        (
            b"x1;x2;y\n1;2;3\n",
            "points.csv: the header (line 1) seems to use semicolons: columns are separated by commas",
        ),
        (b"x1\tx2\n1\t2\n", "points.csv: the header (line 1) seems to use tabs: columns are separated by commas"),
        (b"x1,y\n1,2\n3,\xff\n", "points.csv: line 3 is not UTF-8 text (save the file as UTF-8 CSV)"),
        (b"x1,y\n1,2\x00\n", "points.csv: line 2 holds a NUL character: it is not a text file"),
        (b'x1,y\n1,"2\n', "points.csv: line 2 is not valid CSV (unexpected end of data)"),
    ],
)
def test_each_bad_csv_gives_one_message_naming_where(data, message):
    """A bad file is refused whole with one line that names the file and the row, line and column at fault."""
    with pytest.raises(DataError) as caught:
        read_csv(data, "points.csv")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_too_many_rows_or_columns_are_refused():
    """One row past MAX_ROWS, or one column past MAX_COLUMNS, is refused; exactly the limit reads."""
    rows = "1,2\n" * MAX_ROWS
    assert len(read_csv(f"x,y\n{rows}".encode()).rows) == MAX_ROWS
    with pytest.raises(DataError, match=rf"^a\.csv: it has more than {MAX_ROWS:,} rows of numbers"):
        read_csv(f"x,y\n{rows}3,4\n".encode(), "a.csv")
    names = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    with pytest.raises(DataError, match=rf"^a\.csv: it has {MAX_COLUMNS + 1} columns; a data table has at most 64$"):
        read_csv(f"{names}\n".encode(), "a.csv")


def test_a_long_text_cell_is_shown_short():
    """A cell of junk is quoted in the message cut short and with its control characters escaped."""
    with pytest.raises(DataError) as caught:
        read_csv(b"x,y\n1,\x1b[31m" + b"z" * 300 + b"\n")
    message = str(caught.value)
    assert message.startswith("the CSV file: row 1 (line 2), column 'y': '\\x1b[31mzzz")
    assert len(message) < 120 and "\x1b" not in message


@given(
    st.lists(st.sampled_from(["x1", "x2", "y", "α", "Δx", "w_0"]), min_size=1, max_size=6, unique=True).flatmap(
        lambda columns: st.tuples(
            st.just(columns),
            st.lists(
                st.lists(
                    st.floats(allow_nan=False, allow_infinity=False), min_size=len(columns), max_size=len(columns)
                ),
                min_size=1,
                max_size=20,
            ),
        )
    )
)
def test_write_then_read_gives_the_same_table_bit_for_bit(made):
    """write_csv then read_csv returns the same columns and the same floats (signed zeros, subnormals, extremes)."""
    columns, rows = made
    table = DataTable.of(columns, rows)
    back = read_csv(write_csv(table).encode("utf-8"))
    assert back.columns == table.columns
    assert [[repr(c) for c in row] for row in back.rows] == [[repr(c) for c in row] for row in table.rows]


def test_write_csv_writes_a_plain_csv():
    """The export is the header and one line per row, numbers as repr writes them."""
    assert write_csv(DataTable.of(["x", "y"], [[1, 0.1], [-2.5, 1e-300]])) == "x,y\n1.0,0.1\n-2.5,1e-300\n"


def test_the_lecture_rows_are_the_lectures_xs_and_ys():
    """lecture_rows() is the lecture's xs as x1, x2, x3 and ys as y."""
    table = data_sources.lecture_rows()
    assert table.columns == ("x1", "x2", "x3", "y")
    xs = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]]
    assert [list(row[:3]) for row in table.rows] == xs
    assert table.column("y") == (1.0, -1.0, -1.0, 1.0)


def test_moons_is_micrograds_demo_data_exactly():
    """moons() is sklearn's make_moons(n_samples=100, noise=0.1) after np.random.seed(1337), y*2 - 1: the
    first and last points as that run printed them (repr), 50 of each label."""
    table = data_sources.moons()
    assert table.columns == ("x1", "x2", "y")
    assert len(table.rows) == 100
    assert table.rows[0] == (1.1221146075409685, 0.08147717341718697, -1.0)
    assert table.rows[1] == (-0.8188294130836691, 0.058790063907949996, -1.0)
    assert table.rows[-1] == (0.12108297264758441, 1.0655522522437006, -1.0)
    assert sorted(set(table.column("y"))) == [-1.0, 1.0] and table.column("y").count(1.0) == 50


def test_the_moons_give_the_demos_first_loss_and_accuracy():
    """With micrograd's demo model (MLP(2, [16, 16, 1]) after random.seed(1337)), the demo's loss on the moons,
    mean max-margin plus 1e-4 * L2, is exactly its printed step 0: 0.8958441028683222, accuracy 50%."""
    table = data_sources.moons()
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    xs = [row[:2] for row in table.rows]
    ys = table.column("y")
    scores = [model([Value(x) for x in row]) for row in xs]
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    assert total.data == 0.8958441028683222
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(ys, scores)]
    assert sum(accuracy) / len(accuracy) == 0.5


@pytest.mark.parametrize("name", ["xor", "circles", "line"])
def test_the_made_data_sets_are_reproducible_from_their_seed(name):
    """The same seed gives the same points, another seed others; n rows of x1, x2 in [-1, 1] and y = +-1,
    both labels present."""
    make = getattr(data_sources, name)
    table = make()
    assert table == make(100, 0) == make(seed=0)
    assert make(seed=1) != table
    assert table.columns == ("x1", "x2", "y") and len(table.rows) == 100 and len(make(7, 3).rows) == 7
    assert all(-1 <= x1 <= 1 and -1 <= x2 <= 1 for x1, x2, _ in table.rows)
    assert sorted(set(table.column("y"))) == [-1.0, 1.0]
    assert 20 <= table.column("y").count(1.0) <= 80


def test_the_made_data_sets_label_by_their_rule():
    """XOR's y is the sign of x1*x2; circles' is 1 inside radius 0.5 and -1 from 0.7 out; line's is 1 above
    x2 = 0.5*x1 + 0.1 and -1 below, no point on the boundary."""
    for x1, x2, y in data_sources.xor(500, 4).rows:
        assert min(abs(x1), abs(x2)) >= 0.05 and y == (1.0 if x1 * x2 > 0 else -1.0)
    for x1, x2, y in data_sources.circles(500, 4).rows:
        radius = (x1 * x1 + x2 * x2) ** 0.5
        assert (radius <= 0.5001 and y == 1.0) or (0.6999 <= radius <= 1.0001 and y == -1.0)
    for x1, x2, y in data_sources.line(500, 4).rows:
        assert abs(x2 - (0.5 * x1 + 0.1)) > 0.05 and y == (1.0 if x2 > 0.5 * x1 + 0.1 else -1.0)


def test_the_made_data_sets_are_the_same_on_every_machine():
    """The points depend only on the seed (random.Random's Mersenne Twister is the same everywhere): a few
    spelled out."""
    assert data_sources.xor().rows[0] == (0.8522, -0.4495, -1.0)
    assert data_sources.circles().rows[0] == (0.0211, -0.4217, 1.0)
    assert data_sources.line().rows[0] == (0.6888, 0.5159, 1.0)


@pytest.mark.parametrize(("n", "seed"), [(0, 0), (10_001, 0), (1.5, 0), (True, 0), (10, -1), (10, 2.0)])
def test_a_bad_size_or_seed_is_refused(n, seed):
    """A count outside 1..10,000 or a seed that is not a whole number 0 or more is a DataError."""
    with pytest.raises(DataError):
        data_sources.xor(n, seed)


def test_the_registry_lists_each_data_set_with_a_title_and_a_description():
    """GENERATORS: lecture, moons, XOR, circles, line, in menu order, each making its table."""
    assert list(GENERATORS) == ["lecture", "moons", "xor", "circles", "line"]
    for generator in GENERATORS.values():
        title, description, make = generator
        assert title and description and "\n" not in description
        assert isinstance(make(), DataTable)
    assert GENERATORS["moons"].make() == data_sources.moons()
