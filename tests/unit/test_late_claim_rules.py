"""Late-claim requests, the pure rules (docs/domain.md "Late claims"): who may ask once the window
closed, what no late claim can pass, and that a reopening moves the activity's window only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cme.credit import late_claims
from cme.platform.errors import InvalidInput, NotFound
from cme.rules import credit

END = date(2031, 3, 4)


def refused(*args: Any, **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        credit.check_late_request(*args, **kwargs)
    return caught.value


def test_a_request_while_the_window_is_open_is_refused() -> None:
    last = END + timedelta(days=30)
    problem = refused(["AMA_PRA_1"], "live", END, 30, last)  # the last day itself is open
    assert problem.code == "CLAIM_WINDOW_OPEN"
    assert problem.message == "Credit for this activity can still be claimed until April 3, 2031."
    assert [d["field"] for d in problem.details] == ["activity_id"]
    credit.check_late_request(["AMA_PRA_1"], "live", END, 30, last + timedelta(days=1))  # the next day: taken


def test_an_approved_reopening_counts_as_open() -> None:
    today = END + timedelta(days=40)
    credit.check_late_request(["AMA_PRA_1"], "live", END, 30, today, reopened_until=today - timedelta(days=1))
    problem = refused(["AMA_PRA_1"], "live", END, 30, today, reopened_until=today)
    assert problem.code == "CLAIM_WINDOW_OPEN" and "until April 13, 2031" in problem.message  # 40 days on


def test_an_expired_enduring_material_cannot_be_asked_for() -> None:
    problem = refused(["AMA_PRA_1"], "enduring", END, 90, END + timedelta(days=1))
    assert problem.code == "ACTIVITY_EXPIRED"
    assert refused(["AMA_PRA_1"], "enduring", END, 90, END).code == "CLAIM_WINDOW_OPEN"


def test_a_board_limit_over_every_credit_is_refused_with_its_reason() -> None:
    # ACPE only, window 30 days: between the window and the 60th day the request is taken
    credit.check_late_request(["ACPE"], "live", END, 30, END + timedelta(days=45))
    credit.check_late_request(["ACPE"], "live", END, 30, END + timedelta(days=60))
    problem = refused(["ACPE"], "live", END, 30, END + timedelta(days=61))
    assert problem.code == "CLAIM_WINDOW_CLOSED"
    assert problem.message.startswith("ACPE contact hours could be claimed until May 3, 2031")
    # one credit still open to the learner (hours of participation beside ACPE): taken
    credit.check_late_request(["PARTICIPATION", "ACPE"], "live", END, 30, END + timedelta(days=61))


def test_a_reopening_never_moves_a_board_limit() -> None:
    late = END + timedelta(days=70)
    reopened = late + timedelta(days=14)
    credit.check_window(END, 30, late, "live", reopened_until=reopened)  # the window: open again
    with pytest.raises(InvalidInput) as caught:
        credit.board_limits(["ACPE"], "live", END, END, late)
    assert caught.value.code == "CLAIM_WINDOW_CLOSED"
    # My activities: closed on the board's day for a pharmacist offered only ACPE
    last, why = credit.closing(["ACPE"], "live", END, 30, END, reopened)
    assert last == END + timedelta(days=60) and why and why.startswith("ACPE contact hours")
    last, why = credit.closing(["PARTICIPATION", "ACPE"], "live", END, 30, END, reopened)
    assert (last, why) == (reopened, None)
    last, why = credit.closing(["AMA_PRA_1"], "enduring", END, 90, END, END + timedelta(days=30))
    assert last == END and why and "expired" in why


def test_request_ids_name_their_key_and_bad_ones_are_not_found() -> None:
    rid = late_claims.request_id("learner-1", "activity-2", "abc123")
    assert late_claims.key_of(rid) == ("learner-1", "activity-2")
    assert rid != late_claims.request_id("learner-1", "activity-2", "abc124")
    for bad in ("", "!!", "bm9uZQ", "YQpiCg"):
        with pytest.raises(NotFound):
            late_claims.key_of(bad)
