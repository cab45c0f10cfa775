"""Several credit lines per claim: the pure rules in cme.rules.credit (issue 13, part 2)."""

from __future__ import annotations

import pytest

from cme.platform.errors import InvalidInput
from cme.platform.models import Claim
from cme.platform.models.tables import ClaimLine
from cme.platform.schemas import Credit, CreditType
from cme.rules import credit
from tests.support.certificates import certificate

AMA, MOC, ANCC, ACPE, IPCE = (
    CreditType.AMA_PRA_1,
    CreditType.ABIM_MOC,
    CreditType.ANCC,
    CreditType.ACPE,
    CreditType.IPCE,
)
AMA_MOC = [Credit(type=AMA, max=2.0), Credit(type=MOC, max=2.0)]
TEAM = [Credit(type=t, max=1.0) for t in (AMA, ANCC, ACPE, IPCE)]


def test_each_profession_claims_its_own_on_a_team_activity() -> None:
    def types(degree: str) -> list[str]:
        uans = credit.AcpeUans(pharmacist="JA0000000-0000-26-001-L01-P")
        return [c.type.value for c in credit.credit_options(degree, TEAM, uans, jointly_accredited=True)]

    assert types("MD") == types("DO") == ["AMA_PRA_1", "IPCE"]
    assert types("RN") == ["ANCC", "IPCE", "PARTICIPATION"]
    assert types("PharmD") == ["ACPE", "IPCE", "PARTICIPATION"]


def test_ama_and_moc_in_one_claim_in_order() -> None:
    lines = credit.check_lines("MD", AMA_MOC, [("ABIM_MOC", 1.5), ("AMA_PRA_1", 2.0)])
    assert lines == [credit.Line(AMA, 2.0), credit.Line(MOC, 1.5)]
    assert credit.moc_boards(lines) == ["ABIM"] and credit.needs_birth_mmdd(lines)


