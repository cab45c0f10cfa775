"""The credit facts of cme.rules.credit: wording, who may claim what, the claim window's last day, the
name with degree, the certificate code and the completion date."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from cme.platform.errors import InvalidInput
from cme.platform.schemas import Credit, CreditType
from cme.rules import credit

ROOT = Path(__file__).resolve().parents[2]
API_TYPES = [
    "AMA_PRA_1",
    "ANCC",
    "ACPE",
    "AAPA_1",
    "ABIM_MOC",
    "PARTICIPATION",
    "IPCE",
    "ABA_MOC",
    "ABP_MOC",
    "ABS_MOC",
    "ABPATH_MOC",
    "ABO_MOC",
    "ABOTO_MOC",
]


def test_every_type_of_the_contract_has_its_wording() -> None:
    assert sorted(t.value for t in CreditType) == sorted(API_TYPES)
    assert set(credit.KINDS) == set(CreditType) and list(credit.ORDER) == list(credit.KINDS)
    served = {c.type.value: c for c in credit.catalogue()}
    assert sorted(served) == sorted(API_TYPES)
    for kind in credit.KINDS.values():
        assert kind.label and kind.unit and kind.unit_one and kind.short and kind.headline and kind.claimants
        assert served[kind.type.value].label == kind.label == credit.label(kind.type.value)
        assert served[kind.type.value].statement == kind.statement
        # the award line names the unit, singular for 1, plural otherwise
        assert credit.award(kind.type.value, 1.0).count(kind.unit_one) == 1
        assert kind.unit in credit.award(kind.type.value, 2.5) and "2.5" in credit.award(kind.type.value, 2.5)
        if kind.type != CreditType.PARTICIPATION:  # participation has no statement of its own
            text = credit.statement(kind.type.value, "St. Elsewhere CME", 1.5, "live", 1.0, "1 Hospital Way")
            assert text and "{" not in text and "}" not in text
        # an amount with its label: label_one for exactly 1, label_other for any other amount
        assert (
            served[kind.type.value].label_one == kind.label_one
            and served[kind.type.value].label_other == kind.label_other
        )
        assert credit.counted(kind.type.value, 1.0) == f"1.0 {kind.label_one}"
        assert credit.counted(kind.type.value, 0.5) == f"0.5 {kind.label_other}"
        assert kind.label_one != kind.label_other
    labels = [k.label for k in credit.KINDS.values()]
    assert len(set(labels)) == len(labels)
    assert credit.label("NOT_A_TYPE") == "NOT_A_TYPE"


def test_acpe_is_worded_one_way() -> None:
    """It was "ACPE" on the web and "ACPE contact hours" in transcripts."""
    assert credit.label("ACPE") == "ACPE contact hours"
    assert "contact hours" in credit.award("ACPE", 2.0) and "(ACPE)" in credit.award("ACPE", 2.0)


def test_moc_points_name_their_board() -> None:
    for credit_type in credit.MOC_TYPES:
        kind = credit.KINDS[credit_type]
        assert kind.moc_board and kind.label.startswith(kind.moc_board)
        text = credit.statement(credit_type.value, "St. Elsewhere CME", 10, "live")
        # ACCME's CME for MOC statements end "for the purpose of granting ABIM MOC credit" (it read "ABIM credit")
        assert "up to 10.0 " in text and text.endswith(f"for the purpose of granting {kind.moc_board} MOC credit.")
        assert kind.claimants == credit.PHYSICIANS
    abim = credit.statement("ABIM_MOC", "X", 12.5)
    assert "earn up to 12.5 Medical Knowledge MOC points in the American Board of Internal Medicine's (ABIM)" in abim


def test_the_ama_statement_in_the_required_form() -> None:
    assert credit.statement("AMA_PRA_1", "St. Elsewhere CME", 1.0, "enduring") == (
        "St. Elsewhere CME designates this enduring material for a maximum of 1.0 AMA PRA Category 1 Credit™. "
        "Physicians should claim only the credit commensurate with the extent of their participation in the activity."
    )
    assert "maximum of 12.5 AMA PRA Category 1 Credits™" in credit.statement("AMA_PRA_1", "X", 12.5, "live")
    assert "designates this live activity" in credit.statement("AMA_PRA_1", "X", 1, "rss")
    assert credit.award("AMA_PRA_1", 0.75) == "0.75 AMA PRA Category 1 Credits™"
    assert credit.award("AMA_PRA_1", 1.0) == "1.0 AMA PRA Category 1 Credit™"


def test_award_lines_are_whole_sentences() -> None:
    """They read "... Credits™. and has earned ...": the first now says who is awarded what, each
    next what the learner has also earned, every one a sentence of its own."""
    lines = [
        credit.Line(CreditType.AMA_PRA_1, 1.5),
        credit.Line(CreditType.ABIM_MOC, 1.0),
        credit.Line(CreditType.IPCE, 1.5),
    ]
    assert credit.award_sentences("Ana Ruiz, MD", lines) == [
        "Ana Ruiz, MD is awarded 1.5 AMA PRA Category 1 Credits™.",
        "Ana Ruiz, MD has also earned 1.0 Medical Knowledge MOC point in the American Board of Internal Medicine's "
        "Maintenance of Certification (MOC) program.",
        "Ana Ruiz, MD has also earned 1.5 Interprofessional Continuing Education (IPCE) credits.",
    ]
    assert credit.award_sentences("Bo Li, RN", [credit.Line(CreditType.PARTICIPATION, 1.0)]) == [
        "Bo Li, RN is awarded 1.0 hour of participation."
    ]
    for kind in credit.KINDS.values():  # no award starts or ends a sentence of its own ("and ...", "... .")
        phrase = credit.award(kind.type.value, 2.0)
        assert phrase[0].isdigit() and not phrase.endswith("."), phrase


def test_ipce_credits_are_worded_ipce_then_credits() -> None:
    """ "(IPCE credits)" is "(IPCE) credits", as the Joint Accreditation statement words it."""
    assert "(IPCE credits)" not in credit.award("IPCE", 2.0)
    assert credit.award("IPCE", 2.0) == "2.0 Interprofessional Continuing Education (IPCE) credits"
    assert credit.award("IPCE", 1.0) == "1.0 Interprofessional Continuing Education (IPCE) credit"


def test_abp_statement_in_its_own_words() -> None:
    assert credit.statement("ABP_MOC", "X", 2.0) == (
        "Successful completion of this CME activity, which includes participation in the evaluation component, "
        "enables the learner to earn up to 2.0 MOC points in the American Board of Pediatrics' (ABP) Maintenance of "
        "Certification (MOC) program. It is the CME activity provider's responsibility to submit learner completion "
        "information to ACCME for the purpose of granting ABP MOC credit."
    )


def test_aapa_statement_whole() -> None:
    """It lacked its authorization sentence and the approval's validity date."""
    joint = credit.statement(
        "AAPA_1", "St. Elsewhere CME", 1.5, "live", jointly_accredited=True, aapa_valid_until=date(2027, 6, 30)
    )
    assert joint == (
        "St. Elsewhere CME has been authorized by the American Academy of PAs (AAPA) to award AAPA Category 1 CME "
        "credit for activities planned in accordance with AAPA CME Criteria. This activity is designated for 1.5 AAPA "
        "Category 1 CME credits. Approval is valid until June 30, 2027. PAs should only claim credit commensurate with "
        "the extent of their participation."
    )
    reviewed = credit.statement("AAPA_1", "St. Elsewhere CME", 1.0, "live", aapa_valid_until=date(2027, 1, 5))
    assert reviewed == (
        "This activity has been reviewed by the AAPA Review Panel and is compliant with AAPA CME Criteria. This "
        "activity is designated for 1.0 AAPA Category 1 CME credit. Approval is valid until January 5, 2027. PAs "
        "should only claim credit commensurate with the extent of their participation."
    )
    # an activity saved before the date was asked for: no date is made up
    assert "valid until" not in credit.statement("AAPA_1", "X", 1.0, "live")


