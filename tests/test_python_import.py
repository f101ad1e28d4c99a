"""Python code opens as a workspace: the app's own export round-trips exactly, the lecture's way of writing
builds the lecture's graph, and anything else is refused by line and column, never run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_gui.document import Definition, Document
from micrograd_gui.export_python import output_name, python_script
from micrograd_gui.python_import import PythonImportError, python_workspace, read_python
from micrograd_gui.workspace_file import (
    WorkspaceFileError,
    dumps,
    load_document,
    load_workspace,
    read_example,
    read_workspace,
    write_workspace,
)
from tests.test_workspace_file import workspaces
from tests.workspaces import LECTURE, NEURON

ROOT = Path(__file__).resolve().parent.parent

LECTURE_CELL = """\
from micrograd.engine import Value

a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a*b; e.label = 'e'
d = e + c; d.label = 'd'
f = Value(-2.0, label='f')
L = d * f; L.label = 'L'
L.backward()
print(a.grad)
draw_dot(L)
L
micrograd_gui.show(L)
"""

NEURON_CELL = """\
# inputs x1,x2
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
# weights w1,w2
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
# bias of the neuron
b = Value(6.8813735870195432, label='b')
# x1*w1 + x2*w2 + b
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
o.backward()
"""


def exported(definitions, root=None) -> tuple[Document, str]:
    document = Document()
    document.replace_definitions(definitions)
    return document, python_script(document, root)


@pytest.mark.parametrize("name", ["lecture", "neuron", "reuse"])
def test_the_apps_export_of_each_example_comes_back_exactly(name):
    """Export to .py, read it back: the same definitions, and backward from the value the script runs it from."""
    workspace = read_example(name)
    document, script = exported(workspace.definitions)
    again = python_workspace(script)
    assert again.definitions == workspace.definitions
    assert again.backward_from == output_name(document)


@settings(max_examples=60, deadline=None)
@given(workspaces())
def test_the_apps_export_round_trips_exactly(workspace):
    """On random workspaces: names, ops, operands, numbers bit for bit, and the backward root."""
    document, script = exported(workspace.definitions, workspace.backward_from)
    again = python_workspace(script)
    assert again.definitions == workspace.definitions
    for before, after in zip(workspace.definitions, again.definitions):
        assert repr(before.data) == repr(after.data) and repr(before.exponent) == repr(after.exponent)
    assert again.backward_from == output_name(document, workspace.backward_from)


def test_names_the_export_must_rename_come_back_as_they_were():
    """Values called like builtins or like the script's own names (print, named, values, Value), Greek
    names, and numbers such as -0.0, 5e-324 and 1e300 survive the export and the reading."""
    definitions = [
        Definition("print", data=-0.0),
        Definition("named", data=5e-324),
        Definition("values", data=1e300),
        Definition("Value", data=2.0),
        Definition("α", data=0.5),
        Definition("Δx", "*", ("α", "Value")),
        Definition("value", "**", ("Δx",), exponent=-0.5),
        Definition("abs", "-", ("value",)),
        Definition("engine", "/", ("abs", "Value")),
        Definition("k1", data=2.0, constant=True),
        Definition("t1", "*", ("engine", "k1")),
    ]
    _, script = exported(definitions, "abs")
    assert "print_ = Value(-0.0" in script
    again = python_workspace(script)
    assert again.definitions == tuple(definitions)
    assert repr(again.definitions[0].data) == "-0.0"
    assert again.backward_from == "abs"


def test_the_lectures_cell_builds_the_lectures_graph():
    """The lecture's L cell, pasted as written (import, labels, backward, print, draw_dot, a bare L)."""
    workspace = python_workspace(LECTURE_CELL)
    assert workspace.definitions == tuple(LECTURE)
    assert workspace.backward_from == "L"
    document, note = load_workspace(workspace)
    assert note is None and document.grad("a") == 6.0


def test_labels_that_are_not_names_leave_the_variables_name():
    """The lecture labels `x1*w1`; that is no name, so the value is called after its variable, x1w1."""
    workspace = python_workspace(NEURON_CELL)
    assert workspace.definitions == tuple(NEURON)
    assert workspace.backward_from == "o"


def test_numbers_in_ops_become_constants_and_unnamed_results_get_automatic_names():
    """`(2*n).exp()` and `(e - 1) / (e + 1)`: constant leaves k1, k2, ... and results t1, t2, ..."""
    workspace = python_workspace(
        "n = Value(0.5, label='n')\ne = (2*n).exp()\no = (e - 1) / (e + 1); o.label = 'o'\nh = 0.25 * 2\ny = o * h\n"
    )
    assert workspace.definitions == (
        Definition("n", data=0.5),
        Definition("k1", data=2.0, constant=True),
        Definition("t1", "*", ("k1", "n")),
        Definition("e", "exp", ("t1",)),
        Definition("k2", data=1.0, constant=True),
        Definition("t2", "-", ("e", "k2")),
        Definition("k3", data=1.0, constant=True),
        Definition("t3", "+", ("e", "k3")),
        Definition("o", "/", ("t2", "t3")),
        Definition("k4", data=0.5, constant=True),
        Definition("y", "*", ("o", "k4")),
    )


