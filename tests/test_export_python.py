"""The Python export: a script that rebuilds the workspace and prints the numbers the app shows."""

from __future__ import annotations

import contextlib
import io
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings

from engine import format_decimals
from micrograd_gui.document import Definition, Document, DocumentError
from micrograd_gui.export_python import output_name, python_script
from micrograd_gui.workspace_file import load_document
from tests.test_workspace_file import workspaces

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "resources" / "examples"


def expected_lines(document: Document, root: str) -> list[str]:
    """What the app shows after backward from `root`, one line per value."""
    document.backward(root)
    shown = format_decimals
    return [f"{n} data={shown(document.data(n))} grad={shown(document.grad(n))}" for n in document.names]


def run_script(script: str, tmp_path: Path) -> list[str]:
    """Run a script with the project's Python from a folder away from the source tree."""
    path = tmp_path / "workspace.py"
    path.write_text(script)
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(("example", "root"), [("lecture", "L"), ("neuron", "o"), ("reuse", "b")])
def test_exported_script_prints_the_apps_numbers(example, root, tmp_path):
    """Running the exported script of each example prints each value's data and grad as the app shows them."""
    document = load_document(EXAMPLES_DIR / f"{example}.json")
    script = python_script(document)
    assert script.startswith('"""') and "from engine import Value" in script
    assert run_script(script, tmp_path) == expected_lines(document, root)


def test_the_script_runs_backward_from_the_chosen_root(tmp_path):
    """An explicit root wins over the document's last backward root and the newest value."""
    document = load_document(EXAMPLES_DIR / "lecture.json")
    document.backward("L")
    assert output_name(document) == "L"
    lines = run_script(python_script(document, root="d"), tmp_path)
    assert lines == expected_lines(document, "d")
    assert "a data=2.0000 grad=-3.0000" in lines


def test_without_a_root_the_last_backward_root_is_used(tmp_path):
    """A document whose last backward ran from d exports a script that runs backward from d."""
    document = load_document(EXAMPLES_DIR / "lecture.json")
    document.backward("d")
    assert output_name(document) == "d"
    assert run_script(python_script(document), tmp_path) == expected_lines(document, "d")


def test_an_unknown_root_is_refused():
    """Asking for backward from a value that does not exist is a DocumentError, not a broken script."""
    with pytest.raises(DocumentError, match="'nope' does not exist"):
        python_script(load_document(EXAMPLES_DIR / "reuse.json"), root="nope")


def test_names_the_script_itself_uses_still_work(tmp_path):
    """Values called print, Value, values, named, float or format_decimals keep their labels and do not
    break the script."""
    document = Document()
    document.add_many(
        [
            Definition("print", data=1.5),
            Definition("Value", data=-2.0),
            Definition("print_", data=0.25),
            Definition("values", "*", ("print", "Value")),
            Definition("named", "+", ("values", "print_")),
            Definition("value", "**", ("named",), exponent=2.0),
            Definition("float", "-", ("value",)),
            Definition("len", "/", ("float", "print_")),
            Definition("exp", "exp", ("print_",)),
            Definition("value_", "relu", ("exp",)),
            Definition("format_decimals", "tanh", ("value_",)),
        ]
    )
    assert run_script(python_script(document), tmp_path) == expected_lines(document, "format_decimals")


def test_an_empty_workspace_exports_a_script_that_prints_nothing(tmp_path):
    """An empty workspace gives a script that runs and prints no line."""
    assert run_script(python_script(Document()), tmp_path) == []


def test_numbers_are_written_exactly(tmp_path):
    """Leaves and exponents are written with repr, so the script computes bit for bit what the app does."""
    document = Document()
    document.add_many([Definition("x", data=0.1 + 0.2), Definition("y", "**", ("x",), exponent=1 / 3)])
    script = python_script(document)
    assert repr(0.1 + 0.2) in script and repr(1 / 3) in script
    document.backward("y")
    exact = script.replace("{format_decimals(value.data)}", "{value.data!r}")
    lines = run_script(exact.replace("{format_decimals(value.grad)}", "{value.grad!r}"), tmp_path)
    assert lines == [f"{n} data={document.data(n)!r} grad={document.grad(n)!r}" for n in document.names]


def test_huge_numbers_print_as_the_app_shows_them(tmp_path):
    """A number of 1e10 or more prints in scientific notation, as the table shows it, not 300 digits."""
    document = Document()
    document.add_many([Definition("big", data=1e300), Definition("k", data=2.0), Definition("y", "*", ("big", "k"))])
    lines = run_script(python_script(document), tmp_path)
    assert lines == [
        "big data=1.0000e+300 grad=2.0000",
        "k data=2.0000 grad=1.0000e+300",
        "y data=2.0000e+300 grad=1.0000",
    ]
    assert lines == expected_lines(document, "y")


@settings(max_examples=25, deadline=None)
@given(workspaces())
def test_scripts_of_random_workspaces_print_the_documents_numbers(workspace):
    """For random workspaces the script's output equals the document's numbers after the same backward."""
    document = Document()
    document.replace_definitions(workspace.definitions)
    script = python_script(document)
    compile(script, "workspace.py", "exec")
    try:
        expected = expected_lines(document, output_name(document) or "")
    except DocumentError:
        # The app refuses a backward whose gradient overflows; there are no numbers to compare.
        assume(False)
    output = io.StringIO()
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(output):
        path = Path(folder) / "workspace.py"
        path.write_text(script)
        runpy.run_path(str(path))
    assert output.getvalue().splitlines() == expected
