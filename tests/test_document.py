"""The workspace document: validation, forward pass, backward, and all-or-nothing changes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_gui.document import (
    Change,
    Definition,
    Document,
    DocumentError,
    Group,
    check_name,
    follow,
    parse_number,
)
from tests.test_workspace_file import workspaces
from tests.workspaces import NEURON


def lecture() -> Document:
    doc = Document()
    doc.add_leaf("a", 2.0)
    doc.add_leaf("b", -3.0)
    doc.add_leaf("c", 10.0)
    doc.add_op("e", "*", ["a", "b"])
    doc.add_op("d", "+", ["e", "c"])
    doc.add_leaf("f", -2.0)
    doc.add_op("L", "*", ["d", "f"])
    return doc


def snapshot(doc: Document) -> tuple:
    return (doc.definitions, {n: (doc.data(n), doc.grad(n)) for n in doc.names}, doc.grad_state())


def test_lecture_forward_and_backward() -> None:
    """The lecture's graph gives L = -8 and the lecture's grads."""
    doc = lecture()
    assert doc.data("L") == -8.0
    doc.backward("L")
    grads = {n: doc.grad(n) for n in doc.names}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
    assert doc.value("a").grad == 6.0


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "required"),
        ("1a", "not a valid name"),
        ("for", "keyword"),
        ("a" * 33, "at most 32"),
        ("a-b", "not a valid name"),
        ("x₀", "not a valid name"),  # x₀: a subscript digit is not an identifier character
        ("ﬁ", "Python reads it as 'fi'"),  # the ligature ﬁ, which Python reads as fi
        ("α" * 33, "at most 32"),
    ],
)
def test_bad_names_are_refused_with_a_reason(name: str, reason: str) -> None:
    """Each bad name is refused with a reason that says what is wrong, and nothing is added."""
    assert reason in (check_name(name) or "")
    doc = Document()
    with pytest.raises(DocumentError, match=reason):
        doc.add_leaf(name, 1.0)
    assert len(doc) == 0


@pytest.mark.parametrize("name", ["α", "Δx", "é", "x_1", "θ0", "ΔLoss"])
def test_python_identifiers_beyond_ascii_are_names(name: str) -> None:
    """Names are Python identifiers, and that includes Greek letters as learners write them."""
    assert check_name(name) is None
    doc = Document()
    doc.add_leaf(name, 2.0)
    assert doc.names == [name]


def test_duplicate_name_is_refused() -> None:
    """A name already in the workspace cannot be used again."""
    doc = lecture()
    before = snapshot(doc)
    with pytest.raises(DocumentError, match="already exists"):
        doc.add_leaf("a", 1.0)
    assert snapshot(doc) == before


@pytest.mark.parametrize(
    "text",
    ["", "  ", "abc", "nan", "inf", "-inf", "1e999", "1_000", "0x10", "2+3", "\u0663", "\uff12", "1e-400", "-2.5E-999"],
)
def test_parse_number_refuses_non_finite_and_non_numbers(text: str) -> None:
    """Only finite plain numbers are accepted."""
    with pytest.raises(DocumentError):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2.0),
        (" -3.5 ", -3.5),
        ("1e3", 1000.0),
        ("6.8813735870195432", 6.8813735870195432),
        ("0.000e-400", 0.0),
        ("-0", 0.0),
        ("1e-320", 1e-320),
    ],
)
def test_parse_number_accepts_plain_numbers(text: str, number: float) -> None:
    """Plain decimal and scientific numbers parse exactly."""
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("definition", "error"),
    [
        (Definition("z", "/", ("a", "zero")), "division by zero"),
        (Definition("z", "log", ("neg",)), "non-positive"),
        (Definition("z", "**", ("neg",), exponent=0.5), "negative base"),
        (Definition("z", "exp", ("big",)), "overflow"),
        (Definition("z", "+", ("a", "nope")), "does not exist"),
        (Definition("z", "+", ("a",)), "cannot take 1 operand"),
        (Definition("z", "**", ("a",)), "exponent"),
        (Definition("z", "sin", ("a",)), "cannot take"),
    ],
)
def test_maths_errors_build_nothing(definition: Definition, error: str) -> None:
    """An op that cannot be computed is refused with the maths reason and adds nothing."""
    doc = Document()
    doc.add_leaf("a", 1.0)
    doc.add_leaf("zero", 0.0)
    doc.add_leaf("neg", -1.0)
    doc.add_leaf("big", 1000.0)
    before = snapshot(doc)
    with pytest.raises(DocumentError, match=error):
        doc.add(definition)
    assert snapshot(doc) == before


def test_add_many_is_all_or_nothing() -> None:
    """When the last of several definitions fails, none of them is added."""
    doc = lecture()
    before = snapshot(doc)
    batch = [Definition("t1", "-", ("a", "a")), Definition("t2", "log", ("t1",))]
    with pytest.raises(DocumentError, match="non-positive"):
        doc.add_many(batch)
    assert snapshot(doc) == before
    doc.add_many([Definition("t1", "+", ("a", "a")), Definition("t2", "log", ("t1",))])
    assert doc.data("t2") == pytest.approx(math.log(4.0))


def test_leaf_edit_recomputes_downstream_and_marks_grads_stale() -> None:
    """Editing a leaf re-runs the forward pass for every dependent; old grads become stale."""
    doc = lecture()
    doc.backward("L")
    doc.set_leaf_data("a", 3.0)
    assert doc.data("e") == -9.0
    assert doc.data("L") == -2.0
    assert doc.grads_stale
    assert doc.grad("a") == 6.0  # the last backward's number, shown as stale
    doc.backward("L")
    assert not doc.grads_stale


def test_leaf_edit_that_breaks_a_dependent_is_refused_whole() -> None:
    """Setting a denominator to 0 changes nothing and says why."""
    doc = Document()
    doc.add_leaf("a", 1.0)
    doc.add_leaf("b", 2.0)
    doc.add_op("q", "/", ["a", "b"])
    before = snapshot(doc)
    with pytest.raises(DocumentError, match="division by zero"):
        doc.set_leaf_data("b", 0.0)
    assert snapshot(doc) == before


def test_only_leaves_can_be_edited() -> None:
    """An op's number comes from its operands and cannot be typed in."""
    doc = lecture()
    with pytest.raises(DocumentError, match="only a leaf"):
        doc.set_leaf_data("e", 1.0)


