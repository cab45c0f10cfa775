"""The learner's first steps in a real browser: create an account, sign out and in, the seed's
sign-in messages, the last-name + phone lookup, the demo accounts, a phone-sized screen, and
pages that load with no console error and no CSP violation."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.clock import window_edge
from tests.support.stack_clock import StackClock

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Demo-Password-2026"
PASSWORD_MISMATCH = "Email or Password do not match. Please try again."
TOO_MANY_ATTEMPTS = "Too many attempts. Please wait a few minutes and try again."
UNRECOGNIZED_EMAIL = "Sorry, unrecognized email or password. Please click Create Account below to proceed."


def unique_email(tag: str) -> str:
    return f"e2e-{tag}-{uuid.uuid4().hex[:12]}@example.org"


def textbox(page: Any, name: str) -> Any:
    return page.get_by_role("textbox", name=name, exact=True)


def sign_in(page: Any, email: str, password: str) -> None:
    journeys.sign_in(page, email, password, lands=False)  # the tests read where it lands


def expect_portal(page: Any, welcome: str) -> None:
    expect(page).to_have_url(re.compile(r"/portal\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My Portal")
    expect(page.get_by_text(welcome, exact=True)).to_be_visible()


def test_create_account_then_sign_out_and_sign_in(page: Any) -> None:
    email = unique_email("create")
    password = "quiet harbour lantern morning"
    # a phone no seeded account uses, so the lookup finds nothing
    phone = f"(480) 555-{uuid.uuid4().int % 9000 + 1000}"

    page.goto("/create-account.html")
    expect(page.get_by_text("Please enter your last name and phone number")).to_be_visible()
    textbox(page, "Last name").fill("Ó Briain")
    textbox(page, "Phone").fill(phone)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(page.get_by_text("At least 8 characters; a passphrase of several words is best")).to_be_visible()
    expect(textbox(page, "Last name")).to_have_value("Ó Briain")
    expect(textbox(page, "Phone")).to_have_value(phone)
    textbox(page, "Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    textbox(page, "First name").fill("Seán")
    page.get_by_label("Degree").select_option("MD")
    textbox(page, "Specialty (optional)").fill("Cardiología")
    page.get_by_role("button", name="Save Profile").click()

    expect_portal(page, "Welcome, Seán Ó Briain, MD")
    expect(page.get_by_role("region", name="Your profile").get_by_text(email, exact=True)).to_be_visible()
    expect(page.get_by_text("Cardiología", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))
    expect(page.get_by_role("navigation").get_by_role("link", name="Sign In")).to_be_visible()
    page.goto("/portal.html")  # signed out: My Portal sends the learner to Sign In
    expect(page).to_have_url(re.compile(r"/sign-in\.html\?next=/portal\.html$"))

    textbox(page, "Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect_portal(page, "Welcome, Seán Ó Briain, MD")


def test_edit_profile_is_saved(page: Any) -> None:
    email = unique_email("edit")
    page.goto("/create-account.html")
    textbox(page, "Last name").fill("Nguyễn")
    textbox(page, "Phone").fill(f"(602) 555-{uuid.uuid4().int % 9000 + 1000}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Continue", exact=True).click()
    textbox(page, "Email").fill(email)
    page.get_by_label("Password", exact=True).fill("lemon tram violin seventy")
    textbox(page, "First name").fill("Thảo")
    page.get_by_label("Degree").select_option("RN")
    page.get_by_role("button", name="Save Profile").click()
    expect_portal(page, "Welcome, Thảo Nguyễn, RN")

    page.get_by_role("button", name="Edit profile").click()
    textbox(page, "Specialty (optional)").fill("Oncology <b>nursing</b>")
    page.get_by_label("Degree").select_option("NP")
    page.get_by_role("button", name="Save Profile").click()
    expect(page.get_by_role("status").filter(has_text="Your profile has been saved.")).to_be_visible()
    expect(page.get_by_text("Welcome, Thảo Nguyễn, NP", exact=True)).to_be_visible()
    # user data is text, never markup
    expect(page.get_by_text("Oncology <b>nursing</b>", exact=True)).to_be_visible()

    page.reload()
    expect(page.get_by_text("Welcome, Thảo Nguyễn, NP", exact=True)).to_be_visible()


def test_the_degree_lists_are_the_apis(page: Any) -> None:
    """Both degree lists (Create Account, Edit profile) are GET /api/credit-types' degrees, worded as served."""
    served = page.request.get("/api/credit-types").json()["degrees"]
    expected = ["Choose your degree", *(d["label"] for d in served)]
    assert "CPhT (pharmacy technician)" in expected and "RPh (pharmacist)" in expected
    email = unique_email("tech")
    page.goto("/create-account.html")
    expect(page.locator("#new-degree option")).to_have_text(expected)
    textbox(page, "Last name").fill("Okafor")
    textbox(page, "Phone").fill(f"(602) 555-{uuid.uuid4().int % 9000 + 1000}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Continue", exact=True).click()
    textbox(page, "Email").fill(email)
    page.get_by_label("Password", exact=True).fill("lemon tram violin seventy")
    textbox(page, "First name").fill("Ada")
    page.get_by_label("Degree").select_option(label="CPhT (pharmacy technician)")
    page.get_by_role("button", name="Save Profile").click()
    expect_portal(page, "Welcome, Ada Okafor, CPhT")
    page.get_by_role("button", name="Edit profile").click()
    expect(page.locator("#edit-degree option")).to_have_text(expected)
    expect(page.get_by_label("Degree")).to_have_value("CPhT")


