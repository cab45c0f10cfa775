"""An import's file as rows (cme.platform.tabular): every encoding rosters take, the delimiters,
quoted newlines, XLSX with date cells, and a 200 MB-like CSV read as a stream with a bounded buffer."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from datetime import datetime

import pytest

from cme.platform import tabular
from cme.platform.errors import InvalidInput

TEXT = (
    "source_id,email,first_name,last_name\r\n1,ana@example.org,Zoë,Núñez\r\n\r\n"
    '2,ben@example.org,Ben,"O\'Brien, Jr"\r\n'
)


def rows(data: bytes, media: str = "csv") -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    table = tabular.read(io.BytesIO(data), media)
    return table.columns, [(r.row, r.values) for r in table.rows]


EXPECTED = (
    ["source_id", "email", "first_name", "last_name"],
    [
        (2, {"source_id": "1", "email": "ana@example.org", "first_name": "Zoë", "last_name": "Núñez"}),
        (4, {"source_id": "2", "email": "ben@example.org", "first_name": "Ben", "last_name": "O'Brien, Jr"}),
    ],
)


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
        TEXT.replace("\r\n", "\n").encode("utf-8"),
        TEXT.replace("\r\n", "\r").encode("cp1252"),  # old Mac Excel
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "cp1252", "lf", "cr"],
)
def test_each_encoding_and_line_end(data: bytes) -> None:
    assert rows(data) == EXPECTED


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolons_and_tabs(delimiter: str) -> None:
    text = TEXT.replace(",", delimiter).replace(f"O'Brien{delimiter} Jr", "O'Brien, Jr")
    columns, found = rows(text.encode("utf-8"))
    assert columns == EXPECTED[0] and found[0] == EXPECTED[1][0]


def test_a_quoted_newline_stays_in_its_cell_and_its_row_counts_once() -> None:
    data = b'source_id,title\r\nA1,"Grand\r\nRounds"\r\nA2,Next\r\n'
    assert rows(data)[1] == [
        (2, {"source_id": "A1", "title": "Grand\r\nRounds"}),
        (3, {"source_id": "A2", "title": "Next"}),
    ]


def test_headers_are_trimmed_and_blank_trailing_headers_dropped() -> None:
    assert rows(b" Email , Name ,,\r\na@b.org,A,,\r\n")[0] == ["Email", "Name"]


def test_bytes_that_are_no_text_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        rows(codecs.BOM_UTF8 + b"email\r\n\xff\xfe\x81\r\n")
    assert caught.value.code == "ENCODING_INVALID"
    with pytest.raises(InvalidInput) as caught:
        rows(b"")
    assert caught.value.code == "IMPORT_FILE_EMPTY"


def test_a_partial_head_drops_the_line_and_the_character_it_cuts() -> None:
    data = ("email,name\r\n" + "".join(f"p{n}@example.org,Zoë\r\n" for n in range(50))).encode("utf-8")
    cut = data[: data.index("Zoë".encode()) + 2 + 200]  # mid-row, perhaps mid-character
    table = tabular.read(io.BytesIO(cut), "csv", partial=True)
    found = list(table.rows)
    assert found and all(r.values["name"] == "Zoë" for r in found)


class CountingStream:
    """A 200 MB-like CSV made row by row as it is read: counts the bytes handed out."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.made = 0
        self.given = 0
        self.buffer = b"source_id,email,first_name,last_name\r\n"

    def read(self, size: int = -1) -> bytes:
        while len(self.buffer) < size and self.made < self.rows:
            self.buffer += f"{self.made},person{self.made}@example.org,Ana,Núñez\r\n".encode()
            self.made += 1
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        self.given += len(chunk)
        return chunk


def test_a_huge_csv_is_read_as_a_stream_never_whole() -> None:
    stream = CountingStream(rows=4_000_000)  # about 200 MB
    table = tabular.read(stream, "csv")
    taken: Iterator[tabular.Row] = table.rows
    for _ in range(100_000):
        row = next(taken)
    assert row.row == 100_001 and row.values["email"] == "person99999@example.org"
    # what was read is what was yielded, and at most a chunk or two more: never the file
    yielded = stream.given - len(stream.buffer)
    row_bytes = len("99999,person99999@example.org,Ana,Núñez\r\n".encode())
    assert stream.given <= 100_001 * row_bytes + 2 * tabular.CHUNK
    assert yielded < 300 * 1024 * 1024 / 20  # far from the 200 MB the stream would give


def xlsx_bytes(sheet_rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for values in sheet_rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_with_date_and_number_cells() -> None:
    data = xlsx_bytes(
        [
            ["source_id", "title", "start_date", "credits"],
            [101, "Sepsis", datetime(2023, 3, 14), "AMA_PRA_1:1.5"],
            [None, None, None, None],
            [102.0, "Stroke", "4/1/2023", "ANCC:2"],
        ]
    )
    columns, found = rows(data, "xlsx")
    assert columns == ["source_id", "title", "start_date", "credits"]
    assert found == [
        (2, {"source_id": "101", "title": "Sepsis", "start_date": "2023-03-14", "credits": "AMA_PRA_1:1.5"}),
        (4, {"source_id": "102", "title": "Stroke", "start_date": "4/1/2023", "credits": "ANCC:2"}),
    ]


def test_a_file_that_is_no_workbook_is_unreadable() -> None:
    with pytest.raises(InvalidInput) as caught:
        rows(b"PK\x03\x04 not really a zip", "xlsx")
    assert caught.value.code == "IMPORT_FILE_UNREADABLE"


def test_media_of_a_file_name() -> None:
    assert [tabular.media_of(n) for n in ("a.CSV", "b.xlsx", "c.pdf", "d.xls")] == ["csv", "xlsx", None, None]