def test_rename_updates_every_reference() -> None:
    """Renaming a value renames it in every definition that uses it."""
    doc = lecture()
    doc.backward("L")
    doc.rename("a", "alpha")
    assert "a" not in doc and "alpha" in doc
    assert doc.definition("e").operands == ("alpha", "b")
    assert doc.grad("alpha") == 6.0
    assert doc.value("alpha").label == "alpha"
    doc.rename("L", "loss")
    assert doc.backward_root == "loss"
    with pytest.raises(DocumentError, match="already exists"):
        doc.rename("b", "c")


def test_remove_refuses_values_others_use_and_restore_puts_back() -> None:
    """Removing a used value is refused; removing it with its dependents and restoring is exact."""
    doc = lecture()
    doc.backward("L")
    with pytest.raises(DocumentError, match="used by"):
        doc.remove(["e"])
    before = doc.definitions
    removed = doc.remove(["e", *doc.dependents("e")])
    assert doc.names == ["a", "b", "c", "f"]
    assert doc.backward_root is None
    doc.restore(removed)
    assert doc.definitions == before
    assert doc.data("L") == -8.0


def test_dependents_and_removal_checks() -> None:
    """Dependents are transitive and in document order; a removal may leave nothing using what goes."""
    doc = lecture()
    assert doc.dependents("a") == ["e", "d", "L"]
    assert doc.dependents("L") == []
    assert doc.dependents("c", "e", "d") == ["L"]  # several at once: what they share once, never themselves
    assert doc.dependents("f", "a") == ["e", "d", "L"]
    with pytest.raises(DocumentError, match="'e' is used by 'd'"):
        doc.check_removal(["a", "e"])
    doc.check_removal(["a", *doc.dependents("a")])


def test_reuse_backward() -> None:
    """A value used twice gets both contributions: b = a + a gives a.grad 2."""
    doc = Document()
    doc.add_leaf("a", 3.0)
    doc.add_op("b", "+", ["a", "a"])
    doc.backward("b")
    assert doc.grad("a") == 2.0


def test_backward_twice_is_the_same_and_resets_other_roots() -> None:
    """Backward from a second root does not keep grads from the first."""
    doc = lecture()
    doc.backward("L")
    doc.backward("L")
    assert doc.grad("a") == 6.0
    doc.backward("e")
    assert doc.grad("a") == -3.0
    assert doc.grad("f") == 0.0
    assert doc.grad("L") == 0.0