def test_other_ways_of_writing_the_same_values():
    """Keyword data, an alias of Value, tuple assignment, a leaf's data set later, unary minus, methods."""
    workspace = python_workspace(
        "from engine import Value as V\n"
        "a, b = V(data=2), V(-3.0)\n"
        "a.data = 4\n"
        "c = -a + +b\n"
        "r = c.relu(); l = a.log(); s = b ** 2\n"
    )
    names = [d.name for d in workspace.definitions]
    assert names == ["a", "b", "t1", "c", "r", "l", "s"]
    assert workspace.definitions[0].data == 4.0
    assert workspace.definitions[2] == Definition("t1", "-", ("a",))
    assert workspace.definitions[6] == Definition("s", "**", ("b",), exponent=2.0)


def test_a_label_used_twice_names_the_first_value_only():
    """Two values labelled `a`: the first is a, the second keeps its variable's name."""
    workspace = python_workspace("a = Value(1.0, label='a')\nz = Value(2.0, label='a')\n")
    assert [d.name for d in workspace.definitions] == ["a", "z"]


REFUSED = [
    ("import os\nx = Value(1.0)\nopen('f')\n", r"a call to open\(\) is not allowed at line 3, column 1"),
    ("x = __import__('os')", r"a call to __import__\(\) is not allowed at line 1, column 5"),
    ("import os\nos.system('ls')", r"a call to os.system\(\) is not allowed at line 2, column 1"),
    ("a = Value(1.0)\nb = a.__class__", r"the attribute .__class__ is not allowed here at line 2, column 5"),
    ("class Value:\n    pass", "a class definition is not allowed at line 1, column 1"),
    ("def f(x):\n    return x", "a function definition is not allowed at line 1, column 1"),
    ("f = lambda: 1", "a lambda is not allowed at line 1, column 5"),
    ("while True:\n    pass", "a while loop is not allowed at line 1, column 1"),
    ("a = Value(1.0)\nb = [a][0]", r"indexing \(\[...\]\) is not allowed at line 2, column 5"),
    ("a = Value(1.0)\na.grad = 1.0", "setting a grad by hand is not allowed at line 2, column 1"),
    ("a = Value(1.0)\nb = a * 2\nb.constant = True", "only a leaf can be a constant at line 3, column 1"),
    ("a = Value(1.0)\na.constant = 1", "constant must be True or False at line 2, column 14"),
    ("a = Value(1.0)\nb = a * 2\nb._backward()", r"_backward\(\) by hand is not allowed at line 3, column 1"),
    ("a = Value('2')", "text is not allowed here at line 1, column 11"),
    ("a = Value(True)", "True is not allowed here at line 1, column 11"),
    ("a = Value(1.0)\nb = a ** a", r"\*\* is allowed only with a number as its exponent at line 2, column 5"),
    ("α = Value(2.0)\nΔx = α * q", "'q' is not defined before it is used at line 2, column 10"),
    ("a = Value(1.0)\na * 2", "a value that nothing keeps is not allowed at line 2, column 1"),
    ("a = Value(1.0)\na.data += 1", r"an in-place update \(\+= and the like\) is not allowed at line 2, column 1"),
    ("a = Value(1e-400)", "the number 1e-400 is too small for a float"),
    ("a = Value(10**400)", "too large"),
    ("a = Value(1.0)\nb = a.tanh(2)", r".tanh\(\) takes no arguments at line 2, column 5"),
    ("a = Value(1.0, _op='+')", r"Value\(\) takes data and label, not _op at line 1, column 20"),
    ("%matplotlib inline", "it is not Python this app reads .* at line 1"),
    ("a = Value(1.0)\nb = a / 0.0 if a else a", "a conditional expression is not allowed at line 2, column 5"),
    ("a = (1.0) / 0", "this divides by zero at line 1, column 5"),
    ("a = Value(1.0)\nb = named(a, 'b')", r"a call to named\(\) is not allowed"),  # no `def named` above
    ("a = 2.0\nb = a * 3\nprint(b)", "the code makes no Value"),
    ("", "the code makes no Value"),
]


@pytest.mark.parametrize(("code", "message"), REFUSED, ids=[c[:30] for c, _ in REFUSED])
def test_anything_else_is_refused_by_line_and_column(code, message):
    """Each refusal names what is not allowed and where."""
    with pytest.raises(PythonImportError, match=message):
        python_workspace(code)


def test_code_is_never_run(tmp_path):
    """Nothing in the code runs, not even inside the print() calls that are ignored."""
    marker = tmp_path / "ran"
    code = f"x = Value(1.0)\nprint(open({str(marker)!r}, 'w').write('x'))\n"
    workspace = python_workspace(code)
    assert [d.name for d in workspace.definitions] == ["x"]
    assert not marker.exists()
    with pytest.raises(PythonImportError):
        python_workspace(f"open({str(marker)!r}, 'w')")
    assert not marker.exists()


