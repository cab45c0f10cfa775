"""Sign-in failures are throttled per email and client and per email a day; lookups per client;
a 429 carries Retry-After. (Who may not lock whom out: test_lockout.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import account
from tests.support.client import ApiClient

LIMITS = {
    "sign_in_per_email_client": 10,  # per 15 minutes
    "sign_in_per_email_day": 100,
    "sign_in_per_device": 10,  # per 15 minutes
    "lookup_per_client": 30,  # per 15 minutes
    "create_per_client": 100,  # per hour
    "attendance_per_activity_client": 600,  # per 15 minutes
    "attendance_per_email": 10,  # per 15 minutes
    "attendance_wrong_codes_per_client": 100,  # per 15 minutes
}


@pytest.fixture
def tight(monkeypatch: pytest.MonkeyPatch, aws: None) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("SIGN_IN_PER_EMAIL_CLIENT", "3")
    monkeypatch.setenv("SIGN_IN_PER_EMAIL_DAY", "5")
    monkeypatch.setenv("LOOKUP_PER_CLIENT", "4")
    reset_settings()


def test_the_defaults() -> None:
    from cme.platform.settings import Settings

    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert {name: defaults[name] for name in LIMITS} == LIMITS


def test_sign_in_per_email_and_client_then_per_email_from_all_clients(
    client: ApiClient, new_client: Any, tight: None
) -> None:
    assert client.post("/api/accounts", account()).status == 201
    wrong = {"email": "sean.obriain@example.org", "password": "guess-guess"}
    guesser = new_client()
    assert [guesser.post("/api/auth/sign-in", wrong).status for _ in range(4)] == [401] * 3 + [429]
    blocked = guesser.post(
        "/api/auth/sign-in", {"email": "SEAN.OBRIAIN@example.org", "password": "correct horse battery staple"}
    )
    assert blocked.status == 429
    assert blocked.json["code"] == "TOO_MANY_ATTEMPTS"
    assert 1 <= int(blocked.header("Retry-After")) <= 900
    assert not blocked.set_cookies
    # two more failures from elsewhere spend the email's day (5) for every untrusted client
    assert [new_client().post("/api/auth/sign-in", wrong).status for _ in range(2)] == [401] * 2
    day = new_client().post("/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": "x" * 12})
    assert day.status == 429 and 1 <= int(day.header("Retry-After")) <= 24 * 3600


def test_successful_sign_ins_are_not_throttled(client: ApiClient, new_client: Any, tight: None) -> None:
    assert client.post("/api/accounts", account()).status == 201
    browser = new_client()
    good = {"email": "sean.obriain@example.org", "password": "correct horse battery staple"}
    assert [browser.post("/api/auth/sign-in", good).status for _ in range(8)] == [200] * 8


def test_a_crowd_behind_one_address_is_not_throttled_by_each_others_failures(new_client: Any, tight: None) -> None:
    ward = new_client("192.0.2.66")
    answers = [
        ward.post("/api/auth/sign-in", {"email": f"user{i}@example.org", "password": "x" * 8}).status
        for i in range(8)
        for _ in range(2)
    ]
    assert answers == [401] * 16  # failures count per email (and client), never per address alone


def test_lookup_per_client_never_per_phone(new_client: Any, tight: None) -> None:
    scraper = new_client("192.0.2.77")
    statuses = [
        scraper.post("/api/accounts/lookup", {"last_name": "Smith", "phone": f"480-555-01{i:02d}"}).status
        for i in range(5)
    ]
    assert statuses == [200] * 4 + [429]
    phone = [
        new_client().post("/api/accounts/lookup", {"last_name": "Jones", "phone": "602-555-0111"}).status
        for _ in range(8)
    ]
    assert phone == [200] * 8
