"""Late-claim requests (issue 24; docs/api.md "Late claims", docs/domain.md "Late claims"): a
learner asks once the window closed, a coordinator approves (the window reopens for that
learner, never past a board's limit) or declines, exactly once under conflicts; the learner is
emailed either way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.conftest import delivered
from tests.integration.test_claim_lines import learner
from tests.integration.test_claim_whole import NABP, UAN, mine, on
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create
from tests.support.calls import count_calls, dynamodb_total
from tests.support.client import ApiClient
from tests.support.clock import office_date
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

WHY = "I was on call the whole month and missed the window."


def ask(person: ApiClient, activity: dict[str, Any], reason: str = WHY) -> Any:
    return person.post("/api/me/late-claims", {"activity_id": activity["activity_id"], "reason": reason})


def approve(admin: ApiClient, rid: str, **body: Any) -> Any:
    return admin.post(f"/api/admin/late-claims/{rid}/approve", body)


def decline(admin: ApiClient, rid: str, reason: str = "The activity's records are closed.") -> Any:
    return admin.post(f"/api/admin/late-claims/{rid}/decline", {"reason": reason})


def audit_actions(learner_id: str) -> list[str]:
    from cme.platform.models import AuditRecord

    return [r.action for r in AuditRecord.query(f"learner#{learner_id}") if r.action.startswith("late claim")]


@pytest.fixture
def closed(admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An MD who attended today's activity (30-day window), seen 31 days on: the window closed."""
    today = office_date()
    activity = create(admin)
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    missed = create(admin, title="Not attended")
    on(monkeypatch, today + timedelta(days=31))
    return {"activity": activity, "missed": missed, "md": md, "today": today}


def test_a_request_while_open_is_refused(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin)
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    answer = ask(md, activity)
    assert answer.status == 422 and answer.json["code"] == "CLAIM_WINDOW_OPEN", answer.json
    last = office_date() + timedelta(days=30)
    assert answer.json["message"] == f"Credit for this activity can still be claimed until {last:%B %-d, %Y}."
    assert [d["field"] for d in answer.json["details"]] == ["activity_id"]


def test_request_then_list_then_refuse_a_second(closed: dict[str, Any], new_client: Any) -> None:
    md, activity = closed["md"], closed["activity"]
    before = mine(md, activity)
    assert before["status"] == "closed" and before["late_request"] is None and before["can_request_late"] is True
    made = ask(md, activity)
    assert made.status == 201, made.json
    request = made.json["request"]
    assert {k: request[k] for k in ("activity_id", "status", "reason")} == {
        "activity_id": activity["activity_id"],
        "status": "open",
        "reason": WHY,
    }
    assert request["request_id"] and request["created_at"]
    again = ask(md, activity, "Once more")
    assert again.status == 409 and again.json["code"] == "LATE_REQUEST_OPEN", again.json
    assert md.get("/api/me/late-claims").json["requests"] == [request]
    assert md.get(f"/api/me/late-claims/{request['request_id']}").json["request"] == request
    row = mine(md, activity)
    assert row["status"] == "closed"
    assert row["late_request"] == {"request_id": request["request_id"], "status": "open", "reopened_until": None}
    assert row["can_request_late"] is False  # one is open
    # not attended, no such activity, no session
    missed = ask(md, closed["missed"])
    assert missed.status == 422 and missed.json["code"] == "NOT_ATTENDED", missed.json
    nowhere = md.post("/api/me/late-claims", {"activity_id": "no-such-activity", "reason": WHY})
    assert nowhere.status == 404 and nowhere.json["code"] == "NOT_FOUND"
    assert new_client().post("/api/me/late-claims", {"activity_id": "x", "reason": WHY}).status == 401
    assert new_client().get("/api/me/late-claims").status == 401


@pytest.mark.parametrize(
    "body",
    [
        {"reason": WHY},
        {"activity_id": "x"},
        {"activity_id": "x", "reason": ""},
        {"activity_id": "x", "reason": "   "},
        {"activity_id": "x", "reason": "x" * 501},
        {"activity_id": "x", "reason": 5},
        {"activity_id": ["x"], "reason": WHY},
    ],
)
def test_bad_request_bodies_are_4xx(closed: dict[str, Any], body: dict[str, Any]) -> None:
    answer = closed["md"].post("/api/me/late-claims", body)
    assert 400 <= answer.status < 500 and answer.json["code"], answer.json