def test_listeners_hear_structure_and_number_changes() -> None:
    """Adding is a structure change; an edit or backward is a numbers-only change."""
    doc = Document()
    heard: list[Change] = []
    doc.add_listener(heard.append)
    doc.add_leaf("a", 1.0)
    doc.add_op("b", "tanh", ["a"])
    doc.set_leaf_data("a", 2.0)
    doc.backward("b")
    assert [c.structure for c in heard] == [True, True, False, False]
    assert heard[2].names == {"a", "b"}
    with pytest.raises(DocumentError):
        doc.add_leaf("a", 1.0)
    assert len(heard) == 4


def test_next_free_name_and_auto_name() -> None:
    """Suggested names fill the alphabet in order; automatic result names never collide."""
    doc = Document()
    assert doc.next_free_name() == "a"
    doc.add_leaf("a", 1.0)
    doc.add_leaf("c", 1.0)
    assert doc.next_free_name() == "b"
    doc.add_op("t1", "+", ["a", "c"])
    assert doc.auto_name() == "t2"
    assert doc.auto_name(taken=["t2"]) == "t3"


def test_replace_definitions_validates_whole_before_touching() -> None:
    """A bad list of definitions (used before defined) leaves the workspace as it was."""
    doc = lecture()
    before = snapshot(doc)
    with pytest.raises(DocumentError, match="before it is defined"):
        doc.replace_definitions([Definition("x", "+", ("y", "y")), Definition("y", data=1.0)])
    with pytest.raises(DocumentError, match="defined twice"):
        doc.replace_definitions([Definition("x", data=1.0), Definition("x", data=2.0)])
    assert snapshot(doc) == before


def test_zero_grads_and_set_grads_round_trip() -> None:
    """Zeroing and putting back saved grads restores root and staleness."""
    doc = lecture()
    doc.backward("L")
    saved = doc.grad_state()
    doc.zero_grads()
    assert doc.grad("a") == 0.0 and doc.backward_root is None
    doc.set_grads(*saved)
    assert doc.grad("a") == 6.0 and doc.backward_root == "L"


def test_backward_that_overflows_is_refused_and_keeps_old_grads() -> None:
    """A gradient too large for a float is refused with a message; the previous grads stay."""
    doc = Document()
    doc.add_leaf("x", 1e-200)
    doc.add_leaf("one", 1.0)
    doc.add_op("y", "/", ["one", "x"])
    doc.add_leaf("k", 2.0)
    doc.add_op("z", "*", ["k", "one"])
    doc.backward("z")
    before = snapshot(doc)
    with pytest.raises(DocumentError, match="gradient of y"):
        doc.backward("y")
    assert snapshot(doc) == before
    assert doc.value("one").grad == 2.0


def test_partial_grads_are_shown_but_not_recorded_and_any_change_ends_them() -> None:
    """A pass in progress shows its grads; grad_state() keeps the last backward's; a real change restores them."""
    doc = lecture()
    doc.backward("L")
    saved = doc.grad_state()
    heard: list[Change] = []
    doc.add_listener(heard.append)
    doc.show_partial_grads({"L": 1.0, "f": 4.0})
    assert doc.grad("a") == 0.0 and doc.value("f").grad == 4.0
    assert doc.showing_partial_grads
    assert doc.grad_state() == saved
    assert heard[-1].structure is False
    doc.add_leaf("z", 1.0)
    assert not doc.showing_partial_grads
    assert doc.grad("a") == 6.0 and doc.value("a").grad == 6.0
    doc.show_partial_grads({"L": 1.0})
    doc.clear_partial_grads()
    assert doc.grad("a") == 6.0
    count = len(heard)
    doc.clear_partial_grads()
    assert len(heard) == count  # nothing to end: no notice


