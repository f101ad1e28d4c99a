"""Pictures carry their workspace: an exported PNG or SVG reopens as it; a picture without one, or a damaged
or hostile one, gives one clear message."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from micrograd_gui import render
from micrograd_gui.document import Document
from micrograd_gui.picture_workspace import (
    KEYWORD,
    NO_WORKSPACE,
    PictureError,
    embed_in_png,
    embed_in_svg,
    text_from_png,
    text_from_svg,
)
from micrograd_gui.workspace_file import WorkspaceFileError, document_text, loads, read_workspace
from tests.workspaces import LECTURE, NEURON

TEXT = '{"format": "micrograd-gui-workspace", "values": [{"name": "\\u03b1", "data": 2.0}], "note": "<&>"}'


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def tiny_png() -> bytes:
    """A 1 x 1 white PNG, made by hand."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def document(definitions=LECTURE, root="L") -> Document:
    doc = Document()
    doc.replace_definitions(definitions)
    doc.backward(root)
    return doc


def test_png_text_goes_in_and_comes_out():
    """The text survives a PNG, which still reads as the same picture."""
    png = embed_in_png(tiny_png(), TEXT)
    assert text_from_png(png) == TEXT
    image = QImage.fromData(png, "PNG")
    assert not image.isNull() and image.width() == 1


def test_svg_text_goes_in_and_comes_out_escaped():
    """`<`, `&` and `>` in the text are escaped in the SVG and read back as themselves."""
    svg = b'<?xml version="1.0"?>\n<svg width="10pt" height="10pt" xmlns="http://www.w3.org/2000/svg">\n<g/></svg>\n'
    embedded = embed_in_svg(svg, TEXT)
    assert b"&lt;&amp;&gt;" in embedded
    assert text_from_svg(embedded) == TEXT


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_an_exported_picture_reopens_as_its_workspace(tmp_path, suffix):
    """Export the lecture (after backward) as a picture; reading the picture gives the workspace back."""
    doc = document()
    path = tmp_path / f"lecture{suffix}"
    render.export(doc, path)
    workspace = read_workspace(path)
    assert workspace.definitions == tuple(LECTURE)
    assert workspace.backward_from == "L"
    assert workspace == loads(document_text(doc))


def test_a_picture_of_part_of_the_graph_still_carries_the_whole_workspace(tmp_path):
    """`--root` draws only what feeds a value; the picture still reopens as everything."""
    doc = document(NEURON, "o")
    path = tmp_path / "part.svg"
    render.export(doc, path, root="x1w1")
    assert read_workspace(path).definitions == tuple(NEURON)


def test_the_exported_svg_is_still_a_picture_qt_can_draw(tmp_path):
    """The metadata element leaves the SVG valid: Qt's renderer reads it."""
    from PySide6.QtSvg import QSvgRenderer

    path = tmp_path / "lecture.svg"
    render.export(document(), path)
    assert QSvgRenderer(str(path)).isValid()


