"""The wheel: built from the tree, installed into a fresh venv, it finds its examples and icons and exports."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "engine", "micrograd_gui", "resources")


def _can_build_without_isolation() -> bool:
    """setuptools builds wheels by itself from 70.1 on; before that it needs the `wheel` package."""
    import setuptools

    version = tuple(int(part) for part in setuptools.__version__.split(".")[:2] if part.isdigit())
    return version >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """A wheel built from a copy of the tree, installed (without dependencies) into a new venv whose
    third-party packages come from the project's venv; returns its python, its command and a work folder."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "*.pyc")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = base / "wheels"
    isolation = ["--no-build-isolation"] if _can_build_without_isolation() else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
        cwd=base,
    )
    (wheel,) = wheels.glob("micrograd_gui-*.whl")

    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # PySide6 and graphviz come from the project's venv: a plain path line, so that venv's
    # editable install of this project (a .pth hook there) is not picked up.
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site_packages) / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = base / "work"
    work.mkdir()
    return {"wheel": wheel, "python": python, "bin": python.parent, "work": work}


def run_installed(installed: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QT_QPA_PLATFORM", "DISPLAY")}
    env["PATH"] = os.pathsep.join([str(installed["bin"]), "/usr/bin", "/bin"])
    # The bundled dot lives in the project's venv, not in this one.
    env["MICROGRAD_GUI_DOT"] = str(Path(sys.executable).parent / "graphviz-pure")
    return subprocess.run(list(args), capture_output=True, text=True, env=env, cwd=installed["work"], timeout=120)


def test_the_wheel_ships_the_resources(installed):
    """The wheel holds every example, every icon, the data files and the style sheet under micrograd_gui/resources."""
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    expected = [p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()]
    expected = [p for p in expected if p.endswith((".json", ".svg", ".qss", ".csv"))]
    assert len(expected) >= 4
    for relative in expected:
        assert f"micrograd_gui/resources/{relative}" in names
    assert "engine/__init__.py" in names


def test_the_installed_package_finds_its_examples_and_icons(installed):
    """Imported from the venv (not the source tree), the package reads each example and draws each icon."""
    icons = sorted(p.name for p in (ROOT / "resources" / "icons").glob("*.svg"))
    code = f"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import micrograd_gui, engine
from importlib.resources import files
from PySide6.QtWidgets import QApplication
app = QApplication([])
from micrograd_gui import assets
from micrograd_gui.workspace_file import EXAMPLES, read_example
print(micrograd_gui.__file__)
print(engine.__file__)
for name in EXAMPLES:
    print(name, len(read_example(name).definitions))
icon_folder = files("micrograd_gui.resources").joinpath("icons")
shipped = sorted(p.name for p in icon_folder.iterdir() if p.name.endswith(".svg"))
assert shipped == {icons!r}, shipped
for name in assets.ICONS:
    assert not assets.icon(name).isNull(), name
assert assets.style_sheet()
print("icons", len(assets.ICONS))
"""
    result = run_installed(installed, str(installed["python"]), "-c", code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    venv_folder = str(installed["python"].parent.parent)
    assert lines[0].startswith(venv_folder) and lines[1].startswith(venv_folder)
    examples = ["lecture 7", "neuron 10", "reuse 2", "neuron_exp 17", "mlp 120", "moons_net 984", "line_neuron 13"]
    assert lines[2:9] == examples
    assert lines[9].startswith("icons ")


def test_the_installed_command_exports_an_example(installed):
    """`micrograd-gui export` of a shipped example writes SVG, PNG, DOT and a script that runs there."""
    example = run_installed(
        installed,
        str(installed["python"]),
        "-c",
        "from importlib.resources import files; print(files('micrograd_gui.resources') / 'examples' / 'lecture.json')",
    ).stdout.strip()
    assert example.startswith(str(installed["python"].parent.parent))
    command = str(installed["bin"] / "micrograd-gui")
    work = installed["work"]
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG"), (".dot", b"digraph"), (".py", b'"""')):
        result = run_installed(installed, command, "export", example, "-o", f"lecture{suffix}")
        assert result.returncode == 0, result.stderr
        assert (work / f"lecture{suffix}").read_bytes().startswith(magic)
    script = run_installed(installed, str(installed["python"]), "lecture.py")
    assert script.returncode == 0, script.stderr
    assert script.stdout.splitlines()[0] == "a data=2.0000 grad=6.0000"
    assert run_installed(installed, command, "--version").stdout.startswith("micrograd-gui ")
