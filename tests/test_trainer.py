"""The numpy trainer against the pure-Python engine: the same losses, grads and parameters, step by step.

The oracle builds engine Values for every row (the parameters shared), carries out CONTRACT.md's step
literally (total = reduce of the rows' losses + l2 * sum(p**2), backward, p -= lr_k * grad) and
compares. The graphs are random, over every op the app has.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import numpy as np
import pytest

import engine.nn
from engine import Value
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition, Group
from micrograd_gui.trainer import CHUNK_CELLS, Trainer, TrainingError, training_roles
from micrograd_gui.workspace_file import load_workspace, read_example
from tests import reference_training
from tests.training_workspaces import (
    MOONS_STEP_0_LOSS,
    max_margin_loss,
    moons_rows,
    moons_workspace,
    net_definitions,
)

TOLERANCE = 1e-12

# ---- the oracle: the engine, one graph per row ----------------------------------------------------------


def engine_value(d: Definition, operands: Sequence[Value]) -> Value:
    """A definition's op, applied with the engine's own operators."""
    ops: dict[tuple[str, int], Callable[..., Value]] = {
        ("+", 2): lambda a, b: a + b,
        ("-", 2): lambda a, b: a - b,
        ("*", 2): lambda a, b: a * b,
        ("/", 2): lambda a, b: a / b,
        ("-", 1): lambda a: -a,
        ("**", 1): lambda a: a**d.exponent,
        ("tanh", 1): lambda a: a.tanh(),
        ("exp", 1): lambda a: a.exp(),
        ("log", 1): lambda a: a.log(),
        ("relu", 1): lambda a: a.relu(),
    }
    return ops[(d.op, len(d.operands))](*operands)


class EngineTrainer:
    """CONTRACT.md's training step done with engine Values, row by row."""

    def __init__(self, definitions: Sequence[Definition], data: DataTable, settings: TrainingSettings) -> None:
        self.definitions = list(definitions)
        self.data = data
        self.settings = settings
        names = {d.name for d in definitions}
        self.bound = {c for c in data.columns if c in names}
        self.parameters = {
            d.name: Value(d.data) for d in definitions if d.is_leaf and not d.constant and d.name not in self.bound
        }

    def step(self, k: int) -> tuple[float, dict[str, float]]:
        s = self.settings
        losses = []
        for row in self.data.rows:
            cells = dict(zip(self.data.columns, row))
            values: dict[str, Value] = {}
            for d in self.definitions:
                if not d.is_leaf:
                    values[d.name] = engine_value(d, [values[o] for o in d.operands])
                elif d.name in self.bound:
                    values[d.name] = Value(cells[d.name])
                elif d.constant:
                    values[d.name] = Value(d.data)
                else:
                    values[d.name] = self.parameters[d.name]
            losses.append(values[s.loss])
        total = sum(losses)
        if s.reduce == "mean":
            total = total * (1.0 / len(losses))
        total = total + s.l2 * sum(p**2 for p in self.parameters.values())
        total.backward()
        grads = {name: p.grad for name, p in self.parameters.items()}
        lr = s.learning_rate + (s.final_learning_rate - s.learning_rate) * k / s.steps
        for p in self.parameters.values():
            p.data -= lr * p.grad
        return total.data, grads

    def parameter_values(self) -> dict[str, float]:
        return {name: p.data for name, p in self.parameters.items()}


def assert_close(ours: float, theirs: float, scale: float = 0.0, what: str = "") -> None:
    """Equal to TOLERANCE relative to the larger of the two (or to `scale`, the size of what was summed)."""
    assert abs(ours - theirs) <= TOLERANCE * max(abs(ours), abs(theirs), scale), (what, ours, theirs)


def assert_trains_alike(
    definitions: Sequence[Definition], data: DataTable, settings: TrainingSettings, steps: int
) -> Trainer:
    trainer = Trainer(definitions, data, settings)
    oracle = EngineTrainer(definitions, data, settings)
    assert list(oracle.parameters) == list(trainer.roles.parameters)
    for k in range(steps):
        result = trainer.step(k)
        loss, grads = oracle.step(k)
        assert result.step == k
        assert_close(result.loss, loss, what=f"loss of step {k}")
        scale = max(abs(g) for g in grads.values())
        for name, grad in trainer.grads().items():
            assert_close(grad, grads[name], scale, what=f"grad of {name} at step {k}")
        expected = oracle.parameter_values()
        for name, number in trainer.parameter_values().items():
            assert_close(number, expected[name], what=f"{name} after step {k}")
    return trainer


