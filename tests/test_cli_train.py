"""`micrograd-gui train`: headless training, its printed losses against the engine, its errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from micrograd_gui.cli import main
from micrograd_gui.dataset import DataTable, TrainingSettings
from micrograd_gui.document import Definition
from micrograd_gui.trainer import Trainer
from micrograd_gui.workspace_file import dumps, read_workspace
from tests.test_cli import LECTURE, run_cli
from tests.test_trainer import EngineTrainer
from tests.training_workspaces import MOONS_STEP_0_LOSS, moons_workspace

# A tanh neuron fitting four rows, with the sum of squared errors: the lecture's kind of training.
NEURON_DEFINITIONS = [
    Definition("x1", data=0.0),
    Definition("x2", data=0.0),
    Definition("y", data=0.0),
    Definition("w1", data=-0.3),
    Definition("w2", data=0.8),
    Definition("b", data=0.1),
    Definition("x1w1", "*", ("x1", "w1")),
    Definition("x2w2", "*", ("x2", "w2")),
    Definition("s", "+", ("x1w1", "x2w2")),
    Definition("n", "+", ("s", "b")),
    Definition("o", "tanh", ("n",)),
    Definition("err", "-", ("o", "y")),
    Definition("loss", "**", ("err",), exponent=2.0),
]
NEURON_DATA = DataTable.of(("x1", "x2", "y"), [(2.0, 3.0, 1.0), (3.0, -1.0, -1.0), (0.5, 1.0, -1.0), (1.0, 1.0, 1.0)])
NEURON_SETTINGS = TrainingSettings(
    loss="loss", reduce="sum", l2=0.001, learning_rate=0.1, final_learning_rate=0.01, steps=30
)


def write(path: Path, definitions, data=None, settings=None, groups=(), backward_from=None) -> Path:
    path.write_text(dumps(definitions, backward_from, groups, data, settings))
    return path


def printed_losses(stdout: str) -> list[float]:
    """The L of each `step K loss L` line, checking K counts from 0 and L is printed with every digit."""
    losses = []
    for k, line in enumerate(stdout.splitlines()):
        step, number, loss, text = line.split(" ")
        assert (step, number, loss) == ("step", str(k), "loss")
        assert repr(float(text)) == text
        losses.append(float(text))
    return losses


def test_train_prints_the_engines_losses_step_by_step(tmp_path):
    """Every printed loss is the one the engine's row-by-row training gives at that step."""
    workspace = write(tmp_path / "neuron.json", NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS)
    result = run_cli("train", str(workspace), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    losses = printed_losses(result.stdout)
    assert len(losses) == 30
    oracle = EngineTrainer(NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS)
    for k, printed in enumerate(losses):
        expected, _ = oracle.step(k)
        assert math.isclose(printed, expected, rel_tol=1e-12), (k, printed, expected)
    assert losses[-1] < losses[0] * 0.7
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.json"]


def test_train_the_moons_demo_and_write_the_trained_workspace(tmp_path):
    """The demo's 100 steps start at the notebook's loss; -o writes the trained parameters, and the
    data, training settings and groups as they were; the trained workspace's loss is the last step's
    after-update loss."""
    definitions, data, settings, groups = moons_workspace()
    workspace = write(tmp_path / "moons.json", definitions, data, settings, groups)
    out = tmp_path / "trained.json"
    result = run_cli("train", str(workspace), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    losses = printed_losses(result.stdout)
    assert len(losses) == 100 and losses[0] == MOONS_STEP_0_LOSS
    trainer = Trainer(definitions, data, settings, groups)
    assert losses == [trainer.step(k).loss for k in range(100)]
    trained = read_workspace(out)
    assert trained.data == data and trained.training == settings and trained.groups == tuple(groups)
    numbers = {d.name: d.data for d in trained.definitions if d.is_leaf}
    assert {p: numbers[p] for p in trainer.roles.parameters} == trainer.parameter_values()
    assert [d.name for d in trained.definitions] == [d.name for d in definitions]
    again = Trainer(trained.definitions, trained.data, trained.training, trained.groups)
    assert again.evaluate() == trainer.evaluate()
    assert again.evaluate()[1] == 1.0


def test_train_the_shipped_moons_example():
    """resources/examples/moons_net.json is micrograd's demo: its first printed loss is the notebook's."""
    result = run_cli("train", str(LECTURE.parent / "moons_net.json"), "--steps", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"step 0 loss {MOONS_STEP_0_LOSS!r}"
    assert len(printed_losses(result.stdout)) == 2


def test_steps_overrides_the_workspaces_and_the_decay_spans_them(tmp_path):
    """--steps 5 runs five steps with the learning rate falling over those five."""
    workspace = write(tmp_path / "neuron.json", NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS)
    result = run_cli("train", str(workspace), "--steps", "5")
    assert result.returncode == 0, result.stderr
    oracle = EngineTrainer(NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS.changed(steps=5))
    for k, printed in enumerate(printed_losses(result.stdout)):
        assert math.isclose(printed, oracle.step(k)[0], rel_tol=1e-12)
    assert len(result.stdout.splitlines()) == 5


def test_train_reads_a_picture_the_app_exported(tmp_path):
    """An SVG exported from a workspace carries its data and settings: training it prints the same lines."""
    definitions, data, settings, groups = moons_workspace()
    workspace = write(tmp_path / "moons.json", definitions, data, settings, groups)
    picture = tmp_path / "moons.svg"
    assert run_cli("export", str(workspace), "-o", str(picture)).returncode == 0
    from_json = run_cli("train", str(workspace), "--steps", "3")
    from_svg = run_cli("train", str(picture), "--steps", "3")
    assert from_svg.returncode == 0, from_svg.stderr
    assert from_svg.stdout == from_json.stdout and len(from_svg.stdout.splitlines()) == 3


def assert_refused(capsys, args: list[str], fragment: str, out: Path | None = None, code: int = 2) -> str:
    """Exit code 2 (or `code`), one line on stderr holding `fragment`, and OUT not written."""
    before = out.read_bytes() if out is not None and out.exists() else None
    try:
        exit_code = main(["train", *args])
    except SystemExit as exit_:  # argparse's refusals
        exit_code = exit_.code
    assert exit_code == code
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("micrograd-gui train: error: "), captured.err
    assert fragment in lines[0], lines[0]
    if out is not None:
        assert (out.read_bytes() if out.exists() else None) == before
    return captured.out


def test_a_workspace_without_data_or_loss_is_refused(tmp_path, capsys):
    """No data table, no rows, no loss chosen, a loss that is not a value, a loss that reads no
    parameter: each a one-line error, exit 2, nothing written."""
    out = tmp_path / "out.json"
    no_loss = write(tmp_path / "no_loss.json", NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS.changed(loss=None))
    no_rows = write(tmp_path / "no_rows.json", NEURON_DEFINITIONS, DataTable(("x1", "x2", "y")), NEURON_SETTINGS)
    fixed = [
        d if d.name not in ("w1", "w2", "b") else Definition(d.name, data=d.data, constant=True)
        for d in NEURON_DEFINITIONS
    ]
    constants = write(tmp_path / "constants.json", fixed, NEURON_DATA, NEURON_SETTINGS)
    cases = [
        (LECTURE, "lecture.json: the workspace has no data table"),
        (no_loss, "no_loss.json: no loss is chosen"),
        (no_rows, "no_rows.json: the data table has no rows"),
        (constants, "constants.json: the loss 'loss' depends on no parameter"),
    ]
    for path, fragment in cases:
        assert assert_refused(capsys, [str(path), "-o", str(out)], fragment, out) == ""
    assert not out.exists()


def test_bad_arguments_and_files_are_refused(tmp_path, capsys):
    """A missing or corrupt workspace, a bad --steps, an OUT that is not .json: exit 2, one line."""
    workspace = write(tmp_path / "neuron.json", NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS)
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "micrograd-gui-workspace", "version": 2, "values": [')
    cases = [
        ([str(tmp_path / "missing.json")], "missing.json: no such file"),
        ([str(corrupt)], "corrupt.json"),
        ([str(workspace), "--steps", "0"], "the number of steps is from 1 to 1,000,000, not 0"),
        ([str(workspace), "--steps", "ten"], "'ten' is not a whole number"),
        ([str(workspace), "-o", str(tmp_path / "out.png")], "OUT must end in .json"),
        ([], "the following arguments are required: WORKSPACE"),
    ]
    for args, fragment in cases:
        assert assert_refused(capsys, args, fragment) == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.json", "neuron.json"]


def test_a_step_that_cannot_be_computed_stops_with_the_steps_done_printed(tmp_path, capsys):
    """Training into log's undefined region: the lines of the steps done, then one error naming the
    next step, the value and the row, exit 2, and an existing OUT left as it was."""
    definitions = [
        Definition("x", data=0.0),
        Definition("w", data=0.1),
        Definition("c", data=1.0, constant=True),
        Definition("wx", "*", ("w", "x")),
        Definition("u", "-", ("c", "wx")),
        Definition("loss", "log", ("u",)),
    ]
    settings = TrainingSettings(loss="loss", learning_rate=0.5, final_learning_rate=0.5, steps=50)
    workspace = write(tmp_path / "log.json", definitions, DataTable.of(("x",), [(0.5,), (0.25,), (1.0,)]), settings)
    out = tmp_path / "out.json"
    out.write_text("keep me")
    assert main(["train", str(workspace), "-o", str(out)]) == 2
    captured = capsys.readouterr()
    done = len(printed_losses(captured.out))
    assert 0 < done < 50
    [line] = captured.err.splitlines()
    assert line.startswith(
        f"micrograd-gui train: error: log.json: step {done}: cannot compute loss: log of a non-positive number: u = "
    )
    assert line.endswith("(data row 3)")
    assert out.read_text() == "keep me"


def test_an_out_that_cannot_be_written_fails_with_exit_1(tmp_path, capsys):
    """OUT in a folder that does not exist: training runs, then exit 1 with one line."""
    workspace = write(tmp_path / "neuron.json", NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS)
    out = tmp_path / "no" / "such" / "folder" / "out.json"
    assert main(["train", str(workspace), "--steps", "2", "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert captured.err.startswith("micrograd-gui train: error: could not save out.json")
    assert not out.exists()


def test_train_help_names_its_options(capsys):
    """train --help names WORKSPACE, --steps, -o and the exit status; the app's help names train."""
    with pytest.raises(SystemExit) as help_exit:
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert help_exit.value.code == 0
    for word in ("WORKSPACE", "--steps", "-o OUT", "step K loss L", "Exit status"):
        assert word in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "micrograd-gui train WORKSPACE [--steps N] [-o OUT]" in capsys.readouterr().out


def test_the_trained_workspace_file_is_a_workspace_file(tmp_path):
    """-o writes JSON of the workspace format, version 2, with the trained numbers bit for bit."""
    workspace = write(tmp_path / "neuron.json", NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS)
    out = tmp_path / "trained.json"
    assert main(["train", str(workspace), "--steps", "3", "-o", str(out)]) == 0
    obj = json.loads(out.read_text())
    assert obj["format"] == "micrograd-gui-workspace" and obj["version"] == 2
    assert obj["data"]["columns"] == ["x1", "x2", "y"]
    trainer = Trainer(NEURON_DEFINITIONS, NEURON_DATA, NEURON_SETTINGS.changed(steps=3))
    for k in range(3):
        trainer.step(k)
    values = {v["name"]: v.get("data") for v in obj["values"]}
    assert {p: values[p] for p in ("w1", "w2", "b")} == trainer.parameter_values()
    assert values["x1"] == 0.0  # a bound leaf keeps its typed number
