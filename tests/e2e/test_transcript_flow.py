"""My CME transcript in Chromium, on the local stack: the sign-in redirect, the claims of a date
range (by the completion date) with their totals, both exactly the transcript JSON's, "All time",
the chart of credits per year (inline SVG with a table for screen readers), the PDF and CSV
downloads through pre-signed links, the "Email me my transcript" schedule (#schedule), the mailer
run, and a phone-sized screen.

A new MD learner claims 1.5 AMA PRA Category 1 Credit for an activity held today and 1.0 ABIM MOC
point for one held on December 31 last year (a 365-day claim window keeps it claimable)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from infra.local.seed import DEMO_PASSWORD
from tests.support import journeys
from tests.support.http import StackClient
from tests.support.journeys import attend, sign_up, unique_email
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

SCREENSHOTS = "/tmp"
AMA = "AMA PRA Category 1 Credit™"
MOC = "ABIM MOC points"
PASSWORD = "copper harbour transcript evening"


@dataclass
class Learner:
    email: str
    first_name: str
    last_name: str
    title: str  # today's activity: 1.5 AMA PRA Category 1 Credit
    old_title: str  # December 31 last year: 1.0 ABIM MOC
    client: StackClient


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def new_activity(admin: StackClient, title: str, day: date, credits: list[dict[str, Any]], window: int) -> str:
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "description": "Case-based review for clinicians.",
            "format": "live",
            "start_date": day.isoformat(),
            "end_date": day.isoformat(),
            "location": "Auditorium B",
            "credits": credits,
            "claim_window_days": window,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    return str(created["activity"]["activity_id"])


def claim(learner: StackClient, activity_id: str, credit_type: str, credits: float) -> None:
    fields: dict[str, Any] = {}
    if credit_type == "ABIM_MOC":  # MOC points are reported to the board: consent, board id, birth day
        fields.update(moc_consent=True, board_ids={"ABIM": "123456"}, birth_mmdd="0704")
    journeys.claim(learner, activity_id, credit_type, credits, **fields)


@pytest.fixture(scope="module")
def learner(base_url: str) -> Learner:
    """Admin publishes two activities; a new MD verifies their email, is on both rosters, claims both."""
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    tag = uuid.uuid4().hex[:6]
    today = office_today()
    title = f"Grand Rounds: Heart Failure & <b>Diuretics</b> {tag}"
    old_title = f"Year-End Board Review {tag}"
    current = new_activity(admin, title, today, [{"type": "AMA_PRA_1", "max": 2.0}], 30)
    old = new_activity(admin, old_title, date(today.year - 1, 12, 31), [{"type": "ABIM_MOC", "max": 1.0}], 365)

    first_name, last_name = "Inès", "Okafor-Lindqvist"
    email, client = new_md(base_url, first_name, last_name)
    for activity_id in (current, old):
        attend(admin, activity_id, email)
    claim(client, current, "AMA_PRA_1", 1.5)
    claim(client, old, "ABIM_MOC", 1.0)
    return Learner(email, first_name, last_name, title, old_title, client)


def new_md(base_url: str, first_name: str, last_name: str) -> tuple[str, StackClient]:
    """A new MD's account, its email verified, signed in."""
    email = unique_email("transcript")
    client = sign_up(
        base_url,
        email,
        PASSWORD,
        first_name=first_name,
        last_name=last_name,
        phone=f"+1480555{uuid.uuid4().int % 9000 + 1000}",
    )
    return email, client


def fetch(url: str) -> tuple[bytes, Any]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.status == 200
        return answer.read(), answer.headers


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def amount(value: float) -> str:
    """Credits as the page writes them (web/js/credits.js formatAmount): 1 -> "1.0", 0.75 -> "0.75"."""
    return f"{value:.1f}" if float(value).is_integer() else f"{round(value, 2):g}"


def page_json(page: Any, query: str) -> dict[str, Any]:
    """GET /api/me/transcript?format=json&... from inside the page (its session cookie, its CSP)."""
    answer: dict[str, Any] = page.evaluate(
        """async (query) => {
          const answer = await fetch(`/api/me/transcript?format=json${query}`, { credentials: 'same-origin' });
          return { status: answer.status, body: await answer.json() };
        }""",
        query,
    )
    assert answer["status"] == 200, answer
    return dict(answer["body"])


