"""Issue 22, finding 1 in the browser: when a password reset confirms an account's email (its
owner moves into an account someone else set up), My Portal says once what was removed."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

MAKER_PASSWORD = "someone else set this up"
OWNER_PASSWORD = "the owner moves in today"


def test_my_portal_says_once_what_was_removed_when_the_owner_moved_in(page: Any, base_url: str) -> None:
    email = journeys.unique_email("owner")
    journeys.sign_up(base_url, email, MAKER_PASSWORD, confirm=False)  # the maker; the email stays unconfirmed

    stranger = StackClient(base_url)
    status, _ = stranger.call("POST", "/api/auth/password-reset", {"email": email})
    assert status == 202
    token = parse_qs(urlparse(stranger.latest_link(email, "reset-password.html")).query)["token"][0]
    status, answer = stranger.call(
        "POST", "/api/auth/password-reset/confirm", {"token": token, "password": OWNER_PASSWORD}
    )
    assert status == 204, answer

    journeys.sign_in(page, email, OWNER_PASSWORD)
    notice = page.get_by_role("region", name="About your account")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("we removed everything added by whoever set it up")
    expect(page.locator('[data-field="phone"]')).to_have_text("Not given")  # the maker's phone is gone

    page.reload()  # told once: the notice was cleared
    expect(page.get_by_role("heading", level=1)).to_have_text("My Portal")
    expect(page.get_by_text("Welcome, Imani Okafor, MD", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="About your account")).to_be_hidden()
