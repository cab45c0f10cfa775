"""GET /api/settings (docs/api.md "Names the checks rely on"): the office settings the web pages read,
served from cme.platform.settings so no copy has to be "kept equal"."""

from __future__ import annotations

import pytest

from tests.support.client import ApiClient


def test_settings_are_public_and_cacheable(client: ApiClient) -> None:
    answer = client.get("/api/settings")
    assert answer.status == 200, answer.json
    assert answer.json == {
        "office_name": "Continuing Medical Education Office",
        "help_email": "cme-help@example.org",
        "timezone": "America/New_York",
        "sms_number": None,
        "jointly_accredited": False,
    }
    cache = answer.header("Cache-Control") or ""
    assert "public" in cache and "max-age=" in cache, cache
    assert "no-store" not in cache


def test_settings_follow_the_environment(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("OFFICE_NAME", "Graduate Medical Education")
    monkeypatch.setenv("HELP_EMAIL", "gme@example.org")
    monkeypatch.setenv("OFFICE_TIMEZONE", "America/Phoenix")
    monkeypatch.setenv("SMS_NUMBER", "+15555550100")
    monkeypatch.setenv("JOINTLY_ACCREDITED", "true")
    reset_settings()
    answer = client.get("/api/settings")
    assert answer.status == 200, answer.json
    assert answer.json == {
        "office_name": "Graduate Medical Education",
        "help_email": "gme@example.org",
        "timezone": "America/Phoenix",
        "sms_number": "+15555550100",
        "jointly_accredited": True,  # the activity form shows IPCE only then
    }


def test_a_blank_sms_number_is_null(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("SMS_NUMBER", "  ")
    reset_settings()
    assert client.get("/api/settings").json["sms_number"] is None
