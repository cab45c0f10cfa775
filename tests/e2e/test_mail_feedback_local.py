"""Bounces and complaints on the local stack: `POST /_local/ses/feedback {email, type}` plays
SES's event (published to the configuration set's topic, the subscribed function on its SNS
event, since moto's SES emits none); the learner sees the mark on My emails and tries the
address again there, and the coordinator sees it on the attendance list."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import office_today, sign_in
from tests.support.http import StackClient
from tests.support.journeys import attend, coordinator, publish_activity

pytestmark = pytest.mark.e2e
PASSWORD = "lantern orchard quietly"


def feedback(base_url: str, body: Any) -> tuple[int, Any]:
    return StackClient(base_url).call("POST", "/_local/ses/feedback", body)


def test_bad_feedback_bodies_are_refused_with_400(base_url: str) -> None:
    for body, code in (
        (None, "BODY_INVALID"),
        (["bounce"], "BODY_INVALID"),
        ({"email": "a@example.org", "type": "delivery"}, "TYPE_INVALID"),
        ({"email": "not an email", "type": "bounce"}, "EMAIL_INVALID"),
        ({"type": "complaint"}, "EMAIL_INVALID"),
    ):
        status, answer = feedback(base_url, body)
        assert (status, answer["code"]) == (400, code), (body, answer)
    status, answer = feedback(base_url, {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.org", "type": "bounce"})
    assert (status, answer) == (200, {"marked": 0})  # on no account: ignored


def test_a_bounce_end_to_end(base_url: str, page: Any, problems: Any) -> None:
    email = f"e2e-bounce-{uuid.uuid4().hex[:10]}@example.org"
    learner = {"email": email, "password": PASSWORD, "first_name": "Ines", "last_name": "Ortega"}
    status, body = StackClient(base_url).call(
        "POST", "/api/accounts", {**learner, "degree": "RN", "phone": "480-555-2231"}
    )
    assert status == 201, body
    admin = coordinator(base_url, DEMO_PASSWORD)
    activity_id = publish_activity(
        admin,
        office_today(),
        title=f"Bounce rounds {uuid.uuid4().hex[:6]}",
        description="Mail that comes back.",
    )
    attend(admin, activity_id, email)

    assert feedback(base_url, {"email": email.upper(), "type": "bounce"}) == (200, {"marked": 1})

    sign_in(page, email, PASSWORD)
    row = page.locator(".email-row", has_text=email)
    expect(row.get_by_text("Not delivered")).to_be_visible()
    expect(row).to_contain_text("could not be delivered")
    row.get_by_role("button", name="Send it again").click()
    expect(page.locator("#emails-status")).to_contain_text("we send to it again")
    expect(page.locator(".email-row", has_text=email).get_by_text("Not delivered")).to_be_hidden()
    link = StackClient(base_url).latest_link(email, "verify-email.html")  # the new link reached SES
    assert "token=" in link

    assert feedback(base_url, {"email": email, "type": "complaint"}) == (200, {"marked": 1})
    page.context.clear_cookies()
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto(f"/admin-attendance.html?id={activity_id}")
    attendee = page.locator("tr", has_text=email)
    expect(attendee.get_by_text("Marked our email as spam")).to_be_visible()
    expect(page).to_have_url(re.compile(r"admin-attendance\.html"))
    problems.assert_none("mail feedback pages")
