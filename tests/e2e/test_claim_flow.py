"""Claiming credit in a real browser, on My Portal: the activities attended with their status
(Claimable with its deadline, Closed with its reason, Claimed), the claim form (evaluation,
credit type, amount, attestation), the row showing the claim at once, and a claim made
meanwhile elsewhere. The claim tests make their own learner and activities through the API: a
learner claims an activity once, and the local stack lives for the whole test session. (One
learner for the module: account creation is throttled per client, and every test is one client.)"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.http import StackClient
from tests.support.journeys import attend, sign_in, sign_up, unique_email
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Demo-Password-2026"
ATTESTATION = (
    "I attest that I participated in this activity. Physicians should claim only the credit "
    "commensurate with the extent of their participation in the activity."
)
ATTESTATION_REQUIRED = "Please confirm the attestation to claim credit."
EVALUATION_INCOMPLETE = "Please answer every required question of the evaluation."
ALREADY_CLAIMED = "You have already claimed credit for this activity."
BIAS = "Was the content free of commercial bias?"
QUALITY = "How would you rate the quality of this session?"
CHANGE = "What will you change in your practice?"


def today() -> Any:
    return office_today()


@pytest.fixture(scope="module")
def learner(base_url: str) -> tuple[str, str]:
    return new_learner(base_url, "Priya", "Raghunathan")


def new_learner(base_url: str, first_name: str, last_name: str) -> tuple[str, str]:
    """An MD with a confirmed email (the link read from the local outbox); returns email, password."""
    email, password = unique_email("claim"), "steady lighthouse claims credit"
    sign_up(base_url, email, password, first_name=first_name, last_name=last_name)
    return email, password


def new_activity(admin: StackClient, title: str, **fields: Any) -> str:
    body = {
        "title": title,
        "format": "rss",
        "start_date": today().isoformat(),
        "end_date": today().isoformat(),
        "location": "Auditorium B",
        "credits": [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ANCC", "max": 1.0}],
        "claim_window_days": 30,
        "evaluation": [
            {"question_id": "bias", "text": BIAS, "kind": "yes_no", "required": True},
            {"question_id": "quality", "text": QUALITY, "kind": "rating", "required": True},
            {"question_id": "change", "text": CHANGE, "kind": "text", "required": False},
        ],
        "published": True,
        **fields,
    }
    status, created = admin.call("POST", "/api/admin/activities", body)
    assert status == 201, created
    return created["activity"]["activity_id"]


def coordinator(base_url: str) -> StackClient:
    return journeys.coordinator(base_url, DEMO_PASSWORD)


def activity_row(page: Any, title: str) -> Any:
    """An activity in My activities, in whichever group it is (To claim, Claimed, Closed): the
    collapsed groups are opened once the portal has loaded."""
    expect(page.locator("#portal")).to_be_visible()
    page.evaluate("document.querySelectorAll('details.activity-group').forEach((d) => { d.open = true; })")
    activities = page.get_by_role("list", name="My activities")
    return activities.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_demo_learner_sees_every_activity_with_its_status(page: Any, problems: Any) -> None:
    sign_in(page, "learner@example.org", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="My activities")).to_be_visible()
    closed = activity_row(page, "Annual Cardiology Update")
    expect(closed.locator(".status")).to_have_text("Status: Closed")
    expect(closed).to_contain_text(re.compile(r"The claim window closed on [A-Z][a-z]+ \d{1,2}, \d{4}\."))
    expect(closed).to_contain_text("Attended as learner@example.org")
    expect(closed.get_by_role("button", name="Claim credit")).to_be_hidden()
    # another test may have claimed these demo activities: either way the row says so
    for title in ("Medicine Grand Rounds: Sepsis — Early Recognition", "Opioid Prescribing: Safe Practice (online)"):
        row = activity_row(page, title)
        expect(row.locator(".status")).to_have_text(re.compile(r"^Status: (Claimable|Claimed)$"))
        if row.locator(".status").inner_text().endswith("Claimable"):
            expect(row).to_contain_text(re.compile(r"Claim by [A-Z][a-z]+ \d{1,2}, \d{4}"))
            expect(row.get_by_role("button", name="Claim credit")).to_be_visible()
    expect(activity_row(page, "Pediatric Emergencies Workshop")).to_have_count(0)  # not attended
    page.wait_for_load_state("networkidle")
    problems.assert_none("on My Portal")


def test_claim_credit_through_the_form(
    page: Any, browser: Any, base_url: str, problems: Any, learner: tuple[str, str]
) -> None:
    admin = coordinator(base_url)
    email, password = learner
    title = f"Medicine Grand Rounds: Delirium {uuid.uuid4().hex[:6]}"
    rounds = new_activity(admin, title)
    old_title = f"Annual Stroke Update {uuid.uuid4().hex[:6]}"
    long_ago = today() - timedelta(days=60)
    old = new_activity(admin, old_title, format="live", start_date=long_ago.isoformat(), end_date=long_ago.isoformat())
    attend(admin, rounds, email)
    attend(admin, old, email)

    sign_in(page, email, password)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    row = activity_row(page, title)
    expect(row.locator(".status")).to_have_text("Status: Claimable")
    deadline = today() + timedelta(days=30)
    expect(row).to_contain_text(f"Claim by {deadline:%B} {deadline.day}, {deadline.year}")
    expect(row).to_contain_text(f"Attended as {email}")
    expect(row).to_contain_text("Regularly scheduled series session · Auditorium B")
    closed = activity_row(page, old_title)
    expect(closed.locator(".status")).to_have_text("Status: Closed")
    expect(closed).to_contain_text("The claim window closed on")
    expect(row.locator(".my-activity__claim")).to_be_hidden()
    expect(page.get_by_role("table", name="My claims")).to_have_count(0)  # claims are listed once, in the groups

    claim = row.get_by_role("button", name="Claim credit")
    expect(claim).to_have_attribute("aria-expanded", "false")
    claim.click()
    form = row.get_by_role("form", name="Claim credit")
    expect(form).to_be_visible()
    bias = form.get_by_role("group", name=f"{BIAS} (required)")
    quality = form.get_by_role("group", name=f"{QUALITY} (required)")
    expect(form.get_by_label(f"{CHANGE} (optional)")).to_be_visible()
    # an MD may claim AMA PRA Category 1 Credit™ (not ANCC): one choice, chosen
    credit_type = form.get_by_role("radio", name="AMA PRA Category 1 Credit™ (up to 1.0)")
    expect(credit_type).to_be_checked()
    expect(form.get_by_role("radio")).to_have_count(2 + 5 + 1)
    amount = form.get_by_label("Credits to claim")
    expect(amount).to_have_value("1")
    expect(amount.locator("option")).to_have_text(["0.25", "0.5", "0.75", "1.0"])

    # nothing answered, nothing attested: every problem at once, next to its field
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(form.get_by_role("alert")).to_have_text(f"{EVALUATION_INCOMPLETE} {ATTESTATION_REQUIRED}")
    expect(bias.get_by_text("Please answer this question.")).to_be_visible()
    expect(bias.get_by_role("radio", name="Yes")).to_have_attribute("aria-invalid", "true")
    expect(quality.get_by_text("Please answer this question.")).to_be_visible()

    bias.get_by_role("radio", name="Yes").check()
    quality.get_by_role("radio", name="4").check()
    form.get_by_label(f"{CHANGE} (optional)").fill("Screen with the 4AT on admission <script>")
    amount.select_option("0.75")
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(form.get_by_role("alert")).to_have_text(ATTESTATION_REQUIRED)
    attestation = form.get_by_role("checkbox", name=ATTESTATION)
    expect(attestation).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error").filter(has_text=ATTESTATION_REQUIRED)).to_be_visible()
    expect(bias.get_by_role("radio", name="Yes")).not_to_have_attribute("aria-invalid", "true")

    attestation.check()
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(row.locator(".status")).to_have_text("Status: Claimed")
    expect(row).to_contain_text("Claimed 0.75 AMA PRA Category 1 Credits™ on")  # "Credit™" before label_other
    code = row.locator(".my-activity__claim .code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{12}$"))
    expect(row.get_by_role("button", name="Claim credit")).to_be_hidden()
    expect(row.get_by_role("form")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Your claim is recorded")).to_contain_text(code.inner_text())
    expect(row.get_by_role("button", name="Download certificate")).to_be_visible()  # the certificate, right there
    assert page.evaluate("window.__sameDocument === true"), "the claim showed without a reload"

    # what was stored: the answers as the API wants them
    client = StackClient(base_url)
    client.sign_in(email, password)
    _, mine = client.call("GET", "/api/me/claims")
    stored = next(c for c in mine["claims"] if c["activity_id"] == rounds)
    assert (stored["credit_type"], stored["credits"], stored["certificate_code"]) == (
        "AMA_PRA_1",
        0.75,
        code.inner_text(),
    )
    _, report = admin.call("GET", f"/api/admin/activities/{rounds}/claims")
    assert [c["email"] for c in report["claims"]] == [email]

    page.reload()
    expect(activity_row(page, title).locator(".status")).to_have_text("Status: Claimed")
    page.wait_for_load_state("networkidle")
    problems.assert_none("while claiming")

    # the coordinator's claims page lists the claim, and gives it as a CSV file
    office = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    try:
        desk = office.new_page()
        desk.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        desk.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(desk, "admin@example.org", DEMO_PASSWORD)
        desk.goto(f"/admin-claims.html?id={rounds}")
        claimed = desk.get_by_role("table", name="Credit claimed").get_by_role("row").filter(has_text=email)
        expect(claimed).to_contain_text("Priya Raghunathan")
        expect(claimed).to_contain_text("0.75 AMA PRA Category 1 Credits™")
        expect(claimed).to_contain_text(code.inner_text())
        with desk.expect_download() as download:
            desk.get_by_role("link", name="Download CSV").click()
        assert download.value.suggested_filename.endswith(".csv")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert text.startswith(
            "Activity,Activity date,First name,Last name,Degree,Email,NPI,"
        )  # cme.credit.claims_report
        assert email in text
        problems.assert_none("on the claims page")
    finally:
        office.close()


def test_claim_made_meanwhile_elsewhere_on_a_phone(
    browser: Any, base_url: str, problems: Any, learner: tuple[str, str]
) -> None:
    admin = coordinator(base_url)
    email, password = learner
    title = f"Enduring: Anticoagulation {uuid.uuid4().hex[:6]}"
    activity_id = new_activity(
        admin,
        title,
        format="enduring",
        end_date=(today() + timedelta(days=90)).isoformat(),
        location="Online",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}],
        evaluation=[{"question_id": "bias", "text": BIAS, "kind": "yes_no", "required": True}],
    )
    attend(admin, activity_id, email)

    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        sign_in(page, email, password)
        row = activity_row(page, title)
        row.get_by_role("button", name="Claim credit").click()
        form = row.get_by_role("form", name="Claim credit")
        expect(form.get_by_label("Credits to claim")).to_have_value("2")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

        # the same learner claims 1.0 in another tab meanwhile
        answer = page.request.post(
            "/api/me/claims",
            data={
                "activity_id": activity_id,
                "credit_type": "AMA_PRA_1",
                "credits": 1.0,
                "evaluation": {"bias": "no"},
                "attestation": True,
            },
        )
        assert answer.status == 201, answer.text()

        form.get_by_role("group", name=f"{BIAS} (required)").get_by_role("radio", name="Yes").check()
        form.get_by_role("checkbox", name=ATTESTATION).check()
        form.get_by_role("button", name="Claim", exact=True).click()
        expect(page.get_by_role("alert").filter(has_text=ALREADY_CLAIMED)).to_be_visible()
        expect(row.locator(".status")).to_have_text("Status: Claimed")
        expect(row).to_contain_text("Claimed 1.0 AMA PRA Category 1 Credit™ on")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        assert not problems.page_errors
    finally:
        context.close()


def test_credit_words_come_from_the_api(page: Any, base_url: str, problems: Any, learner: tuple[str, str]) -> None:
    """The claim form and My claims word credit as GET /api/credit-types does (the web spells none)."""
    status, served = StackClient(base_url).call("GET", "/api/credit-types")
    assert status == 200
    labels = {kind["type"]: kind["label"] for kind in served["credit_types"]}
    assert labels["AMA_PRA_1"] == "AMA PRA Category 1 Credit™" and labels["ACPE"] == "ACPE contact hours"
    admin = coordinator(base_url)
    email, password = learner
    title = f"Ethics Grand Rounds {uuid.uuid4().hex[:6]}"
    attend(admin, new_activity(admin, title), email)

    def reworded(route: Any) -> None:  # the API's words, marked, so the page can only have them from there
        answer = route.fetch()
        body = answer.json()
        for kind in body["credit_types"]:
            for words in ("label", "label_one", "label_other"):
                kind[words] = f"{kind[words]} (as served)"
        route.fulfill(response=answer, json=body)

    page.route("**/api/credit-types", reworded)
    sign_in(page, email, password)
    row = activity_row(page, title)
    row.get_by_role("button", name="Claim credit").click()
    form = row.get_by_role("form", name="Claim credit")
    expect(form.get_by_role("radio", name="AMA PRA Category 1 Credit™ (as served) (up to 1.0)")).to_be_checked()
    form.get_by_role("group", name=f"{BIAS} (required)").get_by_role("radio", name="Yes").check()
    form.get_by_role("group", name=f"{QUALITY} (required)").get_by_role("radio", name="5").check()
    form.get_by_role("checkbox", name=ATTESTATION).check()
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(row).to_contain_text("Claimed 1.0 AMA PRA Category 1 Credit™ (as served) on")
    expect(row.locator(".my-activity__claim")).to_contain_text("AMA PRA Category 1 Credit™ (as served)")
    problems.assert_none("on My Portal with the API's credit words")


def test_a_physician_claims_ama_and_moc_in_one_claim(
    page: Any, base_url: str, problems: Any, learner: tuple[str, str]
) -> None:
    """AMA credit and ABIM MOC points in one claim; the form asks for what MOC reporting needs
    (consent, the ABIM id, birth month and day) and keeps it in the profile."""
    admin = coordinator(base_url)
    email, password = learner
    title = f"Internal Medicine Update {uuid.uuid4().hex[:6]}"
    activity_id = new_activity(
        admin,
        title,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        evaluation=[{"question_id": "bias", "text": BIAS, "kind": "yes_no", "required": True}],
    )
    attend(admin, activity_id, email)

    sign_in(page, email, password)
    row = activity_row(page, title)
    row.get_by_role("button", name="Claim credit").click()
    form = row.get_by_role("form", name="Claim credit")
    expect(form.get_by_role("radio", name="AMA PRA Category 1 Credit™ (up to 1.0)")).to_be_checked()
    reporting = form.get_by_role("group", name="Reporting your credit")
    expect(reporting).to_be_hidden()
    form.get_by_role("checkbox", name="Also claim ABIM MOC points (up to 1.0)").check()
    expect(form.get_by_label("ABIM MOC points to claim")).to_have_value("1")
    expect(reporting).to_be_visible()
    form.get_by_label("Credits to claim").select_option("0.75")
    expect(form.get_by_label("ABIM MOC points to claim")).to_have_value("0.75")  # never more than the AMA credit
    form.get_by_label("Credits to claim").select_option("1")
    form.get_by_label("ABIM MOC points to claim").select_option("1")

    form.get_by_role("group", name=f"{BIAS} (required)").get_by_role("radio", name="Yes").check()
    form.get_by_role("checkbox", name=ATTESTATION).check()
    form.get_by_role("button", name="Claim", exact=True).click()
    # nothing of what MOC reporting needs: each missing piece is asked for next to its field
    expect(form.get_by_role("alert")).to_contain_text("MOC points are reported to your board")
    consent = form.locator('input[name="moc_consent"]')
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(reporting.get_by_label("Your ABIM id")).to_have_attribute("aria-invalid", "true")
    expect(reporting.get_by_label("Birth month and day")).to_have_attribute("aria-invalid", "true")

    # the browser logs the API's 422 answer (the one expected here); nothing else may be logged
    expected = [e for e in problems.console_errors if "status of 422" in e]
    assert len(expected) == 1, problems.console_errors
    problems.console_errors.remove(expected[0])
    problems.assert_none("asking for the MOC details")
    consent.check()
    reporting.get_by_label("Your ABIM id").fill("123456")
    reporting.get_by_label("Birth month and day").fill("0704")
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(row.locator(".status")).to_have_text("Status: Claimed")
    # an amount with its label as the certificate writes it: "1.0 ... point" (label_one of the API)
    expect(row).to_contain_text("Claimed 1.0 AMA PRA Category 1 Credit™ and 1.0 ABIM MOC point on")
    expect(row.locator(".my-activity__claim")).to_contain_text("1.0 ABIM MOC point")

    client = StackClient(base_url)
    client.sign_in(email, password)
    _, mine = client.call("GET", "/api/me/claims")
    stored = next(c for c in mine["claims"] if c["activity_id"] == activity_id)
    assert [(x["credit_type"], x["credits"]) for x in stored["lines"]] == [("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.0)]
    _, me = client.call("GET", "/api/me")
    assert me["board_ids"] == {"ABIM": "123456"} and me["birth_mmdd"] == "0704"
    expect(page.locator('[data-field="board_ids"]')).to_have_text("ABIM 123456")  # the profile, refreshed
    page.wait_for_load_state("networkidle")
    problems.assert_none("claiming AMA and MOC")


def test_abp_points_are_offered_whole(page: Any, base_url: str, problems: Any, learner: tuple[str, str]) -> None:
    """ABP MOC points are awarded whole (GET /api/credit-types `whole`): the form offers the
    activity's amount alone, and with less AMA credit the API's answer is shown next to them."""
    admin = coordinator(base_url)
    email, password = learner
    title = f"Pediatrics Update {uuid.uuid4().hex[:6]}"
    activity_id = new_activity(
        admin,
        title,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ABP_MOC", "max": 2.0}],
        evaluation=[{"question_id": "bias", "text": BIAS, "kind": "yes_no", "required": True}],
    )
    attend(admin, activity_id, email)

    sign_in(page, email, password)
    row = activity_row(page, title)
    row.get_by_role("button", name="Claim credit").click()
    form = row.get_by_role("form", name="Claim credit")
    form.get_by_role("checkbox", name="Also claim ABP MOC points (up to 2.0)").check()
    points = form.get_by_label("ABP MOC points to claim")
    expect(points.locator("option")).to_have_text(["2.0"])
    form.get_by_label("Credits to claim").select_option("1.5")
    expect(points).to_have_value("2")  # whole: it does not follow the AMA credit down
    reporting = form.get_by_role("group", name="Reporting your credit")
    form.locator('input[name="moc_consent"]').check()
    reporting.get_by_label("Your ABP id").fill("123456")
    birth = reporting.get_by_label("Birth month and day")
    if birth.is_visible():  # asked only when the profile holds none (an earlier test may have saved it)
        birth.fill("0704")
    form.get_by_role("group", name=f"{BIAS} (required)").get_by_role("radio", name="Yes").check()
    form.get_by_role("checkbox", name=ATTESTATION).check()
    form.get_by_role("button", name="Claim", exact=True).click()
    whole = (
        "ABP MOC points are awarded whole: claim 2.0, with at least 2.0 AMA PRA Category 1 Credits™, or leave them out."
    )
    expect(form.get_by_role("alert")).to_contain_text(whole)
    expect(points).to_have_attribute("aria-invalid", "true")
    expected = [e for e in problems.console_errors if "status of 422" in e]
    assert len(expected) == 1, problems.console_errors
    problems.console_errors.remove(expected[0])
    form.get_by_label("Credits to claim").select_option("2")
    form.get_by_role("button", name="Claim", exact=True).click()
    expect(row.locator(".status")).to_have_text("Status: Claimed")
    expect(row).to_contain_text("2.0 ABP MOC points")
    page.wait_for_load_state("networkidle")
    problems.assert_none("claiming whole ABP points")


def test_a_nurse_sees_no_physician_board_and_attests_as_a_nurse(page: Any, base_url: str, problems: Any) -> None:
    """A nurse's profile listed seven physician board-id fields, and the claim form had her attest
    "Physicians should claim only the credit commensurate..."."""
    admin = coordinator(base_url)
    email, password = unique_email("nurse"), "steady lighthouse nurses credit"
    sign_up(base_url, email, password, first_name="Grace", last_name="Mensah", degree="RN")
    title = f"Sepsis Bundle Update {uuid.uuid4().hex[:6]}"
    attend(admin, new_activity(admin, title), email)

    sign_in(page, email, password)
    expect(page.locator("#portal")).to_be_visible()
    expect(page.locator('[data-shown-for="board_ids"]')).to_be_hidden()
    page.get_by_role("button", name="Edit profile").click()
    profile = page.locator("#profile-form")
    expect(profile.locator('input[name^="board_ids."]')).to_have_count(7)  # made for every board, shown per degree
    for board in ("ABIM", "ABA", "ABP"):
        expect(profile.get_by_label(f"{board} id")).to_be_hidden()
    profile.get_by_label("Degree").select_option("MD")  # a physician's boards appear with the degree
    expect(profile.get_by_label("ABIM id")).to_be_visible()
    profile.get_by_label("Degree").select_option("RN")
    expect(profile.get_by_label("ABIM id")).to_be_hidden()
    profile.get_by_role("button", name="Cancel").click()

    row = activity_row(page, title)
    row.get_by_role("button", name="Claim credit").click()
    form = row.get_by_role("form", name="Claim credit")
    expect(form.locator('input[name^="board_ids."]')).to_have_count(0)
    attest = form.locator(".checkbox--attest").filter(has=page.locator('input[name="attestation"]'))
    expect(attest).to_contain_text("I attest that I participated in this activity.")
    expect(attest).to_contain_text("Nurses should claim only the contact hours")
    expect(attest).not_to_contain_text("Physicians")
    problems.assert_none("a nurse on My Portal")