def test_profile_errors_are_shown_next_to_the_field(page: Any) -> None:
    page.goto("/create-account.html")
    textbox(page, "Last name").fill("Okafor")
    textbox(page, "Phone").fill(f"(520) 555-{uuid.uuid4().int % 9000 + 1000}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Continue", exact=True).click()
    textbox(page, "Email").fill(unique_email("npi"))
    page.get_by_label("Password", exact=True).fill("copper meadow seventy kites")
    textbox(page, "First name").fill("Chidi")
    page.get_by_label("Degree").select_option("DO")
    textbox(page, "NPI (optional)").fill("1234567890")
    page.get_by_role("button", name="Save Profile").click()

    npi = textbox(page, "NPI (optional)")
    expect(npi).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("NPI")
    expect(page).to_have_url(re.compile(r"/create-account\.html$"))

    # the email of an existing account: its message, with a way to Sign In
    textbox(page, "Email").fill("learner@example.org")
    npi.fill("")
    page.get_by_role("button", name="Save Profile").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("An account already uses this email")
    expect(alert.get_by_role("link", name="Sign In")).to_have_attribute("href", "/sign-in.html")


def test_seed_sign_in_messages(page: Any) -> None:
    sign_in(page, "learner@example.org", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text(PASSWORD_MISMATCH)
    forgot = page.get_by_role("link", name="Forgot Password")
    expect(forgot).to_have_attribute("href", "/forgot-password.html")

    sign_in(page, unique_email("nobody"), "whatever-it-is")
    expect(page.get_by_role("alert")).to_have_text(UNRECOGNIZED_EMAIL)
    expect(page.get_by_role("main").get_by_role("link", name="Create Account")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sign-in\.html$"))


def test_too_many_attempts_shows_the_message(page: Any, clock: StackClock) -> None:
    email = unique_email("throttled")
    # the stack's clock stopped a minute into a 15-minute throttle window (cme.platform.throttle: windows
    # start on multiples of 15 minutes), so all eleven attempts fall in that one window
    clock.freeze(window_edge(900, clock.now()) - timedelta(minutes=14))
    for _ in range(10):  # the email's allowance from this address in the window, spent through the API
        answer = page.request.post("/api/auth/sign-in", data={"email": email, "password": "wrong-password"})
        assert answer.status == 401
    sign_in(page, email, "wrong-password")
    expect(page.get_by_role("alert")).to_have_text(TOO_MANY_ATTEMPTS)
    expect(page.get_by_role("button", name="Sign In", exact=True)).to_be_enabled()


def test_lookup_finds_the_demo_learner(page: Any) -> None:
    page.goto("/create-account.html")
    textbox(page, "Last name").fill("lukasiewicz-muller")
    textbox(page, "Phone").fill("+1 480 555 0100")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_text("We found an account that may be yours:")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="l***@example.org")).to_have_text("l***@example.org")
    result = page.locator("#lookup-result")
    expect(result.get_by_role("link", name="Sign In")).to_have_attribute("href", "/sign-in.html")
    expect(result.get_by_role("link", name="Forgot Password")).to_be_visible()

    page.get_by_role("button", name="This is not mine, continue").click()  # one match: singular
    expect(page.get_by_role("button", name="Save Profile")).to_be_visible()
    expect(textbox(page, "Last name")).to_have_value("lukasiewicz-muller")