@pytest.mark.parametrize(
    ("requested", "field"),
    [
        ([], "lines"),
        ([("AMA_PRA_1", 1.0), ("AMA_PRA_1", 1.0)], "lines.1.credit_type"),
        ([("ABIM_MOC", 1.0)], "lines.0.credits"),  # MOC points without AMA credit
        ([("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.25)], "lines.1.credits"),  # more MOC than AMA
        ([("AMA_PRA_1", 1.0), ("ABIM_MOC", 2.25)], "lines.1.credits"),  # over the designation
    ],
)
def test_credits_invalid(requested: list[tuple[str, float]], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        credit.check_lines("MD", AMA_MOC, requested)
    assert caught.value.code == "CREDITS_INVALID" and caught.value.details[0]["field"] == field


def test_moc_without_an_ama_designation_is_limited_by_its_own() -> None:
    assert credit.check_lines("MD", [Credit(type=MOC, max=1.0)], [("ABIM_MOC", 1.0)], several=False) == [
        credit.Line(MOC, 1.0)
    ]


def test_what_reporting_needs() -> None:
    moc = [credit.Line(AMA, 1.0), credit.Line(MOC, 1.0)]
    with pytest.raises(InvalidInput) as caught:
        credit.check_reporting(moc, False, {}, None, None)
    assert caught.value.code == "MOC_DETAILS_REQUIRED"
    assert [d["field"] for d in caught.value.details] == ["moc_consent", "board_ids.ABIM", "birth_mmdd"]
    credit.check_reporting(moc, True, {"ABIM": "123456"}, "0704", None)
    with pytest.raises(InvalidInput) as caught:
        credit.check_reporting([credit.Line(ACPE, 1.0)], False, {}, "0704", None)
    assert caught.value.code == "CPE_DETAILS_REQUIRED"
    assert [d["field"] for d in caught.value.details] == ["nabp_eprofile_id"]
    credit.check_reporting([credit.Line(ANCC, 1.0), credit.Line(IPCE, 1.0)], False, {}, None, None)  # nothing needed
    with pytest.raises(InvalidInput) as caught:
        credit.check_board_ids({"XYZ": "1"})
    assert caught.value.code == "BOARD_UNKNOWN"


def test_line_statements_alone_and_jointly_accredited() -> None:
    acpe = credit.Line(ACPE, 1.5)
    alone = credit.line_statement(acpe, "X", 1.5, "live", "1 Way")
    assert alone.startswith("X is accredited by the Accreditation Council for Pharmacy Education")
    assert alone.endswith(credit.CPE_MONITOR_NOTE.format(provider="X"))
    assert credit.line_statement(acpe, "X", 1.5, "live", "1 Way", jointly_accredited=True) == (
        credit.CPE_MONITOR_NOTE.format(provider="X")
    )
    nurse = credit.line_statement(credit.Line(ANCC, 1.0), "X", 1.0, "live", "1 Way", jointly_accredited=True)
    assert nurse == "Nursing contact hours awarded: 1.0. X, 1 Way."
    assert "American Nurses Credentialing Center's Commission" in credit.line_statement(
        credit.Line(ANCC, 1.0), "X", 1.0, "live", "1 Way"
    )
    assert credit.line_statement(credit.Line(AMA, 1.0), "X", 1.0) == ""  # printed apart, on every certificate
    assert "(ABIM) Maintenance of Certification (MOC) program" in credit.line_statement(credit.Line(MOC, 1.0), "X", 1.0)
    assert credit.joint_accreditation_statement("X").startswith("In support of improving patient care, X is jointly")


def test_an_acpe_record_without_a_uan() -> None:
    assert credit.acpe_record(2.0, None, None, None) == ["Contact hours: 2.0 contact hours (0.2 CEUs)"]


def test_the_ama_and_moc_certificate_text() -> None:
    """Both award lines and both statements on the page (pypdf), the ACCME one too when not jointly accredited."""
    import dataclasses
    import io

    from pypdf import PdfReader

    from cme.records.pdf.certificate import CertificateData, render

    data = certificate(
        learner_name="Ana Ruiz",
        activity_title="Internal Medicine Update",
        lines=(credit.Line(AMA, 1.0), credit.Line(MOC, 1.0)),
        designated={"AMA_PRA_1": 1.0, "ABIM_MOC": 1.0},
    )

    def text(d: CertificateData) -> str:
        return " ".join(PdfReader(io.BytesIO(render(d))).pages[0].extract_text().split())

    page = text(data)
    # whole sentences about the learner (they read "... Credit™. and has earned ..."), read back with pypdf
    assert "Ana Ruiz, MD is awarded 1.0 AMA PRA Category 1 Credit™." in page
    assert (
        "Ana Ruiz, MD has also earned 1.0 Medical Knowledge MOC point in the American Board of Internal Medicine's "
        "Maintenance of Certification (MOC) program." in page
    )
    assert "and has earned" not in page and "Credit™. and" not in page
    assert "for the purpose of granting ABIM MOC credit." in page
    assert credit.statement("AMA_PRA_1", "St. Elsewhere CME", 1.0, "live") in page
    assert credit.statement("ABIM_MOC", "St. Elsewhere CME", 1.0) in page
    assert credit.accme_statement("St. Elsewhere CME") in page
    joint = text(dataclasses.replace(data, jointly_accredited=True))
    assert credit.joint_accreditation_statement("St. Elsewhere CME") in joint
    assert credit.accme_statement("St. Elsewhere CME") not in joint


def test_a_claims_lines_are_read_in_one_place() -> None:
    several = Claim(
        "learner-1",
        "activity-1",
        credit_type="AMA_PRA_1",
        credits=2.0,
        lines=[ClaimLine(credit_type="AMA_PRA_1", credits=2.0), ClaimLine(credit_type="ABIM_MOC", credits=1.5)],
    )
    assert credit.claim_lines(several) == [credit.Line(AMA, 2.0), credit.Line(MOC, 1.5)]
    before_lines = Claim("learner-1", "activity-2", credit_type="ANCC", credits=1.25)  # a claim from before lines
    assert credit.claim_lines(before_lines) == [credit.Line(ANCC, 1.25)]


def test_a_pas_certificate_has_the_whole_aapa_statement() -> None:
    """The AAPA statement lacked its authorization sentence and validity date (read back with pypdf)."""
    import io
    from datetime import date

    from pypdf import PdfReader

    from cme.records.pdf.certificate import render

    data = certificate(
        learner_name="Pat Lee",
        degree="PA-C",
        credit_type="AAPA_1",
        credits=1.5,
        type_max=1.5,
        ama_max=1.5,
        lines=(credit.Line(CreditType.AAPA_1, 1.5),),
        designated={"AMA_PRA_1": 1.5, "AAPA_1": 1.5},
        jointly_accredited=True,
        aapa_valid_until=date(2027, 6, 30),
    )
    page = " ".join(PdfReader(io.BytesIO(render(data))).pages[0].extract_text().split())
    assert "Pat Lee, PA-C is awarded 1.5 AAPA Category 1 CME credits." in page
    assert (
        "St. Elsewhere CME has been authorized by the American Academy of PAs (AAPA) to award AAPA Category 1 CME "
        "credit for activities planned in accordance with AAPA CME Criteria." in page
    )
    assert "Approval is valid until June 30, 2027." in page


def test_a_nurses_certificate_says_ipce_then_credits() -> None:
    import io

    from pypdf import PdfReader

    from cme.records.pdf.certificate import render

    data = certificate(
        learner_name="Bo Li",
        degree="RN",
        credit_type="ANCC",
        credits=1.0,
        type_max=1.0,
        lines=(credit.Line(ANCC, 1.0), credit.Line(CreditType.IPCE, 1.0)),
        designated={"AMA_PRA_1": 1.0, "ANCC": 1.0, "IPCE": 1.0},
        jointly_accredited=True,
    )
    page = " ".join(PdfReader(io.BytesIO(render(data))).pages[0].extract_text().split())
    assert "Bo Li, RN is awarded 1.0 nursing contact hour (ANCC)." in page
    assert "Bo Li, RN has also earned 1.0 Interprofessional Continuing Education (IPCE) credit." in page
    assert "(IPCE credit" not in page
