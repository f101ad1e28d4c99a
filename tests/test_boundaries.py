"""Architecture boundaries, enforced: engine and document import no Qt; engine only the stdlib and graphviz."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE_ALLOWED = {"engine", "graphviz", "__future__"}


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter of this environment; its stdout."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_engine_and_document_import_no_qt():
    """Importing engine and micrograd_gui.document loads no PySide6 or shiboken module."""
    run_python(
        "import engine, micrograd_gui.document, sys; "
        "assert not any(m.startswith('PySide6') or m.startswith('shiboken') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken')))"
    )


def test_engine_loads_only_the_standard_library_and_graphviz():
    """Every module that importing engine (and drawing a graph) loads is stdlib, graphviz or engine itself."""
    output = run_python(
        "import sys\n"
        "before = set(sys.modules)\n"
        "import engine\n"
        "a = engine.Value(2.0, label='a')\n"
        "(a * a).backward()\n"
        "engine.draw_dot(a * a).source\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n"
    )
    loaded = {name.split(".")[0] for name in output.split()}
    assert "engine" in loaded and "graphviz" in loaded
    # sysconfig (finding the bundled dot) loads its platform's data module, part of the standard library
    stdlib = {name for name in loaded if name in sys.stdlib_module_names or name.startswith("_sysconfigdata_")}
    foreign = sorted(name for name in loaded if name not in stdlib and name not in ENGINE_ALLOWED)
    assert foreign == []


def test_engine_source_imports_only_the_standard_library_and_graphviz():
    """Each import statement in engine/ names a stdlib module, graphviz or engine (checked on the source)."""
    imported = set()
    for path in sorted((ROOT / "engine").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: use absolute imports"
                imported.add((node.module or "").split(".")[0])
    assert {"math", "graphviz", "engine"} <= imported
    assert sorted(name for name in imported if name not in sys.stdlib_module_names and name not in ENGINE_ALLOWED) == []


def test_only_graph_py_imports_graphviz():
    """The engine's maths (value.py) does not need graphviz; only the drawing does."""
    source = (ROOT / "engine" / "value.py").read_text()
    assert "graphviz" not in {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement in `path` names (TYPE_CHECKING blocks included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_widget_imports_the_main_window():
    """Widgets take the workspace session: no module in micrograd_gui/widgets/ but main_window.py imports it."""
    offenders = []
    for path in sorted((ROOT / "micrograd_gui" / "widgets").glob("*.py")):
        if path.name == "main_window.py":
            continue
        imported = imported_modules(path)
        if any(name.startswith("micrograd_gui.widgets.main_window") for name in imported) or "MainWindow" in {
            name.rsplit(".", 1)[-1] for name in imported if name.startswith("micrograd_gui.widgets")
        }:
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_the_check_for_main_window_imports_sees_one(tmp_path):
    """The import check above finds an import of the main window, even one for type checking only."""
    source = ROOT / "micrograd_gui" / "widgets" / "value_form.py"
    probe = tmp_path / "probe.py"
    probe.write_text(
        source.read_text() + "\nif TYPE_CHECKING:\n    from micrograd_gui.widgets.main_window import MainWindow\n"
    )
    assert "micrograd_gui.widgets.main_window" in imported_modules(probe)


LONG_MODULE = 600


def test_long_modules_say_why_at_their_top():
    """A module of micrograd_gui/ over 600 lines says why in its docstring (a line starting 'Size:')."""
    unexplained = []
    for path in sorted((ROOT / "micrograd_gui").rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > LONG_MODULE:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if not any(line.startswith("Size:") for line in docstring.splitlines()):
                unexplained.append(f"{path.relative_to(ROOT).as_posix()} ({text.count(chr(10))} lines)")
    assert unexplained == []
