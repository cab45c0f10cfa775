"""Roster files as coordinators really have them: CSV saved by Excel (UTF-8, UTF-16 or
Windows-1252), Excel workbooks (XLSX), and the headers Excel users and Zoom write.

Parsing only: each file becomes rows ``(spreadsheet row number, {email, first_name, last_name})``
for ``cme.publishing.attendance.import_roster``. No HTTP, no storage.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from cme.platform import xlsx
from cme.platform.errors import InvalidInput
from cme.platform.observability import logger
from cme.platform.settings import get_settings

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (CSV, XLSX)
Row = tuple[int, dict[str, Any]]

# A roster of the most rows allowed is well under 2 MB as CSV or XLSX (an XLSX of 5,000 rows is
# about 150 KB zipped and 1.5 MB unzipped). A zip that says it unpacks to more than 8 MB is
# refused before any of it is unpacked (zipfile never inflates a member past its declared size);
# one that lies is stopped by the reader's own count of the bytes it inflates.
SHEET_LIMITS = xlsx.Limits(unzipped_bytes=8 * 1024 * 1024, rows=5_000, cells_per_row=64, cells=200_000)
MAX_UNZIPPED_BYTES = SHEET_LIMITS.unzipped_bytes
MAX_COLUMNS = SHEET_LIMITS.cells_per_row  # cells kept per row: a roster has a handful of columns
HEADER_SEARCH_ROWS = 30  # Zoom's exports put the meeting's details above the attendees' header
BLANK_ROWS_ALLOWED = 1000  # blank rows skipped past the row cap before the file is refused

FIELDS = ("email", "first_name", "last_name")
DELIMITERS = (",", ";", "\t")
DETAILS_HEADERS = frozenset({"meetingid", "webinarid"})  # Zoom's meeting details above the attendees

# Headers compared with case, spaces and punctuation removed ("E-mail Address" -> "emailaddress").
HEADER_ALIASES = {
    **dict.fromkeys(
        (
            "email",
            "emailaddress",
            "mail",
            "emailid",
            "useremail",  # Zoom: participants and attendee reports
            "attendeeemail",
            "participantemail",
            "registrantemail",
            "workemail",
            "primaryemail",
        ),
        "email",
    ),
    **dict.fromkeys(("firstname", "first", "givenname", "forename", "fname"), "first_name"),
    **dict.fromkeys(("lastname", "last", "surname", "familyname", "lname"), "last_name"),
    **dict.fromkeys(
        (
            "name",
            "fullname",
            "displayname",
            "attendeename",
            "participantname",
            "username",
            "nameoriginalname",  # Zoom: "Name (Original Name)"
            "usernameoriginalname",  # Zoom: "User Name (Original Name)"
        ),
        "name",
    ),
}
_NOT_ALNUM = re.compile(r"[\W_]+")
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")


def header_key(header: Any) -> str:
    """A header as it is looked up: lower case, without spaces or punctuation."""
    return _NOT_ALNUM.sub("", str(header or "").casefold())


def column_of(header: Any) -> str:
    """The roster column a header names ("email", "first_name", "last_name", "name"), or ""."""
    return HEADER_ALIASES.get(header_key(header), "")


def _expected() -> InvalidInput:
    return InvalidInput(
        "ROSTER_INVALID",
        "The roster needs a header row with an email column (such as “Email”, “E-mail Address” or Zoom's "
        "“User Email”), and first and last names (“First Name”, “Last Name”, or one “Name” column).",
    )


def encoding_invalid() -> InvalidInput:
    return InvalidInput(
        "ENCODING_INVALID",
        "The CSV file is not text in UTF-8, UTF-16 or Windows-1252. In Excel, save it as "
        "“CSV UTF-8 (Comma delimited)” or as an Excel workbook (.xlsx).",
    )


def decode(raw: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark), UTF-16 when it starts
    with its byte-order mark, else strict Windows-1252 (what Excel on Windows saves as "CSV").

    A file that claims an encoding by its byte-order mark and breaks it, bytes Windows-1252
    leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), or a NUL in the text (UTF-16 without its
    mark, a binary file) raise ENCODING_INVALID: nothing is stored as mojibake.
    """
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not raw.startswith(codecs.BOM_UTF8):
            text = raw.decode("utf-16")  # the BOM picks the byte order and is dropped
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                if raw.startswith(codecs.BOM_UTF8):
                    raise
                text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise encoding_invalid() from None
    if "\x00" in text:
        raise encoding_invalid()
    return text