def test_take_over_moves_another_documents_values_and_grads_in_one_change() -> None:
    """take_over (how a file computed on a worker thread lands): everything moves, one notice, the other is emptied."""
    built = lecture()
    built.backward("L")
    values = {name: built.value(name) for name in built.names}
    doc = Document()
    doc.add_leaf("old", 1.0)
    heard: list[Change] = []
    doc.add_listener(heard.append)
    doc.take_over(built)
    assert doc.names == ["a", "b", "c", "e", "d", "f", "L"]
    assert all(doc.value(name) is values[name] for name in doc.names)
    assert doc.backward_root == "L" and doc.value("a").grad == 6.0 and doc.grad_state()[0]["f"] == 4.0
    assert heard == [Change(True, frozenset(doc.names), replaced=True)]  # a whole new workspace
    assert len(built) == 0 and built.backward_root is None and "old" not in doc


def test_numbers_beyond_the_float_range_are_refused_with_a_document_error() -> None:
    """A huge int given to add_leaf is a DocumentError, not a raw OverflowError, and adds nothing."""
    doc = lecture()
    before = snapshot(doc)
    with pytest.raises(DocumentError, match="too large"):
        doc.add_leaf("huge", 10**400)
    with pytest.raises(DocumentError, match="not a finite number"):
        doc.add_leaf("nan", math.nan)
    assert snapshot(doc) == before


def test_a_leaf_edit_computes_again_only_what_depends_on_it() -> None:
    """The leaf and its dependents get new Values with new numbers; every other Value is kept as it was."""
    doc = lecture()
    kept = {name: doc.value(name) for name in ("a", "b", "e", "f")}
    doc.set_leaf_data("c", 20.0)
    assert all(doc.value(name) is value for name, value in kept.items())
    assert (doc.data("d"), doc.data("L")) == (14.0, -28.0)
    assert doc.value("L")._prev == (doc.value("d"), doc.value("f"))


def test_a_change_says_when_it_only_appended_or_dropped_values_at_the_end() -> None:
    """Adding, removing the newest values and putting them back say so, a rename says it is one;
    anything else says none of these."""
    doc = lecture()
    heard: list[Change] = []
    doc.add_listener(heard.append)
    doc.add_many([Definition("g", data=1.0), Definition("h", "+", ("g", "L"))])
    assert heard[-1].appended == ("g", "h") and heard[-1].dropped == 0
    removed = doc.remove(["h", "g"])
    assert heard[-1].dropped == 2 and heard[-1].appended == ()
    doc.restore(removed)
    assert heard[-1].appended == ("g", "h")
    middle = doc.remove(["h", "L"])  # L is not the last value: not at the end
    assert (heard[-1].appended, heard[-1].dropped) == ((), 0)
    doc.restore(middle)
    assert heard[-1].appended == ()
    assert doc.names == ["a", "b", "c", "e", "d", "f", "L", "g", "h"]
    assert all(change.renamed is None for change in heard)
    doc.rename("g", "k")
    assert (heard[-1].renamed, heard[-1].appended, heard[-1].dropped) == (("g", "k"), (), 0)


@settings(max_examples=80, deadline=None)
@given(workspaces(), st.data())
def test_removing_values_and_restoring_them_gives_back_the_same_document(workspace, data) -> None:
    """Any removable set (names with their dependents) goes and comes back exactly: definitions,
    numbers, grads; the values that stayed are the same objects, and every value's operands and grad
    are the current ones."""
    doc = Document()
    doc.add_many(workspace.definitions)
    if workspace.backward_from is not None:
        try:
            doc.backward(workspace.backward_from)
        except DocumentError:  # a grad overflows: no grads
            pass
    seeds = data.draw(st.lists(st.sampled_from(doc.names), min_size=1, max_size=3))
    doomed = set(seeds) | set(doc.dependents(*seeds))
    before = snapshot(doc)
    stayed = {n: doc.value(n) for n in doc.names if n not in doomed}
    root_goes = doc.backward_root in doomed
    removed = doc.remove(doomed)
    assert doc.names == [d.name for d in before[0] if d.name not in doomed]
    doc.restore(removed)
    after = snapshot(doc)
    if root_goes:
        assert after[0] == before[0] and after[2] == ({}, None, False)
        assert {n: data for n, (data, _) in after[1].items()} == {n: data for n, (data, _) in before[1].items()}
        assert all(grad == 0.0 for _, grad in after[1].values())
    else:
        assert after == before
    assert all(doc.value(n) is value for n, value in stayed.items())
    for d in doc.definitions:
        value = doc.value(d.name)
        assert value._prev == tuple(doc.value(o) for o in d.operands)
        assert value.grad == doc.grad(d.name)  # the graph draws the Value's own grad


