"""Groups drawn collapsed: which node stands for each value, and what a group's node says. Qt-free.

A collapsed group is drawn as one node in place of its members. When groups nest (a neuron in a
layer in a net), the largest collapsed one is drawn. A neuron's node reads `o_n2_1: tanh(w·x + b)`
with its output's data and grad; a layer's `o_l1: 4 tanh neurons`; a net's `o: MLP(3, [4, 4, 1])`
with its output's numbers when it has one output. Edges still come from each input and go to each
user of an output, so the picture shows where a group's inputs come from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from micrograd_gui.document import FUNCTIONS, Document, Group

GROUP_PREFIX = "g_"


def group_id(name: str) -> str:
    """The DOT node id of a collapsed group."""
    return GROUP_PREFIX + name


def owners(document: Document, collapsed: Collection[str], names: Iterable[str] | None = None) -> dict[str, Group]:
    """For each value drawn inside a collapsed group, the group whose node stands for it (the largest
    collapsed group holding it). `names` limits the values to those drawn.

    A value an expanded group shares with collapsed ones (a weight of one neuron run on several rows,
    one row's neuron expanded) stays drawn, with edges into the collapsed groups that use it."""
    wanted = set(collapsed)
    groups = sorted((g for g in document.groups if g.name in wanted), key=lambda g: -len(g.members))
    if not groups:
        return {}
    kept = None if names is None else set(names)
    owner: dict[str, Group] = {}
    for group in groups:
        for member in group.members:
            if member not in owner and (kept is None or member in kept):
                owner[member] = group
    folded = [set(g.members) for g in groups]
    for group in document.groups:  # an expanded group holding no collapsed one, inside none: drawn whole
        if group.name in wanted or not any(m in owner for m in group.members):
            continue
        members = set(group.members)
        if not any(members <= f or f <= members for f in folded):
            for member in members:
                owner.pop(member, None)
    return owner


def outputs(document: Document, group: Group) -> list[str]:
    """The computed members that values outside the group use, in document order (a weight other
    groups share is no output); a group no one uses yet outputs its last member (a neuron's output)."""
    members = set(group.members)
    used: set[str] = set()
    start = min(document.position(m) for m in group.members)
    for d in document.definitions[start:]:
        if d.name not in members:
            used.update(o for o in d.operands if o in members)
    found = [m for m in group.members if m in used and not document.definition(m).is_leaf]
    return found or [max(group.members, key=document.position)]


def inputs(document: Document, group: Group) -> list[str]:
    """The values outside the group that its members read, once each, in the order they are read."""
    members = set(group.members)
    found: dict[str, None] = {}
    for member in group.members:
        for operand in document.definition(member).operands:
            if operand not in members:
                found[operand] = None
    return list(found)


def neurons_of(document: Document, group: Group) -> list[Group]:
    """The neuron groups inside `group`."""
    members = set(group.members)
    return [g for g in document.groups if g.kind == "neuron" and g is not group and members.issuperset(g.members)]


def activation(document: Document, neuron: Group) -> str:
    """A neuron's activation: the op of its output if that is a function, else 'linear'."""
    op = document.definition(max(neuron.members, key=document.position)).op
    return op if op in FUNCTIONS else "linear"


def title(document: Document, group: Group) -> str:
    """What a collapsed group's node says first: `o_n2_1: tanh(w·x + b)` (a neuron, by its output's
    name), `o_l1: 4 tanh neurons`, `o: MLP(3, [4, 4, 1])`."""
    if group.kind == "neuron":  # named by its output, which may have been renamed (or be the net's name)
        act = activation(document, group)
        output = max(group.members, key=document.position)
        return f"{output}: " + ("w·x + b" if act == "linear" else f"{act}(w·x + b)")
    neurons = neurons_of(document, group)
    if group.kind == "layer":
        kinds = sorted({activation(document, n) for n in neurons})
        kind = kinds[0] if len(kinds) == 1 else "mixed"
        return f"{group.name}: {len(neurons)} {kind} neuron" + ("s" if len(neurons) != 1 else "")
    layers = [g for g in document.groups if g.kind == "layer" and set(group.members).issuperset(g.members)]
    sizes = ", ".join(str(len(neurons_of(document, layer))) for layer in layers)
    return f"{group.name}: MLP({len(inputs(document, group))}, [{sizes}])"
