"""A learner's certificate on the local stack: the PDF behind the pre-signed link (name with its
diacritics and degree, the AMA credit's full name, the code, the verification link), then the
public verification page in Chromium: the QR link's ?code=, an unknown code, a typed code, a
certificate replaced after a name correction, and a phone-sized screen."""

from __future__ import annotations

import io
import re
import unicodedata
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from infra.local.seed import DEMO_PASSWORD
from tests.support.http import StackClient
from tests.support.journeys import attend
from tests.support.stack_clock import office_today as stack_today

pytestmark = pytest.mark.e2e

NOT_FOUND = "No certificate has this code"
SCREENSHOTS = "/tmp"


@dataclass
class Certified:
    email: str
    first_name: str
    last_name: str
    phone: str
    title: str
    claim_id: str
    code: str
    learner: StackClient


def office_today() -> str:
    return stack_today().isoformat()


def certify(base_url: str, first_name: str, last_name: str) -> Certified:
    """Admin publishes an activity dated today; a new learner verifies their email, is on the
    roster, claims 1.0 AMA PRA Category 1 Credit and asks for the certificate (which issues it)."""
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    tag = uuid.uuid4().hex[:6]
    title = f"Grand Rounds: Atrial Fibrillation & <i>Anticoagulation</i> {tag}"
    today = office_today()
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "description": "Case-based review for clinicians.",
            "format": "live",
            "start_date": today,
            "end_date": today,
            "location": "Auditorium B",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]

    email = f"e2e-cert-{uuid.uuid4().hex[:12]}@example.org"
    phone = f"+1480555{uuid.uuid4().int % 9000 + 1000}"
    learner = StackClient(base_url)
    status, body = learner.call(
        "POST",
        "/api/accounts",
        {
            "email": email,
            "password": "amber lighthouse certificate morning",
            "first_name": first_name,
            "last_name": last_name,
            "degree": "MD",
            "phone": phone,
        },
    )
    assert status == 201, body
    token = parse_qs(urlparse(learner.latest_link(email, "verify-email.html")).query)["token"][0]
    status, body = learner.call("POST", "/api/accounts/verify-email", {"token": token})  # in its own session
    assert status == 200 and body["learner"]["email_verified"], body

    attend(admin, activity_id, email)

    status, body = learner.call(
        "POST",
        "/api/me/claims",
        {"activity_id": activity_id, "credit_type": "AMA_PRA_1", "credits": 1.0, "evaluation": {}, "attestation": True},
    )
    assert status == 201, body
    claim = body["claim"]

    status, link = learner.call("GET", f"/api/me/claims/{claim['claim_id']}/certificate")
    assert status == 200, link
    return Certified(email, first_name, last_name, phone, title, claim["claim_id"], claim["certificate_code"], learner)


@pytest.fixture(scope="module")
def certified(base_url: str) -> Certified:
    return certify(base_url, "Zoë", "Łukasiewicz-Müller")


def fetch(url: str) -> tuple[bytes, Any]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.status == 200
        return answer.read(), answer.headers


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_certificate_pdf_from_the_presigned_link(certified: Certified) -> None:
    status, link = certified.learner.call("GET", f"/api/me/claims/{certified.claim_id}/certificate")
    assert status == 200, link
    assert link["expires_in"] == 300
    url = urlparse(link["url"])
    assert url.hostname == "127.0.0.1", link["url"]  # the local moto S3 endpoint
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["300"], query
    assert query["response-content-disposition"][0].startswith("attachment"), query

    data, headers = fetch(link["url"])
    assert data.startswith(b"%PDF-"), data[:20]
    assert headers.get("Content-Disposition", "").startswith("attachment"), dict(headers)
    text = pdf_text(data)
    assert "Zoë Łukasiewicz-Müller, MD" in text, text
    assert "AMA PRA Category 1 Credit™" in text, text
    assert certified.code in text, text
    assert "verify.html?code=" in text, text


def test_certificate_is_someone_elses_404(base_url: str, certified: Certified) -> None:
    other = StackClient(base_url)
    other.sign_in("learner@example.org", DEMO_PASSWORD)
    status, body = other.call("GET", f"/api/me/claims/{certified.claim_id}/certificate")
    assert status == 404 and body["code"] == "NOT_FOUND", body


