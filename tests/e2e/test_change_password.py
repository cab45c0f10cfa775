"""Change password on My Portal, in a real browser: a typo and a wrong current password are said
beside their fields; a change keeps this browser signed in, signs the learner's other session
out and emails the confirmed address (issue 22, 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import journeys

pytestmark = pytest.mark.e2e

PASSWORD = "quiet harbour lantern morning"
NEW_PASSWORD = "seven copper kites at noon"


def test_change_password_on_my_portal(page: Any, base_url: str) -> None:
    email = journeys.unique_email("password")
    other = journeys.sign_up(base_url, email, PASSWORD)  # another session of the learner (and the confirmation)
    journeys.sign_in(page, email, PASSWORD)

    section = page.get_by_role("region", name="Change password")
    current = section.get_by_label("Current password", exact=True)
    new = section.get_by_label("New password", exact=True)
    again = section.get_by_label("Confirm new password", exact=True)
    button = section.get_by_role("button", name="Change password")

    # typed differently twice: said here, nothing sent
    current.fill(PASSWORD)
    new.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD + "x")
    button.click()
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(section.get_by_role("alert")).to_contain_text("do not match")

    # a wrong current password: the API's 422, beside its field
    current.fill("not my password at all")
    again.fill(NEW_PASSWORD)
    button.click()
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(section.get_by_role("alert")).to_contain_text("That is not your current password.")

    current.fill(PASSWORD)
    button.click()
    expect(section.get_by_role("status")).to_contain_text("Your password has been changed.")
    expect(current).to_have_value("")

    # this browser is still signed in; the other session is not
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My Portal")
    status, _ = other.call("GET", "/api/me")
    assert status == 401

    messages = page.request.get("/_local/outbox.json").json()["messages"]
    notices = [m for m in messages if email in m["to"] and m["subject"].endswith("password was changed")]
    assert len(notices) == 1
    assert re.search(r"was changed on \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M", notices[0]["text"])

    page.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))  # signed out: then sign in anew
    journeys.sign_in(page, email, NEW_PASSWORD)