def test_aapa_designation_needs_its_validity_date() -> None:
    with pytest.raises(InvalidInput) as refused:
        credit.check_aapa_valid_until(["AMA_PRA_1", "AAPA_1"], None)
    assert refused.value.code == "VALIDATION_FAILED"
    assert [d["field"] for d in refused.value.details or []] == ["aapa_valid_until"]
    credit.check_aapa_valid_until(["AMA_PRA_1", "AAPA_1"], date(2027, 6, 30))
    credit.check_aapa_valid_until(["AMA_PRA_1"], None)


@pytest.mark.parametrize(
    ("degree", "own"),
    [
        ("MD", "Physicians should claim only the credit commensurate with the extent of their participation"),
        ("DO", "Physicians should claim only the credit commensurate with the extent of their participation"),
        ("PA-C", "PAs should only claim credit commensurate with the extent of their participation."),
        ("RN", "Nurses should claim only the contact hours commensurate"),
        ("NP", "Nurses should claim only the contact hours commensurate"),
        ("PhD", "I claim only the hours I took part in."),
        ("Other", "I claim only the hours I took part in."),
    ],
)
def test_the_attestation_in_each_professions_words(degree: str, own: str) -> None:
    """Nurses and pharmacists attested "Physicians should claim only the credit commensurate..."."""
    text = credit.attestation(degree)
    assert text.startswith("I attest that I participated in this activity.") and own in text
    if degree not in credit.PHYSICIANS:
        assert "Physicians" not in text


