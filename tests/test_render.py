"""render.py: finding dot, the DOT text, bounded layouts, parsing, exports."""

from __future__ import annotations

import html
import os
import re
import stat
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import engine.graph
from micrograd_gui import document as document_module
from micrograd_gui import render
from micrograd_gui.document import Definition, Document
from micrograd_gui.render import RenderError
from tests.workspaces import LECTURE, NEURON, shared_chain_definitions


def make_document(definitions, backward_from=None):
    document = Document()
    document.replace_definitions(definitions)
    if backward_from:
        document.backward(backward_from)
    return document


def shared_chain(steps, leaves=8):
    """v = v*w_i + w_j over `leaves` shared leaves: 2*steps + leaves + 1 values."""
    return make_document(shared_chain_definitions(steps, leaves))


def fake_dot(tmp_path: Path, body: str, name: str = "fake-dot") -> str:
    """An executable shell script standing in for dot."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


def edges_of(source: str) -> list[tuple[str, str]]:
    return re.findall(r'^\s*"([^"]+)" -> "([^"]+)";$', source, flags=re.MULTILINE)


# ---- finding dot ---------------------------------------------------------------------


def test_find_dot_prefers_the_environment_variable(tmp_path, monkeypatch):
    """MICROGRAD_GUI_DOT wins over a dot on PATH."""
    configured = fake_dot(tmp_path, "exit 0\n", "my-dot")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    fake_dot(on_path, "exit 0\n", "dot")
    monkeypatch.setenv("PATH", str(on_path))
    monkeypatch.setenv("MICROGRAD_GUI_DOT", configured)
    assert render.find_dot() == configured


def test_find_dot_uses_dot_on_path_before_the_bundled_one(tmp_path, monkeypatch):
    """Without the variable, a system dot on PATH is used."""
    on_path = tmp_path / "bin"
    on_path.mkdir()
    system_dot = fake_dot(on_path, "exit 0\n", "dot")
    monkeypatch.delenv("MICROGRAD_GUI_DOT", raising=False)
    monkeypatch.setenv("PATH", str(on_path))
    assert render.find_dot() == system_dot


def test_find_dot_falls_back_to_the_bundled_graphviz_pure(tmp_path, monkeypatch):
    """With no variable and no dot on PATH, the graphviz-pure next to Python is used."""
    monkeypatch.delenv("MICROGRAD_GUI_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = render.find_dot()
    assert Path(found).name.startswith("graphviz-pure")
    assert os.access(found, os.X_OK)


def test_find_dot_reports_a_missing_graphviz(tmp_path, monkeypatch):
    """No dot anywhere: a RenderError that tells the user what to install."""
    monkeypatch.delenv("MICROGRAD_GUI_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(engine.graph.sysconfig, "get_path", lambda *args, **kwargs: str(tmp_path))
    with pytest.raises(RenderError, match="Graphviz was not found.*graphviz-pure"):
        render.find_dot()


def test_find_dot_reports_a_wrong_environment_variable(tmp_path, monkeypatch):
    """MICROGRAD_GUI_DOT naming nothing is reported, not silently ignored."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", str(tmp_path / "no-such-dot"))
    with pytest.raises(RenderError, match="MICROGRAD_GUI_DOT"):
        render.find_dot()


def test_describe_dot_names_the_bundled_graphviz_pure():
    """Help > About learns the bundled graphviz-pure's version and path."""
    description = render.describe_dot()
    assert re.match(r"graphviz-pure \d+\.\d+\.\d+ \(bundled\), ", description)
    assert description.endswith(render.find_dot())


def test_describe_dot_reads_a_system_graphviz_version(tmp_path, monkeypatch):
    """A Graphviz that prints its version on stderr is described by that version."""
    dot = fake_dot(tmp_path, 'echo "dot - graphviz version 2.43.0 (0)" >&2\n')
    monkeypatch.setenv("MICROGRAD_GUI_DOT", dot)
    assert render.describe_dot() == f"Graphviz 2.43.0, {dot}"


# ---- the DOT text ----------------------------------------------------------------------


