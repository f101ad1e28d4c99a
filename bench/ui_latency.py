"""How quickly the window answers clicks, and how long the UI thread can stall, in the real window offscreen.

Figures and targets:

(a) median time of one click (create or operation) on a 600-value workspace    target <= 30 ms
(b) longest UI-thread stall while that workspace (~1,200 graph nodes) is laid
    out: a QTimer ticks every 2 ms and the largest gap between ticks is kept,
    from the change until picture_updated                                        target <= 50 ms
(c) click to picture_updated (the picture has caught up):
    the lecture (its last click, L = d * f)                                      target <= 150 ms
    a 100-step chain v = v*w_i + w_j over 8 shared leaves (209 values)           target <= 1 s
    the same chain at 300 steps (609 values)                                     target <= 3 s
(d) File > Open of a 100,000-value file (the most a workspace holds): the time
    until it is open, and the longest UI-thread stall meanwhile (no target: the
    worker thread computes it, but holds the interpreter lock while json.loads
    parses and while the collector runs)
(e) in that workspace, Delete of the newest value, then Undo; and of a value half
    way with its dependents (half the workspace), then Undo: the UI-thread time
    of each (no target)

Run: .venv/bin/python bench/ui_latency.py [--repeat N]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never read or write the user's own settings or recovery files.
_home = tempfile.mkdtemp(prefix="micrograd-gui-bench-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_var] = os.path.join(_home, _var.lower())
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton  # noqa: E402

from micrograd_gui.commands import AddDefinitions  # noqa: E402
from micrograd_gui.document import Definition  # noqa: E402
from micrograd_gui.workspace_file import read_example  # noqa: E402
from tests.workspaces import shared_chain_definitions as chain  # noqa: E402

TIMEOUT = 120.0


def workspace(values: int) -> list[Definition]:
    """A mixed workspace of about `values` values: a third leaves, the rest ops over recent values."""
    definitions: list[Definition] = []
    names: list[str] = []
    ops = ["+", "*", "-", "tanh", "+", "*"]
    for i in range(values):
        name = f"x{i}"
        if i < 4 or i % 3 == 0:
            definitions.append(Definition(name, data=0.5 + (i % 7) * 0.1))
        else:
            op = ops[i % len(ops)]
            a, b = names[-1], names[max(0, len(names) - 2 - i % 5)]
            definitions.append(Definition(name, op, (a,) if op == "tanh" else (a, b)))
        names.append(name)
    return definitions


class StallProbe:
    """How long the UI thread stalls: a QTimer ticks every 2 ms from the probe's making, and the
    longest gap between two ticks (or calls of `tick`) is the longest stall."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._gaps = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(2)
        self._timer.timeout.connect(self.tick)
        self._gaps.start()
        self._timer.start()

    def tick(self) -> None:
        self.longest = max(self.longest, self._gaps.nsecsElapsed() / 1e9)
        self._gaps.restart()

    def stop(self) -> float:
        """The longest stall, counting the time since the last tick."""
        self.tick()
        self._timer.stop()
        return self.longest


class Bench:
    def __init__(self) -> None:
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        from micrograd_gui import MainWindow

        self.window = MainWindow()
        self.window.dialogs.ask_save_changes = lambda display_name: "discard"  # type: ignore[method-assign]
        self.window.resize(1400, 900)
        self.window.show()
        gc.freeze()  # as micrograd_gui.cli.open_window does at start-up
        self.graph = self.window.graph_view
        self.updates = 0
        self.graph.picture_updated.connect(self._count)

    def _count(self) -> None:
        self.updates += 1

    def find(self, cls: type, name: str):
        widget = self.window.findChild(cls, name)
        assert widget is not None, name
        return widget

    def settle(self) -> None:
        """Run the event loop until the picture has caught up and nothing is pending."""
        deadline = time.monotonic() + TIMEOUT
        quiet_since = None
        while time.monotonic() < deadline:
            self.app.processEvents()
            if self.graph.is_busy():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 0.3:
                return
            time.sleep(0.002)
        raise TimeoutError("the graph did not settle")

    def load(self, definitions: list[Definition]) -> None:
        """Start from an empty workspace holding `definitions`, with the picture caught up."""
        document = self.window.document
        document.replace_definitions([])
        self.window.undo_stack.clear()
        self.settle()
        assert self.window.push(AddDefinitions, document, definitions, "Load")
        self.settle()

    def open_file(self, path: str) -> tuple[float, float]:
        """Seconds from File > Open of `path` until it is open, and the longest UI-thread stall meanwhile."""
        actions = self.window.file_actions
        opened: list[float] = []
        actions.opened.connect(lambda _path: opened.append(time.perf_counter()))
        probe = StallProbe()
        start = time.perf_counter()
        actions.open_path(path)
        probe.tick()
        while not opened:
            self.app.processEvents()
            if time.perf_counter() > start + TIMEOUT:
                raise TimeoutError("the file did not open")
            time.sleep(0.0005)
        return opened[0] - start, probe.stop()

    def wait_for_picture(self, act: Callable[[], None]) -> tuple[float, float]:
        """Seconds from `act` to the next picture_updated, and the longest UI-thread stall meanwhile."""
        target = self.updates + 1
        probe = StallProbe()
        start = time.perf_counter()
        act()
        probe.tick()  # the click itself blocks the UI thread too
        deadline = start + TIMEOUT
        while self.updates < target or self.graph.is_busy():
            self.app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("no picture_updated")
            time.sleep(0.0005)
        elapsed = time.perf_counter() - start
        # stop() ticks once more: the handler that emitted picture_updated may have blocked since the last tick
        return elapsed, probe.stop()

    # ---- clicks ----------------------------------------------------------------------

    def click_create(self, name: str, number: str) -> None:
        self.find(QLineEdit, "nameEdit").setText(name)
        self.find(QLineEdit, "dataEdit").setText(number)
        self.find(QPushButton, "createButton").click()

    def click_op(self, button: str, a: str, b: str, result: str) -> None:
        for combo_name, name in (("operandA", a), ("operandB", b)):
            combo = self.find(QComboBox, combo_name)
            combo.setCurrentIndex(combo.findText(name))
        self.find(QLineEdit, "resultNameEdit").setText(result)
        self.find(QPushButton, button).click()


