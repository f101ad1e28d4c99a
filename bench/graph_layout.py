"""How long the graph panel takes to draw a workspace, step by step.

For each workspace it prints the median over --repeat runs of:

  source   build_dot_source (the DOT text, with dashed copies of heavily shared values)
  dot      running `dot -Tjson0` (the bundled graphviz-pure unless MICROGRAD_GUI_DOT says otherwise)
  parse    turning its JSON into a Layout
  scene    building the graph panel's items from the Layout (on the UI thread, in slices of
           a few ms between events, so the window keeps answering) and showing them
  edit     a leaf edit: the document recomputes, the panel rewrites its texts in place (no layout)

Workspaces: the lecture (7 values), the shared-leaf chain v = v*w_i + w_j over
8 leaves at 100 steps (209 values) and 300 steps (609 values), and the lecture's
MLP 3-4-4-1 on 7 examples with its squared-error loss (about 600 values).
Targets: the 100-step chain well under 1 s, the 300-step chain under 3 s.
Last, the 40-step chain is laid out with and without the dashed copies, to
show what they save.

Run: .venv/bin/python bench/graph_layout.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from micrograd_gui import render  # noqa: E402
from micrograd_gui.document import Definition, Document  # noqa: E402
from micrograd_gui.workspace_file import read_example  # noqa: E402
from tests.workspaces import shared_chain_definitions  # noqa: E402


def lecture() -> Document:
    document = Document()
    document.replace_definitions(read_example("lecture").definitions)
    document.backward("L")
    return document


def shared_chain(steps: int) -> Document:
    document = Document()
    document.replace_definitions(shared_chain_definitions(steps))
    document.backward(f"v{steps}")
    return document


def mlp(examples: int = 7, sizes: tuple[int, ...] = (3, 4, 4, 1)) -> Document:
    """The lecture's MLP with shared parameters, one forward pass per example, and the loss."""
    rng = random.Random(1)
    definitions: list[Definition] = []
    params: list[list[tuple[list[str], str]]] = []
    for layer, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        neurons = []
        for j in range(nout):
            weights = [f"w{layer}_{j}_{i}" for i in range(nin)]
            definitions += [Definition(w, data=rng.uniform(-1, 1)) for w in weights]
            definitions.append(Definition(f"b{layer}_{j}", data=rng.uniform(-1, 1)))
            neurons.append((weights, f"b{layer}_{j}"))
        params.append(neurons)
    losses = []
    for k in range(examples):
        inputs = [f"x{k}_{i}" for i in range(sizes[0])]
        definitions += [Definition(x, data=rng.uniform(-2, 2)) for x in inputs]
        for layer, neurons in enumerate(params):
            outputs = []
            for j, (weights, bias) in enumerate(neurons):
                total = bias
                for i, (w, x) in enumerate(zip(weights, inputs)):
                    product = f"p{k}_{layer}_{j}_{i}"
                    definitions.append(Definition(product, "*", (w, x)))
                    definitions.append(Definition(f"s{k}_{layer}_{j}_{i}", "+", (total, product)))
                    total = f"s{k}_{layer}_{j}_{i}"
                definitions.append(Definition(f"h{k}_{layer}_{j}", "tanh", (total,)))
                outputs.append(f"h{k}_{layer}_{j}")
            inputs = outputs
        definitions.append(Definition(f"y{k}", data=rng.choice((-1.0, 1.0))))
        definitions.append(Definition(f"err{k}", "-", (inputs[0], f"y{k}")))
        definitions.append(Definition(f"sq{k}", "**", (f"err{k}",), exponent=2.0))
        losses.append(f"sq{k}")
    total = losses[0]
    for k, term in enumerate(losses[1:], start=1):
        definitions.append(Definition(f"loss{k}", "+", (total, term)))
        total = f"loss{k}"
    document = Document()
    document.replace_definitions(definitions)
    document.backward(total)
    return document


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from PySide6.QtGui import QFontMetricsF
    from PySide6.QtWidgets import QApplication

    from micrograd_gui.widgets.graph_items import graph_font
    from micrograd_gui.widgets.graph_picture import Picture
    from micrograd_gui.widgets.graph_view import GraphView
    from micrograd_gui.widgets.layout_scheduler import BUILD_SLICE_S

    app = QApplication.instance() or QApplication(sys.argv[:1])
    font = graph_font()
    metrics = QFontMetricsF(font)
    print(f"dot: {render.describe_dot()}")
    workspaces = [
        ("lecture", lecture()),
        ("chain 100 steps", shared_chain(100)),
        ("chain 300 steps", shared_chain(300)),
        ("MLP 3-4-4-1 x7", mlp()),
    ]
    header = f"{'workspace':<17}{'values':>7}{'nodes':>7}{'copies':>7}"
    header += "".join(f"{column:>10}" for column in ("source", "dot", "parse", "scene", "edit", "total"))
    print(header + "   (seconds, median)")
    ui_notes: list[str] = []
    for title, document in workspaces:
        view = GraphView(document)
        view.resize(1200, 700)
        times: dict[str, list[float]] = {key: [] for key in ("source", "dot", "parse", "scene", "edit")}
        result = None
        longest_item = longest_show = 0.0
        for _ in range(args.repeat):
            seconds, source = timed(lambda d=document: render.build_dot_source(d))
            times["source"].append(seconds)
            assert isinstance(source, str)
            seconds, raw = timed(
                lambda s=source: render._run([render.find_dot(), "-Tjson0"], s.encode(), render.LAYOUT_TIMEOUT)
            )
            times["dot"].append(seconds)
            seconds, result = timed(lambda r=raw: render.parse_layout(r))  # type: ignore[misc]
            times["parse"].append(seconds)
            picture = Picture(view, result)  # type: ignore[arg-type]
            build_start = step_start = time.perf_counter()
            for _ in picture.build(font, metrics):
                now = time.perf_counter()
                longest_item = max(longest_item, now - step_start)
                step_start = now
            built = time.perf_counter() - build_start
            seconds, _ = timed(lambda p=picture, v=view: v._show_picture(p))
            times["scene"].append(built + seconds)
            longest_show = max(longest_show, seconds)
            leaf = document.names[0]
            seconds, _ = timed(lambda d=document, n=leaf: d.set_leaf_data(n, d.data(n) + 0.125))
            times["edit"].append(seconds)
        assert isinstance(result, render.Layout)
        copies = sum(1 for node in result.nodes if node.kind == "copy")
        medians = {key: statistics.median(values) for key, values in times.items()}
        row = f"{title:<17}{len(document):>7}{len(result.nodes):>7}{copies:>7}"
        row += "".join(f"{medians[key]:>10.3f}" for key in times) + f"{sum(medians.values()):>10.3f}"
        print(row)
        ui_notes.append(
            f"  {title}: longest single item {longest_item * 1000:.1f} ms, "
            f"showing the finished picture {longest_show * 1000:.1f} ms"
        )
        view.deleteLater()
        app.processEvents()
    chain = shared_chain(40)
    for split, label in ((None, "with copies"), (False, "without copies")):
        source = render.build_dot_source(chain, split_shared=split)
        try:
            seconds, _ = timed(lambda s=source: render.layout(s, timeout=60))
            print(f"chain 40 steps ({len(chain)} values) {label}: dot + parse {seconds:.3f} s")
        except render.RenderError as error:
            print(f"chain 40 steps ({len(chain)} values) {label}: {error}")
    print(f"UI thread while a picture is built (in slices of {BUILD_SLICE_S * 1000:.0f} ms between events):")
    print("\n".join(ui_notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
