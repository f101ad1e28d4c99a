"""Exporting a workspace: the options (file, direction, what to draw, PNG scale), their checks,
and the export of a document snapshot, which is safe on a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from micrograd_gui import render
from micrograd_gui.document import Document, DocumentError
from micrograd_gui.export_python import python_script
from micrograd_gui.workspace_file import DocumentParts, WorkspaceFileError, write_text

# Export formats, by suffix, in the order the Export dialog lists them.
EXPORT_FORMATS = {
    ".png": "PNG picture",
    ".svg": "SVG picture",
    ".pdf": "PDF document",
    ".dot": "Graphviz DOT source",
    ".py": "Python script",
}
MIN_SCALE, MAX_SCALE = 0.25, 8.0


@dataclass(frozen=True)
class ExportOptions:
    """What to export: the file (its suffix picks the format), the direction, the value whose
    inputs alone are drawn (for .py: the value backward runs from), and the PNG scale."""

    path: str
    rankdir: str = "LR"
    root: str | None = None
    scale: float = 2.0


class ExportError(Exception):
    """An export that could not be done; the message is written for the user."""


def check_export_options(options: ExportOptions, names: set[str] | None = None) -> None:
    """ExportError unless the options make sense (a known suffix, a known root, a sane scale)."""
    suffix = Path(options.path).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        known = " ".join(EXPORT_FORMATS)
        raise ExportError(f"cannot export to '{Path(options.path).name}': the name must end in one of {known}")
    if options.rankdir not in ("LR", "TB"):
        raise ExportError(f"the direction must be LR or TB, not {options.rankdir!r}")
    if names is not None and options.root is not None and options.root not in names:
        raise ExportError(f"there is no value named '{options.root}'")
    if not MIN_SCALE <= options.scale <= MAX_SCALE:
        raise ExportError(f"the PNG scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}")


def export_snapshot(
    parts: DocumentParts,
    grads: tuple[dict[str, float], str | None, bool],
    options: ExportOptions,
) -> str | None:
    """Export a snapshot of a document (`workspace_file.document_parts` and its grad state); safe
    in a worker thread because it builds its own Document. A picture carries the whole workspace
    (groups, data and training too). Returns render.export's note when the picture was scaled
    down to fit its format, else None. Raises ExportError."""
    definitions, _root, groups, data, training = parts
    document = Document()
    try:
        document.replace_definitions(definitions, notify=False, groups=groups, data=data, training=training)
        document.set_grads(*grads)
        check_export_options(options, set(document.names))
        if Path(options.path).suffix.lower() == ".py":
            write_text(options.path, python_script(document, options.root))
            return None
        return render.export(document, options.path, rankdir=options.rankdir, root=options.root, scale=options.scale)
    except (DocumentError, WorkspaceFileError, render.RenderError) as error:
        raise ExportError(str(error)) from None
