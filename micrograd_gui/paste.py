"""What Edit > Paste adds to a workspace: the clipboard's Python code or workspace JSON, under names
that are free beside the values already there. Qt-free.

Code is read as a `.py` file is (micrograd_gui.python_import: parsed with `ast`, never run), so the
lecture's cells and the app's own Python export paste; text that starts with `{` is read as a
workspace file. A pasted graph never refers to the values already in the workspace (code makes its
own Values), so it is added beside them: a name already taken is changed, `a` to `a_2` (an
automatic `t1` or `k1` to the next free one), and every reference with it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from micrograd_gui.dataset import DataTable
from micrograd_gui.document import MAX_NAME_LENGTH, DocumentError, check_name
from micrograd_gui.expression import CONSTANT_PREFIX, RESULT_PREFIX
from micrograd_gui.python_import import read_python
from micrograd_gui.workspace_file import OPENABLE_SUFFIXES, Workspace, load_workspace, loads

CLIPBOARD = "the clipboard"
_AUTOMATIC = re.compile(rf"({re.escape(CONSTANT_PREFIX)}|{re.escape(RESULT_PREFIX)})[0-9]+")


def clipboard_workspace(text: str, source: str = CLIPBOARD) -> Workspace:
    """The workspace the clipboard's text holds: a workspace file's JSON (text starting with `{`) or
    Python code that builds Values. Or WorkspaceFileError, naming `source` and, for code, the line and
    column of what is not allowed."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return loads(stripped, source)
    return read_python(text, source)


def first_openable(paths: Sequence[str]) -> str | None:
    """The first of `paths` that opens as a workspace (.json, .py, an exported .png or .svg), or None."""
    return next((p for p in paths if Path(p).suffix.lower() in OPENABLE_SUFFIXES), None)


def is_for_the_workspace(text: str) -> bool:
    """Whether clipboard text is meant for the workspace rather than a one-line text field: code that
    makes a Value, several lines, or a workspace file. Ctrl+V in a text field pastes such text as values."""
    stripped = text.strip()
    return "Value(" in stripped or "\n" in stripped or stripped.startswith("{")


@dataclass(frozen=True)
class Placed:
    """A pasted workspace under names free in the document (`workspace`), and which names changed."""

    workspace: Workspace
    renamed: dict[str, str]  # a pasted value's name -> the one it takes, for those already taken


def place(workspace: Workspace, names: Collection[str], group_names: Collection[str] = ()) -> Placed:
    """`workspace` renamed so that its values take no name in `names` and its groups none in
    `group_names` (a group that bears a renamed value's name follows it). Operands, group members,
    `backward_from`, data columns and the training loss follow the renaming; nothing else changes."""
    existing = set(names)
    pasted = {d.name for d in workspace.definitions}
    columns = workspace.data.columns if workspace.data is not None else ()
    taken = existing | pasted | set(columns)
    renamed: dict[str, str] = {}
    for d in workspace.definitions:
        if d.name in existing:
            renamed[d.name] = fresh_name(d.name, taken)
            taken.add(renamed[d.name])
    # A column that names no pasted value stays unbound: it must not name a value already there either.
    unbound = {c: fresh_name(c, taken) for c in columns if c not in pasted and c in existing}
    existing_groups = set(group_names)
    groups_taken = existing_groups | {g.name for g in workspace.groups}
    group_renamed: dict[str, str] = {}
    for g in workspace.groups:
        if g.name in existing_groups:
            follows = renamed.get(g.name)
            new = follows if follows is not None and follows not in groups_taken else fresh_name(g.name, groups_taken)
            group_renamed[g.name] = new
            groups_taken.add(new)
    if not renamed and not group_renamed and not unbound:
        return Placed(workspace, {})
    definitions = tuple(
        replace(d, name=_renamed(d.name, renamed), operands=tuple(_renamed(o, renamed) for o in d.operands))
        for d in workspace.definitions
    )
    groups = tuple(
        replace(g, name=_renamed(g.name, group_renamed), members=tuple(_renamed(m, renamed) for m in g.members))
        for g in workspace.groups
    )
    root = workspace.backward_from
    data, training = workspace.data, workspace.training
    if data is not None:  # all at once: a new name is never another column's (they were taken)
        columns_renamed = {**renamed, **unbound}
        data = DataTable(tuple(columns_renamed.get(c, c) for c in data.columns), data.rows)
    if training is not None and training.loss is not None:
        training = training.renaming(training.loss, renamed.get(training.loss, training.loss))
    return Placed(
        replace(
            workspace,
            definitions=definitions,
            groups=groups,
            backward_from=_renamed(root, renamed) if root is not None else None,
            data=data,
            training=training,
        ),
        renamed,
    )


def fresh_name(name: str, taken: Collection[str]) -> str:
    """A valid name not in `taken` for a value whose name `name` is: the next free automatic name for
    an automatic one (`t3` for `t1`), else `name_2`, `name_3`, ... (cut to the longest name allowed)."""
    automatic = _AUTOMATIC.fullmatch(name)
    if automatic:
        prefix = automatic.group(1)
        number = 1
        while f"{prefix}{number}" in taken:
            number += 1
        return f"{prefix}{number}"
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
        if candidate not in taken and check_name(candidate) is None:
            return candidate
        number += 1


def renaming_note(renamed: Mapping[str, str], shown: int = 3) -> str:
    """The renaming in a few words for the status bar: `a → a_2, b → b_2 and 5 more`; '' for none."""
    pairs = [f"{old} → {new}" for old, new in renamed.items()]
    if not pairs:
        return ""
    if len(pairs) <= shown:
        return ", ".join(pairs)
    return ", ".join(pairs[:shown]) + f" and {len(pairs) - shown} more"


def _renamed(name: str, renamed: Mapping[str, str]) -> str:
    return renamed.get(name, name)


@dataclass(frozen=True)
class Prepared:
    """A pasted workspace checked whole (its maths too) before it is placed: `grads` are d root / d value
    for its values when it runs backward (`backward_from`) and that could be computed, else None;
    `note` says why backward could not run."""

    workspace: Workspace
    grads: dict[str, float] | None = None
    note: str | None = None


def prepare(workspace: Workspace, source: str = CLIPBOARD) -> Prepared:
    """Check a pasted workspace as a file is checked when it opens (WorkspaceFileError naming `source`),
    and run its backward. It touches nothing shared, so a worker thread can do it."""
    root = workspace.backward_from
    document, _ = load_workspace(replace(workspace, backward_from=None), source)
    if root is None:
        return Prepared(workspace)
    try:
        grads = document.compute_grads(root)
    except DocumentError as error:
        return Prepared(workspace, None, f"{source}: pasted without running backward: {error}")
    return Prepared(workspace, grads)