# ---- random graphs over every op ---------------------------------------------------------------------------

BINARY = ["+", "-", "*", "/"]
UNARY = ["neg", "tanh", "exp", "log", "relu", "**2", "**3", "**-1", "**0.5", "**1.5", "**0"]


def random_workspace(rng: random.Random) -> tuple[list[Definition], DataTable]:
    """A few data columns, parameters and constants, then ops over any earlier value (values reused, a
    value with itself too), ending in the loss. Operands of log, a fractional power and a divisor are
    made positive first (t*t + c), so the maths stays defined; exp may still overflow (the caller
    draws again)."""
    columns = [f"x{i}" for i in range(rng.randint(1, 3))] + ["y"]
    rows = [[round(rng.uniform(-2, 2), 3) for _ in columns] for _ in range(rng.randint(1, 12))]
    definitions = [Definition(c, data=0.0) for c in columns]
    definitions += [Definition(f"p{i}", data=rng.uniform(-1, 1)) for i in range(rng.randint(1, 4))]
    definitions += [Definition(f"k{i}", data=rng.uniform(0.5, 2), constant=True) for i in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        definitions.append(Definition("unbound_looking", data=0.3))  # a parameter the loss may not read
    constants = [d.name for d in definitions if d.constant]
    count = 0

    def add(op: str, operands: tuple[str, ...], exponent: float | None = None) -> str:
        nonlocal count
        count += 1
        name = f"t{count}"
        definitions.append(Definition(name, op, operands, exponent=exponent))
        return name

    def positive(name: str) -> str:
        return add("+", (add("*", (name, name)), rng.choice(constants)))

    for _ in range(rng.randint(3, 20)):
        names = [d.name for d in definitions]
        a = rng.choice(names[-6:] if rng.random() < 0.6 else names)
        if rng.random() < 0.45:
            op = rng.choice(BINARY)
            b = rng.choice(names)
            if op == "/":
                b = positive(b)
            add(op, (a, b))
        else:
            op = rng.choice(UNARY)
            if op == "neg":
                add("-", (a,))
            elif op.startswith("**"):
                n = float(op[2:])
                add("**", (positive(a) if n != int(n) or n < 0 else a,), exponent=n)
            elif op == "log":
                add("log", (positive(a),))
            else:
                add(op, (a,))
    last = definitions[-1].name
    add("-", (last, "y"))
    add("**", (definitions[-1].name,), exponent=2.0)
    return definitions, DataTable.of(columns, rows)


def random_cases(count: int, seed: int) -> list[tuple[list[Definition], DataTable, TrainingSettings]]:
    """`count` random workspaces whose training the engine can carry out for 4 steps."""
    rng = random.Random(seed)
    cases = []
    while len(cases) < count:
        definitions, data = random_workspace(rng)
        settings = TrainingSettings(
            loss=definitions[-1].name,
            reduce=rng.choice(["sum", "mean"]),
            l2=rng.choice([0.0, 1e-3, 0.1]),
            learning_rate=rng.choice([0.01, 0.05]),
            final_learning_rate=rng.choice([0.001, 0.01, 0.05]),
            steps=rng.randint(4, 10),
        )
        oracle = EngineTrainer(definitions, data, settings)
        try:
            for k in range(4):
                loss, grads = oracle.step(k)
                assert all(math.isfinite(g) for g in grads.values())
                assert all(math.isfinite(p) for p in oracle.parameter_values().values())
        except (ArithmeticError, ValueError, AssertionError):
            continue
        try:
            training_roles(definitions, data, settings)
        except TrainingError:  # the loss reads no parameter
            continue
        cases.append((definitions, data, settings))
    return cases


@pytest.mark.parametrize("case", random_cases(60, seed=12), ids=lambda case: f"{len(case[0])}-values")
def test_random_graphs_train_as_the_engine_trains(case):
    """Losses, grads (L2 included) and parameters agree with the engine to 1e-12 over 4 steps."""
    definitions, data, settings = case
    assert_trains_alike(definitions, data, settings, steps=4)


def test_the_random_graphs_use_every_op_and_both_reductions():
    """The cases above cover each op, sum and mean, l2 on and off, and values reused."""
    cases = random_cases(60, seed=12)
    ops = {(d.op, len(d.operands)) for definitions, _, _ in cases for d in definitions if not d.is_leaf}
    assert ops == {
        ("+", 2),
        ("-", 2),
        ("*", 2),
        ("/", 2),
        ("-", 1),
        ("**", 1),
        ("tanh", 1),
        ("exp", 1),
        ("log", 1),
        ("relu", 1),
    }
    assert {s.reduce for _, _, s in cases} == {"sum", "mean"}
    assert {s.l2 > 0 for _, _, s in cases} == {True, False}
    exponents = {d.exponent for definitions, _, _ in cases for d in definitions if d.op == "**"}
    assert {0.0, 0.5, 1.5, -1.0, 3.0} <= exponents


def test_a_value_with_itself_and_a_parameter_only_subgraph():
    """p*p, a value of parameters alone (one number for every row) feeding a per-row one, and a + a."""
    definitions = [
        Definition("x", data=0.0),
        Definition("y", data=0.0),
        Definition("w", data=0.7),
        Definition("b", data=-0.2),
        Definition("ww", "*", ("w", "w")),  # depends on no column: one number
        Definition("wb", "/", ("b", "ww")),  # a one-number divisor and dividend
        Definition("h", "*", ("x", "ww")),
        Definition("h2", "+", ("h", "h")),
        Definition("d", "/", ("wb", "h2")),  # a one-number dividend over per-row divisors
        Definition("e", "-", ("wb", "d")),
        Definition("err", "-", ("e", "y")),
        Definition("loss", "**", ("err",), exponent=2.0),
    ]
    data = DataTable.of(("x", "y"), [(1.0, 0.5), (2.0, -0.5), (-1.5, 1.0)])
    for reduce in ("sum", "mean"):
        settings = TrainingSettings(loss="loss", reduce=reduce, l2=0.01, learning_rate=0.01, steps=5)
        assert_trains_alike(definitions, data, settings, steps=5)


def test_a_loss_that_reads_no_column_counts_once_per_row():
    """A loss of parameters only: the sum over n rows is n times it, its grad n times its grad."""
    definitions = [Definition("x", data=0.0), Definition("w", data=3.0), Definition("loss", "*", ("w", "w"))]
    data = DataTable.of(("x",), [(1.0,), (2.0,), (3.0,)])
    settings = TrainingSettings(loss="loss", reduce="sum", learning_rate=0.1, steps=3)
    trainer = assert_trains_alike(definitions, data, settings, steps=3)
    assert trainer.roles.inputs == () and trainer.roles.output is None


def test_learning_rate_decays_linearly_as_the_contract_says():
    """lr_k = learning_rate + (final - learning_rate) * k / n, and the update is -lr_k * grad."""
    definitions, data = random_cases(1, seed=3)[0][:2]
    settings = TrainingSettings(
        loss=definitions[-1].name, learning_rate=0.05, final_learning_rate=0.005, steps=4, reduce="mean"
    )
    trainer = Trainer(definitions, data, settings)
    for k in range(4):
        before = np.array(list(trainer.parameter_values().values()))
        result = trainer.step(k)
        assert result.learning_rate == 0.05 + (0.005 - 0.05) * k / 4
        grads = np.array(list(trainer.grads().values()))
        assert np.array_equal(result.updates, -result.learning_rate * grads)
        after = np.array(list(trainer.parameter_values().values()))
        assert np.array_equal(after, before - result.learning_rate * grads)
    assert trainer.step(9).learning_rate == settings.learning_rate_at(4)  # past the last step: the final rate


def test_evaluate_changes_nothing_and_gives_the_next_steps_loss():
    """evaluate() is the loss step k would report, and leaves the parameters as they are."""
    definitions, data, settings, groups = moons_workspace()
    trainer = Trainer(definitions, data, settings, groups)
    before = trainer.parameter_values()
    loss, accuracy = trainer.evaluate()
    assert trainer.parameter_values() == before
    assert trainer.step(0).loss == loss == MOONS_STEP_0_LOSS
    assert accuracy == 0.5


def test_set_parameter_values_restarts_from_given_numbers():
    """Setting the parameters back to their first numbers replays the same step exactly."""
    definitions, data, settings, groups = moons_workspace()
    trainer = Trainer(definitions, data, settings, groups)
    start = trainer.parameter_values()
    first = trainer.step(0)
    trainer.step(1)
    trainer.set_parameter_values(start)
    again = trainer.step(0)
    assert again.loss == first.loss and np.array_equal(again.updates, first.updates)
    with pytest.raises(TrainingError, match="'x1' is not a parameter"):
        trainer.set_parameter_values({"x1": 1.0})
    with pytest.raises(TrainingError, match="finite"):
        trainer.set_parameter_values({"o_n1_1_w1": math.inf})


# ---- micrograd's demo --------------------------------------------------------------------------------


def test_moons_demo_step_0_loss_is_the_notebooks():
    """micrograd's demo.ipynb, as a workspace: step 0's loss is the notebook's 0.8958441028683222."""
    definitions, data, settings, groups = moons_workspace()
    trainer = Trainer(definitions, data, settings, groups)
    assert len(trainer.roles.parameters) == 337
    assert len(data.rows) == 100
    result = trainer.step(0)
    assert result.loss == MOONS_STEP_0_LOSS
    assert result.accuracy == 0.5


def test_moons_demo_trains_as_micrograd_does():
    """Ten steps of the demo agree with the engine's micrograd-style training loop (micrograd.nn's
    nets, under random.seed(1337)), loss and accuracy, as the notebook computes them."""
    definitions, data, settings, groups = moons_workspace()
    trainer = Trainer(definitions, data, settings, groups)
    random.seed(1337)
    model = engine.nn.MLP(2, [16, 16, 1])
    rows = moons_rows()
    for k in range(10):
        scores = [model([Value(x1), Value(x2)]) for x1, x2, _ in rows]
        losses = [(1 + -y * score).relu() for (_, _, y), score in zip(rows, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        accuracy = sum((y > 0) == (s.data > 0) for (_, _, y), s in zip(rows, scores)) / len(rows)
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        result = trainer.step(k)
        assert_close(result.loss, total.data, what=f"loss of step {k}")
        assert result.accuracy == accuracy
    trained = trainer.parameter_values()
    for name, p in zip(trainer.roles.parameters, model.parameters()):
        assert_close(trained[name], p.data, what=name)


def test_moons_demo_reaches_full_accuracy():
    """The demo's 100 steps end at 100% accuracy and a loss of about 0.011, as the notebook does."""
    definitions, data, settings, groups = moons_workspace()
    trainer = Trainer(definitions, data, settings, groups)
    results = [trainer.step(k) for k in range(settings.steps)]
    assert results[-1].accuracy == 1.0
    assert 0.009 < results[-1].loss < 0.013
    assert results[-1].loss < results[0].loss / 50


def test_outputs_evaluates_the_model_on_a_grid():
    """outputs() gives each grid point the output the graph computes there, in the grid's shape."""
    definitions, data, settings, groups = moons_workspace()
    trainer = Trainer(definitions, data, settings, groups)
    for k in range(3):
        trainer.step(k)
    xs, ys = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 1.5, 5))
    grid = trainer.outputs({"x1": xs, "x2": ys})
    assert grid.shape == (5, 7)
    params = trainer.parameter_values()
    net = [d for d in definitions if d.name not in ("one", "margin", "slack", "loss")]
    for i, j in [(0, 0), (2, 3), (4, 6)]:
        values: dict[str, Value] = {}
        for d in net:
            if d.is_leaf:
                number = {"x1": xs[i, j], "x2": ys[i, j], "y": 0.0}.get(d.name, params.get(d.name))
                values[d.name] = Value(number)
            else:
                values[d.name] = engine_value(d, [values[o] for o in d.operands])
        assert_close(grid[i, j], values["o"].data, what=f"grid {i},{j}")
    with pytest.raises(TrainingError, match="x2"):
        trainer.outputs({"x1": xs})


# ---- roles and accuracy ------------------------------------------------------------------------------------


def squared_error_workspace(targets: Sequence[float]) -> tuple[list[Definition], DataTable]:
    definitions = [
        Definition("x", data=0.0),
        Definition("y", data=0.0),
        Definition("w", data=0.5),
        Definition("b", data=0.1),
        Definition("wx", "*", ("w", "x")),
        Definition("o", "+", ("wx", "b")),
        Definition("err", "-", ("o", "y")),
        Definition("loss", "**", ("err",), exponent=2.0),
        Definition("k1", data=2.0, constant=True),
        Definition("other", "*", ("k1", "w")),  # not read by the loss
    ]
    xs = [-1.0, -0.5, 0.5, 1.0]
    return definitions, DataTable.of(("x", "y", "unused"), [(x, t, 9.0) for x, t in zip(xs, targets)])


def test_roles_without_groups_find_the_output_from_the_columns():
    """o reads x only (part of what the loss reads): it is the output, x the input, y the target;
    constants and bound columns are not parameters; an unbound column plays no part."""
    definitions, data = squared_error_workspace([-1, -1, 1, 1])
    roles = training_roles(definitions, data, TrainingSettings(loss="loss"))
    assert roles.loss == "loss"
    assert roles.output == "o"
    assert roles.inputs == ("x",)
    assert roles.targets == ("y",)
    assert roles.parameters == ("w", "b")


def test_roles_prefer_the_latest_groups_output():
    """With the groups a template records, the output is the net's output, even where a later value
    also reads only the inputs."""
    random.seed(5)
    model = engine.nn.MLP(2, [3, 1])
    net, groups = net_definitions(model, ["x1", "x2"])
    definitions = [Definition("x1", data=0.0), Definition("x2", data=0.0), Definition("y", data=0.0), *net]
    definitions += [Definition("score", "tanh", ("o",)), *max_margin_loss("score", "y")]
    data = DataTable.of(("x1", "x2", "y"), [(0.1, 0.2, 1.0), (-0.3, 0.4, -1.0)])
    settings = TrainingSettings(loss="loss")
    assert training_roles(definitions, data, settings, groups).output == "o"
    assert training_roles(definitions, data, settings).output == "score"
    roles = training_roles(definitions, data, settings, groups)
    assert roles.inputs == ("x1", "x2") and roles.targets == ("y",)
    neuron_only = [g for g in groups if g.kind == "neuron" and g.name.startswith("o_n1_")]
    assert training_roles(definitions, data, settings, neuron_only).output == "o_n1_3"
    ignored = [Group("noise", "neuron", ("x1",)), Group("lossy", "neuron", ("loss",))]
    assert training_roles(definitions, data, settings, ignored).output == "score"


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ([-1, -1, 1, 1], 1.0),  # sign agreement: o = 0.5x + 0.1 is -0.4, -0.15, 0.35, 0.6
        ([-1, 1, 1, 1], 0.75),
        ([0, 0, 1, 1], 0.75),  # o > 0.5: only the last row
        ([0, 0, 0, 1], 1.0),
        ([0.5, 0, 1, 1], None),  # neither -1/1 nor 0/1
    ],
)
def test_accuracy_for_minus_one_one_and_zero_one_targets(targets, expected):
    """-1/1 targets count sign agreement; 0/1 targets count output > 0.5 against target 1; else None."""
    definitions, data = squared_error_workspace(targets)
    trainer = Trainer(definitions, data, TrainingSettings(loss="loss"))
    assert trainer.evaluate()[1] == expected


