"""The transcript PDF: every claim in a date range, totals per credit type.

Rows are drawn with plain text and the word wrap both PDFs share (cme.records.pdf.text): fpdf2's
``table()`` wraps every cell character by character, about 850 ms for 300 rows here. Every title
and credit label is printed whole, over as many lines as it needs; a row moves to the next page
whole, and the column heads open every page that has rows, and only those.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from cme.records.pdf import fonts
from cme.records.pdf.certificate import ACCENT, INK, MUTED
from cme.records.pdf.text import measure, wrap
from cme.rules import credit

# the date column holds the longest date written out ("September 30, 2026", 32.7 mm at 9 pt)
COLUMNS = (("Date", 34.0), ("Activity", 92.0), ("Credit type", 49.0), ("Credits", 15.0))
LINE = 4.6
PAD = 0.8  # above and below a row's lines


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
    period: str  # "January 1, 2026 – December 31, 2026", or "All activities through December 31, 2026"
    issued_on: date
    rows: list[Row]
    totals: list[tuple[str, float]]
    # outside credit the learner reported (cme.records.outside): printed apart, marked self-reported
    outside_rows: list[Row] = field(default_factory=list)
    outside_totals: list[tuple[str, float]] = field(default_factory=list)


MONTHS = ("", *(date(2000, month, 1).strftime("%B") for month in range(1, 13)))


def long_date(day: date) -> str:
    """A date as people read it: "November 27, 2026"."""
    return f"{MONTHS[day.month]} {day.day}, {day.year}"


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

    def footer(self) -> None:
        self.set_y(-12)
        self.set_text_color(*MUTED)
        self.set_font(fonts.FAMILY, "", 8)
        self.cell(0, 5, f"Issued {long_date(self.data.issued_on)}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def _column_heads(self) -> float:
        """The table's column heads; returns the y below them."""
        self.ln(2)
        self.set_text_color(*INK)
        self.set_font(fonts.FAMILY, "B", 9)
        self.set_fill_color(232, 239, 245)
        for label, width in COLUMNS:
            self.cell(width, 7, label, fill=True, align="R" if label == "Credits" else "L")
        self.ln(7)
        self.set_font(fonts.FAMILY, "", 9)
        return float(self.get_y())


def _printable_row(row: Row) -> Row:
    title = fonts.printable(row.title)
    return row if title == row.title else dataclasses.replace(row, title=title)


def printable(data: TranscriptData) -> TranscriptData:
    """The data as it will be printed: the learner's name whole (or NAME_UNPRINTABLE, never a
    blank), every other text without what no font prints (cme.records.pdf.fonts)."""
    return dataclasses.replace(
        data,
        provider_name=fonts.printable(data.provider_name),
        learner_name=fonts.require_printable(data.learner_name),
        rows=[_printable_row(row) for row in data.rows],
        outside_rows=[_printable_row(row) for row in data.outside_rows],
    )


def render(data: TranscriptData) -> bytes:
    return bytes(build(data).output())


