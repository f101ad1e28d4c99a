"""The workspace document: the one source of truth. Qt-free.

A workspace is an ordered list of named definitions: a leaf with a number, or
an op over named operands defined before it. The engine Values, the table and
the graph picture are all derived from it. The document validates names and
numbers, recomputes the forward pass when a leaf changes, runs backward, and
tells its listeners what changed.

Every mutating method either succeeds whole or raises `DocumentError` (with a
message for the user) and changes nothing.

Size: about 850 lines, on purpose: the one source of truth keeps its checks,
its changes and its change notices together, so that no change can skip a check;
the definitions, their Values, the grads and the groups (neurons, layers, nets)
change together, all or nothing, and so do the data rows the leaves take.
"""

from __future__ import annotations

import keyword
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice

from engine import Value, format_number
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.grad_overlay import GradLens, GradOverlay

MAX_NAME_LENGTH = 32
MAX_DEFINITIONS = 100_000

BINARY_OPS = ("+", "-", "*", "/")
UNARY_OPS = ("-", "tanh", "exp", "log", "relu", "**")  # "**" takes its exponent as a number
FUNCTIONS = ("tanh", "exp", "log", "relu")
GROUP_KINDS = ("neuron", "layer", "net")


class DocumentError(ValueError):
    """A change the document refused; the message is written for the user."""


@dataclass(frozen=True)
class Definition:
    """One named value: a leaf (`op == ''`, `data` set) or an op over earlier names.

    `exponent` is set only for `**`, whose exponent is a number, not a Value. `constant` marks a
    leaf that is a number, never a parameter to train: what a number literal in an expression makes.
    """

    name: str
    op: str = ""
    operands: tuple[str, ...] = ()
    data: float | None = None
    exponent: float | None = None
    constant: bool = False

    @property
    def is_leaf(self) -> bool:
        return self.op == ""

    @property
    def formula(self) -> str:
        """How the value is computed: `a * b`, `tanh(n)`, `-a`, `x ** 2`; '' for a leaf."""
        if self.is_leaf:
            return ""
        operands = self.operands
        if self.op == "**":
            return f"{operands[0]} ** {format_number(self.exponent or 0.0)}"
        if len(operands) == 1:
            return f"-{operands[0]}" if self.op == "-" else f"{self.op}({operands[0]})"
        return f"{operands[0]} {self.op} {operands[1]}"


@dataclass(frozen=True)
class Group:
    """Values that form one neuron, layer or net (what a template made), by name, in document order.

    A neuron's output is its last member; the values it reads that are not members are its inputs.
    A layer's members are its neurons', a net's its layers'. The picture may draw a group as one node.
    """

    name: str
    kind: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """What a listener is told. `structure` is True when nodes or edges changed
    (the picture needs a new layout); otherwise only numbers changed.

    `appended` lists the values a change added at the end, in order, when that
    is all it did (a click, a redo); `dropped` counts the values it took from the
    end, when that is all it did (an undo of one); `renamed` is (old, new) for a
    rename, the one change that keeps every value in its place. Lists kept in
    document order follow those without reading the whole document. `replaced`
    says a whole new workspace came in (opened, new, an example). `data` and `training` say the
    data table or the training settings changed (a rename of a column's leaf or of the loss too).
    """

    structure: bool
    names: frozenset[str] = field(default_factory=frozenset)
    appended: tuple[str, ...] = ()
    dropped: int = 0
    renamed: tuple[str, str] | None = None
    replaced: bool = False
    data: bool = False
    training: bool = False


Followed = tuple[str, list[str]]


def follow(change: Change | None, known: list[str], document: Document) -> Followed:
    """How a list of the names in document order follows `change`, given `known`, the names before
    it, and the names after it: ("appended", names), ("dropped", names), ("renamed", names) (one
    name changed in place) without reading the whole document; else ("reread", names)."""
    if change is not None:
        if change.appended and len(known) + len(change.appended) == len(document):
            return "appended", known + list(change.appended)
        if change.dropped and len(known) - change.dropped == len(document):
            return "dropped", known[: len(known) - change.dropped]
        if change.renamed and len(known) == len(document):
            names = list(known)
            names[document.position(change.renamed[1])] = change.renamed[1]
            return "renamed", names
    return "reread", document.names


