"""Pictures that carry their workspace: the workspace file's text inside an exported PNG or SVG. Qt-free.

A PNG gets one compressed `iTXt` chunk, keyword `micrograd-gui-workspace`,
right after its header; an SVG one `<metadata id="micrograd-gui-workspace">`
element, the text XML-escaped, right after its `<svg>` tag. Viewers ignore
both. Reading takes the chunk apart by hand (struct and zlib, every length
checked against the bytes there and the sizes capped, the CRC verified) and
finds the SVG element by a bounded search that reads only the five XML
entities and character references: no XML parser, so no entity or external
reference is ever resolved.
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.sax.saxutils import escape

KEYWORD = "micrograd-gui-workspace"
MAX_TEXT_BYTES = 50 * 1024 * 1024  # what a workspace file may hold (workspace_file.MAX_FILE_BYTES)
MAX_CHUNKS = 10_000  # a PNG's chunks read before giving up; the app writes its own second

PICTURE_SUFFIXES = (".png", ".svg")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_CHUNKS = (b"iTXt", b"zTXt", b"tEXt")
_SVG_ELEMENT = re.compile(
    rb"<metadata\b[^>]*?\bid\s*=\s*[\"']" + KEYWORD.encode() + rb"[\"'][^>]*>(.*?)</metadata\s*>", re.DOTALL
)
_SVG_TAG = re.compile(rb"<svg\b[^>]*>")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class PictureError(ValueError):
    """A picture that holds no readable workspace; the message is written for the user."""


NO_WORKSPACE = "this picture holds no workspace: only PNG and SVG pictures exported by micrograd-gui carry one"


# ---- writing -------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def embed_in_png(png: bytes, text: str) -> bytes:
    """The PNG with `text` in a compressed iTXt chunk right after its header (IHDR)."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise PictureError("not a PNG picture")
    (length,) = struct.unpack(">I", png[8:12])
    end_of_header = 8 + 12 + length
    # keyword, NUL, compressed, method 0 (zlib), no language tag, no translated keyword, the UTF-8 text
    data = KEYWORD.encode("latin-1") + b"\0\x01\x00\0\0" + zlib.compress(text.encode("utf-8"), 9)
    return png[:end_of_header] + _chunk(b"iTXt", data) + png[end_of_header:]


def embed_in_svg(svg: bytes, text: str) -> bytes:
    """The SVG with `text` in a <metadata> element right after its <svg> tag."""
    tag = _SVG_TAG.search(svg)
    if tag is None:
        raise PictureError("not an SVG picture")
    element = f'\n<metadata id="{KEYWORD}">{escape(text)}</metadata>'.encode()
    return svg[: tag.end()] + element + svg[tag.end() :]


# ---- reading -------------------------------------------------------------------


def workspace_text(data: bytes, suffix: str) -> str:
    """The workspace text a picture carries (`suffix` .png or .svg), or PictureError."""
    if suffix == ".png":
        return text_from_png(data)
    if suffix == ".svg":
        return text_from_svg(data)
    raise PictureError(f"{suffix} is not a picture this app reads")


def text_from_png(data: bytes) -> str:
    """The workspace text in a PNG's micrograd-gui-workspace text chunk, or PictureError."""
    if not data.startswith(_PNG_SIGNATURE):
        raise PictureError("it is not a PNG picture")
    position, size = len(_PNG_SIGNATURE), len(data)
    for _ in range(MAX_CHUNKS):
        if position + 12 > size:
            break  # cut short: whatever chunk was wanted is not there
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 8 + length
        if length > 2**31 - 1 or end + 4 > size:
            raise PictureError("the PNG is damaged (a chunk runs past the end of the file)")
        body = data[position + 8 : end]
        if kind in _TEXT_CHUNKS and body.startswith(KEYWORD.encode("latin-1") + b"\0"):
            (crc,) = struct.unpack(">I", data[end : end + 4])
            if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
                raise PictureError("the workspace in this PNG is damaged (its checksum does not match)")
            return _chunk_text(kind, body[len(KEYWORD) + 1 :])
        if kind == b"IEND":
            break
        position = end + 4
    raise PictureError(NO_WORKSPACE)


def _chunk_text(kind: bytes, rest: bytes) -> str:
    """The text of a tEXt, zTXt or iTXt chunk, given what follows its keyword and NUL."""
    if kind == b"tEXt":
        return _decode(rest, "latin-1")
    if kind == b"zTXt":
        if rest[:1] != b"\0":
            raise PictureError("the workspace in this PNG is compressed in a way this app does not read")
        return _decode(_inflate(rest[1:]), "latin-1")
    compressed, method = rest[:1], rest[1:2]
    language_end = rest.find(b"\0", 2)
    translated_end = rest.find(b"\0", language_end + 1) if language_end >= 0 else -1
    if compressed not in (b"\0", b"\1") or translated_end < 0:
        raise PictureError("the workspace in this PNG is damaged (its text chunk is malformed)")
    payload = rest[translated_end + 1 :]
    if compressed == b"\1":
        if method != b"\0":
            raise PictureError("the workspace in this PNG is compressed in a way this app does not read")
        payload = _inflate(payload)
    return _decode(payload, "utf-8")


def _inflate(data: bytes) -> bytes:
    """zlib-decompressed `data`, at most MAX_TEXT_BYTES of it (a small chunk can inflate to gigabytes)."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error:
        raise PictureError("the workspace in this PNG is damaged (it does not decompress)") from None
    if len(text) > MAX_TEXT_BYTES:
        raise PictureError("the workspace in this PNG is too large (at most 50 MB)")
    if not inflater.eof:
        raise PictureError("the workspace in this PNG is damaged (it is cut short)")
    return text


def _decode(data: bytes, encoding: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise PictureError("the workspace in this picture is too large (at most 50 MB)")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise PictureError("the workspace in this picture is damaged (its text is not UTF-8)") from None


def text_from_svg(data: bytes) -> str:
    """The workspace text in an SVG's micrograd-gui-workspace <metadata> element, or PictureError."""
    if b"<svg" not in data[:1_000_000]:
        raise PictureError("it is not an SVG picture")
    found = _SVG_ELEMENT.search(data)
    if found is None:
        raise PictureError(NO_WORKSPACE)
    content = _decode(found.group(1), "utf-8").strip()
    if content.startswith("<![CDATA[") and content.endswith("]]>"):
        return content[9:-3]
    if "<" in content:
        raise PictureError("the workspace in this SVG is damaged (it holds markup)")
    return _unescape(content)


def _unescape(text: str) -> str:
    """XML character data as text: the five predefined entities and character references only."""

    def character(match: re.Match[str]) -> str:
        named, decimal, hexadecimal = match.groups()
        if named:
            return _NAMED[named]
        code = int(decimal) if decimal else int(hexadecimal, 16)
        if not 0 < code <= 0x10FFFF:
            raise PictureError("the workspace in this SVG is damaged (a character reference is out of range)")
        return chr(code)

    result = _ENTITY.sub(character, text)
    if "&" in _ENTITY.sub("", text):
        raise PictureError("the workspace in this SVG uses an entity this app does not read")
    return result
