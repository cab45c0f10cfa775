"""DynamoDB round trips per request: the budget each route is designed for (counts, not time)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.calls import count_calls, dynamodb_total
from tests.support.client import ApiClient
from tests.support.index_lag import index_lag


@pytest.fixture(autouse=True)
def secrets_held(aws: None) -> None:
    """The budgets are a warm function's, which holds the secrets (tests/unit/test_secrets.py)."""
    from tests.support import secrets

    secrets.warm()


def test_sign_in_costs_three_round_trips(client: ApiClient, new_client: Any) -> None:
    assert client.post("/api/accounts", account()).status == 201
    browser = new_client()
    with count_calls() as counts:
        answer = browser.post(
            "/api/auth/sign-in",
            {"email": "sean.obriain@example.org", "password": "correct horse battery staple"},
        )
    assert answer.status == 200
    # failure counters and the email's owner (one batch read), learner, new session
    assert dict(counts) == {"dynamodb:BatchGetItem": 1, "dynamodb:GetItem": 1, "dynamodb:PutItem": 1}
    assert dynamodb_total(counts) <= 3  # the goal (issue 16)
    wrong = {"email": "sean.obriain@example.org", "password": "wrong one"}
    with count_calls() as counts:
        assert new_client().post("/api/auth/sign-in", wrong).status == 401
    # a failure also records itself against both scopes (the email from this client, the email's
    # day): one UpdateItem each (a counter is never in a transaction: cme.platform.throttle)
    assert dict(counts) == {
        "dynamodb:BatchGetItem": 1,
        "dynamodb:GetItem": 1,
        "dynamodb:UpdateItem": 2,
    }
    with count_calls() as counts:
        assert browser.post("/api/auth/sign-in", wrong).status == 401
    # from a known device (its cookie, set at the sign-in above): only its own counter
    assert dict(counts) == {"dynamodb:BatchGetItem": 1, "dynamodb:GetItem": 1, "dynamodb:UpdateItem": 1}


def test_create_account_is_one_transaction_plus_the_email(client: ApiClient) -> None:
    with count_calls() as counts:
        assert client.post("/api/accounts", account()).status == 201
    assert dynamodb_total(counts) == 2  # throttle (one UpdateItem) + the account transaction
    assert counts["dynamodb:UpdateItem"] == 1 and counts["dynamodb:TransactWriteItems"] == 1
    assert counts["ses:SendRawEmail"] == 1


def test_me_costs_two_reads(client: ApiClient) -> None:
    assert client.post("/api/accounts", account()).status == 201
    with count_calls() as counts:
        assert client.get("/api/me").status == 200
    assert dict(counts) == {"dynamodb:GetItem": 2}  # authorizer's session + the learner
    # a save: the session, the profile as it is (what changes: name, degree), one conditional update
    with count_calls() as counts:
        assert client.put("/api/me", account(specialty="Nephrology")).status == 200
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:UpdateItem": 1}
    # a name correction is written with its audit record: one transaction instead of the update
    with count_calls() as counts:
        assert client.put("/api/me", account(last_name="Byrne")).status == 200
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:TransactWriteItems": 1}
    # a degree change first asks whether anything was claimed: one Query of the claims key, Limit 1
    with count_calls() as counts:
        assert client.put("/api/me", account(last_name="Byrne", degree="NP")).status == 200
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 1, "dynamodb:UpdateItem": 1}


def test_sign_in_with_an_unknown_email_reads_once(new_client: Any) -> None:
    """No owner in the batch read: no learner to read; the failure counts against both scopes."""
    with count_calls() as counts:
        answer = new_client().post("/api/auth/sign-in", {"email": "nobody@example.org", "password": "whatever it is"})
    assert (answer.status, answer.json["code"]) == (401, "UNRECOGNIZED_EMAIL")
    assert dict(counts) == {"dynamodb:BatchGetItem": 1, "dynamodb:UpdateItem": 2}


