"""The text an fpdf2 PDF shows, read back as a reader's PDF viewer would: each font's glyph codes
mapped to characters through the ToUnicode table the PDF carries (fpdf2 writes two-byte glyph
codes for embedded TrueType fonts, so the raw stream is not the text)."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _inflated(body: bytes) -> bytes:
    found = _STREAM.search(body)
    if found is None:
        return b""
    try:
        return zlib.decompress(found[1])
    except zlib.error:
        return found[1]


def _unescaped(raw: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(raw):
        byte = raw[index : index + 1]
        if byte != b"\\":
            out += byte
            index += 1
            continue
        following = raw[index + 1 : index + 2]
        if following in _ESCAPES:
            out += _ESCAPES[following]
            index += 2
        elif following.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[index + 1 :])
            assert digits is not None
            out.append(int(digits[0], 8))
            index += 1 + len(digits[0])
        else:
            out += following
            index += 2
    return bytes(out)


def pdf_lines(data: bytes) -> list[str]:
    """Each text run (one ``Tj``) of the PDF's pages, decoded, in the order drawn."""
    objects = {int(number): body for number, body in _OBJECT.findall(data)}
    cmaps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            font = objects.get(int(ref), b"")
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if unicode_ref is None:
                continue
            cmap = _inflated(objects[int(unicode_ref[1])])
            cmaps[name] = {
                int(code, 16): chr(int(char, 16))
                for code, char in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4,8})>", cmap)
            }
    lines: list[str] = []
    for body in objects.values():
        if b"/Length" not in body or b"ToUnicode" in body:
            continue
        stream = _inflated(body)
        font = b""
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) ?Tj", stream, re.S):
            if token[1]:
                font = token[1]
                continue
            codes = _unescaped(token[2])
            chars = cmaps.get(font, {})
            lines.append(
                "".join(
                    chars.get(int.from_bytes(codes[i : i + 2], "big"), "?") for i in range(0, len(codes), 2)
                )
            )
    return lines