def test_no_accuracy_without_one_target_column():
    """Two target columns give no accuracy; nor does a loss with no output."""
    definitions, data = squared_error_workspace([-1, -1, 1, 1])
    definitions = [*definitions, Definition("z", data=0.0), Definition("loss2", "*", ("loss", "z"))]
    table = DataTable.of(("x", "y", "z"), [(r[0], r[1], 1.0) for r in data.rows])
    trainer = Trainer(definitions, table, TrainingSettings(loss="loss2"), [Group("o", "neuron", ("wx", "o"))])
    assert trainer.roles.output == "o" and trainer.roles.targets == ("y", "z")
    assert trainer.evaluate()[1] is None
    trainer = Trainer(definitions[:-1] + [Definition("loss2", "*", ("x", "w"))], table, TrainingSettings(loss="loss2"))
    assert trainer.roles.output is None and trainer.roles.targets == ("x",)
    assert trainer.evaluate()[1] is None


# ---- errors -------------------------------------------------------------------------------------------------


def test_errors_before_training_say_what_is_missing():
    """No data, no rows, no loss, an unknown loss, a loss that depends on no parameter, a column
    that names a computed value: each a TrainingError with its reason."""
    definitions, data = squared_error_workspace([-1, -1, 1, 1])
    settings = TrainingSettings(loss="loss")
    cases = [
        (definitions, None, settings, "no data table"),
        (definitions, DataTable(("x", "y")), settings, "no rows"),
        (definitions, data, TrainingSettings(), "no loss"),
        (definitions, data, TrainingSettings(loss="nope"), "the loss 'nope' does not exist"),
        (definitions, DataTable.of(("o", "y"), [(1.0, 2.0)]), settings, "'o' names a value computed by"),
        (definitions, DataTable.of(("p", "q"), [(1.0, 2.0)]), settings, r"no column of the data table \(p, q\) names"),
    ]
    no_parameter = [
        Definition("x", data=0.0),
        Definition("k", data=2.0, constant=True),
        Definition("w", data=1.0),
        Definition("loss", "*", ("x", "k")),
    ]
    cases.append((no_parameter, DataTable.of(("x",), [(1.0,)]), settings, "depends on no parameter"))
    for defs, table, s, fragment in cases:
        with pytest.raises(TrainingError, match=fragment):
            Trainer(defs, table, s)
        with pytest.raises(TrainingError, match=fragment):
            training_roles(defs, table, s)


