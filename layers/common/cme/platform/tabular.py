"""An import's file as rows (docs/architecture.md "Imports"): a CSV read as one stream, never
whole in memory, or an XLSX (at most 20 MB) read through cme.platform.xlsx.

``read(stream, media)`` gives a ``Table``: ``columns`` (the header row, trimmed) and ``rows``, an
iterator of ``Row`` (as cme.rules.imports.Row) whose ``values`` are keyed by the file's own headers (the
mapping to our columns is cme.rules.imports.apply_mapping's). Row numbers are the spreadsheet's:
the header is row 1; blank rows are skipped.

CSV: the encoding is decided on the first chunk as rosters decide it (cme.publishing.rosters
``decode``): a UTF-16 byte-order mark, else UTF-8 (with or without its mark), else strict
Windows-1252 when the first chunk is not UTF-8. The delimiter (``,`` ``;`` or tab) is the one the
header line has most of. The text is decoded incrementally and handed to ``csv.reader`` line by
line, so what is held is one chunk and one row, whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from cme.platform import xlsx
from cme.platform.errors import InvalidInput

CHUNK = 64 * 1024  # bytes read from the stream at a time
MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_XLSX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 64  # cells kept per row: an export has a few dozen columns at most
MAX_CELL = 4096  # characters kept of one cell
DELIMITERS = (",", ";", "\t")
# A 20 MB workbook unpacks to a few hundred MB at most; rows up to a million (Excel's own limit).
SHEET_LIMITS = xlsx.Limits(unzipped_bytes=400 * 1024 * 1024, rows=1_048_576, cells_per_row=16_384, cells=64_000_000)


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass
class Row:
    """One data row: its spreadsheet row number and its cells under the file's headers (the
    platform's twin of cme.rules.imports.Row, which maps it to our columns)."""

    row: int
    values: dict[str, Any]


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[Row]


def unreadable(what: str) -> InvalidInput:
    return InvalidInput("IMPORT_FILE_UNREADABLE", f"The file could not be read: {what}.")


def encoding_invalid() -> InvalidInput:
    return InvalidInput(
        "ENCODING_INVALID",
        "The CSV file is not text in UTF-8, UTF-16 or Windows-1252. In Excel, save it as "
        "“CSV UTF-8 (Comma delimited)” or as an Excel workbook (.xlsx).",
    )


def media_of(filename: str) -> str | None:
    """ "csv" or "xlsx" from a file name's extension; None for any other."""
    lower = filename.lower().strip()
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return "csv"
    if lower.endswith(".xlsx"):
        return "xlsx"
    return None


def cell_text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole floats without ".0", trimmed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL]


def _decoder(first: bytes) -> tuple[codecs.IncrementalDecoder, bytes, str]:
    """The incremental decoder for a file whose first chunk is ``first``, the bytes to feed it
    (the byte-order mark dropped) and the encoding's name."""
    if first.startswith(codecs.BOM_UTF8):
        return codecs.getincrementaldecoder("utf-8")(), first[len(codecs.BOM_UTF8) :], "utf-8"
    if first.startswith(codecs.BOM_UTF16_LE):
        return codecs.getincrementaldecoder("utf-16-le")(), first[2:], "utf-16-le"
    if first.startswith(codecs.BOM_UTF16_BE):
        return codecs.getincrementaldecoder("utf-16-be")(), first[2:], "utf-16-be"
    probe = codecs.getincrementaldecoder("utf-8")()
    try:
        probe.decode(first, final=False)
        return codecs.getincrementaldecoder("utf-8")(), first, "utf-8"
    except UnicodeDecodeError:
        return codecs.getincrementaldecoder("cp1252")(), first, "cp1252"