def test_a_pharmacist_attests_no_physician_sentence() -> None:
    text = credit.attestation("PharmD")
    assert text.startswith("I attest that I participated in this activity.") and "Physicians" not in text


def test_board_ids_of_their_board_shape() -> None:
    """An ABIM id "12ab" passed; ABIM's ids are 6 digits. Boards whose shape is unknown keep a loose check."""
    with pytest.raises(InvalidInput) as refused:
        credit.check_board_ids({"ABIM": "12ab"})
    assert refused.value.code == "VALIDATION_FAILED"
    assert refused.value.details == [
        {"field": "board_ids.ABIM", "message": "Enter your ABIM id: 6 digits, e.g. 123456."}
    ]
    with pytest.raises(InvalidInput):
        credit.check_board_ids({"ABIM": "1234567"})
    with pytest.raises(InvalidInput) as loose:
        credit.check_board_ids({"ABP": "12 34"})
    assert [d["field"] for d in loose.value.details or []] == ["board_ids.ABP"]
    credit.check_board_ids({"ABIM": "123456", "ABP": "1234-AB", "ABA": "12345678"})
    with pytest.raises(InvalidInput) as unknown:
        credit.check_board_ids({"XYZ": "123456"})
    assert unknown.value.code == "BOARD_UNKNOWN"


def test_reporting_asks_for_the_birth_month_and_day_in_words() -> None:
    lines = [credit.Line(CreditType.AMA_PRA_1, 1.0), credit.Line(CreditType.ABIM_MOC, 1.0)]
    with pytest.raises(InvalidInput) as refused:
        credit.check_reporting(lines, True, {"ABIM": "123456"}, None, None)
    assert refused.value.details == [{"field": "birth_mmdd", "message": "Enter your birth month and day, e.g. 07/04."}]


def test_ipce_statement() -> None:
    assert credit.statement("IPCE", "X", 2.0) == (
        "This activity was planned by and for the healthcare team, and learners will receive 2.0 "
        "Interprofessional Continuing Education (IPCE) credits for learning and change."
    )


def test_the_web_spells_no_credit() -> None:
    """Pages take the wording from GET /api/credit-types (docs/architecture.md "One place for each fact")."""
    for path in [*(ROOT / "web").glob("*.html"), *(ROOT / "web" / "js").glob("*.js")]:
        text = path.read_text(encoding="utf-8")
        for kind in credit.KINDS.values():
            assert kind.label not in text, (path.name, kind.label)
        assert "AMA PRA Category 1 Credit" not in text, path.name


TYPICAL = [
    Credit(type=CreditType.AMA_PRA_1, max=2.0),
    Credit(type=CreditType.ABIM_MOC, max=2.0),
    Credit(type=CreditType.ANCC, max=2.0),
    Credit(type=CreditType.ACPE, max=1.5),
    Credit(type=CreditType.AAPA_1, max=2.0),
]
JOINT = [
    Credit(type=CreditType.AMA_PRA_1, max=1.0),
    Credit(type=CreditType.ANCC, max=1.0),
    Credit(type=CreditType.ACPE, max=1.0),
    Credit(type=CreditType.IPCE, max=1.0),
]


