"""Attendance by text message on the local stack: `POST /_local/sms {from, body}` runs the whole
path (the two-way message, published to the inbound topic, the subscribed function on its SNS
event, the reply through SNS) and answers `{reply}`; `/_local/outbox.json` lists every SMS under
`sms: [{to, body, sent_at}]`, the outbox page shows them, and the projected QR page says
"or text CODE to NUMBER" with the local office number (GET /api/settings `sms_number`). Only a
confirmed phone records attendance: a learner confirms theirs on My Portal with a code texted to
it, read here from the outbox (docs/api.md "Confirming the phone")."""

from __future__ import annotations

import random
import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import office_today, sign_in
from tests.support import journeys
from tests.support.http import StackClient
from tests.support.journeys import sign_in as sign_in_as

pytestmark = pytest.mark.e2e

OFFICE_NUMBER = "+12025550123"  # the local stack's SmsNumber (infra/local/server.py)
PASSWORD = "lantern orchard quietly"
CONFIRM_FIRST = "Confirm this number in your CME Portal profile first."


def phone() -> str:
    """A fresh Phoenix number for this run (555-01xx are not valid; 555-1xxx and up are)."""
    return f"+1480555{random.randint(1000, 9999)}"


def account(base_url: str, number: str, first: str = "Noor") -> str:
    """A learner with ``number`` on the profile (not confirmed) and the email confirmed (a phone
    is confirmed only on an account whose email is: docs/api.md "An account made before its owner")."""
    email = f"e2e-sms-{uuid.uuid4().hex[:10]}@example.org"
    journeys.sign_up(base_url, email, PASSWORD, first_name=first, last_name="Haddad", degree="RN", phone=number)
    return email


def activity(base_url: str, title: str) -> dict[str, Any]:
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    status, body = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "description": "Early recognition and the new bundle.",
            "format": "rss",
            "start_date": office_today(),
            "end_date": office_today(),
            "location": "Auditorium B",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, body
    return dict(body["activity"])


def texted_code(base_url: str, number: str) -> str:
    """The newest phone confirmation code the outbox holds for ``number``."""
    status, box = StackClient(base_url).call("GET", "/_local/outbox.json")
    assert status == 200
    codes = [m["body"] for m in box["sms"] if m["to"] == number and "is your CME Portal code" in m["body"]]
    assert codes, box["sms"][-5:]
    found = re.match(r"(\d{6}) is your CME Portal code", codes[-1])
    assert found, codes[-1]
    return found.group(1)


def confirm_phone(base_url: str, email: str, number: str) -> None:
    """Confirm the account's phone through the API, with the code the outbox shows."""
    learner = StackClient(base_url)
    learner.sign_in(email, PASSWORD)
    status, sent = learner.call("POST", "/api/me/phone/code", {})
    assert (status, sent) == (202, {"expires_in": 600}), sent
    status, profile = learner.call("POST", "/api/me/phone/confirm", {"code": texted_code(base_url, number)})
    assert status == 200 and profile["phone_confirmed"] is True, profile


def text(base_url: str, sender: str, body: str) -> Any:
    status, answer = StackClient(base_url).call("POST", "/_local/sms", {"from": sender, "body": body})
    assert status == 200, answer
    return answer["reply"]


def test_texting_a_code_end_to_end(base_url: str) -> None:
    title = f"Grand Rounds by text {uuid.uuid4().hex[:6]}"
    found = activity(base_url, title)
    code = found["attendance_code"]
    known, shared, stranger = phone(), phone(), phone()
    email = account(base_url, known)
    confirm_phone(base_url, email, known)
    account(base_url, shared)  # on two profiles, confirmed on neither
    account(base_url, shared, first="Sam")
    link = f"{base_url}/attend.html?code={code}"
    unmatched = f"We could not match this number to one CME Portal account. Sign in at the event: {link}"

    recorded = f"Attendance recorded for {title}. Claim your credit in the CME Portal."
    assert text(base_url, known, code.lower()) == recorded
    assert text(base_url, known, code) == f"Already recorded: your attendance for {title}. Nothing more to do."
    assert text(base_url, stranger, code) == unmatched
    assert text(base_url, shared, code) == CONFIRM_FIRST
    assert text(base_url, known, "QQ0000") == (
        "QQ0000 is not an attendance code. Check the code shown at the event and text it again."
    )

    # recorded once, under the learner's primary email, as a text message
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    status, rows = admin.call("GET", f"/api/admin/activities/{found['activity_id']}/attendance")
    assert status == 200, rows
    assert [(row["email"], row["source"]) for row in rows["rows"]] == [(email, "sms")]

    status, box = StackClient(base_url).call("GET", "/_local/outbox.json")
    assert status == 200
    mine = [m for m in box["sms"] if m["to"] in (known, shared, stranger)]
    assert [(m["to"], m["body"].split(".")[0]) for m in mine] == [
        (known, f"{texted_code(base_url, known)} is your CME Portal code to confirm this phone"),
        (known, f"Attendance recorded for {title}"),
        (known, f"Already recorded: your attendance for {title}"),
        (stranger, "We could not match this number to one CME Portal account"),
        (shared, "Confirm this number in your CME Portal profile first"),
        (known, "QQ0000 is not an attendance code"),
    ]
    assert all(set(m) == {"to", "body", "sent_at"} and datetime.fromisoformat(m["sent_at"]) for m in mine)


