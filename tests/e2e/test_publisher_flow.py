"""The coordinators' side in a real browser: create an activity from the form, upload a roster
(with a rejected row), project the QR code; then a person signs in at the event on a phone with
the code, and the public catalogue lists the activity. Also: a learner on the admin pages, the
form's field errors, and a wrong attendance code."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.stack_clock import office_today as stack_today

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Demo-Password-2026"
COORDINATORS_ONLY = "This page is for the CME office's coordinators."
CODE_INVALID = "That attendance code is not right. Check it on the screen or ask the CME office."


def office_today() -> str:
    return stack_today().isoformat()


def textbox(page: Any, name: str) -> Any:
    return page.get_by_role("textbox", name=name, exact=True)


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    journeys.sign_in(page, email, password)


def no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


def test_publish_upload_project_and_sign_in_at_the_event(
    page: Any, browser: Any, base_url: str, problems: Any, tmp_path: Path
) -> None:
    title = f"Wound Care Update {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@example.org")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activities")

    # create the activity from the form: today, published, AMA 1.0, one required yes/no question
    page.get_by_role("link", name="New activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New activity")
    textbox(page, "Title").fill(title)
    page.get_by_label("Format").select_option(label="Live activity")
    page.get_by_label("Start date").fill(office_today())
    page.get_by_label("Start date").dispatch_event("change")
    expect(page.get_by_label("End date")).to_have_value(office_today())  # a one-day activity
    page.get_by_label("Location (optional)").fill("Auditorium <b>C</b>")
    credits = page.get_by_role("group", name="Credit designated")
    credits.get_by_label("Credit type", exact=True).select_option("AMA_PRA_1")
    credits.get_by_label("Maximum", exact=True).fill("1")
    page.get_by_role("button", name="Add question").click()
    evaluation = page.get_by_role("group", name="Evaluation")
    evaluation.get_by_label("Question", exact=True).fill("Was the content free of commercial bias?")
    evaluation.get_by_label("Answer", exact=True).select_option(label="Yes or no")
    expect(evaluation.get_by_label("Answer required")).to_be_checked()
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/admin\.html\?saved="))
    saved = page.get_by_role("status").filter(has_text=f"Saved “{title}”")
    expect(saved).to_contain_text(re.compile(r"Its attendance code is [A-Z0-9]{6}\."))
    code = re.search(r"code is ([A-Z0-9]{6})", saved.inner_text()).group(1)  # type: ignore[union-attr]
    row = page.get_by_role("row").filter(has_text=title)
    expect(row.get_by_text(code, exact=True)).to_be_visible()
    expect(row.get_by_text("Published", exact=True)).to_be_visible()

    # a roster: two people and one row that is not an email (row 3, the header being row 1)
    roster = tmp_path / "roster.csv"
    first, second = (f"e2e-roster-{n}-{uuid.uuid4().hex[:8]}@example.org" for n in (1, 2))
    roster.write_text(
        f"email,first_name,last_name\n{first},Ngozi,Adeyemi\nnot-an-email,Bad,Row\n{second},José,Núñez\n",
        encoding="utf-8",
    )
    row.get_by_role("link", name="Attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
    expect(page.get_by_text(title).first).to_be_visible()
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Upload").click()
    tally = page.locator(".tally")
    expect(tally.locator("div").filter(has_text="Added").locator("dd")).to_have_text("2")
    expect(tally.locator("div").filter(has_text="Already present").locator("dd")).to_have_text("0")
    expect(tally.locator("div").filter(has_text="Rejected").locator("dd")).to_have_text("1")
    rejected = page.get_by_role("table", name=re.compile("^Rejected rows"))
    expect(rejected.get_by_role("row").nth(1)).to_contain_text("3")
    expect(rejected.get_by_role("row").nth(1)).to_contain_text("not-an-email")
    attended = page.get_by_role("table", name="Attended (2)")
    expect(attended.get_by_role("row").filter(has_text=second)).to_contain_text("José Núñez")
    expect(attended.get_by_role("row").filter(has_text=first)).to_contain_text("Roster")

    # the page to project: the QR image loads, the code in large letters
    page.get_by_role("navigation", name="This activity").get_by_role("link", name="QR code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    image = page.get_by_role("img", name="QR code that opens the sign-in page of this activity")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.getElementById('qr-image'); return i.complete && i.naturalWidth > 0; }"
    )
    expect(page.locator(".projector__code")).to_have_text(code)
    expect(page.get_by_text(re.compile(r"127\.0\.0\.1:\d+/attend\.html$"))).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.assert_none("on the coordinators' pages")

    # at the event, on a phone: the QR code's link fills in the code
    phone = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        mobile.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        mobile.goto(f"/attend.html?code={code}")
        expect(mobile.get_by_role("heading", level=1)).to_have_text("Sign in to this activity")
        expect(textbox(mobile, "Attendance code")).to_have_value(code)
        walk_in = f"e2e-walk-in-{uuid.uuid4().hex[:8]}@example.org"
        textbox(mobile, "Email").fill(walk_in)
        textbox(mobile, "First name").fill("Aoife")
        textbox(mobile, "Last name").fill("Ní Bhriain")
        no_sideways_scroll(mobile)
        button = mobile.get_by_role("button", name="Sign In", exact=True)
        assert button.bounding_box()["height"] >= 48  # a big touch target
        button.click()
        expect(mobile.get_by_text(f"You're signed in to {title}.", exact=True)).to_be_visible()
        expect(mobile.get_by_text(walk_in, exact=True)).to_be_visible()
        expect(mobile.get_by_role("link", name="My Portal").last).to_be_visible()
        no_sideways_scroll(mobile)
        # the next person on the same phone
        mobile.get_by_role("button", name="Sign in another person").click()
        expect(textbox(mobile, "Attendance code")).to_have_value(code)
        expect(textbox(mobile, "Email")).to_have_value("")
        problems.assert_none("on the phone")
    finally:
        phone.close()

    # the coordinator sees the walk-in; the public catalogue lists the activity
    page.goto(f"/admin.html?q={title.replace(' ', '+')}")  # the lists page: search for it
    expect(page.get_by_role("row").filter(has_text=title).locator('td[data-label="Attendance"]')).to_have_text("3")
    page.goto(f"/index.html?q={title.replace(' ', '+')}")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))
    expect(card).to_contain_text("AMA PRA Category 1 Credit™: 1.0")
    expect(card).to_contain_text("Live activity")
    expect(card.get_by_text("Auditorium <b>C</b>", exact=True)).to_be_visible()  # text, never markup
    upcoming = page.get_by_role("region", name="Upcoming activities")
    expect(upcoming.get_by_role("heading", name=title, exact=True)).to_be_visible()
    page.goto("/index.html?q=Annual+Cardiology+Update")
    past = page.get_by_role("region", name="Past activities")
    expect(past.get_by_role("heading", name="Annual Cardiology Update")).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.assert_none("on the catalogue")


def test_activity_form_shows_errors_next_to_the_fields(page: Any, problems: Any) -> None:
    sign_in(page, "admin@example.org")
    page.goto("/admin-activity.html")
    textbox(page, "Title").fill(f"Errors {uuid.uuid4().hex[:6]}")
    today = stack_today()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("group", name="Credit designated").get_by_label("Maximum", exact=True).fill("0.3")
    textbox(page, "Attendance code (optional)").fill("AB")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_label("End date")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The end date is before the start date.", exact=True)).to_be_visible()
    maximum = page.get_by_role("group", name="Credit designated").get_by_label("Maximum", exact=True)
    expect(maximum).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Credit maximums are designated in steps of 0.25; 0.3 is not.", exact=True)).to_be_visible()
    expect(textbox(page, "Attendance code (optional)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("The end date is before the start date.")
    expect(page).to_have_url(re.compile(r"/admin-activity\.html$"))
    assert not problems.page_errors


def test_the_format_choices_are_the_apis(page: Any, problems: Any) -> None:
    """The activity form's Format list is GET /api/credit-types' formats, worded as served (marked
    here, so the page can only have them from there), and disabled until they come."""
    sign_in(page, "admin@example.org")
    page.wait_for_load_state("networkidle")  # the portal's own credit-types request is over: not held below
    served = page.request.get("/api/credit-types").json()["formats"]
    assert [item["format"] for item in served] == ["live", "enduring", "rss"]
    held: list[Any] = []
    page.route("**/api/credit-types", lambda route: held.append(route))  # noqa: PLW0108 (Playwright needs a function)
    page.goto("/admin-activity.html", wait_until="domcontentloaded")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(25)
    assert held, "the form asks for the formats"
    choices = page.get_by_label("Format", exact=True)
    expect(choices).to_be_disabled()  # while the formats load
    answer = held[-1].fetch()
    body = answer.json()
    for item in body["formats"]:
        item["label"] = f"{item['label']} (as served)"
    held[-1].fulfill(response=answer, json=body)  # the form's: the latest asked
    expect(choices).to_be_enabled()
    expect(choices.locator("option")).to_have_text([f"{item['label']} (as served)" for item in served])
    values = choices.locator("option").evaluate_all("options => options.map((o) => o.value)")
    assert values == [item["format"] for item in served]
    problems.assert_none("on the activity form")


def test_learner_on_the_admin_pages_is_told_they_are_for_coordinators(page: Any, problems: Any) -> None:
    sign_in(page, "learner@example.org")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_be_hidden()
    for path in ("/admin.html", "/admin-activity.html", "/admin-claims.html?id=x"):
        page.goto(path)
        alert = page.get_by_role("alert").filter(has_text=COORDINATORS_ONLY)
        expect(alert).to_be_visible()
        expect(alert.get_by_role("link", name="My Portal")).to_have_attribute("href", "/portal.html")
        expect(page.get_by_role("link", name="New activity")).to_be_hidden()
    assert not problems.page_errors
    # the browser reports each 403 answer in the console; nothing else
    assert all("status of 403" in text for text in problems.console_errors), problems.console_errors


def test_signed_out_admin_page_asks_to_sign_in(page: Any) -> None:
    page.goto("/admin-attendance.html?id=abc")
    expect(page).to_have_url(re.compile(r"/sign-in\.html\?next=%2Fadmin-attendance\.html%3Fid%3Dabc$"))


def test_wrong_attendance_code_is_explained(page: Any, problems: Any) -> None:
    page.goto("/attend.html")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Please fill in: Attendance code, Email, First name, Last name.")
    textbox(page, "Attendance code").fill("ZZZZ99")
    textbox(page, "Email").fill("someone@example.org")
    textbox(page, "First name").fill("Some")
    textbox(page, "Last name").fill("One")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(CODE_INVALID)
    expect(textbox(page, "Attendance code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Sign In", exact=True)).to_be_enabled()
    assert not problems.page_errors
    assert all("status of 404" in text for text in problems.console_errors), problems.console_errors


def test_the_form_says_what_closes_before_the_claim_window(page: Any, problems: Any) -> None:
    """ACPE designated: its 60 days beside the claim window; an enduring material: its end date;
    in the API's words (GET /api/credit-types window_note), hidden when none applies."""
    sign_in(page, "admin@example.org")
    page.goto("/admin-activity.html")
    served = page.request.get("/api/credit-types").json()
    acpe = next(kind["window_note"] for kind in served["credit_types"] if kind["type"] == "ACPE")
    enduring = next(item["window_note"] for item in served["formats"] if item["format"] == "enduring")
    assert "60 days after the date of participation" in acpe and "end date" in enduring
    note = page.locator("#a-window-note")
    expect(note).to_be_hidden()
    credit_type = page.get_by_role("group", name="Credit designated").get_by_label("Credit type", exact=True)
    credit_type.select_option("ACPE")
    expect(note).to_have_text(acpe)
    expect(page.get_by_label("Claim window (days)")).to_have_accessible_description(re.compile(re.escape(acpe)))
    page.get_by_label("Format", exact=True).select_option("enduring")
    expect(note).to_have_text(f"{enduring} {acpe}")
    credit_type.select_option("AMA_PRA_1")
    page.get_by_label("Format", exact=True).select_option("live")
    expect(note).to_be_hidden()
    problems.assert_none("on the activity form")


