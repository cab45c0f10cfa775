"""Claiming credit: every rule (table-driven), statuses and reasons, retries, the report."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_publisher import create
from tests.support.calls import count_calls
from tests.support.client import ApiClient
from tests.support.clock import office_date

PASSWORD = "correct horse battery staple"


def verify_primary(client: ApiClient, outbox: Any, new_client: Any) -> None:
    """Confirm the newest link, signed in to the account that asked for it
    (docs/api.md "Email confirmation needs the account that asked for it")."""
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)
    assert client.post("/api/accounts/verify-email", {"token": token}).status == 200


@pytest.fixture
def world(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An MD and an RN, both verified, who attended today's activity; one more activity they missed."""
    activity = create(admin)
    missed = create(admin, title="Missed it")
    people = {}
    for name, degree, phone in (("md", "MD", "480-555-0101"), ("rn", "RN", "480-555-0102")):
        person = new_client()
        assert (
            person.post("/api/accounts", account(email=f"{name}@example.org", degree=degree, phone=phone)).status == 201
        )
        verify_primary(person, outbox, new_client)
        people[name] = person
    roster = admin.post(
        f"/api/admin/activities/{activity['activity_id']}/attendance",
        {"rows": [{"email": "md@example.org"}, {"email": "rn@example.org"}]},
    )
    assert roster.json["added"] == 2
    return {"activity": activity, "missed": missed, **people}


def claim_body(activity: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "activity_id": activity["activity_id"],
        "credit_type": "AMA_PRA_1",
        "credits": 1.0,
        "evaluation": {"q1": "yes"},
        "attestation": True,
    }
    body.update(overrides)
    return body


RULES = [
    # (who, overrides, activity key, status, code)
    ("md", {}, "activity", 201, None),
    ("md", {}, "missed", 422, "NOT_ATTENDED"),
    ("md", {"activity_id": "no-such-activity"}, "activity", 404, "NOT_FOUND"),
    ("rn", {}, "activity", 422, "CREDIT_TYPE_NOT_ALLOWED"),
    ("rn", {"credit_type": "ANCC"}, "activity", 201, None),
    ("rn", {"credit_type": "PARTICIPATION"}, "activity", 201, None),
    ("md", {"credit_type": "ANCC"}, "activity", 422, "CREDIT_TYPE_NOT_ALLOWED"),
    ("md", {"credit_type": "MADE_UP"}, "activity", 422, "CREDIT_TYPE_NOT_ALLOWED"),
    ("md", {"credits": 1.25}, "activity", 422, "CREDITS_INVALID"),
    ("md", {"credits": 0}, "activity", 422, "CREDITS_INVALID"),
    ("md", {"credits": -1}, "activity", 422, "CREDITS_INVALID"),
    ("md", {"credits": 0.3}, "activity", 422, "CREDITS_INVALID"),
    ("md", {"credits": 0.75}, "activity", 201, None),
    ("md", {"credits": "lots"}, "activity", 422, "VALIDATION_FAILED"),
    ("md", {"evaluation": {}}, "activity", 422, "EVALUATION_INCOMPLETE"),
    ("md", {"evaluation": {"q1": "  "}}, "activity", 422, "EVALUATION_INCOMPLETE"),
    ("md", {"evaluation": {"q1": "maybe"}}, "activity", 422, "EVALUATION_INCOMPLETE"),
    ("md", {"attestation": False}, "activity", 422, "ATTESTATION_REQUIRED"),
    ("md", {"attestation": "yes"}, "activity", 422, "VALIDATION_FAILED"),
]


@pytest.mark.parametrize(("who", "overrides", "which", "status", "code"), RULES)
def test_every_claim_rule(
    world: dict[str, Any], who: str, overrides: dict[str, Any], which: str, status: int, code: str | None
) -> None:
    answer = world[who].post("/api/me/claims", claim_body(world[which], **overrides))
    assert answer.status == status, answer.json
    if code:
        assert answer.json["code"] == code and answer.json["message"]
    else:
        claim = answer.json["claim"]
        assert claim["activity_title"] == world["activity"]["title"]
        assert re.fullmatch(r"[A-Z2-9]{12}", claim["certificate_code"])