def _learner_at(admin: ApiClient, new_client: Any, outbox: Any, email: str) -> tuple[ApiClient, dict[str, Any]]:
    """A learner with one verified email, on the roster of one activity under it."""
    learner = new_client()
    assert learner.post("/api/accounts", account(email=email)).status == 201
    verify_primary(learner, outbox, new_client)
    activity = create(admin)
    roster = admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": email}]})
    assert roster.json["added"] == 1
    return learner, activity


def _attended_under(admin: ApiClient, learner: ApiClient, outbox: Any, new_client: Any, email: str) -> None:
    """Another verified email of the learner, on the roster of a new activity under it."""
    other = create(admin, title=f"Attended as {email}")
    admin.post(f"/api/admin/activities/{other['activity_id']}/attendance", {"rows": [{"email": email}]})
    assert learner.post("/api/me/emails", {"email": email}).status == 201
    verify_primary(learner, outbox, new_client)


def test_my_activities_costs_four_round_trips(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    learner, activity = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    with count_calls() as counts:
        answer = learner.get("/api/me/activities")
    assert [a["activity_id"] for a in answer.json["activities"]] == [activity["activity_id"]]
    # the session (authorizer), the learner's emails (by_learner), the learner + the verified
    # email's EmailAttendance item (one batch), then the activity + the learner's claim on it
    assert dict(counts) == {"dynamodb:GetItem": 1, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 2}
    assert dynamodb_total(counts) <= 4  # the goal (issue 16)
    # a further verified email costs nothing more: its item is in the same batch
    _attended_under(admin, learner, outbox, new_client, "s.obriain@hospital.example.org")
    with count_calls() as counts:
        answer = learner.get("/api/me/activities")
    assert len(answer.json["activities"]) == 2
    assert dict(counts) == {"dynamodb:GetItem": 1, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 2}


def test_my_activities_with_ten_verified_emails_costs_four_round_trips(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    """The most emails an account holds (10), each with attendance: still four round trips,
    and every activity under every one of them is listed with the email it was attended under."""
    learner, first = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    expected = {first["activity_id"]: "sean.obriain@example.org"}
    for n in range(1, 10):
        email = f"s.obriain.{n}@hospital{n}.example.org"
        other = create(admin, title=f"Attended as number {n}")
        admin.post(f"/api/admin/activities/{other['activity_id']}/attendance", {"rows": [{"email": email}]})
        assert learner.post("/api/me/emails", {"email": email}).status == 201
        verify_primary(learner, outbox, new_client)
        expected[other["activity_id"]] = email
    with count_calls() as counts:
        answer = learner.get("/api/me/activities")
    assert answer.status == 200
    assert {a["activity_id"]: a["attended_as"] for a in answer.json["activities"]} == expected
    assert dict(counts) == {"dynamodb:GetItem": 1, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 2}
    assert dynamodb_total(counts) <= 4  # the goal (issue 16), for up to 10 verified emails


def test_a_claim_with_two_verified_emails_reads_its_attendance(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    """Which email's row the transaction checks must be known first: one BatchGetItem more,
    unless the claim names it (attended_as, as My activities answered it)."""
    learner, activity = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    _attended_under(admin, learner, outbox, new_client, "s.obriain@hospital.example.org")
    with count_calls() as counts:
        answer = learner.post("/api/me/claims", claim_body(activity, credit_type="PARTICIPATION"))
    assert answer.status == 201, answer.json
    assert dict(counts) == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 2,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
        "sqs:SendMessage": 1,  # the certificate email, queued (EmailCertificates)
    }


def test_a_claim_naming_its_email_costs_four_round_trips(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    """Several verified emails, the claim names the one My activities showed: the transaction's
    check proves it, unread (the goal of issue 16: four with the authorizer)."""
    learner, activity = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    _attended_under(admin, learner, outbox, new_client, "s.obriain@hospital.example.org")
    shown = {a["activity_id"]: a["attended_as"] for a in learner.get("/api/me/activities").json["activities"]}
    assert shown[activity["activity_id"]] == "sean.obriain@example.org"
    body = claim_body(activity, credit_type="PARTICIPATION", attended_as=shown[activity["activity_id"]])
    with count_calls() as counts:
        answer = learner.post("/api/me/claims", body)
    assert answer.status == 201, answer.json
    assert dict(counts) == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 1,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
        "sqs:SendMessage": 1,  # the certificate email, queued (EmailCertificates)
    }
    assert dynamodb_total(counts) <= 4


def test_a_claim_naming_the_wrong_email_still_finds_its_attendance(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    """A stale or wrong attended_as is not an error: the row is found under the learner's other
    verified email and the claim is recorded once; one naming no verified email of theirs is
    ignored; and with no row under any, NOT_ATTENDED."""
    learner, activity = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    _attended_under(admin, learner, outbox, new_client, "s.obriain@hospital.example.org")
    wrong = claim_body(activity, credit_type="PARTICIPATION", attended_as="s.obriain@hospital.example.org")
    with count_calls() as counts:
        answer = learner.post("/api/me/claims", wrong)
    assert answer.status == 201, answer.json
    assert counts["dynamodb:TransactWriteItems"] == 2  # the named row was missing: found, then claimed
    assert len(learner.get("/api/me/claims").json["claims"]) == 1
    other = create(admin, title="Under the primary")
    admin.post(
        f"/api/admin/activities/{other['activity_id']}/attendance", {"rows": [{"email": "sean.obriain@example.org"}]}
    )
    foreign = claim_body(other, credit_type="PARTICIPATION", attended_as="someone.else@example.org")
    assert learner.post("/api/me/claims", foreign).status == 201
    missed = create(admin, title="Not there")
    named = claim_body(missed, credit_type="PARTICIPATION", attended_as="sean.obriain@example.org")
    answer = learner.post("/api/me/claims", named)
    assert (answer.status, answer.json["code"]) == (422, "NOT_ATTENDED")


def test_a_refused_claim_still_answers_not_attended_first(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    """One verified email: the attendance is proved by the transaction, not read; a claim that a
    later rule refuses reads it, so a learner who did not attend hears NOT_ATTENDED first."""
    learner, _ = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    missed = create(admin, title="Not there")
    with count_calls() as counts:
        answer = learner.post("/api/me/claims", claim_body(missed, credit_type="PARTICIPATION", attestation=False))
    assert (answer.status, answer.json["code"]) == (422, "NOT_ATTENDED")
    assert dict(counts) == {"dynamodb:GetItem": 1, "dynamodb:BatchGetItem": 2}
    with count_calls() as counts:
        answer = learner.post("/api/me/claims", claim_body(missed, credit_type="PARTICIPATION"))
    assert (answer.status, answer.json["code"]) == (422, "NOT_ATTENDED")  # the transaction's check
    assert counts["dynamodb:TransactWriteItems"] == 1 and "dynamodb:UpdateItem" not in counts


def test_my_activities_sees_an_email_verified_a_moment_ago(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    """The by_learner index only proposes emails: the learner item's verified set decides, and
    an email verified a moment ago (not yet verified on the lagging index) is still read."""
    learner, activity = _learner_at(admin, new_client, outbox, "sean.obriain@example.org")
    other = create(admin, title="At the hospital")
    admin.post(
        f"/api/admin/activities/{other['activity_id']}/attendance",
        {"rows": [{"email": "s.obriain@hospital.example.org"}]},
    )
    assert learner.post("/api/me/emails", {"email": "s.obriain@hospital.example.org"}).status == 201
    with index_lag(seconds=60) as lag:
        verify_primary(learner, outbox, new_client)  # the email's owner item changes now
        with count_calls() as counts:
            answer = learner.get("/api/me/activities")
        assert lag.hidden >= 1
    assert {a["activity_id"] for a in answer.json["activities"]} == {activity["activity_id"], other["activity_id"]}
    assert answer.json["unverified_emails"] == []
    # by_learner (one Query), then the learner + the item of the email it showed, then the item
    # of the one it missed, then the activities and claims
    assert dict(counts) == {"dynamodb:GetItem": 1, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 3}
