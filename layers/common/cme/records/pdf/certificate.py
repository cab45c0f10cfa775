"""The certificate PDF (docs/domain.md "Certificate content"): landscape Letter, one page."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from fpdf import FPDF

from cme.platform.schemas import CreditType
from cme.records.pdf import fonts, qr
from cme.records.pdf.text import wrap
from cme.rules import credit
from cme.rules.credit import FORMAT_LABEL, FORMAT_WORDS

INK = (29, 39, 51)
ACCENT = (20, 80, 122)
MUTED = (85, 95, 105)
SIGNATURE_WIDTH = 80.0  # mm: the signature line, and the most the image, name and title take
RECORD_SEPARATOR = "   ·   "  # between two items of a record of participation's line


@dataclass(frozen=True)
class CertificateData:
    learner_name: str  # "Zoë Łukasiewicz-Müller"
    degree: str
    activity_title: str
    activity_dates: str  # "March 3, 2026" or "March 3–4, 2026"
    format: str  # live | enduring | rss
    location: str
    credit_type: str
    credits: float
    ama_max: float | None  # the activity's AMA PRA Category 1 designation, if any
    type_max: float  # the activity's designation of credit_type
    provider_name: str
    provider_address: str
    director_name: str  # the signer (template parameter CmeDirectorName)
    director_title: str
    signature_image: bytes | None  # a PNG/JPEG drawn above the signature line (cme.records.pdf.signature)
    code: str
    verify_url: str
    issued_on: date
    # every line of the claim (empty: the one line credit_type/credits) and the activity's
    # designations by type; a jointly accredited provider; the activity's ACPE UAN for the
    # learner's audience (-P pharmacists, -T technicians: credit.AcpeUans.for_degree)
    lines: tuple[credit.Line, ...] = ()
    designated: Mapping[str, float] = field(default_factory=dict)
    jointly_accredited: bool = False
    uan: str | None = None
    aapa_valid_until: date | None = None  # the activity's AAPA approval's last day (its statement says it)
    # ACPE credit's record of participation: the NABP e-Profile ID given with the claim and the
    # date of participation (the claim's completion date)
    nabp_eprofile_id: str | None = None
    participated_on: date | None = None
    # an imported claim's (docs/domain.md "Imported history"): the portal it came from and the
    # number that portal printed; the certificate verifies under ``code``, that number namespaced
    imported_from: str | None = None
    original_number: str | None = None


def imported_note(data: CertificateData) -> str | None:
    """ "Imported from CloudCME · Original certificate number: 2019-0451" (None: not imported)."""
    if not data.imported_from:
        return None
    parts = [credit.imported_from(data.imported_from)]
    if data.original_number:
        parts.append(f"Original certificate number: {data.original_number}")
    return RECORD_SEPARATOR.join(parts)


def lines(data: CertificateData) -> tuple[credit.Line, ...]:
    """The lines the document prints: the claim's, less IPCE when the office is not jointly
    accredited (IPCE credit comes only from a jointly accredited provider; a claim made before
    that rule keeps its other lines, and an IPCE-only one prints as hours of participation)."""
    claimed = data.lines or (credit.Line(CreditType(data.credit_type), data.credits),)
    if data.jointly_accredited:
        return claimed
    kept = tuple(line for line in claimed if line.credit_type != CreditType.IPCE)
    return kept or tuple(credit.Line(CreditType.PARTICIPATION, line.credits) for line in claimed[:1])


def headline(data: CertificateData) -> str:
    """The first line's headline: a pharmacist's or technician's ACPE credit makes it a "Record of
    Participation" (ACPE credit is awarded only through CPE Monitor), never a statement of credit."""
    return credit.headline(lines(data)[0].credit_type)


def record(data: CertificateData) -> list[str]:
    """The record lines of the ACPE credit (credit.acpe_record), none without an ACPE line."""
    acpe = next((line for line in lines(data) if line.credit_type == CreditType.ACPE), None)
    if acpe is None:
        return []
    return credit.acpe_record(acpe.credits, data.uan, data.participated_on, data.nabp_eprofile_id)


def awards(data: CertificateData) -> list[str]:
    """One award sentence per credit line, about the learner by name and degree (cme.rules.credit
    ``award_sentences``): "Ana Ruiz, MD is awarded 1.0 AMA PRA Category 1 Credit™.", then
    "Ana Ruiz, MD has also earned 1.0 Medical Knowledge MOC point in the ... program."."""
    return credit.award_sentences(credit.with_degree(data.learner_name, data.degree), lines(data))


def award(data: CertificateData) -> str:
    return " ".join(awards(data))