Listener = Callable[[Change], None]


def check_name(name: str) -> str | None:
    """Why `name` cannot name a value (ignoring uniqueness), or None if it can: a Python identifier
    (`α` and `Δx` are), not a keyword, at most 32 characters, written as Python reads it."""
    if not name:
        return "a name is required"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name has at most {MAX_NAME_LENGTH} characters"
    if not name.isidentifier():
        return f"'{name}' is not a valid name: use letters, digits and _, not starting with a digit"
    if keyword.iskeyword(name):
        return f"'{name}' is a Python keyword"
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:  # Python reads `ﬁ` as `fi`: the exported script would name another variable
        return f"'{name}' is not a valid name: Python reads it as '{normal}'; write '{normal}'"
    return None


def parse_number(text: str) -> float:
    """The finite number a user typed, or DocumentError saying why not."""
    stripped = text.strip()
    if not stripped:
        raise DocumentError("a number is required")
    if len(stripped) > 400:
        raise DocumentError("that number is too long")
    if "_" in stripped or not stripped.isascii():  # float() also takes 1_000 and other scripts' digits
        raise DocumentError(f"'{stripped}' is not a number")
    try:
        number = float(stripped)
    except ValueError:
        raise DocumentError(f"'{stripped}' is not a number") from None
    if not math.isfinite(number):
        raise DocumentError(f"'{stripped}' is not a finite number")
    if number == 0.0 and underflows(stripped):
        raise DocumentError(f"'{stripped}' is too small for a float: it would be 0")
    return number


def underflows(text: str) -> bool:
    """Whether a decimal number's text has a digit other than 0 before its exponent (so it is not 0),
    for a number that came out as 0: 1e-400 is not a float, and taking it as 0 would be a surprise."""
    mantissa = text.lower().split("e")[0]
    return any(c in "123456789" for c in mantissa)


def check_number(number: float) -> float:
    """`number` as a float, or DocumentError unless it is a finite int or float (not a bool)."""
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        try:
            if math.isfinite(number):
                return float(number)
        except OverflowError:  # an int beyond the float range (and perhaps too long to print)
            raise DocumentError("the number is too large (not a finite float)") from None
    raise DocumentError(f"{number!r} is not a finite number")


def evaluate(definition: Definition, operands: Sequence[Value]) -> Value:
    """The engine Value of one definition, or DocumentError naming the maths problem."""
    op = definition.op
    try:
        if op == "":
            assert definition.data is not None
            out = Value(definition.data)
        elif op == "**":
            assert definition.exponent is not None
            out = operands[0] ** definition.exponent
        elif op in FUNCTIONS:
            out = getattr(operands[0], op)()
        elif op == "-" and len(operands) == 1:
            out = -operands[0]
        elif op == "+":
            out = operands[0] + operands[1]
        elif op == "-":
            out = operands[0] - operands[1]
        elif op == "*":
            out = operands[0] * operands[1]
        elif op == "/":
            out = operands[0] / operands[1]
        else:
            raise DocumentError(f"unknown operation '{op}'")
    except (ZeroDivisionError, ValueError, OverflowError) as error:
        if isinstance(error, DocumentError):
            raise
        raise DocumentError(f"cannot compute {definition.name}: {error}") from None
    out.label = definition.name
    return out


def compute(definitions: Sequence[Definition]) -> dict[str, Value]:
    """The engine Value of each definition (each op's operands defined before it), or DocumentError."""
    values: dict[str, Value] = {}
    for d in definitions:
        values[d.name] = evaluate(d, [values[o] for o in d.operands])
    return values


def ancestors(definitions: Sequence[Definition], index: Mapping[str, int], root: str) -> set[str]:
    """The names `root` depends on, itself included; `index` gives each name's position."""
    found = {root}
    stack = [root]
    while stack:
        for operand in definitions[index[stack.pop()]].operands:
            if operand not in found:
                found.add(operand)
                stack.append(operand)
    return found


