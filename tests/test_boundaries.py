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
    foreign = sorted(name for name in loaded if name not in sys.stdlib_module_names and name not in ENGINE_ALLOWED)
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