def test_dot_source_draws_the_lecture_graph():
    """One record per value, one op node per op, edges operand -> op -> result."""
    source = render.build_dot_source(make_document(LECTURE, backward_from="L"))
    assert '"v_a" [label="{ a | data 2.0000 | grad 6.0000 }"];' in source
    assert '"v_L" [label="{ L | data -8.0000 | grad 1.0000 }"];' in source
    assert '"o_e" [label="*", shape=ellipse];' in source
    assert '"o_d" [label="+", shape=ellipse];' in source
    assert sorted(edges_of(source)) == sorted(
        [
            ("v_a", "o_e"),
            ("v_b", "o_e"),
            ("o_e", "v_e"),
            ("v_e", "o_d"),
            ("v_c", "o_d"),
            ("o_d", "v_d"),
            ("v_d", "o_L"),
            ("v_f", "o_L"),
            ("o_L", "v_L"),
        ]
    )
    assert "rankdir=LR" in source
    assert 'fontname="DejaVu Sans"' in source
    assert "dashed" not in source


def test_dot_source_draws_one_edge_per_operand_use():
    """`b = a + a` draws two edges from a, as the engine's draw_dot does."""
    source = render.build_dot_source(make_document([Definition("a", data=3.0), Definition("b", "+", ("a", "a"))]))
    assert edges_of(source).count(("v_a", "o_b")) == 2
    assert "dashed" not in source


def test_dot_source_of_the_neuron_has_no_copies_and_shows_ops():
    """The tanh neuron looks as in the lecture: no dashed copies, a tanh op node."""
    source = render.build_dot_source(make_document(NEURON, backward_from="o"))
    assert '"o_o" [label="tanh", shape=ellipse];' in source
    assert source.count("shape=ellipse") == 5
    assert "dashed" not in source


def test_dot_source_root_keeps_only_what_feeds_it():
    """root='e' draws a, b and e, nothing downstream or unrelated."""
    source = render.build_dot_source(make_document(LECTURE), root="e")
    ids = set(re.findall(r'^\s*"(v_\w+)" \[', source, flags=re.MULTILINE))
    assert ids == {"v_a", "v_b", "v_e"}


def test_dot_source_top_to_bottom_keeps_cells_side_by_side():
    """In TB a record is `name | data | grad` without braces, so its cells stay in a row."""
    source = render.build_dot_source(make_document(LECTURE), rankdir="TB")
    assert "rankdir=TB" in source
    assert '"v_a" [label="a | data 2.0000 | grad 0.0000"];' in source


def test_dot_source_refuses_a_bad_direction_or_root():
    """A bad rankdir or an unknown root is a RenderError, not a broken picture."""
    document = make_document(LECTURE)
    with pytest.raises(RenderError, match="LR"):
        render.build_dot_source(document, rankdir="RL")
    with pytest.raises(RenderError, match="'zz' does not exist"):
        render.build_dot_source(document, root="zz")


def test_dot_source_of_an_empty_workspace_is_a_valid_graph():
    """An empty workspace still lays out (to an empty picture)."""
    result = render.layout(render.build_dot_source(Document()), timeout=20)
    assert result.nodes == () and result.edges == ()


def test_node_ids_round_trip():
    """Node ids name their value and their kind, whatever the name holds."""
    for name in ("a", "x_1", "c_3", "v_v"):
        assert render.parse_node_id(render.value_id(name)) == ("value", name)
        assert render.parse_node_id(render.op_id(name)) == ("op", name)
        assert render.parse_node_id(render.copy_id(name, 7)) == ("copy", name)


def test_shared_leaves_of_a_long_chain_become_dashed_copies():
    """The 100-step shared-leaf chain splits its leaves into copies and lays out."""
    document = shared_chain(100)
    assert len(document) == 209
    source = render.build_dot_source(document)
    assert source.count("style=dashed") > 100
    result = render.layout(source, timeout=30)
    values = result.value_names()
    assert sorted(values) == sorted(document.names)
    copies = [node for node in result.nodes if node.kind == "copy"]
    assert copies and all(node.dashed for node in copies)
    assert {node.name for node in copies} <= {f"w{i}" for i in range(8)}
    assert len(result.edges) == 3 * 200  # two operand uses and one op -> value edge per op