def check_shape(definition: Definition) -> None:
    """DocumentError unless the definition has the operands its op takes."""
    op, n = definition.op, len(definition.operands)
    if op == "":
        if n or definition.data is None:
            raise DocumentError(f"leaf '{definition.name}' needs a number and no operands")
        check_number(definition.data)
    elif definition.constant:
        raise DocumentError(f"'{definition.name}' is computed by {op}, so it cannot be a constant")
    elif op in BINARY_OPS and n == 2 or op in UNARY_OPS and n == 1:
        if op == "**":
            if definition.exponent is None:
                raise DocumentError(f"'{definition.name}': ** needs a number as its exponent")
            check_number(definition.exponent)
    else:
        raise DocumentError(f"'{definition.name}': operation '{op}' cannot take {n} operand(s)")


def check_groups(groups: Sequence[Group], exists: Callable[[str], bool], existing: Sequence[Group] = ()) -> None:
    """DocumentError unless each group has a kind, a name no other group has, and members that
    `exists` and that it lists once each."""
    taken = {g.name for g in existing}
    for g in groups:
        reason = check_name(g.name)
        if reason:
            raise DocumentError(f"group '{g.name}': {reason}")
        if g.name in taken:
            raise DocumentError(f"a group named '{g.name}' already exists")
        taken.add(g.name)
        if g.kind not in GROUP_KINDS:
            raise DocumentError(f"group '{g.name}': the kind must be one of {', '.join(GROUP_KINDS)}, not '{g.kind}'")
        if not g.members:
            raise DocumentError(f"group '{g.name}' has no members")
        if len(set(g.members)) != len(g.members):
            raise DocumentError(f"group '{g.name}' lists a member twice")
        for member in g.members:
            if not exists(member):
                raise DocumentError(f"group '{g.name}': its member '{member}' does not exist")


