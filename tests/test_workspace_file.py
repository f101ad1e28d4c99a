"""The workspace file format: exact round trips, strict validation, atomic saves."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_gui import safe_files, workspace_file
from micrograd_gui.document import Definition, Document, DocumentError
from micrograd_gui.templates import build_net, parse_template
from micrograd_gui.workspace_file import (
    EXAMPLES,
    Workspace,
    WorkspaceFileError,
    apply_workspace,
    document_text,
    dumps,
    load_document,
    loads,
    read_example,
    read_workspace,
    save_document,
)
from tests.workspaces import OVERFLOWING_BACKWARD

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "resources" / "examples"
CORRUPT = Path(__file__).resolve().parent / "data" / "corrupt"

# Every file of the corrupt corpus and a piece of the one message it must give.
CORRUPT_MESSAGES = {
    "backward_from_number.json": "backward_from must be a value's name",
    "backward_from_unknown.json": "backward_from names 'z', which is not defined",
    "bad_name.json": "'2x' is not a valid name",
    "binary.json": "not UTF-8",
    "control_character_name.json": "is not a valid name",
    "cycle.json": "value 1 ('a') uses 'b', which is not defined before it",
    "dangling_operand.json": "value 2 ('e') uses 'q', which is not defined before it",
    "data_and_op.json": "takes no data",
    "data_bool.json": "data must be a number",
    "data_text.json": "data must be a number, not text",
    "deep_nesting.json": "nested too deeply",
    "deep_nesting_in_value.json": "nested too deeply",
    "divide_by_zero.json": "cannot compute q: division by zero",
    "duplicate_key.json": "'data' appears twice",
    "duplicate_key_escape.json": "the key '\\x1b]0;pwned\\x07\\x1b[2J' appears twice",
    "duplicate_names.json": "'a' is defined twice",
    "empty.json": "it is empty",
    "empty_name.json": "a name is required",
    "endless_int.json": "too many digits",
    "exponent_missing.json": "** needs a number as its exponent",
    "exponent_on_other_op.json": "only ** takes an exponent",
    "future_version.json": "made by a newer micrograd-gui",
    "huge_float.json": "too large",
    "tiny_float.json": "too small",
    "huge_int.json": "too large",
    "huge_version.json": "(format version 1" + "0" * 38 + "…; this one reads version 2)",
    "infinity.json": "-Infinity, which is not a finite number",
    "keyword_name.json": "'class' is a Python keyword",
    "leaf_without_data.json": "needs either a number (data) or an operation (op)",
    "log_negative.json": "cannot compute b: log of a non-positive number",
    "long_name.json": "at most 32 characters",
    "name_missing.json": "needs a name",
    "name_number.json": "the name must be text",
    "nan.json": "NaN, which is not a finite number",
    "negative_fractional_power.json": "cannot compute b",
    "no_format.json": "not a micrograd-gui workspace",
    "not_json.json": "not valid JSON",
    "nul_bytes.json": "not valid JSON",
    "op_not_text.json": "the op must be text",
    "operands_not_names.json": "operands must be a list of names",
    "overflow.json": "cannot compute b",
    "self_reference.json": "value 1 ('a') uses 'a', which is not defined before it",
    "too_many_values.json": "at most 100000",
    "top_level_list.json": "not a workspace file",
    "truncated.json": "not valid JSON",
    "unknown_op.json": "unknown operation 'sin'",
    "unknown_top_key.json": "unknown key 'extra'",
    "unknown_value_key.json": "unknown key 'colour'",
    "used_before_defined.json": "value 1 ('b') uses 'a', which is not defined before it",
    "value_not_object.json": "must be an object",
    "values_not_list.json": '"values": a list',
    "version_text.json": "format version",
    "version_zero.json": "format version 0",
    "whitespace.json": "it is empty",
    "wrong_arity.json": "* takes 2 operand(s), not 1",
    "wrong_format.json": "not a micrograd-gui workspace",
}


def corrupt_files() -> list[Path]:
    return sorted(CORRUPT.glob("*.json"))


def lecture_document() -> Document:
    return load_document(EXAMPLES_DIR / "lecture.json")


# ---- examples -------------------------------------------------------------------


def test_lecture_example_holds_the_lecture_values():
    """lecture.json is L = (a*b + c) * f with the lecture's numbers."""
    document = lecture_document()
    assert document.names == ["a", "b", "c", "e", "d", "f", "L"]
    assert [document.data(n) for n in document.names] == [2.0, -3.0, 10.0, -6.0, 4.0, -2.0, -8.0]
    assert document.definition("e").op == "*" and document.definition("e").operands == ("a", "b")


