"""The sign-in page's ?next= in Chromium (issue 22 finding 2, the open redirect): after a real
sign-in the browser goes only to a same-origin path that starts with a single `/`; any other
target (scheme-relative after the browser's own normalisation, backslash, encoded, tab/newline,
absolute URL) lands on My Portal. A legit next keeps its query and hash.

evil.example is answered by a route of the browser context, so a redirect that escapes shows as
that origin in the page's URL (the assertion), not as a DNS error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

LEARNER = "learner@example.org"

# As an attacker writes them in the link (the browser parses the link, then URLSearchParams
# decodes the value once): the finding's own payload first, then its variants and encoded forms.
ESCAPES = [
    "/.//evil.example/x",
    "/%2E//evil.example/x",
    "%2F.%2F%2Fevil.example%2Fx",
    "/././/evil.example/x",
    "/..//evil.example/x",
    "/a/..//evil.example/x",
    "//evil.example",
    "/\\evil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/.%5C/evil.example",
    "https://evil.example",
    "https:evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/./%2e/evil.example",
    "/%252F%252Fevil.example",
    "javascript:alert(1)",
]


def _escaped(page: Any) -> list[str]:
    """Answer evil.example from the browser context; return the list of its URLs asked for."""
    asked: list[str] = []

    def evil(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>evil</title><p>evil</p>")

    page.context.route(re.compile(r"^https?://evil\.example"), evil)
    return asked


def _sign_in_with(page: Any, query: str) -> None:
    page.goto(f"/sign-in.html?next={query}")
    page.get_by_role("textbox", name="Email", exact=True).fill(LEARNER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()


@pytest.mark.parametrize("payload", ESCAPES)
def test_sign_in_never_leaves_the_portal(page: Any, base_url: str, payload: str) -> None:
    asked = _escaped(page)
    _sign_in_with(page, payload)
    # the portal's own origin, My Portal: the next was refused
    expect(page).to_have_url(re.compile("^" + re.escape(base_url) + r"/portal\.html$"))
    expect(page.get_by_text(re.compile(r"^Welcome, "))).to_be_visible()
    assert asked == []


def test_a_legit_next_keeps_its_query_and_hash(page: Any, base_url: str) -> None:
    _sign_in_with(page, "%2Ftranscript.html%3Fx%3D1%23y")
    expect(page).to_have_url(f"{base_url}/transcript.html?x=1#y")


def test_safe_next_table(page: Any) -> None:
    """safeNext itself, on values as URLSearchParams hands them over (already decoded once)."""
    page.goto("/sign-in.html")
    refused = [
        "/.//evil.example/x",
        "/..//evil.example",
        "/./",
        "/a/../b.html",
        "/a/./b.html",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "/%5Cevil.example",
        "/%2e%2e/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        " /portal.html",
        "https://evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "portal.html",
        "",
        "/" + "a" * 400,
    ]
    kept = [
        "/portal.html",
        "/transcript.html?x=1#y",
        "/transcript.html#schedule",
        "/admin-attendance.html?id=abc",
        "/verify-email.html?token=a.b-c_d%3D",
        "/",
    ]
    answers = page.evaluate(
        """async ([refused, kept]) => {
          const { safeNext } = await import('/js/forms.js');
          return { refused: refused.map(safeNext), kept: kept.map(safeNext) };
        }""",
        [refused, kept],
    )
    assert answers["refused"] == [None] * len(refused), dict(zip(refused, answers["refused"], strict=True))
    assert answers["kept"] == kept
