"""The transcript PDF: every claim in a date range, totals per credit type.

Rows are drawn with plain cells and our own word wrap (cme.pdf.certificate.wrap): fpdf2's
``table()`` wraps every cell character by character, about 850 ms for 300 rows here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from cme.pdf import fonts
from cme.pdf.certificate import ACCENT, INK, MUTED, measure, wrap

COLUMNS = (("Date", 24.0), ("Activity", 104.0), ("Credit type", 44.0), ("Credits", 18.0))
LINE = 4.6


@dataclass(frozen=True)
class Row:
    day: date
    title: str
    credit_label: str
    credits: float


@dataclass(frozen=True)
class TranscriptData:
    provider_name: str
    learner_name: str
    degree: str
    npi: str | None
    period: str  # "January 1, 2026 – December 31, 2026"
    issued_on: date
    rows: list[Row]
    totals: list[tuple[str, float]]


def _amount(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"


class _Transcript(fonts.Document):
    data: TranscriptData

    def header(self) -> None:
        self.set_text_color(*ACCENT)
        self.set_font(fonts.FAMILY, "B", 10)
        with fonts.shaped(self, self.data.provider_name):
            self.cell(0, 6, self.data.provider_name, new_x="LMARGIN", new_y="NEXT")
        if self.page_no() > 1:
            self.set_text_color(*MUTED)
            self.set_font(fonts.FAMILY, "", 8)
            continued = f"CME transcript of {self.data.learner_name} (continued)"
            with fonts.shaped(self, continued):
                self.cell(0, 5, continued, new_x="LMARGIN", new_y="NEXT")
            self._column_heads()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_text_color(*MUTED)
        self.set_font(fonts.FAMILY, "", 8)
        self.cell(0, 5, f"Issued {self.data.issued_on:%B %-d, %Y}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def _column_heads(self) -> None:
        self.ln(2)
        self.set_text_color(*INK)
        self.set_font(fonts.FAMILY, "B", 9)
        self.set_fill_color(232, 239, 245)
        for label, width in COLUMNS:
            self.cell(width, 7, label, fill=True, align="R" if label == "Credits" else "L")
        self.ln(7)
        self.set_font(fonts.FAMILY, "", 9)


def _printable_row(row: Row) -> Row:
    title = fonts.printable(row.title)
    return row if title == row.title else dataclasses.replace(row, title=title)


def printable(data: TranscriptData) -> TranscriptData:
    """The data as it will be printed: the learner's name whole (or NAME_UNPRINTABLE, never a
    blank), every other text without what no font prints (cme.pdf.fonts)."""
    return dataclasses.replace(
        data,
        provider_name=fonts.printable(data.provider_name),
        learner_name=fonts.require_printable(data.learner_name),
        rows=[_printable_row(row) for row in data.rows],
    )


def render(data: TranscriptData) -> bytes:
    return bytes(build(data).output())


def build(data: TranscriptData) -> fonts.Document:  # noqa: PLR0915 - the page, top to bottom
    """The transcript's pages, ready for ``output()``."""
    data = printable(data)
    pdf = _Transcript(orientation="P", unit="mm", format="Letter")
    pdf.data = data
    pdf.set_margins(13, 12, 13)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(f"CME transcript: {data.learner_name}")
    pdf.set_author(data.provider_name)
    pdf.set_creator("CME Portal")
    pdf.prepare([data.provider_name, data.learner_name, *(row.title for row in data.rows)])
    pdf.alias_nb_pages()
    pdf.add_page()

    pdf.set_text_color(*INK)
    pdf.set_font(fonts.FAMILY, "B", 18)
    pdf.cell(0, 10, "Continuing Medical Education Transcript", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "B", 12)
    who = f"{data.learner_name}, {data.degree}" if data.degree and data.degree != "Other" else data.learner_name
    with fonts.shaped(pdf, who):
        pdf.cell(0, 7, who, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "", 9.5)
    if data.npi:
        pdf.cell(0, 5, f"NPI: {data.npi}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Activities from {data.period}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Date of issue: {data.issued_on:%B %-d, %Y}", new_x="LMARGIN", new_y="NEXT")
    pdf._column_heads()

    # Rows are placed with text() at computed positions: fpdf2's cell() costs ~0.3 ms a call.
    title_width = COLUMNS[1][1] - 2
    x_title = pdf.l_margin + COLUMNS[0][1]
    x_type = x_title + COLUMNS[1][1]
    x_right = x_type + COLUMNS[2][1] + COLUMNS[3][1]
    pdf.set_draw_color(220, 226, 232)
    baseline = LINE * 0.75
    for row in data.rows:
        lines = wrap(pdf, row.title, title_width)[:3]
        height = LINE * len(lines) + 1.6
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y()
        pdf.line(pdf.l_margin, top, pdf.w - pdf.r_margin, top)
        first = top + 0.8 + baseline
        pdf.text(pdf.l_margin + 1, first, f"{row.day:%Y-%m-%d}")
        for n, line in enumerate(lines):
            fonts.text(pdf, x_title + 1, first + n * LINE, line)
        pdf.text(x_type + 1, first, row.credit_label)
        amount = _amount(row.credits)
        pdf.text(x_right - 1 - measure(pdf, amount), first, amount)
        pdf.set_y(top + height)

    if not data.rows:
        pdf.ln(2)
        pdf.cell(0, 6, "No credit was claimed for activities in this period.", new_x="LMARGIN", new_y="NEXT")

    if pdf.will_page_break(12 + 6 * len(data.totals)):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(fonts.FAMILY, "B", 11)
    pdf.cell(0, 7, "Totals", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "", 9.5)
    for label, total in data.totals:
        pdf.cell(COLUMNS[0][1] + COLUMNS[1][1] + COLUMNS[2][1], 6, label)
        pdf.cell(COLUMNS[3][1], 6, _amount(total), align="R", new_x="LMARGIN", new_y="NEXT")
    return pdf