def test_a_shared_computed_value_is_split_too_and_keeps_its_op():
    """A computed value used by every step of a long chain gets copies; its own op edge stays."""
    definitions = [Definition("p", data=0.5), Definition("q", data=0.5), Definition("s", "*", ("p", "q"))]
    definitions.append(Definition("v0", data=1.0))
    for k in range(60):
        definitions.append(Definition(f"v{k + 1}", "+", (f"v{k}", "s")))
    document = make_document(definitions)
    assert render.shared_values_to_split(document, document.names) == {"s"}
    source = render.build_dot_source(document)
    edges = edges_of(source)
    assert ("o_s", "v_s") in edges and ("v_s", "o_v1") in edges
    assert sum(1 for tail, head in edges if tail.startswith("c_s_")) == 59


def test_short_shared_uses_keep_their_edges():
    """Values reused a few ranks apart, however many, are never copied."""
    definitions = [Definition("x0", data=1.0), Definition("x1", data=2.0)]
    for i in range(2, 400):
        definitions.append(Definition(f"x{i}", "-", (f"x{i - 1}", f"x{i - 2}")))
    assert "dashed" not in render.build_dot_source(make_document(definitions))


def test_split_shared_can_be_forced_either_way():
    """split_shared=True copies every reused value; False never copies."""
    document = make_document([Definition("a", data=3.0), Definition("b", "+", ("a", "a"))])
    forced = render.build_dot_source(document, split_shared=True)
    assert forced.count("style=dashed") == 1
    assert "dashed" not in render.build_dot_source(shared_chain(100), split_shared=False)


# ---- layout --------------------------------------------------------------------------


def test_layout_parses_nodes_fields_and_edges():
    """The lecture layout has 7 records with 3 cells each, 3 ops and 9 bezier edges inside the box."""
    result = render.layout(render.build_dot_source(make_document(LECTURE, backward_from="L")), timeout=20)
    records = [node for node in result.nodes if node.kind == "value"]
    ops = [node for node in result.nodes if node.kind == "op"]
    assert [node.name for node in records] == ["a", "b", "c", "e", "d", "f", "L"]
    assert sorted(node.name for node in ops) == ["L", "d", "e"]
    a = records[0]
    assert [field.text for field in a.fields] == ["a", "data 2.0000", "grad 6.0000"]
    x, y, w, h = a.rect
    assert a.shape == "record" and not a.dashed
    for field in a.fields:
        cx, cy, cw, ch = field.cell
        assert x - 0.5 <= cx and cx + cw <= x + w + 0.5 and cw > 0 and ch > 0
        assert y - 0.5 <= cy and cy + ch <= y + h + 0.5
    cells = [field.cell for field in a.fields]
    assert cells[0][0] < cells[1][0] < cells[2][0]  # side by side, in field order
    assert [round(sep[0][0], 2) for sep in a.separators] == [round(cells[1][0], 2), round(cells[2][0], 2)]
    assert ops[0].shape == "ellipse" and ops[0].fields[0].text in ("*", "+")
    assert len(result.edges) == 9
    for edge in result.edges:
        assert len(edge.path) >= 4 and (len(edge.path) - 1) % 3 == 0
        assert len(edge.arrow) >= 3
        for px, py in edge.path:
            assert -1 <= px <= result.width + 1 and -1 <= py <= result.height + 1
    ids = {node.id for node in result.nodes}
    assert all(edge.tail in ids and edge.head in ids for edge in result.edges)


def test_layout_reads_the_full_json_output_too():
    """parse_layout also reads `dot -Tjson` (the attributes it needs are in both)."""
    source = render.build_dot_source(make_document(LECTURE))
    full = render._run([render.find_dot(), "-Tjson"], source.encode(), 20)
    compact = render._run([render.find_dot(), "-Tjson0"], source.encode(), 20)
    assert render.parse_layout(full) == render.parse_layout(compact)