class Document:
    """The ordered named definitions, their engine Values, and the last backward's grads.

    Listeners added with `add_listener` get one `Change` per successful change.
    """

    def __init__(self) -> None:
        self._definitions: list[Definition] = []
        self._index: dict[str, int] = {}
        self._values: dict[str, Value] = {}
        self._grads: dict[str, float] = {}
        self.backward_root: str | None = None
        self._stale = False
        # Grads of a backward pass in progress (the step-through), shown instead of the last
        # backward's until any other change; never part of grad_state(), so no undo step records them.
        self._partial: dict[str, float] | None = None
        # A learning tool's view of the grads (predict mode, the bug lab): see grad_overlay.py.
        self._lens: GradLens | None = None
        self._overlay: GradOverlay | None = None
        self._notifying = 0  # listeners hearing of a change now (a listener may cause another)
        self._lens_pending = False  # show_lens was called meanwhile: its notice waits for theirs
        self._listeners: list[Listener] = []
        self._groups: list[Group] = []
        self._data: DataTable | None = None
        self._training = TrainingSettings()
        self.shown_row: int | None = None  # the data row whose numbers the bound leaves hold, if any

    # ---- reading ----------------------------------------------------------

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return tuple(self._definitions)

    @property
    def names(self) -> list[str]:
        return list(self._index)  # built in document order, like _definitions: a copy at C speed

    def __len__(self) -> int:
        return len(self._definitions)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def definition(self, name: str) -> Definition:
        return self._definitions[self._index[name]]

    def value(self, name: str) -> Value:
        """The engine Value of `name`; its grad is the one shown: the last backward's (0 before any),
        or a step-through's partial grad while one is in progress."""
        return self._values[name]

    def data(self, name: str) -> float:
        return self._values[name].data

    def grad(self, name: str) -> float:
        grads = self._grads if self._partial is None else self._partial
        return grads.get(name, 0.0)

    def shown_grad(self, name: str) -> float | None:
        """The grad the table and the picture show: `grad(name)`, or a learning tool's in its place
        (see `show_lens`); None for a grad hidden from view, shown as `?`."""
        overlay = self._overlay
        if overlay is None:
            return self.grad(name)
        shown = overlay.grads.get(name)
        if shown is None and not overlay.hide_others:
            return self.grad(name)
        return shown

    def expected_grad(self, name: str) -> float | None:
        """The correct grad of a value whose shown grad is wrong (the bug lab marks it); else None."""
        return None if self._overlay is None else self._overlay.expected.get(name)

    @property
    def grad_overlay(self) -> GradOverlay | None:
        """The learning tool's overlay shown now (None: the document's own grads)."""
        return self._overlay

    @property
    def grads_stale(self) -> bool:
        """Whether the grads shown come from a backward run before the numbers last changed."""
        return self._stale and self._partial is None

    @property
    def showing_partial_grads(self) -> bool:
        return self._partial is not None

    def position(self, name: str) -> int:
        return self._index[name]

    @property
    def groups(self) -> tuple[Group, ...]:
        """The neurons, layers and nets, in the order they were made."""
        return tuple(self._groups)

    def groups_of(self, name: str) -> list[Group]:
        """The groups `name` is a member of, the smallest (a neuron) first."""
        found = [g for g in self._groups if name in g.members]
        return sorted(found, key=lambda g: len(g.members))

    @property
    def data_table(self) -> DataTable | None:
        """The data table (None: the workspace has none). A column naming a leaf binds it."""
        return self._data

    @property
    def training(self) -> TrainingSettings:
        return self._training

    def bound_columns(self) -> tuple[str, ...]:
        """The data columns that name a leaf, in column order: those leaves take each row's numbers."""
        if self._data is None:
            return ()
        return tuple(c for c in self._data.columns if c in self._index and self.definition(c).is_leaf)

    def parameters(self) -> list[str]:
        """The leaves training changes, in document order: every leaf that is neither a bound data
        column nor a constant."""
        bound = set(self.bound_columns())
        return [d.name for d in self._definitions if d.is_leaf and not d.constant and d.name not in bound]

    def dependents(self, *names: str) -> list[str]:
        """Every other name that depends on any of `names`, directly or not, in document order
        (one pass over the definitions, however many names)."""
        affected = set(names)
        found = []
        for d in self._definitions[min(self._index[n] for n in names) + 1 :] if names else ():
            if d.name not in affected and any(o in affected for o in d.operands):
                affected.add(d.name)
                found.append(d.name)
        return found

    def next_free_name(self) -> str:
        """The first unused name in a, b, ..., z, a1, b1, ..."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        suffix = 0
        while True:
            for letter in letters:
                name = letter + (str(suffix) if suffix else "")
                if name not in self._index:
                    return name
            suffix += 1

    def auto_name(self, prefix: str = "t", taken: Iterable[str] = ()) -> str:
        """A fresh name `t1`, `t2`, ... for a result the user did not name."""
        taken = set(taken)
        i = 1
        while f"{prefix}{i}" in self._index or f"{prefix}{i}" in taken:
            i += 1
        return f"{prefix}{i}"

    def _check_not_a_column(self, name: str) -> None:
        """DocumentError if `name` is a data column's: only a leaf takes a column's name (binding it)."""
        if self._data is not None and name in self._data.columns:
            raise DocumentError(f"'{name}' is the name of a data column; only a leaf can take it (binding it)")

    def check_new_name(self, name: str) -> None:
        reason = check_name(name)
        if reason:
            raise DocumentError(reason)
        if name in self._index:
            raise DocumentError(f"'{name}' already exists")

    # ---- listeners --------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _notify(
        self,
        structure: bool,
        names: Iterable[str] = (),
        partial: bool = False,
        appended: Sequence[str] = (),
        dropped: int = 0,
        renamed: tuple[str, str] | None = None,
        replaced: bool = False,
        data: bool = False,
        training: bool = False,
    ) -> None:
        if not partial and self._partial is not None:  # any real change ends a pass in progress
            self._apply_grads()
        if not partial and self._lens is not None:  # before any listener reads it
            self._overlay = self._lens.grad_overlay(self)
        change = Change(structure, frozenset(names), tuple(appended), dropped, renamed, replaced, data, training)
        self._notifying += 1
        try:
            for listener in list(self._listeners):
                listener(change)
        finally:
            self._notifying -= 1
        if self._lens_pending and not self._notifying:  # a lens shown by a listener, now for everyone
            self._lens_pending = False
            self.show_lens(self._lens)

    # ---- building ---------------------------------------------------------

    def add(self, definition: Definition) -> None:
        """Append a new definition (a leaf or an op over existing names)."""
        self.add_many([definition])

    def check_many(self, definitions: Sequence[Definition], groups: Sequence[Group] = ()) -> None:
        """DocumentError unless `add_many(definitions, groups)` would succeed; changes nothing."""
        values = self._prepare_many(definitions)
        check_groups(groups, lambda name: name in self._index or name in values, self._groups)

    def add_many(self, definitions: Sequence[Definition], groups: Sequence[Group] = ()) -> None:
        """Append several definitions, each may use the ones before it, and the groups they form
        (members among the values, old and new): all or none."""
        values = self._prepare_many(definitions)
        check_groups(groups, lambda name: name in self._index or name in values, self._groups)
        for d in definitions:
            self._index[d.name] = len(self._definitions)
            self._definitions.append(d)
            self._values[d.name] = values[d.name]
        self._groups.extend(groups)
        added = [d.name for d in definitions]
        self._notify(True, added, appended=added)

    def _prepare_many(self, definitions: Sequence[Definition]) -> dict[str, Value]:
        if len(self._definitions) + len(definitions) > MAX_DEFINITIONS:
            raise DocumentError(f"a workspace holds at most {MAX_DEFINITIONS} values")
        values: dict[str, Value] = {}
        for d in definitions:
            if d.name in values:
                raise DocumentError(f"'{d.name}' is defined twice")
            self.check_new_name(d.name)
            check_shape(d)
            if not d.is_leaf:
                self._check_not_a_column(d.name)
            for operand in d.operands:
                if operand not in self._index and operand not in values:
                    raise DocumentError(f"'{operand}' does not exist")
            operands = [values[o] if o in values else self._values[o] for o in d.operands]
            values[d.name] = evaluate(d, operands)
        return values

    def add_leaf(self, name: str, data: float) -> None:
        self.add(Definition(name, data=check_number(data)))

    def add_op(self, name: str, op: str, operands: Sequence[str], exponent: float | None = None) -> None:
        self.add(Definition(name, op, tuple(operands), exponent=exponent))

    def check_removal(self, names: Iterable[str]) -> None:
        """DocumentError unless `names` exist and nothing outside them uses any of them."""
        doomed = set(names)
        for name in doomed:
            if name not in self._index:
                raise DocumentError(f"'{name}' does not exist")
        first = min((self._index[n] for n in doomed), default=len(self._definitions))
        for d in islice(self._definitions, first + 1, None):  # a value comes after what it uses
            if d.name not in doomed:
                used = [o for o in d.operands if o in doomed]
                if used:
                    raise DocumentError(f"'{used[0]}' is used by '{d.name}'")

    def remove(self, names: Iterable[str]) -> list[tuple[int, Definition]]:
        """Remove the named definitions; nothing left may depend on them.

        Returns (position, definition) pairs, in document order, that `restore` puts back.
        """
        doomed = set(names)
        self.check_removal(doomed)
        index, definitions = self._index, self._definitions
        removed = [(i, definitions[i]) for i in sorted([index[n] for n in doomed])]
        at_end = bool(removed) and removed[0][0] == len(self._definitions) - len(removed)
        if at_end:  # nothing else moves
            del self._definitions[len(self._definitions) - len(removed) :]
            for name in doomed:
                del self._index[name], self._values[name]
        else:
            self._set_definitions([d for d in self._definitions if d.name not in doomed])
        # A group that loses a member is no longer that neuron, layer or net: it goes (restore puts it back).
        self._groups = [g for g in self._groups if doomed.isdisjoint(g.members)]
        training = self._training.loss in doomed
        if training:  # no loss is chosen any more (DeleteValues' undo puts the settings back)
            self._training = replace(self._training, loss=None)
        if self.backward_root in doomed:
            self.backward_root = None
            self._grads = {}
            self._stale = False
            self._apply_grads()
        self._notify(True, doomed, dropped=len(removed) if at_end else 0, training=training)
        return removed

    def restore(self, removed: Sequence[tuple[int, Definition]], groups: Sequence[Group] | None = None) -> None:
        """Put back what `remove` took out, at the same positions, and with `groups` (the groups as they
        were before the removal) the groups it dissolved. The values that stayed are as
        they were, so only the restored ones are computed. Their grads are 0, as before the removal:
        what the root of the grads depends on could only be removed with the root, which clears them."""
        removed = sorted(removed, key=lambda item: item[0])
        restored: dict[str, Value] = {}
        for _, d in removed:  # first, so that an error would change nothing
            operands = [restored[o] if o in restored else self._values[o] for o in d.operands]
            restored[d.name] = evaluate(d, operands)
        if groups is not None:
            check_groups(groups, lambda name: name in self._index or name in restored)
        at_end = bool(removed) and removed[0][0] == len(self._definitions)
        if at_end:
            for _, d in removed:
                self._index[d.name] = len(self._definitions)
                self._definitions.append(d)
            self._values.update(restored)
        else:
            definitions: list[Definition] = []
            rest = iter(self._definitions)
            for position, d in removed:
                definitions.extend(islice(rest, position - len(definitions)))
                definitions.append(d)
            definitions.extend(rest)
            self._values.update(restored)
            self._set_definitions(definitions)
        if groups is not None:
            self._groups = list(groups)
        names = list(restored)
        self._notify(True, names, appended=names if at_end else ())

    def set_leaf_data(self, name: str, data: float) -> None:
        """Change a leaf's number and recompute what depends on it, or refuse
        whole if a dependent value could not be computed."""
        self.set_leaves({name: data})

    def check_leaf_data(self, name: str, data: float) -> None:
        """DocumentError unless `set_leaf_data(name, data)` would succeed; changes nothing."""
        self.check_leaves({name: data})

    def set_leaves(self, numbers: Mapping[str, float], shown_row: int | None | bool = False) -> None:
        """Change several leaves' numbers at once (a data row, trained parameters) and recompute what
        depends on them: one change notice, or refused whole. `shown_row`, unless False, says which
        data row the leaves now hold (an int, or None for none: an undo puts back what was shown)."""
        definitions, values, changed = self._prepare_leaves(numbers)
        row_changed = shown_row is not False
        if row_changed:
            self.shown_row = None if shown_row is None else int(shown_row)
        elif self.shown_row is not None and not set(numbers).isdisjoint(self.bound_columns()):
            self.shown_row, row_changed = None, True  # a bound leaf set by hand: no longer that row
        self._definitions = definitions
        self._values = values
        if self._grads:
            self._stale = True
        self._apply_grads()
        self._notify(False, changed, data=row_changed)

    def check_leaves(self, numbers: Mapping[str, float]) -> None:
        """DocumentError unless `set_leaves(numbers)` would succeed; changes nothing."""
        self._prepare_leaves(numbers)

    def _prepare_leaves(self, numbers: Mapping[str, float]) -> tuple[list[Definition], dict[str, Value], list[str]]:
        """The definitions and values after the edit, and the names whose values it changes: only the
        leaves and what depends on them are computed again (the other Values never point at them)."""
        definitions = list(self._definitions)
        for name, number in numbers.items():
            if name not in self._index:
                raise DocumentError(f"'{name}' does not exist")
            d = definitions[self._index[name]]
            if not d.is_leaf:
                raise DocumentError(f"'{name}' is computed by {d.op}; only a leaf's number can be edited")
            definitions[self._index[name]] = replace(d, data=check_number(number))
        values = dict(self._values)
        changed = [*numbers, *self.dependents(*numbers)]
        changed.sort(key=self._index.__getitem__)
        for n in changed:
            definition = definitions[self._index[n]]
            values[n] = evaluate(definition, [values[o] for o in definition.operands])
        return definitions, values, changed

    def row_numbers(self, index: int) -> dict[str, float]:
        """The numbers data row `index` gives the bound leaves; DocumentError for no such row."""
        table = self._data
        if table is None or not 0 <= index < len(table.rows):
            raise DocumentError(f"there is no data row {index + 1}")
        row = table.row(index)
        return {column: row[column] for column in self.bound_columns()}

    def _holds_row(self, index: int) -> bool:
        """Whether the bound leaves hold data row `index`'s numbers now."""
        try:
            numbers = self.row_numbers(index)
        except DocumentError:
            return False
        return all(self.data(name) == number for name, number in numbers.items())

    def show_row(self, index: int | None) -> None:
        """Give the bound leaves data row `index`'s numbers (the picture then shows that row's forward
        pass), or with None only forget which row is shown. Refused whole."""
        if index is None:
            self.shown_row = None
            self._notify(False, (), data=True)
            return
        self.set_leaves(self.row_numbers(index), shown_row=index)

    def check_data(self, table: DataTable | None) -> None:
        """DocumentError unless `set_data(table)` would succeed: a column may name a leaf (binding
        it) or nothing (unbound), not a computed value."""
        if table is None:
            return
        for column in table.columns:
            if column in self._index and not self.definition(column).is_leaf:
                d = self.definition(column)
                raise DocumentError(f"the column '{column}' names a value computed by {d.op}; a column binds a leaf")

    def set_data(self, table: DataTable | None, shown_row: int | None | bool = False) -> None:
        """Replace the data table (None: no data). The shown row is forgotten when it is gone;
        `shown_row`, unless False, sets it (an undo puts back what was shown)."""
        self.check_data(table)
        self._data = table
        if shown_row is not False:
            self.shown_row = None if shown_row is None else int(shown_row)
        elif self.shown_row is not None and not self._holds_row(self.shown_row):
            self.shown_row = None  # that row's numbers changed or moved: the leaves no longer hold it
        if table is None or self.shown_row is not None and self.shown_row >= len(table.rows):
            self.shown_row = None
        self._notify(False, (), data=True)

    def set_training(self, settings: TrainingSettings) -> None:
        self._training = settings
        self._notify(False, (), training=True)

    def rename(self, old: str, new: str) -> None:
        """Rename a value and every reference to it."""
        if old not in self._index:
            raise DocumentError(f"'{old}' does not exist")
        if old == new:
            return
        self.check_new_name(new)
        if self._data is not None and new in self._data.columns:
            raise DocumentError(f"'{new}' is the name of a data column: bind '{old}' to it in the Data panel")

        def renamed(d: Definition) -> Definition:
            operands = tuple(new if o == old else o for o in d.operands)
            return replace(d, name=new if d.name == old else d.name, operands=operands)

        self._definitions = [renamed(d) for d in self._definitions]
        self._groups = [
            replace(g, members=tuple(new if m == old else m for m in g.members)) if old in g.members else g
            for g in self._groups
        ]
        self._index = {d.name: i for i, d in enumerate(self._definitions)}
        value = self._values.pop(old)
        value.label = new
        self._values = {d.name: self._values[d.name] if d.name != new else value for d in self._definitions}
        if old in self._grads:
            self._grads[new] = self._grads.pop(old)
        if self.backward_root == old:
            self.backward_root = new
        data = self._data is not None and old in self._data.columns
        if data and self._data is not None:
            self._data = self._data.renaming(old, new)
        training = self._training.loss == old
        self._training = self._training.renaming(old, new)
        self._notify(True, [old, new], renamed=(old, new), data=data, training=training)

    def replace_definitions(
        self,
        definitions: Sequence[Definition],
        notify: bool = True,
        groups: Sequence[Group] = (),
        data: DataTable | None = None,
        training: TrainingSettings | None = None,
    ) -> None:
        """Swap in a whole new list of definitions, their groups, data table and training settings (a
        workspace being read), validated whole first. Grads are cleared: the new Values start at 0."""
        definitions = list(definitions)
        if len(definitions) > MAX_DEFINITIONS:
            raise DocumentError(f"a workspace holds at most {MAX_DEFINITIONS} values")
        seen: set[str] = set()
        for d in definitions:
            reason = check_name(d.name)
            if reason:
                raise DocumentError(reason)
            if d.name in seen:
                raise DocumentError(f"'{d.name}' is defined twice")
            check_shape(d)
            for operand in d.operands:
                if operand not in seen:
                    raise DocumentError(f"'{d.name}' uses '{operand}' before it is defined")
            seen.add(d.name)
        check_groups(groups, seen.__contains__)
        leaves = {d.name for d in definitions if d.is_leaf}
        for column in data.columns if data is not None else ():
            if column in seen and column not in leaves:
                raise DocumentError(f"the column '{column}' names a computed value; a column binds a leaf")
        values = compute(definitions)
        self._groups = list(groups)
        self._data, self.shown_row = data, None
        self._training = training if training is not None else TrainingSettings()
        self._definitions = definitions
        self._index = {d.name: i for i, d in enumerate(definitions)}
        self._values = values
        self._grads, self.backward_root, self._stale, self._partial = {}, None, False, None
        if notify:
            self._notify(True, self._index, replaced=True)

    def take_over(self, other: Document) -> None:
        """Hold what `other` holds, a document built elsewhere (read and computed on a worker
        thread, see workspace_file.load_workspace): its definitions, values and grads move here
        in one step that does no work per value, and listeners hear one change. `other` is left
        empty."""
        self._definitions, self._index, self._values = other._definitions, other._index, other._values
        self._grads, self.backward_root, self._stale = other._grads, other.backward_root, other._stale
        self._groups = other._groups
        self._data, self._training, self.shown_row = other._data, other._training, other.shown_row
        self._partial = other._partial = None  # the values carry `other`'s grads already
        other._definitions, other._index, other._values, other._grads = [], {}, {}, {}
        other._groups = []
        other.backward_root = None
        self._notify(True, self._index, replaced=True)

    def _set_definitions(self, definitions: list[Definition]) -> None:
        self._definitions = definitions
        self._index = {d.name: i for i, d in enumerate(definitions)}
        self._values = {d.name: self._values[d.name] for d in definitions}

    def ancestors(self, root: str) -> set[str]:
        """The names `root` depends on, itself included."""
        return ancestors(self._definitions, self._index, root)

    # ---- gradients --------------------------------------------------------

    def compute_grads(self, root: str) -> dict[str, float]:
        """d root / d value for every value, computed without changing the document.

        Raises DocumentError when a gradient cannot be computed or overflows.
        """
        if root not in self._index:
            raise DocumentError(f"'{root}' does not exist")
        try:
            for value in self._values.values():
                value.grad = 0.0
            self._values[root].backward()
            grads = {name: v.grad for name, v in self._values.items()}
        except ArithmeticError as error:
            raise DocumentError(f"cannot compute the gradient of {root}: {error}") from None
        finally:
            self._apply_grads(self._partial)  # as they were shown
        for name, grad in grads.items():
            if not math.isfinite(grad):
                raise DocumentError(f"the gradient of {root} with respect to {name} overflows")
        return grads

    def backward(self, root: str) -> None:
        """Run backward from `root`: every value's grad becomes d root / d value."""
        self.set_grads(self.compute_grads(root), root, False)

    def set_grads(self, grads: dict[str, float], root: str | None, stale: bool) -> None:
        """Show `grads` as the last backward's, from `root` (a new backward's, or ones put back by an
        undo); `stale` says the values changed since."""
        self._grads = {n: g for n, g in grads.items() if n in self._index}
        self.backward_root = root if root in self._index else None
        self._stale = stale
        self._apply_grads()
        self._notify(False, self._index)

    def grad_state(self) -> tuple[dict[str, float], str | None, bool]:
        """What `set_grads` needs to put the current grads back."""
        return dict(self._grads), self.backward_root, self._stale

    def show_partial_grads(self, grads: dict[str, float]) -> None:
        """Show the grads of a backward pass in progress instead of the last backward's.

        Nothing is recorded: `grad_state()` still gives the last backward's grads, so an
        undo step taken meanwhile keeps those. Any other change, or `clear_partial_grads()`,
        ends the display.
        """
        self._apply_grads({n: g for n, g in grads.items() if n in self._index})
        self._notify(False, self._index, partial=True)

    def clear_partial_grads(self) -> None:
        """Show the last backward's grads again (no-op when no pass is in progress)."""
        if self._partial is not None:
            self._notify(False, self._index)

    def show_lens(self, lens: GradLens | None) -> None:
        """Show the grads as `lens` sees them (None: as they are), until another lens replaces it.

        The lens is asked for its overlay now and after every change; like partial grads,
        nothing is recorded and `grad()` still gives the grads themselves. Call it again with
        the same lens when the lens's own state changed (an answer revealed). Called by a
        listener while the others are still to hear of a change, it waits for them: no
        listener hears of the new overlay before it hears of the change.
        """
        self._lens = lens
        if self._notifying:  # a listener is showing it: the others must first hear of the change in hand
            self._lens_pending = True
            return
        self._overlay = None if lens is None else lens.grad_overlay(self)
        self._notify(False, self._index, partial=True)

    @property
    def lens(self) -> GradLens | None:
        return self._lens

    def zero_grads(self) -> None:
        self.set_grads({}, None, False)

    def _apply_grads(self, partial: dict[str, float] | None = None) -> None:
        """Put the grads shown on the Values: `partial`, a backward pass in progress, or else the last
        backward's, which ends any pass in progress."""
        self._partial = partial
        grads = self._grads if partial is None else partial
        for name, value in self._values.items():
            value.grad = grads.get(name, 0.0)