def test_claim_window_closes(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform import clock

    later = office_date() + timedelta(days=31)  # the office's date only: the session is still fresh
    monkeypatch.setattr(clock, "office_today", lambda: later)
    answer = world["md"].post("/api/me/claims", claim_body(world["activity"]))
    assert answer.status == 422 and answer.json["code"] == "CLAIM_WINDOW_CLOSED"
    mine = world["md"].get("/api/me/activities").json["activities"]
    assert mine[0]["status"] == "closed" and mine[0]["reason"].startswith("The claim window closed on ")


def test_one_claim_per_activity_and_retries_are_safe(world: dict[str, Any]) -> None:
    md = world["md"]
    first = md.post("/api/me/claims", claim_body(world["activity"]))
    retry = md.post("/api/me/claims", claim_body(world["activity"]))  # a double click, a retried request
    assert first.status == retry.status == 201
    assert retry.json == first.json
    different = md.post("/api/me/claims", claim_body(world["activity"], credits=0.5))
    assert different.status == 409 and different.json["code"] == "ALREADY_CLAIMED"
    assert [c["claim_id"] for c in md.get("/api/me/claims").json["claims"]] == [first.json["claim"]["claim_id"]]


def test_my_activities_statuses_and_options(world: dict[str, Any]) -> None:
    md, rn = world["md"], world["rn"]
    before = md.get("/api/me/activities").json
    assert before["unverified_emails"] == [] and before["note"] is None
    (row,) = before["activities"]
    assert row["status"] == "claimable" and row["claim"] is None and row["attended_as"] == "md@example.org"
    assert row["credit_options"] == [{"type": "AMA_PRA_1", "max": 1.0}]
    assert row["claim_deadline"] == (office_date() + timedelta(days=30)).isoformat()
    assert [o["type"] for o in rn.get("/api/me/activities").json["activities"][0]["credit_options"]] == [
        "ANCC",
        "PARTICIPATION",
    ]
    md.post("/api/me/claims", claim_body(world["activity"]))
    after = md.get("/api/me/activities").json["activities"][0]
    assert after["status"] == "claimed" and after["claim"]["credits"] == 1.0


def test_unverified_email_attendance_is_never_shown_or_claimable(
    admin: ApiClient, client: ApiClient, new_client: Any, outbox: Any
) -> None:
    activity = create(admin)
    # someone registers a colleague's email and hopes to take their credit
    assert client.post("/api/accounts", account(email="colleague@example.org")).status == 201
    admin.post(
        f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "colleague@example.org"}]}
    )
    mine = client.get("/api/me/activities").json
    assert mine["activities"] == [] and mine["unverified_emails"] == ["colleague@example.org"]
    assert "unconfirmed email" in mine["note"]
    refused = client.post("/api/me/claims", claim_body(activity, credit_type="PARTICIPATION"))
    assert refused.status == 422 and refused.json["code"] == "NOT_ATTENDED"
    # once the mailbox's owner follows the link, the attendance is theirs at once
    verify_primary(client, outbox, new_client)
    assert [a["title"] for a in client.get("/api/me/activities").json["activities"]] == [activity["title"]]
    # and attendance recorded later under the verified email shows at once too
    later = create(admin, title="Later session")
    admin.post(
        f"/api/admin/activities/{later['activity_id']}/attendance", {"rows": [{"email": "colleague@example.org"}]}
    )
    assert len(client.get("/api/me/activities").json["activities"]) == 2


def test_a_second_verified_email_brings_its_attendance(
    world: dict[str, Any], admin: ApiClient, outbox: Any, new_client: Any
) -> None:
    other = create(admin, title="Signed in with my hospital email")
    admin.post(f"/api/admin/activities/{other['activity_id']}/attendance", {"rows": [{"email": "dr.md@hospital.org"}]})
    md = world["md"]
    md.post("/api/me/emails", {"email": "dr.md@hospital.org"})
    assert len(md.get("/api/me/activities").json["activities"]) == 1
    verify_primary(md, outbox, new_client)
    titles = {a["title"] for a in md.get("/api/me/activities").json["activities"]}
    assert titles == {world["activity"]["title"], other["title"]}
    assert md.post("/api/me/claims", claim_body(other)).status == 201
    md.call("DELETE", "/api/me/emails/dr.md@hospital.org")
    assert {a["title"] for a in md.get("/api/me/activities").json["activities"]} == {world["activity"]["title"]}


