"""The `micrograd-gui` command: the app, or `micrograd-gui export ...` / `micrograd-gui train ...` headless.

    micrograd-gui [WORKSPACE]
    micrograd-gui export WORKSPACE -o OUT [--rankdir LR|TB] [--root NAME] [--scale N] [--collapse]
    micrograd-gui train WORKSPACE [--steps N] [-o OUT]

`export` needs no display: it runs Qt offscreen (only PNG and PDF paint with
Qt at all). A workspace whose backward_from cannot be computed (a gradient
overflows) is exported with its grads at 0 and a warning on stderr; so is a
picture scaled down to fit its format (a PNG beyond 32,000 pixels a side, a
PDF page beyond 14,400 pt). Exit codes: 0 done; 2 bad input (an unreadable or
invalid workspace, an unknown output suffix, a --root that is not in the
workspace, a bad --scale, including one that makes the PNG under 16 pixels),
with one line on stderr and no OUT written; 1 the export itself failed
(Graphviz failed, OUT could not be written).

`train` runs the workspace's training (its data table and training settings; CONTRACT.md's step)
with micrograd_gui.trainer and prints `step K loss L` per step, L with every digit (`repr`); with
`-o` it writes the workspace with its trained parameters. Exit codes as `export`: 2 bad input (an
unreadable workspace, no data table or no loss, a loss that depends on no parameter, a bad
--steps, an OUT not ending in .json, a step whose numbers cannot be computed: the lines of the
steps done stay printed), with one line on stderr and no OUT written; 1 OUT could not be written.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from micrograd_gui import __version__
from micrograd_gui.display_check import display_problem

if TYPE_CHECKING:
    from micrograd_gui.widgets.main_window import MainWindow

EXPORT_SUFFIXES = (".png", ".svg", ".pdf", ".dot", ".py")
MAX_SCALE = 20.0  # render.MAX_SCALE, named here too so that parsing arguments does not import Qt

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr and exit code 2 (argparse prints the whole usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd-gui",
        description="Build scalar computation graphs by clicking and watch values and gradients flow.",
        epilog=(
            "Headless export: micrograd-gui export WORKSPACE -o OUT [--rankdir LR|TB] [--root NAME] [--scale N] "
            "[--collapse] "
            "(see micrograd-gui export --help). "
            "Headless training: micrograd-gui train WORKSPACE [--steps N] [-o OUT] (see micrograd-gui train --help)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"micrograd-gui {__version__}")
    parser.add_argument(
        "workspace",
        nargs="?",
        help="a workspace file (.json), Python code (.py) or a picture the app exported (.png .svg) to open",
    )
    return parser


def _scale(text: str) -> float:
    try:
        scale = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(scale) or not 0 < scale <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"the scale must be more than 0 and at most {MAX_SCALE:g}, not {text}")
    return scale


def build_export_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="micrograd-gui export",
        description=(
            "Export a workspace without opening a window. The format comes from OUT's suffix: "
            ".png .svg .pdf (pictures of the graph), .dot (Graphviz source), "
            ".py (a script that rebuilds the workspace, runs backward and prints every value)."
        ),
        epilog="Exit status: 0 done, 1 the export failed, 2 bad input (nothing is written).",
    )
    parser.add_argument(
        "workspace", metavar="WORKSPACE", help="the workspace to export: .json, .py, or a .png/.svg the app exported"
    )
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="the file to write")
    parser.add_argument(
        "--rankdir",
        type=str.upper,
        choices=("LR", "TB"),
        default="LR",
        help="LR draws left to right (the default), TB top to bottom",
    )
    parser.add_argument(
        "--root",
        metavar="NAME",
        help="pictures: draw only what feeds NAME; .py: run backward from NAME "
        "(default: the file's backward_from, else the newest value)",
    )
    parser.add_argument(
        "--scale",
        type=_scale,
        default=2.0,
        metavar="N",
        help=f"PNG size: N times 72 dpi (default 2, at most {MAX_SCALE:g})",
    )
    parser.add_argument(
        "--collapse",
        action="store_true",
        help="pictures: draw each neuron (a template's group) as one node, like n1_1: tanh(w·x + b)",
    )
    return parser


def _steps(text: str) -> int:
    from micrograd_gui.dataset import MAX_STEPS

    try:
        steps = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= steps <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"the number of steps is from 1 to {MAX_STEPS:,}, not {text}")
    return steps


def build_train_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="micrograd-gui train",
        description=(
            "Train a workspace without opening a window: gradient descent on its loss over its data rows, "
            "with its training settings (reduce, l2, learning rate and its decay, steps). Prints one line per "
            "step, 'step K loss L', L the total loss before step K's update, with every digit."
        ),
        epilog="Exit status: 0 done, 1 OUT could not be written, 2 bad input or a step that cannot be computed "
        "(nothing is written).",
    )
    parser.add_argument(
        "workspace", metavar="WORKSPACE", help="the workspace to train: .json, .py, or a .png/.svg the app exported"
    )
    parser.add_argument(
        "--steps", type=_steps, metavar="N", help="how many steps (default: the workspace's); the decay spans them"
    )
    parser.add_argument("-o", "--output", metavar="OUT", help="write the trained workspace to OUT (.json)")
    return parser


def _fail(code: int, message: str, command: str = "export") -> int:
    print(f"micrograd-gui {command}: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _warn(message: str, command: str = "export") -> None:
    print(f"micrograd-gui {command}: warning: {' '.join(message.split())}", file=sys.stderr)


def run_export(args: argparse.Namespace) -> int:
    """Export a workspace headless; the exit code."""
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix not in EXPORT_SUFFIXES:
        shown = suffix or "no suffix"
        return _fail(EXIT_BAD_INPUT, f"cannot export to {shown}: OUT must end in one of {' '.join(EXPORT_SUFFIXES)}")
    # Qt paints PNG and PDF here; it must not look for a display, and must work where there is none.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from micrograd_gui.workspace_file import WorkspaceFileError, load_workspace, read_workspace, write_text

    try:
        document, note = load_workspace(read_workspace(args.workspace), os.path.basename(args.workspace))
    except WorkspaceFileError as error:
        return _fail(EXIT_BAD_INPUT, str(error))
    if note:  # the values are fine, the grads could not be computed: drawn at 0, and said so
        _warn(note)
    if args.root is not None and args.root not in document:
        return _fail(
            EXIT_BAD_INPUT, f"--root: there is no value named '{args.root}' in {os.path.basename(args.workspace)}"
        )

    if suffix == ".py":
        from micrograd_gui.export_python import python_script

        try:
            write_text(args.output, python_script(document, args.root))
        except WorkspaceFileError as error:
            return _fail(EXIT_FAILED, str(error))
        return EXIT_OK

    from micrograd_gui import render

    try:
        collapsed = [g.name for g in document.groups if g.kind == "neuron"] if args.collapse else []
        note = render.export(
            document, args.output, rankdir=args.rankdir, root=args.root, scale=args.scale, collapsed=collapsed
        )
    except render.ScaleError as error:
        return _fail(EXIT_BAD_INPUT, f"--scale: {error}")
    except render.RenderError as error:
        return _fail(EXIT_FAILED, str(error))
    if note:  # scaled down to fit the format: written, and said so
        _warn(note)
    return EXIT_OK


def run_train(args: argparse.Namespace) -> int:
    """Train a workspace headless, printing each step's loss; the exit code."""
    from micrograd_gui.document import DocumentError
    from micrograd_gui.trainer import Trainer, TrainingError
    from micrograd_gui.workspace_file import SUFFIX, WorkspaceFileError, load_workspace, read_workspace, save_document

    def fail(code: int, message: str) -> int:
        return _fail(code, message, "train")

    if args.output is not None and os.path.splitext(args.output)[1].lower() != SUFFIX:
        return fail(EXIT_BAD_INPUT, f"cannot write the trained workspace to {args.output}: OUT must end in {SUFFIX}")
    source = os.path.basename(args.workspace)
    try:
        document, _ = load_workspace(read_workspace(args.workspace), source)
    except WorkspaceFileError as error:
        return fail(EXIT_BAD_INPUT, str(error))
    settings = document.training
    if args.steps is not None:
        settings = settings.changed(steps=args.steps)
    try:
        trainer = Trainer(document.definitions, document.data_table, settings, document.groups)
        for k in range(settings.steps):
            print(f"step {k} loss {trainer.step(k).loss!r}", flush=k % 100 == 99 or k == settings.steps - 1)
    except TrainingError as error:
        sys.stdout.flush()
        return fail(EXIT_BAD_INPUT, f"{source}: {error}")
    if args.output is None:
        return EXIT_OK
    try:
        document.set_leaves(trainer.parameter_values())
    except DocumentError as error:  # the graph cannot be computed at the leaves' typed numbers any more
        return fail(EXIT_BAD_INPUT, f"{source}: the trained workspace cannot be computed: {error}")
    try:
        save_document(document, args.output)
    except WorkspaceFileError as error:
        return fail(EXIT_FAILED, str(error))
    return EXIT_OK


