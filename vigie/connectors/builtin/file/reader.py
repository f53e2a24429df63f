"""Streaming readers for CSV, XLSX, JSON and JSONL files.

Each reader yields ``(line, record, error)`` one record at a time and never holds the whole file:
``record`` is a flat ``{column: value}`` dict (nested JSON flattened to dotted names) or ``None``
with ``error`` saying why the line could not be read. ``line`` is the 1-based line (CSV, JSONL,
JSON) or row (XLSX) where the record starts, for the reject file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vigie.core.encodings import text_encoding

CHUNK = 1 << 20
FORMATS = ("csv", "xlsx", "json", "jsonl")
Record = tuple[int, dict[str, Any] | None, str]
_ARRAY_KEY = re.compile(r'"(reviews|features|items|data|mentions|children)"\s*:\s*\[')
# The X archive's files are JavaScript: ``window.YTD.tweets.part0 = [ … ]``.
_X_ARCHIVE = re.compile(r"\s*window\.YTD\.\w+\.part\d+\s*=\s*\[")

# A CSV field can hold a whole review; the default 128 KiB limit is too small for long ones.
csv.field_size_limit(16 * 1024 * 1024)


class FileFormatError(ValueError):
    """The file cannot be read at all in the given format."""


def guess_format(path: Path) -> str:
    """The format from the file extension (``.txt`` and unknown ones read as CSV)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("json", "jsonl", "ndjson"):
        return "jsonl" if suffix != "json" else "json"
    return "csv"


class CountingReader(io.RawIOBase):
    """A binary file wrapper that counts bytes read, for the progress bar."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = self.raw.readinto(buffer)
        self.count += size or 0
        return size or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``; lists are kept as values."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            flat.update(flatten(item, f"{name}."))
        else:
            flat[name] = item
    return flat


def _encoding(path: Path) -> str:
    """The text encoding of ``path``, read from its first bytes (``vigie.core.encodings``)."""
    with path.open("rb") as handle:
        return text_encoding(handle.read(CHUNK), whole=False)


class FileReader:
    """Reads one file record by record; ``progress()`` says how far it got (0–1)."""

    def __init__(self, path: Path, fmt: str) -> None:
        if fmt not in FORMATS:
            raise FileFormatError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        self.path = path
        self.format = fmt
        self.size = max(path.stat().st_size, 1)
        self._counter: CountingReader | None = None
        self._rows_done = 0
        self._rows_total = 0

    def progress(self) -> float:
        if self._counter is not None:
            return min(self._counter.count / self.size, 1.0)
        if self._rows_total:
            return min(self._rows_done / self._rows_total, 1.0)
        return 0.0

    def _text(self, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
        self._counter = CountingReader(self.path.open("rb"))
        return io.TextIOWrapper(io.BufferedReader(self._counter), encoding=encoding, newline="")

    def __iter__(self) -> Iterator[Record]:
        if self.format == "csv":
            return self._csv()
        if self.format == "jsonl":
            return self._jsonl()
        if self.format == "json":
            return self._json()
        return self._xlsx()

    def _csv(self) -> Iterator[Record]:
        encoding = _encoding(self.path)
        with self.path.open(encoding=encoding, errors="replace", newline="") as probe:
            sample = probe.read(64 * 1024)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        with self._text(encoding) as handle:
            reader = csv.reader(handle, dialect)
            try:
                headers = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileFormatError(f"line 1: {exc}") from exc
            headers = [h.strip() for h in headers]
            previous_end = reader.line_num
            while True:
                start = previous_end + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    previous_end = reader.line_num
                    yield start, None, f"unreadable CSV: {exc}"
                    continue
                previous_end = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) > len(headers):
                    yield start, None, f"{len(row)} columns where the header has {len(headers)}"
                    continue
                yield start, dict(zip(headers, row, strict=False)), ""

    def _jsonl(self) -> Iterator[Record]:
        with self._text(_encoding(self.path)) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    yield number, None, f"invalid JSON: {exc}"
                    continue
                if not isinstance(value, dict):
                    yield number, None, "not a JSON object"
                    continue
                yield number, flatten(value), ""

    def _json(self) -> Iterator[Record]:
        """A top-level array, or the first array under ``reviews``/``features``/``items``/``data``,
        decoded one element at a time so memory stays flat whatever the file size."""
        decoder = json.JSONDecoder()
        with self._text(_encoding(self.path)) as handle:
            buffer, eof = handle.read(CHUNK), False
            lines_before = 0
            match = re.match(r"\s*\[", buffer) or _X_ARCHIVE.match(buffer)
            while match is None:
                match = _ARRAY_KEY.search(buffer)
                if match is not None:
                    break
                more = handle.read(CHUNK)
                if not more or len(buffer) > 16 * CHUNK:
                    raise FileFormatError("no list of records found in the JSON file")
                buffer += more
            position = match.end()
            while True:
                while position < len(buffer) and buffer[position] in " \t\r\n,":
                    position += 1
                if position >= len(buffer):
                    if eof:
                        return
                    more = handle.read(CHUNK)
                    eof = not more
                    buffer += more
                    continue
                if buffer[position] == "]":
                    return
                try:
                    value, end = decoder.raw_decode(buffer, position)
                except ValueError as exc:
                    if not eof:
                        more = handle.read(CHUNK)
                        eof = not more
                        buffer += more
                        continue
                    line = lines_before + buffer.count("\n", 0, position) + 1
                    raise FileFormatError(f"line {line}: invalid JSON: {exc}") from exc
                line = lines_before + buffer.count("\n", 0, position) + 1
                if isinstance(value, dict):
                    yield line, flatten(value), ""
                else:
                    yield line, None, "not a JSON object"
                position = end
                if position > CHUNK:
                    lines_before += buffer.count("\n", 0, position)
                    buffer, position = buffer[position:], 0

    @staticmethod
    def _other_sheets(workbook: Any) -> Iterator[Record]:
        """Only the first sheet is imported: each other sheet holding data is reported, not skipped
        in silence."""
        for other in workbook.worksheets[1:]:
            other.reset_dimensions()
            filled = sum(
                1 for row in other.iter_rows(values_only=True) if any(c not in (None, "") for c in row)
            )
            if filled:
                yield (
                    0,
                    None,
                    f"sheet {other.title!r} ({filled} rows) not imported: only the first sheet is read",
                )

    def _xlsx(self) -> Iterator[Record]:
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise FileFormatError(f"not a readable XLSX file: {type(exc).__name__}") from exc
        try:
            sheet = workbook.worksheets[0]
            self._rows_total = sheet.max_row or 0
            # Some programs write a wrong "dimension" in the file, and read-only mode would stop
            # there: forget it and read every row that is actually present.
            sheet.reset_dimensions()
            yield from self._other_sheets(workbook)
            rows = sheet.iter_rows(values_only=True)
            try:
                headers = [str(h).strip() if h is not None else "" for h in next(rows)]
            except StopIteration:
                return
            for number, row in enumerate(rows, start=2):
                self._rows_done = number
                if all(cell is None or str(cell).strip() == "" for cell in row):
                    continue
                stray = [
                    index
                    for index, cell in enumerate(row)
                    if (index >= len(headers) or not headers[index]) and cell not in (None, "")
                ]
                if stray:
                    # Like a CSV row longer than its header: refused and reported, not half-read.
                    yield number, None, f"a value in column {stray[0] + 1}, which has no header"
                    continue
                yield number, {h: v for h, v in zip(headers, row, strict=False) if h}, ""
        finally:
            workbook.close()
