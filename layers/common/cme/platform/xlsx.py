"""The rows of an Excel workbook's active sheet, read cell by cell within fixed bounds.

openpyxl (even read-only, with ``max_col``) builds a whole ``<row>`` before it hands it over,
so one row of a million cells costs a million cells of time and memory whatever is asked for.
This reader streams each part of the zip through an XML pull parser (defusedxml: no DTDs or
entities) and counts as it goes: unzipped bytes across all parts it reads, ``<row>`` elements,
``<c>`` elements in a row and in all. The first bound passed stops it (``TooLarge``), so the
work any file can cause is bounded by the limits, not by its size or shape.

Values are what openpyxl's ``data_only`` reading gives: shared and inline strings, numbers (int
when whole), booleans, error texts, formulas' cached values, and dates for cells whose number
format is a date (the 1900 or 1904 calendar, as the workbook says).
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
LAST_COLUMN = 16384  # XFD, Excel's last column


@dataclass(frozen=True)
class Limits:
    """Where reading stops. A roster has a few columns and at most a few thousand rows."""

    unzipped_bytes: int = 8 * 1024 * 1024
    rows: int = 5_000
    cells_per_row: int = 64
    cells: int = 200_000


@dataclass
class Progress:
    """How far a reading went (tests and logs read it): unzipped bytes read from all parts,
    ``<row>`` elements, ``<c>`` elements in all and the most in one row, shared strings kept."""

    limits: Limits = field(default_factory=Limits)
    bytes: int = 0
    rows: int = 0
    cells: int = 0
    row_cells: int = 0
    strings: int = 0


class Unreadable(Exception):
    """Not a workbook this reader understands (no workbook part, no sheet, broken XML)."""


class TooLarge(Exception):
    """A bound of ``Limits`` was passed; ``what`` names it ("bytes", "rows", "cells per row", "cells")."""

    def __init__(self, what: str, progress: Progress) -> None:
        super().__init__(what)
        self.what = what
        self.progress = progress


class _Counted:
    """A zip member's stream that adds what it gives to ``progress.bytes`` and stops past the bound."""

    def __init__(self, stream: IO[bytes], progress: Progress) -> None:
        self.stream = stream
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        room = self.progress.limits.unzipped_bytes - self.progress.bytes
        # never more than one byte past the bound, whatever the parser asks for
        chunk = self.stream.read(room + 1 if size is None or size < 0 else min(size, room + 1))
        self.progress.bytes += len(chunk)
        if self.progress.bytes > self.progress.limits.unzipped_bytes:
            raise TooLarge("bytes", self.progress)
        return chunk


def _parse(archive: zipfile.ZipFile, name: str, progress: Progress) -> Iterator[tuple[str, Element]]:
    from defusedxml.ElementTree import iterparse

    try:
        with archive.open(name) as member:
            yield from iterparse(_Counted(member, progress), events=("start", "end"))
    except KeyError:
        raise Unreadable(f"no part {name}") from None


def _whole(archive: zipfile.ZipFile, name: str, progress: Progress) -> Element | None:
    """A small part (relationships, workbook, styles) as one tree, its bytes counted and its
    elements held to ``limits.cells`` (a tree is kept whole); None when absent."""
    if name not in archive.namelist():
        return None
    root: Element | None = None
    elements = 0
    for event, element in _parse(archive, name, progress):
        if event != "start":
            continue
        root = element if root is None else root
        elements += 1
        if elements > progress.limits.cells:
            raise TooLarge("cells", progress)
    return root


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(archive: zipfile.ZipFile, part: str, progress: Progress) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part)."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    root = _whole(archive, name, progress)
    if root is None:
        return {}
    return {
        rel.get("Id", ""): (rel.get("Type", ""), _target(part, rel.get("Target", "")))
        for rel in root.iter(f"{REL_NS}Relationship")
    }


def _text(item: Element) -> str:
    """A shared or inline string: its ``<t>``, or its runs' ``<t>`` joined (phonetic runs left out)."""
    parts = []
    for child in item:
        if child.tag == f"{NS}t":
            parts.append(child.text or "")
        elif child.tag == f"{NS}r":
            parts.extend(t.text or "" for t in child.iter(f"{NS}t"))
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, name: str | None, progress: Progress) -> list[str]:
    """The shared strings, at most ``limits.cells`` of them (a sheet within bounds uses no more)."""
    strings: list[str] = []
    if name is None or name not in archive.namelist():
        return strings
    for event, element in _parse(archive, name, progress):
        if event == "end" and element.tag == f"{NS}si":
            strings.append(_text(element))
            progress.strings = len(strings)
            if len(strings) > progress.limits.cells:
                raise TooLarge("cells", progress)
            element.clear()
    return strings