def test_the_aapa_approval_date_is_asked_while_aapa_is_designated(page: Any, problems: Any) -> None:
    """The AAPA statement states the approval's last day (aapa_valid_until): asked, and required,
    only while AAPA Category 1 CME credit is designated."""
    sign_in(page, "admin@example.org")
    page.goto("/admin-activity.html")
    credits = page.get_by_role("group", name="Credit designated")
    valid_until = page.get_by_label("AAPA approval valid until")
    expect(valid_until).to_be_hidden()
    credits.get_by_label("Credit type", exact=True).select_option("AAPA_1")
    expect(valid_until).to_be_visible()
    textbox(page, "Title").fill(f"PA Update {uuid.uuid4().hex[:6]}")
    page.get_by_label("Start date").fill(office_today())
    page.get_by_label("End date").fill(office_today())
    page.get_by_role("button", name="Save").click()
    expect(valid_until).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Enter the date AAPA's approval is valid until.", exact=True)).to_be_visible()
    credits.get_by_label("Credit type", exact=True).select_option("AMA_PRA_1")
    expect(valid_until).to_be_hidden()
    assert not problems.page_errors


def test_the_acpe_uans_are_asked_for_when_acpe_is_designated(page: Any, problems: Any) -> None:
    """ACPE designated: a UAN per audience (-P pharmacists, -T technicians), checked by the API; IPCE
    is not offered by an office that is not jointly accredited (the local stack's)."""
    sign_in(page, "admin@example.org")
    page.goto("/admin-activity.html")
    textbox(page, "Title").fill(f"Pharmacy {uuid.uuid4().hex[:6]}")
    page.get_by_label("Format").select_option(label="Live activity")
    page.get_by_label("Start date").fill(office_today())
    page.get_by_label("End date").fill(office_today())
    pharmacists = textbox(page, "ACPE UAN for pharmacists (ends -P)")
    expect(pharmacists).to_be_hidden()
    credit_type = page.get_by_role("group", name="Credit designated").get_by_label("Credit type", exact=True)
    served = [kind["type"] for kind in page.request.get("/api/credit-types").json()["credit_types"]]
    offered = credit_type.locator("option").evaluate_all("options => options.map((o) => o.value)")
    assert "IPCE" in served and offered == [t for t in served if t != "IPCE"]
    credit_type.select_option("ACPE")
    expect(pharmacists).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(pharmacists).to_have_attribute("aria-invalid", "true")
    expect(textbox(page, "ACPE UAN for pharmacy technicians (ends -T)")).to_have_attribute("aria-invalid", "true")
    pharmacists.fill("0000-0000-26-001-L01-T")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The UAN for pharmacists ends with -P.", exact=True)).to_be_visible()
    pharmacists.fill("0000-0000-26-001-l01-p")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/admin\.html\?saved="))
    saved = page.url.split("saved=")[1]
    activity = page.request.get(f"/api/admin/activities/{saved}").json()["activity"]
    assert (activity["uan_pharmacist"], activity["uan_technician"]) == ("0000-0000-26-001-L01-P", None)
    assert not problems.page_errors  # (the two 422 answers are console errors, as for any refused save)