def _lines(stream: Readable, first: bytes, partial: bool = False) -> Iterator[str]:
    """The stream's text, line by line, line ends kept (a quoted newline stays in its cell: csv.reader
    joins the lines of a quoted field). A file whose first chunk ends lines with a bare "\r" (old
    Mac Excel) has each "\r" read as a line end. ``partial``: the stream is the file's first
    bytes only (a preview): the line it cuts is dropped, and so is a character it cuts."""
    decoder, chunk, _ = _decoder(first)
    carry = ""
    bare_cr: bool | None = None
    while True:
        final = chunk == b""
        try:
            text = decoder.decode(chunk, final=final and not partial)
        except UnicodeDecodeError:
            raise encoding_invalid() from None
        if "\x00" in text:
            raise encoding_invalid()
        if bare_cr is None and text:
            bare_cr = "\r" in text and "\n" not in text
        if bare_cr:
            text = text.replace("\r", "\n")
        carry += text
        end = len(carry) if final and not partial else carry.rfind("\n") + 1
        if end:
            done, carry = carry[:end], carry[end:]
            yield from _split(done)
        if final:
            return
        chunk = stream.read(CHUNK)


def _split(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of each record; a record with a quoted newline counts as
    one row (Excel shows it on one row)."""
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    try:
        for record in reader:
            number += 1
            yield number, record
    except csv.Error:
        raise unreadable(f"row {number + 1} has a quote that is never closed, or a cell too large") from None


def _table(records: Iterator[tuple[int, list[Any]]]) -> Table:
    header: list[str] | None = None
    for _number, cells in records:
        texts = [cell_text(c) for c in cells[:MAX_COLUMNS]]
        if any(texts):
            header = texts
            break
    if header is None:
        raise InvalidInput("IMPORT_FILE_EMPTY", "The file has no header row.")
    while header and not header[-1]:
        header.pop()
    columns = header

    def rows() -> Iterator[Row]:
        for number, cells in records:
            texts = [cell_text(c) for c in cells[: len(columns)]]
            if not any(texts):
                continue
            yield Row(number, {name: value for name, value in zip(columns, texts, strict=False) if name})

    return Table(columns, rows())


def read_csv(stream: Readable, partial: bool = False) -> Table:
    """A CSV stream's header and rows (see the module); ``partial``: the file's first bytes only."""
    first = stream.read(CHUNK)
    if not first:
        raise InvalidInput("IMPORT_FILE_EMPTY", "The file is empty.")
    lines = _lines(stream, first, partial)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    delimiter = _delimiter(head[-1] if head else "")

    def all_lines() -> Iterator[str]:
        yield from head
        yield from lines

    return _table(_records(all_lines(), delimiter))


def read_xlsx(raw: bytes) -> Table:
    """An XLSX workbook's active sheet as a header and rows (cells as text; dates YYYY-MM-DD)."""
    if not raw:
        raise InvalidInput("IMPORT_FILE_EMPTY", "The file is empty.")
    if len(raw) > MAX_XLSX_BYTES:
        raise InvalidInput("IMPORT_FILE_TOO_LARGE", "An Excel workbook can be at most 20 MB; save it as CSV.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        progress = xlsx.Progress(SHEET_LIMITS)
        records = xlsx.rows(archive, progress, MAX_COLUMNS)
        table = _table(_guarded(records))
    except InvalidInput:
        raise
    except Exception:
        raise unreadable("it is not an Excel workbook (.xlsx)") from None
    return table


def _guarded(records: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from records
    except xlsx.TooLarge:
        raise InvalidInput("IMPORT_FILE_TOO_LARGE", "The workbook holds more than an import takes.") from None
    except InvalidInput:
        raise
    except Exception:
        raise unreadable("the workbook is broken") from None


def read(stream: Readable, media: str, partial: bool = False) -> Table:
    """The file of ``media`` ("csv" or "xlsx") from ``stream`` (an S3 body or any ``read(n)``);
    ``partial`` (CSV only): the stream holds the file's first bytes only."""
    if media == "xlsx":
        return read_xlsx(stream.read(MAX_XLSX_BYTES + 1))
    return read_csv(stream, partial)
