"""The local outbox in Chromium: a scheduled transcript email, sent by a mailing run as on a later
day (`POST /_local/schedules/transcript-mailer/run?today=`), listed with its PDF attachment
(name, type, size) in `/_local/outbox.json` and on `/_local/outbox`, and downloaded from there."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e


def test_the_outbox_lists_and_downloads_a_scheduled_transcript(page: Any, problems: Any, base_url: str) -> None:
    email = f"e2e-outbox-{uuid.uuid4().hex[:12]}@example.org"
    profile = {
        "first_name": "Noor",
        "last_name": "Haddad",
        "degree": "RN",
        "phone": f"+1480555{uuid.uuid4().int % 9000 + 1000}",
    }
    learner = StackClient(base_url)
    status, body = learner.call(
        "POST", "/api/accounts", {"email": email, "password": "lantern orchard quietly", **profile}
    )
    assert status == 201, body
    status, body = learner.call("PUT", "/api/me", {**profile, "transcript_frequency": "monthly"})
    assert status == 200 and body["transcript_frequency"] == "monthly", body

    # credit this month (an empty month's transcript is not sent); due on the 1st of next month; the
    # mailing runs as on the 15th of that month
    today = office_today()
    elsewhere = {"title": "Grand rounds elsewhere", "provider": "County Hospital CME", "credit_type": "ANCC"}
    status, body = learner.call(
        "POST", "/api/me/outside-credits", {**elsewhere, "completed_on": today.isoformat(), "credits": 1.0}
    )
    assert status == 201, body
    due = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    run_day = due.replace(day=15)
    stack = StackClient(base_url)
    status, run = stack.call("POST", f"/_local/schedules/transcript-mailer/run?today={run_day.isoformat()}")
    assert status == 200 and run["today"] == run_day.isoformat(), run
    assert run["learners"] >= 1 and run["emails_sent"] >= 1 and run["failed"] == 0, run

    status, box = stack.call("GET", "/_local/outbox.json")
    assert status == 200
    number, message = next((n, m) for n, m in reversed(list(enumerate(box["messages"], 1))) if email in m["to"])
    name = f"CME-transcript-{today.replace(day=1).isoformat()}-to-{(due - timedelta(days=1)).isoformat()}.pdf"
    (pdf,) = message["attachments"]
    assert (pdf["filename"], pdf["content_type"], pdf["url"]) == (name, "application/pdf", f"/_local/outbox/{number}/1")
    assert pdf["size"] > 1000

    page.goto("/_local/outbox")
    article = page.locator("article").filter(has_text=email).last
    link = article.get_by_role("link", name=name)
    expect(link).to_be_visible()
    expect(article.get_by_role("listitem")).to_contain_text("application/pdf")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == name
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF") and len(data) == pdf["size"]
    problems.assert_none("on the outbox page")