def assert_page_shows(page: Any, data: dict[str, Any]) -> None:
    """The table's rows and the totals are the JSON's, row for row, with dates as people read them."""
    expected = [
        [long_date(date.fromisoformat(row["date"])), row["title"], row["label"], amount(row["credits"])]
        for row in data["rows"]
    ]
    rows = page.get_by_role("table", name="Claimed credit").locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    shown = [rows.nth(n).locator("td").all_inner_texts() for n in range(len(expected))]
    assert [[cell.strip() for cell in row] for row in shown] == expected, (shown, expected)
    expect(page.locator("#totals dt")).to_have_text([total["label"] for total in data["totals"]])
    expect(page.locator("#totals dd")).to_have_text([amount(total["credits"]) for total in data["totals"]])


def sign_in_through_redirect(page: Any, problems: Any, learner: Learner) -> None:
    page.goto("/transcript.html")
    expect(page).to_have_url(re.compile(r"/sign-in\.html\?next=/transcript\.html$"))
    page.wait_for_load_state("networkidle")
    problems.clear()  # the browser logs the API's 401 answers
    page.get_by_role("textbox", name="Email", exact=True).fill(learner.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(re.compile(r"/transcript\.html$"))


def download(page: Any, name: str, fmt: str) -> tuple[bytes, str]:
    """Click a Download button: the API's answer names a pre-signed URL that the browser follows."""
    with (
        page.expect_download() as downloaded,
        page.expect_response(lambda answer: "/api/me/transcript?" in answer.url) as answered,
    ):
        page.get_by_role("button", name=name).click()
    answer = answered.value
    assert answer.status == 200, answer.text()
    query = parse_qs(urlparse(answer.url).query)
    assert query["format"] == [fmt], query
    link = answer.json()
    assert link["expires_in"] > 0, link
    assert downloaded.value.suggested_filename.endswith(f".{fmt}"), downloaded.value.suggested_filename
    data, headers = fetch(link["url"])
    assert headers.get("Content-Disposition", "").startswith("attachment"), dict(headers)
    return data, str(query.get("from", [""])[0])


def test_transcript_page_downloads_and_schedule(page: Any, problems: Any, base_url: str, learner: Learner) -> None:
    today = office_today()
    sign_in_through_redirect(page, problems, learner)

    expect(page.get_by_role("heading", level=1)).to_have_text("My CME transcript")
    expect(page.get_by_text(f"{learner.first_name} {learner.last_name}, MD", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="My Transcript")).to_have_attribute("aria-current", "page")

    # the default range: January 1 of this year to today
    expect(page.get_by_label("From")).to_have_value(f"{today.year}-01-01")
    expect(page.get_by_label("To", exact=True)).to_have_value(today.isoformat())
    expect(page.get_by_role("status").filter(has_text="1 activity from")).to_have_text(
        f"1 activity from {long_date(date(today.year, 1, 1))} to {long_date(today)}."
    )
    table = page.get_by_role("table", name="Claimed credit")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(
        [long_date(today), learner.title, AMA, "1.5"]  # the title as text, never markup
    )
    totals = page.get_by_role("definition").filter(has_text=re.compile(r"^\d"))
    expect(page.locator("#totals > div")).to_have_count(1)
    expect(page.locator("#totals dt")).to_have_text([AMA])
    expect(totals).to_have_text(["1.5"])
    # the page shows the transcript JSON as it is: its rows, labels and totals
    data = page_json(page, f"&from={today.year}-01-01&to={today.isoformat()}")
    assert [(r["title"], r["credit_type"], r["credits"], r["source"]) for r in data["rows"]] == [
        (learner.title, "AMA_PRA_1", 1.5, "claim")
    ], data
    assert data["totals"] == [{"credit_type": "AMA_PRA_1", "label": AMA, "credits": 1.5}], data
    assert data["learner"]["name"] == f"{learner.first_name} {learner.last_name}", data
    assert_page_shows(page, data)

    # the chart: every year, a bar per credit type, a legend, and the numbers in a table
    chart = page.get_by_role("img", name=re.compile(r"^Bar chart of your credits per year\."))
    expect(chart).to_have_attribute(
        "aria-label",
        f"Bar chart of your credits per year. {today.year}: 1.5 {AMA}. {today.year - 1}: 1.0 {MOC}.",
    )
    bars = page.locator("#chart svg rect.chart__bar")
    expect(bars).to_have_count(2)
    assert float(bars.nth(0).get_attribute("width") or 0) > float(bars.nth(1).get_attribute("width") or 0)
    expect(page.locator("#chart svg text")).to_have_text(
        [str(today.year), "1.5 AMA", str(today.year - 1), "1.0 ABIM MOC"]
    )
    expect(page.get_by_role("list", name="Credit types in the chart").get_by_role("listitem")).to_have_text(
        [f"AMA: {AMA}", f"ABIM MOC: {MOC}"]
    )
    numbers = page.get_by_role("table", name="Credits per year by credit type")
    expect(numbers.locator("tbody tr")).to_have_count(2)
    expect(numbers.locator("tbody tr").first).to_have_text(re.compile(rf"^{today.year}\s*1\.5\s*0\.0$"))
    page.wait_for_load_state("networkidle")
    problems.assert_none("on loading transcript.html")
    page.screenshot(path=f"{SCREENSHOTS}/transcript-desktop.png", full_page=True)

    # Download CSV, then PDF: the range goes to the API, the browser follows the link it returns
    data, sent_from = download(page, "Download CSV", "csv")
    assert sent_from == f"{today.year}-01-01"
    text = data.decode("utf-8-sig")
    assert learner.title in text, text
    assert learner.old_title not in text, text  # held last year: outside the range
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:4] == ["date", "activity", "credit_type", "credits"], parsed[0]
    assert [today.isoformat(), learner.title, AMA, "1.5"] == parsed[1][:4], parsed[1]
    expect(page.get_by_role("status").filter(has_text="is downloading")).to_have_text(
        "Your CSV transcript is downloading."
    )
    expect(page.get_by_role("button", name="Download CSV")).to_be_enabled()

    data, _ = download(page, "Download PDF", "pdf")
    assert data.startswith(b"%PDF-"), data[:20]
    text = pdf_text(data)
    assert f"{learner.first_name} {learner.last_name}" in text, text
    assert "Heart Failure" in text, text

    # All time: last year's claim too, in the list, the totals and the downloads
    page.get_by_role("checkbox", name=re.compile(r"^All time")).check()
    expect(page.get_by_label("From")).to_be_disabled()
    expect(page.get_by_label("From")).to_have_value("")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(learner.old_title)
    expect(rows.nth(0)).to_contain_text(f"December 31, {today.year - 1}")
    expect(page.locator("#totals dt")).to_have_text([AMA, MOC])
    expect(totals).to_have_text(["1.5", "1.0"])
    everything = page_json(page, f"&to={today.isoformat()}")
    assert everything["from"] is None and len(everything["rows"]) == 2, everything
    assert_page_shows(page, everything)
    expect(page.get_by_role("status").filter(has_text="2 activities")).to_have_text(
        f"2 activities up to {long_date(today)}."
    )
    data, sent_from = download(page, "Download CSV", "csv")
    assert sent_from == ""
    assert learner.old_title in data.decode("utf-8-sig")
    page.get_by_role("checkbox", name=re.compile(r"^All time")).uncheck()
    expect(page.get_by_label("From")).to_have_value(f"{today.year}-01-01")
    expect(rows).to_have_count(1)

    # a To date before the From date: said next to the field, and no download
    page.get_by_label("To", exact=True).fill(f"{today.year - 1}-06-30")
    expect(page.get_by_text("The end of the range is before its start.").first).to_be_visible()
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Download PDF").click()
    expect(page.get_by_role("alert").filter(has_text="The end of the range")).to_be_visible()
    page.get_by_label("To", exact=True).fill(today.isoformat())
    expect(rows).to_have_count(1)
    expect(page.get_by_label("To", exact=True)).not_to_have_attribute("aria-invalid", "true")

    # Email me my transcript: Quarterly, saved on the profile
    schedule = page.locator("#schedule")
    select = schedule.get_by_label("Send my transcript")
    expect(select).to_have_value("never")
    expect(schedule).to_contain_text(learner.email)
    select.select_option(label="Quarterly")
    with page.expect_response(lambda answer: answer.url.endswith("/api/me") and answer.request.method == "PUT") as put:
        schedule.get_by_role("button", name="Save").click()
    assert put.value.status == 200 and put.value.json()["transcript_frequency"] == "quarterly", put.value.text()
    expect(schedule.get_by_role("status")).to_contain_text("Saved")
    expect(select).to_have_value("quarterly")
    schedule.screenshot(path=f"{SCREENSHOTS}/transcript-schedule-saved.png")
    status, me = learner.client.call("GET", "/api/me")
    assert status == 200 and me["transcript_frequency"] == "quarterly", me
    assert (me["first_name"], me["last_name"], me["degree"]) == (learner.first_name, learner.last_name, "MD")

    page.reload()
    expect(page.locator("#schedule").get_by_label("Send my transcript")).to_have_value("quarterly")
    page.wait_for_load_state("networkidle")
    problems.assert_none("downloading and saving the schedule")

    # the scheduled mailing, fired now (the learner is due on the first day of next quarter)
    status, body = StackClient(base_url).call("POST", "/_local/schedules/transcript-mailer/run")
    assert status == 200, body
    assert {"learners", "emails_sent"} <= set(body), body
    assert isinstance(body["learners"], int) and isinstance(body["emails_sent"], int), body