@pytest.mark.parametrize(
    ("email", "welcome"),
    [
        ("learner@example.org", "Welcome, Zoë Łukasiewicz-Müller, MD"),
        ("admin@example.org", None),
    ],
    ids=["learner", "admin"],
)
def test_demo_accounts_sign_in(page: Any, email: str, welcome: str | None) -> None:
    sign_in(page, email, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal\.html$"))
    expect(page.get_by_text(re.compile(r"^Welcome, "))).to_be_visible()
    if welcome:
        expect(page.get_by_text(welcome, exact=True)).to_be_visible()
        expect(page.get_by_text("(480) 555-0100", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Your profile").get_by_text(email, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign Out")).to_be_visible()


def test_sign_in_returns_to_next(page: Any) -> None:
    page.goto("/sign-in.html?next=//evil.example/portal.html")
    textbox(page, "Email").fill("learner@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    # an off-site next is ignored: My Portal
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/portal\.html$"))


def test_phone_sized_screen(browser: Any, base_url: str, problems: Any) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.goto("/sign-in.html")
        expect(page.get_by_role("button", name="Sign In", exact=True)).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

        nav = page.get_by_role("navigation", name="Main")
        menu = page.get_by_role("button", name="Menu")
        expect(nav.get_by_role("link", name="About")).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(nav.get_by_role("link", name="My Portal")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        nav.get_by_role("link", name="About").click()
        expect(page).to_have_url(re.compile(r"/index\.html$"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        assert not problems.page_errors
    finally:
        context.close()


def test_pages_load_without_console_errors_or_csp_violations(page: Any, problems: Any) -> None:
    for path, heading in [
        ("/index.html", "Claim your CME credit"),
        ("/", "Claim your CME credit"),
        ("/sign-in.html", "Sign In"),
        ("/create-account.html", "Create Account"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("contentinfo")).to_contain_text("Need Help? Contact the CME office at")
        expect(page.get_by_role("link", name="cme-help@example.org")).to_have_attribute(
            "href", "mailto:cme-help@example.org"
        )
        page.wait_for_load_state("networkidle")
        problems.assert_none(f"on {path}")

    # the no-match path of Create Account (the lookup answers 200)
    textbox(page, "Last name").fill("Zyx")
    textbox(page, "Phone").fill(f"(928) 555-{uuid.uuid4().int % 9000 + 1000}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("button", name="Save Profile")).to_be_visible()
    problems.assert_none("on the create-account steps")

    sign_in(page, "learner@example.org", DEMO_PASSWORD)
    expect_portal(page, "Welcome, Zoë Łukasiewicz-Müller, MD")
    page.get_by_role("button", name="Edit profile").click()
    page.get_by_role("button", name="Save Profile").click()
    expect(page.get_by_role("status").filter(has_text="Your profile has been saved.")).to_be_visible()
    page.goto("/index.html")
    expect(page.get_by_role("button", name="Sign Out")).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.assert_none("signed in")

    # the not-found page: only the 404 of the document itself is reported
    response = page.goto("/no-such-page.html")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="My Portal")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not problems.page_errors
    assert problems.console_errors, "the document's 404 is reported in the console"
    assert all("status of 404" in text for text in problems.console_errors), problems.console_errors
    page.goto("/deeper/missing/path")  # absolute asset paths: the shell still loads
    expect(page.get_by_role("link", name="cme-help@example.org")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "grid"  # styled