def test_neuron_example_computes_tanh_of_the_lecture_neuron():
    """neuron.json gives o = tanh(x1*w1 + x2*w2 + b) = 0.7071."""
    document = load_document(EXAMPLES_DIR / "neuron.json")
    assert document.data("b") == 6.8813735870195432
    assert document.definition("o").op == "tanh"
    assert document.data("o") == pytest.approx(0.7071067811865476)
    document.backward("o")
    assert document.grad("x1") == pytest.approx(-1.5)
    assert document.grad("w2") == pytest.approx(0.0)


def test_reuse_example_adds_a_value_to_itself():
    """reuse.json is b = a + a with a = 3, so db/da = 2."""
    document = load_document(EXAMPLES_DIR / "reuse.json")
    assert document.definition("b").operands == ("a", "a")
    document.backward("b")
    assert (document.data("b"), document.grad("a")) == (6.0, 2.0)


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_written_exactly_as_the_writer_writes(name):
    """Each shipped example reads from the package and its text is what saving it gives back."""
    workspace = read_example(name)
    assert (
        dumps(workspace.definitions, workspace.backward_from, workspace.groups, workspace.data, workspace.training)
        == (EXAMPLES_DIR / f"{name}.json").read_text()
    )


# ---- round trips ----------------------------------------------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,31}", fullmatch=True).filter(
    lambda n: not __import__("keyword").iskeyword(n)
)
numbers = st.floats(allow_nan=False, allow_infinity=False)
ops = st.sampled_from(["+", "-", "*", "/", "neg", "**", "tanh", "exp", "log", "relu"])


@st.composite
def workspaces(draw) -> Workspace:
    """A random valid workspace: leaves and ops over earlier names; maths errors skipped."""
    document = Document()
    for name in draw(st.lists(names, min_size=1, max_size=12, unique=True)):
        if len(document) == 0 or draw(st.booleans()):
            definition = Definition(name, data=draw(numbers), constant=draw(st.booleans()))
        else:
            op = draw(ops)
            pick = st.sampled_from(document.names)
            if op in ("+", "-", "*", "/"):
                definition = Definition(name, op, (draw(pick), draw(pick)))
            elif op == "neg":
                definition = Definition(name, "-", (draw(pick),))
            elif op == "**":
                definition = Definition(name, "**", (draw(pick),), exponent=draw(numbers))
            else:
                definition = Definition(name, op, (draw(pick),))
        try:
            document.add(definition)
        except DocumentError:
            continue
    root = draw(st.one_of(st.none(), st.sampled_from(document.names)))
    return Workspace(document.definitions, root)


@settings(max_examples=60, deadline=None)
@given(workspaces())
def test_document_file_document_is_the_identity(workspace):
    """Names, ops, operand names, numbers (bit for bit) and the backward root survive a save and a load."""
    text = dumps(workspace.definitions, workspace.backward_from)
    again = loads(text)
    assert again.definitions == workspace.definitions
    assert again.backward_from == workspace.backward_from
    for before, after in zip(workspace.definitions, again.definitions):
        assert repr(before.data) == repr(after.data)
        assert repr(before.exponent) == repr(after.exponent)
    assert dumps(again.definitions, again.backward_from) == text
    json.loads(text)  # plain JSON any tool can read


