"""Gradient descent on a workspace's loss over every data row at once, with numpy. Qt-free.

One training step is CONTRACT.md's ("Workspace file, version 2"): for every row of the data
table, the bound leaves take the row's numbers and the graph runs; total = `reduce` (sum or
mean) of the loss over the rows + `l2` * the sum of every parameter squared; backward from
total; every parameter `p -= lr_k * p.grad`. The loss of step k is the total before its update.

Running the engine once per row costs seconds a step on micrograd's moons demo. Here the loss's
ancestors are compiled once, in document order (operands before results), into a plan of
integer-indexed ops, and each op runs once per step over a numpy array holding every row: a
value that depends on no bound column (a parameter, a constant, anything computed from them
only) stays one number and broadcasts. Backward walks the plan in reverse; where a one-number
value feeds a per-row one, its grad is the sum over the rows (a dot product for a weight).
Big tables run in chunks of rows, so memory stays bounded.

The numbers are the engine's: each op and its local derivative is computed as engine/value.py
computes it (`a - b` as a subtraction, `/`'s derivatives as `1 / b` and `-out / b`, tanh's as
`1 - out**2`, relu's as 1 where its operand is > 0), and the rows' losses and the squared
parameters are summed in order, as the engine's `sum` of Values does. numpy's tanh, exp, log and
powers may differ from the math module's and Python's in the last bit, so results agree with
the engine to about 1e-13 relative (where only + - * / and relu run, as in micrograd's demo, bit
for bit). A maths error the engine would refuse (log of a
number <= 0, division by 0, an overflow anywhere) is a `TrainingError` naming the step, the
value and the data row, caught from numpy's floating-point error flags at no cost per op.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine import Value
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, DocumentError, Group, evaluate

Array = npt.NDArray[np.float64]
Number = np.float64 | Array  # a value that depends on no bound column is one number, else one per row

# Per chunk of rows, at most this many numbers per kept array (about 32 MB of values, as much of grads).
CHUNK_CELLS = 1 << 22

_ADD, _SUB, _MUL, _DIV, _NEG, _POW, _TANH, _EXP, _LOG, _RELU = range(10)
_CODES = {
    ("+", 2): _ADD,
    ("-", 2): _SUB,
    ("*", 2): _MUL,
    ("/", 2): _DIV,
    ("-", 1): _NEG,
    ("**", 1): _POW,
    ("tanh", 1): _TANH,
    ("exp", 1): _EXP,
    ("log", 1): _LOG,
    ("relu", 1): _RELU,
}


class TrainingError(ValueError):
    """Training cannot start or go on; the message is written for the user."""


@dataclass(frozen=True)
class Roles:
    """What part each value plays in training.

    `loss`: the per-row loss; `output`: the model's output the loss reads (None when none stands
    out); `inputs`: the bound columns the output depends on; `targets`: the other bound columns
    the loss reads; `parameters`: the leaves training changes (every leaf that is neither a bound
    column nor a constant), in document order.
    """

    loss: str
    output: str | None
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class StepResult:
    """One step: its number k, the total loss before its update, the accuracy of the output on the
    rows before the update (None when there is no single -1/1 or 0/1 target), lr_k, and the change
    made to each parameter (aligned with `Roles.parameters`)."""

    step: int
    loss: float
    accuracy: float | None
    learning_rate: float
    updates: Array


# ---- what the workspace holds, for training ---------------------------------------------------------


@dataclass(frozen=True)
class _Analysis:
    definitions: tuple[Definition, ...]
    index: dict[str, int]  # name -> position
    loss: int  # the loss's position
    ancestors: tuple[int, ...]  # positions the loss depends on, itself included, in document order
    masks: dict[int, int]  # position -> the bound columns it depends on, one bit each (ancestors only)
    bound: tuple[str, ...]  # the bound columns, in column order
    parameters: tuple[str, ...]


def _analyse(definitions: Sequence[Definition], data: DataTable | None, settings: TrainingSettings) -> _Analysis:
    if data is None:
        raise TrainingError("the workspace has no data table: add one whose columns are named after leaves")
    if not data.rows:
        raise TrainingError("the data table has no rows")
    if settings.loss is None:
        raise TrainingError("no loss is chosen: choose the value training makes small")
    definitions = tuple(definitions)
    index: dict[str, int] = {}
    for position, d in enumerate(definitions):
        if d.name in index:
            raise TrainingError(f"two values are named '{d.name}'")
        for operand in d.operands:
            if operand not in index:
                raise TrainingError(f"'{d.name}' uses '{operand}' before it is defined")
        if not d.is_leaf and (d.op, len(d.operands)) not in _CODES:
            raise TrainingError(f"'{d.name}': operation '{d.op}' with {len(d.operands)} operand(s) cannot be trained")
        index[d.name] = position
    loss = index.get(settings.loss)
    if loss is None:
        raise TrainingError(f"the loss '{settings.loss}' does not exist")
    bound = []
    for column in data.columns:
        if column in index:
            d = definitions[index[column]]
            if not d.is_leaf:
                raise TrainingError(f"the column '{column}' names a value computed by {d.op}; a column binds a leaf")
            bound.append(column)
    if not bound:
        columns = ", ".join(data.columns[:4]) + (", …" if len(data.columns) > 4 else "")
        raise TrainingError(f"no column of the data table ({columns}) names a leaf: bind the inputs and targets")
    bits = {index[column]: 1 << k for k, column in enumerate(bound)}
    found = {loss}
    todo = [loss]
    while todo:
        for operand in definitions[todo.pop()].operands:
            position = index[operand]
            if position not in found:
                found.add(position)
                todo.append(position)
    ancestors = tuple(sorted(found))
    masks: dict[int, int] = {}
    for position in ancestors:
        d = definitions[position]
        mask = bits.get(position, 0)
        for operand in d.operands:
            mask |= masks[index[operand]]
        masks[position] = mask
    taken = set(bound)
    parameters = tuple(d.name for d in definitions if d.is_leaf and not d.constant and d.name not in taken)
    if not any(index[p] in found for p in parameters):
        raise TrainingError(
            f"the loss '{settings.loss}' depends on no parameter: every leaf it reads is a data column or a constant"
        )
    return _Analysis(definitions, index, loss, ancestors, masks, tuple(bound), parameters)


def _roles(analysis: _Analysis, groups: Sequence[Group]) -> Roles:
    definitions, masks, loss = analysis.definitions, analysis.masks, analysis.loss
    output = None
    for g in groups:  # a template's neuron, layer or net: its output is its last member
        position = analysis.index.get(g.members[-1]) if g.members else None
        if position is None or position == loss or position not in masks or definitions[position].is_leaf:
            continue
        if masks[position] and (output is None or position > output):
            output = position
    if output is None:  # the latest computed value that reads some, not all, of the loss's columns
        for position in reversed(analysis.ancestors):
            mask = masks[position]
            if position != loss and not definitions[position].is_leaf and mask and mask != masks[loss]:
                output = position
                break
    read = masks[loss]
    out_mask = masks[output] if output is not None else 0
    columns = analysis.bound
    return Roles(
        loss=definitions[loss].name,
        output=definitions[output].name if output is not None else None,
        inputs=tuple(c for k, c in enumerate(columns) if out_mask >> k & 1),
        targets=tuple(c for k, c in enumerate(columns) if read >> k & 1 and not out_mask >> k & 1),
        parameters=analysis.parameters,
    )


def training_roles(
    definitions: Sequence[Definition],
    data: DataTable | None,
    settings: TrainingSettings,
    groups: Sequence[Group] = (),
) -> Roles:
    """The roles of the workspace's values in training, or TrainingError saying why it cannot train.

    The output is the output (last member) of the latest group (neuron, layer, net) the loss depends
    on that reads a data column; without one, the latest computed value the loss depends on that
    reads some but not all of the columns the loss reads (`o` in `(o - y)**2`).
    """
    return _roles(_analyse(definitions, data, settings), groups)


# ---- the compiled graph ----------------------------------------------------------------------------


class _FlaggedError(Exception):
    """An op whose numbers numpy flagged (an overflow, a division by 0, a log of <= 0): at plan slot `slot`."""

    def __init__(self, slot: int, backward: bool) -> None:
        super().__init__(slot)
        self.slot = slot
        self.backward = backward


class _Program:
    """The ancestors of one value, in document order, as a plan over slots 0..n-1 (one per value).

    A slot holds one number (np.float64) or one per row (an array). Each plan entry is (code,
    out, a, b, exponent, a_sums, b_sums): `b` is -1 for a unary op, `*_sums` say that the operand
    is one number feeding a per-row result, so backward sums its grad over the rows.
    """

    def __init__(self, analysis: _Analysis, root: int) -> None:
        definitions, index, masks = analysis.definitions, analysis.index, analysis.masks
        positions = [root]
        todo = [root]
        seen = {root}
        while todo:
            for operand in definitions[todo.pop()].operands:
                position = index[operand]
                if position not in seen:
                    seen.add(position)
                    positions.append(position)
                    todo.append(position)
        positions.sort()
        slot = {position: k for k, position in enumerate(positions)}
        self.names = [definitions[p].name for p in positions]
        self.definitions = [definitions[p] for p in positions]
        self.batched = [masks[p] != 0 for p in positions]
        self.root = slot[root]
        self.base: list[Number | None] = [None] * len(positions)
        self.columns: list[tuple[int, str]] = []  # (slot, column)
        self.parameters: list[tuple[int, int]] = []  # (slot, position in Roles.parameters)
        parameter_at = {name: k for k, name in enumerate(analysis.parameters)}
        bound = set(analysis.bound)
        plan = []
        for k, d in enumerate(self.definitions):
            if d.is_leaf:
                if d.name in bound:
                    self.columns.append((k, d.name))
                elif d.constant:
                    self.base[k] = np.float64(d.data)
                else:
                    self.parameters.append((k, parameter_at[d.name]))
                continue
            a = slot[index[d.operands[0]]]
            b = slot[index[d.operands[1]]] if len(d.operands) == 2 else -1
            out = self.batched[k]
            a_sums = out and not self.batched[a]
            b_sums = b >= 0 and out and not self.batched[b]
            plan.append((_CODES[(d.op, len(d.operands))], k, a, b, d.exponent or 0.0, a_sums, b_sums))
        self.plan = [entry[:5] for entry in plan]  # what forward reads
        self.reverse_plan = plan[::-1]
        self.parameter_slots = np.array([s for s, _ in self.parameters], dtype=np.intp)
        self.parameter_places = np.array([p for _, p in self.parameters], dtype=np.intp)
        self.batched_count = sum(self.batched)

    def values(self, columns: Mapping[str, Array], parameters: Array) -> list[Any]:
        """The slots' starting numbers: constants, the columns given, the parameters."""
        values = list(self.base)
        for k, column in self.columns:
            values[k] = columns[column]
        for k, place in self.parameters:
            values[k] = parameters[place]
        return values

    def forward(self, v: list[Any]) -> None:
        """Compute every op's slot, operands first; _FlaggedError at an op numpy flags."""
        maximum, tanh, exp, log = np.maximum, np.tanh, np.exp, np.log
        entry = None
        try:
            for entry in self.plan:
                code, out, a, b, n = entry
                x = v[a]
                if code == _MUL:
                    v[out] = x * v[b]
                elif code == _ADD:
                    v[out] = x + v[b]
                elif code == _RELU:
                    v[out] = maximum(x, 0.0)
                elif code == _SUB:
                    v[out] = x - v[b]
                elif code == _TANH:
                    v[out] = tanh(x)
                elif code == _DIV:
                    v[out] = x / v[b]
                elif code == _POW:
                    v[out] = x**n
                elif code == _NEG:
                    v[out] = -x
                elif code == _EXP:
                    v[out] = exp(x)
                else:
                    v[out] = log(x)
        except (FloatingPointError, ZeroDivisionError, OverflowError):
            assert entry is not None
            raise _FlaggedError(entry[1], backward=False) from None

    def backward(self, v: list[Any], seed: Number) -> list[Any]:
        """d root / d slot for every slot (None for a slot nothing flows to), given d total / d root."""
        g_of: list[Any] = [None] * len(v)
        g_of[self.root] = seed
        dot = np.dot
        entry = None
        try:
            for entry in self.reverse_plan:
                code, out, a, b, n, a_sums, b_sums = entry
                g = g_of[out]
                if g is None:
                    continue
                if code == _MUL:
                    da = dot(g, v[b]) if a_sums else g * v[b]
                    db = dot(g, v[a]) if b_sums else g * v[a]
                elif code == _ADD:
                    da = g.sum() if a_sums else g
                    db = g.sum() if b_sums else g
                elif code == _RELU:
                    da = g * (v[a] > 0)
                elif code == _SUB:
                    da = g.sum() if a_sums else g
                    db = -g.sum() if b_sums else -g
                elif code == _TANH:
                    y = v[out]
                    da = (1.0 - y * y) * g
                elif code == _DIV:
                    y = v[b]
                    local = 1.0 / y
                    da = dot(local, g) if a_sums else local * g
                    local = -v[out] / y
                    db = dot(local, g) if b_sums else local * g
                elif code == _POW:
                    da = n * v[a] ** (n - 1) * g if n != 0 else 0.0 * g
                elif code == _NEG:
                    da = -g
                elif code == _EXP:
                    da = v[out] * g
                else:
                    da = (1.0 / v[a]) * g
                before = g_of[a]
                g_of[a] = da if before is None else before + da
                if b >= 0:
                    before = g_of[b]
                    g_of[b] = db if before is None else before + db
        except (FloatingPointError, ZeroDivisionError, OverflowError):
            assert entry is not None
            raise _FlaggedError(entry[1], backward=True) from None
        return g_of

    def explain(self, failure: _FlaggedError, v: list[Any], first_row: int) -> str:
        """What went wrong at the flagged slot, in the engine's words, with the first data row where it does."""
        d = self.definitions[failure.slot]
        if failure.backward:
            return f"the gradient overflows at {d.name} = {d.formula}"
        operands = [self.names.index(o) for o in d.operands]
        rows = max((np.size(v[k]) for k in operands), default=1)
        for row in range(rows):
            numbers = [float(v[k]) if np.ndim(v[k]) == 0 else float(v[k][row]) for k in operands]
            try:
                evaluate(d, [Value(x, label=name) for x, name in zip(numbers, d.operands)])
            except DocumentError as error:
                where = f" (data row {first_row + row + 1})" if self.batched[failure.slot] else ""
                return f"{error}{where}"
        return f"cannot compute {d.name} = {d.formula}: the result is not a finite number"