def split_name(full: str) -> tuple[str, str]:
    """First and last name from one "Name" cell: "Peña, Raúl" or "Raúl Peña" (the last word is
    the last name). Zoom's "Name (Original Name)" keeps the original in brackets; it is dropped."""
    name = _TRAILING_PARENS.sub("", full).strip() or full.strip()
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    first, _, last = name.rpartition(" ")
    return first.strip(), last.strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_columns(cells: Sequence[str], after_header: bool) -> list[str] | None:
    """The columns a header row names; [] for a section to skip (Zoom's meeting details, whose
    "User Email" is the host's); None when the row is not a header. Below a header, a row is a
    new section's header only when it names a name column too and holds no email address (a
    learner whose last name is "Email" stays a learner)."""
    if any("@" in cell for cell in cells):
        return None
    if any(header_key(cell) in DETAILS_HEADERS for cell in cells):
        return []
    columns = [column_of(cell) for cell in cells]
    if "email" not in columns or (after_header and len({c for c in columns if c}) < 2):
        return None
    return columns


def _row(columns: list[str], cells: Sequence[str]) -> dict[str, Any]:
    found: dict[str, str] = {}
    for column, value in zip(columns, cells, strict=False):
        if column and value and not found.get(column):
            found[column] = value  # the first column that has a value wins
    row: dict[str, Any] = {field: found.get(field, "") for field in FIELDS}
    if found.get("name") and not (row["first_name"] or row["last_name"]):
        row["first_name"], row["last_name"] = split_name(found["name"])
    return row


def rows_of(records: Iterable[Sequence[Any]], max_rows: int) -> list[Row]:
    """Roster rows from a sheet's rows (the first is spreadsheet row 1), with their row numbers."""
    return numbered_rows_of(enumerate(records, start=1), max_rows)


def numbered_rows_of(records: Iterable[tuple[int, Sequence[Any]]], max_rows: int) -> list[Row]:
    """Roster rows from a sheet's ``(row number, cells)``, with their row numbers.

    The header is the first row, among the first few, that names an email column; a header
    repeated further down (Zoom lists hosts, panelists and attendees in sections, each with
    its header) switches to that section's columns. Blank rows are skipped. More than
    ``max_rows`` rows: ROSTER_TOO_LARGE, found while reading, so a huge file costs no more.
    """
    columns: list[str] | None = None
    rows: list[Row] = []
    blank = filled = 0
    for number, record in records:
        cells = [_cell(value) for value in record[:MAX_COLUMNS]]
        if not any(cells):
            blank += 1
            if blank > max_rows + BLANK_ROWS_ALLOWED:
                raise too_large(max_rows)
            continue
        filled += 1
        header = _header_columns(cells, columns is not None)
        if header is not None:
            columns = header
            continue
        if not columns:
            if number >= HEADER_SEARCH_ROWS:
                raise _expected()
            continue  # above the header, or in a section that lists no attendees
        if len(rows) >= max_rows:
            raise too_large(max_rows)
        rows.append((number, _row(columns, cells)))
    if not columns:
        raise InvalidInput("ROSTER_INVALID", "The roster file is empty.") if not filled else _expected()
    return rows


def too_large(max_rows: int) -> InvalidInput:
    return InvalidInput("ROSTER_TOO_LARGE", f"A roster can hold at most {max_rows} rows per upload.")


