"""One header, nav and footer for every page, built by web/js/shell.js from placeholders, with
the office's settings from GET /api/settings (read once per browser session); and the polish
of issue 14 on the web side: a used reset link says so first, a field's error goes as it is
fixed, the sign-in email carries into Create Account, question ids are never typed."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_publisher_flow import office_today, sign_in, textbox
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = sorted(path.name for path in WEB.glob("*.html"))
OFFICE = "Continuing Medical Education Office"  # the stack's OFFICE_NAME (cme.platform.settings)
HELP = "cme-help@example.org"
DEMO_PASSWORD = "Demo-Password-2026"
INVALID = "This link is not valid any more: it was already used, or it expired."


def test_pages_hold_placeholders_only() -> None:
    """The chrome is in one module: each page has empty placeholders and no copied settings."""
    assert not (WEB / "js" / "config.js").exists()
    assert len(PAGES) >= 16
    for name in PAGES:
        html = (WEB / name).read_text()
        assert '<header class="site-header" data-chrome></header>' in html, name
        assert '<nav id="site-nav" class="site-nav" aria-label="Main" data-chrome></nav>' in html, name
        assert '<footer class="site-footer" data-chrome></footer>' in html, name
        assert "config.js" not in html and "data-config" not in html and HELP not in html, name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{name}: an inline script"
    for script in (WEB / "js").glob("*.js"):
        assert "config.js" not in script.read_text(), script.name


def chrome_texts(page: Any) -> dict[str, Any]:
    nav = page.get_by_role("navigation", name="Main")
    return {
        "office": page.locator("header .brand__office").inner_text(),
        "links": [t.strip() for t in nav.get_by_role("link").all_inner_texts()],
        "current": page.locator('#site-nav a[aria-current="page"]').all_inner_texts(),
    }


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/index.html", ["About"]),
        ("/sign-in.html", ["Sign In"]),
        ("/create-account.html", []),
        ("/verify.html", []),
    ],
)
def test_every_page_gets_the_same_chrome(page: Any, problems: Any, path: str, current: list[str]) -> None:
    page.goto(path)
    header = page.get_by_role("banner")
    expect(header.get_by_text(OFFICE, exact=True)).to_be_visible()
    expect(header.get_by_role("link", name=re.compile("CME Portal"))).to_have_attribute("href", "/index.html")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name=HELP)).to_have_attribute("href", f"mailto:{HELP}")
    verify = footer.get_by_role("link", name="Verify a certificate")
    expect(verify).to_have_attribute("href", "/verify.html")
    if path == "/verify.html":
        expect(verify).to_have_attribute("aria-current", "page")
    texts = chrome_texts(page)
    assert texts["links"] == ["About", "Sign In", "My Portal", "My Transcript"], texts
    assert texts["current"] == current, texts
    problems.assert_none(path)


def test_settings_are_asked_once_per_session(page: Any, problems: Any) -> None:
    asked: list[str] = []
    page.on("request", lambda request: "/api/settings" in request.url and asked.append(request.url))
    page.goto("/index.html")
    expect(page.get_by_role("banner").get_by_text(OFFICE, exact=True)).to_be_visible()
    stored = page.evaluate("JSON.parse(sessionStorage.getItem('cme.settings'))")
    # the local stack texts from its own number (infra/local/server.py LOCAL_SMS_NUMBER)
    assert stored == {
        "office_name": OFFICE,
        "help_email": HELP,
        "timezone": "America/New_York",
        "sms_number": "+12025550123",
        "jointly_accredited": False,
    }
    for path in ("/sign-in.html", "/verify.html", "/forgot-password.html"):
        page.goto(path)
        # from this session's copy: shown before any request could answer
        expect(page.get_by_role("banner").get_by_text(OFFICE, exact=True)).to_be_visible()
        expect(page.get_by_role("contentinfo").get_by_role("link", name=HELP)).to_be_visible()
    assert len(asked) == 1, asked
    problems.assert_none()


def test_the_chrome_follows_the_settings_the_api_serves(page: Any, problems: Any) -> None:
    """Nothing is copied into the web: another office's settings show everywhere they are used."""
    other = {
        "office_name": "Graduate Medical Education",
        "help_email": "gme-help@example.org",
        "timezone": "Pacific/Kiritimati",
        "sms_number": None,
    }
    page.route("**/api/settings", lambda route: route.fulfill(json=other))
    page.goto("/index.html")
    expect(page.get_by_role("banner").get_by_text("Graduate Medical Education", exact=True)).to_be_visible()
    link = page.get_by_role("contentinfo").get_by_role("link", name="gme-help@example.org")
    expect(link).to_have_attribute("href", "mailto:gme-help@example.org")
    # the office's "today" is counted in the office's zone (UTC+14 here), as the API counts it
    today = page.evaluate("import('/js/dates.js').then((m) => m.officeToday())")
    expected = page.evaluate(
        "new Intl.DateTimeFormat('en-CA', {timeZone: 'Pacific/Kiritimati', year: 'numeric', month: '2-digit',"
        " day: '2-digit'}).format(new Date())"
    )
    assert today == expected
    problems.assert_none()