def test_bad_local_texts_are_refused(base_url: str) -> None:
    stack = StackClient(base_url)
    assert stack.call("POST", "/_local/sms", {"from": "not a number", "body": "ABC234"})[0] == 400
    status, problem = stack.call("POST", "/_local/sms", {"from": phone()})
    assert status == 400 and problem["code"] == "BODY_INVALID", problem


def test_the_qr_page_and_the_outbox_show_the_texting(page: Any, base_url: str, problems: Any) -> None:
    status, settings = StackClient(base_url).call("GET", "/api/settings")
    assert status == 200 and settings["sms_number"] == OFFICE_NUMBER, settings
    found = activity(base_url, f"Projected rounds {uuid.uuid4().hex[:6]}")
    sender = phone()
    reply = text(base_url, sender, found["attendance_code"])

    sign_in(page, "admin@example.org")
    page.goto(f"/admin-qr.html?id={found['activity_id']}")
    hint = page.locator("#sms-hint")
    expect(hint).to_be_visible()
    expect(hint).to_have_text(
        f"or text {found['attendance_code']} to (202) 555-0123"
        " from the mobile number you confirmed in your CME Portal profile"
    )

    page.goto("/_local/outbox")
    item = page.get_by_role("listitem").filter(has_text=f"To {sender}")
    expect(item).to_contain_text(reply)
    problems.assert_none("on the QR page and the outbox")


def test_a_learner_confirms_the_phone_on_my_portal(page: Any, base_url: str, problems: Any) -> None:
    """A phone saved unconfirmed (as every phone from before confirmation existed): My Portal says
    so, texts a code (read from the outbox, as the learner reads their phone), and the code
    typed back confirms it; then a text from it records attendance."""
    number = phone()
    email = account(base_url, number)
    found = activity(base_url, f"Confirmed rounds {uuid.uuid4().hex[:6]}")
    assert text(base_url, number, found["attendance_code"]) == CONFIRM_FIRST

    sign_in_as(page, email, PASSWORD)
    badge = page.locator("#phone-unconfirmed")
    expect(badge).to_have_text("Not confirmed")
    box = page.locator("#phone-confirm")
    expect(box).to_contain_text("records your attendance only from a phone you have confirmed")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.locator("#phone-status")).to_contain_text("We texted a code to your phone")
    page.get_by_label("Code from the text").fill("000000" if texted_code(base_url, number) != "000000" else "111111")
    page.get_by_role("button", name="Confirm phone").click()
    expect(page.locator("#phone-alert")).to_contain_text("That code is not right")
    assert not problems.page_errors
    assert all("status of 422" in text for text in problems.console_errors), problems.console_errors
    problems.clear()
    page.get_by_label("Code from the text").fill(texted_code(base_url, number))
    page.get_by_role("button", name="Confirm phone").click()
    expect(page.locator("#portal-status")).to_have_text(
        "Your phone is confirmed: texting an attendance code now records your attendance."
    )
    expect(badge).to_be_hidden()
    expect(box).to_be_hidden()
    page.reload()
    expect(page.locator("#portal")).to_be_visible()
    expect(badge).to_be_hidden()
    assert text(base_url, number, found["attendance_code"]).startswith("Attendance recorded for Confirmed rounds")
    problems.assert_none("confirming the phone")