def log_workspace(shift: float) -> tuple[list[Definition], DataTable, TrainingSettings]:
    """loss = log(shift - w*x): training drives w up until, in the row of the largest x (row 3), the
    log's operand is no longer positive."""
    definitions = [
        Definition("x", data=0.0),
        Definition("w", data=0.1),
        Definition("c", data=shift, constant=True),
        Definition("wx", "*", ("w", "x")),
        Definition("u", "-", ("c", "wx")),
        Definition("loss", "log", ("u",)),
    ]
    return definitions, DataTable.of(("x",), [(0.5,), (0.25,), (1.0,)]), TrainingSettings(loss="loss", steps=50)


def test_a_maths_error_names_the_step_the_value_and_the_row():
    """When a step's numbers leave log's domain, the error says at which step, which value and row,
    in the engine's words; the parameters stay as they were before that step."""
    definitions, data, settings = log_workspace(1.0)
    trainer = Trainer(definitions, data, settings.changed(learning_rate=0.5, final_learning_rate=0.5))
    with pytest.raises(TrainingError) as error:
        for k in range(50):
            trainer.step(k)
            before = trainer.parameter_values()
    message = str(error.value)
    assert message.startswith(f"step {k}: cannot compute loss: log of a non-positive number: u = ")
    assert message.endswith("(data row 3)")
    assert trainer.parameter_values() == before


