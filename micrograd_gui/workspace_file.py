"""The workspace file format: JSON, read whole and validated before anything is touched. Qt-free.

A workspace file looks like this (one value per line, in document order)::

    {
      "format": "micrograd-gui-workspace",
      "version": 1,
      "values": [
        {"name": "a", "data": 2.0},
        {"name": "k1", "data": 2.0, "constant": true},
        {"name": "e", "op": "*", "operands": ["a", "b"]},
        {"name": "s", "op": "**", "operands": ["x"], "exponent": 2.0}
      ],
      "backward_from": "L",
      "groups": [
        {"name": "n", "kind": "neuron", "members": ["n_w1", "n_b", "n_wx1", "n_act", "n"]}
      ],
      "data": {
        "columns": ["x1", "y"],
        "rows": [
          [0.5, 1.0]
        ]
      },
      "training": {"loss": "loss", "reduce": "mean", "l2": 0.0001, "learning_rate": 1.0,
                   "final_learning_rate": 0.1, "steps": 100}
    }

A value is a leaf (`name` and `data`, and `"constant": true` for a number that is
never trained, what a number literal in an expression makes) or an operation
(`name`, `op`, `operands` naming values defined earlier in the list, and
`exponent` for `**` only). `groups` is optional: the neurons, layers and nets a
template made, each a name, a kind (`neuron`, `layer` or `net`) and its member
values in document order. `data` (optional) is a table whose columns name the
leaves each row sets (a column naming no value is kept, unbound); `training`
(optional) is the training settings (micrograd_gui.dataset). A file is written as
version 1 unless it holds something version 2 added (a constant, groups, data,
training), so older versions still read it.
`backward_from` is optional: when present, backward runs from that value after
the file is opened. Numbers are written with Python's `repr`, so every float
comes back bit for bit.

Reading refuses a bad file with one `WorkspaceFileError` whose message names the
file and the first problem found; every piece of the file's text in a message goes
through `messages.shown_text` (escaped, short). Only regular files are read or written: a pipe
or a device is refused before it can block anything. Writing is atomic: a failed save
leaves the old file exactly as it was; a save through a symbolic link writes the file
the link points to, and a read-only file is refused.

Size: about 650 lines, on purpose: one file format, its writer and its reader (with a message
for every way a file can be wrong) in one place, so that the two cannot drift apart.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from micrograd_gui.dataset import DataError, DataTable, TrainingSettings
from micrograd_gui.document import (
    BINARY_OPS,
    GROUP_KINDS,
    MAX_DEFINITIONS,
    UNARY_OPS,
    Definition,
    Document,
    DocumentError,
    Group,
    check_name,
    underflows,
)
from micrograd_gui.messages import MAX_SHOWN_NAME, shown_text
from micrograd_gui.safe_files import (
    FileTooLargeError,
    NotRegularFileError,
    ReadOnlyFileError,
    describe_os_error,
    read_regular_file,
    write_atomic,
)

FORMAT = "micrograd-gui-workspace"
VERSION = 2  # the newest version read; a file is written with the oldest version that holds it
SUFFIX = ".json"
OPENABLE_SUFFIXES = (SUFFIX, ".py", ".png", ".svg")  # what Open and a drop take: see workspace_from_bytes
MAX_FILE_BYTES = 50 * 1024 * 1024

# The example workspaces shipped in micrograd_gui.resources, in menu order, and what each shows.
EXAMPLES = ("lecture", "neuron", "reuse", "neuron_exp", "mlp", "moons_net", "line_neuron")
EXAMPLE_DESCRIPTIONS = {
    "lecture": "The lecture's first graph: L = (a*b + c) * f",
    "neuron": "The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b)",
    "reuse": "A value used twice: b = a + a, so its grad adds up",
    "neuron_exp": "The lecture's neuron with tanh written out: e = exp(2n), o = (e - 1) / (e + 1)",
    "mlp": "The lecture's MLP(3, [4, 4, 1]) on its four rows, with the sum of squared errors",
    "moons_net": "micrograd's demo: MLP(2, [16, 16, 1]), ReLU, on the 100 moons points with a max-margin loss",
    "line_neuron": "One tanh neuron learning to separate 100 points either side of a line, squared-error loss",
}

_VALUE_KEYS = {"name", "data", "op", "operands", "exponent", "constant"}
_TOP_KEYS = {"format", "version", "values", "backward_from", "groups", "data", "training"}
_DATA_KEYS = {"columns", "rows"}
_TRAINING_KEYS = {"loss", "reduce", "l2", "learning_rate", "final_learning_rate", "steps"}
_GROUP_KEYS = {"name", "kind", "members"}
_KNOWN_OPS = frozenset(("", *BINARY_OPS, *UNARY_OPS))


class WorkspaceFileError(Exception):
    """A workspace file that cannot be read or written; the message is written for the user."""


@dataclass(frozen=True)
class Workspace:
    """What a workspace file holds: the definitions in order, the value to run backward from and the
    groups (neurons, layers, nets)."""

    definitions: tuple[Definition, ...]
    backward_from: str | None = None
    groups: tuple[Group, ...] = ()
    data: DataTable | None = None
    training: TrainingSettings | None = None


# ---- writing ------------------------------------------------------------------


def _value_object(d: Definition) -> dict[str, Any]:
    if d.is_leaf:
        leaf: dict[str, Any] = {"name": d.name, "data": float(d.data if d.data is not None else 0.0)}
        if d.constant:
            leaf["constant"] = True
        return leaf
    entry: dict[str, Any] = {"name": d.name, "op": d.op, "operands": list(d.operands)}
    if d.op == "**":
        entry["exponent"] = float(d.exponent if d.exponent is not None else 0.0)
    return entry


def _plain(text: str) -> bool:
    return text.isidentifier() and text.isascii()


def _number_text(number: float | None) -> str:
    number = float(number if number is not None else 0.0)
    if not math.isfinite(number):
        raise ValueError(f"{number!r} is not a finite number")
    return repr(number)  # what json writes for a float: the shortest text that reads back exactly


def _value_line(d: Definition) -> str:
    """One value as one line of JSON; written directly for speed (100,000 values in a tenth of a
    second), through json.dumps for anything a document would not hold."""
    if not (_plain(d.name) and all(_plain(o) for o in d.operands) and d.op in _KNOWN_OPS):
        return json.dumps(_value_object(d), allow_nan=False)
    if d.is_leaf:
        constant = ', "constant": true' if d.constant else ""
        return f'{{"name": "{d.name}", "data": {_number_text(d.data)}{constant}}}'
    operands = ", ".join(f'"{o}"' for o in d.operands)
    if d.op == "**":
        return f'{{"name": "{d.name}", "op": "**", "operands": [{operands}], "exponent": {_number_text(d.exponent)}}}'
    return f'{{"name": "{d.name}", "op": "{d.op}", "operands": [{operands}]}}'


def _group_line(g: Group) -> str:
    return json.dumps({"name": g.name, "kind": g.kind, "members": list(g.members)})


def _data_text(table: DataTable) -> str:
    columns = ", ".join(json.dumps(c) for c in table.columns)
    rows = ",\n".join("      [" + ", ".join(_number_text(x) for x in row) + "]" for row in table.rows)
    return f'  "data": {{\n    "columns": [{columns}],\n    "rows": [' + (f"\n{rows}\n    ]" if rows else "]") + "\n  }"


def _training_text(settings: TrainingSettings) -> str:
    entry: dict[str, Any] = {} if settings.loss is None else {"loss": settings.loss}
    entry.update(
        reduce=settings.reduce,
        l2=settings.l2,
        learning_rate=settings.learning_rate,
        final_learning_rate=settings.final_learning_rate,
        steps=settings.steps,
    )
    return f'  "training": {json.dumps(entry, allow_nan=False)}'


def dumps(
    definitions: Sequence[Definition],
    backward_from: str | None = None,
    groups: Sequence[Group] = (),
    data: DataTable | None = None,
    training: TrainingSettings | None = None,
) -> str:
    """The text of a workspace file: one value (one group, one data row) per line, so files read and
    diff well. Training settings are written when they are not the defaults."""
    if training == TrainingSettings():
        training = None
    extended = groups or data is not None or training is not None
    version = 2 if extended or any(d.constant for d in definitions) else 1
    lines = [
        "{",
        f'  "format": {json.dumps(FORMAT)},',
        f'  "version": {version},',
    ]
    sections = []
    if definitions:
        sections.append('  "values": [\n' + ",\n".join([f"    {_value_line(d)}" for d in definitions]) + "\n  ]")
    else:
        sections.append('  "values": []')
    if backward_from is not None:
        sections.append(f'  "backward_from": {json.dumps(backward_from)}')
    if groups:
        sections.append('  "groups": [\n' + ",\n".join([f"    {_group_line(g)}" for g in groups]) + "\n  ]")
    if data is not None:
        sections.append(_data_text(data))
    if training is not None:
        sections.append(_training_text(training))
    lines.append(",\n".join(sections))
    lines.append("}")
    return "\n".join(lines) + "\n"


def document_text(document: Document) -> str:
    """The workspace file text of a document (its definitions, backward root, groups, data and training)."""
    return dumps(*document_parts(document))


DocumentParts = tuple[tuple[Definition, ...], str | None, tuple[Group, ...], DataTable | None, TrainingSettings]


def document_parts(document: Document) -> DocumentParts:
    """What a workspace file holds of a document, as `dumps` takes it: a snapshot a worker thread may write."""
    return document.definitions, document.backward_root, document.groups, document.data_table, document.training


class ReadOnlyWorkspaceError(WorkspaceFileError):
    """A save refused because the file is read-only: its permissions say it is not to be written."""


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write a text file atomically, or WorkspaceFileError saying why it was not saved
    (ReadOnlyWorkspaceError for a read-only file)."""
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as error:
        refusal = ReadOnlyWorkspaceError if isinstance(error, ReadOnlyFileError) else WorkspaceFileError
        raise refusal(f"could not save {shown_name(path)}: {describe_os_error(error)}") from None