def test_transcript_schedule_link_and_phone(browser: Any, base_url: str, problems: Any, learner: Learner) -> None:
    """The scheduled email's link (/transcript.html#schedule) on a 375 px screen: no sideways scroll."""
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        assert learner.client.cookie
        context.add_cookies([{"name": "cme_session", "value": learner.client.cookie, "url": base_url}])
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.goto("/transcript.html#schedule")
        heading = page.get_by_role("heading", name="Email me my transcript")
        expect(heading).to_be_focused()
        expect(heading).to_be_in_viewport()
        expect(page.get_by_role("img", name=re.compile(r"^Bar chart"))).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        svg_width = page.evaluate("document.querySelector('#chart svg').getBoundingClientRect().right")
        assert svg_width <= 375, svg_width
        page.screenshot(path=f"{SCREENSHOTS}/transcript-phone.png", full_page=True)
        page.get_by_role("checkbox", name=re.compile(r"^All time")).check()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="My Transcript")).to_be_visible()
        problems.assert_none("on a phone")
    finally:
        context.close()


def test_transcript_api_answers(base_url: str, learner: Learner) -> None:
    """The contract the page relies on: errors for a bad range or format, and sign-in required."""
    today = office_today()
    status, body = learner.client.call(
        "GET", f"/api/me/transcript?format=csv&from={today.isoformat()}&to={today.year - 1}-01-01"
    )
    assert status == 422 and body["code"] == "DATES_INVALID", body
    status, body = learner.client.call("GET", "/api/me/transcript?format=xlsx")
    assert status == 422 and body["code"] == "VALIDATION_FAILED", body
    status, body = learner.client.call("GET", "/api/me/transcript?format=pdf&from=03/01/2026")
    assert status == 422 and body["code"] == "VALIDATION_FAILED", body
    # a well-formed day that does not exist: either code, always 422 naming the field
    status, body = learner.client.call("GET", "/api/me/transcript?format=pdf&from=2026-02-30")
    assert status == 422 and body["code"] in {"VALIDATION_FAILED", "DATES_INVALID"}, body
    status, body = StackClient(base_url).call("GET", "/api/me/transcript?format=pdf")
    assert status == 401 and body["code"] == "SIGN_IN_REQUIRED", body


