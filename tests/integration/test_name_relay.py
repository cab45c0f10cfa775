"""Issue 22 finding 4 (the relay): the portal mailed whatever anyone typed as a name to any
address, in the verification email of Create Account and of Add email. Names holding a web or
email address are refused (422 NAME_INVALID, the field in details) and a mail to an address not
yet confirmed names the account in at most 60 characters."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_email_trust import confirm_newest, newest_to
from tests.support.client import ApiClient

LURE = "Claim your refund at https://evil.example/refund now "
LONG_LURE = (LURE * 2)[:100]  # 100 characters a field, 200 for the whole name
LONG_NAME = ("Maximiliane-Alexandrina " * 5)[:100]  # a legit, long name (100 characters)


def named_in(message: dict[str, Any]) -> str:
    found = re.search(r"CME Portal account of (.+) \([^()]*\)\.", " ".join(message["text"].split()))
    assert found, message["text"]
    return found.group(1)


def test_create_account_with_a_name_holding_a_url_is_refused(client: ApiClient, outbox: Any) -> None:
    answer = client.post(
        "/api/accounts", account(email="target@hospital.org", first_name=LONG_LURE, last_name=LONG_LURE)
    )
    assert answer.status == 422, answer.json
    assert answer.json["code"] == "NAME_INVALID"
    assert {d["field"] for d in answer.json["details"]} == {"first_name", "last_name"}
    assert not [m for m in outbox() if "target@hospital.org" in m["to"]]


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("first_name", "write to me@evil.example"),
        ("last_name", "Okafor www.evil.example"),
        ("last_name", "Okafor evil.com"),
        ("first_name", "evil.example/x"),
        ("last_name", "Okafor hxxp://evil"),
    ],
)
def test_profile_names_refuse_urls_and_addresses(client: ApiClient, outbox: Any, field: str, name: str) -> None:
    assert client.post("/api/accounts", account()).status == 201
    answer = client.put("/api/me", account(**{field: name}))
    assert answer.status == 422, answer.json
    assert answer.json["code"] == "NAME_INVALID"
    assert [d["field"] for d in answer.json["details"]] == [field]
    assert client.get("/api/me").json[field] == account()[field]


def test_verification_mails_name_the_account_in_at_most_60_characters(client: ApiClient, outbox: Any) -> None:
    created = client.post("/api/accounts", account(first_name=LONG_NAME, last_name=LONG_NAME))
    assert created.status == 201, created.json
    first = named_in(newest_to(outbox, account()["email"]))
    assert len(first) <= 60 and f"{LONG_NAME} {LONG_NAME}".startswith(first), first

    confirm_newest(client, outbox, account()["email"])  # Add email asks for a confirmed primary
    assert client.post("/api/me/emails", {"email": "colleague@hospital.org"}).status == 201
    added = named_in(newest_to(outbox, "colleague@hospital.org"))
    assert len(added) <= 60 and f"{LONG_NAME} {LONG_NAME}".startswith(added), added


def test_real_names_are_saved(client: ApiClient) -> None:
    names = {"first_name": "J.R. St. John", "last_name": "O'Brien-Núñez Jr."}
    answer = client.post("/api/accounts", account(**names))
    assert answer.status == 201, answer.json
    assert {k: answer.json["learner"][k] for k in names} == names


def test_signing_in_at_an_event_refuses_a_name_holding_an_address(admin: ApiClient, new_client: Any) -> None:
    from tests.integration.test_publisher import create

    activity = create(admin)
    body = {"code": activity["attendance_code"], "email": "walk-in@hospital.org", "first_name": "Imani"}
    answer = new_client().post("/api/attendance", {**body, "last_name": "see www.evil.example"})
    assert answer.status == 422, answer.json
    assert answer.json["code"] == "NAME_INVALID"
    assert [d["field"] for d in answer.json["details"]] == ["last_name"]
    assert new_client().post("/api/attendance", {**body, "last_name": "St. John"}).status == 201


def test_a_roster_row_whose_name_holds_an_address_is_rejected(admin: ApiClient) -> None:
    from tests.integration.test_publisher import create

    activity = create(admin)
    rows = [
        {"email": "ann@hospital.org", "first_name": "Ann", "last_name": "Lee"},
        {"email": "bob@hospital.org", "first_name": "Bob", "last_name": "https://evil.example"},
        {"email": "cy@hospital.org", "first_name": "cy@hospital.org", "last_name": "Park"},
    ]
    answer = admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": rows})
    assert answer.status == 200, answer.json
    assert answer.json["added"] == 1
    assert answer.json["rejected"] == [
        {"row": 2, "reason": "The last name holds a web or email address."},
        {"row": 3, "reason": "The first name holds a web or email address."},
    ]