def test_constants_are_written_in_version_2_and_other_files_stay_version_1():
    """A constant leaf says "constant": true in a version-2 file; a file with none is version 1 as before,
    so an older micrograd-gui still opens it; both versions read."""
    plain = [Definition("a", data=2.0), Definition("b", "*", ("a", "a"))]
    assert json.loads(dumps(plain))["version"] == 1
    text = dumps(
        [Definition("a", data=2.0), Definition("k1", data=3.0, constant=True), Definition("b", "*", ("a", "k1"))]
    )
    obj = json.loads(text)
    assert obj["version"] == 2
    assert obj["values"][1] == {"name": "k1", "data": 3.0, "constant": True}
    assert "constant" not in obj["values"][0]
    assert [d.constant for d in loads(text).definitions] == [False, True, False]
    assert loads(text.replace('"version": 2', '"version": 1')).definitions[1].constant  # lenient: v1 with a constant


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"name": "k", "data": 1.0, "constant": 1}', "constant must be true or false, not a number"),
        ('{"name": "k", "data": 1.0, "constant": "yes"}', "constant must be true or false, not text"),
        (
            '{"name": "a", "data": 1.0}, {"name": "k", "op": "-", "operands": ["a"], "constant": true}',
            "takes no constant",
        ),
    ],
)
def test_a_bad_constant_is_refused(value, message):
    """ "constant" is true or false, and only on a leaf."""
    with pytest.raises(WorkspaceFileError, match=message):
        loads('{"format": "micrograd-gui-workspace", "version": 2, "values": [%s]}' % value)


def test_groups_are_saved_one_per_line_and_reopened(tmp_path):
    """A template's groups go into a version-2 file and come back as they were, with the values."""
    document = Document()
    document.add_leaf("x1", 0.5)
    net, _ = parse_template("o = MLP([x1, 2.0], [2, 1], seed=11)")
    built = build_net(net, document)
    document.add_many(built.definitions, built.groups)
    path = tmp_path / "net.json"
    save_document(document, path)
    text = path.read_text()
    obj = json.loads(text)
    assert obj["version"] == 2
    assert obj["groups"][0] == {"name": "o_n1_1", "kind": "neuron", "members": list(built.groups[0].members)}
    assert len([line for line in text.splitlines() if '"kind": ' in line]) == len(obj["groups"]) == 6
    again = load_document(path)
    assert again.groups == document.groups
    assert again.definitions == document.definitions
    assert document_text(again) == text


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ('{"name": "g"}', "groups must be a list"),
        ("[3]", "group 1 must be an object"),
        ('[{"kind": "neuron", "members": ["a"]}]', "group 1 needs a name"),
        ('[{"name": "g", "kind": "neuron", "members": ["a"], "open": true}]', "unknown key 'open'"),
        ('[{"name": "g", "kind": "cell", "members": ["a"]}]', "the kind must be one of neuron, layer, net"),
        ('[{"name": "g", "kind": "neuron", "members": []}]', "members must be a list of value names"),
        ('[{"name": "g", "kind": "neuron", "members": ["a", 1]}]', "members must be a list of value names"),
        ('[{"name": "g", "kind": "neuron", "members": ["z"]}]', "the member 'z', which is not defined"),
        ('[{"name": "g", "kind": "neuron", "members": ["a", "a"]}]', "lists a member twice"),
        (
            '[{"name": "g", "kind": "neuron", "members": ["a"]}, {"name": "g", "kind": "net", "members": ["a"]}]',
            "two groups named 'g'",
        ),
    ],
)
def test_a_bad_group_is_refused(groups, message):
    """Each group is an object with a name, a known kind and members defined in the file, once each."""
    text = '{"format": "micrograd-gui-workspace", "version": 2, "values": [{"name": "a", "data": 1.0}], "groups": %s}'
    with pytest.raises(WorkspaceFileError, match=message):
        loads(text % groups)