@dataclass(frozen=True)
class _Formats:
    dates: frozenset[int]  # style indexes whose number format is a date
    durations: frozenset[int]  # ... a duration ([h]:mm)
    epoch: Any


def _formats(styles: Element | None, epoch: Any) -> _Formats:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    if styles is None:
        return _Formats(frozenset(), frozenset(), epoch)
    codes: dict[int, str] = dict(BUILTIN_FORMATS)
    for fmt in styles.iter(f"{NS}numFmt"):
        codes[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
    dates, durations = set(), set()
    cell_xfs = styles.find(f"{NS}cellXfs")
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        code = codes.get(int(xf.get("numFmtId", "0")), "")
        if code and is_date_format(code):
            dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return _Formats(frozenset(dates), frozenset(durations), epoch)


def _column(reference: str | None, previous: int) -> int:
    """The 1-based column of a cell reference ("C4" -> 3); the next column when it has none."""
    if not reference:
        return previous + 1
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number if 0 < number <= LAST_COLUMN else previous + 1


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") or text.lower() in ("inf", "-inf", "nan") else int(text)


def _value(cell: Element, strings: list[str], formats: _Formats) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{NS}is")
        return _text(inline) if inline is not None else None
    found = cell.find(f"{NS}v")
    text = found.text if found is not None else None
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind in ("str", "e"):
        return text
    if kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        return from_ISO8601(text)
    value = _number(text)
    style = int(cell.get("s", "0"))
    if style in formats.dates:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value, formats.epoch, timedelta=style in formats.durations)
    return value


def _sheet_parts(archive: zipfile.ZipFile, progress: Progress) -> tuple[str, str | None, _Formats]:
    """The active sheet's part, the shared strings' part and the number formats."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    top = _rels(archive, "", progress)
    book = next((target for kind, target in top.values() if kind == OFFICE_DOCUMENT), "xl/workbook.xml")
    root = _whole(archive, book, progress)
    if root is None:
        raise Unreadable("no workbook part")
    rels = _rels(archive, book, progress)
    sheets = [sheet.get(DOC_REL_ID, "") for sheet in root.iter(f"{NS}sheet")]
    view = root.find(f"{NS}bookViews/{NS}workbookView")
    active = int(view.get("activeTab", "0")) if view is not None else 0
    if not sheets:
        raise Unreadable("no sheet")
    rel = sheets[active] if 0 <= active < len(sheets) else sheets[0]
    if rel not in rels:
        raise Unreadable("the active sheet has no part")
    pr = root.find(f"{NS}workbookPr")
    epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
    by_kind = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
    styles = by_kind.get("styles")
    formats = _formats(_whole(archive, styles, progress) if styles else None, epoch)
    return rels[rel][1], by_kind.get("sharedStrings"), formats


def rows(archive: zipfile.ZipFile, progress: Progress, max_col: int) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, values of columns 1..max_col)`` for each row of the active sheet that has
    a ``<row>`` element, in order; cells past ``max_col`` are counted but their values not kept.

    Raises Unreadable for a file that is not a workbook, TooLarge at the first bound passed.
    """
    sheet, shared, formats = _sheet_parts(archive, progress)
    strings = _shared_strings(archive, shared, progress)
    limits = progress.limits
    holder: Element | None = None  # sheetData: emptied after each row, so memory stays one row
    number = column = 0
    values: list[Any] = []
    for event, element in _parse(archive, sheet, progress):
        tag = element.tag
        if event == "start":
            if tag == f"{NS}sheetData":
                holder = element
            elif tag == f"{NS}row":
                progress.rows += 1
                if progress.rows > limits.rows:
                    raise TooLarge("rows", progress)
                reference = element.get("r")
                number = int(reference) if reference and reference.isdigit() else number + 1
                column, values, progress.row_cells = 0, [], 0
            elif tag == f"{NS}c":
                progress.cells += 1
                progress.row_cells += 1
                if progress.row_cells > limits.cells_per_row:
                    raise TooLarge("cells per row", progress)
                if progress.cells > limits.cells:
                    raise TooLarge("cells", progress)
            continue
        if tag == f"{NS}c":
            column = _column(element.get("r"), column)
            if column <= max_col:
                values.extend([None] * (column - len(values)))
                values[column - 1] = _value(element, strings, formats)
            element.clear()
        elif tag == f"{NS}row":
            yield number, values
            if holder is not None:
                holder.clear()