def build(data: TranscriptData) -> fonts.Document:
    """The transcript's pages, ready for ``output()``."""
    data = printable(data)
    pdf = _Transcript(orientation="P", unit="mm", format="Letter")
    pdf.data = data
    pdf.set_margins(13, 12, 13)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(f"CME transcript: {data.learner_name}")
    pdf.set_author(data.provider_name)
    pdf.set_creator("CME Portal")
    pdf.prepare(
        [
            data.provider_name,
            data.learner_name,
            *(row.title for row in data.rows),
            *(row.title for row in data.outside_rows),
        ]
    )
    pdf.alias_nb_pages()
    pdf.add_page()

    pdf.set_text_color(*INK)
    pdf.set_font(fonts.FAMILY, "B", 18)
    pdf.cell(0, 10, "Continuing Medical Education Transcript", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "B", 12)
    who = credit.with_degree(data.learner_name, data.degree)
    with fonts.shaped(pdf, who):
        pdf.cell(0, 7, who, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "", 9.5)
    if data.npi:
        pdf.cell(0, 5, f"NPI: {data.npi}", new_x="LMARGIN", new_y="NEXT")
    period = data.period[:1].upper() + data.period[1:]
    pdf.cell(0, 5, period, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Date of issue: {long_date(data.issued_on)}", new_x="LMARGIN", new_y="NEXT")
    _rows(pdf, data.rows)

    if pdf.will_page_break(12 + 6 * len(data.totals)):
        pdf.add_page()  # the totals on a page of their own: no column heads there
    pdf.ln(4)
    pdf.set_text_color(*INK)
    pdf.set_font(fonts.FAMILY, "B", 11)
    pdf.cell(0, 7, "Totals of claimed credit" if data.outside_rows else "Totals", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "", 9.5)
    for label, total in data.totals:
        pdf.cell(COLUMNS[0][1] + COLUMNS[1][1] + COLUMNS[2][1], 6, label)
        pdf.cell(COLUMNS[3][1], 6, credit.amount(total), align="R", new_x="LMARGIN", new_y="NEXT")
    if data.outside_rows:
        _outside(pdf, data)
    return pdf


OUTSIDE_HEADING = "Outside credit (self-reported)"
OUTSIDE_NOTE = "Credit earned from other providers, as reported by the learner; not verified by {provider}."


def _outside(pdf: _Transcript, data: TranscriptData) -> None:
    """The learner's outside credit: its own heading, rows and totals, after the claimed credit's."""
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(6)
    pdf.set_text_color(*INK)
    pdf.set_font(fonts.FAMILY, "B", 12)
    pdf.cell(0, 7, OUTSIDE_HEADING, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(fonts.FAMILY, "", 9)
    note = OUTSIDE_NOTE.format(provider=data.provider_name)
    with fonts.shaped(pdf, note):
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    _rows(pdf, data.outside_rows)
    if pdf.will_page_break(12 + 6 * len(data.outside_totals)):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_text_color(*INK)
    pdf.set_font(fonts.FAMILY, "B", 11)
    pdf.cell(0, 7, "Self-reported totals", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "", 9.5)
    for label, total in data.outside_totals:
        pdf.cell(COLUMNS[0][1] + COLUMNS[1][1] + COLUMNS[2][1], 6, label)
        pdf.cell(COLUMNS[3][1], 6, credit.amount(total), align="R", new_x="LMARGIN", new_y="NEXT")


def _rows(pdf: _Transcript, rows: list[Row]) -> None:
    """The table: each row as tall as its longest cell. A row that does not fit under the
    rows already on a page starts the next one; only a row taller than a whole page is split."""
    if not rows:
        pdf.ln(2)
        pdf.cell(0, 6, "No credit was claimed for activities in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    heads_end = pdf._column_heads()
    # Rows are placed with text() at computed positions: fpdf2's cell() costs ~0.3 ms a call.
    x_title = pdf.l_margin + COLUMNS[0][1]
    x_type = x_title + COLUMNS[1][1]
    xs = (pdf.l_margin + 1, x_title + 1, x_type + 1, x_type + COLUMNS[2][1] + COLUMNS[3][1] - 1)
    title_width, type_width = COLUMNS[1][1] - 2, COLUMNS[2][1] - 2
    page_room = pdf.page_break_trigger - pdf.t_margin - 20  # under the header and column heads of a page
    pdf.set_draw_color(220, 226, 232)
    labels: dict[str, list[str]] = {}  # a few credit types, on every row
    for row in rows:
        if row.credit_label not in labels:
            labels[row.credit_label] = wrap(pdf, row.credit_label, type_width)
        title, label = wrap(pdf, row.title, title_width), labels[row.credit_label]
        cells = [[long_date(row.day)], title, label, [credit.amount(row.credits)]]
        height = LINE * max(len(cells[1]), len(cells[2])) + 2 * PAD
        if pdf.will_page_break(height) and pdf.get_y() > heads_end and height <= page_room:
            pdf.add_page()  # the row moves to the next page whole
            heads_end = pdf._column_heads()
        if not pdf.will_page_break(height):
            _draw_row(pdf, cells, xs, rule=True)
            continue
        rule = True  # taller than a page (never a title: 300 characters at most): in parts
        while any(cells):
            room = max(int((pdf.page_break_trigger - pdf.get_y() - 2 * PAD) // LINE), 0)
            if room == 0:
                pdf.add_page()
                heads_end = pdf._column_heads()
                continue
            _draw_row(pdf, [cell[:room] for cell in cells], xs, rule)
            cells, rule = [cell[room:] for cell in cells], False


def _draw_row(pdf: _Transcript, cells: list[list[str]], xs: tuple[float, ...], rule: bool) -> None:
    top = pdf.get_y()
    if rule:
        pdf.line(pdf.l_margin, top, pdf.w - pdf.r_margin, top)
    first = top + PAD + LINE * 0.75  # the first baseline
    (day, titles, labels, amounts), (x_day, x_title, x_type, x_right) = cells, xs
    for line in day:
        pdf.text(x_day, first, line)
    for n, line in enumerate(titles):
        fonts.text(pdf, x_title, first + n * LINE, line)
    for n, line in enumerate(labels):
        fonts.text(pdf, x_type, first + n * LINE, line)
    for line in amounts:
        pdf.text(x_right - measure(pdf, line), first, line)
    pdf.set_y(top + LINE * max(len(titles), len(labels), 1) + 2 * PAD)