def test_the_command_line_turns_a_picture_back_into_code(tmp_path):
    """`micrograd-gui export lecture.png -o lecture.py`: a slide image back to a script that runs."""
    picture, script = tmp_path / "lecture.png", tmp_path / "lecture.py"
    render.export(document(), picture)
    cli = str(Path(sys.executable).parent / "micrograd-gui")
    done = subprocess.run([cli, "export", str(picture), "-o", str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert "a data=2.0000 grad=6.0000" in ran.stdout


def test_a_picture_without_a_workspace_says_so(tmp_path):
    """A PNG or SVG the app did not export opens nothing and says why."""
    (tmp_path / "photo.png").write_bytes(tiny_png())
    (tmp_path / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><metadata>x</metadata></svg>')
    for name in ("photo.png", "drawing.svg"):
        with pytest.raises(WorkspaceFileError, match=f"^{name}: {NO_WORKSPACE}$"):
            read_workspace(tmp_path / name)


def test_a_file_that_is_not_the_picture_its_name_says(tmp_path):
    """A .png that is JSON, an .svg that is a PNG: a clear message each."""
    (tmp_path / "fake.png").write_text("{}")
    (tmp_path / "fake.svg").write_bytes(tiny_png())
    with pytest.raises(WorkspaceFileError, match="fake.png: it is not a PNG picture"):
        read_workspace(tmp_path / "fake.png")
    with pytest.raises(WorkspaceFileError, match="fake.svg: it is not an SVG picture"):
        read_workspace(tmp_path / "fake.svg")


def with_chunk(kind: bytes, data: bytes, crc_ok: bool = True) -> bytes:
    png = tiny_png()
    made = chunk(kind, data)
    if not crc_ok:
        made = made[:-4] + bytes(4)
    return png[:33] + made + png[33:]


def test_damaged_pngs_are_refused_with_a_reason():
    """A wrong checksum, a chunk running past the end, a broken stream, a cut stream: one message each."""
    key = KEYWORD.encode() + b"\0"
    itxt = key + b"\x01\x00\0\0"
    cases = [
        (with_chunk(b"iTXt", itxt + zlib.compress(b"{}"), crc_ok=False), "checksum"),
        (tiny_png()[:33] + struct.pack(">I", 2**30) + b"iTXt" + key, "runs past the end"),
        (with_chunk(b"iTXt", itxt + b"not zlib"), "does not decompress"),
        (with_chunk(b"iTXt", itxt + zlib.compress(b"{}" * 1000)[:20]), "cut short"),
        (with_chunk(b"iTXt", key + b"\x07"), "malformed"),
    ]
    for png, reason in cases:
        with pytest.raises(PictureError, match=reason):
            text_from_png(png)


def test_a_compression_bomb_is_capped():
    """60 MB of zeros compress to a few dozen kB; reading stops at 50 MB and refuses."""
    bomb = zlib.compress(bytes(60 * 1024 * 1024), 9)
    png = with_chunk(b"iTXt", KEYWORD.encode() + b"\0\x01\x00\0\0" + bomb)
    with pytest.raises(PictureError, match="too large"):
        text_from_png(png)


def test_text_and_compressed_text_chunks_are_read_too():
    """A tool that rewrote the chunk as tEXt or zTXt keeps the workspace readable."""
    key = KEYWORD.encode() + b"\0"
    assert text_from_png(with_chunk(b"tEXt", key + b"{}")) == "{}"
    assert text_from_png(with_chunk(b"zTXt", key + b"\0" + zlib.compress(b"{}"))) == "{}"


def test_an_svg_entity_is_never_resolved():
    """An external entity (XXE) in the metadata is refused, not read; character references are decoded."""
    hostile = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><metadata id="micrograd-gui-workspace">&xxe;</metadata></svg>'
    )
    with pytest.raises(PictureError, match="an entity this app does not read"):
        text_from_svg(hostile)
    fine = b'<svg><metadata id="micrograd-gui-workspace">&#945;&#x3b1;&quot;</metadata></svg>'
    assert text_from_svg(fine) == 'αα"'
    cdata = b'<svg><metadata id=\'micrograd-gui-workspace\'><![CDATA[{"a": "<&>"}]]></metadata></svg>'
    assert text_from_svg(cdata) == '{"a": "<&>"}'


def test_a_picture_whose_workspace_is_invalid_is_refused_like_a_bad_file(tmp_path):
    """The text a picture carries is checked as a workspace file is: nothing opens."""
    path = tmp_path / "odd.png"
    path.write_bytes(embed_in_png(tiny_png(), '{"format": "micrograd-gui-workspace", "version": 99, "values": []}'))
    with pytest.raises(WorkspaceFileError, match="odd.png: it was made by a newer micrograd-gui"):
        read_workspace(path)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 60))
def test_any_bytes_give_a_workspace_text_or_a_picture_error(noise, cut):
    """Random bytes after a PNG signature, a cut or flipped real PNG with a workspace, random SVG text:
    the reader answers text or PictureError, never anything else."""
    real = embed_in_png(tiny_png(), TEXT)
    damaged = bytearray(real[: len(real) - cut])
    if noise and len(damaged) > 40:
        damaged[8 + noise[0] % (len(damaged) - 8)] ^= 1 + noise[-1] % 255
    for data, read in (
        (b"\x89PNG\r\n\x1a\n" + noise, text_from_png),
        (bytes(damaged), text_from_png),
        (b"<svg>" + noise, text_from_svg),
        (b'<svg><metadata id="micrograd-gui-workspace">' + noise + b"</metadata></svg>", text_from_svg),
    ):
        try:
            assert isinstance(read(data), str)
        except PictureError:
            pass