def write_workspace(
    path: str | os.PathLike[str],
    definitions: Sequence[Definition],
    backward_from: str | None,
    groups: Sequence[Group] = (),
    data: DataTable | None = None,
    training: TrainingSettings | None = None,
) -> None:
    """Save a workspace atomically, or WorkspaceFileError (the old file untouched).

    A workspace is JSON: saving one over code or a picture that was opened (`.py`, `.png`, `.svg`)
    would destroy that file, so it is refused."""
    suffix = Path(path).suffix.lower()
    if suffix in OPENABLE_SUFFIXES and suffix != SUFFIX:
        raise WorkspaceFileError(
            f"could not save {shown_name(path)}: a workspace is saved as {SUFFIX}, not over a {suffix} file"
        )
    write_text(path, dumps(definitions, backward_from, groups, data, training))


def save_document(document: Document, path: str | os.PathLike[str]) -> None:
    """Save a document's workspace to `path` atomically, or WorkspaceFileError."""
    write_workspace(path, *document_parts(document))


# ---- reading ------------------------------------------------------------------


class _InvalidError(Exception):
    """A problem found while validating; becomes WorkspaceFileError with the file's name."""


def _refuse_constant(name: str) -> float:
    raise _InvalidError(f"it holds {name}, which is not a finite number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _InvalidError(f"the number {shown_text(text)} is too large")
    if number == 0.0 and underflows(text):
        raise _InvalidError(f"the number {shown_text(text)} is too small for a float (it would be 0)")
    return number


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _InvalidError(f"the key '{shown_text(key)}' appears twice in one object")
        obj[key] = value
    return obj


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _InvalidError(f"{where} must be a number, not {_json_type(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise _InvalidError(f"{where} is too large") from None
    if not math.isfinite(number):
        raise _InvalidError(f"{where} is not a finite number")
    return number


def _named_entry(entry: object, where: str, keys: set[str]) -> tuple[str, str]:
    """The name of a value's or a group's object, and how a message names it: "value 3 ('e')"."""
    if not isinstance(entry, dict):
        raise _InvalidError(f"{where} must be an object, not {_json_type(entry)}")
    name = entry.get("name")
    if not isinstance(name, str):
        raise _InvalidError(f"{where} needs a name (text)" if name is None else f"{where}: the name must be text")
    reason = check_name(name)
    if reason:
        raise _InvalidError(f"{where}: {reason.replace(name, shown_text(name))}")
    where = f"{where} ('{shown_text(name)}')"
    unknown = sorted(set(entry) - keys)
    if unknown:
        raise _InvalidError(f"{where} has an unknown key '{shown_text(unknown[0])}'")
    return name, where


def _definition(entry: object, position: int, defined: set[str]) -> Definition:
    name, where = _named_entry(entry, f"value {position}", _VALUE_KEYS)
    assert isinstance(entry, dict)
    if name in defined:
        raise _InvalidError(f"{where}: '{shown_text(name)}' is defined twice")
    if "op" not in entry:
        if "data" not in entry:
            raise _InvalidError(f"{where} needs either a number (data) or an operation (op)")
        if "operands" in entry or "exponent" in entry:
            raise _InvalidError(f"{where} is a leaf (it has data), so it takes no operands or exponent")
        constant = entry.get("constant", False)
        if not isinstance(constant, bool):
            raise _InvalidError(f"{where}: constant must be true or false, not {_json_type(constant)}")
        return Definition(name, data=_number(entry["data"], f"{where}: data"), constant=constant)
    op = entry["op"]
    if not isinstance(op, str):
        raise _InvalidError(f"{where}: the op must be text, not {_json_type(op)}")
    if op not in BINARY_OPS and op not in UNARY_OPS:
        raise _InvalidError(f"{where} uses the unknown operation '{shown_text(op)}'")
    if "data" in entry or "constant" in entry:
        what = "data" if "data" in entry else "constant"
        raise _InvalidError(f"{where} is computed by {op}, so it takes no {what}")
    operands = entry.get("operands")
    if not isinstance(operands, list) or not all(isinstance(o, str) for o in operands):
        raise _InvalidError(f"{where}: operands must be a list of names")
    if not (op in BINARY_OPS and len(operands) == 2 or op in UNARY_OPS and len(operands) == 1):
        wanted = "1 or 2" if op in BINARY_OPS and op in UNARY_OPS else "2" if op in BINARY_OPS else "1"
        raise _InvalidError(f"{where}: {op} takes {wanted} operand(s), not {len(operands)}")
    for operand in operands:
        if operand not in defined:
            raise _InvalidError(f"{where} uses '{shown_text(operand)}', which is not defined before it")
    exponent: float | None = None
    if op == "**":
        if "exponent" not in entry:
            raise _InvalidError(f"{where}: ** needs a number as its exponent")
        exponent = _number(entry["exponent"], f"{where}: the exponent")
    elif "exponent" in entry:
        raise _InvalidError(f"{where}: only ** takes an exponent")
    return Definition(name, op, tuple(operands), exponent=exponent)


def _workspace(obj: object) -> Workspace:
    if not isinstance(obj, dict):
        raise _InvalidError(f"it is not a workspace file (it holds {_json_type(obj)}, not an object)")
    file_format = obj.get("format")
    if file_format != FORMAT:
        raise _InvalidError('it is not a micrograd-gui workspace (no "format": "micrograd-gui-workspace")')
    version = obj.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _InvalidError("its format version is missing or is not a whole number")
    if version > VERSION:
        raise _InvalidError(
            f"it was made by a newer micrograd-gui (format version {shown_text(version)}; this one reads version"
            f" {VERSION})"
        )
    if version < 1:
        raise _InvalidError(f"its format version {shown_text(version)} is not one micrograd-gui ever wrote")
    unknown = sorted(set(obj) - _TOP_KEYS)
    if unknown:
        raise _InvalidError(f"it has an unknown key '{shown_text(unknown[0])}'")
    values = obj.get("values")
    if not isinstance(values, list):
        raise _InvalidError('it needs "values": a list of values')
    if len(values) > MAX_DEFINITIONS:
        raise _InvalidError(f"it holds {len(values)} values; a workspace holds at most {MAX_DEFINITIONS}")
    defined: set[str] = set()
    definitions = []
    for position, entry in enumerate(values, start=1):
        definition = _definition(entry, position, defined)
        defined.add(definition.name)
        definitions.append(definition)
    backward_from = obj.get("backward_from")
    if backward_from is not None:
        if not isinstance(backward_from, str):
            raise _InvalidError(f"backward_from must be a value's name, not {_json_type(backward_from)}")
        if backward_from not in defined:
            raise _InvalidError(f"backward_from names '{shown_text(backward_from)}', which is not defined")
    groups = _groups(obj.get("groups", []), defined)
    computed = {d.name for d in definitions if not d.is_leaf}
    data = _data(obj["data"], computed) if "data" in obj else None
    training = _training(obj["training"], defined) if "training" in obj else None
    return Workspace(tuple(definitions), backward_from, groups, data, training)


def _data(entry: object, computed: set[str]) -> DataTable:
    if not isinstance(entry, dict):
        raise _InvalidError(f'"data" must be an object with columns and rows, not {_json_type(entry)}')
    unknown = sorted(set(entry) - _DATA_KEYS)
    if unknown:
        raise _InvalidError(f"data has an unknown key '{shown_text(unknown[0])}'")
    columns, rows = entry.get("columns"), entry.get("rows", [])
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise _InvalidError("data: columns must be a list of names")
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _InvalidError("data: rows must be a list of lists of numbers")
    for column in columns:
        if column in computed:
            raise _InvalidError(f"data: the column '{shown_text(column)}' names a computed value, not a leaf")
    try:
        return DataTable.of(columns, rows)
    except DataError as error:
        raise _InvalidError(f"data: {shown_text(str(error), 200)}") from None


def _training(entry: object, defined: set[str]) -> TrainingSettings:
    if not isinstance(entry, dict):
        raise _InvalidError(f'"training" must be an object, not {_json_type(entry)}')
    unknown = sorted(set(entry) - _TRAINING_KEYS)
    if unknown:
        raise _InvalidError(f"training has an unknown key '{shown_text(unknown[0])}'")
    loss = entry.get("loss")
    if loss is not None:
        if not isinstance(loss, str):
            raise _InvalidError(f"training: loss must be a value's name, not {_json_type(loss)}")
        if loss not in defined:
            raise _InvalidError(f"training: the loss '{shown_text(loss)}' is not defined")
    settings = {key: entry[key] for key in _TRAINING_KEYS - {"loss"} if key in entry}
    for key in ("l2", "learning_rate", "final_learning_rate"):
        if key in settings:
            settings[key] = _number(settings[key], f"training: {key}")
    steps = settings.get("steps", 1)
    if isinstance(steps, float) and steps.is_integer():
        settings["steps"] = int(steps)
    try:
        return TrainingSettings(loss=loss, **settings)
    except (DataError, TypeError) as error:
        raise _InvalidError(f"training: {shown_text(str(error), 200)}") from None


def _groups(entries: object, defined: set[str]) -> tuple[Group, ...]:
    if not isinstance(entries, list):
        raise _InvalidError(f"groups must be a list of groups, not {_json_type(entries)}")
    groups: list[Group] = []
    names: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        name, where = _named_entry(entry, f"group {position}", _GROUP_KEYS)
        assert isinstance(entry, dict)
        if name in names:
            raise _InvalidError(f"{where}: there are two groups named '{shown_text(name)}'")
        kind = entry.get("kind")
        if kind not in GROUP_KINDS:
            raise _InvalidError(f"{where}: the kind must be one of {', '.join(GROUP_KINDS)}")
        members = entry.get("members")
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            raise _InvalidError(f"{where}: members must be a list of value names")
        for member in members:
            if member not in defined:
                raise _InvalidError(f"{where} has the member '{shown_text(member)}', which is not defined")
        if len(set(members)) != len(members):
            raise _InvalidError(f"{where} lists a member twice")
        names.add(name)
        groups.append(Group(name, str(kind), tuple(members)))
    return tuple(groups)


def workspace_from_object(obj: object, source: str = "the workspace") -> Workspace:
    """Validate an already parsed JSON object as a workspace, or WorkspaceFileError."""
    try:
        return _workspace(obj)
    except _InvalidError as problem:
        raise WorkspaceFileError(f"{source}: {problem}") from None


def parse_json(data: bytes | str, source: str = "the workspace") -> object:
    """Parse JSON strictly (no NaN/Infinity, no huge numbers, no duplicate keys), or WorkspaceFileError."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise WorkspaceFileError(f"{source}: it is too large ({len(data) // 2**20} MB; at most 50 MB)")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise WorkspaceFileError(f"{source}: it is not a workspace file (not UTF-8 text)") from None
    else:
        text = data
    if not text.strip():
        raise WorkspaceFileError(f"{source}: it is empty")
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_no_duplicate_keys,
        )
    except _InvalidError as problem:
        raise WorkspaceFileError(f"{source}: {problem}") from None
    except json.JSONDecodeError as error:
        raise WorkspaceFileError(
            f"{source}: it is not a workspace file (not valid JSON: {error.msg.lower()}, line {error.lineno}"
            f" column {error.colno})"
        ) from None
    except RecursionError:
        raise WorkspaceFileError(f"{source}: it is nested too deeply to be a workspace file") from None
    except ValueError:  # an integer literal with thousands of digits
        raise WorkspaceFileError(f"{source}: it holds a number with too many digits") from None


def loads(data: bytes | str, source: str = "the workspace") -> Workspace:
    """Parse and validate a workspace file's contents (structure only), or WorkspaceFileError."""
    return workspace_from_object(parse_json(data, source), source)


def shown_name(path: str | os.PathLike[str]) -> str:
    """A file's name as a message shows it: its last part, through `shown_text` (a name may
    hold control characters too), long enough for any real name."""
    return shown_text(os.path.basename(os.fspath(path)) or os.fspath(path), MAX_SHOWN_NAME)


def read_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Read and validate a workspace file's structure, or WorkspaceFileError naming the file.

    Only a regular file is read (a named pipe or a device is refused at once, never waited
    on). The maths (a log of a negative number, ...) is checked when the workspace is
    applied to a document: see `apply_workspace`.
    """
    source = shown_name(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except FileTooLargeError as error:
        raise WorkspaceFileError(f"{source}: it is too large ({error.size // 2**20} MB; at most 50 MB)") from None
    except FileNotFoundError:
        raise WorkspaceFileError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise WorkspaceFileError(f"{source}: it is a folder, not a workspace file") from None
    except NotRegularFileError as error:
        raise WorkspaceFileError(f"{source}: {error.strerror}") from None
    except OSError as error:
        raise WorkspaceFileError(f"{source}: could not be read ({describe_os_error(error)})") from None
    return workspace_from_bytes(data, Path(path).suffix.lower(), source)


def workspace_from_bytes(data: bytes, suffix: str, source: str = "the workspace") -> Workspace:
    """The workspace in a file's contents, read by the file's suffix: `.py` as code (parsed, never run:
    micrograd_gui.python_import), `.png` and `.svg` for the workspace an exported picture carries
    (micrograd_gui.picture_workspace), anything else as a workspace file. Or WorkspaceFileError."""
    if suffix == ".py":
        from micrograd_gui.python_import import read_python

        return read_python(data, source)
    if suffix in (".png", ".svg"):
        from micrograd_gui.picture_workspace import PictureError, workspace_text

        try:
            text = workspace_text(data, suffix)
        except PictureError as error:
            raise WorkspaceFileError(f"{source}: {error}") from None
        return loads(text, source)
    return loads(data, source)


def apply_workspace(document: Document, workspace: Workspace, source: str = "the workspace") -> str | None:
    """Replace the document's definitions with the workspace's (validated whole first, so on
    WorkspaceFileError the document is unchanged), then run backward if the file asks for it.

    No grads of the previous workspace stay. A backward that cannot be computed (a gradient
    overflows) leaves the grads at 0: the values still open, and the returned note says why.
    """
    try:
        document.replace_definitions(
            workspace.definitions, groups=workspace.groups, data=workspace.data, training=workspace.training
        )
    except DocumentError as error:
        raise WorkspaceFileError(f"{source}: {error}") from None
    except RecursionError:
        raise WorkspaceFileError(f"{source}: it is nested too deeply to compute") from None
    if workspace.backward_from is None:
        return None
    try:
        document.backward(workspace.backward_from)
    except DocumentError as error:  # nothing changed: the grads stay at 0
        return f"{source}: opened without grads: {error}"
    return None


def load_workspace(workspace: Workspace, source: str = "the workspace") -> tuple[Document, str | None]:
    """A new Document holding `workspace` (computed, its backward run), with the note
    `apply_workspace` gives, or WorkspaceFileError. It touches nothing shared, so a worker
    thread can do this part of opening a big file: see `Document.take_over`."""
    document = Document()
    return document, apply_workspace(document, workspace, source)


def load_document(path: str | os.PathLike[str]) -> Document:
    """A new Document holding the workspace file at `path`, or WorkspaceFileError."""
    return load_workspace(read_workspace(path), shown_name(path))[0]


def example_bytes(name: str) -> bytes:
    """The file contents of one shipped example workspace (a name in EXAMPLES)."""
    if name not in EXAMPLES:
        raise KeyError(name)
    return files("micrograd_gui.resources").joinpath(f"examples/{name}.json").read_bytes()


def read_example(name: str) -> Workspace:
    """One shipped example workspace, validated."""
    return loads(example_bytes(name), f"{name}.json")
