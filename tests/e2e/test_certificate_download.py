"""A learner's certificate from My Portal in a real browser: a claim made through the form shows
in My claims at once (no reload) with its activity date, credit, certificate code, a Download
certificate button and a Verify link; the button asks the API for a fresh pre-signed link on
every click and the browser saves the PDF (the learner's name with its diacritics and the code
inside); the API's message shows when storage is down; Verify opens the public verification
page. And the navigation: My Transcript after My Portal on every page, once; Verify a
certificate in the footer."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from infra.local.seed import DEMO_PASSWORD
from tests.support.http import StackClient
from tests.support.journeys import attend, sign_in, sign_up, unique_email
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

FIRST_NAME = "Zoë"
LAST_NAME = "Łukasiewicz-Müller"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}, MD"
PASSWORD = "quiet harbour certificate lantern"
ATTESTATION = (
    "I attest that I participated in this activity. Physicians should claim only the credit "
    "commensurate with the extent of their participation in the activity."
)
STORAGE_DOWN = "We could not prepare your certificate just now. Please try again in a minute."


def today() -> Any:
    return office_today()


def new_learner(base_url: str) -> str:
    """An MD with accents in her name and a confirmed email (the link read from the outbox)."""
    email = unique_email("download")
    sign_up(base_url, email, PASSWORD, first_name=FIRST_NAME, last_name=LAST_NAME)
    return email


def new_activity(admin: StackClient, title: str) -> str:
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "format": "live",
            "start_date": today().isoformat(),
            "end_date": today().isoformat(),
            "location": "Auditorium B",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    return created["activity"]["activity_id"]


def is_certificate_route(response: Any) -> bool:
    url = urlparse(response.url)
    return url.path.startswith("/api/me/claims/") and url.path.endswith("/certificate")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def nav_links(page: Any) -> list[str]:
    nav = page.get_by_role("navigation", name="Main")
    return [text.strip() for text in nav.get_by_role("link").all_inner_texts()]


def assert_nav(page: Any, path: str) -> None:
    """My Transcript right after My Portal, once; Verify a certificate in the footer."""
    # the nav is built by web/js/shell.js once the page's module runs: wait for it (an h1 in
    # the HTML can be there before it), then read every link
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="My Transcript")).to_have_count(1)
    links = nav_links(page)
    assert links.count("My Transcript") == 1, (path, links)
    assert links.index("My Transcript") == links.index("My Portal") + 1, (path, links)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My Transcript")).to_have_attribute("href", "/transcript.html")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Verify a certificate")).to_have_attribute("href", "/verify.html")


def test_download_and_verify_a_certificate_from_my_portal(page: Any, problems: Any, base_url: str) -> None:
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    title = f"Grand Rounds: Heart Failure & <b>Diuretics</b> {uuid.uuid4().hex[:6]}"
    activity_id = new_activity(admin, title)
    email = new_learner(base_url)
    attend(admin, activity_id, email)

    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="My activities")).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.assert_none("on My Portal")
    assert_nav(page, "/portal.html")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # claim through the form: the claim shows at once in its row, with its certificate
    activities = page.get_by_role("list", name="My activities")
    row = activities.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))
    row.get_by_role("button", name="Claim credit").click()
    form = row.get_by_role("form", name="Claim credit")
    form.get_by_role("checkbox", name=ATTESTATION).check()
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(row.locator(".status")).to_have_text("Status: Claimed")
    code = row.locator(".my-activity__claim .code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{12}", code), code

    # the claim is listed once, with its activity (no second list of claims)
    expect(page.get_by_role("table", name="My claims")).to_have_count(0)
    assert " ".join(page.locator("main .activity-group").all_text_contents()).count(code) == 1
    claim = row
    expect(claim.get_by_role("heading", name=title, exact=True)).to_be_visible()  # text, never markup
    day = today()
    expect(claim.locator(".my-activity__meta")).to_contain_text(f"{day:%B} {day.day}, {day.year}")
    expect(claim.locator(".my-activity__claim")).to_contain_text("Claimed 1.0 AMA PRA Category 1 Credit™ on")
    expect(claim.locator(".my-activity__claim .code")).to_have_text(code)
    download = claim.get_by_role("button", name="Download certificate")
    expect(download).to_be_visible()
    expect(download).to_have_accessible_description(title)
    verify = claim.get_by_role("link", name="Verify", exact=True)
    expect(verify).to_have_attribute("href", f"/verify.html?code={code}")
    assert page.evaluate("window.__sameDocument === true"), "the claim showed without a reload"

    # Download certificate: a fresh link from the API, then the browser saves the PDF
    with page.expect_download() as saved, page.expect_response(is_certificate_route) as answer:
        download.click()
    assert answer.value.status == 200
    link = answer.value.json()
    assert link["expires_in"] == 300, link
    assert saved.value.suggested_filename.endswith(".pdf"), saved.value.suggested_filename
    expect(page).to_have_url(re.compile(r"/portal\.html$"))  # an attachment: the page stays
    with urllib.request.urlopen(link["url"], timeout=30) as fetched:
        assert fetched.status == 200
        assert fetched.headers.get("Content-Disposition", "").startswith("attachment")
        data = fetched.read()
    assert data.startswith(b"%PDF-"), data[:20]
    text = pdf_text(data)
    assert FULL_NAME in text, text
    assert code in text, text
    expect(download).to_be_enabled()

    # never cached: the next click asks the API again
    with page.expect_download(), page.expect_response(is_certificate_route) as again:
        download.click()
    assert again.value.status == 200
    problems.assert_none("downloading a certificate")

    # storage down: the API's message, next to the button; the button can be pressed again
    def unavailable(route: Any) -> None:
        route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"code": "STORAGE_UNAVAILABLE", "message": STORAGE_DOWN}),
        )

    page.route("**/api/me/claims/*/certificate", unavailable)
    download.click()
    expect(claim.get_by_role("alert")).to_have_text(STORAGE_DOWN)
    expect(download).to_be_enabled()
    page.unroute("**/api/me/claims/*/certificate")
    problems.clear()  # the browser logs the 503 response

    # Verify: the public page, with the learner's name as on the certificate
    verify.click()
    expect(page).to_have_url(re.compile(rf"/verify\.html\?code={code}$"))
    card = page.get_by_role("region", name="Valid certificate")
    expect(card.get_by_text(FULL_NAME, exact=True)).to_be_visible()
    expect(card.get_by_text(title, exact=True)).to_be_visible()
    expect(card.get_by_text(code, exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.assert_none("on the verify page")

    # signed in, the transcript page names itself once in the nav
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My Transcript").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My CME transcript")
    assert_nav(page, "/transcript.html")
    page.wait_for_load_state("networkidle")
    problems.assert_none("on the transcript page")


def test_my_transcript_in_every_nav_and_verify_in_the_footer(page: Any, problems: Any) -> None:
    for path in ("/index.html", "/verify.html", "/sign-in.html", "/create-account.html", "/forgot-password.html"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))
        assert_nav(page, path)
        problems.assert_none(f"on {path}")
    page.get_by_role("link", name="My Transcript").click()  # signed out: sign in first, then the transcript
    expect(page).to_have_url(re.compile(r"/sign-in\.html"))
    problems.clear()  # the transcript page asked the API and was told 401
    page.goto("/index.html")
    page.get_by_role("contentinfo").get_by_role("link", name="Verify a certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a Certificate")
    page.wait_for_load_state("networkidle")
    problems.assert_none("on the verify page")