def test_record_fields_are_unescaped():
    """Record labels split on unescaped bars; escapes read as the character."""
    assert render.record_fields("{ a | data 2.0000 | grad -1.0000 }") == ["a", "data 2.0000", "grad -1.0000"]
    assert render.record_fields(r"x\|y | \{z\}") == ["x|y", "{z}"]


def test_layout_top_to_bottom_stacks_ranks_vertically():
    """In TB the result is below its operands."""
    result = render.layout(render.build_dot_source(make_document(LECTURE), rankdir="TB"), timeout=20)
    rects = {node.name: node.rect for node in result.nodes if node.kind == "value"}
    assert rects["L"][1] > rects["d"][1] > rects["e"][1] > rects["a"][1]
    assert len({round(r[2], 1) for r in rects.values()}) > 1


def test_a_failing_dot_is_a_render_error(tmp_path, monkeypatch):
    """A dot that exits 1 gives its own first line of stderr in the message."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, 'echo "Error: syntax error in line 1" >&2\nexit 1\n'))
    with pytest.raises(RenderError, match=r"exit code 1\): Error: syntax error in line 1"):
        render.layout("digraph {}", timeout=10)


def test_a_crashing_dot_is_a_render_error(tmp_path, monkeypatch):
    """A dot killed by a signal is reported as a crash, naming the signal."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, "kill -SEGV $$\n"))
    with pytest.raises(RenderError, match="crashed.*SIGSEGV"):
        render.layout("digraph {}", timeout=10)


def test_a_slow_dot_is_stopped_at_the_timeout(tmp_path, monkeypatch):
    """A dot that never finishes is killed (with its children) and reported, promptly."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, "sleep 60\n"))
    started = time.monotonic()
    with pytest.raises(RenderError, match="within 0.5 s"):
        render.layout("digraph {}", timeout=0.5)
    assert time.monotonic() - started < 30  # not the script's 60 s: its sleeping child was killed too


def test_garbage_output_is_a_render_error(tmp_path, monkeypatch):
    """Output that is not Graphviz JSON is reported, not a crash of the app."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, 'cat > /dev/null\necho "not json"\n'))
    with pytest.raises(RenderError, match="cannot read"):
        render.layout("digraph {}", timeout=10)


def test_a_missing_executable_is_a_render_error(tmp_path, monkeypatch):
    """A dot that exists but cannot run is reported."""
    not_executable = tmp_path / "dot"
    not_executable.write_text("")
    not_executable.chmod(0o755)
    monkeypatch.setenv("MICROGRAD_GUI_DOT", str(not_executable))
    with pytest.raises(RenderError, match="cannot run Graphviz"):
        render.layout("digraph {}", timeout=10)


# ---- the background worker ----------------------------------------------------------


def test_worker_supersedes_an_older_request_and_kills_its_dot(qtbot, tmp_path, monkeypatch):
    """A newer request wins: the older dot is killed and its result never arrives."""
    pid_file = tmp_path / "slow.pid"
    real = render.find_dot()
    script = f"""\
        input=$(cat)
        case "$input" in
          *slow*) echo $$ > "{pid_file}"; sleep 60 ;;
        esac
        printf '%s' "$input" | exec "{real}" "$@"
        """
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, script))
    worker = render.LayoutWorker(timeout=30)
    results, failures = [], []
    worker.finished.connect(lambda generation, layout: results.append((generation, layout)))
    worker.failed.connect(lambda generation, message: failures.append((generation, message)))
    worker.request("digraph { slow -> x }\n")
    qtbot.waitUntil(pid_file.exists, timeout=5000)
    pid = int(pid_file.read_text())
    newest = worker.request('digraph { "v_a" [label="{ a | data 1.0000 | grad 0.0000 }", shape=record] }\n')
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    qtbot.wait(100)
    assert [generation for generation, _ in results] == [newest]
    assert results[0][1].value_names() == ["a"]
    assert failures == []
    qtbot.waitUntil(lambda: not _running(pid), timeout=5000)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_worker_can_hand_back_dot_output_to_parse_in_steps(qtbot):
    """With parse=False the worker emits dot's output; parse_layout_steps reads it a slice at a time."""
    worker = render.LayoutWorker(timeout=20, parse=False)
    source = render.build_dot_source(make_document(LECTURE))
    with qtbot.waitSignal(worker.finished, timeout=20000) as blocker:
        worker.request(source)
    output = blocker.args[1]
    assert isinstance(output, bytes)
    steps = render.parse_layout_steps(output)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result = done.value
            break
    assert result == render.parse_layout(output)
    assert result.value_names() == ["a", "b", "c", "e", "d", "f", "L"]


