"""Sign-in and lookup are throttled per email / phone and per client, with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import account
from tests.support.client import ApiClient


@pytest.fixture
def tight(monkeypatch: pytest.MonkeyPatch, aws: None) -> None:
    from cme.settings import reset_settings

    monkeypatch.setenv("SIGN_IN_PER_EMAIL", "3")
    monkeypatch.setenv("SIGN_IN_PER_CLIENT", "5")
    monkeypatch.setenv("LOOKUP_PER_PHONE", "3")
    monkeypatch.setenv("LOOKUP_PER_CLIENT", "4")
    reset_settings()


def test_sign_in_per_email_even_from_many_clients(client: ApiClient, new_client: Any, tight: None) -> None:
    assert client.post("/api/accounts", account()).status == 201
    for _ in range(3):
        assert (
            new_client()
            .post("/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": "guess-guess"})
            .status
            == 401
        )
    blocked = new_client().post(
        "/api/auth/sign-in", {"email": "SEAN.OBRIAIN@example.org", "password": "correct horse battery staple"}
    )
    assert blocked.status == 429
    assert blocked.json["code"] == "TOO_MANY_ATTEMPTS"
    assert 1 <= int(blocked.header("Retry-After")) <= 900
    assert not blocked.set_cookies


def test_successful_sign_ins_are_not_throttled(client: ApiClient, new_client: Any, tight: None) -> None:
    assert client.post("/api/accounts", account()).status == 201
    browser = new_client()
    good = {"email": "sean.obriain@example.org", "password": "correct horse battery staple"}
    assert [browser.post("/api/auth/sign-in", good).status for _ in range(8)] == [200] * 8


def test_sign_in_per_client_across_emails(new_client: Any, tight: None) -> None:
    attacker = new_client("192.0.2.66")
    answers = [
        attacker.post("/api/auth/sign-in", {"email": f"user{i}@example.org", "password": "x" * 8}).status
        for i in range(6)
    ]
    assert answers == [401] * 5 + [429]


def test_lookup_per_client_and_per_phone(new_client: Any, tight: None) -> None:
    scraper = new_client("192.0.2.77")
    statuses = [
        scraper.post("/api/accounts/lookup", {"last_name": "Smith", "phone": f"480-555-01{i:02d}"}).status
        for i in range(5)
    ]
    assert statuses == [200] * 4 + [429]
    phone = [
        new_client().post("/api/accounts/lookup", {"last_name": "Jones", "phone": "602-555-0111"}).status
        for _ in range(4)
    ]
    assert phone == [200] * 3 + [429]
