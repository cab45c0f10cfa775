"""Texts only from confirmed phones (issue 22, finding 3; docs/api.md "Confirming the phone").

The attacks first: a colleague's mobile put on one's own profile, and texts from many numbers.
Then the confirmation itself through the API: the code texted (moto's SNS holds it, as the
local stack's outbox does), its errors and limits, and what a phone change undoes.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from infra.local.clock import SetClock
from infra.local.gateway import Gateway
from tests.integration.conftest import account
from tests.integration.test_email_trust import newest_to, token_in
from tests.integration.test_sms_attendance import activity, attendance, event, sent
from tests.support.client import ApiClient

OFFICE_NUMBER = "+12025550123"
FUNCTION = "SmsAttendanceFunction"
CONFIRM_FIRST = "Confirm this number in your CME Portal profile first."
COLLEAGUE = "+14805550142"


@pytest.fixture
def texting(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("SMS_NUMBER", OFFICE_NUMBER)
    reset_settings()


@pytest.fixture
def text(texting: None, gateway: Gateway) -> Any:
    """Text ``body`` from ``sender``: (the function's outcome, the reply texted back or None)."""

    def send(sender: str, body: str) -> tuple[str, str | None]:
        before = len(sent())
        result = gateway.invoke(FUNCTION, event(sender, body))
        replies = [message for to, message in sent()[before:] if to == sender]
        return result["outcomes"][0], (replies[0] if replies else None)

    return send


def signed_up(new_client: Any, email: str, phone: str, *, email_confirmed: bool = True) -> ApiClient:
    """A learner who created an account through the API (phone as typed, not confirmed) and, unless
    told otherwise, confirmed its email with the link mailed to it (a phone is confirmed only then:
    docs/api.md "An account made before its owner")."""
    from infra.local.outbox import messages

    client = new_client()
    answer = client.post("/api/accounts", account(email=email, phone=phone))
    assert answer.status == 201, answer.json
    if email_confirmed:
        link = token_in(newest_to(messages, email), "verify-email.html")
        assert client.post("/api/accounts/verify-email", {"token": link}).status == 200
    return client


def texted_code(to: str) -> str:
    """The confirmation code last texted to ``to``."""
    (message,) = [m for number, m in sent() if number == to][-1:]
    found = re.search(r"\b(\d{6})\b", message)
    assert found, message
    return found.group(1)


def confirm(client: ApiClient, phone: str) -> dict[str, Any]:
    assert client.post("/api/me/phone/code", {}).status == 202
    answer = client.post("/api/me/phone/confirm", {"code": texted_code(phone)})
    assert answer.status == 200, answer.json
    return dict(answer.json)


# ---------------------------------------------------------------- the attacks


def test_a_colleagues_mobile_on_my_profile_records_nothing_under_me(
    text: Any, admin: ApiClient, new_client: Any
) -> None:
    signed_up(new_client, "mallory@example.org", "(480) 555-0142")  # the colleague's mobile, never confirmed
    found = activity(admin)
    outcome, reply = text(COLLEAGUE, found["attendance_code"])  # the colleague texts the code at the event
    assert attendance(found["activity_id"]) == []  # nothing recorded under mallory
    assert outcome == "unconfirmed_number"
    assert reply == CONFIRM_FIRST  # naming no one
    assert "mallory" not in (reply or "").lower()


def test_a_copied_phone_does_not_stop_the_owners_texts(text: Any, admin: ApiClient, new_client: Any) -> None:
    owner = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    confirm(owner, COLLEAGUE)
    signed_up(new_client, "copycat@example.org", "+1 480 555 0142")  # a copy: unconfirmed
    found = activity(admin)
    outcome, _ = text(COLLEAGUE, found["attendance_code"])
    assert outcome == "recorded"
    (row,) = attendance(found["activity_id"])
    assert row.email == "noor.haddad@example.org"


def test_texts_from_many_numbers_get_replies_only_under_the_hourly_cap(
    text: Any, admin: ApiClient, monkeypatch: pytest.MonkeyPatch, clock: SetClock
) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("UNKNOWN_TEXT_REPLY_CAP", "5")
    reset_settings()
    found = activity(admin)
    replies = [text(f"+1480555{n:04d}", found["attendance_code"])[1] for n in range(300, 312)]
    assert sum(reply is not None for reply in replies) == 5  # 12 numbers, 5 replies: the cap
    clock.move(timedelta(hours=1))
    assert text("+14805550399", found["attendance_code"])[1] is not None  # the next hour, replies again


def test_an_unknown_number_gets_one_reply_a_day(text: Any, admin: ApiClient, clock: SetClock) -> None:
    found = activity(admin)
    assert text("+14255550182", found["attendance_code"])[1] is not None
    clock.move(timedelta(minutes=20))  # past the per-number 15-minute window
    assert text("+14255550182", found["attendance_code"]) == ("unknown_number", None)
    clock.move(timedelta(days=1))
    assert text("+14255550182", found["attendance_code"])[1] is not None


# ---------------------------------------------------------------- confirming the phone


def test_a_texted_code_confirms_the_phone(texting: None, new_client: Any) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    assert client.get("/api/me").json["phone_confirmed"] is False
    answer = client.post("/api/me/phone/code", {})
    assert (answer.status, answer.json) == (202, {"expires_in": 600})
    (message,) = [m for to, m in sent() if to == COLLEAGUE]
    code = texted_code(COLLEAGUE)
    assert message == f"{code} is your CME Portal code to confirm this phone. It expires in 10 minutes."
    confirmed = client.post("/api/me/phone/confirm", {"code": f" {code[:3]} {code[3:]} "})
    assert confirmed.status == 200, confirmed.json
    assert (confirmed.json["phone"], confirmed.json["phone_confirmed"]) == (COLLEAGUE, True)
    assert client.get("/api/me").json["phone_confirmed"] is True
    # single use: the same code again confirms nothing
    again = client.post("/api/me/phone/confirm", {"code": code})
    assert (again.status, again.json["code"]) == (422, "PHONE_CODE_INVALID")


def test_the_code_is_stored_only_as_a_hash(texting: None, new_client: Any) -> None:
    from cme.platform.models import Learner

    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    client.post("/api/me/phone/code", {})
    code = texted_code(COLLEAGUE)
    (item,) = list(Learner.scan())
    assert code not in str(item.serialize())


def test_a_wrong_code_counts_and_five_wrong_tries_spend_the_code(texting: None, new_client: Any) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    client.post("/api/me/phone/code", {})
    code = texted_code(COLLEAGUE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = client.post("/api/me/phone/confirm", {"code": wrong})
        assert (answer.status, answer.json["code"]) == (422, "PHONE_CODE_INVALID")
        assert answer.json["details"] == [{"field": "code", "message": "This code does not confirm your phone."}]
    spent = client.post("/api/me/phone/confirm", {"code": code})  # even the right one, now
    assert (spent.status, spent.json["code"]) == (429, "TOO_MANY_ATTEMPTS")
    assert int(spent.header("retry-after") or 0) > 0
    assert client.get("/api/me").json["phone_confirmed"] is False


def test_a_code_lives_ten_minutes(texting: None, new_client: Any, clock: SetClock) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    client.post("/api/me/phone/code", {})
    code = texted_code(COLLEAGUE)
    clock.move(timedelta(minutes=10, seconds=1))
    late = client.post("/api/me/phone/confirm", {"code": code})
    assert (late.status, late.json["code"]) == (422, "PHONE_CODE_INVALID")


def test_three_codes_an_hour(texting: None, new_client: Any, clock: SetClock) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    for _ in range(3):
        assert client.post("/api/me/phone/code", {}).status == 202
    before = len(sent())
    fourth = client.post("/api/me/phone/code", {})
    assert (fourth.status, fourth.json["code"]) == (429, "TOO_MANY_ATTEMPTS")
    assert len(sent()) == before  # nothing texted
    clock.move(timedelta(hours=1))
    assert client.post("/api/me/phone/code", {}).status == 202


def test_five_codes_a_day_to_one_phone_from_all_accounts(texting: None, new_client: Any) -> None:
    first = signed_up(new_client, "one@example.org", "(480) 555-0142")
    second = signed_up(new_client, "two@example.org", "(480) 555-0142")  # someone else's mobile, typed again
    assert [first.post("/api/me/phone/code", {}).status for _ in range(3)] == [202] * 3
    assert [second.post("/api/me/phone/code", {}).status for _ in range(3)] == [202, 202, 429]
    assert len([to for to, _ in sent() if to == COLLEAGUE]) == 5


def test_a_phone_confirmed_on_another_account_is_taken(texting: None, new_client: Any) -> None:
    owner = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    copycat = signed_up(new_client, "copycat@example.org", "+1 480 555 0142")
    assert copycat.post("/api/me/phone/code", {}).status == 202  # before the owner confirms
    stale = texted_code(COLLEAGUE)
    confirm(owner, COLLEAGUE)
    taken = copycat.post("/api/me/phone/code", {})
    assert (taken.status, taken.json["code"]) == (409, "PHONE_TAKEN")
    late = copycat.post("/api/me/phone/confirm", {"code": stale})  # a code got before the owner confirmed
    assert (late.status, late.json["code"]) == (409, "PHONE_TAKEN")
    assert copycat.get("/api/me").json["phone_confirmed"] is False


def test_no_code_while_texting_is_off(aws: None, new_client: Any) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    answer = client.post("/api/me/phone/code", {})
    assert (answer.status, answer.json["code"]) == (409, "TEXTING_OFF")
    assert sent() == []


def test_changing_the_phone_unconfirms_it(text: Any, admin: ApiClient, new_client: Any) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    confirm(client, COLLEAGUE)
    profile = client.get("/api/me").json
    fields = {k: profile[k] for k in ("first_name", "last_name", "degree", "specialty", "npi")}
    same = client.put("/api/me", {**fields, "phone": "480-555-0142"})  # the same number, typed otherwise
    assert same.json["phone_confirmed"] is True
    moved = client.put("/api/me", {**fields, "phone": "+1 480 555 0143"})
    assert (moved.status, moved.json["phone_confirmed"]) == (200, False)
    back = client.put("/api/me", {**fields, "phone": "+1 480 555 0142"})
    assert back.json["phone_confirmed"] is False  # the old number, back: confirmed again only by a code
    found = activity(admin)
    assert text(COLLEAGUE, found["attendance_code"]) == ("unconfirmed_number", CONFIRM_FIRST)
    assert attendance(found["activity_id"]) == []


def test_a_code_sent_to_the_old_phone_does_not_confirm_the_new_one(texting: None, new_client: Any) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    client.post("/api/me/phone/code", {})
    code = texted_code(COLLEAGUE)
    profile = client.get("/api/me").json
    fields = {k: profile[k] for k in ("first_name", "last_name", "degree", "specialty", "npi")}
    assert client.put("/api/me", {**fields, "phone": "+1 480 555 0143"}).status == 200
    answer = client.post("/api/me/phone/confirm", {"code": code})
    assert (answer.status, answer.json["code"]) == (422, "PHONE_CODE_INVALID")


def test_a_confirmed_phone_records_under_its_learner(text: Any, admin: ApiClient, new_client: Any) -> None:
    client = signed_up(new_client, "noor.haddad@example.org", "(480) 555-0142")
    confirm(client, COLLEAGUE)
    found = activity(admin)
    outcome, reply = text(COLLEAGUE, found["attendance_code"])
    assert outcome == "recorded" and reply is not None and reply.startswith("Attendance recorded for")
    (row,) = attendance(found["activity_id"])
    assert row.email == "noor.haddad@example.org"


def test_the_hourly_cap_is_a_template_parameter_of_60() -> None:
    from cme.platform.settings import Settings
    from infra.local import cfn

    assert cfn.template()["Parameters"]["UnknownTextReplyCap"]["Default"] == 60
    assert cfn.template()["Globals"]["Function"]["Environment"]["Variables"]["UNKNOWN_TEXT_REPLY_CAP"] == {
        "Ref": "UnknownTextReplyCap"
    }
    assert Settings().unknown_text_reply_cap == 60


def test_no_phone_is_confirmed_while_the_primary_email_is_not(text: Any, new_client: Any) -> None:
    """Whoever set an account up with someone else's email cannot confirm a phone the owner would
    inherit: no code is texted (409 PRIMARY_UNCONFIRMED) until the primary email is confirmed."""
    maker = signed_up(new_client, "colleague@example.org", "(480) 555-0177", email_confirmed=False)
    refused = maker.post("/api/me/phone/code", {})
    assert refused.status == 409 and refused.json["code"] == "PRIMARY_UNCONFIRMED"
    assert [m for number, m in sent() if number == "+14805550177"] == []
