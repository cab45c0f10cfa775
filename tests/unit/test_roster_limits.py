"""Issue 22 finding 6: a small workbook cannot exhaust the roster import, whatever its shape.

The sheet is read cell by cell and stops at the first bound (cme.publishing.rosters.SHEET_LIMITS:
8 MB unzipped, the roster's rows and its header search, 64 cells in a row, 200,000 cells); each
test asserts how far the reader went (its Progress), not how long it took."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from cme.platform import xlsx
from cme.publishing import rosters
from tests.unit.test_rosters import code_of, workbook

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SST = "xl/sharedStrings.xml"


def with_parts(parts: dict[str, bytes], rels: bool = False) -> bytes:
    """A real two-column workbook with its sheet (and more parts) replaced by ``parts``."""
    base = workbook([["Email", "Name"], ["ann@example.org", "Ann Lee"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = parts.get(item.filename, source.read(item.filename))
            if rels and item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId9" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
                )
            target.writestr(item.filename, data, zipfile.ZIP_DEFLATED)
        for name in parts.keys() - set(source.namelist()):
            target.writestr(name, parts[name], zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet(body: bytes) -> dict[str, bytes]:
    xml = b"<worksheet " + NS.encode() + b"><sheetData>" + body + b"</sheetData></worksheet>"
    return {"xl/worksheets/sheet1.xml": xml}


def refused(raw: bytes) -> xlsx.Progress:
    progress = rosters.sheet_progress(5000)
    assert code_of(lambda: rosters.parse_xlsx(raw, 5000, progress=progress)) == "ROSTER_TOO_LARGE"
    return progress


def test_the_findings_one_row_workbook_is_refused_unopened() -> None:
    # 1.4 million cells in one row, 60 MB unzipped: refused by its declared size, nothing inflated
    cells = b'<c r="A1" t="n"><v>1</v></c>' * 1_400_000
    raw = with_parts(sheet(b'<row r="1">' + cells + b"</row>"))
    assert len(raw) < 400_000
    assert refused(raw).bytes == 0


def test_one_row_of_1_4_million_cells_inside_8_mb_stops_at_the_65th_cell() -> None:
    raw = with_parts(sheet(b'<row r="1">' + b"<c/>" * 1_400_000 + b"</row>"))
    assert len(raw) < 100_000
    progress = refused(raw)
    assert (progress.rows, progress.row_cells, progress.cells) == (1, 65, 65)
    assert progress.bytes < 200_000  # the reader stopped near the row's start, not at its end


def test_a_million_empty_rows_stop_past_the_rosters_rows() -> None:
    raw = with_parts(sheet(b"<row/>" * 1_000_000))
    progress = refused(raw)
    assert progress.rows == 5000 + rosters.HEADER_SEARCH_ROWS + 1 and progress.cells == 0


def test_many_cells_in_rows_of_60_stop_at_200_000_cells() -> None:
    raw = with_parts(sheet((b"<row>" + b"<c/>" * 60 + b"</row>") * 4000))
    progress = refused(raw)
    assert progress.cells == 200_001 and progress.rows == 3334 and progress.row_cells <= 60


def test_big_shared_strings_stop_at_200_000_strings() -> None:
    strings = b"<sst " + NS.encode() + b">" + b"<si><t>a</t></si>" * 300_000 + b"</sst>"
    raw = with_parts({SST: strings, **sheet(b'<row><c t="s"><v>0</v></c></row>')}, rels=True)
    progress = refused(raw)
    assert progress.strings == 200_001 and progress.rows == 0


def test_unzipped_bytes_are_counted_as_they_are_inflated() -> None:
    raw = workbook([["Email"], ["ann@example.org"]])
    progress = xlsx.Progress(xlsx.Limits(unzipped_bytes=1000))
    assert code_of(lambda: rosters.parse_xlsx(raw, 5000, progress=progress)) == "ROSTER_TOO_LARGE"
    assert progress.bytes == 1001


def test_a_roster_at_the_bounds_is_read_whole() -> None:
    rows = [["Email", "First Name", "Last Name"]] + [[f"p{n}@example.org", "Ann", f"Lee{n}"] for n in range(5000)]
    progress = rosters.sheet_progress(5000)
    found = rosters.parse_xlsx(workbook(rows), 5000, progress=progress)
    last = {"email": "p4999@example.org", "first_name": "Ann", "last_name": "Lee4999"}
    assert len(found) == 5000 and found[-1] == (5001, last)
    assert (progress.rows, progress.cells, progress.row_cells) == (5001, 15003, 3)


def test_shared_strings_dates_and_sparse_cells_read_as_openpyxl_reads_them() -> None:
    strings = b"<sst " + NS.encode() + b"><si><t>Email</t></si><si><r><t>Ra</t></r><r><t>\xc3\xbal</t></r></si></sst>"
    body = (
        b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t>Date</t></is></c></row>'
        b'<row r="5"><c r="A5" t="str"><v>raul@example.org</v></c><c r="B5" t="s"><v>1</v></c>'
        b'<c r="C5" s="1"><v>45000</v></c><c r="D5" t="b"><v>1</v></c><c r="E5"><v>2.5</v></c></row>'
    )
    styles = (
        b"<styleSheet " + NS.encode() + b'><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
        b"</styleSheet>"
    )
    raw = with_parts({SST: strings, "xl/styles.xml": styles, **sheet(body)}, rels=True)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        ours = list(xlsx.rows(archive, xlsx.Progress(), 64))
    assert ours == [(2, ["Email", None, "Date"]), (5, ["raul@example.org", "Raúl", datetime(2023, 3, 15), True, 2.5])]


def test_a_styles_part_of_a_million_elements_stops_at_200_000() -> None:
    styles = b"<styleSheet " + NS.encode() + b"><cellXfs>" + b"<xf/>" * 1_000_000 + b"</cellXfs></styleSheet>"
    progress = refused(with_parts({"xl/styles.xml": styles}))
    assert progress.rows == 0 and progress.bytes < 2_000_000