@pytest.mark.parametrize(
    ("degree", "designated", "expected"),
    [
        ("MD", TYPICAL, [("AMA_PRA_1", 2.0), ("ABIM_MOC", 2.0)]),
        ("DO", TYPICAL, [("AMA_PRA_1", 2.0), ("ABIM_MOC", 2.0)]),
        ("DO", [Credit(type=CreditType.AMA_PRA_1, max=1.0)], [("AMA_PRA_1", 1.0)]),
        ("RN", TYPICAL, [("ANCC", 2.0), ("PARTICIPATION", 2.0)]),
        ("NP", TYPICAL, [("ANCC", 2.0), ("PARTICIPATION", 2.0)]),
        ("PharmD", TYPICAL, [("ACPE", 1.5), ("PARTICIPATION", 2.0)]),
        ("PA-C", TYPICAL, [("AAPA_1", 2.0), ("PARTICIPATION", 2.0)]),
        ("PhD", TYPICAL, [("PARTICIPATION", 2.0)]),
        ("Other", TYPICAL, [("PARTICIPATION", 2.0)]),
        # a jointly accredited team activity: each profession its own, and IPCE for everyone
        ("MD", JOINT, [("AMA_PRA_1", 1.0), ("IPCE", 1.0)]),
        ("DO", JOINT, [("AMA_PRA_1", 1.0), ("IPCE", 1.0)]),
        ("RN", JOINT, [("ANCC", 1.0), ("IPCE", 1.0), ("PARTICIPATION", 1.0)]),
        ("PharmD", JOINT, [("ACPE", 1.0), ("IPCE", 1.0), ("PARTICIPATION", 1.0)]),
        ("PhD", JOINT, [("IPCE", 1.0), ("PARTICIPATION", 1.0)]),
        # a nursing-only activity: physicians get the designated participation, or nothing
        ("MD", [Credit(type=CreditType.ANCC, max=1.0)], []),
        (
            "DO",
            [Credit(type=CreditType.ANCC, max=1.0), Credit(type=CreditType.PARTICIPATION, max=1.0)],
            [("PARTICIPATION", 1.0)],
        ),
        ("RN", [Credit(type=CreditType.AMA_PRA_1, max=3.0)], [("PARTICIPATION", 3.0)]),
        # an explicit participation maximum wins over the AMA one
        (
            "Other",
            [Credit(type=CreditType.AMA_PRA_1, max=3.0), Credit(type=CreditType.PARTICIPATION, max=1.0)],
            [("PARTICIPATION", 1.0)],
        ),
        # other boards' MOC points go to physicians only
        (
            "MD",
            [Credit(type=CreditType.AMA_PRA_1, max=1.0), Credit(type=CreditType.ABP_MOC, max=1.0)],
            [("AMA_PRA_1", 1.0), ("ABP_MOC", 1.0)],
        ),
        (
            "NP",
            [Credit(type=CreditType.AMA_PRA_1, max=1.0), Credit(type=CreditType.ABP_MOC, max=1.0)],
            [("PARTICIPATION", 1.0)],
        ),
    ],
)
def test_credit_options(degree: str, designated: list[Credit], expected: list[tuple[str, float]]) -> None:
    """An activity with both ACPE UANs, from a jointly accredited office (test_pharmacy_rules: without them)."""
    both = credit.AcpeUans(pharmacist="0000-0000-26-001-L01-P", technician="0000-0000-26-001-L01-T")
    options = credit.credit_options(degree, designated, both, jointly_accredited=True)
    assert [(c.type.value, c.max) for c in options] == expected