def test_signed_in_and_coordinator_states(page: Any, problems: Any) -> None:
    sign_in(page, "admin@example.org")
    nav = page.get_by_role("navigation", name="Main")
    for path, current in [
        ("/transcript.html", "My Transcript"),
        ("/admin.html", "Admin"),
        ("/admin-reports.html", "Board reports"),
        ("/index.html", "About"),
    ]:
        page.goto(path)
        expect(nav.get_by_role("link", name="Admin")).to_be_visible()
        expect(nav.get_by_role("link", name="Board reports")).to_be_visible()
        expect(nav.get_by_role("button", name="Sign Out")).to_be_visible()
        expect(nav.get_by_role("link", name="Sign In")).to_be_hidden()
        expect(nav.locator('a[aria-current="page"]')).to_have_text(current)
    nav.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))
    expect(nav.get_by_role("link", name="Sign In")).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_be_hidden()
    problems.assert_none()


@pytest.mark.parametrize("width", [1280, 390])
def test_placeholders_reserve_the_chrome_height(browser: Any, base_url: str, width: int) -> None:
    """The empty placeholders (before shell.js runs) are as tall as the chrome: nothing moves."""
    heights = {}
    for scripts in (False, True):
        ctx = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": 800}, java_script_enabled=scripts
        )
        try:
            pg = ctx.new_page()
            pg.goto("/sign-in.html")
            if scripts:
                expect(pg.get_by_role("contentinfo").get_by_role("link", name=HELP)).to_be_visible()
            heights[scripts] = pg.evaluate(
                "['header', 'footer'].map((s) => document.querySelector(s).getBoundingClientRect().height)"
            )
        finally:
            ctx.close()
    assert heights[False] == heights[True], heights


POSITIONS = """[
  ...document.querySelectorAll('.brand__portal, .menu-toggle, main, footer p, footer p + p a'),
].map((e) => { const r = e.getBoundingClientRect(); return [e.tagName, r.x, r.y, r.height]; })"""


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_moves_when_the_settings_arrive(browser: Any, base_url: str, width: int) -> None:
    """The first page of a session shows neutral words, then the office's: the chrome stays put."""
    ctx = browser.new_context(base_url=base_url, viewport={"width": width, "height": 800})
    try:
        pg = ctx.new_page()
        held: list[Any] = []
        pg.route("**/api/settings", lambda route: held.append(route))  # noqa: PLW0108 (Playwright needs a function)
        pg.goto("/sign-in.html")
        expect(pg.get_by_role("banner").get_by_text("CME Portal", exact=True)).to_be_visible()
        for _ in range(200):
            if held:
                break
            pg.wait_for_timeout(25)
        assert held, "the shell asks for the settings"
        before = pg.evaluate(POSITIONS)
        assert pg.locator("header .brand__office").inner_text().strip() == ""
        held[0].continue_()
        expect(pg.get_by_role("banner").get_by_text(OFFICE, exact=True)).to_be_visible()
        expect(pg.get_by_role("contentinfo").get_by_role("link", name=HELP)).to_be_visible()
        after = pg.evaluate(POSITIONS)
        assert after == before
    finally:
        ctx.close()


def test_the_help_email_stays_whole_on_a_phone(browser: Any, base_url: str) -> None:
    """At every phone width the address sits on one line (never split at its hyphen)."""
    ctx = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 640})
    try:
        pg = ctx.new_page()
        pg.goto("/sign-in.html")
        expect(pg.get_by_role("contentinfo").get_by_role("link", name=HELP)).to_be_visible()
        for width in range(300, 481, 6):
            pg.set_viewport_size({"width": width, "height": 640})
            lines = pg.evaluate(
                f"""(() => {{
                  const link = document.querySelector('footer a[href="mailto:{HELP}"]');
                  const line = parseFloat(getComputedStyle(link).lineHeight);
                  return [...link.getClientRects()].reduce((n, r) => n + Math.round(r.height / line), 0);
                }})()"""
            )
            assert lines == 1, f"the help email takes {lines} lines at {width}px"
            assert pg.evaluate("document.scrollingElement.scrollWidth") <= width
    finally:
        ctx.close()