def test_verify_page_from_link_unknown_code_and_typed_code(page: Any, problems: Any, certified: Certified) -> None:
    full_name = f"{certified.first_name} {certified.last_name}, MD"
    card = page.get_by_role("region", name="Valid certificate")

    # the certificate's QR code / link
    page.goto(f"/verify.html?code={certified.code}")
    expect(card.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(card.get_by_text(full_name, exact=True)).to_be_visible()
    expect(card.get_by_text(certified.title, exact=True)).to_be_visible()  # text, never markup
    expect(card.get_by_text("1.0 AMA PRA Category 1 Credit™", exact=True)).to_be_visible()
    expect(card.get_by_text(certified.code, exact=True)).to_be_visible()
    expect(page.get_by_text("This certificate was replaced")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Certificate code")).to_have_value(certified.code)
    assert certified.email not in page.content()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a Certificate")
    expect(page.get_by_role("contentinfo")).to_contain_text("Need Help? Contact the CME office at")
    page.screenshot(path=f"{SCREENSHOTS}/verify-desktop.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Verify")).to_be_hidden()
    page.screenshot(path=f"{SCREENSHOTS}/verify-print.png", full_page=True)
    page.emulate_media(media="screen")
    problems.assert_none("on verify.html?code=")

    # an unknown code: the API's message, no card
    page.goto("/verify.html?code=NOPE12345678")
    expect(page.get_by_role("alert")).to_contain_text(NOT_FOUND)
    expect(card).to_be_hidden()
    page.screenshot(path=f"{SCREENSHOTS}/verify-not-found.png", full_page=True)
    problems.clear()  # the browser logs the API's 404 response

    # typed in the field (lower case, with a space: as people copy it)
    page.goto("/verify.html")
    field = page.get_by_role("textbox", name="Certificate code")
    expect(field).to_have_value("")
    expect(card).to_be_hidden()
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Please enter the certificate code.")).to_be_visible()
    expect(field).to_be_focused()
    field.fill(f"{certified.code[:6].lower()} {certified.code[6:].lower()}")
    page.get_by_role("button", name="Verify").click()
    expect(card.get_by_role("heading", name="Valid certificate")).to_be_focused()
    expect(card.get_by_text(full_name, exact=True)).to_be_visible()
    expect(card.get_by_text(certified.title, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/verify\.html\?code={certified.code}$"))
    expect(page.get_by_text("Please enter the certificate code.")).to_have_count(0)
    problems.assert_none("verifying a typed code")


def test_verify_page_after_a_name_correction(base_url: str, page: Any, problems: Any) -> None:
    first = certify(base_url, "Ana", "Pérez")
    status, profile = first.learner.call(
        "PUT",
        "/api/me",
        {"first_name": "Ana María", "last_name": "Pérez-Ortega", "degree": "MD", "phone": first.phone},
    )
    assert status == 200, profile
    status, link = first.learner.call("GET", f"/api/me/claims/{first.claim_id}/certificate")
    assert status == 200, link
    _, mine = first.learner.call("GET", "/api/me/claims")
    corrected = next(c for c in mine["claims"] if c["claim_id"] == first.claim_id)["certificate_code"]
    assert corrected != first.code

    card = page.get_by_role("region", name="Valid certificate")
    replaced = page.get_by_role("region", name="Replaced certificate")
    page.goto(f"/verify.html?code={first.code}")
    notice = page.get_by_text(
        re.compile(rf"^This certificate was replaced by a corrected one on \w+ \d+, \d{{4}} \(code {corrected}\)")
    )
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("is no longer valid")
    expect(replaced.get_by_text("Ana Pérez, MD", exact=True)).to_be_visible()  # kept as issued
    page.screenshot(path=f"{SCREENSHOTS}/verify-superseded.png", full_page=True)
    page.get_by_role("link", name="Verify the corrected certificate").click()
    expect(page).to_have_url(re.compile(rf"/verify\.html\?code={corrected}$"))
    expect(card.get_by_text("Ana María Pérez-Ortega, MD", exact=True)).to_be_visible()
    expect(card.get_by_text(corrected, exact=True)).to_be_visible()
    expect(page.get_by_text("This certificate was replaced")).to_have_count(0)
    problems.assert_none("on a superseded certificate and its correction")


def test_verify_page_on_a_phone(browser: Any, base_url: str, problems: Any, certified: Certified) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.goto(f"/verify.html?code={certified.code}")
        expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
        expect(page.get_by_text(certified.title, exact=True)).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.screenshot(path=f"{SCREENSHOTS}/verify-phone.png", full_page=True)
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="My Portal")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        assert not problems.page_errors
    finally:
        context.close()
