"""Attendance by text message (docs/api.md "Attendance by text message"): the SMS function called
through the local gateway (so its AWS calls are recorded for the IAM check) on SNS events made
from the sample in tests/support/sms_event.json, the replies read back from moto's SNS.

The sample is AWS's own: the record envelope from the AWS Lambda Developer Guide, "Using AWS
Lambda with Amazon SNS" (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html), whose
``Message`` holds the inbound-text example of the AWS End User Messaging SMS User Guide,
"Two-way SMS messaging" > "Message format" (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms.html):
``originationNumber`` +14255550182, ``destinationNumber`` +12125550101, ``messageKeyword`` JOIN,
``messageBody`` EXAMPLE, ``inboundMessageId`` and ``previousPublishedMessageId``.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.local.gateway import Gateway
from infra.local.seed import DEMO_PASSWORD
from tests.support.client import ApiClient

SAMPLE = Path(__file__).resolve().parents[1] / "support" / "sms_event.json"
OFFICE_NUMBER = "+12025550123"
FUNCTION = "SmsAttendanceFunction"
TITLE = "Grand Rounds: Sepsis in 2026 — what changed?"
SHOWN_TITLE = "Grand Rounds: Sepsis in 2026 - what changed?"  # GSM-7: the dash made plain


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def event(sender: str, body: str, destination: str = OFFICE_NUMBER) -> dict[str, Any]:
    """The sample event with this text in its message (every other field as AWS sent it)."""
    out = copy.deepcopy(sample())
    sns = out["Records"][0]["Sns"]
    message = json.loads(sns["Message"])
    message.update(originationNumber=sender, messageBody=body, destinationNumber=destination)
    sns["Message"] = json.dumps(message)
    return out


def sent() -> list[tuple[str, str]]:
    from moto.sns.models import sns_backends

    return list(sns_backends["123456789012"]["us-east-1"].sms_messages.values())


@pytest.fixture
def texting(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("SMS_NUMBER", OFFICE_NUMBER)
    reset_settings()


@pytest.fixture
def text(texting: None, gateway: Gateway) -> Any:
    """Text ``body`` from ``sender``: (the function's outcome, the reply texted back or None)."""

    def send(sender: str, body: str, raw: dict[str, Any] | None = None) -> tuple[str, str | None]:
        before = len(sent())
        result = gateway.invoke(FUNCTION, raw or event(sender, body))
        replies = [message for to, message in sent()[before:] if to == sender]
        assert len(replies) <= 1 and len(sent()) - before == len(replies), sent()[before:]  # only to the sender
        return result["outcomes"][0], (replies[0] if replies else None)

    return send


def learner(email: str, phone: str, first: str = "Noor", last: str = "Haddad") -> str:
    """A learner whose profile's phone is confirmed (as a code texted to it would; the
    confirmation itself: tests/integration/test_phone_trust.py)."""
    from cme.identity.accounts import provision_account
    from cme.platform.schemas import NewAccount

    data = NewAccount(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, degree="RN", phone=phone)
    return provision_account(data, phone_confirmed=True).learner_id


def activity(admin: ApiClient, days_from_today: int = 0, title: str = TITLE) -> dict[str, Any]:
    from cme.platform.clock import office_today

    day = (office_today() + timedelta(days=days_from_today)).isoformat()
    body = {
        "title": title,
        "description": "Early recognition and the new bundle.",
        "format": "rss",
        "start_date": day,
        "end_date": day,
        "location": "Auditorium B",
        "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
        "claim_window_days": 30,
        "published": True,
    }
    answer = admin.post("/api/admin/activities", body)
    assert answer.status == 201, answer.json
    return dict(answer.json["activity"])


def attendance(activity_id: str) -> list[Any]:
    from cme.platform.models import Attendance

    return list(Attendance.query(activity_id, consistent_read=True))


def count(activity_id: str) -> int:
    from cme.platform.models import Activity

    return int(Activity.get(activity_id).attendance_count or 0)


def test_the_sample_is_the_documented_two_way_message() -> None:
    record = sample()["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert json.loads(record["Sns"]["Message"]) == {
        "originationNumber": "+14255550182",
        "destinationNumber": "+12125550101",
        "messageKeyword": "JOIN",
        "messageBody": "EXAMPLE",
        "inboundMessageId": "cae173d2-66b9-564c-8309-21f858e9fb84",
        "previousPublishedMessageId": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }


def test_the_local_gateway_builds_the_event_sns_sends() -> None:
    from infra.local.gateway import sns_event

    built = sns_event("arn:aws:sns:us-east-1:123456789012:InboundTextsTopic", "{}", FUNCTION)
    documented = sample()
    assert built.keys() == documented.keys()
    assert built["Records"][0].keys() == documented["Records"][0].keys()
    assert built["Records"][0]["Sns"].keys() == documented["Records"][0]["Sns"].keys()


def test_a_known_number_with_a_good_code_records_attendance_under_the_primary_email(
    text: Any, admin: ApiClient
) -> None:
    learner("noor.haddad@example.org", "(480) 555-0142")  # typed as people type it; texts come in E.164
    found = activity(admin)
    outcome, reply = text("+14805550142", f"  {found['attendance_code'].lower()} ")
    assert outcome == "recorded"
    assert reply == f"Attendance recorded for {SHOWN_TITLE}. Claim your credit in the CME Portal."
    (row,) = attendance(found["activity_id"])
    assert (row.email, row.first_name, row.last_name, row.source) == (
        "noor.haddad@example.org",
        "Noor",
        "Haddad",
        "sms",
    )
    assert count(found["activity_id"]) == 1


def test_the_reply_comes_from_the_office_number(text: Any, admin: ApiClient) -> None:
    from cme.platform import aws

    learner("noor.haddad@example.org", "+1 480 555 0142")
    found = activity(admin)
    published: list[dict[str, Any]] = []
    client = aws.client("sns")
    client.meta.events.register("provide-client-params.sns.Publish", lambda params, **_: published.append(params))
    try:
        text("+14805550142", found["attendance_code"])
    finally:
        client.meta.events.unregister("provide-client-params.sns.Publish")
    (params,) = published
    assert params["PhoneNumber"] == "+14805550142"
    assert params["MessageAttributes"]["AWS.MM.SMS.OriginationNumber"] == {
        "DataType": "String",
        "StringValue": OFFICE_NUMBER,
    }


def test_the_same_text_twice_is_harmless(text: Any, admin: ApiClient) -> None:
    learner("noor.haddad@example.org", "+14805550142")
    found = activity(admin)
    assert text("+14805550142", found["attendance_code"])[0] == "recorded"
    outcome, reply = text("+14805550142", found["attendance_code"])
    assert outcome == "already_recorded"
    assert reply == f"Already recorded: your attendance for {SHOWN_TITLE}. Nothing more to do."
    assert len(attendance(found["activity_id"])) == 1
    assert count(found["activity_id"]) == 1


def test_an_unknown_number_gets_only_the_sign_in_link(text: Any, admin: ApiClient) -> None:
    found = activity(admin)
    code = found["attendance_code"]
    # the documented sample itself: a number no profile holds
    raw = sample()
    message = json.loads(raw["Records"][0]["Sns"]["Message"])
    raw["Records"][0]["Sns"]["Message"] = json.dumps({**message, "messageBody": code})
    outcome, reply = text("+14255550182", code, raw)
    assert outcome == "unknown_number"
    assert reply == (
        "We could not match this number to one CME Portal account. "
        f"Sign in at the event: http://127.0.0.1:3000/attend.html?code={code}"
    )
    assert attendance(found["activity_id"]) == []
    assert text("+14255550183", "hello, how do I sign in?")[1] == (
        "We could not match this number to one CME Portal account. "
        "Sign in at the event: http://127.0.0.1:3000/attend.html"
    )


def test_a_number_confirmed_on_two_profiles_gets_the_sign_in_link(text: Any, admin: ApiClient) -> None:
    # PHONE_TAKEN refuses a second confirmation; two that raced past it leave the number naming no one
    learner("noor.haddad@example.org", "+14805550177")
    learner("sam.haddad@example.org", "(480) 555-0177", first="Sam")  # a shared family phone
    found = activity(admin)
    outcome, reply = text("+14805550177", found["attendance_code"])
    assert outcome == "several_profiles"
    assert reply == (
        "We could not match this number to one CME Portal account. "
        f"Sign in at the event: http://127.0.0.1:3000/attend.html?code={found['attendance_code']}"
    )
    assert attendance(found["activity_id"]) == []


def test_a_wrong_code_is_said_to_be_wrong(text: Any, admin: ApiClient) -> None:
    learner("noor.haddad@example.org", "+14805550142")
    activity(admin)
    outcome, reply = text("+14805550142", "zz-9999")
    assert outcome == "wrong_code"
    assert reply == "ZZ9999 is not an attendance code. Check the code shown at the event and text it again."
    assert text("+14805550142", "?!")[1] == "Text only the attendance code shown at the event."


def test_a_closed_code_says_when_sign_in_is_open(text: Any, admin: ApiClient) -> None:
    from cme.platform.clock import office_today

    learner("noor.haddad@example.org", "+14805550142")
    found = activity(admin, days_from_today=-1)
    day = office_today() - timedelta(days=1)
    outcome, reply = text("+14805550142", found["attendance_code"])
    assert outcome == "closed"
    assert reply == f"Sign-in for {SHOWN_TITLE} is open only on {day:%B} {day.day}, {day.year}."
    assert attendance(found["activity_id"]) == []


def test_texts_are_throttled_per_number_then_go_unanswered(text: Any, admin: ApiClient) -> None:
    from cme.publishing import sms

    learner("noor.haddad@example.org", "+14805550142")
    found = activity(admin)
    for _ in range(sms.TEXTS_PER_NUMBER):
        assert text("+14805550142", "wrong1")[1] is not None
    assert text("+14805550142", found["attendance_code"]) == ("throttled", None)
    assert attendance(found["activity_id"]) == []
    # another number is not held back by this one
    assert text("+14805550143", found["attendance_code"])[0] == "unknown_number"


def test_replies_fit_one_gsm7_segment(text: Any, admin: ApiClient) -> None:
    from cme.publishing import sms

    learner("noor.haddad@example.org", "+14805550142")
    title = "“Señor Ødegård’s” grand rounds — " + "a very long title about sepsis, " * 8
    found = activity(admin, title=title[:200])
    _, reply = text("+14805550142", found["attendance_code"])
    assert reply is not None and len(reply) <= sms.SEGMENT
    assert all(ch in sms.GSM7 for ch in reply), reply
    assert reply.startswith('Attendance recorded for "Señor Ødegård\'s" grand rounds - a very long title'), reply
    assert reply.endswith("sepsis... Claim your credit in the CME Portal."), reply


def test_aws_keywords_and_texting_off_get_no_reply(text: Any, admin: ApiClient, monkeypatch: Any) -> None:
    from cme.platform.settings import reset_settings

    learner("noor.haddad@example.org", "+14805550142")
    found = activity(admin)
    assert text("+14805550142", "STOP") == ("aws_keyword", None)  # AWS End User Messaging SMS answers it
    monkeypatch.setenv("SMS_NUMBER", "")
    reset_settings()
    assert text("+14805550142", found["attendance_code"]) == ("texting_off", None)
    assert attendance(found["activity_id"]) == []


def test_bad_messages_are_dropped_without_a_reply(text: Any) -> None:
    raw = sample()
    raw["Records"][0]["Sns"]["Message"] = "not json"
    assert text("+14255550182", "", raw) == ("not_a_text", None)
    # an alphanumeric sender or short code cannot be answered
    assert text("CMEOFFICE", "ABC234") == ("not_a_phone_number", None)


def test_logs_never_hold_the_whole_number(text: Any, admin: ApiClient, caplog: pytest.LogCaptureFixture) -> None:
    from cme.platform.observability import logger

    learner("noor.haddad@example.org", "+14805550142")
    found = activity(admin)
    caplog.clear()
    text("+14805550142", found["attendance_code"])
    text("+14255550182", found["attendance_code"])
    lines = [logger.registered_formatter.format(r) for r in caplog.records if r.name == logger.name]
    assert len(lines) == 2 and all("text received" in line for line in lines), lines
    for line in lines:
        assert "4805550142" not in line and "4255550182" not in line and "noor.haddad" not in line, line
    first = json.loads(lines[0])
    assert (first["outcome"], first["from"], first["replied"]) == ("recorded", "***42", True)
