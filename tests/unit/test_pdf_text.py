"""Both PDFs print every title whole, within its column and the page (issue 13, parts 5 and 7).

Where text is drawn is read back from the PDF with pypdf (each text operation's position, font
and size); how wide it is, with the renderer's own measurement (cme.records.pdf.text.measure) at that
font and size.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from cme.records.pdf import fonts, text
from cme.records.pdf.certificate import render as render_certificate
from cme.records.pdf.transcript import COLUMNS, Row, TranscriptData
from cme.records.pdf.transcript import render as render_transcript
from tests.support.certificates import certificate

MM = 25.4 / 72
AMA = "AMA PRA Category 1 Credit™"
LONG_TITLE = (
    "Interprofessional Management of Sepsis in Older Adults with Multimorbidity: Early Recognition, "
    "the Hour-1 Bundle, Antimicrobial Stewardship, Fluid Resuscitation, Vasopressor Choice and "
    "Shared Decision-Making with Families in the Emergency Department and on General Wards"
)
URL = "https://cme.example.org/resources/sepsis/" + "early-recognition-and-the-hour-1-bundle/" * 6 + "?ref=" + "x" * 14
CJK = "敗血症の早期認識と一時間バンドルに関する多職種連携研修会" * 4  # no spaces: breaks between characters


def _transcript(rows: list[Row], period: str = "January 1, 2026 – December 31, 2026") -> TranscriptData:
    totals = [(AMA, sum(row.credits for row in rows))]
    name = "Zoë Łukasiewicz-Müller"
    return TranscriptData("St. Elsewhere CME", name, "MD", None, period, date(2026, 11, 27), rows, totals)


def _rows(titles: list[str]) -> list[Row]:
    return [Row(date(2026, 3, 3) + timedelta(days=n), title, AMA, 1.0) for n, title in enumerate(titles)]


def _pages(data: bytes) -> list[str]:
    """Each page's text, without the control characters pypdf gives for CJK glyphs."""
    return [
        "".join(ch for ch in page.extract_text() if ch == "\n" or unicodedata.category(ch) != "Cc")
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def _spans(data: bytes) -> list[tuple[int, float, float, str, float]]:
    """(page, left, right, text, size) of every text drawn, in mm, its width measured by the renderer."""
    scratch = fonts.Document(unit="mm", format="Letter")
    spans: list[tuple[int, float, float, str, float]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):

        def visit(drawn: str, cm: Any, tm: Any, font: Any, size: float, number: int = number) -> None:
            drawn = "".join(ch for ch in drawn if unicodedata.category(ch) != "Cc").strip()
            if not drawn:
                return
            scratch.prepare([drawn])
            scratch.add_page()
            scratch.set_font(fonts.FAMILY, "B" if "Bold" in str(font.get("/BaseFont")) else "", size)
            left = (tm[4] * cm[0] + cm[4]) * MM
            spans.append((number, left, left + text.measure(scratch, drawn), drawn, size))

        page.extract_text(visitor_text=visit)
    return spans


def _assert_within_columns(data: bytes) -> None:
    """Everything within the page's margins; the table's text (9 pt) ends before the next column starts."""
    edges = [13.0]
    for _, width in COLUMNS:
        edges.append(edges[-1] + width)
    for page, left, right, drawn, size in _spans(data):
        assert right <= 215.9 - 13 + 0.01, f"page {page + 1}: {drawn!r} runs to {right:.1f} mm"
        if size != 9:
            continue
        column = max(n for n, edge in enumerate(edges[:-1]) if edge <= left + 0.01)
        assert right <= edges[column + 1] + 0.01, f"page {page + 1}: {drawn!r} leaves its column ({right:.1f} mm)"


def test_a_270_character_title_is_complete_in_the_transcript() -> None:
    assert len(LONG_TITLE) == 270
    data = render_transcript(_transcript(_rows(["Grand Rounds: Heart Failure", LONG_TITLE, "Grand Rounds: Sepsis"])))
    words = " ".join(" ".join(_pages(data)).split())
    assert LONG_TITLE in words
    assert "Grand Rounds: Heart Failure" in words and "Grand Rounds: Sepsis" in words
    _assert_within_columns(data)


def test_a_300_character_url_wraps_within_its_column() -> None:
    assert len(URL) == 300 and " " not in URL
    data = render_transcript(_transcript(_rows([URL, "Grand Rounds: Sepsis"])))
    assert URL in "".join("".join(_pages(data)).split())
    _assert_within_columns(data)


def test_a_cjk_title_wraps_in_the_transcript() -> None:
    data = render_transcript(_transcript(_rows([CJK, f"Grand Rounds: {CJK}"])))
    assert "".join("".join(_pages(data)).split()).count(CJK) == 2
    _assert_within_columns(data)


def test_no_page_has_column_heads_without_rows() -> None:
    """From 40 to 80 rows, the last row falls anywhere on page 2, the totals too, or on page 3."""
    totals_alone = 0
    for count in range(40, 80, 2):
        pages = _pages(render_transcript(_transcript(_rows([f"Case {n}: Sepsis update" for n in range(count)]))))
        for page in pages:
            if "Credit type" in page:  # the column heads
                assert re.search(r"Case \d+:", page), f"{count} rows: a page has the column heads and no row:\n{page}"
            else:
                totals_alone += 1
        assert "Totals" in pages[-1] and all("Totals" not in page for page in pages[:-1])
        assert " ".join(pages).count("Case ") == count
    assert totals_alone  # the case of the bug: the totals alone on the last page


def test_a_row_of_several_lines_moves_to_the_next_page_whole() -> None:
    for count in range(24, 40, 3):
        pages = _pages(render_transcript(_transcript(_rows([f"Case {n}: {LONG_TITLE}" for n in range(count)]))))
        assert len(pages) > 1
        for n in range(count):  # each title whole, on one page
            assert sum(f"Case {n}: {LONG_TITLE}" in " ".join(page.split()) for page in pages) == 1, (count, n)
        for page in pages:
            assert "Credit type" not in page or re.search(r"Case \d+:", page)


def test_dates_read_as_people_read_them() -> None:
    rows = [Row(date(2026, 9, 30), "Grand Rounds: Sepsis", AMA, 1.25), Row(date(2026, 11, 2), "Heart Failure", AMA, 1)]
    data = render_transcript(_transcript(rows))
    words = " ".join(" ".join(_pages(data)).split())
    assert not re.search(r"\d{4}-\d\d-\d\d", words), words
    assert "September 30, 2026 Grand Rounds: Sepsis" in words and "November 2, 2026 Heart Failure" in words
    assert "January 1, 2026 – December 31, 2026" in words and "Activities from" not in words
    assert "Date of issue: November 27, 2026" in words and "Issued November 27, 2026" in words
    _assert_within_columns(data)  # the longest month name fits the date column


def test_the_all_time_heading_reads_as_a_sentence() -> None:
    data = render_transcript(_transcript(_rows(["Sepsis"]), period="all activities through November 27, 2026"))
    lines = _pages(data)[0].splitlines()
    assert "All activities through November 27, 2026" in lines
    assert not any(line.startswith("Activities from") for line in lines)


def test_a_row_taller_than_a_page_continues_on_the_next() -> None:
    """Titles are at most 300 characters; a label of any length still never runs off a page."""
    rows = [Row(date(2026, 3, 3), "Sepsis", " ".join(["Credits"] * 400), 1.0)]
    data = render_transcript(_transcript(rows))
    pages = _pages(data)
    assert len(pages) >= 2 and " ".join(" ".join(pages).split()).count("Credits Credits") > 100
    _assert_within_columns(data)


def _document(style: str = "", size: float = 9, texts: tuple[str, ...] = ()) -> fonts.Document:
    pdf = fonts.Document(unit="mm", format="Letter")
    pdf.prepare(texts)
    pdf.add_page()
    pdf.set_font(fonts.FAMILY, style, size)
    return pdf


def test_wrap_cuts_a_word_longer_than_the_line_after_its_slashes() -> None:
    pdf = _document("B", 18)
    lines = text.wrap(pdf, f"Resources: {URL}", 229)
    assert lines[0] == "Resources:" and "".join(lines[1:]) == URL
    assert all(text.measure(pdf, line) <= 229 for line in lines)
    assert all(line.endswith(("/", "-", "=")) for line in lines[1:-1]), lines  # cut where a URL has parts


def test_wrap_breaks_cjk_between_characters() -> None:
    title = f"Grand Rounds: {CJK}。次回"
    pdf = _document(texts=(title,))
    lines = text.wrap(pdf, title, 90)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert lines[0].startswith("Grand Rounds: 敗血症")  # the CJK run starts on the first line, not the next
    for line, following in itertools.pairwise(lines):
        assert text.measure(pdf, line) <= 90
        assert text.measure(pdf, line + following[0]) > 90  # each line is full
        assert following[0] not in "。、」"  # no line starts with a closing mark
    assert lines[-1].endswith("。次回")


def test_wrap_keeps_words_and_marks_whole() -> None:
    pdf = _document()
    assert text.wrap(pdf, "Zoë  Łukasiewicz-Müller", 1000) == ["Zoë Łukasiewicz-Müller"]
    assert text.wrap(pdf, "", 50) == [""]
    thai = "การดูแลผู้ป่วยติดเชื้อในกระแสเลือด" * 3  # no spaces, combining vowels and tone marks
    pdf = _document(texts=(thai,))
    lines = text.wrap(pdf, thai, 40)
    assert len(lines) > 1 and "".join(lines) == thai
    assert not any(unicodedata.combining(line[0]) or unicodedata.category(line[0]) == "Mn" for line in lines)


CERTIFICATE = certificate()


@pytest.mark.parametrize("title", [URL, CJK, LONG_TITLE], ids=["url", "cjk", "270 characters"])
def test_a_certificate_prints_a_long_title_whole_on_its_one_page(title: str) -> None:
    data = render_certificate(dataclasses.replace(CERTIFICATE, activity_title=title))
    pages = _pages(data)
    assert len(pages) == 1
    assert "".join(title.split()) in "".join(pages[0].split())
    for _, left, right, drawn, _ in _spans(data):
        assert left >= 11 and right <= 279.4 - 11, f"{drawn!r} outside the frame: {left:.1f}–{right:.1f} mm"
