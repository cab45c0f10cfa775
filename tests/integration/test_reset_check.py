"""POST /api/auth/password-reset/check: the reset page learns that a link was used (or expired)
before it asks for a new password twice; checking never spends the link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.integration.test_email_ownership import PASSWORD, later, learner, token_in  # noqa: F401
from tests.support.client import ApiClient

EMAIL = "sean.obriain@example.org"
INVALID = "This link is not valid any more: it was already used, or it expired."


def reset_token(new_client: Any, outbox: Any) -> str:
    assert new_client().post("/api/auth/password-reset", {"email": EMAIL}).status == 202
    return token_in(outbox()[-1], "reset-password.html")


def test_check_does_not_spend_the_link_and_a_used_link_says_so(
    learner: ApiClient,  # noqa: F811
    new_client: Any,
    outbox: Any,
) -> None:
    token = reset_token(new_client, outbox)
    for _ in range(2):  # checking twice leaves the link usable
        checked = new_client().post("/api/auth/password-reset/check", {"token": token})
        assert checked.status == 200, checked.json
        assert checked.json == {"valid": True}
        assert checked.header("Cache-Control") == "no-store"
    done = new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": "a brand new passphrase"})
    assert done.status == 204
    used = new_client().post("/api/auth/password-reset/check", {"token": token})
    assert used.status == 400
    assert used.json == {"code": "TOKEN_INVALID", "message": INVALID}


def test_an_expired_or_superseded_link_is_refused(
    learner: ApiClient,  # noqa: F811
    new_client: Any,
    outbox: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = reset_token(new_client, outbox)
    second = reset_token(new_client, outbox)
    assert (
        new_client()
        .post("/api/auth/password-reset/confirm", {"token": second, "password": "another new one 2026"})
        .status
        == 204
    )
    # a later link was used: the earlier one is spent with it
    assert new_client().post("/api/auth/password-reset/check", {"token": first}).json["code"] == "TOKEN_INVALID"
    fresh = reset_token(new_client, outbox)
    later(monkeypatch, timedelta(hours=2))
    expired = new_client().post("/api/auth/password-reset/check", {"token": fresh})
    assert (expired.status, expired.json["code"]) == (400, "TOKEN_INVALID")


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": "not-a-token"}, {"token": "x" * 2000}, {"extra": 1}])
def test_bad_tokens_get_a_clear_4xx(client: ApiClient, body: dict[str, Any]) -> None:
    answer = client.post("/api/auth/password-reset/check", body)
    assert answer.status in (400, 422), answer.json
    assert answer.json["code"] and answer.json["message"]
