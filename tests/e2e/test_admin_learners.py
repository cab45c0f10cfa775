"""The coordinators' Learners page in a real browser (issue 24): reached from the navigation, it
searches, opens a learner's record, and corrects the name with a reason (audited); axe finds no
serious violation, and nothing scrolls sideways, at 390 px and at 1280 px."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_publisher_flow import no_sideways_scroll, sign_in
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def serious(page: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def a_learner(base_url: str) -> tuple[str, str]:
    """A new account with a last name no other test uses; its last name and email."""
    last = "Quillfeather" + "".join(random.choices(string.ascii_lowercase, k=8))
    email = f"{last.lower()}@example.org"
    status, body = StackClient(base_url).call(
        "POST",
        "/api/accounts",
        {
            "email": email,
            "password": "correct horse battery staple",
            "first_name": "Renée",
            "last_name": last,
            "degree": "NP",
            "phone": "+1 480 555 0163",
            "npi": "1234567893",
        },
    )
    assert status == 201, body
    return last, email


@pytest.mark.parametrize("width", [390, 1280])
def test_find_open_and_correct_a_learner(page: Any, base_url: str, problems: Any, width: int) -> None:
    last, email = a_learner(base_url)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin@example.org")
    nav = page.get_by_role("navigation", name="Main")
    if width < 700 and not nav.get_by_role("link", name="Learners").is_visible():
        page.get_by_role("button", name=re.compile("menu", re.I)).click()
    nav.get_by_role("link", name="Learners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")

    page.get_by_label("Name, email, NPI or phone").fill(last[:14].upper())  # the start, any case
    page.get_by_role("button", name="Search").click()
    results = page.locator("#results-table")
    expect(results.get_by_role("row")).to_have_count(2)  # the head and the learner
    expect(results).to_contain_text(email)
    expect(results).to_contain_text("(480) 555-0163")
    for label in ("NPI", "Phone", "Degree"):  # numbers never break inside (one line each)
        box = results.locator(f'td[data-label="{label}"] > span').bounding_box()
        assert box is not None and box["height"] < 30, (label, box)
    assert serious(page) == []
    no_sideways_scroll(page)

    results.get_by_role("link", name=f"Renée {last}").click()
    heading = page.locator("#record-heading")
    expect(heading).to_have_text(f"Renée {last}, NP")
    expect(heading).to_be_focused()
    expect(page.locator("#record-emails")).to_contain_text(email)
    expect(page.locator("#no-claims")).to_be_visible()

    form = page.locator("#fix-form")
    form.get_by_label("Last name").fill(f"{last}-Okafor")
    form.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#admin-alert")).to_contain_text("Reason")  # required, said before sending
    form.get_by_label("Reason").fill("Married name; the learner sent her licence")
    form.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#admin-status")).to_have_text("Saved.")
    expect(heading).to_have_text(f"Renée {last}-Okafor, NP")
    audit = page.locator("#audit-table")
    expect(audit).to_contain_text("Name changed")
    expect(audit).to_contain_text("Avery Coordinator")
    expect(audit).to_contain_text("Married name; the learner sent her licence")
    expect(page).to_have_url(re.compile(r"/admin-learners\.html\?q=.+&id=.+"))
    assert serious(page) == []
    no_sideways_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"admin-learners-{width}.png"), full_page=True)

    page.reload()  # the address reopens the search and the record
    expect(heading).to_have_text(f"Renée {last}-Okafor, NP")
    expect(results).to_contain_text(f"{last}-Okafor")
    problems.assert_none("on the learners page")


def test_a_learner_is_told_the_page_is_for_coordinators(page: Any, base_url: str) -> None:
    sign_in(page, "learner@example.org")
    page.goto("/admin-learners.html?q=zo")
    expect(page.locator("#admin-alert")).to_contain_text("coordinator", ignore_case=True)
    expect(page.locator("#results-table tbody tr")).to_have_count(0)
