"""Helpers for the graph panel's tests: real layouts of small workspaces, and fake `dot` programs."""

from __future__ import annotations

import stat
import textwrap
from collections.abc import Iterable
from pathlib import Path

from micrograd_gui import render
from micrograd_gui.document import Definition, Document


def document_of(definitions: Iterable[Definition]) -> Document:
    document = Document()
    document.replace_definitions(list(definitions))
    return document


def layout_of(definitions: Iterable[Definition], rankdir: str = "LR") -> render.Layout:
    """The layout Graphviz gives the workspace, as the graph panel would ask for it."""
    return render.layout(render.build_dot_source(document_of(definitions), rankdir=rankdir))


def fake_dot(tmp_path: Path, body: str, name: str = "fake-dot") -> str:
    """A shell script standing in for dot (for MICROGRAD_GUI_DOT)."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)