def test_check_line() -> None:
    options = credit.credit_options("DO", TYPICAL)
    assert credit.check_line("DO", options, "AMA_PRA_1", 1.75) == credit.Line(CreditType.AMA_PRA_1, 1.75)
    for credit_type, credits, code in [
        ("ANCC", 1.0, "CREDIT_TYPE_NOT_ALLOWED"),
        ("AMA_PRA_1", 2.25, "CREDITS_INVALID"),
        ("AMA_PRA_1", 0.3, "CREDITS_INVALID"),
        ("AMA_PRA_1", 0, "CREDITS_INVALID"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            credit.check_line("DO", options, credit_type, credits)
        assert caught.value.code == code


def test_the_claim_windows_last_day() -> None:
    """The deadline day is accepted (office time), the day after is refused."""
    end = date(2026, 3, 4)
    assert credit.claim_deadline(end, 30) == date(2026, 4, 3)
    credit.check_window(end, 30, date(2026, 4, 3))
    credit.check_window(end, 30, end)
    with pytest.raises(InvalidInput) as caught:
        credit.check_window(end, 30, date(2026, 4, 4))
    assert caught.value.code == "CLAIM_WINDOW_CLOSED"
    assert "until April 3, 2026" in caught.value.message


def test_the_claim_windows_last_day_through_the_claim_checks() -> None:
    from cme.credit.claims import check
    from cme.platform.models import Activity, Learner
    from cme.platform.models.tables import CreditDesignation
    from cme.platform.schemas import ClaimIn

    activity = Activity(
        "a1",
        end_date="2026-03-04",
        start_date="2026-03-03",
        claim_window_days=7,
        credits=[CreditDesignation(type="AMA_PRA_1", max=1.0)],
        evaluation=[],
    )
    learner = Learner("l1", degree="DO")
    body = ClaimIn(activity_id="a1", credit_type="AMA_PRA_1", credits=1.0, evaluation={}, attestation=True)
    assert check(body, learner, activity, True, date(2026, 3, 11)) == [credit.Line(CreditType.AMA_PRA_1, 1.0)]
    with pytest.raises(InvalidInput) as caught:
        check(body, learner, activity, True, date(2026, 3, 12))
    assert caught.value.code == "CLAIM_WINDOW_CLOSED"


def test_name_with_degree() -> None:
    assert credit.name_with_degree("Zoë", "Łukasiewicz-Müller", "MD") == "Zoë Łukasiewicz-Müller, MD"
    assert credit.name_with_degree("Ana", "Ruiz", "PA-C") == "Ana Ruiz, PA-C"
    assert credit.name_with_degree("Ana", "Ruiz", "Other") == "Ana Ruiz"
    assert credit.name_with_degree("Ana", "Ruiz", "") == "Ana Ruiz"
    assert credit.with_degree("Ana Ruiz", "DO") == "Ana Ruiz, DO"


def test_certificate_code() -> None:
    codes = {credit.certificate_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{12}", code)
    assert not set("01ILO") & set(credit.CODE_ALPHABET)
    assert set("".join(codes)) <= set(credit.CODE_ALPHABET)


def test_completion_date() -> None:
    # an enduring material available a year: the day the learner claimed
    assert credit.completed_on("enduring", date(2027, 11, 17), date(2027, 2, 9)) == date(2027, 2, 9)
    # a three-day conference: its last day, whenever the claim is made
    assert credit.completed_on("live", date(2026, 5, 3), date(2026, 5, 20)) == date(2026, 5, 3)
    # a series session: its day
    assert credit.completed_on("rss", date(2026, 5, 3), date(2026, 5, 4)) == date(2026, 5, 3)


def test_completion_date_of_recorded_claims() -> None:
    from types import SimpleNamespace

    recorded = SimpleNamespace(activity_end="2026-05-03", activity_format="live", completed_on="2026-05-03")
    assert credit.claim_completed_on(recorded, date(2026, 6, 1)) == date(2026, 5, 3)  # type: ignore[arg-type]
    enduring = SimpleNamespace(activity_end="2027-11-17", activity_format="enduring", completed_on=None)
    assert credit.claim_completed_on(enduring, date(2027, 2, 9)) == date(2027, 2, 9)  # type: ignore[arg-type]
    # claims from before the format was recorded
    old = SimpleNamespace(activity_end="2026-05-03", activity_format=None, completed_on=None)
    assert credit.claim_completed_on(old, date(2026, 5, 20)) == date(2026, 5, 3)  # type: ignore[arg-type]
    assert credit.claim_completed_on(old, date(2026, 4, 1)) == date(2026, 4, 1)  # type: ignore[arg-type]
