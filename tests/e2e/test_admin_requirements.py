"""The coordinators' requirement sets page in a real browser: reached from the navigation, a
coordinator creates a set with two rules (one on a topic), edits it (a minimum changed, a rule
removed) and the change is listed after a reload and served by GET /api/requirement-sets; the
API's problems show next to their fields; a learner is told the page is for coordinators."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import COORDINATORS_ONLY, no_sideways_scroll, sign_in
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

AMA = "AMA PRA Category 1 Credit™"


def _open(page: Any, via_menu: bool = True) -> None:
    sign_in(page, "admin@example.org")
    if via_menu:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Requirement sets").click()
    else:
        page.goto("/admin-requirements.html")
    expect(page).to_have_url(re.compile(r"/admin-requirements\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Requirement sets")
    expect(page.get_by_role("heading", name="New requirement set")).to_be_visible()


def _fill_rule(rule: Any, text: str, minimum: str, topic: str | None = None, extra_type: str | None = None) -> None:
    """A rule of AMA credit (ticked here: a new rule starts with none), and extra_type if given."""
    rule.get_by_label("Rule text").fill(text)
    for kind in [AMA, extra_type] if extra_type else [AMA]:
        rule.get_by_role("group", name="Credit types").get_by_label(kind, exact=True).check()
    if topic:
        rule.get_by_label("Topic").select_option(label=topic)
    rule.get_by_label("Minimum credits").fill(minimum)


def _saved_set(base_url: str, name: str) -> dict[str, Any]:
    client = StackClient(base_url)
    client.sign_in("learner@example.org", DEMO_PASSWORD)
    status, body = client.call("GET", "/api/requirement-sets")
    assert status == 200
    found = [s for s in body["requirement_sets"] if s["name"] == name]
    assert len(found) == 1, body
    return found[0]


def test_coordinator_creates_and_edits_a_set(page: Any, problems: Any, base_url: str) -> None:
    name = f"Ohio MD {uuid.uuid4().hex[:6]}"
    _open(page)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Cycle (months)").fill("24")
    _fill_rule(page.get_by_role("group", name="Rule 1"), "50 hours of Category 1", "50", extra_type="ABIM MOC points")
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_role("group", name="Rule 2").get_by_label("Rule text")).to_be_focused()
    _fill_rule(
        page.get_by_role("group", name="Rule 2"),
        "2 hours on opioids",
        "2",
        topic="Controlled substances / opioid prescribing",
    )
    page.get_by_role("button", name="Create set").click()
    expect(page.get_by_role("status").filter(has_text=f"Created “{name}”.")).to_be_visible()

    listed = page.locator(".req-set").filter(has=page.get_by_role("heading", name=name))
    expect(listed).to_contain_text("24-month cycle · 2 rules")
    expect(listed).to_contain_text("50 hours of Category 1")
    expect(listed).to_contain_text(f"Minimum 50.0 credits · {AMA} or ABIM MOC points · Topic: any topic")
    expect(listed).to_contain_text("Minimum 2.0 credits · AMA PRA Category 1 Credit™ · Topic: Controlled substances")
    saved = _saved_set(base_url, name)
    assert [r["min_credits"] for r in saved["rules"]] == [50.0, 2.0]
    assert saved["rules"][1]["topic"] == "controlled_substances"
    assert saved["rules"][0]["credit_types"] == ["AMA_PRA_1", "ABIM_MOC"]

    # edit: the minimum of the opioid rule up to 3, the Category 1 rule removed
    listed.get_by_role("button", name=f"Edit {name}").click()
    expect(page.get_by_role("heading", name=f"Edit “{name}”")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value(name)
    expect(page.get_by_role("group", name="Rule 2").get_by_label("Topic")).to_have_value("controlled_substances")
    page.get_by_role("group", name="Rule 2").get_by_label("Minimum credits").fill("3")
    page.get_by_role("button", name="Remove rule 1").click()
    expect(page.get_by_role("group", name=re.compile(r"^Rule \d$"))).to_have_count(1)
    expect(page.get_by_role("button", name="Remove rule 1")).to_be_disabled()  # a set keeps one rule
    expect(page.get_by_role("group", name="Rule 1").get_by_label("Rule text")).to_have_value("2 hours on opioids")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text=f"Saved “{name}”.")).to_be_visible()
    expect(page.get_by_role("heading", name="New requirement set")).to_be_visible()

    page.reload()
    listed = page.locator(".req-set").filter(has=page.get_by_role("heading", name=name))
    expect(listed).to_contain_text("24-month cycle · 1 rule")
    expect(listed).to_contain_text("Minimum 3.0 credits")
    expect(listed).not_to_contain_text("50 hours of Category 1")
    saved_again = _saved_set(base_url, name)
    assert saved_again["set_id"] == saved["set_id"]
    assert [(r["rule_id"], r["min_credits"]) for r in saved_again["rules"]] == [(saved["rules"][1]["rule_id"], 3.0)]
    problems.assert_none("on the requirement sets page")


def test_bad_input_shows_the_api_message_next_to_the_field(page: Any, problems: Any) -> None:
    _open(page)
    page.get_by_label("Name").fill(f"Bad {uuid.uuid4().hex[:6]}")
    rule = page.get_by_role("group", name="Rule 1")
    rule.get_by_role("group", name="Credit types").get_by_label(AMA).check()
    rule.get_by_label("Minimum credits").fill("0")
    page.get_by_role("button", name="Create set").click()
    message = "A rule's minimum is more than 0 and at most 1000 credits, in steps of 0.25."
    minimum = rule.get_by_label("Minimum credits")
    expect(minimum).to_have_attribute("aria-invalid", "true")
    expect(minimum).to_have_accessible_description(re.compile(re.escape(message)))
    expect(rule.locator(".field-error")).to_have_text(message)
    expect(page.get_by_role("alert")).to_have_text(message)

    # no credit type ticked: refused before the request, in the page's words
    minimum.fill("1")
    expect(minimum).not_to_have_attribute("aria-invalid", "true")
    rule.get_by_role("group", name="Credit types").get_by_label(AMA).uncheck()
    page.get_by_role("button", name="Create set").click()
    expect(rule.get_by_role("group", name="Credit types")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Choose at least one credit type.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Rule 1 credit types")

    # an empty required field is caught before the request
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create set").click()
    expect(page.get_by_text("Please enter the name of the set.")).to_be_visible()
    expect(page.get_by_label("Name")).to_be_focused()
    assert not problems.page_errors
    assert all("status of 422" in text for text in problems.console_errors), problems.console_errors


def test_a_new_rule_starts_with_no_credit_type_and_none_is_refused(page: Any, problems: Any, base_url: str) -> None:
    """A new rule ticks no credit type (it once started with AMA, and a nursing set silently
    became "AMA or ANCC or IPCE"); saving a rule with none ticked is refused, said beside it."""
    name = f"Nursing {uuid.uuid4().hex[:6]}"
    _open(page)
    rule = page.get_by_role("group", name="Rule 1")
    types = rule.get_by_role("group", name="Credit types")
    boxes = types.get_by_role("checkbox")
    expect(boxes.first).to_be_visible()
    assert boxes.count() > 2
    assert [box.is_checked() for box in boxes.all()] == [False] * boxes.count()
    page.get_by_role("button", name="Add rule").click()
    second = page.get_by_role("group", name="Rule 2").get_by_role("group", name="Credit types").get_by_role("checkbox")
    assert not any(box.is_checked() for box in second.all())
    page.get_by_role("button", name="Remove rule 2").click()

    page.get_by_label("Name").fill(name)
    rule.get_by_label("Minimum credits").fill("30")
    requests: list[str] = []
    page.on("request", lambda request: request.method == "POST" and requests.append(request.url))
    page.get_by_role("button", name="Create set").click()
    expect(types).to_have_attribute("aria-invalid", "true")
    expect(rule.locator(".field-error")).to_have_text("Choose at least one credit type.")
    expect(page.get_by_role("alert")).to_have_text("Please check these fields: Rule 1 credit types.")
    assert requests == []

    types.get_by_label("ANCC contact hours", exact=True).check()
    page.get_by_role("button", name="Create set").click()
    expect(page.get_by_role("status").filter(has_text=f"Created “{name}”.")).to_be_visible()
    assert _saved_set(base_url, name)["rules"][0]["credit_types"] == ["ANCC"]
    problems.assert_none("on the requirement sets page")


def test_learner_is_told_the_page_is_for_coordinators(page: Any, problems: Any) -> None:
    sign_in(page, "learner@example.org")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Requirement sets")).to_be_hidden()
    page.goto("/admin-requirements.html")
    alert = page.get_by_role("alert").filter(has_text=COORDINATORS_ONLY)
    expect(alert).to_be_visible()
    expect(alert.get_by_role("link", name="My Portal")).to_have_attribute("href", "/portal.html")
    expect(page.get_by_role("button", name="Create set")).to_be_hidden()
    assert not problems.page_errors
    assert all("status of 403" in text for text in problems.console_errors), problems.console_errors


def test_signed_out_visitor_is_sent_to_sign_in(page: Any) -> None:
    page.goto("/admin-requirements.html")
    expect(page).to_have_url(re.compile(r"/sign-in\.html\?next=%2Fadmin-requirements\.html$"))


def test_phone_no_sideways_scroll(browser: Any, base_url: str) -> None:
    phone = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        _open(page, via_menu=False)
        page.get_by_role("button", name="Add rule").click()
        no_sideways_scroll(page)
        page.get_by_role("button", name="Create set").click()  # rule 2's minimum is 1, the name is empty
        expect(page.get_by_text("Please enter the name of the set.")).to_be_visible()
        no_sideways_scroll(page)
        assert not errors
    finally:
        phone.close()
