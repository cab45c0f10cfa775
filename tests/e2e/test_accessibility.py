"""axe-core over every page of the web front end (infra/tools/pages.py: signed out, as the demo
learner and as the demo coordinator), 390 px and 1280 px wide: no violation of any impact.

Each account signs in once (its storage state is reused); each width opens one context per
account and visits that account's pages in one tab.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from infra.local.seed import DEMO_PASSWORD
from infra.tools.pages import DEMO_ADMIN_EMAIL, DEMO_LEARNER_EMAIL, PAGES, Who
from tests.e2e.conftest import CSP_REPORTER
from tests.support import journeys
from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

WIDTHS = {390: 844, 1280: 860}
ACCOUNTS: dict[Who, str | None] = {"public": None, "learner": DEMO_LEARNER_EMAIL, "admin": DEMO_ADMIN_EMAIL}


def _violations(page: Any, path: str, width: int) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    name = path.strip("/").split("?")[0].replace(".html", "") or "index"
    shot = f"build/screenshots/pages/{name}{'-' + path.split('?')[1][:12] if '?' in path else ''}-{width}.png"
    page.screenshot(path=shot.replace("=", "-").replace("&", "-"), full_page=True)  # looked at for the report
    results = Axe().run(page)
    return [
        f"{width}px {path}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n["target"][0]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


@pytest.fixture(scope="module")
def ids(base_url: str) -> dict[str, str]:
    """The ids the page table names: an activity of the coordinator's, and the demo learner."""
    admin = StackClient(base_url)
    admin.sign_in(DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    today = office_today().isoformat()
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": f"Axe {uuid.uuid4().hex[:6]}",
            "format": "live",
            "start_date": today,
            "end_date": today,
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "published": True,
        },
    )
    assert status == 201, created
    status, found = admin.call("GET", f"/api/admin/learners?q={DEMO_LEARNER_EMAIL}")
    assert status == 200 and len(found["learners"]) == 1, found
    return {"activity_id": created["activity"]["activity_id"], "learner_id": found["learners"][0]["learner_id"]}


@pytest.fixture(scope="module")
def signed_in(browser: Any, base_url: str) -> dict[Who, Any]:
    """Each account's storage state (session cookie and the navigation's hints), signed in once."""
    states: dict[Who, Any] = {}
    for who, email in ACCOUNTS.items():
        if email is None:
            states[who] = None
            continue
        context = browser.new_context(base_url=base_url)
        try:
            page = context.new_page()
            journeys.sign_in(page, email, DEMO_PASSWORD)
            states[who] = context.storage_state()
        finally:
            context.close()
    return states


def _visit(browser: Any, base_url: str, width: int, state: Any, pages: list[str]) -> list[str]:
    viewport = {"width": width, "height": WIDTHS[width]}
    context = browser.new_context(base_url=base_url, viewport=viewport, storage_state=state)
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_REPORTER)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))

        def console(message: Any) -> None:
            if message.type == "error" and "CSP violation" in message.text:
                errors.append(message.text)

        page.on("console", console)
        found = [problem for path in pages for problem in _violations(page, path, width)]
    finally:
        context.close()
    return found + errors


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_has_no_axe_violation(
    browser: Any, base_url: str, ids: dict[str, str], signed_in: dict[Who, Any], width: int
) -> None:
    found: list[str] = []
    for who in ACCOUNTS:
        pages = [page.url(**ids) for page in PAGES if page.who == who]
        found += _visit(browser, base_url, width, signed_in[who], pages)
    assert found == [], "\n".join(found)
