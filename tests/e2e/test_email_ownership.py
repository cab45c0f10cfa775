"""Email ownership in a real browser: Forgot Password and its single-use link, confirming an
email from its link (opening it confirms nothing; "Confirm this email" does, signed in to the
account that asked, after signing in and coming back when signed out), and My emails (add,
confirm, make primary, remove). Links are read from the local stack's outbox, as a learner
would read their inbox."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import journeys

pytestmark = pytest.mark.e2e

PASSWORD_MISMATCH = "Email or Password do not match. Please try again."
UNRECOGNIZED_EMAIL = "Sorry, unrecognized email or password. Please click Create Account below to proceed."
RESET_REQUESTED = (
    "If an account uses that email, we have sent it a link to choose a new password. "
    "The link works once, within 1 hour. Check your spam folder if it does not arrive."
)
PASSWORD_CHANGED = (
    "Your password has been changed. You have been signed out everywhere; sign in with your new password."
)
TOKEN_INVALID = "This link is not valid any more: it was already used, or it expired."
EMAIL_TAKEN = "Another account already uses this email. If it is yours too, sign in there and remove it."
EXPLANATION = (
    "Attendance at past events was recorded under the email you gave there; "
    "add and confirm each one so its activities count."
)


def unique_email(tag: str) -> str:
    return f"e2e-{tag}-{uuid.uuid4().hex[:12]}@example.org"


def textbox(page: Any, name: str) -> Any:
    return page.get_by_role("textbox", name=name, exact=True)


def sign_in(page: Any, email: str, password: str) -> None:
    journeys.sign_in(page, email, password, lands=False)  # the tests read where it lands


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))


def expect_portal(page: Any, welcome: str) -> None:
    expect(page).to_have_url(re.compile(r"/portal\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My Portal")
    expect(page.get_by_text(welcome, exact=True)).to_be_visible()


def create_account(page: Any, email: str, password: str, first_name: str, last_name: str) -> None:
    """Create the account through the API: the browser context holds its session afterwards."""
    answer = page.request.post(
        "/api/accounts",
        data={
            "email": email,
            "password": password,
            "first_name": first_name,
            "last_name": last_name,
            "degree": "MD",
            "phone": f"(480) 555-{uuid.uuid4().int % 9000 + 1000}",
        },
    )
    assert answer.status == 201, answer.text()


def newest_link(page: Any, to: str, target: str) -> str:
    """The link to ``target`` (reset-password / verify-email) in the newest email sent to ``to``."""
    messages = page.request.get("/_local/outbox.json").json()["messages"]
    pattern = re.compile(rf"http://127\.0\.0\.1:\d+/{target}\.html\?token=[A-Za-z0-9_-]+")
    for message in reversed(messages):
        if to in message["to"]:
            found = pattern.search(message["text"])
            if found:
                return found.group(0)
    raise AssertionError(f"no {target} link was sent to {to}")


def confirm_from_link(page: Any, link: str) -> None:
    """Open a confirmation link and choose Confirm this email (opening it alone confirms nothing)."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Your Email")
    page.get_by_role("button", name="Confirm this email").click()


def email_row(page: Any, email: str) -> Any:
    rows = page.get_by_role("list", name="My emails").get_by_role("listitem")
    return rows.filter(has=page.get_by_text(email, exact=True))


@pytest.fixture
def other_browser(browser: Any, base_url: str) -> Iterator[Any]:
    """A second browser (no shared cookies or storage): links may be opened anywhere."""
    ctx = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