def test_a_claim_takes_four_round_trips(world: dict[str, Any]) -> None:
    from tests.support import secrets

    secrets.warm()  # a warm function holds the origin secret (read once per SECRET_CACHE_SECONDS)
    with count_calls() as counts:
        assert world["md"].post("/api/me/claims", claim_body(world["activity"])).status == 201
    # the authorizer's session read, then: learner + activity, the transaction (claim +
    # certificate record + audit record, with a condition check on the one verified email's
    # attendance row: no read of it first), then the activity's count (a plain ADD: a hot item
    # is never in a request's transaction)
    assert dict(counts) == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 1,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
        "sqs:SendMessage": 1,  # the certificate email, queued (EmailCertificates)
    }
    # the goal (issue 16), the authorizer's read included: DynamoDB's round trips (the queued
    # certificate email is one SQS call more)
    assert sum(n for call, n in counts.items() if call.startswith("dynamodb:")) <= 4


def test_an_attendance_removed_while_claiming_is_never_claimed(
    world: dict[str, Any], admin: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim reads the attendance, then a coordinator removes it (its own transaction sees no
    claim yet), then the claim's transaction runs: its condition check on the row refuses it."""
    from cme.credit import claims
    from cme.platform.models import Claim

    activity_id = world["activity"]["activity_id"]
    prepare = claims.board_files.prepare

    def removed_meanwhile(*args: Any, **kwargs: Any) -> None:
        prepare(*args, **kwargs)
        assert admin.call("DELETE", f"/api/admin/activities/{activity_id}/attendance/md%40example.org").status == 204

    monkeypatch.setattr(claims.board_files, "prepare", removed_meanwhile)
    answer = world["md"].post("/api/me/claims", claim_body(world["activity"]))
    assert (answer.status, answer.json["code"]) == (422, "NOT_ATTENDED")
    monkeypatch.undo()
    md_id = world["md"].get("/api/me").json["learner_id"]
    assert not [c for c in Claim.query(md_id) if c.activity_id == activity_id]


def test_claims_need_a_session(new_client: Any) -> None:
    stranger = new_client()
    assert stranger.get("/api/me/activities").status == 401
    assert stranger.post("/api/me/claims", {"activity_id": "x", "credit_type": "AMA_PRA_1", "credits": 1}).status == 401
    assert stranger.get("/api/me/claims").status == 401


def test_claims_report_json_and_csv(world: dict[str, Any], admin: ApiClient) -> None:
    world["md"].put(
        "/api/me",
        account(
            email="md@example.org", degree="MD", phone="480-555-0101", first_name='=HYPERLINK("x")', npi="1234567893"
        ),
    )
    world["md"].post("/api/me/claims", claim_body(world["activity"]))
    world["rn"].post("/api/me/claims", claim_body(world["activity"], credit_type="ANCC", credits=0.5))
    url = f"/api/admin/activities/{world['activity']['activity_id']}/claims"
    report = admin.get(url).json
    assert [(r["email"], r["credit_type"], r["credits"]) for r in report["claims"]] == [
        ("md@example.org", "AMA_PRA_1", 1.0),
        ("rn@example.org", "ANCC", 0.5),
    ]
    csv_answer = admin.get(url, query="format=csv")
    assert csv_answer.status == 200 and csv_answer.header("Content-Type").startswith("text/csv")
    assert "attachment" in csv_answer.header("Content-Disposition")
    text = csv_answer.raw.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith(
        "Activity,Activity date,First name,Last name,Degree,Email,NPI,"
    )  # cme.credit.claims_report
    assert ',"\'=HYPERLINK(""x"")",Ó Briain,MD,md@example.org,1234567893,,AMA PRA Category 1 Credit™,1,' in lines[1]
    assert admin.get(url, query="format=xml").status == 422
    assert world["md"].get(url).status == 403
