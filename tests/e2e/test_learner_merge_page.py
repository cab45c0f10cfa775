"""The Learners page's Merge action in a real browser (issue 24): on a learner's record, the
coordinator finds the learner's other account, confirms with a reason, and the record then holds
the other account's email and claim; the old account can no longer sign in. axe finds no
violation, and nothing scrolls sideways, at 390 px and at 1280 px."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import no_sideways_scroll, sign_in
from tests.support.http import StackClient
from tests.support.journeys import attend, claim, coordinator, publish_activity, sign_up, unique_email
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PASSWORD = "correct horse battery staple"
OLD_PASSWORD = "an older passphrase 2019"


def violations(page: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
    ]


def two_accounts(base_url: str) -> dict[str, str]:
    """A learner's new account and an old one (with a claim), each with a last name no other test uses."""
    tail = "".join(random.choices(string.ascii_lowercase, k=8))
    new_last, old_last = f"Marchbanks{tail}", f"Oldacre{tail}"
    new_email, old_email = unique_email("merge-new"), unique_email("merge-old")
    sign_up(base_url, new_email, PASSWORD, first_name="Priya", last_name=new_last)
    old = sign_up(base_url, old_email, OLD_PASSWORD, first_name="Priya", last_name=old_last)
    admin = coordinator(base_url, DEMO_PASSWORD)
    activity = publish_activity(admin, office_today().isoformat(), title=f"Wound Care {tail}")
    attend(admin, activity, old_email)
    claim(old, activity, "AMA_PRA_1", 1.0)
    return {
        "new_last": new_last,
        "old_last": old_last,
        "new_email": new_email,
        "old_email": old_email,
        "title": f"Wound Care {tail}",
    }


@pytest.mark.parametrize("width", [390, 1280])
def test_merge_the_other_account_from_the_record(page: Any, base_url: str, problems: Any, width: int) -> None:
    who = two_accounts(base_url)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "admin@example.org")
    page.goto(f"/admin-learners.html?q={who['new_last']}")
    page.locator("#results-table").get_by_role("link", name=f"Priya {who['new_last']}").click()
    heading = page.locator("#record-heading")
    expect(heading).to_have_text(f"Priya {who['new_last']}, MD")

    find = page.locator("#merge-find")
    find.get_by_label("The other account: email, name, NPI or phone").fill(who["old_email"])
    find.get_by_role("button", name="Find the other account").click()
    expect(page.locator("#merge-count")).to_have_text("1 other account found.")
    page.get_by_role("button", name=f"Merge Priya {who['old_last']} ({who['old_email']}) into this record").click()
    confirm = page.locator("#merge-form")
    expect(page.locator("#merge-confirm-heading")).to_be_focused()
    expect(page.locator("#merge-confirm-heading")).to_have_text(
        f"Merge Priya {who['old_last']} ({who['old_email']}) into Priya {who['new_last']}, MD?"
    )
    expect(page.locator("#merge-summary")).to_contain_text("can no longer sign in")
    assert violations(page) == []
    no_sideways_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"admin-learners-merge-confirm-{width}.png"), full_page=True)

    confirm.get_by_role("button", name="Merge the accounts").click()
    expect(page.locator("#admin-alert")).to_contain_text("Reason")  # required, said before sending
    confirm.get_by_label("Reason").fill("One learner: her hospital email, then her own")
    confirm.get_by_role("button", name="Merge the accounts").click()
    expect(page.locator("#admin-status")).to_contain_text(f"Merged. The account of {who['old_email']} is closed")
    expect(heading).to_have_text(f"Priya {who['new_last']}, MD")
    expect(page.locator("#record-emails")).to_contain_text(who["old_email"])
    expect(page.locator("#claims-table")).to_contain_text(who["title"])
    audit = page.locator("#audit-table")
    expect(audit).to_contain_text("Other account merged in")
    expect(audit.get_by_role("row").filter(has_text="Claims moved in from another account")).to_contain_text("1 claim")
    expect(audit).to_contain_text("One learner: her hospital email, then her own")
    expect(confirm).to_be_hidden()
    assert violations(page) == []
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / f"admin-learners-merge-{width}.png"), full_page=True)

    # the old account's password no longer signs in
    status, body = StackClient(base_url).call(
        "POST", "/api/auth/sign-in", {"email": who["old_email"], "password": OLD_PASSWORD}
    )
    assert status == 401 and body["code"] == "PASSWORD_MISMATCH", body
    problems.assert_none("on the learners page's merge")


def test_a_conflict_names_the_activity(page: Any, base_url: str) -> None:
    """Both accounts claimed one activity: the page says which, and nothing is merged."""
    who = two_accounts(base_url)
    admin = coordinator(base_url, DEMO_PASSWORD)
    status, found = admin.call("GET", f"/api/admin/learners?q={who['new_email']}")
    assert status == 200 and len(found["learners"]) == 1, found
    new = StackClient(base_url)
    new.sign_in(who["new_email"], PASSWORD)
    status, listed = admin.call("GET", f"/api/admin/learners?q={who['old_email']}")
    old_id = listed["learners"][0]["learner_id"]
    status, record = admin.call("GET", f"/api/admin/learners/{old_id}")
    activity = record["claims"][0]["activity_id"]
    attend(admin, activity, who["new_email"])
    claim(new, activity, "AMA_PRA_1", 1.0)

    sign_in(page, "admin@example.org")
    page.goto(f"/admin-learners.html?q={who['new_last']}")
    page.locator("#results-table").get_by_role("link", name=f"Priya {who['new_last']}").click()
    page.get_by_label("The other account: email, name, NPI or phone").fill(who["old_last"])
    page.get_by_role("button", name="Find the other account").click()
    page.get_by_role("button", name=re.compile(r"^Merge Priya .* into this record$")).click()
    page.get_by_label("Reason").last.fill("One learner")
    page.get_by_role("button", name="Merge the accounts").click()
    expect(page.locator("#admin-alert")).to_contain_text(
        f"Both accounts claimed credit for this activity: {who['title']}"
    )
    expect(page.locator("#record-emails")).not_to_contain_text(who["old_email"])