def parse_csv(raw: bytes, max_rows: int | None = None) -> list[Row]:
    """Rows of a roster CSV with their spreadsheet row numbers (the header is usually row 1)."""
    limit = max_rows or get_settings().roster_max_rows
    text = decode(raw)
    if not text.strip():
        raise InvalidInput("ROSTER_INVALID", "The CSV file is empty.")
    # Commas; Excel in some locales saves semicolons, and some exports use tabs: the first
    # delimiter whose header row names an email column is the file's.
    for delimiter in DELIMITERS:
        try:
            return rows_of(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), limit)
        except InvalidInput as exc:
            if exc.code != "ROSTER_INVALID" or delimiter == DELIMITERS[-1]:
                raise
        except csv.Error:
            raise InvalidInput("ROSTER_INVALID", "The CSV file could not be read (check its quotes).") from None
    raise _expected()  # not reached: the last delimiter raises


def _unreadable() -> InvalidInput:
    return InvalidInput(
        "ROSTER_UNREADABLE",
        "That file is not an Excel workbook (.xlsx) we can read. Open it in Excel and save it as "
        "“Excel Workbook (.xlsx)” or as “CSV UTF-8”.",
    )


def _sheet_too_large(reached: xlsx.Progress) -> InvalidInput:
    logger.info(
        "roster workbook refused",
        extra={"bytes": reached.bytes, "rows": reached.rows, "cells": reached.cells, "row_cells": reached.row_cells},
    )
    limits = reached.limits
    return InvalidInput(
        "ROSTER_TOO_LARGE",
        f"That workbook holds more than a roster needs (at most {limits.rows} rows, {limits.cells_per_row} "
        f"cells in a row, {limits.cells} cells in all, {limits.unzipped_bytes // (1024 * 1024)} MB unpacked); "
        "save it as CSV with only the attendees' columns.",
    )


def sheet_progress(max_rows: int) -> xlsx.Progress:
    """A reading of a sheet for a roster of at most ``max_rows`` rows: SHEET_LIMITS, with room
    for the rows above the header (Zoom's meeting details) on top of the roster's rows."""
    return xlsx.Progress(replace(SHEET_LIMITS, rows=max_rows + HEADER_SEARCH_ROWS))


def parse_xlsx(raw: bytes, max_rows: int | None = None, progress: xlsx.Progress | None = None) -> list[Row]:
    """Rows of the active sheet of an Excel workbook, with their spreadsheet row numbers.

    Cell values, not formulas (a formula's value as Excel last saved it). A file that is not
    a workbook: ROSTER_UNREADABLE. The sheet is read cell by cell (cme.platform.xlsx) and
    reading stops at the first of SHEET_LIMITS passed (ROSTER_TOO_LARGE), whatever the file's
    shape; the rows may number the roster's rows and the header search above them. A zip that
    says it unpacks to more than MAX_UNZIPPED_BYTES is refused unopened; XML entities are
    refused (defusedxml). ``progress`` (new when not given) shows how far the reading went.
    """
    limit = max_rows or get_settings().roster_max_rows
    reached = progress or sheet_progress(limit)
    if not raw:
        raise InvalidInput("ROSTER_INVALID", "The workbook is empty.")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise InvalidInput(
                    "ROSTER_TOO_LARGE", "That workbook unpacks to more than a roster needs; save it as CSV."
                )
            return numbered_rows_of(xlsx.rows(archive, reached, MAX_COLUMNS), limit)
    except InvalidInput:
        raise
    except xlsx.TooLarge:
        raise _sheet_too_large(reached) from None
    except Exception:  # not a zip, not a workbook, a broken sheet, XML entities: unreadable alike
        raise _unreadable() from None


def parse(media_type: str, raw: bytes, max_rows: int | None = None) -> list[Row]:
    """Rows of an uploaded roster file of ``media_type`` (text/csv or XLSX)."""
    if media_type == XLSX:
        return parse_xlsx(raw, max_rows)
    return parse_csv(raw, max_rows)
