"""Pharmacists and technicians, and IPCE only from a jointly accredited office (issue 23):
docs/domain.md "Degrees and who claims what", docs/domain.md "Pharmacists and technicians". The
degrees and who claims what, ACPE's UAN per audience, and the record a pharmacist or technician downloads."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from cme.platform.schemas import Credit, CreditType, Degree
from cme.records.pdf.certificate import render
from cme.rules import credit
from tests.support.certificates import certificate

P_UAN = "JA0000000-0000-26-001-L01-P"
T_UAN = "JA0000000-0000-26-001-L01-T"
BOTH = credit.AcpeUans(pharmacist=P_UAN, technician=T_UAN)
TEAM = [
    Credit(type=CreditType.AMA_PRA_1, max=2.0),
    Credit(type=CreditType.ANCC, max=2.0),
    Credit(type=CreditType.ACPE, max=2.0),
    Credit(type=CreditType.IPCE, max=2.0),
]


def types(degree: str, uans: credit.AcpeUans | None = BOTH, jointly_accredited: bool = True) -> list[str]:
    return [c.type.value for c in credit.credit_options(degree, TEAM, uans, jointly_accredited)]


# ------------------------------------------------------------------ degrees


def test_every_degree_has_one_label_in_the_served_list() -> None:
    served = credit.degrees()
    assert sorted(d.degree.value for d in served) == sorted(d.value for d in Degree)  # each once
    by_degree = {d.degree.value: d.label for d in served}
    assert by_degree["RPh"] == "RPh (pharmacist)" and by_degree["CPhT"] == "CPhT (pharmacy technician)"
    assert [d.degree.value for d in served][-2:] == ["PhD", "Other"]
    assert {d.value for d in Degree} == credit.EVERYONE


@pytest.mark.parametrize(
    ("degree", "expected"),
    [
        ("PharmD", ["ACPE", "IPCE", "PARTICIPATION"]),
        ("RPh", ["ACPE", "IPCE", "PARTICIPATION"]),  # a pharmacist without a PharmD
        ("CPhT", ["ACPE", "IPCE", "PARTICIPATION"]),  # a pharmacy technician, under the -T UAN
        ("APRN", ["ANCC", "IPCE", "PARTICIPATION"]),
        ("CRNA", ["ANCC", "IPCE", "PARTICIPATION"]),
        ("LPN", ["ANCC", "IPCE", "PARTICIPATION"]),
        ("MD", ["AMA_PRA_1", "IPCE"]),
    ],
)
def test_who_claims_what(degree: str, expected: list[str]) -> None:
    assert types(degree) == expected


def test_acpe_only_under_the_uan_of_the_learners_audience() -> None:
    pharmacists_only = credit.AcpeUans(pharmacist=P_UAN)
    technicians_only = credit.AcpeUans(technician=T_UAN)
    assert "ACPE" in types("RPh", pharmacists_only) and "ACPE" not in types("CPhT", pharmacists_only)
    assert "ACPE" in types("CPhT", technicians_only) and "ACPE" not in types("PharmD", technicians_only)
    assert types("PharmD", None) == ["IPCE", "PARTICIPATION"]  # no UAN: nothing to report ACPE credit under
    assert BOTH.for_degree("RPh") == P_UAN and BOTH.for_degree("CPhT") == T_UAN and BOTH.for_degree("RN") is None


def test_ipce_only_from_a_jointly_accredited_office() -> None:
    assert types("MD", jointly_accredited=False) == ["AMA_PRA_1"]
    assert types("LPN", jointly_accredited=False) == ["ANCC", "PARTICIPATION"]


# ------------------------------------------------------------------ UANs


@pytest.mark.parametrize(
    ("uans", "activity_format", "fields"),
    [
        (credit.AcpeUans(pharmacist=P_UAN), "live", []),
        (credit.AcpeUans(technician="0000-0000-26-001-H01-T"), "enduring", []),
        (credit.AcpeUans(pharmacist="0798-9999-18-246-L04-P", technician="0798-9999-18-246-L04-T"), "rss", []),
        (credit.AcpeUans(), "live", ["uan_pharmacist", "uan_technician"]),  # ACPE designated, no UAN
        (credit.AcpeUans(pharmacist=T_UAN), "live", ["uan_pharmacist"]),  # a -T UAN for pharmacists
        (credit.AcpeUans(technician=P_UAN), "live", ["uan_technician"]),
        (credit.AcpeUans(pharmacist="JA-1"), "live", ["uan_pharmacist"]),  # not ACPE's shape
        (credit.AcpeUans(pharmacist="0000-0000-26-01-L01-P"), "live", ["uan_pharmacist"]),  # 2-digit sequence
        (credit.AcpeUans(pharmacist="0000-0000-26-001-X01-P"), "live", ["uan_pharmacist"]),  # no such format
        (credit.AcpeUans(pharmacist=P_UAN), "enduring", ["uan_pharmacist"]),  # a live UAN on an enduring one
        (credit.AcpeUans(pharmacist=P_UAN, technician="0000-0000-26-001-H01-T"), "live", ["uan_technician"]),
    ],
)
def test_uans_per_audience(uans: credit.AcpeUans, activity_format: str, fields: list[str]) -> None:
    problems = credit.check_uans(["AMA_PRA_1", "ACPE"], activity_format, uans)
    assert [p["field"] for p in problems] == fields
    assert all(p["message"] for p in problems)


def test_no_uan_needed_without_acpe() -> None:
    assert credit.check_uans(["AMA_PRA_1"], "live", credit.AcpeUans()) == []


def test_a_stored_single_uan_is_read_by_its_suffix() -> None:
    assert credit.stored_uans(None, None, T_UAN) == credit.AcpeUans(technician=T_UAN)
    assert credit.stored_uans(None, None, P_UAN) == credit.AcpeUans(pharmacist=P_UAN)
    assert credit.stored_uans(None, None, "JA-1") == credit.AcpeUans(pharmacist="JA-1")  # pharmacists', as before
    assert credit.stored_uans("A-P", None, "B-P") == credit.AcpeUans(pharmacist="A-P")  # its own wins
    assert credit.stored_uans(None, "A-T", None) == credit.AcpeUans(technician="A-T")


# ------------------------------------------------------------------ the record of participation


def test_contact_hours_with_their_ceus() -> None:
    assert credit.contact_hours(2.0) == "2.0 contact hours (0.2 CEUs)"
    assert credit.contact_hours(1.5) == "1.5 contact hours (0.15 CEUs)"
    assert credit.contact_hours(1.0) == "1.0 contact hour (0.1 CEUs)"
    assert credit.contact_hours(10.0) == "10.0 contact hours (1.0 CEU)"


def test_acpe_is_never_a_statement_of_credit() -> None:
    assert credit.headline("ACPE") == "Record of Participation"
    assert "award" not in credit.award("ACPE", 2.0)  # ACPE credit is awarded only through CPE Monitor
    assert "Statement of Credit" not in {k.headline for k in credit.KINDS.values()}


def pdf_lines(data: object) -> list[str]:
    text = PdfReader(io.BytesIO(render(data))).pages[0].extract_text()  # type: ignore[arg-type]
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


PHARMACIST = certificate(
    learner_name="Ana Ruiz",
    degree="RPh",
    activity_title="Opioid Stewardship",
    activity_dates="March 3, 2026",
    format="live",
    credit_type="ACPE",
    credits=2.0,
    ama_max=2.0,
    type_max=2.0,
    lines=(credit.Line(CreditType.ACPE, 2.0),),
    designated={"AMA_PRA_1": 2.0, "ACPE": 2.0},
    uan=P_UAN,
    nabp_eprofile_id="1234567",
    participated_on=date(2026, 3, 3),
)


def test_a_pharmacists_record_of_participation() -> None:
    lines = pdf_lines(PHARMACIST)
    text = " ".join(lines)
    assert "Record of Participation" in lines and "Statement of Credit" not in text
    assert "Ana Ruiz, RPh" in lines
    # the record's four items, two to a line
    assert "NABP e-Profile ID: 1234567 · Date of participation: March 3, 2026" in lines
    assert f"ACPE Universal Activity Number (UAN): {P_UAN} · Contact hours: 2.0 contact hours (0.2 CEUs)" in lines
    assert "accredited by the Accreditation Council for Pharmacy Education as a provider of continuing pharmacy" in text
    assert "ACPE credit is awarded only through CPE Monitor" in text and "view it in your NABP e-Profile" in text


def test_a_technicians_record_of_participation() -> None:
    import dataclasses

    technician = dataclasses.replace(
        PHARMACIST, learner_name="Li Wei", degree="CPhT", uan=T_UAN, nabp_eprofile_id="7654321"
    )
    lines = pdf_lines(technician)
    assert "Record of Participation" in lines and "Li Wei, CPhT" in lines
    assert "NABP e-Profile ID: 7654321 · Date of participation: March 3, 2026" in lines
    assert f"ACPE Universal Activity Number (UAN): {T_UAN} · Contact hours: 2.0 contact hours (0.2 CEUs)" in lines


def test_ipce_is_never_printed_by_an_office_not_jointly_accredited() -> None:
    import dataclasses

    team = dataclasses.replace(
        PHARMACIST,
        lines=(credit.Line(CreditType.ACPE, 2.0), credit.Line(CreditType.IPCE, 2.0)),
        designated={"AMA_PRA_1": 2.0, "ACPE": 2.0, "IPCE": 2.0},
    )
    assert "IPCE" not in " ".join(pdf_lines(team))
    joint = " ".join(pdf_lines(dataclasses.replace(team, jointly_accredited=True)))
    assert "Interprofessional Continuing Education (IPCE)" in joint and "jointly accredited" in joint


def test_no_page_lists_the_degrees_itself() -> None:
    """The account and profile forms build their degree lists from GET /api/credit-types (web/js/credits.js)."""
    from pathlib import Path

    web = Path(__file__).resolve().parents[2] / "web"
    pages = sorted(web.glob("*.html"))
    assert len(pages) > 10
    copies = [
        f"{page.name}: {degree.value}"
        for page in pages
        for degree in Degree
        if f'<option value="{degree.value}"' in page.read_text(encoding="utf-8")
    ]
    assert copies == []


def test_a_team_record_stays_above_the_signature() -> None:
    """A jointly accredited pharmacist's record of ACPE and IPCE: every line of text above the
    signature (its image stands on a line 42 mm from the bottom, up to 14 mm high)."""
    import dataclasses

    from cme.records.pdf.certificate import RECORD_SEPARATOR

    team = dataclasses.replace(
        PHARMACIST,
        lines=(credit.Line(CreditType.ACPE, 2.0), credit.Line(CreditType.IPCE, 2.0)),
        designated={"AMA_PRA_1": 2.0, "ACPE": 2.0, "IPCE": 2.0},
        jointly_accredited=True,
    )
    page = PdfReader(io.BytesIO(render(team))).pages[0]
    found: list[tuple[float, str]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append((tm[5] * cm[3] + cm[5], text)))
    signature_top = (42 + 14) * 72 / 25.4  # points from the bottom of the page
    statements = [(y, text) for y, text in found if "CPE Monitor" in text or "IPCE" in text]
    assert statements and all(y > signature_top for y, _ in statements), statements
    assert RECORD_SEPARATOR.strip() == "·"
