"""The command line: `micrograd-gui --version/--help` and headless `micrograd-gui export`."""

from __future__ import annotations

import html
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_gui import __version__
from micrograd_gui.cli import main
from micrograd_gui.workspace_file import load_document
from tests.workspaces import OVERFLOWING_BACKWARD

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "resources" / "examples"
LECTURE = EXAMPLES_DIR / "lecture.json"
CORRUPT = Path(__file__).resolve().parent / "data" / "corrupt"
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".svg": b"<?xml", ".dot": b"digraph", ".py": b'"""'}


def headless_env() -> dict[str, str]:
    """The environment of a terminal with no display, no Qt platform chosen and no system Graphviz."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("MICROGRAD_GUI_DOT", None)
    env["PATH"] = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin") if os.path.isdir(p))
    return env


def run_cli(
    *args: str, cwd: Path | None = None, module: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed command (or `python -m micrograd_gui`) in a fresh process."""
    command = (
        [sys.executable, "-m", "micrograd_gui"] if module else [str(Path(sys.executable).parent / "micrograd-gui")]
    )
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=headless_env(), cwd=cwd or ROOT, timeout=timeout
    )


def test_version_prints_the_version():
    """--version prints the program name and version and exits 0."""
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"micrograd-gui {__version__}"


def test_help_describes_the_app_and_export(capsys):
    """--help names the WORKSPACE argument and the export command; export --help names every format."""
    with pytest.raises(SystemExit) as app_help:
        main(["--help"])
    out = capsys.readouterr().out
    assert app_help.value.code == 0
    assert "workspace" in out and "micrograd-gui export WORKSPACE -o OUT" in out
    with pytest.raises(SystemExit) as export_help:
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert export_help.value.code == 0
    for word in (".png", ".svg", ".pdf", ".dot", ".py", "--rankdir", "--root", "--scale", "Exit status"):
        assert word in out


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".dot", ".py"])
def test_export_writes_every_format_headless(suffix, tmp_path):
    """With no display, no QT_QPA_PLATFORM and no dot on PATH, export writes each format and exits 0."""
    out = tmp_path / f"lecture{suffix}"
    result = run_cli("export", str(LECTURE), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert out.read_bytes().startswith(MAGIC[suffix])
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_workspace_whose_backward_overflows_exports_with_a_warning(tmp_path, capsys):
    """The values are exported with their grads at 0, and stderr says why the grads are missing."""

    workspace = tmp_path / "overflow.json"
    workspace.write_text(OVERFLOWING_BACKWARD)
    out = tmp_path / "overflow.dot"
    assert main(["export", str(workspace), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("micrograd-gui export: warning: overflow.json: opened without grads: ")
    assert "overflows" in err and err.count("\n") == 1
    assert "grad 0.0000" in out.read_text() and "data" in out.read_text()


def test_exported_svg_holds_every_label_and_number(tmp_path):
    """The SVG shows each value's name, data and grad as the lecture draws them."""
    out = tmp_path / "neuron.svg"
    assert main(["export", str(EXAMPLES_DIR / "neuron.json"), "-o", str(out)]) == 0
    svg = html.unescape(out.read_text())  # Graphviz writes '-' as &#45;
    document = load_document(EXAMPLES_DIR / "neuron.json")
    for name in document.names:
        assert f">{name}</text>" in svg
        assert f"data {document.data(name):.4f}" in svg
    assert "tanh" in svg


def test_exported_script_runs_and_prints_the_numbers(tmp_path):
    """`export -o x.py --root d` writes a script that prints the grads of backward from d."""
    out = tmp_path / "lecture.py"
    assert main(["export", str(LECTURE), "-o", str(out), "--root", "d"]) == 0
    result = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, cwd=tmp_path, check=True)
    document = load_document(LECTURE)
    document.backward("d")
    assert result.stdout.splitlines() == [
        f"{n} data={document.data(n):.4f} grad={document.grad(n):.4f}" for n in document.names
    ]


def test_root_draws_only_what_feeds_it_and_rankdir_is_passed_on(tmp_path):
    """--root e draws a, b and e only; --rankdir tb lays the graph out top to bottom."""
    out = tmp_path / "e.dot"
    assert main(["export", str(LECTURE), "-o", str(out), "--root", "e", "--rankdir", "tb"]) == 0
    dot = out.read_text()
    assert "rankdir=TB" in dot
    assert '"v_a"' in dot and '"v_b"' in dot and '"v_e"' in dot
    assert '"v_L"' not in dot and '"v_c"' not in dot


def test_scale_changes_the_png_size(tmp_path):
    """A PNG at --scale 1 is half as wide as one at --scale 2."""
    from PySide6.QtGui import QImage

    small, large = tmp_path / "small.png", tmp_path / "large.png"
    assert main(["export", str(LECTURE), "-o", str(small), "--scale", "1"]) == 0
    assert main(["export", str(LECTURE), "-o", str(large), "--scale", "2"]) == 0
    assert abs(QImage(str(large)).width() - 2 * QImage(str(small)).width()) <= 2


def test_python_m_micrograd_gui_exports_too(tmp_path):
    """`python -m micrograd_gui export` behaves as the installed command."""
    out = tmp_path / "reuse.svg"
    result = run_cli("export", str(EXAMPLES_DIR / "reuse.json"), "-o", str(out), module=True)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"<?xml")


def assert_refused(capsys, args: list[str], out: Path, fragment: str) -> None:
    """main(args) exits 2 with one line on stderr holding `fragment`, and leaves `out` as it was."""
    before = out.read_bytes() if out.exists() else None
    try:
        code = main(args)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("micrograd-gui export: error: ")
    assert fragment in lines[0]
    assert (out.read_bytes() if out.exists() else None) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ([out.name] if before is not None else [])


@pytest.mark.parametrize("path", sorted(CORRUPT.glob("*.json")), ids=lambda p: p.name)
def test_export_refuses_each_corrupt_workspace(path, tmp_path, capsys):
    """Each corrupt file: exit 2, one line on stderr naming the file, no OUT written."""
    assert_refused(capsys, ["export", str(path), "-o", str(tmp_path / "out.svg")], tmp_path / "out.svg", path.name)


def test_a_bad_workspace_leaves_an_existing_out_untouched(tmp_path, capsys):
    """An OUT that already exists keeps its bytes when the workspace is refused."""
    out = tmp_path / "out.png"
    out.write_bytes(b"the previous picture")
    assert_refused(capsys, ["export", str(CORRUPT / "cycle.json"), "-o", str(out)], out, "cycle.json")


def test_a_missing_workspace_is_refused(tmp_path, capsys):
    """A WORKSPACE that does not exist: exit 2 and one line."""
    out = tmp_path / "out.svg"
    assert_refused(capsys, ["export", str(tmp_path / "nope.json"), "-o", str(out)], out, "nope.json: no such file")


@pytest.mark.parametrize(
    ("extra", "out_name", "fragment"),
    [
        ([], "out.gif", "cannot export to .gif"),
        ([], "out", "cannot export to no suffix"),
        (["--root", "zz"], "out.svg", "no value named 'zz' in lecture.json"),
        (["--root", "zz"], "out.py", "no value named 'zz'"),
        (["--scale", "abc"], "out.png", "'abc' is not a number"),
        (["--scale", "0"], "out.png", "the scale must be more than 0"),
        (["--scale", "-2"], "out.png", "the scale must be more than 0"),
        (["--scale", "nan"], "out.png", "the scale must be more than 0"),
        (["--scale", "inf"], "out.png", "the scale must be more than 0"),
        (["--scale", "1000"], "out.png", "at most 20"),
        (["--rankdir", "XY"], "out.svg", "invalid choice: 'XY'"),
        (["--colour", "red"], "out.svg", "unrecognized arguments: --colour red"),
    ],
)
def test_export_refuses_bad_options(extra, out_name, fragment, tmp_path, capsys):
    """An unknown suffix, a --root not in the workspace, a bad --scale or --rankdir: exit 2, one line, no OUT."""
    out = tmp_path / out_name
    assert_refused(capsys, ["export", str(LECTURE), "-o", str(out), *extra], out, fragment)


def test_export_without_arguments_is_a_one_line_error(capsys, tmp_path):
    """`micrograd-gui export` alone says what is missing in one line, exit 2."""
    with pytest.raises(SystemExit) as exit_:
        main(["export"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "micrograd-gui export: error: the following arguments are required: WORKSPACE, -o/--output"
    ]


def test_an_out_that_cannot_be_written_fails_with_exit_1(tmp_path, capsys):
    """An OUT in a folder that does not exist: exit 1 (the export failed), one line, nothing written."""
    for suffix in (".svg", ".py"):
        out = tmp_path / "missing" / f"out{suffix}"
        assert main(["export", str(LECTURE), "-o", str(out)]) == 1
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("micrograd-gui export: error: ")
    assert list(tmp_path.iterdir()) == []


def test_without_any_dot_on_path_the_bundled_graphviz_draws(tmp_path):
    """With MICROGRAD_GUI_DOT unset and a PATH holding no dot at all, export uses the bundled graphviz-pure."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {**headless_env(), "PATH": str(empty)}
    code = "from micrograd_gui import render; print(render.find_dot())"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert Path(found.stdout.strip()).name.startswith("graphviz-pure")
    out = tmp_path / "lecture.svg"
    command = [str(Path(sys.executable).parent / "micrograd-gui"), "export", str(LECTURE), "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert b">L</text>" in out.read_bytes()


def test_the_scale_limit_is_the_renderers():
    """The command line refuses exactly the scales the renderer refuses."""
    from micrograd_gui import cli, render

    assert cli.MAX_SCALE == render.MAX_SCALE


def test_exporting_a_named_pipe_is_refused_at_once(tmp_path):
    """A FIFO named x.json would block the reader forever: exit 2 with one line, straight away."""
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    out = tmp_path / "out.svg"
    try:
        result = run_cli("export", str(fifo), "-o", str(out), timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("export waited on the pipe")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["micrograd-gui export: error: x.json: it is a named pipe, not a file"]
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".svg", ".py"])
def test_exporting_through_a_link_writes_the_file_it_points_to(suffix, tmp_path):
    """OUT a symbolic link: the link stays, the file it points to is the export."""
    real = tmp_path / f"real{suffix}"
    real.write_text("old")
    link = tmp_path / f"link{suffix}"
    link.symlink_to(real)
    assert main(["export", str(LECTURE), "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_bytes().startswith(MAGIC[suffix])


@pytest.mark.parametrize("suffix", [".png", ".py"])
def test_exporting_onto_a_device_or_a_pipe_is_refused(suffix, tmp_path, capsys):
    """OUT a link to a device, or a named pipe: exit 1, one line saying what it is, and it stays as it was."""
    device = tmp_path / f"full{suffix}"
    device.symlink_to(os.devnull)
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    assert main(["export", str(LECTURE), "-o", str(device)]) == 1
    assert main(["export", str(LECTURE), "-o", str(fifo)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("it is a device, not a file") and lines[1].endswith("it is a named pipe, not a file")
    assert device.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([device.name, fifo.name])


def test_a_scale_that_makes_the_png_a_speck_is_bad_input(tmp_path, capsys):
    """--scale 1e-300 made a 1x1 PNG: exit 2, one line saying the least scale, nothing written."""
    out = tmp_path / "out.png"
    assert main(["export", str(LECTURE), "-o", str(out), "--scale", "1e-300"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("micrograd-gui export: error: --scale: at scale 1e-300 the PNG would be 1 x 1 pixels;")
    assert list(tmp_path.iterdir()) == []


def test_a_png_drawn_smaller_than_asked_says_so(tmp_path, capsys):
    """At --scale 20 the lecture would pass 60 megapixels: the PNG is drawn smaller, with a warning, exit 0."""
    out = tmp_path / "out.png"
    assert main(["export", str(LECTURE), "-o", str(out), "--scale", "20"]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("micrograd-gui export: warning: the PNG was drawn at scale ")
    assert out.read_bytes().startswith(MAGIC[".png"])


def test_export_collapse_draws_each_neuron_as_one_node(tmp_path):
    """--collapse draws every neuron of the file's groups as one node; without it every value is drawn."""
    example = ROOT / "resources" / "examples" / "moons_net.json"
    collapsed, expanded = tmp_path / "collapsed.dot", tmp_path / "expanded.dot"
    assert main(["export", str(example), "-o", str(collapsed), "--collapse"]) == 0
    assert main(["export", str(example), "-o", str(expanded)]) == 0
    text = collapsed.read_text()
    assert text.count("relu(w·x + b)") == 32 and text.count("o: w·x + b") == 1
    assert "o_n1_1_w1" not in text and "o_n1_1_w1" in expanded.read_text()
    assert main(["export", str(LECTURE), "-o", str(tmp_path / "lecture.dot"), "--collapse"]) == 0  # no groups