def test_an_ama_and_moc_claim_is_two_rows_on_the_page(page: Any, base_url: str, problems: Any) -> None:
    """One claim of AMA credit and ABIM MOC points for one activity: two rows, one activity, two totals,
    exactly as the transcript JSON has them."""
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    today = office_today()
    title = f"Heart Failure Update {uuid.uuid4().hex[:6]}"
    both = [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}]
    activity_id = new_activity(admin, title, today, both, 30)
    email, client = new_md(base_url, "Ravi", "Menon")
    attend(admin, activity_id, email)
    status, body = client.call(
        "POST",
        "/api/me/claims",
        {
            "activity_id": activity_id,
            "lines": [{"credit_type": "AMA_PRA_1", "credits": 1.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}],
            "moc_consent": True,
            "board_ids": {"ABIM": "654321"},
            "birth_mmdd": "1231",
            "evaluation": {},
            "attestation": True,
        },
    )
    assert status == 201, body

    assert client.cookie
    page.context.add_cookies([{"name": "cme_session", "value": client.cookie, "url": base_url}])
    page.goto("/transcript.html")
    rows = page.get_by_role("table", name="Claimed credit").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("status").filter(has_text="1 activity from")).to_have_text(
        f"1 activity from {long_date(date(today.year, 1, 1))} to {long_date(today)}."
    )
    expect(rows.nth(0).locator("td")).to_have_text([long_date(today), title, AMA, "1.0"])
    expect(rows.nth(1).locator("td")).to_have_text([long_date(today), title, MOC, "1.0"])
    data = page_json(page, f"&from={today.year}-01-01&to={today.isoformat()}")
    assert [(r["credit_type"], r["credits"]) for r in data["rows"]] == [("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.0)], data
    assert_page_shows(page, data)
    expect(page.locator("#chart svg rect.chart__bar")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    problems.assert_none("an AMA + MOC claim on the transcript page")
