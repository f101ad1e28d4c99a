"""Big graphs: micrograd's MLP(2, [16, 16, 1]) with the squared error over 1, 3 and 6 rows (no groups
in the file, so every value is drawn), laid out by dot and by the layered layout side by side, and
drawn in the window.

For each workspace it prints:

  dot        `dot -Tjson0` on the DOT text (the bundled graphviz-pure unless MICROGRAD_GUI_DOT says
             otherwise), stopped after --dot-timeout seconds
  layered    micrograd_gui.layered_layout on the same text (what the panel runs past LAYERED_FROM values)
  window     File > Open in the offscreen window (1400x900) until the first picture is shown, the
             longest UI-thread stall meanwhile (a 2 ms timer's longest gap), and one full repaint of
             the graph at fit (median of --repaints)

Targets (issue 11) beside the figures of the app before this work (STACK.md, "Big graphs"):
3 rows (about 2,300 values) to the first picture <= 2 s (was 12-14 s); 6 rows (about 4,200
values) <= 4 s (was: no picture in 60 s); longest stall <= 50 ms (was 77-89 ms); a full repaint
at fit <= 60 ms for 3 rows (was 78-112 ms), <= 100 ms for 6.

Run: .venv/bin/python bench/big_graphs.py [--dot-timeout S] [--repaints N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ui_latency import Bench, StallProbe  # noqa: E402

from micrograd_gui import layered_layout, render  # noqa: E402
from micrograd_gui.workspace_file import save_document  # noqa: E402
from tests.examples_builder import net_on_rows  # noqa: E402

SIZES = [2, 16, 16, 1]
TARGETS = {3: (2.0, 0.050, 0.060), 6: (4.0, 0.050, 0.100)}  # first picture, stall, repaint
BEFORE = {1: "1.2 s", 3: "12-14 s, stalls 77-89 ms, repaint 78-112 ms", 6: "no picture in 60 s"}


def workspace(rows: int):
    rng = random.Random(rows)
    xs = [[rng.uniform(-2, 2), rng.uniform(-1, 1)] for _ in range(rows)]
    ys = [1.0 if i % 2 else -1.0 for i in range(rows)]
    return net_on_rows(SIZES, xs, ys, random.Random(1337), hidden="relu", last="linear", groups=False)


def time_dot(source: str, timeout: float) -> str:
    start = time.perf_counter()
    try:
        render.layout(source, timeout=timeout)
    except render.RenderError:
        return f"> {timeout:g} s (stopped)"
    return f"{time.perf_counter() - start:.2f} s"


def open_in_window(bench: Bench, path: str, repaints: int) -> tuple[float, float, float]:
    """Seconds from File > Open to the first picture of the file, the longest stall, a repaint at fit."""
    bench.window.file_actions.new()
    bench.settle()
    target = bench.updates + 1
    probe = StallProbe()
    start = time.perf_counter()
    bench.window.file_actions.open_path(path)
    while bench.updates < target or bench.graph.is_busy() or not bench.graph.node_names():
        bench.app.processEvents()
        if time.perf_counter() > start + 120:
            raise TimeoutError("no picture")
        time.sleep(0.0005)
    elapsed, stall = time.perf_counter() - start, probe.stop()
    bench.graph.fit_to_window()
    bench.app.processEvents()
    viewport = bench.graph.canvas.viewport()
    times = []
    for _ in range(repaints):
        begin = time.perf_counter()
        viewport.repaint()
        times.append(time.perf_counter() - begin)
    return elapsed, stall, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot-timeout", type=float, default=60.0, help="seconds dot may take per layout")
    parser.add_argument("--repaints", type=int, default=9, help="repaints timed at fit (the median is kept)")
    args = parser.parse_args()
    bench = Bench()
    folder = tempfile.mkdtemp(prefix="micrograd-gui-big-")
    met = True
    print(f"{'rows':>4} {'values':>7} {'nodes':>6} {'dot':>18} {'layered':>9}   window: first picture, stall, repaint")
    for rows in (1, 3, 6):
        document = workspace(rows)
        path = os.path.join(folder, f"net{rows}.json")
        save_document(document, path)
        source = render.build_dot_source(document, split_shared=False)
        start = time.perf_counter()
        result = layered_layout.layout(source)
        layered = time.perf_counter() - start
        dot = time_dot(render.build_dot_source(document), args.dot_timeout)
        first, stall, repaint = open_in_window(bench, path, args.repaints)
        line = (
            f"{rows:>4} {len(document):>7,} {len(result.nodes):>6,} {dot:>18} {layered:>7.2f} s"
            f"   {first:.2f} s, {stall * 1000:.0f} ms, {repaint * 1000:.1f} ms"
        )
        if rows in TARGETS:
            t_first, t_stall, t_repaint = TARGETS[rows]
            ok = first <= t_first and stall <= t_stall and repaint <= t_repaint
            met &= ok
            verdict = "met" if ok else "MISSED"
            line += f"   targets <= {t_first:g} s, {t_stall * 1000:g} ms, {t_repaint * 1000:g} ms: {verdict}"
        print(line)
        print(f"{'':>12}before this work: {BEFORE[rows]}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