def test_approval_reopens_the_window_for_that_learner_and_emails_them(
    admin: ApiClient, closed: dict[str, Any], outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    md, activity, today = closed["md"], closed["activity"], closed["today"]
    rid = ask(md, activity).json["request"]["request_id"]
    listed = admin.get("/api/admin/late-claims", query="status=open").json["requests"]
    assert [(r["request_id"], r["learner_name"], r["activity_title"]) for r in listed] == [
        (rid, "Seán Ó Briain", activity["title"])
    ]
    assert admin.get("/api/admin/late-claims").json["requests"] == listed  # open by default
    sent = len(delivered(outbox))
    approved = approve(admin, rid, days=5)
    assert approved.status == 200, approved.json
    until = today + timedelta(days=31 + 5)
    assert approved.json["request"]["status"] == "approved"
    assert approved.json["request"]["reopened_until"] == until.isoformat()
    mail = delivered(outbox)[sent:]
    assert len(mail) == 1 and mail[0]["to"] == ["md@example.org"]
    assert f"until {until:%B %-d, %Y}" in mail[0]["text"] and activity["title"] in mail[0]["text"]
    assert admin.get("/api/admin/late-claims", query="status=open").json["requests"] == []
    assert [r["request_id"] for r in admin.get("/api/admin/late-claims", query="status=approved").json["requests"]] == [
        rid
    ]
    row = mine(md, activity)
    assert row["status"] == "claimable" and row["claim_deadline"] == until.isoformat()
    assert row["late_request"] == {"request_id": rid, "status": "approved", "reopened_until": until.isoformat()}
    # while reopened, a further request is refused as the window is open
    assert ask(md, activity).json["code"] == "CLAIM_WINDOW_OPEN"
    on(monkeypatch, until + timedelta(days=1))  # the day after the reopened last day: closed again
    late = md.post("/api/me/claims", claim_body(activity))
    assert late.status == 422 and late.json["code"] == "CLAIM_WINDOW_CLOSED", late.json
    on(monkeypatch, until)  # the reopened last day itself
    assert md.post("/api/me/claims", claim_body(activity)).status == 201
    assert ask(md, activity).json["code"] == "ALREADY_CLAIMED"
    learner_id = listed[0]["learner_id"]
    assert audit_actions(learner_id) == ["late claim requested", "late claim approved"]


def test_the_reopening_is_that_learners_only(
    admin: ApiClient, closed: dict[str, Any], new_client: Any, outbox: Any
) -> None:
    activity = closed["activity"]
    rn = learner(admin, new_client, outbox, activity, "rn", "RN")
    rid = ask(closed["md"], activity).json["request"]["request_id"]
    assert approve(admin, rid).status == 200
    refused = rn.post("/api/me/claims", claim_body(activity, credit_type="ANCC"))
    assert refused.status == 422 and refused.json["code"] == "CLAIM_WINDOW_CLOSED"
    # and the default is 14 days from the approval's office day
    assert (
        mine(closed["md"], activity)["late_request"]["reopened_until"]
        == (closed["today"] + timedelta(days=31 + 14)).isoformat()
    )


def test_decline_emails_the_reason_and_a_new_request_may_follow(
    admin: ApiClient, closed: dict[str, Any], outbox: Any
) -> None:
    md, activity = closed["md"], closed["activity"]
    rid = ask(md, activity).json["request"]["request_id"]
    sent = len(delivered(outbox))
    declined = decline(admin, rid, "Attendance was not signed in time.")
    assert declined.status == 200, declined.json
    assert declined.json["request"]["status"] == "declined"
    assert declined.json["request"]["decision_reason"] == "Attendance was not signed in time."
    mail = delivered(outbox)[sent:]
    assert len(mail) == 1 and "Attendance was not signed in time." in mail[0]["text"]
    row = mine(md, activity)
    assert row["status"] == "closed" and row["late_request"]["status"] == "declined" and row["can_request_late"]
    assert md.post("/api/me/claims", claim_body(activity)).json["code"] == "CLAIM_WINDOW_CLOSED"
    again = ask(md, activity, "I found my sign-in sheet.")
    assert again.status == 201 and again.json["request"]["request_id"] != rid
    # the old id is gone: a decision on it is 404, and it is no longer the learner's to read
    assert approve(admin, rid).status == 404
    assert md.get(f"/api/me/late-claims/{rid}").status == 404


@pytest.mark.parametrize("body", [{"days": 0}, {"days": 91}, {"days": "14"}, {"days": 1.5}, {"days": None}])
def test_approve_days_out_of_range_is_422(admin: ApiClient, closed: dict[str, Any], body: dict[str, Any]) -> None:
    rid = ask(closed["md"], closed["activity"]).json["request"]["request_id"]
    answer = approve(admin, rid, **body)
    assert answer.status == 422, answer.json
    assert mine(closed["md"], closed["activity"])["late_request"]["status"] == "open"


def test_bad_ids_statuses_and_reasons(admin: ApiClient, closed: dict[str, Any]) -> None:
    rid = ask(closed["md"], closed["activity"]).json["request"]["request_id"]
    for bad in ("nonsense", "bm8tbmV3bGluZXM", rid[:-2] + "AA"):
        answer = approve(admin, bad)
        assert answer.status == 404 and answer.json["code"] == "NOT_FOUND", (bad, answer.json)
        assert closed["md"].get(f"/api/me/late-claims/{bad}").status == 404
    assert admin.get("/api/admin/late-claims", query="status=pending").status == 422
    for reason in ("", "  ", "x" * 501):
        assert admin.post(f"/api/admin/late-claims/{rid}/decline", {"reason": reason}).status == 422
    assert admin.post(f"/api/admin/late-claims/{rid}/decline", {}).status == 422


def test_authorization(admin: ApiClient, closed: dict[str, Any], new_client: Any, outbox: Any) -> None:
    md, activity = closed["md"], closed["activity"]
    rid = ask(md, activity).json["request"]["request_id"]
    rn = learner(admin, new_client, outbox, activity, "rn", "RN")
    for method, path, body in [
        ("GET", "/api/admin/late-claims", None),
        ("POST", f"/api/admin/late-claims/{rid}/approve", {"days": 14}),
        ("POST", f"/api/admin/late-claims/{rid}/decline", {"reason": "no"}),
        ("POST", "/api/admin/late-claims/nonsense/approve", {}),
    ]:
        for person in (md, rn):
            answer = person.call(method, path, body, query="status=approved" if method == "GET" else "")
            assert answer.status == 403 and answer.json["code"] == "FORBIDDEN", (method, path)
        assert new_client().call(method, path, body).status == 401
    # another learner's request: 404, and not in their list
    other = rn.get(f"/api/me/late-claims/{rid}")
    assert other.status == 404 and other.json["code"] == "NOT_FOUND"
    assert rn.get("/api/me/late-claims").json["requests"] == []
    assert mine(md, activity)["late_request"]["status"] == "open"


def test_a_board_limit_no_late_claim_passes(
    admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = office_date()
    module = create(
        admin,
        format="enduring",
        start_date=(today - timedelta(days=30)).isoformat(),
        end_date=today.isoformat(),
        credits=[{"type": "AMA_PRA_1", "max": 1.0}],
    )
    acpe_only = create(
        admin, title="Pharmacy only", format="live", credits=[{"type": "ACPE", "max": 2.0}], uan=UAN, uan_pharmacist=UAN
    )
    team = create(
        admin,
        title="Team",
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ACPE", "max": 2.0}],
        uan=UAN,
        uan_pharmacist=UAN,
    )
    md = learner(admin, new_client, outbox, module, "md", "MD")
    rph = learner(admin, new_client, outbox, acpe_only, "rph", "PharmD")
    admin.post(f"/api/admin/activities/{team['activity_id']}/attendance", {"rows": [{"email": "rph@example.org"}]})

    on(monkeypatch, today + timedelta(days=45))
    expired = ask(md, module)
    assert expired.status == 422 and expired.json["code"] == "ACTIVITY_EXPIRED", expired.json
    # ACPE-only, day 45: its window (30 days) closed, ACPE (60 days) not: the request is taken
    assert ask(rph, acpe_only).status == 201
    team_rid = ask(rph, team).json["request"]["request_id"]
    on(monkeypatch, today + timedelta(days=61))
    acpe_closed = ask(rph, acpe_only)
    # a request open already answers first; the board's limit answers for a new one
    assert acpe_closed.status == 409
    rid = rph.get("/api/me/late-claims").json["requests"]
    acpe_rid = next(r["request_id"] for r in rid if r["activity_id"] == acpe_only["activity_id"])
    assert decline(admin, acpe_rid).status == 200
    refused = ask(rph, acpe_only)
    assert refused.status == 422 and refused.json["code"] == "CLAIM_WINDOW_CLOSED", refused.json
    assert refused.json["message"].startswith("ACPE contact hours could be claimed until ")
    assert mine(rph, acpe_only)["can_request_late"] is False  # My activities offers no dead request
    assert mine(md, module)["can_request_late"] is False
    # an approval reopens the activity's window, never the board's: ACPE stays closed, participation opens
    assert approve(admin, team_rid, days=30).status == 200
    acpe = rph.post("/api/me/claims", claim_body(team, credit_type="ACPE", credits=2.0, **NABP))
    assert acpe.status == 422 and acpe.json["code"] == "CLAIM_WINDOW_CLOSED", acpe.json
    assert [d["field"] for d in acpe.json["details"]] == ["lines[0]"]
    participation = rph.post("/api/me/claims", claim_body(team, credit_type="PARTICIPATION", credits=2.0))
    assert participation.status == 201, participation.json


def test_a_decision_is_made_exactly_once(admin: ApiClient, closed: dict[str, Any], outbox: Any) -> None:
    """The second coordinator's decision is refused by the update's condition (no read decides)."""
    rid = ask(closed["md"], closed["activity"]).json["request"]["request_id"]
    sent = len(delivered(outbox))
    assert approve(admin, rid, days=10).status == 200
    for second in (approve(admin, rid, days=20), decline(admin, rid)):
        assert second.status == 409 and second.json["code"] == "LATE_REQUEST_DECIDED", second.json
        assert second.json["message"] == "This late-claim request was approved already. Reload the list."
    assert len(delivered(outbox)) == sent + 1
    learner_id = admin.get("/api/admin/late-claims", query="status=approved").json["requests"][0]["learner_id"]
    assert audit_actions(learner_id) == ["late claim requested", "late claim approved"]
    row = mine(closed["md"], closed["activity"])
    assert row["late_request"]["reopened_until"] == (closed["today"] + timedelta(days=31 + 10)).isoformat()


def test_decisions_under_injected_conflicts_happen_once(
    admin: ApiClient,
    closed: dict[str, Any],
    new_client: Any,
    outbox: Any,
    inject_faults: Callable[..., Any],
) -> None:
    from cme.platform import retry

    activity = closed["activity"]
    people = [closed["md"], learner(admin, new_client, outbox, activity, "rn", "RN")]
    rids = [ask(p, activity).json["request"]["request_id"] for p in people]
    faults = inject_faults(conflict=0.5, write_conflict=0.5, throttle=0.2, seed=11)
    answers = []
    for rid in rids:  # two coordinators, each deciding both, the first one approving
        answers.append(approve(admin, rid).status)
        answers.append(decline(admin, rid).status)
    assert answers == [200, 409, 200, 409]
    assert faults.counts()["conflicts"] + faults.counts()["write_conflicts"] > 0
    assert retry.stats()["retries"] > 0
    listed = admin.get("/api/admin/late-claims", query="status=approved").json["requests"]
    assert sorted(r["request_id"] for r in listed) == sorted(rids)
    for row in listed:
        assert audit_actions(row["learner_id"]) == ["late claim requested", "late claim approved"]


def test_the_request_condition_decides_a_race(closed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests at once both read "none open": the put's condition refuses the second."""
    from cme.credit import late_claims

    md, activity = closed["md"], closed["activity"]
    assert ask(md, activity).status == 201
    reads = late_claims._read

    def stale(learner_id: str, activity_id: str) -> Any:
        learner_item, activity_item, claim, _ = reads(learner_id, activity_id)
        return learner_item, activity_item, claim, None  # as read before the first request was written

    monkeypatch.setattr(late_claims, "_read", stale)
    second = ask(md, activity, "Sent from another tab")
    assert second.status == 409 and second.json["code"] == "LATE_REQUEST_OPEN", second.json
    assert [r["reason"] for r in md.get("/api/me/late-claims").json["requests"]] == [WHY]


def test_round_trips(admin: ApiClient, closed: dict[str, Any]) -> None:
    """What each route costs (docs/api.md "Late claims"); a claim costs what it did before."""
    from tests.support import secrets

    secrets.warm()
    md, activity = closed["md"], closed["activity"]
    with count_calls() as counts:
        rid = ask(md, activity).json["request"]["request_id"]
    # session, learner+activity+claim+request (batch), attendance (batch), request+audit (transaction)
    assert dict(counts)["dynamodb:TransactWriteItems"] == 1 and dynamodb_total(counts) == 4, dict(counts)
    with count_calls() as counts:
        admin.get("/api/admin/late-claims")
    assert dynamodb_total(counts) == 3, dict(counts)  # session, index Query, learners+activities batch
    with count_calls() as counts:
        approve(admin, rid)
    # session, decision+audit (transaction), learner+activity+request (batch), undeliverable (GetItem)
    assert dynamodb_total(counts) == 4 and counts["ses:SendRawEmail"] == 1, dict(counts)
    with count_calls() as counts:
        assert md.post("/api/me/claims", claim_body(activity)).status == 201
    assert dict(counts) == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 1,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
        "sqs:SendMessage": 1,  # the certificate email, queued (EmailCertificates)
    }, dict(counts)


@pytest.mark.parametrize("seed", [5, 9, 13])
def test_two_coordinators_at_once_decide_once(
    admin: ApiClient,
    closed: dict[str, Any],
    outbox: Any,
    inject_faults: Callable[..., Any],
    seed: int,
) -> None:
    """Two coordinators act on one request at the same moment (threads), under injected
    conflicts and throttling: one decision stands, the other is 409, one email, one audit record."""
    from concurrent.futures import ThreadPoolExecutor

    rid = ask(closed["md"], closed["activity"]).json["request"]["request_id"]
    sent = len(delivered(outbox))
    inject_faults(conflict=0.3, write_conflict=0.3, throttle=0.1, seed=seed)
    moves = [lambda: approve(admin, rid, days=9), lambda: decline(admin, rid, "Records closed.")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda move: move(), moves))
    assert sorted(a.status for a in answers) == [200, 409], [a.json for a in answers]
    winner = next(a for a in answers if a.status == 200).json["request"]
    loser = next(a for a in answers if a.status == 409).json
    assert loser["code"] == "LATE_REQUEST_DECIDED" and loser["message"].startswith("This late-claim request was")
    assert len(delivered(outbox)) == sent + 1
    assert audit_actions(winner["learner_id"]) == ["late claim requested", f"late claim {winner['status']}"]
    assert mine(closed["md"], closed["activity"])["late_request"]["status"] == winner["status"]


def test_a_decision_whose_answer_was_lost_is_not_refused_on_its_retry(
    admin: ApiClient, closed: dict[str, Any], outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction committed but its answer was lost, and the retry's condition fails: the
    decision is recognised as this request's own (its decision id), not answered 409."""
    from cme.credit import late_claims
    from cme.platform import retry

    rid = ask(closed["md"], closed["activity"]).json["request"]["request_id"]
    sent = len(delivered(outbox))
    committed = retry.transact

    def committed_then_retried(build: Any, what: str, **options: Any) -> None:
        committed(build, what, **options)  # committed; the answer is "lost"
        committed(build, what, **options)  # the retry: its condition fails

    monkeypatch.setattr(late_claims.retry, "transact", committed_then_retried)
    answer = approve(admin, rid, days=3)
    assert answer.status == 200, answer.json
    assert answer.json["request"]["status"] == "approved"
    assert len(delivered(outbox)) == sent + 1
    monkeypatch.setattr(late_claims.retry, "transact", committed)
    assert decline(admin, rid).json["code"] == "LATE_REQUEST_DECIDED"


def test_no_decision_email_to_an_address_ses_reported_undeliverable(
    admin: ApiClient, closed: dict[str, Any], outbox: Any
) -> None:
    """As the password notice: the decision stands, nothing is sent to a bounced address."""
    from cme.platform import clock
    from cme.platform.models import EmailOwner

    rid = ask(closed["md"], closed["activity"]).json["request"]["request_id"]
    EmailOwner.get("md@example.org").update(
        actions=[EmailOwner.undeliverable_reason.set("bounce"), EmailOwner.undeliverable_at.set(clock.now())]
    )
    sent = len(delivered(outbox))
    assert decline(admin, rid).status == 200
    assert len(delivered(outbox)) == sent
    assert mine(closed["md"], closed["activity"])["late_request"]["status"] == "declined"