def test_saving_and_opening_a_document_through_files_keeps_it(tmp_path):
    """save_document then load_document gives the same definitions, numbers and grads."""
    document = lecture_document()
    document.backward("L")
    path = tmp_path / "work.json"
    save_document(document, path)
    again = load_document(path)
    assert again.definitions == document.definitions
    assert again.backward_root == "L"
    assert [again.grad(n) for n in again.names] == [document.grad(n) for n in document.names]
    assert document_text(again) == path.read_text()


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    """A file some editor saved with a byte order mark still opens."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES_DIR / "reuse.json").read_bytes())
    assert read_workspace(path).definitions[1].operands == ("a", "a")


def test_integers_in_a_file_are_read_as_floats():
    """ "data": 2 reads as the float 2.0."""
    workspace = loads('{"format": "micrograd-gui-workspace", "version": 1, "values": [{"name": "a", "data": 2}]}')
    assert workspace.definitions[0].data == 2.0 and isinstance(workspace.definitions[0].data, float)


# ---- corrupt files --------------------------------------------------------------


def test_a_backward_that_overflows_opens_the_values_without_grads(tmp_path):
    """A file whose backward_from gradient overflows opens with grads at 0 and a note saying why."""
    path = tmp_path / "overflow.json"
    path.write_text(OVERFLOWING_BACKWARD)
    document = lecture_document()
    document.backward("L")
    note = apply_workspace(document, read_workspace(path), path.name)
    assert document.names == ["tiny", "one", "q", "w"]
    assert document.backward_root is None and document.grad("w") == 0.0
    assert note is not None and note.startswith("overflow.json: ") and "overflows" in note
    assert load_document(path).names == ["tiny", "one", "q", "w"]


def test_a_file_without_backward_from_keeps_no_grads_of_the_previous_workspace(tmp_path):
    """Opening a file with the same names but no backward_from leaves every grad at 0."""
    definitions = [Definition("a", data=5.0), Definition("b", data=-3.0), Definition("e", "*", ("a", "b"))]
    path = tmp_path / "same_names.json"
    path.write_text(dumps(definitions))
    document = Document()
    document.replace_definitions(
        [Definition("a", data=2.0), Definition("b", data=-3.0), Definition("e", "*", ("a", "b"))]
    )
    document.backward("e")
    assert apply_workspace(document, read_workspace(path), path.name) is None
    assert document.backward_root is None
    assert [document.grad(n) for n in document.names] == [0.0, 0.0, 0.0]


def test_every_corrupt_file_has_an_expected_message():
    """The corpus and the table of expected messages list the same files."""
    assert sorted(p.name for p in corrupt_files()) == sorted(CORRUPT_MESSAGES)


@pytest.mark.parametrize("path", corrupt_files(), ids=lambda p: p.name)
def test_corrupt_file_is_refused_with_one_clear_message(path):
    """Each corrupt file gives one WorkspaceFileError, one line, naming the file and the problem."""
    document = lecture_document()
    before = document_text(document)
    with pytest.raises(WorkspaceFileError) as caught:
        apply_workspace(document, read_workspace(path), path.name)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ")
    assert CORRUPT_MESSAGES[path.name] in message
    assert message.isprintable() and len(message) < 200  # one line, and nothing a terminal would act on
    assert document_text(document) == before


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    """A 51 MB file is refused by its size alone."""
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(51 * 2**20)
    with pytest.raises(WorkspaceFileError, match=r"huge.json: it is too large \(51 MB; at most 50 MB\)"):
        read_workspace(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path):
    """Opening a path that is not a file says so."""
    with pytest.raises(WorkspaceFileError, match="gone.json: no such file"):
        read_workspace(tmp_path / "gone.json")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(WorkspaceFileError, match="folder.json: it is a folder"):
        read_workspace(tmp_path / "folder.json")


# ---- atomic saves ---------------------------------------------------------------


def test_a_failed_replace_keeps_the_old_file_and_says_why(tmp_path, monkeypatch):
    """If the final rename fails, the old file is byte for byte the same and no temporary file is left."""
    path = tmp_path / "work.json"
    path.write_text("old contents")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WorkspaceFileError, match="could not save work.json: permission denied"):
        save_document(lecture_document(), path)
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["work.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    """A disk that fills up half way through leaves the old file untouched."""
    path = tmp_path / "work.json"
    path.write_text("old contents")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WorkspaceFileError, match="could not save work.json: no space left on device"):
        save_document(lecture_document(), path)
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["work.json"]


def test_saving_onto_a_folder_or_into_a_missing_folder_says_why(tmp_path):
    """A path that is a folder, or whose folder does not exist, is refused with the reason."""
    (tmp_path / "taken.json").mkdir()
    with pytest.raises(WorkspaceFileError, match="could not save taken.json: it is a folder"):
        save_document(lecture_document(), tmp_path / "taken.json")
    with pytest.raises(WorkspaceFileError, match="could not save work.json: the folder does not exist"):
        save_document(lecture_document(), tmp_path / "missing" / "work.json")
    assert (tmp_path / "taken.json").is_dir()


def test_saving_over_a_file_keeps_its_permissions(tmp_path):
    """Replacing a file keeps the permission bits the user gave it."""
    path = tmp_path / "work.json"
    path.write_text("{}")
    path.chmod(0o640)
    save_document(lecture_document(), path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert load_document(path).names[-1] == "L"


def test_the_file_format_modules_import_no_qt():
    """The file format and the script export stay Qt-free, so the command line needs no display."""
    code = (
        "import sys, micrograd_gui.workspace_file, micrograd_gui.export_python; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_example_names_are_known():
    """Asking for an example that is not shipped is a KeyError, not a file lookup."""
    with pytest.raises(KeyError):
        workspace_file.example_bytes("../pyproject")


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    """A newly saved workspace is readable by others as any new file would be (umask 022: rw-r--r--)."""
    old = os.umask(0o022)
    try:
        save_document(lecture_document(), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o644


# ---- what is not a regular file, links, permissions, names, temporaries -----------


def _read_in_a_thread(path: Path) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def read() -> None:
        try:
            read_workspace(path)
        except WorkspaceFileError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, outcome


def test_a_named_pipe_is_refused_at_once_not_waited_on(tmp_path):
    """A FIFO named x.json gives one message straight away; reading it would wait for a writer forever."""
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    thread, outcome = _read_in_a_thread(fifo)
    thread.join(timeout=5)
    if thread.is_alive():  # unblock the reader so the suite goes on, then fail
        with open(fifo, "wb"):
            pass
        thread.join(timeout=5)
    assert outcome == ["x.json: it is a named pipe, not a file"]


def test_a_link_to_a_device_is_refused_unread(tmp_path):
    """A link named x.json to /dev/zero is a device: refused before a byte is read."""
    link = tmp_path / "x.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(WorkspaceFileError, match=r"^x\.json: it is a device, not a file$"):
        read_workspace(link)


def test_saving_through_a_link_writes_the_file_it_points_to(tmp_path):
    """Save onto a symbolic link: the link stays a link and the file it points to gets the work."""
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    save_document(lecture_document(), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_document(real).names[-1] == "L"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_saving_onto_a_pipe_or_a_device_is_refused(tmp_path):
    """A pipe, or a link to a device, named like a workspace is not replaced by a file: refused, left as it was."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(WorkspaceFileError, match=r"^could not save pipe\.json: it is a named pipe, not a file$"):
        save_document(lecture_document(), fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    device = tmp_path / "null.json"
    device.symlink_to(os.devnull)
    with pytest.raises(WorkspaceFileError, match=r"^could not save null\.json: it is a device, not a file$"):
        save_document(lecture_document(), device)
    assert device.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null.json", "pipe.json"]


def test_a_read_only_workspace_is_not_overwritten(tmp_path):
    """A file without write permission is refused with the reason, even though its folder is writable."""
    path = tmp_path / "work.json"
    path.write_text("old contents")
    path.chmod(0o444)
    with pytest.raises(workspace_file.ReadOnlyWorkspaceError, match=r"^could not save work\.json: it is read-only$"):
        save_document(lecture_document(), path)
    assert path.read_text() == "old contents" and path.stat().st_mode & 0o777 == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["work.json"]


def test_a_name_near_the_length_limit_saves(tmp_path):
    """80 CJK characters + .json is 245 bytes, under the 255-byte limit: the temporary name must not push it over."""
    path = tmp_path / ("字" * 80 + ".json")
    assert len(path.name.encode("utf-8")) == 245
    save_document(lecture_document(), path)
    save_document(lecture_document(), path)  # and again over the existing file
    assert load_document(path).names[-1] == "L"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_save_removes_the_temporaries_a_killed_save_left(tmp_path):
    """Temporaries of ours untouched for long (a save killed half way) go at the next save to that
    folder; a fresh one (a save still writing) and other files stay."""
    old = time.time() - safe_files.STALE_TEMPORARY_SECONDS - 60
    stale = [tmp_path / ".micrograd-gui-0123456789ab.tmp", tmp_path / ".work.json.0123456789ab.tmp"]
    fresh = tmp_path / ".micrograd-gui-ba9876543210.tmp"
    others = [tmp_path / ".other.json.0123456789ab.tmp", tmp_path / "notes.tmp"]
    for path in [*stale, fresh, *others]:
        path.write_text("partial")
    for path in [*stale, *others]:
        os.utime(path, (old, old))
    save_document(lecture_document(), tmp_path / "work.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["work.json", fresh.name] + [p.name for p in others])


# ---- fuzzing the reader --------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["\x1b[2J", "\x1b]0;title\x07", "a\u202eb", "\x00", "é" * 60, "名" * 300, "a" * 5000]),
)
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**4000), max_value=10**4000),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)


