"""Roster files as coordinators have them: encodings Excel saves, XLSX, Excel's and Zoom's headers."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from cme.platform.errors import InvalidInput
from cme.publishing import rosters
from infra.local.gateway import body_is_text

ROSTER = "Email,First Name,Last Name\r\nraul.pena@example.org,Raúl,Peña\r\nzoe@example.org,Zoë,Ångström\r\n"
EXPECTED = [
    (2, {"email": "raul.pena@example.org", "first_name": "Raúl", "last_name": "Peña"}),
    (3, {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "Ångström"}),
]


def code_of(call: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize(
    "raw",
    [
        ROSTER.encode("utf-8"),
        b"\xef\xbb\xbf" + ROSTER.encode("utf-8"),  # Excel's "CSV UTF-8"
        ROSTER.encode("utf-16"),  # BOM in the machine's order
        b"\xff\xfe" + ROSTER.encode("utf-16-le"),  # Excel's "Unicode Text"
        b"\xfe\xff" + ROSTER.encode("utf-16-be"),
        ROSTER.encode("cp1252"),  # Excel on Windows: "CSV (Comma delimited)"
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "cp1252"],
)
def test_each_encoding_excel_saves_keeps_the_accents(raw: bytes) -> None:
    assert rosters.parse_csv(raw, 100) == EXPECTED


def test_windows_1252_is_read_strictly() -> None:
    assert rosters.decode("Raúl Peña – “Dr.”".encode("cp1252")) == "Raúl Peña – “Dr.”"
    assert rosters.decode(b"Ra\xfal Pe\xf1a") == "Raúl Peña"
    assert rosters.decode(b"\xef\xbb\xbfRa\xc3\xbal") == "Raúl"  # the BOM is dropped


@pytest.mark.parametrize(
    "raw",
    [
        b"email\r\nann@example.org,Ann\x81\r\n",  # 0x81 and friends are undefined in Windows-1252
        b"email\r\n\x8d\x8f\x90\x9d@example.org\r\n",
        b"\xef\xbb\xbfemail\r\nRa\xfal@example.org\r\n",  # a UTF-8 BOM, then not UTF-8
        b"\xff\xfee\x00m\x00a",  # a UTF-16 BOM and an odd byte out
        b"\xff\xfee\x00\x00\xd8",  # a UTF-16 BOM and a lone surrogate
        "email\r\nann@example.org\r\n".encode("utf-16-le"),  # UTF-16 without its BOM: NULs
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_bytes_no_encoding_decodes_are_refused(raw: bytes) -> None:
    assert code_of(lambda: rosters.parse_csv(raw, 100)) == "ENCODING_INVALID"


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("E-mail Address", "email"),
        ("Email Address", "email"),
        ("E-mail", "email"),
        ("EMAIL", "email"),
        ("email_address", "email"),
        ("User Email", "email"),
        ("  First  Name ", "first_name"),
        ("first_name", "first_name"),
        ("Given name", "first_name"),
        ("Last Name", "last_name"),
        ("Surname", "last_name"),
        ("Name", "name"),
        ("Name (Original Name)", "name"),
        ("User Name (Original Name)", "name"),
        ("Join Time", ""),
        ("Duration (Minutes)", ""),
        ("Guest", ""),
    ],
)
def test_excel_and_zoom_headers_map_to_the_columns(header: str, column: str) -> None:
    assert rosters.column_of(header) == column


def test_an_excel_export_with_extra_columns() -> None:
    raw = (
        "Title;E-mail Address;Given name;Surname;Department\n"
        "Dr;raul.pena@example.org;Raúl;Peña;ICU\n"
        ";;;;\n"
        "Ms;zoe@example.org;Zoë;Ångström;Pharmacy\n"
    ).encode("cp1252")
    assert rosters.parse_csv(raw, 100) == [
        (2, {"email": "raul.pena@example.org", "first_name": "Raúl", "last_name": "Peña"}),
        (4, {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "Ångström"}),
    ]


def test_a_zoom_participants_report_with_its_meeting_details_on_top() -> None:
    raw = (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        "812 3456 7890,Grand Rounds,11/27/2026 07:00:00 AM,11/27/2026 08:00:00 AM,host@example.org,60,2\n"
        "\n"
        "Name (Original Name),User Email,Total Duration (Minutes),Guest\n"
        "Raúl Peña (Raul's iPhone),raul.pena@example.org,58,Yes\n"
        '"Ångström, Zoë",zoe@example.org,60,No\n'
        "Madonna,madonna@example.org,5,Yes\n"
    ).encode("utf-8-sig")
    assert rosters.parse_csv(raw, 100) == [
        (5, {"email": "raul.pena@example.org", "first_name": "Raúl", "last_name": "Peña"}),
        (6, {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "Ångström"}),
        (7, {"email": "madonna@example.org", "first_name": "", "last_name": "Madonna"}),
    ]


def test_first_and_last_name_columns_win_over_a_full_name() -> None:
    raw = b"Name,First Name,Last Name,Email\nDr Ann Lee,Ann,Lee,ann@example.org\nBo Ek,,,bo@example.org\n"
    assert [row for _, row in rosters.parse_csv(raw, 100)] == [
        {"email": "ann@example.org", "first_name": "Ann", "last_name": "Lee"},
        {"email": "bo@example.org", "first_name": "Bo", "last_name": "Ek"},
    ]


def test_a_roster_without_an_email_column_says_what_it_expected() -> None:
    with pytest.raises(InvalidInput) as caught:
        rosters.parse_csv(b"Name,Phone\nAnn Lee,555-0100\n", 100)
    assert caught.value.code == "ROSTER_INVALID"
    assert "E-mail Address" in caught.value.message and "User Email" in caught.value.message
    assert code_of(lambda: rosters.parse_csv(b"", 100)) == "ROSTER_INVALID"
    assert code_of(lambda: rosters.parse_csv(b"\r\n\r\n", 100)) == "ROSTER_INVALID"


def test_too_many_rows_are_refused_while_reading() -> None:
    raw = "\n".join(["email"] + [f"p{n}@example.org" for n in range(11)]).encode()
    assert len(rosters.parse_csv(raw, 11)) == 11
    assert code_of(lambda: rosters.parse_csv(raw, 10)) == "ROSTER_TOO_LARGE"
    blanks = b"email\n" + b",\n" * 5000
    assert code_of(lambda: rosters.parse_csv(blanks, 10)) == "ROSTER_TOO_LARGE"


def workbook(rows: list[list[Any]], title: str = "Roster") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_keeps_its_row_numbers_and_accents() -> None:
    raw = workbook(
        [
            ["Attendance: Grand Rounds"],
            [],
            ["E-mail Address", "First Name", "Last Name", "NPI"],
            ["raul.pena@example.org", "Raúl", "Peña", 1234567893],
            [None, None, None, None],
            ["zoe@example.org", "Zoë", "Ångström", 1.0],
            ["not-an-email", "X", "Y", None],
        ]
    )
    assert rosters.parse(rosters.XLSX, raw, 100) == [
        (4, {"email": "raul.pena@example.org", "first_name": "Raúl", "last_name": "Peña"}),
        (6, {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "Ångström"}),
        (7, {"email": "not-an-email", "first_name": "X", "last_name": "Y"}),
    ]


def test_a_workbook_with_too_many_rows_is_refused() -> None:
    raw = workbook([["Email"]] + [[f"p{n}@example.org"] for n in range(20)])
    assert len(rosters.parse_xlsx(raw, 20)) == 20
    assert code_of(lambda: rosters.parse_xlsx(raw, 19)) == "ROSTER_TOO_LARGE"


def test_files_that_are_not_workbooks_are_unreadable() -> None:
    assert code_of(lambda: rosters.parse_xlsx(b"email\nann@example.org\n", 100)) == "ROSTER_UNREADABLE"
    assert code_of(lambda: rosters.parse_xlsx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), 100)) == (
        "ROSTER_UNREADABLE"  # a legacy .xls
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert code_of(lambda: rosters.parse_xlsx(out.getvalue(), 100)) == "ROSTER_UNREADABLE"
    truncated = workbook([["Email"], ["ann@example.org"]])
    assert code_of(lambda: rosters.parse_xlsx(truncated[: len(truncated) // 2], 100)) == "ROSTER_UNREADABLE"


def test_a_zip_bomb_is_refused_unopened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (rosters.MAX_UNZIPPED_BYTES + 1))
    assert len(out.getvalue()) < 200_000
    assert code_of(lambda: rosters.parse_xlsx(out.getvalue(), 100)) == "ROSTER_TOO_LARGE"


def test_xml_entities_in_a_workbook_are_refused() -> None:
    good = workbook([["Email"], ["ann@example.org"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + data
            target.writestr(item, data)
    assert code_of(lambda: rosters.parse_xlsx(out.getvalue(), 100)) == "ROSTER_UNREADABLE"


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("text/csv", "Raúl".encode(), True),
        ("text/csv", "Raúl".encode("cp1252"), False),  # not UTF-8: API Gateway base64-encodes it
        ("application/json", b'{"a": "\xff"}', False),
        ("application/json", b'{"a": 1}', True),
        (rosters.XLSX, b"PK\x03\x04", False),
        ("", b"x", False),
    ],
)
def test_the_local_gateway_passes_only_utf8_text_as_text(content_type: str, body: bytes, text: bool) -> None:
    assert body_is_text(content_type, body) is text
