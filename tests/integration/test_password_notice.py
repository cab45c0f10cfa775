"""Password change (PUT /api/me/password), the "your password was changed" notice, and a reset
request that does the same AWS calls for an existing and an unknown email (issue 22, finding 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_email_trust import newest_to, token_in
from tests.support.calls import observe_calls
from tests.support.client import ApiClient


@pytest.fixture
def learner(client: ApiClient) -> ApiClient:
    assert client.post("/api/accounts", account()).status == 201
    return client


def reset_calls(client: ApiClient, email: str) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    with observe_calls(lambda service, operation, _params: seen.append((service, operation))):
        assert client.post("/api/auth/password-reset", {"email": email}).status == 202
    return seen


def test_a_reset_request_makes_the_same_aws_calls_for_an_existing_and_an_unknown_email(
    learner: ApiClient, new_client: Any
) -> None:
    # the timing finding: an existing email cost a token write and an SES send more than an unknown one
    reset_calls(new_client(), "warm-up@example.org")  # the first request reads the origin secret (cached)
    known = reset_calls(new_client(), "sean.obriain@example.org")
    unknown = reset_calls(new_client(), "nobody@example.org")
    assert ("ses", "SendRawEmail") in known
    assert unknown == known


def test_a_reset_request_for_an_unproven_added_email_makes_the_same_calls_too(
    learner: ApiClient, new_client: Any, outbox: Any
) -> None:
    primary = token_in(newest_to(outbox, "sean.obriain@example.org"), "verify-email.html")
    assert learner.post("/api/accounts/verify-email", {"token": primary}).status == 200  # then one may be added
    assert learner.post("/api/me/emails", {"email": "sean@hospital.org"}).status == 201  # a hold: no reset link
    reset_calls(new_client(), "warm-up@example.org")
    known = reset_calls(new_client(), "sean.obriain@example.org")
    hold = reset_calls(new_client(), "sean@hospital.org")
    assert hold == known
    assert not [m for m in outbox() if m["to"] == ["sean@hospital.org"] and "password" in m["subject"].lower()]


# ---------------------------------------------------------------- password change

PASSWORD = account()["password"]
NEW_PASSWORD = "a lantern over the quay"
PRIMARY = "sean.obriain@example.org"


def change(client: ApiClient, current: str, new: str = NEW_PASSWORD) -> Any:
    return client.put("/api/me/password", {"current_password": current, "new_password": new})


def sign_in(client: ApiClient, password: str, email: str = PRIMARY) -> Any:
    return client.post("/api/auth/sign-in", {"email": email, "password": password})


def notices(outbox: Any) -> list[dict[str, Any]]:
    return [m for m in outbox() if m["subject"].endswith("password was changed")]


def confirm_newest(client: ApiClient, outbox: Any, email: str) -> None:
    sent = [m for m in outbox() if m["to"] == [email]]
    found = re.search(r"/verify-email\.html\?token=([A-Za-z0-9_-]+)", sent[-1]["text"])
    assert found
    assert client.post("/api/accounts/verify-email", {"token": found.group(1)}).status == 200


def test_a_change_needs_the_current_password_and_keeps_the_old_one_when_it_is_wrong(learner: ApiClient) -> None:
    wrong = change(learner, "not my password at all")
    assert wrong.status == 422
    assert wrong.json["code"] == "PASSWORD_MISMATCH"
    assert wrong.json["details"] == [{"field": "current_password", "message": "That is not your current password."}]
    assert learner.get("/api/me").status == 200  # a wrong current password is no sign-out
    assert sign_in(learner, PASSWORD).status == 200


def test_a_new_password_meets_create_accounts_rules(learner: ApiClient) -> None:
    for weak in ("short", "password123", "SeanObriain1"):
        answer = change(learner, PASSWORD, weak)
        assert answer.status == 422 and answer.json["code"] == "PASSWORD_TOO_WEAK", weak
        assert answer.json["details"][0]["field"] == "new_password"
    same = change(learner, PASSWORD, PASSWORD)
    assert same.status == 422 and same.json["code"] == "PASSWORD_REUSED"
    assert sign_in(learner, PASSWORD).status == 200


def test_a_change_ends_the_other_sessions_and_keeps_this_one(learner: ApiClient, new_client: Any) -> None:
    laptop = new_client()
    assert sign_in(laptop, PASSWORD).status == 200
    assert laptop.get("/api/me").status == 200

    assert change(learner, PASSWORD).status == 204
    assert learner.get("/api/me").status == 200
    assert laptop.get("/api/me").status == 401
    assert sign_in(new_client(), PASSWORD).status == 401
    assert sign_in(new_client(), NEW_PASSWORD).status == 200


def test_a_reset_link_issued_before_a_change_stops_working(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    assert new_client().post("/api/auth/password-reset", {"email": PRIMARY}).status == 202
    found = re.search(r"/reset-password\.html\?token=([A-Za-z0-9_-]+)", outbox()[-1]["text"])
    assert found
    assert change(learner, PASSWORD).status == 204
    body = {"token": found.group(1), "password": "x" + NEW_PASSWORD}
    used = new_client().post("/api/auth/password-reset/confirm", body)
    assert used.status == 400 and used.json["code"] == "TOKEN_INVALID"


def test_wrong_current_passwords_are_throttled_like_sign_in(learner: ApiClient, new_client: Any) -> None:
    from cme.platform.settings import get_settings

    limit = get_settings().sign_in_per_email_client
    for _ in range(limit):
        assert change(learner, "not my password at all").status == 422
    refused = change(learner, PASSWORD)  # even the right one: the guesses are spent
    assert refused.status == 429 and refused.json["code"] == "TOO_MANY_ATTEMPTS"
    assert refused.header("Retry-After")
    # the same counters as sign-in: this client cannot guess there either
    assert sign_in(learner, PASSWORD).status == 429
    assert sign_in(new_client(), PASSWORD).status == 200  # another client is not locked out


def test_a_change_needs_a_session(client: ApiClient) -> None:
    answer = change(client, PASSWORD)
    assert answer.status == 401 and answer.json["code"] == "SIGN_IN_REQUIRED"


# ---------------------------------------------------------------- the notice


def test_a_change_tells_every_confirmed_email_and_no_unconfirmed_one(learner: ApiClient, outbox: Any) -> None:
    confirm_newest(learner, outbox, PRIMARY)
    assert learner.post("/api/me/emails", {"email": "sean@hospital.org"}).status == 201
    confirm_newest(learner, outbox, "sean@hospital.org")
    assert learner.post("/api/me/emails", {"email": "sean@elsewhere.org"}).status == 201  # never confirmed
    assert notices(outbox) == []

    assert change(learner, PASSWORD).status == 204
    sent = notices(outbox)
    assert sorted(m["to"][0] for m in sent) == ["sean.obriain@example.org", "sean@hospital.org"]
    for message in sent:
        # the pinned clock's 14:01 UTC is 10:01 in the office's America/New_York (daylight time)
        for part in (message["text"], message["html"]):
            assert "was changed on May 14, 2031 at 10:0" in part and "EDT" in part
            assert "cme-help@example.org" in part  # the office's contact (settings.help_email)
            assert "/forgot-password.html" in part
        assert "If it was not you, reset it now" in message["text"]
        assert NEW_PASSWORD not in message["text"] and PASSWORD not in message["text"]


def test_the_notice_skips_a_confirmed_email_mail_no_longer_reaches(learner: ApiClient, outbox: Any) -> None:
    from cme.identity import deliverability
    from cme.platform import clock
    from cme.platform.schemas import UndeliverableReason

    confirm_newest(learner, outbox, PRIMARY)
    assert learner.post("/api/me/emails", {"email": "sean@hospital.org"}).status == 201
    confirm_newest(learner, outbox, "sean@hospital.org")
    feedback = deliverability.Feedback(UndeliverableReason.BOUNCE, clock.now(), ("sean@hospital.org",))
    assert deliverability.mark(feedback) == 1

    assert change(learner, PASSWORD).status == 204
    assert [m["to"] for m in notices(outbox)] == [[PRIMARY]]


def test_a_reset_tells_every_confirmed_email_including_the_one_it_proved(
    learner: ApiClient, new_client: Any, outbox: Any
) -> None:
    # the primary is unconfirmed: the reset link proves it, and the notice goes there too
    assert new_client().post("/api/auth/password-reset", {"email": PRIMARY}).status == 202
    found = re.search(r"/reset-password\.html\?token=([A-Za-z0-9_-]+)", outbox()[-1]["text"])
    assert found
    assert notices(outbox) == []
    done = new_client().post("/api/auth/password-reset/confirm", {"token": found.group(1), "password": NEW_PASSWORD})
    assert done.status == 204
    assert [m["to"] for m in notices(outbox)] == [[PRIMARY]]