# ---------------------------------------------------------------- polish


def test_a_used_reset_link_says_so_before_asking_for_a_password(page: Any, base_url: str, problems: Any) -> None:
    email = f"reset-{uuid.uuid4().hex[:8]}@example.org"
    client = StackClient(base_url)
    status, body = client.call(
        "POST",
        "/api/accounts",
        {
            "email": email,
            "password": "correct horse battery staple",
            "first_name": "Ada",
            "last_name": "Reset",
            "degree": "MD",
            "phone": f"(480) 555-{uuid.uuid4().int % 9000 + 1000}",
        },
    )
    assert status == 201, body
    assert StackClient(base_url).call("POST", "/api/auth/password-reset", {"email": email})[0] == 202
    link = client.latest_link(email, "reset-password.html")
    page.goto(link)
    expect(page.get_by_label("New password", exact=True)).to_be_visible()  # checked: it works
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("Confirm new password").fill("a brand new passphrase")
    page.get_by_role("button", name="Save Password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    page.goto(link)  # the same link again: said at once, with no password asked
    expect(page.get_by_role("alert").filter(has_text=INVALID)).to_be_visible()
    expect(page.get_by_role("link", name="Request a new link")).to_have_attribute("href", "/forgot-password.html")
    expect(page.get_by_label("New password", exact=True)).to_be_hidden()
    expect(page.get_by_label("Confirm new password")).to_be_hidden()
    # the check's 400 TOKEN_INVALID is the only thing the console reports
    assert all("status of 400" in text for text in problems.console_errors), problems.console_errors
    problems.clear()
    problems.assert_none()


def test_a_field_error_goes_as_the_field_is_fixed(page: Any, problems: Any) -> None:
    page.goto("/sign-in.html")
    page.get_by_role("button", name="Sign In", exact=True).click()
    email = textbox(page, "Email")
    password = page.get_by_label("Password", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_have_count(2)
    email.press_sequentially("a")
    expect(email).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_have_count(0)
    expect(password).to_have_attribute("aria-invalid", "true")  # only the field being fixed
    expect(page.locator(".field-error")).to_have_count(1)
    password.press_sequentially("x")
    expect(page.locator(".field-error")).to_have_count(0)
    problems.assert_none()


def test_the_email_typed_at_sign_in_carries_into_create_account(page: Any, problems: Any) -> None:
    page.goto("/sign-in.html")
    textbox(page, "Email").fill("new.person@example.org")
    page.get_by_role("link", name="Create Account").click()
    expect(page).to_have_url(re.compile(r"/create-account\.html$"))
    expect(page.locator("#new-email")).to_have_value("new.person@example.org")
    problems.assert_none()


def test_new_evaluation_questions_need_no_typed_id(page: Any, base_url: str, problems: Any) -> None:
    title = f"Ethics Rounds {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@example.org")
    page.goto("/admin-activity.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("New activity")
    expect(page.get_by_label("Question id")).to_have_count(0)
    textbox(page, "Title").fill(title)
    page.get_by_label("Format").select_option(label="Live activity")
    page.get_by_label("Start date").fill(office_today())
    page.get_by_label("Start date").dispatch_event("change")
    credits = page.get_by_role("group", name="Credit designated")
    credits.get_by_label("Credit type", exact=True).select_option("AMA_PRA_1")
    credits.get_by_label("Maximum", exact=True).fill("1")
    evaluation = page.get_by_role("group", name="Evaluation")
    for text in ("Was the content free of commercial bias?", "What will you change in your practice?"):
        page.get_by_role("button", name="Add question").click()
        evaluation.get_by_label("Question", exact=True).last.fill(text)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/admin\.html\?saved="))
    activity_id = page.url.split("saved=", 1)[1]
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    status, body = admin.call("GET", f"/api/admin/activities/{activity_id}")
    assert status == 200, body
    assert [q["question_id"] for q in body["activity"]["evaluation"]] == ["q1", "q2"]
    problems.assert_none()