def statements(data: CertificateData) -> list[str]:
    """The designation and accreditation statements, in the accreditors' words (cme.rules.credit): the
    Joint Accreditation statement in place of the separate ones when the provider is jointly
    accredited; the AMA designation (on every profession's certificate of an activity designated
    for it); then each line's own statement (MOC, ANCC contact hours, ACPE UAN, IPCE, ...)."""
    provider = data.provider_name
    out = []
    if data.jointly_accredited:
        out.append(credit.joint_accreditation_statement(provider))
    if data.ama_max is not None:  # designated for AMA credit: stated on every profession's certificate
        out.append(credit.statement("AMA_PRA_1", provider, data.ama_max, data.format))
        if not data.jointly_accredited:
            out.append(credit.accme_statement(provider))
    for line in lines(data):
        maximum = data.designated.get(line.credit_type.value)
        if maximum is None:
            maximum = data.type_max if line.credit_type.value == data.credit_type else line.credits
        own = credit.line_statement(
            line,
            provider,
            maximum,
            data.format,
            data.provider_address,
            jointly_accredited=data.jointly_accredited,
            aapa_valid_until=data.aapa_valid_until,
        )
        if own:
            out.append(own)
    return out


def _fit(pdf: FPDF, family: str, text: str, style: str, size: float, minimum: float, width: float) -> float:
    """The largest size from ``size`` down to ``minimum`` at which ``text`` fits on one line."""
    with fonts.shaped(pdf, text):
        while size > minimum:
            pdf.set_font(family, style, size)
            if pdf.get_string_width(text) <= width:
                return size
            size -= 0.5
    return minimum


def _paragraph(pdf: FPDF, x: float, y: float, width: float, text: str, line_height: float) -> float:
    """Centered lines of ``text`` from (x, y); returns the y below them."""
    for line in wrap(pdf, text, width):
        pdf.set_xy(x, y)
        with fonts.shaped(pdf, line):
            pdf.cell(width, line_height, line, align="C")
        y += line_height
    return y


def printable(data: CertificateData) -> CertificateData:
    """The data as it will be printed: the learner's name whole (or NAME_UNPRINTABLE, never a
    blank), every other text without what no font prints (cme.records.pdf.fonts)."""
    return dataclasses.replace(
        data,
        learner_name=fonts.require_printable(data.learner_name),
        activity_title=fonts.printable(data.activity_title),
        location=fonts.printable(data.location),
        provider_name=fonts.printable(data.provider_name),
        provider_address=fonts.printable(data.provider_address),
        director_name=fonts.printable(data.director_name),
        director_title=fonts.printable(data.director_title),
    )


def _texts(data: CertificateData) -> list[str]:
    """What the certificate prints that can be in any script."""
    return [
        data.learner_name,
        data.activity_title,
        data.location,
        data.provider_name,
        data.provider_address,
        data.director_name,
        data.director_title,
    ]


def _signature(pdf: FPDF, data: CertificateData, family: str, x: float, base: float) -> None:
    """The signature block: the signature image (if any) standing on an 80 mm line, then the
    signer's name and title under it, each shrunk to fit the line's width."""
    if data.signature_image:
        pdf.image(
            io.BytesIO(data.signature_image),
            x=x,
            y=base - 14,
            w=SIGNATURE_WIDTH,
            h=13,
            keep_aspect_ratio=True,
            alt_text=f"Signature of {data.director_name}" if data.director_name else "Signature",
        )
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(x, base, x + SIGNATURE_WIDTH, base)
    y = base + 1
    for text, style, size in ((data.director_name, "B", 10.0), (data.director_title, "", 9.0)):
        if not text:
            continue
        pdf.set_xy(x, y)
        pdf.set_font(family, style, _fit(pdf, family, text, style, size, 6.5, SIGNATURE_WIDTH))
        with fonts.shaped(pdf, text):
            pdf.cell(SIGNATURE_WIDTH, 5, text)
        y += 5


def render(data: CertificateData, unicode: bool = True) -> bytes:
    """The certificate PDF. ``unicode=False`` sets it in the core Helvetica font instead (Windows-1252
    text only): the benchmark's like-for-like baseline, never used for a real certificate."""
    return bytes(build(data, unicode).output())