def test_worker_reports_failures_as_messages(qtbot, tmp_path, monkeypatch):
    """A failing dot reaches the window as failed(generation, message)."""
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, "exit 3\n"))
    worker = render.LayoutWorker(timeout=10)
    with qtbot.waitSignal(worker.failed, timeout=10000) as blocker:
        generation = worker.request("digraph {}")
    assert blocker.args[0] == generation
    assert "exit code 3" in blocker.args[1]


# ---- export ---------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_export_svg_holds_every_label_and_number(tmp_path):
    """The SVG names every value and shows its data and grad."""
    document = make_document(LECTURE, backward_from="L")
    out = tmp_path / "lecture.svg"
    render.export(document, out)
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert "<svg" in text
    assert 'font-family="DejaVu Sans,Arial,Helvetica,sans-serif"' in text
    for name in document.names:
        assert f">{name}</text>" in text
        assert "data %.4f" % document.data(name) in text
        assert "grad %.4f" % document.grad(name) in text


def test_export_png_is_crisp_at_the_scale_asked(qapp, tmp_path):
    """A PNG at scale 2 has twice the pixels per side of one at scale 1."""
    document = make_document(LECTURE, backward_from="L")
    render.export(document, tmp_path / "one.png", scale=1.0)
    render.export(document, tmp_path / "two.png")
    w1, h1 = png_size(tmp_path / "one.png")
    w2, h2 = png_size(tmp_path / "two.png")
    assert w1 > 400 and abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2


def test_export_png_draws_dark_text_on_white(qapp, tmp_path):
    """The PNG is not blank: white background with dark strokes and text."""
    from PySide6.QtGui import QImage

    out = tmp_path / "neuron.png"
    render.export(make_document(NEURON, backward_from="o"), out)
    image = QImage(str(out))
    assert not image.isNull()
    assert image.pixelColor(0, 0).name() == "#ffffff"
    dark = sum(
        1
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert dark > 500


def test_export_pdf_without_dot_pdf_is_vector_through_qt(qapp, tmp_path):
    """graphviz-pure has no PDF: the SVG goes through Qt into a PDF."""
    assert not render._supports_format("pdf")
    out = tmp_path / "lecture.pdf"
    render.export(make_document(LECTURE, backward_from="L"), out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/Subtype /Image" not in data  # vector, not a raster
    assert b"/FontFile2" in data  # real text, with its font embedded


def test_export_pdf_uses_dot_when_it_can(tmp_path, monkeypatch):
    """A dot that writes PDF itself is asked for it."""
    script = """\
        case "$1" in
          "-T?") echo 'Format: "?" not recognized. Use one of: dot pdf:cairo png svg' >&2; exit 1 ;;
          -Tpdf) cat > /dev/null; printf '%%PDF-1.5 from dot' ;;
          *) exit 2 ;;
        esac
        """
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, script))
    out = tmp_path / "lecture.pdf"
    render.export(make_document(LECTURE), out)
    assert out.read_bytes() == b"%PDF-1.5 from dot"


def test_pdf_support_is_read_from_a_long_format_list(tmp_path, monkeypatch):
    """A full Graphviz lists dozens of formats on -T?; pdf is found anywhere in that list."""
    many = " ".join(f"fmt{i}:core" for i in range(200))
    script = f"""\
        echo 'Format: "?" not recognized. Use one of: {many} pdf:cairo png:cairo' >&2
        exit 1
        """
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, script))
    assert render._supports_format("pdf")
    assert not render._supports_format("gif")