def test_a_maths_error_at_the_start_and_division_by_zero():
    """Step 0 can fail too (the numbers as they are); a divisor of 0 in some row is named."""
    definitions, data, settings = log_workspace(-5.0)
    with pytest.raises(TrainingError, match=r"^step 0: cannot compute loss: log of a non-positive number"):
        Trainer(definitions, data, settings).step(0)
    with pytest.raises(TrainingError, match=r"with the parameters now: cannot compute loss"):
        Trainer(definitions, data, settings).evaluate()
    divide = [
        Definition("x", data=0.0),
        Definition("w", data=1.0),
        Definition("q", "/", ("w", "x")),
        Definition("loss", "*", ("q", "q")),
    ]
    table = DataTable.of(("x",), [(1.0,), (0.0,)])
    with pytest.raises(TrainingError, match=r"^step 0: cannot compute q: division by zero.*\(data row 2\)$"):
        Trainer(divide, table, TrainingSettings(loss="loss")).step(0)


def test_overflow_is_an_error_at_the_step_it_happens():
    """A learning rate that makes training diverge ends in an overflow error naming its step."""
    definitions, data = squared_error_workspace([-1, -1, 1, 1])
    settings = TrainingSettings(loss="loss", learning_rate=50.0, final_learning_rate=50.0, steps=1000)
    trainer = Trainer(definitions, data, settings)
    with pytest.raises(TrainingError, match=r"^step \d+: .*(overflow|too large)"):
        for k in range(1000):
            trainer.step(k)
    assert k > 3
    assert all(math.isfinite(p) for p in trainer.parameter_values().values())


