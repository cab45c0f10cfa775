"""Reads that must be exact right after a write come from a table key, never from a global
secondary index (docs/architecture.md "What AWS does that moto hides"): in AWS an index lags its table,
so a session created a moment before a password reset could be missed by the reset and live
on. ``tests.support.index_lag`` makes every index lag here as it can in AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.integration.conftest import account
from tests.support.client import ApiClient
from tests.support.index_lag import IndexLag, index_lag

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"
EMAIL = "sean.obriain@example.org"


@pytest.fixture
def lagging(aws: None) -> Iterator[IndexLag]:
    with index_lag(seconds=60) as lag:
        yield lag


def _reset_link_token(outbox: Any) -> str:
    found = re.search(r"/reset-password\.html\?token=([A-Za-z0-9_-]+)", outbox()[-1]["text"])
    assert found, outbox()[-1]["text"]
    return found.group(1)


def test_the_lag_hides_fresh_items_from_indexes_only(lagging: IndexLag) -> None:
    """The fixture itself: an item just written is in its table but not yet in its index."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.put_item(
        TableName="EmailsTable",
        Item={"email": {"S": "fresh@example.org"}, "learner_id": {"S": "L1"}, "added_at": {"S": "x"}},
    )
    assert "Item" in dynamodb.get_item(TableName="EmailsTable", Key={"email": {"S": "fresh@example.org"}})
    on_index: dict[str, Any] = {
        "TableName": "EmailsTable",
        "IndexName": "by_learner",
        "KeyConditionExpression": "learner_id = :l",
        "ExpressionAttributeValues": {":l": {"S": "L1"}},
    }
    assert dynamodb.query(**on_index)["Items"] == []
    assert dynamodb.query(**on_index, Select="COUNT")["Count"] == 0
    assert lagging.hidden == 2
    lagging.seconds = 0  # once the index has caught up
    assert len(dynamodb.query(**on_index)["Items"]) == 1


def test_a_reset_ends_a_session_started_a_moment_before(
    lagging: IndexLag, client: ApiClient, new_client: Any, outbox: Any
) -> None:
    assert client.post("/api/accounts", account(email=EMAIL, password=PASSWORD)).status == 201  # session S0
    laptop = new_client()
    assert laptop.post("/api/auth/sign-in", {"email": EMAIL, "password": PASSWORD}).status == 200  # session S1
    assert laptop.get("/api/me").status == 200

    assert new_client().post("/api/auth/password-reset", {"email": EMAIL}).status == 202
    token = _reset_link_token(outbox)
    done = new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    assert done.status == 204

    for device in (laptop, client):
        answer = device.get("/api/me")
        assert answer.status == 401, "a session started just before the reset outlived it"
        assert answer.json["code"] == "SIGN_IN_REQUIRED"
    assert new_client().post("/api/auth/sign-in", {"email": EMAIL, "password": NEW_PASSWORD}).status == 200


def test_sign_out_and_sign_in_again_under_the_lag(lagging: IndexLag, client: ApiClient, new_client: Any) -> None:
    assert client.post("/api/accounts", account(email=EMAIL, password=PASSWORD)).status == 201
    stolen = dict(client.cookies)
    assert client.post("/api/auth/sign-out").status == 204
    replay = new_client()
    replay.cookies.update(stolen)
    assert replay.get("/api/me").status == 401
    assert client.post("/api/auth/sign-in", {"email": EMAIL, "password": PASSWORD}).status == 200
    assert client.get("/api/me").json["email"] == EMAIL