def test_export_works_headless_without_any_qt_setup(tmp_path):
    """A fresh process with no display and no QT_QPA_PLATFORM exports PNG and PDF (the command line's case)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    code = textwrap.dedent(
        f"""\
        from micrograd_gui import render
        from micrograd_gui.document import Document
        d = Document()
        d.add_leaf("a", 2.0)
        d.add_op("b", "tanh", ["a"])
        render.export(d, {str(tmp_path / "out.png")!r})
        render.export(d, {str(tmp_path / "out.pdf")!r})
        """
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "out.pdf").read_bytes()[:4] == b"%PDF"


def test_export_dot_writes_the_source(tmp_path):
    """A .dot export is the DOT text, in the chosen direction."""
    document = make_document(LECTURE)
    out = tmp_path / "lecture.dot"
    render.export(document, out, rankdir="TB")
    assert out.read_text(encoding="utf-8") == render.build_dot_source(document, rankdir="TB")


def test_export_refuses_an_unknown_format(tmp_path):
    """A .jpg is refused with the formats that work; nothing is written."""
    with pytest.raises(RenderError, match=r"\.svg \.png \.pdf \.dot"):
        render.export(make_document(LECTURE), tmp_path / "picture.jpg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_failed_export_leaves_the_existing_file_alone(qapp, tmp_path, monkeypatch, suffix):
    """When dot fails, an existing file keeps its bytes and no temporary file is left."""
    out = tmp_path / f"picture{suffix}"
    out.write_bytes(b"previous picture")
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, "exit 1\n", "broken-dot"))
    with pytest.raises(RenderError):
        render.export(make_document(LECTURE), out)
    assert out.read_bytes() == b"previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken-dot", out.name]


def test_export_into_a_missing_folder_is_a_render_error(tmp_path):
    """A folder that does not exist gives a clear message."""
    with pytest.raises(RenderError, match="cannot write"):
        render.export(make_document(LECTURE), tmp_path / "missing" / "out.svg")


def test_export_replaces_an_existing_file_whole(qapp, tmp_path):
    """A successful export replaces the old file and keeps its permissions."""
    out = tmp_path / "lecture.png"
    out.write_bytes(b"old")
    out.chmod(0o640)
    render.export(make_document(LECTURE), out)
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture.png"]


def test_awkward_names_are_drawn_as_typed(monkeypatch):
    """The picture does not rely on names being identifiers: record specials and backslashes show as typed."""
    name = 'a{b}|c<d>"e\\f'
    monkeypatch.setattr(document_module, "check_name", lambda text: None)
    source = render.build_dot_source(make_document([Definition(name, data=2.0)]))
    svg = subprocess.run(
        [render.find_dot(), "-Tsvg"], input=source.encode(), capture_output=True, check=True, timeout=30
    ).stdout.decode()
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert texts == [name, "data 2.0000", "grad 0.0000"]


def test_values_read_in_creation_order_from_the_top():
    """Leaves a, b, c (and a separate a * b between them) stack top to bottom in the order they were
    made, left to right when laid out top to bottom; the lecture's graph keeps its picture."""
    document = Document()
    document.replace_definitions(
        [
            Definition("g", data=1.0),
            Definition("a", data=2.0),
            Definition("b", data=3.0),
            Definition("e", "*", ("a", "b")),
            Definition("h", data=4.0),
        ]
    )

    def centres(rankdir: str) -> dict[str, tuple[float, float]]:
        laid_out = render.layout(render.build_dot_source(document, rankdir=rankdir))
        return {
            node.name: (node.rect[0] + node.rect[2] / 2, node.rect[1] + node.rect[3] / 2)
            for node in laid_out.nodes
            if node.kind == "value"
        }

    lr = centres("LR")
    assert lr["g"][1] < lr["a"][1] < lr["b"][1] < lr["h"][1]
    tb = centres("TB")
    assert tb["g"][0] < tb["a"][0] < tb["b"][0] < tb["h"][0]
    lecture = Document()
    lecture.replace_definitions(LECTURE)
    laid_out = render.layout(render.build_dot_source(lecture))
    y = {node.name: node.rect[1] for node in laid_out.nodes if node.kind == "value"}
    assert y["a"] < y["b"] and y["d"] < y["f"]


