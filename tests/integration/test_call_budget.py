"""DynamoDB round trips per request: the budget each route is designed for (counts, not time)."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import account
from tests.support.calls import count_calls, dynamodb_total
from tests.support.client import ApiClient


def test_sign_in_costs_four_round_trips(client: ApiClient, new_client: Any) -> None:
    assert client.post("/api/accounts", account()).status == 201
    browser = new_client()
    with count_calls() as counts:
        answer = browser.post(
            "/api/auth/sign-in",
            {"email": "sean.obriain@example.org", "password": "correct horse battery staple"},
        )
    assert answer.status == 200
    # failure counters (one batch read for both scopes), email owner, learner, new session
    assert dict(counts) == {"dynamodb:BatchGetItem": 1, "dynamodb:GetItem": 2, "dynamodb:PutItem": 1}
    wrong = {"email": "sean.obriain@example.org", "password": "wrong one"}
    with count_calls() as counts:
        assert new_client().post("/api/auth/sign-in", wrong).status == 401
    # a failure also records itself against both scopes (the email from this client, the email's
    # day): one UpdateItem each (a counter is never in a transaction: cme.throttle)
    assert dict(counts) == {
        "dynamodb:BatchGetItem": 1,
        "dynamodb:GetItem": 2,
        "dynamodb:UpdateItem": 2,
    }
    with count_calls() as counts:
        assert browser.post("/api/auth/sign-in", wrong).status == 401
    # from a known device (its cookie, set at the sign-in above): only its own counter
    assert dict(counts) == {"dynamodb:BatchGetItem": 1, "dynamodb:GetItem": 2, "dynamodb:UpdateItem": 1}


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