def report(label: str, seconds: float, target: float) -> bool:
    met = seconds <= target
    print(f"{label:<62} {seconds * 1000:9.1f} ms   target <= {target * 1000:g} ms   {'met' if met else 'MISSED'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each picture timing (the median is kept)")
    parser.add_argument("--clicks", type=int, default=40, help="clicks timed on the 600-value workspace")
    args = parser.parse_args()
    bench = Bench()
    results = []

    # (a) one click on a 600-value workspace
    big = workspace(600)
    bench.load(big)
    times = []
    last = big[-1].name
    for i in range(args.clicks):
        start = time.perf_counter()
        if i % 2 == 0:
            bench.click_create(f"n{i}", str(i * 0.25))
        else:
            bench.click_op("mulButton", last, f"n{i - 1}", f"p{i}")
        times.append(time.perf_counter() - start)
        bench.app.processEvents()
    assert len(bench.window.document) == 600 + args.clicks, "a click was refused"
    bench.settle()
    results.append(report("(a) one click on a 600-value workspace, median", statistics.median(times), 0.030))
    print(f"    (max {max(times) * 1000:.1f} ms over {len(times)} clicks)")

    # (b) the longest stall while ~1,200 graph nodes are laid out and drawn
    stalls, layouts = [], []
    for _run in range(args.repeat):
        bench.load(big)
        elapsed, stall = bench.wait_for_picture(lambda: bench.window.top_to_bottom_action.toggle())
        stalls.append(stall)
        layouts.append(elapsed)
    nodes = len(bench.graph.node_names())
    results.append(report(f"(b) longest UI stall laying out 600 values ({nodes} value nodes)", max(stalls), 0.050))
    print(f"    (layout to picture {statistics.median(layouts):.2f} s)")
    bench.window.top_to_bottom_action.setChecked(False)

    # (c) click to picture
    def last_click(definitions: list[Definition]) -> tuple[str, str, str, str]:
        final = definitions[-1]
        return ("addButton" if final.op == "+" else "mulButton", final.operands[0], final.operands[1], final.name)

    lecture = list(read_example("lecture").definitions)
    cases = [("lecture", lecture[:-1], last_click(lecture), 0.150)]
    for steps, target in ((100, 1.0), (300, 3.0)):
        full = chain(steps)
        label = f"{steps}-step chain over 8 shared leaves ({len(full)} values)"
        cases.append((label, full[:-1], last_click(full), target))
    for label, definitions, click, target in cases:
        elapsed_runs, stall_runs = [], []
        for _run in range(args.repeat):
            bench.load(definitions)
            elapsed, stall = bench.wait_for_picture(lambda c=click: bench.click_op(*c))
            assert click[3] in bench.window.document, f"{click[3]} was not created"
            elapsed_runs.append(elapsed)
            stall_runs.append(stall)
        results.append(report(f"(c) click to picture: {label}", statistics.median(elapsed_runs), target))
        print(f"    (longest UI stall meanwhile {max(stall_runs) * 1000:.1f} ms)")

    # (d) opening the biggest file a workspace can be
    from micrograd_gui.document import MAX_DEFINITIONS
    from micrograd_gui.workspace_file import write_workspace

    path = os.path.join(_home, "biggest.json")
    write_workspace(path, chain((MAX_DEFINITIONS - 9) // 2), None)
    bench.load([])
    elapsed, stall = bench.open_file(path)
    count = len(bench.window.document)
    print(f"{'(d) File > Open of a %s-value file' % f'{count:,}':<62} {elapsed:9.2f} s    (no target)")
    print(f"    (longest UI stall meanwhile {stall * 1000:.0f} ms)")

    # (e) deleting values from that workspace and undoing it: the UI thread does both at once
    window = bench.window
    window.ask_delete_dependents = lambda name, dependents: True  # type: ignore[method-assign]
    names = window.document.names
    for label, doomed in (("the newest value", names[-1]), ("a value half way and its dependents", names[count // 2])):
        start = time.perf_counter()
        assert window.delete_values([doomed])
        deleted = time.perf_counter() - start
        gone = count - len(window.document)
        start = time.perf_counter()
        window.undo_stack.undo()
        undone = time.perf_counter() - start
        assert len(window.document) == count
        what = f"(e) Delete {label} ({gone:,} value{'s' if gone != 1 else ''}), then Undo"
        print(f"{what:<62} {deleted * 1000:6.0f} ms, {undone * 1000:.0f} ms (no target)")

    print("all targets met" if all(results) else "some targets MISSED")
    bench.window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
