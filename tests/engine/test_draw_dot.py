"""draw_dot: the lecture's picture as exact DOT text, stable ids, one edge per use, labels that survive Graphviz."""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

from engine import Value, draw_dot, escape_record_text, op_symbol, trace
from tests.engine.test_backward import lecture

GRAPHVIZ_PURE = Path(sys.executable).parent / "graphviz-pure"

LECTURE_DOT = """\
digraph {
\tgraph [rankdir=LR]
\tv0 [label="{ a | data 2.0000 | grad 6.0000 }" shape=record]
\tv1 [label="{ b | data -3.0000 | grad -4.0000 }" shape=record]
\tv2 [label="{ e | data -6.0000 | grad -2.0000 }" shape=record]
\tv2_op [label="*"]
\tv2_op -> v2
\tv3 [label="{ c | data 10.0000 | grad -2.0000 }" shape=record]
\tv4 [label="{ d | data 4.0000 | grad -2.0000 }" shape=record]
\tv4_op [label="+"]
\tv4_op -> v4
\tv5 [label="{ f | data -2.0000 | grad 4.0000 }" shape=record]
\tv6 [label="{ L | data -8.0000 | grad 1.0000 }" shape=record]
\tv6_op [label="*"]
\tv6_op -> v6
\tv0 -> v2_op
\tv1 -> v2_op
\tv2 -> v4_op
\tv3 -> v4_op
\tv4 -> v6_op
\tv5 -> v6_op
}
"""

REUSE_DOT = """\
digraph {
\tgraph [rankdir=LR]
\tv0 [label="{ a | data 3.0000 | grad 2.0000 }" shape=record]
\tv1 [label="{ b | data 6.0000 | grad 1.0000 }" shape=record]
\tv1_op [label="+"]
\tv1_op -> v1
\tv0 -> v1_op
\tv0 -> v1_op
}
"""

ESCAPED_DOT = """\
digraph {
\tgraph [rankdir=TB]
\tv0 [label="{ we\\{ir\\}d\\|\\<n\\> \\"q\\" \\\\N &amp; more | data 1.5000 | grad 3.0000 }" shape=record]
\tv1 [label="{ y | data 2.2500 | grad 1.0000 }" shape=record]
\tv1_op [label="**2"]
\tv1_op -> v1
\tv0 -> v1_op
}
"""

WEIRD = 'we{ir}d|<n> "q" \\N & more'


def reuse() -> Value:
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    return b


def weird() -> Value:
    x = Value(1.5, label=WEIRD)
    y = x**2
    y.label = "y"
    return y


def render_svg_texts(dot: graphviz.Digraph) -> list[str]:
    """The text of every <text> element of the SVG that the bundled graphviz-pure draws."""
    result = subprocess.run([str(GRAPHVIZ_PURE), "-Tsvg"], input=dot.source.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    svg = ET.fromstring(result.stdout)
    return [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_lecture_graph_gives_the_golden_dot_text():
    """The lecture's L = (a*b + c) * f after backward draws exactly the lecture's records, ops and edges."""
    v = lecture()
    v["L"].backward()
    dot = draw_dot(v["L"])
    assert isinstance(dot, graphviz.Digraph)
    assert dot.source == LECTURE_DOT


def test_a_value_used_twice_draws_two_edges():
    """`b = a + a` draws two edges from a into the + node."""
    b = reuse()
    b.backward()
    assert draw_dot(b).source == REUSE_DOT


def test_an_awkward_label_is_escaped_in_the_dot_text():
    """Braces, bars, angle brackets, quotes, backslashes and & in a label are escaped for the record."""
    y = weird()
    y.backward()
    assert draw_dot(y, rankdir="TB").source == ESCAPED_DOT


@pytest.mark.parametrize(
    "label",
    [WEIRD, "{a|b}", "<port>", 'say "hi"', "back\\slash", "ends with \\", "\\n \\l \\r \\G", "&lt; &amp;", "λ→∂ é"],
)
def test_escaped_labels_render_as_typed(label):
    """graphviz-pure renders the escaped label, and the SVG shows the original characters."""
    texts = render_svg_texts(draw_dot(Value(1.0, label=label)))
    assert texts == [label, "data 1.0000", "grad 0.0000"]


def test_line_breaks_in_a_label_become_spaces():
    """A newline or tab cannot break the record: it shows as a space."""
    assert escape_record_text("two\nlines\there") == "two lines here"
    assert render_svg_texts(draw_dot(Value(1.0, label="two\r\nlines")))[0] == "two lines"


def test_ids_are_stable_and_independent_of_id():
    """Two separately built equal graphs draw the same text, with no object address in it."""
    first, second = lecture(), lecture()
    text = draw_dot(first["L"]).source
    assert text == draw_dot(second["L"]).source
    assert str(id(first["L"])) not in text


def test_every_op_is_one_node_with_its_symbol():
    """An op node shows the op's symbol; ** shows its exponent."""
    a, b = Value(2.0, label="a"), Value(0.5, label="b")
    outs = [a + b, a - b, a * b, a / b, -a, a**2, a**-0.5, a.tanh(), a.exp(), a.log(), a.relu()]
    assert [op_symbol(o) for o in outs] == ["+", "-", "*", "/", "-", "**2", "**-0.5", "tanh", "exp", "log", "relu"]
    source = draw_dot(outs).source
    for i, symbol in enumerate(["+", "-", "*", "/", "-", "**2", "**-0.5"]):
        assert f'[label="{symbol}"]' in source, i
    for name in ("tanh", "exp", "log", "relu"):
        assert f"[label={name}]" in source


def test_several_roots_share_their_common_values():
    """draw_dot of a list of roots draws each Value once."""
    a = Value(1.0, label="a")
    s, t = a * 2, a + 1
    nodes, edges = trace([s, t])
    assert nodes.count(a) == 1 and len(nodes) == 5
    assert len(edges) == 4
    assert draw_dot([s, t]).source.count('label="{ a |') == 1


def test_trace_takes_one_root_like_the_lecture():
    """trace(root) accepts a single Value, as in the lecture, and lists one edge per operand use."""
    b = reuse()
    nodes, edges = trace(b)
    assert [n.label for n in nodes] == ["a", "b"]
    assert edges == [(nodes[0], b), (nodes[0], b)]


def test_rankdir_is_checked():
    """Only Graphviz's rank directions are accepted."""
    assert "rankdir=TB" in draw_dot(reuse(), rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB, RL, BT"):
        draw_dot(reuse(), rankdir="sideways")


def test_only_values_can_be_drawn():
    """Drawing something that is not a Value is a TypeError naming what it got."""
    with pytest.raises(TypeError, match="expected Values to draw, got float"):
        draw_dot([reuse(), 2.0])  # type: ignore[list-item]


def test_a_huge_number_is_labelled_in_exponent_notation():
    """A Value of 1e300 is labelled `data 1.0000e+300`, not with 300 digits; small numbers keep %.4f."""
    source = draw_dot(Value(1e300, label="x") * 2).source
    assert "data 1.0000e+300" in source and "data 2.0000e+300" in source
    assert "data 2.0000 " in draw_dot(Value(2.0, label="y")).source


def test_a_negative_zero_shows_as_zero():
    """`-a` at a = 0 is -0.0 in floats; the lecture's record shows it as 0.0000, not -0.0000."""
    a = Value(0.0, label="a")
    m = -a
    m.label = "m"
    assert math.copysign(1.0, m.data) == -1.0
    assert "m | data 0.0000 | grad 0.0000" in draw_dot(m).source