def _ordered_sum(numbers: Array) -> np.float64:
    """numbers[0] + numbers[1] + ... in that order, as the engine's `sum` of Values adds (np.sum adds
    pairwise, which rounds differently)."""
    return np.cumsum(numbers)[-1] if len(numbers) else np.float64(0.0)


# ---- the trainer ------------------------------------------------------------------------------------


class Trainer:
    """The training of one workspace's loss: its parameters now, and the steps of CONTRACT.md.

    Made from the workspace's definitions, data table, training settings and groups (the groups
    only choose `roles.output`); TrainingError when it cannot train (no data, no rows, no loss, a
    loss that depends on no parameter). The parameters start at their leaves' numbers; the
    definitions are never changed (`parameter_values()` gives the trained numbers).
    """

    def __init__(
        self,
        definitions: Sequence[Definition],
        data: DataTable | None,
        settings: TrainingSettings,
        groups: Sequence[Group] = (),
    ) -> None:
        analysis = _analyse(definitions, data, settings)
        assert data is not None
        self._analysis = analysis
        self.roles = _roles(analysis, groups)
        self._settings = settings
        self._params: Array = np.array(
            [analysis.definitions[analysis.index[p]].data for p in analysis.parameters], dtype=np.float64
        )
        self._grads: Array | None = None
        self._loss = _Program(analysis, analysis.loss)
        self._output_slot = self._loss.names.index(self.roles.output) if self.roles.output is not None else None
        self._output: _Program | None = None  # compiled when `outputs` is first asked for
        self._rows = len(data.rows)
        table = np.array(data.rows, dtype=np.float64).T.copy()  # one contiguous array per column
        wanted = {column for _, column in self._loss.columns}
        self._columns = {c: table[k] for k, c in enumerate(data.columns) if c in wanted}
        size = max(1, CHUNK_CELLS // max(1, self._loss.batched_count))
        self._chunks = [(start, min(start + size, self._rows)) for start in range(0, self._rows, size)]
        self._accuracy_rule = self._find_accuracy_rule()

    # ---- parameters ----

    @property
    def settings(self) -> TrainingSettings:
        return self._settings

    def set_settings(self, settings: TrainingSettings) -> None:
        """Go on with other settings (learning rate, steps, reduce, l2) for the same loss."""
        if settings.loss != self._settings.loss:
            raise TrainingError("a trainer trains one loss: make a new one for another loss")
        self._settings = settings

    def parameter_values(self) -> dict[str, float]:
        return dict(zip(self.roles.parameters, self._params.tolist()))

    def set_parameter_values(self, numbers: Mapping[str, float]) -> None:
        """Set some parameters' numbers (refused whole: a name that is not a parameter, a number that is
        not finite)."""
        params = self._params.copy()
        at = {name: k for k, name in enumerate(self.roles.parameters)}
        for name, number in numbers.items():
            if name not in at:
                raise TrainingError(f"'{name}' is not a parameter of this training")
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
                raise TrainingError(f"the number of '{name}' must be finite, not {number!r}")
            params[at[name]] = float(number)
        self._params = params

    def grads(self) -> dict[str, float]:
        """d total / d parameter of the last step, L2 term included ({} before the first step)."""
        if self._grads is None:
            return {}
        return dict(zip(self.roles.parameters, self._grads.tolist()))

    # ---- steps ----

    def step(self, k: int) -> StepResult:
        """Step k (from 0) of `settings.steps`: the loss before the update, then the update with lr_k.
        Past the last step the learning rate stays at the final one. TrainingError (naming step k)
        when a number cannot be computed; the parameters are then unchanged."""
        if k < 0:
            raise ValueError(f"a step number is 0 or more, not {k}")
        settings = self._settings
        lr = settings.learning_rate_at(min(k, settings.steps))
        loss, accuracy, grads = self._run(f"step {k}", backward=True)
        assert grads is not None
        with np.errstate(all="raise", under="ignore"):
            try:
                change = lr * grads
                params = self._params - change
            except FloatingPointError:
                raise TrainingError(f"step {k}: the update overflows: a parameter would be too large") from None
        self._params = params
        self._grads = grads
        return StepResult(k, loss, accuracy, lr, -change)

    def evaluate(self) -> tuple[float, float | None]:
        """The total loss and the accuracy with the parameters as they are now, changing nothing."""
        loss, accuracy, _ = self._run("with the parameters now", backward=False)
        return loss, accuracy

    def outputs(self, columns: Mapping[str, npt.ArrayLike]) -> Array:
        """The output for many rows at once (a decision plot's grid), given a number or an array per
        input column (broadcast together); nan or inf where a row cannot be computed."""
        if self.roles.output is None:
            raise TrainingError("there is no model output: the loss reads no value that depends on part of the data")
        missing = [c for c in self.roles.inputs if c not in columns]
        if missing:
            raise TrainingError(f"the output needs the input column(s) {', '.join(missing)}")
        if self._output is None:
            analysis = self._analysis
            self._output = _Program(analysis, analysis.index[self.roles.output])
        program = self._output
        arrays = np.broadcast_arrays(*(np.asarray(columns[c], dtype=np.float64) for c in self.roles.inputs))
        shape = arrays[0].shape
        flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
        size = max(1, CHUNK_CELLS // max(1, program.batched_count))
        total = flat[0].size
        result = np.empty(total)
        with np.errstate(all="ignore"):
            for start in range(0, total, size):
                stop = min(start + size, total)
                v = program.values(
                    {c: a[start:stop] for c, a in zip(self.roles.inputs, flat)},
                    self._params,
                )
                program.forward(v)
                result[start:stop] = v[program.root]
        return result.reshape(shape)

    def _chunk_columns(self) -> Iterator[tuple[int, dict[str, Array]]]:
        if len(self._chunks) == 1:
            yield 0, self._columns
            return
        for start, stop in self._chunks:
            yield start, {c: a[start:stop] for c, a in self._columns.items()}

    def _run(self, when: str, backward: bool) -> tuple[float, float | None, Array | None]:
        """Forward (and backward) over every row: the total, the accuracy, d total / d parameter."""
        program, settings, params = self._loss, self._settings, self._params
        rows = self._rows
        scale = 1.0 / rows if settings.reduce == "mean" else 1.0
        losses: list[Any] = []
        outputs: list[Any] = []
        grads = np.zeros(len(params)) if backward else None
        root_batched = program.batched[program.root]
        with np.errstate(all="raise", under="ignore"):
            for start, columns in self._chunk_columns():
                v = program.values(columns, params)
                count = len(next(iter(columns.values()))) if columns else rows
                try:
                    program.forward(v)
                    if backward:
                        seed = np.full(count, scale) if root_batched else np.float64(scale * count)
                        g_of = program.backward(v, seed)
                except _FlaggedError as failure:
                    raise TrainingError(f"{when}: {program.explain(failure, v, start)}") from None
                loss = v[program.root]
                losses.append(loss if root_batched else np.full(count, loss))
                if self._output_slot is not None:
                    outputs.append(v[self._output_slot])
                if grads is not None:
                    if len(program.parameter_slots):
                        flowed = [g_of[s] for s in program.parameter_slots.tolist()]
                        grads[program.parameter_places] += [0.0 if g is None else g for g in flowed]
            try:
                total = _ordered_sum(np.concatenate(losses))
                if settings.reduce == "mean":
                    total = total * scale  # micrograd's demo: sum(losses) * (1.0 / len(losses))
                if settings.l2:
                    total = total + settings.l2 * _ordered_sum(params * params)
                    if grads is not None:
                        grads += (2.0 * params) * settings.l2  # d(l2 * p**2)/dp as the engine computes it
            except FloatingPointError:
                raise TrainingError(f"{when}: the loss overflows: it is too large for a float") from None
        if grads is not None and not np.isfinite(grads).all():
            name = self.roles.parameters[int(np.argmin(np.isfinite(grads)))]
            raise TrainingError(f"{when}: the gradient of the loss with respect to {name} overflows")
        accuracy = self._accuracy(np.concatenate(outputs)) if outputs and self._accuracy_rule else None
        return float(total), accuracy, grads

    # ---- accuracy ----

    def _find_accuracy_rule(self) -> str | None:
        """'sign' for one target column of -1s and 1s (micrograd's demo), 'half' for one of 0s and 1s."""
        if self.roles.output is None or len(self.roles.targets) != 1:
            return None
        values = set(self._columns[self.roles.targets[0]].tolist())
        if values <= {-1.0, 1.0}:
            return "sign"
        if values <= {0.0, 1.0}:
            return "half"
        return None

    def _accuracy(self, outputs: Array) -> float:
        target = self._columns[self.roles.targets[0]]
        if self._accuracy_rule == "sign":
            right = (target > 0) == (outputs > 0)
        else:
            right = (target > 0.5) == (outputs > 0.5)
        return float(np.mean(right))