def test_a_list_of_names_follows_each_kind_of_change() -> None:
    """follow() says how a list in document order changes, with the names after: appended, dropped,
    renamed in place, or read again (a removal from the middle, a whole new document)."""
    doc = lecture()
    known = doc.names
    heard: list[tuple[str, list[str]]] = []
    doc.add_listener(lambda change: heard.append(follow(change, heard[-1][1] if heard else known, doc)))
    doc.add_leaf("g", 1.0)
    doc.rename("c", "bias")
    removed = doc.remove(["g"])
    doc.restore(removed)
    doc.remove(["f", "L"])
    doc.replace_definitions([Definition("z", data=1.0)])
    assert [how for how, _ in heard] == ["appended", "renamed", "dropped", "appended", "reread", "reread"]
    assert heard[1][1] == ["a", "b", "bias", "e", "d", "f", "L", "g"]
    assert heard[-1][1] == doc.names == ["z"]
    assert follow(None, [], doc) == ("reread", ["z"])


# ---- groups -----------------------------------------------------------------------------------------


def neuron_document() -> Document:
    """The lecture's neuron, its weights, bias and sums grouped as a neuron inside a layer."""
    doc = Document()
    doc.add_many(NEURON[:2])
    members = tuple(d.name for d in NEURON[2:])
    doc.add_many(NEURON[2:], [Group("n", "neuron", members), Group("layer", "layer", members)])
    return doc


def test_groups_are_added_with_their_values_all_or_nothing() -> None:
    """add_many adds the groups with the definitions; a bad group refuses the whole change."""
    doc = neuron_document()
    assert [(g.name, g.kind) for g in doc.groups] == [("n", "neuron"), ("layer", "layer")]
    assert [g.name for g in doc.groups_of("w1")] == ["n", "layer"]
    assert doc.groups_of("x1") == []
    before = (doc.definitions, doc.groups)
    for group, message in [
        (Group("n", "neuron", ("y",)), "a group named 'n' already exists"),
        (Group("g", "blob", ("y",)), "the kind must be one of neuron, layer, net"),
        (Group("g", "neuron", ()), "has no members"),
        (Group("g", "neuron", ("y", "y")), "lists a member twice"),
        (Group("g", "neuron", ("zz",)), "its member 'zz' does not exist"),
        (Group("2g", "neuron", ("y",)), "is not a valid name"),
    ]:
        with pytest.raises(DocumentError, match=message):
            doc.add_many([Definition("y", data=1.0)], [group])
        with pytest.raises(DocumentError, match=message):
            doc.check_many([Definition("y", data=1.0)], [group])
        assert (doc.definitions, doc.groups) == before


def test_removing_a_member_dissolves_its_groups_and_restore_puts_them_back() -> None:
    """A group that loses a member goes; others stay; restore with the groups as they were brings it back."""
    doc = neuron_document()
    doc.add_many([Definition("y", data=1.0)], [Group("other", "neuron", ("y",))])
    before = doc.groups
    removed = doc.remove(["o"])
    assert [g.name for g in doc.groups] == ["other"]
    doc.restore(removed, before)
    assert doc.groups == before
    removed = doc.remove(["y"])
    assert [g.name for g in doc.groups] == ["n", "layer"]
    doc.restore(removed)  # without groups: the groups stay as they are
    assert [g.name for g in doc.groups] == ["n", "layer"]


def test_rename_renames_members_and_keeps_group_names() -> None:
    """Renaming a member renames it in every group; the groups keep their own names."""
    doc = neuron_document()
    doc.rename("o", "out")
    assert [g.members[-1] for g in doc.groups] == ["out", "out"]
    assert [g.name for g in doc.groups] == ["n", "layer"]


def test_groups_come_with_replace_definitions_and_take_over() -> None:
    """A workspace read with groups holds them; take_over moves them; checked like any group."""
    source = neuron_document()
    doc = Document()
    doc.replace_definitions(source.definitions, groups=source.groups)
    assert doc.groups == source.groups
    with pytest.raises(DocumentError, match="does not exist"):
        doc.replace_definitions(source.definitions[:3], groups=source.groups)
    assert doc.groups == source.groups
    other = Document()
    other.take_over(doc)
    assert other.groups == source.groups and doc.groups == ()
    other.replace_definitions(source.definitions)
    assert other.groups == ()