def open_window(workspace: str | None = None) -> MainWindow:
    """The app's window, shown: work left by a crash is offered first, then `workspace` opens
    (in the background; a bad file shows its reason in the window)."""
    from micrograd_gui.widgets.main_window import MainWindow

    window = MainWindow()
    window.show()
    # What start-up made (Qt's modules and wrappers, the window) lives as long as the app.
    # Moving it out of the collector's generations keeps full collections, which otherwise
    # walk all of it, short while a big graph's items are built (50-60 ms -> a few ms).
    gc.freeze()
    window.file_actions.offer_recovery()
    if workspace is not None:
        window.file_actions.open_path(workspace)
    return window


def run_app(workspace: str | None) -> int:
    problem = display_problem(os.environ)
    if problem is not None:
        print(f"micrograd-gui: {problem}", file=sys.stderr)
        return EXIT_FAILED
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setApplicationName("micrograd-gui")
    app.setOrganizationName("micrograd-gui")
    window = open_window(workspace)
    code = app.exec()
    del window
    return code


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["export"]:
        try:
            return run_export(build_export_parser().parse_args(arguments[1:]))
        except KeyboardInterrupt:
            return _fail(EXIT_FAILED, "interrupted")
    if arguments[:1] == ["train"]:
        try:
            return run_train(build_train_parser().parse_args(arguments[1:]))
        except KeyboardInterrupt:
            return _fail(EXIT_FAILED, "interrupted", "train")
    args = build_parser().parse_args(arguments)
    return run_app(args.workspace)