def test_exp_overflow_and_an_inf_gradient_are_refused():
    """exp of a big number overflows even where relu would hide it; sqrt at 0 has an infinite grad."""
    definitions = [
        Definition("x", data=0.0),
        Definition("w", data=1.0),
        Definition("wx", "*", ("w", "x")),
        Definition("e", "exp", ("wx",)),
        Definition("n", "-", ("e",)),
        Definition("loss", "relu", ("n",)),
    ]
    table = DataTable.of(("x",), [(1.0,), (800.0,)])
    with pytest.raises(TrainingError, match=r"^step 0: cannot compute e: exp\(wx = 800\) overflows.*\(data row 2\)$"):
        Trainer(definitions, table, TrainingSettings(loss="loss")).step(0)
    root = [
        Definition("x", data=0.0),
        Definition("w", data=0.0),
        Definition("wx", "*", ("w", "x")),
        Definition("loss", "**", ("wx",), exponent=0.5),
    ]
    with pytest.raises(TrainingError, match=r"^step 0: the gradient overflows at loss = wx \*\* 0.5"):
        Trainer(root, DataTable.of(("x",), [(1.0,)]), TrainingSettings(loss="loss")).step(0)


def test_many_rows_run_in_chunks_with_the_same_result(monkeypatch):
    """A table too big for one chunk gives the loss and grads one chunk gives."""
    definitions, data, settings, groups = moons_workspace()
    whole = Trainer(definitions, data, settings, groups)
    monkeypatch.setattr("micrograd_gui.trainer.CHUNK_CELLS", 7 * 600)
    chunked = Trainer(definitions, data, settings, groups)
    assert len(chunked._chunks) > 10 and CHUNK_CELLS > 7 * 600
    for k in range(3):
        a, b = whole.step(k), chunked.step(k)
        assert a.loss == b.loss if k == 0 else math.isclose(a.loss, b.loss, rel_tol=1e-14)  # summed in row order
        assert a.accuracy == b.accuracy
        assert np.allclose(a.updates, b.updates, rtol=1e-12, atol=1e-15)


# ---- the shipped examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "steps"), [("mlp", 20), ("line_neuron", 30), ("moons_net", 2)])
def test_the_shipped_examples_train_as_the_reference_does(name, steps):
    """Each example that carries data trains as tests/reference_training.py (the engine, row by row)
    says, loss, accuracy and grads; the moons example's first loss is the demo's."""
    document, _ = load_workspace(read_example(name), name)
    trainer = Trainer(document.definitions, document.data_table, document.training, document.groups)
    assert trainer.roles.output == "o" and trainer.roles.targets == ("y",)
    for k, expected in enumerate(reference_training.train(document, steps, output="o")):
        result = trainer.step(k)
        assert_close(result.loss, expected.loss, what=f"{name} step {k}")
        assert result.accuracy == expected.accuracy
        scale = max(abs(g) for g in expected.grads.values())
        for parameter, grad in trainer.grads().items():
            assert_close(grad, expected.grads[parameter], scale, what=f"{name} {parameter} at step {k}")
    if name == "moons_net":
        assert Trainer(document.definitions, document.data_table, document.training).step(0).loss == MOONS_STEP_0_LOSS