def build(data: CertificateData, unicode: bool = True) -> fonts.Document:  # noqa: PLR0915 - one page
    """The certificate's page, ready for ``output()``."""
    pdf = fonts.Document(orientation="L", unit="mm", format="Letter")
    pdf.set_auto_page_break(False)
    if unicode:
        data = printable(data)
        pdf.prepare(_texts(data))
        family = fonts.FAMILY
    else:
        pdf.core_fonts_encoding = "windows-1252"
        family = "helvetica"
    pdf.set_title(f"{headline(data)}: {data.activity_title}")
    pdf.set_author(data.provider_name)
    pdf.set_creator("CME Portal")
    pdf.add_page()
    width = pdf.w - 50
    left = 25

    # frame
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)

    pdf.set_text_color(*ACCENT)
    pdf.set_xy(left, 18)
    pdf.set_font(family, "B", _fit(pdf, family, data.provider_name, "B", 15, 9, width))
    with fonts.shaped(pdf, data.provider_name):
        pdf.cell(width, 8, data.provider_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(left, 30)
    pdf.set_font(family, "B", 26)
    pdf.cell(width, 12, headline(data), align="C")

    pdf.set_text_color(*INK)
    pdf.set_xy(left, 47)
    pdf.set_font(family, "", 12)
    pdf.cell(width, 7, "This certifies that", align="C")

    name = credit.with_degree(data.learner_name, data.degree)
    pdf.set_xy(left, 56)
    size = _fit(pdf, family, name, "B", 28, 14, width)
    pdf.set_font(family, "B", size)
    with fonts.shaped(pdf, name):
        fits = pdf.get_string_width(name) <= width
        if fits:
            pdf.cell(width, 13, name, align="C")
    # a very long name: wrapped at the smallest size
    y = 71.0 if fits else _paragraph(pdf, left, 56, width, name, 8) + 2

    pdf.set_xy(left, y)
    pdf.set_font(family, "", 12)
    pdf.cell(width, 7, f"has participated in the {FORMAT_WORDS.get(data.format, 'activity')}", align="C")
    y += 9

    title = data.activity_title
    title_size = 18.0
    pdf.set_font(family, "B", title_size)
    while title_size > 11 and len(wrap(pdf, title, width)) > 2:  # long titles shrink, then wrap
        title_size -= 1
        pdf.set_font(family, "B", title_size)
    y = _paragraph(pdf, left, y, width, title, title_size * 0.45) + 2

    pdf.set_font(family, "", 12)
    where = f"{FORMAT_LABEL.get(data.format, 'Activity')}, {data.activity_dates}"
    if data.location:
        where += f", {data.location}"
    y = _paragraph(pdf, left, y, width, where, 6) + 1
    pdf.set_font(family, "B", 13 if len(lines(data)) == 1 else 12)
    for line in awards(data):
        y = _paragraph(pdf, left, y, width, line, 7 if len(lines(data)) == 1 else 6)
    details = record(data)
    if details:  # a record of participation: its ACPE lines, two to a line (room for the statements)
        y += 1
        pdf.set_font(family, "", 10)
        for pair in (details[i : i + 2] for i in range(0, len(details), 2)):
            y = _paragraph(pdf, left, y, width, RECORD_SEPARATOR.join(pair), 5)
    y += 4

    pdf.set_text_color(*MUTED)
    texts = statements(data)
    room = pdf.h - 42 - 16 - y  # above the signature, date and QR code
    size = 8.5
    pdf.set_font(family, "", size)
    while size > 6 and sum(len(wrap(pdf, t, width - 20)) * size * 4.2 / 8.5 + 1.5 for t in texts) > room:
        size -= 0.5  # several lines' statements: smaller type, never over the signature
        pdf.set_font(family, "", size)
    for statement in texts:
        y = _paragraph(pdf, left + 10, y, width - 20, statement, size * 4.2 / 8.5) + 1.5

    # signature, code and QR along the bottom
    base = pdf.h - 42
    pdf.set_text_color(*INK)
    _signature(pdf, data, family, left + 5, base)

    note = imported_note(data)
    if note:
        pdf.set_xy(left + 75, base - 12)
        pdf.set_font(family, "", 8)
        pdf.cell(120, 5, note, align="C")
    pdf.set_xy(left + 95, base - 6)
    pdf.set_font(family, "", 9)
    pdf.cell(80, 5, f"Date of issue: {data.issued_on:%B %-d, %Y}", align="C")
    pdf.set_xy(left + 95, base)
    pdf.cell(80, 5, f"Certificate code: {data.code}", align="C")
    pdf.set_xy(left + 95, base + 5)
    pdf.set_font(family, "", 7.5)
    pdf.cell(80, 5, "Verify: scan the code or visit", align="C")
    pdf.set_xy(left + 95, base + 9)
    pdf.cell(80, 4, data.verify_url, align="C", link=data.verify_url)

    qr.draw(pdf, data.verify_url, pdf.w - 25 - 30, base - 14, 30)
    return pdf