def test_forgot_password_link_works_exactly_once(page: Any, other_browser: Any) -> None:
    email = unique_email("reset")
    old_password = "quiet harbour lantern morning"
    new_password = "violet canyon parade tuesday"
    create_account(page, email, old_password, "Inês", "Duarte")
    assert page.request.post("/api/auth/sign-out").status == 204
    # another browser stays signed in until the password changes
    other = other_browser.request
    assert other.post("/api/auth/sign-in", data={"email": email, "password": old_password}).status == 200
    assert other.get("/api/me").status == 200

    page.goto("/sign-in.html")
    page.get_by_role("link", name="Forgot Password").click()
    expect(page).to_have_url(re.compile(r"/forgot-password\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot Password")
    textbox(page, "Email").fill(email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("status")).to_have_text(RESET_REQUESTED)
    expect(page.get_by_role("button", name="Email me a reset link")).to_be_hidden()
    expect(page.get_by_role("main").get_by_role("link", name="Sign In")).to_have_attribute("href", "/sign-in.html")

    link = newest_link(page, email, "reset-password")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a New Password")
    password = page.get_by_label("New password", exact=True)
    confirm = page.get_by_label("Confirm new password", exact=True)
    save = page.get_by_role("button", name="Save Password")

    # typed differently: caught before anything is sent
    password.fill(new_password)
    confirm.fill(new_password + "s")
    save.click()
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_text(
        "The two passwords do not match. Please type the same password twice."
    )

    # too weak: the API's message on the field; the link is not spent
    password.fill("password")
    confirm.fill("password")
    save.click()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(confirm).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("common")

    password.fill(new_password)
    confirm.fill(new_password)
    save.click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(PASSWORD_CHANGED)
    expect(status.get_by_role("link", name="Sign In")).to_have_attribute("href", "/sign-in.html")
    expect(save).to_be_hidden()
    assert other.get("/api/me").status == 401, "every session ends with the reset"

    status.get_by_role("link", name="Sign In").click()
    textbox(page, "Email").fill(email)
    page.get_by_label("Password", exact=True).fill(new_password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect_portal(page, "Welcome, Inês Duarte, MD")

    sign_out(page)
    sign_in(page, email, old_password)
    expect(page.get_by_role("alert")).to_have_text(PASSWORD_MISMATCH)

    # the same link a second time: refused at once (checked before a password is asked), with the way to a new one
    page.goto(link)
    expect(password).to_be_hidden()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(TOKEN_INVALID)
    expect(alert.get_by_role("link", name="Request a new link")).to_have_attribute("href", "/forgot-password.html")
    expect(save).to_be_hidden()
    sign_in(page, email, new_password)
    expect_portal(page, "Welcome, Inês Duarte, MD")


def test_reset_password_without_a_token_offers_a_new_link(page: Any, problems: Any) -> None:
    page.goto("/reset-password.html")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This link is not valid")
    expect(alert.get_by_role("link", name="Request a new link")).to_have_attribute("href", "/forgot-password.html")
    expect(page.get_by_role("button", name="Save Password")).to_be_hidden()
    page.wait_for_load_state("networkidle")
    problems.assert_none("on reset-password.html without a token")


def test_forgot_password_asks_for_a_valid_email(page: Any) -> None:
    page.goto("/forgot-password.html")
    send = page.get_by_role("button", name="Email me a reset link")
    send.click()
    expect(textbox(page, "Email")).to_have_attribute("aria-invalid", "true")
    textbox(page, "Email").fill("not-an-email")
    send.click()
    expect(page.get_by_role("alert")).to_have_text("Please enter a valid email address.")
    expect(textbox(page, "Email")).to_have_attribute("aria-invalid", "true")
    # an email without an account gets the very same answer
    textbox(page, "Email").fill(unique_email("nobody"))
    send.click()
    expect(page.get_by_role("status")).to_have_text(RESET_REQUESTED)


def test_confirming_the_email_removes_the_banner(page: Any) -> None:
    email = unique_email("verify")
    create_account(page, email, "lemon tram violin seventy", "Kwame", "Mensah")
    page.goto("/portal.html")
    expect_portal(page, "Welcome, Kwame Mensah, MD")
    banner = page.get_by_role("region", name="Confirm your email")
    expect(
        banner.get_by_text(
            f"Please confirm your email address {email}. Until you do, activities you attended under it are not shown.",
            exact=True,
        )
    ).to_be_visible()
    expect(email_row(page, email).get_by_text("Unconfirmed", exact=True)).to_be_visible()

    banner.get_by_role("button", name="Send it again").click()
    expect(banner.get_by_role("status")).to_have_text(f"We sent a new link to {email}.")
    expect(banner.get_by_role("button", name="Send it again")).to_be_enabled()

    link = newest_link(page, email, "verify-email")
    confirm_from_link(page, link)
    expect(page.get_by_role("status")).to_have_text(f"Thank you — {email} is confirmed.")
    expect(page.get_by_role("button", name="Confirm this email")).to_be_hidden()
    page.get_by_role("main").get_by_role("link", name="Go to My Portal").click()
    expect_portal(page, "Welcome, Kwame Mensah, MD")
    expect(page.get_by_role("list", name="My emails")).to_be_visible()
    expect(banner).to_be_hidden()
    row = email_row(page, email)
    expect(row.get_by_text("Confirmed", exact=True)).to_be_visible()
    expect(row.get_by_text("Primary", exact=True)).to_be_visible()
    expect(row.get_by_role("button")).to_have_count(0)
    expect(page.get_by_text("Unconfirmed: check your inbox")).to_be_hidden()

    # the link works once; signed in, the page says there is nothing left to confirm
    confirm_from_link(page, link)
    expect(page.get_by_role("alert")).to_have_text(TOKEN_INVALID)
    expect(page.get_by_text("Every email on your account is already confirmed", exact=False)).to_be_visible()


def test_confirming_signed_out_signs_in_and_comes_back(page: Any, other_browser: Any, problems: Any) -> None:
    """The link opened where the learner is signed out (a phone's mail app, say): sign in, back
    to the very link, then Confirm. Opening it, before and after signing in, confirms nothing."""
    email = unique_email("anywhere")
    password = "copper meadow seventy kites"
    first_device = other_browser.new_page()
    create_account(first_device, email, password, "Aroha", "Ngata")
    link = newest_link(first_device, email, "verify-email")

    def confirmed() -> bool:
        return bool(first_device.request.get("/api/me").json()["email_verified"])

    page.goto(link)  # this browser has no session
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Your Email")
    page.wait_for_load_state("networkidle")
    assert not confirmed(), "opening the link confirms nothing (mail scanners open links)"
    expect(page.get_by_text("You will be asked to sign in to that account first", exact=False)).to_be_visible()

    page.get_by_role("button", name="Confirm this email").click()
    expect(page).to_have_url(re.compile(r"/sign-in\.html\?next="))
    textbox(page, "Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(link)  # back to the confirmation
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Your Email")
    expect(page.get_by_text("You will be asked to sign in", exact=False)).to_be_hidden()
    page.wait_for_load_state("networkidle")
    assert not confirmed(), "signing in and coming back confirms nothing either"

    page.get_by_role("button", name="Confirm this email").click()
    expect(page.get_by_role("status")).to_have_text(f"Thank you — {email} is confirmed.")
    expect(page.get_by_role("main").get_by_role("link", name="Go to My Portal")).to_be_visible()
    assert confirmed()
    problems.assert_none("confirming through sign-in")


def test_a_link_opened_in_another_accounts_session_confirms_nothing(page: Any, other_browser: Any) -> None:
    asker = other_browser.new_page()
    email = unique_email("asker")
    create_account(asker, email, "velvet orchard signal ninety", "Tama", "Rangi")
    link = newest_link(asker, email, "verify-email")

    create_account(page, unique_email("colleague"), "ember quarry lantern swift", "Ana", "Lima")
    page.goto("/portal.html")
    expect_portal(page, "Welcome, Ana Lima, MD")  # this browser is signed in, to another account
    confirm_from_link(page, link)
    expect(page.get_by_role("alert")).to_contain_text("This link confirms an email for another account.")
    assert asker.request.get("/api/me").json()["email_verified"] is False

    # a link without its token, signed out: how to get a new one
    assert page.request.post("/api/auth/sign-out").status == 204
    page.goto("/verify-email.html")
    expect(page.get_by_role("alert")).to_contain_text("This link is not valid: it is incomplete.")
    expect(page.get_by_text("To get a new link, sign in and use Send it again in My Portal.")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Sign In")).to_have_attribute(
        "href", "/sign-in.html?next=/portal.html"
    )


def test_verify_page_signed_in_sends_the_link_again(page: Any) -> None:
    email = unique_email("again")
    create_account(page, email, "amber lighthouse quietly sings", "Mei", "Chen")
    page.goto("/portal.html")  # the browser now knows it is signed in
    expect_portal(page, "Welcome, Mei Chen, MD")
    before = len(page.request.get("/_local/outbox.json").json()["messages"])

    confirm_from_link(page, "/verify-email.html?token=expired-or-mistyped")
    expect(page.get_by_role("alert")).to_have_text(TOKEN_INVALID)
    row = page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_text(email, exact=True))
    row.get_by_role("button", name="Send it again").click()
    expect(page.get_by_role("status")).to_have_text(f"We sent a new link to {email}.")
    messages = page.request.get("/_local/outbox.json").json()["messages"]
    assert len(messages) > before and email in messages[-1]["to"]

    confirm_from_link(page, newest_link(page, email, "verify-email"))
    expect(page.get_by_role("status")).to_have_text(f"Thank you — {email} is confirmed.")


def test_my_emails_add_confirm_make_primary_and_remove(page: Any) -> None:
    first = unique_email("first")
    second = f"e2e-second+{uuid.uuid4().hex[:12]}@example.org"  # a "+" travels in the URL path
    password = "harbour pickle autumn glider"
    typo = first.replace("@example.org", "@exmaple.org")
    create_account(page, typo, password, "Olu", "Adeyemi")
    page.goto("/portal.html")
    expect_portal(page, "Welcome, Olu Adeyemi, MD")
    section = page.get_by_role("region", name="My emails")
    expect(section.get_by_text(EXPLANATION, exact=True)).to_be_visible()
    field = textbox(page, "Another email you have used at CME events")
    add = section.get_by_role("button", name="Add", exact=True)

    # the primary email has a typo: nothing else is added until it is confirmed; it is replaced
    # (docs/api.md "An account made before its owner")
    field.fill(second)
    add.click()
    expect(section.get_by_role("alert")).to_contain_text("Confirm your primary email first")
    banner = page.get_by_role("region", name="Confirm your email")
    banner.get_by_label("Wrong address? The right one").fill(first)
    banner.get_by_role("button", name="Replace it").click()
    expect(banner.get_by_role("status")).to_have_text(f"We sent a link to {first}. Open it to confirm your email.")
    profile = page.get_by_role("region", name="Your profile")
    expect(profile.get_by_text(first, exact=True)).to_be_visible()
    expect(page.get_by_role("list", name="My emails").get_by_role("listitem")).to_have_count(1)
    confirm_from_link(page, newest_link(page, first, "verify-email"))
    expect(page.get_by_role("status")).to_have_text(f"Thank you — {first} is confirmed.")
    page.goto("/portal.html")
    expect_portal(page, "Welcome, Olu Adeyemi, MD")
    expect(banner).to_be_hidden()

    # another account's email: its message, and the field marked
    field.fill("learner@example.org")
    add.click()
    expect(section.get_by_role("alert")).to_have_text(EMAIL_TAKEN)
    expect(field).to_have_attribute("aria-invalid", "true")

    field.fill(second)
    add.click()
    expect(section.get_by_role("status")).to_contain_text(f"We sent a link to {second}.")
    expect(field).to_have_value("")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    row = email_row(page, second)
    expect(row.get_by_text("Unconfirmed", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Send it again")).to_be_visible()
    expect(row.get_by_role("button", name="Make primary")).to_have_count(0)
    expect(row.get_by_role("button", name="Remove")).to_be_visible()
    expect(email_row(page, first).get_by_text("Primary", exact=True)).to_be_visible()

    # adding it again is harmless
    field.fill(second.upper())
    add.click()
    expect(section.get_by_role("status")).to_have_text(f"{second} is already on your account.")
    expect(page.get_by_role("list", name="My emails").get_by_role("listitem")).to_have_count(2)

    confirm_from_link(page, newest_link(page, second, "verify-email"))
    expect(page.get_by_role("status")).to_have_text(f"Thank you — {second} is confirmed.")
    page.get_by_role("main").get_by_role("link", name="Go to My Portal").click()
    expect_portal(page, "Welcome, Olu Adeyemi, MD")
    row = email_row(page, second)
    expect(row.get_by_text("Confirmed", exact=True)).to_be_visible()

    row.get_by_role("button", name="Make primary").click()
    expect(section.get_by_role("status")).to_have_text(
        f"{second} is now your primary email: sign in with it from now on."
    )
    expect(profile.get_by_text(second, exact=True)).to_be_visible()
    expect(email_row(page, second).get_by_text("Primary", exact=True)).to_be_visible()

    old = email_row(page, first)
    expect(old.get_by_text("Primary", exact=True)).to_be_hidden()
    old.get_by_role("button", name="Remove").click()
    expect(old.get_by_role("button", name="Confirm remove")).to_be_focused()
    old.get_by_role("button", name="Cancel").click()  # changed their mind: nothing removed
    expect(old.get_by_role("button", name="Remove")).to_be_focused()
    old.get_by_role("button", name="Remove").click()
    old.get_by_role("button", name="Confirm remove").click()
    expect(section.get_by_role("status")).to_have_text(f"{first} was removed from your account.")
    expect(page.get_by_role("list", name="My emails").get_by_role("listitem")).to_have_count(1)
    expect(email_row(page, first)).to_have_count(0)

    page.reload()
    expect(email_row(page, second).get_by_text("Primary", exact=True)).to_be_visible()
    expect(page.get_by_role("list", name="My emails").get_by_role("listitem")).to_have_count(1)

    sign_out(page)
    sign_in(page, second, password)
    expect_portal(page, "Welcome, Olu Adeyemi, MD")
    sign_out(page)
    sign_in(page, first, password)
    expect(page.get_by_role("alert")).to_have_text(UNRECOGNIZED_EMAIL)


def test_new_pages_load_without_console_errors_and_fit_a_phone(page: Any, problems: Any) -> None:
    create_account(page, unique_email("pages"), "silver kettle morning drum", "Noor", "Haddad")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        for path, heading in [
            ("/forgot-password.html", "Forgot Password"),
            ("/reset-password.html?token=unused-token", "Choose a New Password"),
            ("/verify-email.html", "Confirm Your Email"),
            ("/portal.html", "My Portal"),
        ]:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            expect(page.get_by_role("contentinfo")).to_contain_text("Need Help? Contact the CME office at")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width, f"{path} at {width}px"
            if path.startswith("/reset-password.html"):  # the link's check answers 400 TOKEN_INVALID, as it should
                assert all("status of 400" in text for text in problems.console_errors), problems.console_errors
                problems.console_errors.clear()
            problems.assert_none(f"on {path} at {width}px")
        banner = page.get_by_role("region", name="Confirm your email")
        expect(banner).to_be_visible()
        banner.get_by_label("Wrong address? The right one").fill(f"e2e-wide-{uuid.uuid4().hex}@example.org")
        banner.get_by_role("button", name="Replace it").click()
        expect(banner.get_by_role("status")).to_contain_text("We sent a link")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        problems.assert_none(f"replacing the email at {width}px")