# ---- pictures too large or too small for their format --------------------------------------


def long_chain(steps: int) -> Document:
    """x, then v_i = tanh(v_{i-1}): a picture about 110 pt wider per step, left to right."""
    definitions = [Definition("x", data=0.5)]
    for i in range(1, steps + 1):
        definitions.append(Definition(f"v{i}", "tanh", (definitions[-1].name,)))
    return make_document(definitions)


def pdf_page_size(data: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)
    assert box is not None
    x1, y1, x2, y2 = (float(n) for n in box.groups())
    return x2 - x1, y2 - y1


def test_a_pdf_wider_than_a_pdf_page_may_be_is_scaled_down_and_says_so(qapp, tmp_path):
    """A graph beyond 14,400 pt (the largest page most viewers open) gets a page within it, and a note."""
    document = long_chain(80)
    svg = tmp_path / "chain.svg"
    render.export(document, svg)
    width = float(re.search(rb'<svg width="([\d.]+)pt"', svg.read_bytes()).group(1))
    assert width > render.MAX_PDF_SIDE
    out = tmp_path / "chain.pdf"
    note = render.export(document, out)
    page_width, page_height = pdf_page_size(out.read_bytes())
    assert page_width <= render.MAX_PDF_SIDE + 0.5 and page_width >= render.MAX_PDF_SIDE - 2
    assert note == (
        f"the graph was scaled down to {render.MAX_PDF_SIDE / width:.0%} to fit a PDF page of at most 14,400 pt"
        " a side, the largest most viewers open"
    )
    assert render.export(make_document(LECTURE), tmp_path / "lecture.pdf") is None  # a small one is left as it is


def test_dot_s_own_pdf_is_kept_within_a_pdf_page_and_says_so(tmp_path, monkeypatch):
    """A dot that writes PDF is given a size limit, and a page at that limit is reported as scaled down."""
    script = """\
        case "$1" in
          "-T?") echo 'Format: "?" not recognized. Use one of: dot pdf:cairo png svg' >&2; exit 1 ;;
          -Tpdf) cat > /dev/null; printf '%%PDF-1.5 %s /MediaBox [ 0 0 14328 310 ] ' "$2" ;;
          *) exit 2 ;;
        esac
        """
    monkeypatch.setenv("MICROGRAD_GUI_DOT", fake_dot(tmp_path, script))
    out = tmp_path / "chain.pdf"
    note = render.export(make_document(LECTURE), out)
    assert out.read_bytes() == b"%PDF-1.5 -Gsize=199,199 /MediaBox [ 0 0 14328 310 ] "
    assert note is not None and note.startswith("the graph was scaled down to fit a PDF page of at most 14,400 pt")


def test_a_png_scaled_down_to_its_limits_says_so(qapp, tmp_path, monkeypatch):
    """The PNG's size limits lower the scale asked for: the export says to what."""
    monkeypatch.setattr(render, "MAX_PNG_SIDE", 300)
    out = tmp_path / "lecture.png"
    note = render.export(make_document(LECTURE), out, scale=2.0)
    width, height = png_size(out)
    assert max(width, height) <= 300
    assert note is not None and re.fullmatch(
        r"the PNG was drawn at scale 0\.\d+ instead of 2, to stay within 300 pixels a side and 60 megapixels", note
    )
    assert render.export(make_document(LECTURE), out, scale=1.0) is not None
    monkeypatch.undo()
    assert render.export(make_document(LECTURE), out, scale=2.0) is None


