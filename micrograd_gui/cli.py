"""The `micrograd-gui` command: the app, or `micrograd-gui export ...` headless."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from micrograd_gui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd-gui",
        description="Build scalar computation graphs by clicking and watch values and gradients flow.",
    )
    parser.add_argument("--version", action="version", version=f"micrograd-gui {__version__}")
    parser.add_argument("workspace", nargs="?", help="a workspace file (.json) to open")
    return parser


def run_app(workspace: str | None) -> int:
    from PySide6.QtWidgets import QApplication

    from micrograd_gui.widgets.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setApplicationName("micrograd-gui")
    app.setOrganizationName("micrograd-gui")
    window = MainWindow()
    window.show()
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_app(args.workspace)
