"""Whole credit, ACPE's 60 days and an enduring material's end (issue 23), as in
docs/domain.md "Whole credit and the boards' limits": the pure rules in cme.rules.credit and their
order in cme.credit.claims.check."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cme.credit import claims
from cme.platform.errors import InvalidInput
from cme.platform.models import Activity, Learner
from cme.platform.models.tables import CreditDesignation
from cme.platform.schemas import ClaimIn, Credit, CreditType
from cme.rules import credit

AMA, ABP, ABIM, ACPE, IPCE = (
    CreditType.AMA_PRA_1,
    CreditType.ABP_MOC,
    CreditType.ABIM_MOC,
    CreditType.ACPE,
    CreditType.IPCE,
)
PEDIATRICS = [Credit(type=AMA, max=2.0), Credit(type=ABP, max=2.0)]
END = date(2031, 3, 4)


def refused(call: Any, *args: Any, **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


# ------------------------------------------------------------------ which boards award whole credit


def test_only_abp_moc_and_acpe_are_whole() -> None:
    """The sourced table (docs/domain.md "Whole credit and the boards' limits"): ABP MOC and ACPE
    give the activity's whole amount; AMA (0.25 steps), the other boards' MOC, ANCC, AAPA, IPCE
    and participation do not."""
    assert {t for t in CreditType if credit.whole_only(t.value)} == {ABP, ACPE}
    assert not credit.whole_only("MADE_UP")


# ------------------------------------------------------------------ CREDITS_MUST_BE_FULL

UAN_P = "JA0000001-0000-26-001-L01-P"  # pharmacists are offered ACPE under the -P UAN


@pytest.mark.parametrize(
    ("degree", "designated", "credit_type", "credits", "message"),
    [
        ("MD", [Credit(type=ABP, max=2.0)], "ABP_MOC", 0.75, "ABP MOC points are awarded whole: claim 2.0."),
        ("PharmD", [Credit(type=ACPE, max=2.0)], "ACPE", 0.25, "ACPE contact hours are awarded whole: claim 2.0."),
    ],
)
def test_a_whole_only_line_for_less_is_refused(
    degree: str, designated: list[Credit], credit_type: str, credits: float, message: str
) -> None:
    options = credit.credit_options(degree, designated, credit.AcpeUans(pharmacist=UAN_P))
    problem = refused(credit.check_line, degree, options, credit_type, credits)
    assert (problem.code, problem.message) == ("CREDITS_MUST_BE_FULL", message)
    assert problem.details == [{"field": "credits", "message": message}]  # one line: its field is credits
    assert credit.check_line(degree, options, credit_type, 2.0) == credit.Line(CreditType(credit_type), 2.0)


def test_partial_credit_stays_where_the_board_allows_it() -> None:
    ama_abim = [Credit(type=AMA, max=2.0), Credit(type=ABIM, max=2.0)]
    assert credit.check_lines("MD", ama_abim, [("AMA_PRA_1", 0.75), ("ABIM_MOC", 0.75)]) == [
        credit.Line(AMA, 0.75),
        credit.Line(ABIM, 0.75),
    ]
    team = credit.credit_options("RN", [Credit(type=AMA, max=2.0), Credit(type=IPCE, max=2.0)], jointly_accredited=True)
    assert credit.check_line("RN", team, "IPCE", 1.25) == credit.Line(IPCE, 1.25)


def test_steps_are_checked_before_the_whole_amount() -> None:
    options = credit.credit_options("MD", [Credit(type=ABP, max=2.0)])
    assert refused(credit.check_line, "MD", options, "ABP_MOC", 0.3).code == "CREDITS_INVALID"
    assert refused(credit.check_line, "MD", options, "ABP_MOC", 2.25).code == "CREDITS_INVALID"


@pytest.mark.parametrize(
    ("requested", "code", "field", "message"),
    [
        # the ABP line short, with the whole AMA credit: the ABP line's own rule
        (
            [("AMA_PRA_1", 2.0), ("ABP_MOC", 1.5)],
            "CREDITS_MUST_BE_FULL",
            "lines.1.credits",
            "ABP MOC points are awarded whole: claim 2.0.",
        ),
        # less AMA credit than ABP's whole amount: ABP cannot be had with it, whatever the ABP line says;
        # the whole rule answers (not the MOC <= AMA pairing) and names both ways out
        (
            [("ABP_MOC", 1.5), ("AMA_PRA_1", 1.5)],
            "CREDITS_MUST_BE_FULL",
            "lines.0.credits",
            "ABP MOC points are awarded whole: claim 2.0, with at least 2.0 AMA PRA Category 1 Credits™, "
            "or leave them out.",
        ),
        (
            [("AMA_PRA_1", 1.5), ("ABP_MOC", 2.0)],
            "CREDITS_MUST_BE_FULL",
            "lines.1.credits",
            "ABP MOC points are awarded whole: claim 2.0, with at least 2.0 AMA PRA Category 1 Credits™, "
            "or leave them out.",
        ),
        (
            [("ABP_MOC", 2.0)],
            "CREDITS_MUST_BE_FULL",
            "lines.0.credits",
            "ABP MOC points are awarded whole: claim 2.0, with at least 2.0 AMA PRA Category 1 Credits™, "
            "or leave them out.",
        ),
    ],
)
def test_whole_abp_points_and_the_ama_pairing(
    requested: list[tuple[str, float]], code: str, field: str, message: str
) -> None:
    problem = refused(credit.check_lines, "MD", PEDIATRICS, requested)
    assert (problem.code, problem.message, problem.details[0]["field"]) == (code, message, field)


def test_whole_abp_points_with_the_whole_ama_credit() -> None:
    assert credit.check_lines("MD", PEDIATRICS, [("ABP_MOC", 2.0), ("AMA_PRA_1", 2.0)]) == [
        credit.Line(AMA, 2.0),
        credit.Line(ABP, 2.0),
    ]
    one = [Credit(type=AMA, max=1.0), Credit(type=ABP, max=1.0)]
    problem = refused(credit.check_lines, "MD", one, [("AMA_PRA_1", 0.5), ("ABP_MOC", 1.0)])
    assert problem.message == (
        "ABP MOC points are awarded whole: claim 1.0, with at least 1.0 AMA PRA Category 1 Credit™, or leave them out."
    )


# ------------------------------------------------------------------ enduring materials end on their end date


def test_an_enduring_materials_window_ends_on_its_end_date() -> None:
    assert credit.claim_deadline(END, 30, "enduring") == END
    assert credit.claim_deadline(END, 30, "live") == END + timedelta(days=30)
    credit.check_expiry("enduring", END, END)  # the end date itself
    problem = refused(credit.check_expiry, "enduring", END, END + timedelta(days=1))
    assert problem.code == "ACTIVITY_EXPIRED"
    assert (
        problem.message == "This enduring material expired on March 4, 2031: it can no longer be completed for credit."
    )
    assert problem.details == [{"field": "activity_id", "message": problem.message}]
    credit.check_expiry("live", END, END + timedelta(days=300))  # a live activity never expires


# ------------------------------------------------------------------ ACPE: 60 days after the date of participation


def test_an_acpe_line_closes_60_days_after_participation_whatever_the_window() -> None:
    credit.board_limits(["IPCE", "ACPE"], "live", END, END, END + timedelta(days=60))  # the 60th day
    problem = refused(credit.board_limits, ["IPCE", "ACPE"], "live", END, END, END + timedelta(days=61))
    assert problem.code == "CLAIM_WINDOW_CLOSED"
    assert [d["field"] for d in problem.details] == ["lines[1]"]  # its place in the request
    assert problem.message == (
        "ACPE contact hours could be claimed until May 3, 2031: they are reported within 60 days of the date of "
        "participation, whatever the activity's claim window."
    )
    credit.board_limits(["IPCE", "AMA_PRA_1"], "live", END, END, END + timedelta(days=300))  # no board limit
    # the activity's own window is another matter: 365 days still open
    credit.check_window(END, 365, END + timedelta(days=61), "live")


# ------------------------------------------------------------------ nothing reopens what a board closes


def test_a_reopened_window_never_passes_the_boards_limits() -> None:
    late = END + timedelta(days=61)
    with pytest.raises(InvalidInput):
        credit.check_window(END, 30, late, "live")
    credit.check_window(END, 30, late, "live", reopened_until=late)  # the office reopened its window
    assert refused(credit.board_limits, ["ACPE"], "live", END, END, late).code == "CLAIM_WINDOW_CLOSED"

    after = END + timedelta(days=1)
    credit.check_window(END, 30, after, "enduring", reopened_until=after + timedelta(days=30))
    assert refused(credit.board_limits, ["AMA_PRA_1"], "enduring", END, after, after).code == "ACTIVITY_EXPIRED"


def _activity(activity_format: str, *designations: tuple[str, float], window: int = 30) -> Activity:
    return Activity(
        "a1",
        format=activity_format,
        uan_pharmacist=UAN_P,
        start_date=(END - timedelta(days=10)).isoformat(),
        end_date=END.isoformat(),
        claim_window_days=window,
        credits=[CreditDesignation(type=t, max=m) for t, m in designations],
        evaluation=[],
        published=True,
    )


def _claim(**fields: Any) -> ClaimIn:
    return ClaimIn(activity_id="a1", evaluation={}, attestation=True, **fields)


def test_the_claim_checks_hold_the_boards_limits_even_when_the_window_is_reopened() -> None:
    pharmacist = Learner("l1", degree="PharmD", nabp_eprofile_id="1234567", birth_mmdd="0704")
    acpe = _activity("live", ("AMA_PRA_1", 2.0), ("ACPE", 2.0), window=365)
    body = _claim(lines=[{"credit_type": "PARTICIPATION", "credits": 2.0}, {"credit_type": "ACPE", "credits": 2.0}])
    day_61 = END + timedelta(days=61)
    assert claims.check(body, pharmacist, acpe, True, END + timedelta(days=60)) == [
        credit.Line(ACPE, 2.0),
        credit.Line(CreditType.PARTICIPATION, 2.0),
    ]
    for reopened in (None, day_61 + timedelta(days=30)):
        problem = refused(claims.check, body, pharmacist, acpe, True, day_61, reopened)
        assert (problem.code, problem.details[0]["field"]) == ("CLAIM_WINDOW_CLOSED", "lines[1]")
    one = _claim(credit_type="ACPE", credits=2.0)  # one line: still "lines[0]", the shape
    assert refused(claims.check, one, pharmacist, acpe, True, day_61).details[0]["field"] == "lines[0]"
    participation = _claim(credit_type="PARTICIPATION", credits=2.0)
    assert claims.check(participation, pharmacist, acpe, True, day_61) == [credit.Line(CreditType.PARTICIPATION, 2.0)]

    doctor = Learner("l2", degree="MD")
    module = _activity("enduring", ("AMA_PRA_1", 1.0))
    ama = _claim(credit_type="AMA_PRA_1", credits=1.0)
    assert claims.check(ama, doctor, module, True, END) == [credit.Line(AMA, 1.0)]
    for reopened in (None, END + timedelta(days=30)):
        problem = refused(claims.check, ama, doctor, module, True, END + timedelta(days=1), reopened)
        assert problem.code == "ACTIVITY_EXPIRED"
    assert refused(claims.check, ama, doctor, module, False, END + timedelta(days=1)).code == "NOT_ATTENDED"


def test_whole_credit_through_the_claim_checks() -> None:
    pharmacist = Learner("l1", degree="PharmD", nabp_eprofile_id="1234567", birth_mmdd="0704")
    acpe = _activity("live", ("ACPE", 2.0))
    problem = refused(claims.check, _claim(credit_type="ACPE", credits=0.25), pharmacist, acpe, True, END)
    assert (problem.code, problem.details[0]["field"]) == ("CREDITS_MUST_BE_FULL", "credits")


# ------------------------------------------------------------------ My activities: closed, with the reason


def test_when_an_attended_activity_closes_for_this_learner() -> None:
    # a pharmacist offered only ACPE on a live activity with a 365-day window: 60 days
    last, why = credit.closing(["ACPE"], "live", END, 365, END)
    assert last == END + timedelta(days=60) and why is not None and "within 60 days" in why
    assert credit.claim_status(False, last, last, why) == ("claimable", None)
    assert credit.claim_status(False, last, last + timedelta(days=1), why) == ("closed", why)
    # another credit still open: the activity's window
    assert credit.closing(["ACPE", "PARTICIPATION"], "live", END, 365, END) == (END + timedelta(days=365), None)
    # a window shorter than the board's: the window
    assert credit.closing(["ACPE"], "live", END, 30, END) == (END + timedelta(days=30), None)
    # an enduring material: its end date, and why
    last, why = credit.closing(["AMA_PRA_1"], "enduring", END, 30, END - timedelta(days=2))
    assert last == END
    assert credit.claim_status(False, last, END + timedelta(days=1), why) == (
        "closed",
        "This enduring material expired on March 4, 2031: it can no longer be completed for credit.",
    )