@pytest.mark.parametrize("scale", [1e-300, 1e-3])
def test_a_scale_that_makes_the_png_a_speck_is_refused(qapp, tmp_path, scale):
    """--scale 1e-300 made a 1x1 PNG: a scale under 16 pixels on the longer side is refused, nothing written."""
    out = tmp_path / "lecture.png"
    with pytest.raises(render.ScaleError, match=rf"^at scale {scale:g} the PNG would be 1 x 1 pixels; the scale"):
        render.export(make_document(LECTURE), out, scale=scale)
    assert list(tmp_path.iterdir()) == []
    assert render.export(make_document(LECTURE), out, scale=0.1) is None  # about 70 pixels wide: drawn


# ---- collapsed groups ----------------------------------------------------------------------------


def net_document(template: str = "o = MLP([x1, x2], [3, 1], seed=1)") -> Document:
    """x1, x2, a template over them and loss = (o - y)**2."""
    from micrograd_gui.expression import parse_expression
    from micrograd_gui.templates import build_net, parse_template

    document = Document()
    for name, data in [("x1", 0.5), ("x2", -1.0), ("y", 1.0)]:
        document.add_leaf(name, data)
    built = build_net(parse_template(template)[0], document)
    document.add_many(built.definitions, built.groups)
    document.add_many(parse_expression("loss = (o - y)**2", document))
    document.backward("loss")
    return document


def test_a_collapsed_neuron_is_one_node_with_its_outputs_numbers_and_edges_from_its_inputs():
    """Collapsed, a neuron is one rounded record `o_n1_1: tanh(w·x + b) | data | grad` of its output; each
    input draws one edge into it, its output one edge to each user; its members are not drawn."""
    document = net_document()
    neurons = [g.name for g in document.groups if g.kind == "neuron"]
    source = render.build_dot_source(document, collapsed=neurons)
    o = document.value("o")
    assert '"g_o_n3_1"' not in source  # an MLP of two layers has no third
    assert f'"g_o_n2_1" [label="{{ o: tanh(w·x + b) | data {o.data:.4f} | grad {o.grad:.4f} }}"' in source
    assert '"v_x1" -> "g_o_n1_1";' in source and '"v_x2" -> "g_o_n1_1";' in source
    assert source.count('-> "g_o_n2_1";') == 3  # from the three neurons of the first layer
    assert '"g_o_n2_1" -> "o_t1";' in source  # o - y
    assert "o_n1_1_w1" not in source and '"v_o"' not in source
    result = render.layout(source, timeout=20)
    groups = {node.name: node for node in result.nodes if node.kind == "group"}
    assert sorted(groups) == ["o_n1_1", "o_n1_2", "o_n1_3", "o_n2_1"]
    assert [field.text for field in groups["o_n2_1"].fields] == [
        "o: tanh(w·x + b)",
        f"data {o.data:.4f}",
        f"grad {o.grad:.4f}",
    ]
    ids = {node.id for node in result.nodes}
    assert all(edge.tail in ids and edge.head in ids for edge in result.edges)


def test_the_largest_collapsed_group_is_drawn_and_layers_and_nets_say_what_they_are():
    """Collapsing a net and its neurons draws the net alone, `o: MLP(2, [3, 1])`; a layer reads
    `o_l1: 3 tanh neurons`, a linear neuron `w·x + b`; expanded (nothing collapsed) nothing changes."""
    document = net_document()
    everything = [g.name for g in document.groups]
    source = render.build_dot_source(document, collapsed=everything)
    assert source.count('"g_') == source.count('"g_o"')
    assert '[label="{ o: MLP(2, [3, 1]) | data ' in source
    source = render.build_dot_source(document, collapsed=["o_l1"])
    assert '"g_o_l1" [label="{ o_l1: 3 tanh neurons }"' in source
    assert source.count('"g_o_l1" -> "o_o_n2_1_wx') == 3
    linear = net_document("o = Layer([x1, x2], 1, activation='linear', seed=2)")
    assert "o: w·x + b" in render.build_dot_source(linear, collapsed=["o_n1"])
    assert render.build_dot_source(document) == render.build_dot_source(document, collapsed=[])
    tb = render.build_dot_source(document, rankdir="TB", collapsed=["o_l1"])
    assert '[label="o_l1: 3 tanh neurons"' in tb
    assert render.parse_node_id("g_o_l1") == ("group", "o_l1")
