"""The text encoding of a file people bring (an export, a customer list), from its bytes.

Spreadsheets write many: a byte-order mark says UTF-8, UTF-16 or UTF-32; Excel's « Texte
Unicode » is UTF-16, sometimes without a mark (a NUL byte in every other place then says which
end); then UTF-8 if it decodes, else the Windows code page spreadsheets still write (CP1252: read as
UTF-8, « Hélène » became « H\ufffdl\ufffdne »), else Latin-1, which decodes anything.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def text_encoding(sample: bytes, *, whole: bool = True) -> str:
    """The encoding of a file starting with ``sample`` (``whole``: the sample is the whole file, so
    an undecodable end is not a character the sample cut)."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    pairs = sample[: len(sample) - len(sample) % 2]
    if len(pairs) >= 4:
        odd_nuls, even_nuls = pairs[1::2].count(0), pairs[0::2].count(0)
        if odd_nuls > len(pairs) // 4 and even_nuls == 0:
            return "utf-16-le"
        if even_nuls > len(pairs) // 4 and odd_nuls == 0:
            return "utf-16-be"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if whole or exc.start < len(sample) - 4:  # not just a character cut by the sample's end
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return "latin-1"
            return "cp1252"
    return "utf-8-sig"
