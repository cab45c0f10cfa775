"""claim_credit's pure parts (docs/domain.md "Credit"): ``check`` (the rules, in the order a
learner would fix them), ``build`` (the records a claim writes) and the reading of a cancelled
transaction (``cancelled_by``, ``answer_to_existing``). No moto: the network is blocked here
(tests/unit/conftest.py), so any read or write these made would fail the test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cme.credit import claims
from cme.platform import retry
from cme.platform.errors import Conflict, InvalidInput
from cme.platform.models import Activity, Claim, Learner, plain
from cme.platform.models.tables import CreditDesignation, EvaluationQuestion
from cme.platform.schemas import ClaimIn, CreditType
from cme.rules import credit

TODAY = date(2031, 5, 14)
END = TODAY - timedelta(days=3)
NOW = datetime(2031, 5, 14, 14, 1, tzinfo=UTC)
STAMP = claims.Stamp(now=NOW, claim_id="claim-1", certificate_code="ABCDEFGHJKMN")


def learner(degree: str = "MD", **extra: Any) -> Learner:
    return Learner(
        "learner-1",
        email="ada@example.org",
        first_name="Ada",
        last_name="Lovelace",
        degree=degree,
        npi="1234567893",
        verified_emails={"ada@example.org"},
        **extra,
    )


def activity(*designations: tuple[str, float], window: int = 30, **extra: Any) -> Activity:
    return Activity(
        "activity-1",
        title="Grand rounds",
        format="live",
        start_date=END.isoformat(),
        end_date=END.isoformat(),
        credits=[CreditDesignation(type=t, max=m) for t, m in designations or [("AMA_PRA_1", 2.0)]],
        claim_window_days=window,
        evaluation=[EvaluationQuestion(question_id="rate", text="How useful?", kind="rating", required=True)],
        published=True,
        topics=["opioids"],
        **extra,
    )


def claim_in(**fields: Any) -> ClaimIn:
    base: dict[str, Any] = {
        "activity_id": "activity-1",
        "credit_type": "AMA_PRA_1",
        "credits": 1.5,
        "evaluation": {"rate": 4},
        "attestation": True,
    }
    base.update(fields)
    return ClaimIn(**{k: v for k, v in base.items() if v is not None})


def refusal(data: ClaimIn, attended: bool = True, today: date = TODAY, who: Learner | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        claims.check(data, who or learner(), activity(), attended, today)
    return refused.value


# ------------------------------------------------------------------ check


def test_a_valid_claim_gives_its_lines() -> None:
    assert claims.check(claim_in(), learner(), activity(), True, TODAY) == [credit.Line(CreditType.AMA_PRA_1, 1.5)]


def test_the_rules_answer_in_the_order_a_learner_would_fix_them() -> None:
    late = TODAY + timedelta(days=60)
    broken = claim_in(credits=9.0, evaluation={}, attestation=False)
    assert refusal(broken, attended=False, today=late).code == "NOT_ATTENDED"
    assert refusal(broken, today=late).code == "CLAIM_WINDOW_CLOSED"
    assert refusal(broken).code == "CREDITS_INVALID"
    assert refusal(claim_in(evaluation={}, attestation=False)).code == "EVALUATION_INCOMPLETE"
    assert refusal(claim_in(attestation=False)).code == "ATTESTATION_REQUIRED"


def test_the_last_day_of_the_window_is_accepted() -> None:
    last = END + timedelta(days=30)
    assert claims.check(claim_in(), learner(), activity(), True, last)
    assert refusal(claim_in(), today=last + timedelta(days=1)).code == "CLAIM_WINDOW_CLOSED"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lines": [{"credit_type": "AMA_PRA_1", "credits": 1.0}]}, "lines"),  # lines and one credit both
        ({"credit_type": None, "credits": None}, "credit_type"),
        ({"credits": None}, "credits"),
    ],
)
def test_one_credit_or_lines_never_both_nor_neither(fields: dict[str, Any], field: str) -> None:
    refused = refusal(claim_in(**fields))
    assert (refused.code, refused.details[0]["field"] if refused.details else None) == ("CREDITS_INVALID", field)


def test_a_rating_of_0_leaves_the_evaluation_incomplete() -> None:
    refused = refusal(claim_in(evaluation={"rate": 0}))
    assert refused.code == "EVALUATION_INCOMPLETE"
    assert refused.details == [{"field": "evaluation.rate", "message": "required"}]


def test_a_type_the_degree_may_not_claim_is_refused() -> None:
    assert refusal(claim_in(), who=learner(degree="RN")).code == "CREDIT_TYPE_NOT_ALLOWED"


# ------------------------------------------------------------------ build


def test_build_gives_the_claim_its_certificate_and_audit_record() -> None:
    data = claim_in()
    lines = claims.check(data, learner(), activity(), True, TODAY)
    writes = claims.build(data, learner(), activity(), lines, TODAY, STAMP, "192.0.2.1", "browser")
    claim = writes.claim
    assert (claim.learner_id, claim.activity_id, claim.claim_id) == ("learner-1", "activity-1", "claim-1")
    assert (claim.credit_type, claim.credits, claim.certificate_code) == ("AMA_PRA_1", 1.5, "ABCDEFGHJKMN")
    assert [(x.credit_type, x.credits) for x in claim.lines] == [("AMA_PRA_1", 1.5)]
    assert claim.completed_on == END.isoformat()  # a live activity: completed on its last day
    assert claim.claimed_at == NOW and claim.attested is True
    assert plain(claim.evaluation) == {"rate": 4} and claim.topics == ["opioids"]
    assert (claim.learner_name, claim.degree, claim.email) == ("Ada Lovelace", "MD", "ada@example.org")
    assert claim.moc_consent is False and claim.board_ids is None and claim.birth_mmdd is None
    assert claim.report_board is None  # nothing to report to a board
    assert writes.certificate.certificate_code == "ABCDEFGHJKMN" and writes.certificate.claim_id == "claim-1"
    assert writes.record.action == "claim" and writes.record.source_ip == "192.0.2.1"
    detail = plain(writes.record.detail)
    assert detail["claim_id"] == "claim-1" and detail["attestation"] == credit.attestation("MD")
    assert detail["lines"] == [{"credit_type": "AMA_PRA_1", "credits": "1.5"}]
    assert writes.additions == [] and writes.lines == lines


def test_build_keeps_what_moc_reporting_needs_and_saves_the_forms_additions() -> None:
    designated = activity(("AMA_PRA_1", 2.0), ("ABIM_MOC", 2.0))
    data = claim_in(
        credit_type=None,
        credits=None,
        lines=[{"credit_type": "AMA_PRA_1", "credits": 2.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}],
        moc_consent=True,
        board_ids={"ABIM": "123456"},
        birth_mmdd="0412",
    )
    lines = claims.check(data, learner(), designated, True, TODAY)
    writes = claims.build(data, learner(), designated, lines, TODAY, STAMP, "", "")
    claim = writes.claim
    assert claim.moc_consent is True and claim.birth_mmdd == "0412"
    assert plain(claim.board_ids) == {"ABIM": "123456"}
    assert claim.report_board == "MOC" and claim.report_key == f"{claims.board_files.UNREPORTED}{END.isoformat()}"
    assert len(writes.additions) == 3  # board ids, birth month/day, updated_at


def test_nothing_new_in_the_form_adds_nothing_to_the_profile() -> None:
    known = learner(birth_mmdd="0412")
    data = claim_in(birth_mmdd="0412")
    lines = claims.check(data, known, activity(), True, TODAY)
    assert claims.build(data, known, activity(), lines, TODAY, STAMP, "", "").additions == []


# ------------------------------------------------------------------ explain


@pytest.mark.parametrize(
    ("reasons", "cause"),
    [
        ([retry.DECISION, None, None, None], claims.ATTENDANCE_GONE),
        ([None, retry.DECISION, None, None], claims.CLAIM_EXISTS),
        ([None, "TransactionConflict", None, None], None),
        ([], None),
    ],
)
def test_which_condition_cancelled_the_claim(reasons: list[str | None], cause: str | None) -> None:
    assert claims.cancelled_by(reasons) == cause


def _writes(data: ClaimIn) -> claims.ClaimWrites:
    lines = claims.check(data, learner(), activity(), True, TODAY)
    return claims.build(data, learner(), activity(), lines, TODAY, STAMP, "", "")


def _existing(claim_id: str, credits: float = 1.5, evaluation: dict[str, Any] | None = None) -> Claim:
    other = claims.Stamp(now=NOW, claim_id=claim_id, certificate_code="NMKJHGFEDCBA")
    data = claim_in(credits=credits, evaluation=evaluation or {"rate": 4})
    lines = claims.check(data, learner(), activity(), True, TODAY)
    return claims.build(data, learner(), activity(), lines, TODAY, other, "", "").claim


def test_our_own_write_answered_late_is_a_new_claim() -> None:
    data = claim_in()
    assert claims.answer_to_existing(_existing("claim-1"), _writes(data), data) is None


def test_the_same_claim_sent_again_is_the_one_recorded() -> None:
    data = claim_in()
    earlier = _existing("claim-0")
    assert claims.answer_to_existing(earlier, _writes(data), data) is earlier


@pytest.mark.parametrize("earlier", [{"credits": 1.0}, {"evaluation": {"rate": 5}}])
def test_a_different_second_claim_is_a_conflict(earlier: dict[str, Any]) -> None:
    data = claim_in()
    with pytest.raises(Conflict) as refused:
        claims.answer_to_existing(_existing("claim-0", **earlier), _writes(data), data)
    assert refused.value.code == "ALREADY_CLAIMED"
    assert refused.value.message == "You have already claimed credit for this activity."


@pytest.mark.parametrize(
    ("claimed", "today", "expected"),
    [
        (True, date(2031, 9, 1), ("claimed", None)),  # claimed stays claimed after the window
        (False, date(2031, 6, 13), ("claimable", None)),
        (False, date(2031, 6, 14), ("claimable", None)),  # the last day itself
        (False, date(2031, 6, 15), ("closed", "The claim window closed on June 14, 2031.")),
    ],
)
def test_an_attended_activitys_status(claimed: bool, today: date, expected: tuple[str, str | None]) -> None:
    """My activities' status of an attended activity (credit.claim_status), pure."""
    assert credit.claim_status(claimed, date(2031, 6, 14), today) == expected