def test_a_deeply_nested_expression_is_refused_not_a_crash():
    """A sum of 100,000 terms is refused with a message instead of blowing the stack."""
    code = "a = Value(1.0)\nb = " + " + ".join(["a"] * 100_000) + "\n"
    with pytest.raises(PythonImportError, match="nested too deeply"):
        python_workspace(code)


def test_a_py_file_opens_wherever_a_workspace_file_does(tmp_path):
    """read_workspace reads a .py by its suffix; a refused one names the file, the line and the column."""
    good = tmp_path / "lecture.py"
    good.write_text(LECTURE_CELL, encoding="utf-8")
    assert read_workspace(good).definitions == tuple(LECTURE)
    assert load_document(good).grad("a") == 6.0
    bad = tmp_path / "bad.py"
    bad.write_text("a = Value(1.0)\nimport os\nos.remove('x')\n", encoding="utf-8")
    with pytest.raises(
        WorkspaceFileError, match=r"^bad.py: a call to os.remove\(\) is not allowed at line 3, column 1$"
    ):
        read_workspace(bad)
    (tmp_path / "latin.py").write_bytes(b"a = Value(1.0, label='\xe9')")
    with pytest.raises(WorkspaceFileError, match="not UTF-8"):
        read_workspace(tmp_path / "latin.py")


def test_read_python_takes_text_with_a_byte_order_mark():
    """Text as an editor saves it (a UTF-8 BOM) reads the same."""
    assert read_python("\ufeffa = Value(2.0)\n".encode()).definitions == (Definition("a", data=2.0),)


def test_a_workspace_is_never_saved_over_code_or_a_picture(tmp_path):
    """Save to a .py, .png or .svg path is refused and leaves the file as it was."""
    for suffix in (".py", ".png", ".svg"):
        target = tmp_path / f"graph{suffix}"
        target.write_bytes(b"original")
        with pytest.raises(WorkspaceFileError, match=f"a workspace is saved as .json, not over a \\{suffix} file"):
            write_workspace(target, LECTURE, None)
        assert target.read_bytes() == b"original"


def test_export_reads_a_py_file_and_refuses_a_bad_one(tmp_path):
    """`micrograd-gui export code.py -o out.dot` draws it; a refused .py exits 2 naming line and column."""
    code = tmp_path / "lecture.py"
    code.write_text(LECTURE_CELL, encoding="utf-8")
    out = tmp_path / "out.dot"
    cli = str(Path(sys.executable).parent / "micrograd-gui")
    done = subprocess.run([cli, "export", str(code), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "grad 6.0000" in out.read_text()
    code.write_text("a = Value(1.0)\nexec('print(1)')\n", encoding="utf-8")
    out.unlink()
    done = subprocess.run([cli, "export", str(code), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "lecture.py: a call to exec() is not allowed at line 2, column 1" in done.stderr
    assert not out.exists()


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_random_text_never_crashes(text):
    """Whatever the text, reading it gives a workspace or a PythonImportError, nothing else."""
    try:
        python_workspace(text)
    except PythonImportError:
        pass


@pytest.mark.parametrize(
    "code",
    [
        "a = Value(2.0, label='a')\nb = " + "z" * 3000 + "(a)\n",
        "a = Value(2.0, label='a')\nb = a." + "w" * 3000 + "()\n",
        "a = Value(2.0, label='a')\nb = " + "q" * 3000 + " + a\n",
        "a = Value(2.0, label='a')\na." + "s" * 3000 + " = 1\n",
        "a = Value(2.0, " + "k" * 3000 + "=1)\n",
        "a = Value(2.0, label='a')\nb = a.tanh(" + "x" * 3000 + ")\n",
    ],
)
def test_a_long_piece_of_the_code_is_quoted_short(code):
    """A 3,000-character name in refused code is quoted cut short: the message stays one readable line."""
    with pytest.raises(WorkspaceFileError) as caught:
        read_python(code.encode(), "x.py")
    message = str(caught.value)
    assert message.isprintable() and len(message) < 200, message


def test_exported_code_draws_the_same_picture_as_its_workspace(tmp_path):
    """`export lecture.json -o l.py`, then `export l.py -o l.dot`: the DOT text of the workspace itself."""
    cli = str(Path(sys.executable).parent / "micrograd-gui")
    lecture = tmp_path / "lecture.json"
    lecture.write_text(dumps(LECTURE, "L"), encoding="utf-8")

    def export(source: Path, out: Path) -> None:
        done = subprocess.run([cli, "export", str(source), "-o", str(out)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    export(lecture, tmp_path / "l.py")
    export(tmp_path / "l.py", tmp_path / "from_code.dot")
    export(lecture, tmp_path / "from_json.dot")
    assert (tmp_path / "from_code.dot").read_text() == (tmp_path / "from_json.dot").read_text()
    assert "grad 6.0000" in (tmp_path / "from_code.dot").read_text()