def _paths(obj: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place inside a parsed JSON value: the keys and indices that lead to it."""
    found = [prefix]
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_workspace_files(draw) -> bytes:
    """A valid workspace file with a few structure-aware changes: a value replaced by hostile JSON, a key
    dropped or added, a duplicate key, then perhaps a cut or a flipped byte in the text."""
    workspace = draw(workspaces())
    obj = json.loads(dumps(workspace.definitions, workspace.backward_from))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(obj)))
        *parents, last = path or (None,)
        holder = obj
        for step in parents:
            holder = holder[step]
        kind = draw(st.sampled_from(["replace", "drop", "add"]))
        if not path:
            obj = draw(json_values)
        elif kind == "replace":
            holder[last] = draw(json_values)
        elif kind == "drop":
            del holder[last]
        elif isinstance(holder, dict):
            holder[draw(hostile_text)] = draw(json_values)
        else:
            holder.insert(draw(st.integers(0, len(holder))), draw(json_values))
        if not isinstance(obj, (dict, list)):
            break
    text = json.dumps(obj, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()) and text.startswith("{") and len(text) > 2:
        key = draw(hostile_text)
        text = "{" + f"{json.dumps(key)}: 1, {json.dumps(key)}: 2, " + text[1:]  # a duplicate key
    data = text.encode("utf-8")
    if draw(st.integers(0, 4)) == 0:  # the text damaged too, now and then
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] if draw(st.booleans()) else data[:cut] + bytes([draw(st.integers(0, 255))]) + data[cut + 1 :]
    return data


@settings(max_examples=300, deadline=None)
@given(mutated_workspace_files())
def test_mutated_files_open_whole_or_give_one_short_clean_message(data):
    """Whatever a file holds, reading and applying it either works or gives one WorkspaceFileError of one
    short, printable line naming the file; the current work stays as it was."""
    document = lecture_document()
    before = document_text(document)
    try:
        apply_workspace(document, loads(data, "x.json"), "x.json")
    except WorkspaceFileError as error:
        message = str(error)
        assert message.startswith("x.json: ")
        assert message.isprintable() and len(message) < 300, message
        assert document_text(document) == before
    else:
        assert document_text(document) == document_text(load_document_from_text(data))


def load_document_from_text(data: bytes) -> Document:
    document = Document()
    apply_workspace(document, loads(data))
    return document


# A child process saving one small workspace after another, as fast as it can, until it is killed.
_SAVER = """
import sys
from micrograd_gui.document import Definition
from micrograd_gui.workspace_file import write_workspace
path = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    i += 1
    write_workspace(path, [Definition("a", data=float(i)), Definition("b", "*", ("a", "a"))], "b")
"""


def test_a_save_killed_at_any_moment_leaves_a_whole_file(tmp_path):
    """kill -9 in the middle of saving: the file is always a whole workspace, old or new, and the next save
    leaves no temporary behind once it is stale."""
    path = tmp_path / "work.json"
    workspace_file.write_workspace(path, [Definition("a", data=0.0), Definition("b", "*", ("a", "a"))], "b")
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3):
        saver = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert saver.stdout is not None and saver.stdout.readline() == "ready\n"
        time.sleep(delay)
        saver.kill()
        saver.wait(timeout=10)
        saver.stdout.close()
        workspace = read_workspace(path)
        assert [d.name for d in workspace.definitions] == ["a", "b"] and workspace.backward_from == "b"
    old = time.time() - safe_files.STALE_TEMPORARY_SECONDS - 1
    for leftover in tmp_path.glob(".micrograd-gui-*.tmp"):
        os.utime(leftover, (old, old))
    save_document(lecture_document(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["work.json"]
