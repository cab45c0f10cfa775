"""Licence requirements at a glance (issue 15, part 3;
docs/api.md "Outside credit and licence requirements"): the office's requirement sets, activity
topics, and a learner's progress from claimed and outside credit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_claim_lines import AMA_MOC, MOC_DETAILS, learner, lines_body
from tests.integration.test_publisher import activity_body, create
from tests.support.client import ApiClient
from tests.support.clock import office_date

TOTAL = {"rule_id": "total", "text": "50 credits of AMA or MOC", "credit_types": ["AMA_PRA_1", "ABIM_MOC"]}
EXAMPLE = {
    "name": "Example: two-year cycle",
    "cycle_months": 24,
    "rules": [
        {**TOTAL, "min_credits": 50},
        {"credit_types": ["AMA_PRA_1"], "topic": "controlled_substances", "min_credits": 2},
    ],
}


def make_set(admin: ApiClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = admin.post("/api/admin/requirement-sets", body or EXAMPLE)
    assert answer.status == 201, answer.json
    return answer.json["requirement_set"]


def test_coordinators_keep_requirement_sets_and_every_change_is_audited(admin: ApiClient, client: ApiClient) -> None:
    made = make_set(admin)
    total, topic = made["rules"]
    assert made["name"] == EXAMPLE["name"] and made["cycle_months"] == 24
    assert total == {**TOTAL, "topic": None, "topic_label": None, "min_credits": 50.0}
    assert topic["rule_id"].startswith("rule-")  # generated when absent
    assert (
        topic["text"]
        == "At least 2 credits of AMA PRA Category 1 Credit™ on Controlled substances / opioid prescribing"
    )
    assert topic["topic_label"] == "Controlled substances / opioid prescribing"

    # a signed-in learner reads them, with the topic vocabulary
    assert client.post("/api/accounts", account()).status == 201
    listed = client.get("/api/requirement-sets")
    assert listed.status == 200
    assert listed.json["requirement_sets"] == [made]
    assert {"topic": "implicit_bias", "label": "Implicit bias"} in listed.json["topics"]

    changed = {**EXAMPLE, "name": "Example: renamed", "cycle_months": 36, "rules": [{**TOTAL, "min_credits": 75}]}
    answer = admin.put(f"/api/admin/requirement-sets/{made['set_id']}", changed)
    assert answer.status == 200, answer.json
    assert answer.json["requirement_set"]["rules"][0]["rule_id"] == "total"
    assert answer.json["requirement_set"]["rules"][0]["min_credits"] == 75.0
    assert client.get("/api/requirement-sets").json["requirement_sets"][0]["name"] == "Example: renamed"

    missing = admin.put("/api/admin/requirement-sets/no-such-set", changed)
    assert missing.status == 404 and missing.json["code"] == "NOT_FOUND"

    from cme.platform.models import AuditRecord

    records = list(AuditRecord.query(f"requirement-set#{made['set_id']}"))
    assert [r.action for r in records] == ["requirement_set_create", "requirement_set_update"]
    assert records[1].detail["before"]["name"] == EXAMPLE["name"]
    assert records[1].detail["after"]["cycle_months"] == 36


def test_a_rule_in_the_portals_words_is_worded_again_when_its_terms_change(admin: ApiClient) -> None:
    """The page sends a rule's text back as it was shown: words the portal wrote follow the
    rule's new minimum and topic; words the office wrote itself are kept as written."""
    made = make_set(admin)
    total, topic = made["rules"]
    edited = {
        **EXAMPLE,
        "rules": [
            {**total, "min_credits": 60},  # the office's own words ("50 credits of AMA or MOC")
            {**topic, "min_credits": 3, "topic": "pain_management"},  # the portal's words
        ],
    }
    answer = admin.put(f"/api/admin/requirement-sets/{made['set_id']}", edited)
    assert answer.status == 200, answer.json
    kept, reworded = answer.json["requirement_set"]["rules"]
    assert kept["text"] == TOTAL["text"] and kept["min_credits"] == 60.0
    assert reworded["rule_id"] == topic["rule_id"]
    assert reworded["text"] == "At least 3 credits of AMA PRA Category 1 Credit™ on Pain management"


def test_learners_may_not_keep_sets_and_strangers_see_nothing(
    admin: ApiClient, client: ApiClient, new_client: Any
) -> None:
    made = make_set(admin)
    assert client.post("/api/accounts", account()).status == 201
    stranger = new_client()
    for method, path in [
        ("POST", "/api/admin/requirement-sets"),
        ("PUT", f"/api/admin/requirement-sets/{made['set_id']}"),
    ]:
        refused = client.call(method, path, EXAMPLE)
        assert refused.status == 403 and refused.json["code"] == "FORBIDDEN", (method, path)
        assert stranger.call(method, path, EXAMPLE).json["code"] == "SIGN_IN_REQUIRED"
    for path in ("/api/requirement-sets", "/api/me/requirements"):
        answer = stranger.get(path)
        assert answer.status == 401 and answer.json["code"] == "SIGN_IN_REQUIRED", path
    assert stranger.put("/api/me/requirements", {"set_id": made["set_id"], "cycle_end": "2027-12-31"}).status == 401
    # the vocabulary is public (the catalogue shows activity topics)
    topics = stranger.get("/api/topics")
    assert topics.status == 200 and topics.json["topics"][0]["topic"] == "controlled_substances"


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"cycle_months": 0}, 422, "CYCLE_INVALID", "cycle_months"),
        ({"cycle_months": 121}, 422, "CYCLE_INVALID", "cycle_months"),
        ({"rules": [{"credit_types": ["CME_ANYTHING"], "min_credits": 1}]}, 422, "CREDIT_TYPE_UNKNOWN", None),
        ({"rules": [{"credit_types": ["AMA_PRA_1"], "min_credits": 0}]}, 422, "MIN_CREDITS_INVALID", None),
        ({"rules": [{"credit_types": ["AMA_PRA_1"], "min_credits": 2, "topic": "golf"}]}, 422, "TOPIC_UNKNOWN", None),
        ({"rules": []}, 422, "VALIDATION_FAILED", "rules"),
        ({"name": ""}, 422, "VALIDATION_FAILED", "name"),
        ({"cycle_months": "two years"}, 422, "VALIDATION_FAILED", "cycle_months"),
    ],
)
def test_a_bad_set_is_refused_with_the_reason(
    admin: ApiClient, change: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    answer = admin.post("/api/admin/requirement-sets", {**EXAMPLE, **change})
    assert answer.status == status and answer.json["code"] == code, answer.json
    if field:
        assert field in [d["field"] for d in answer.json["details"]]
    assert admin.get("/api/requirement-sets").json["requirement_sets"] == []


def test_activities_carry_topics_from_the_vocabulary(admin: ApiClient) -> None:
    made = create(admin, topics=["ethics", "controlled_substances"])
    assert made["topics"] == ["controlled_substances", "ethics"]  # the vocabulary's order
    public = admin.get(f"/api/activities/{made['activity_id']}")
    assert public.json["topics"] == ["controlled_substances", "ethics"]
    edited = admin.put(f"/api/admin/activities/{made['activity_id']}", activity_body(topics=[]))
    assert edited.status == 200 and edited.json["activity"]["topics"] == []
    refused = admin.post("/api/admin/activities", activity_body(topics=["opioids!"]))
    assert refused.status == 422 and refused.json["code"] == "TOPIC_UNKNOWN"
    assert refused.json["details"][0]["field"] == "topics.0"


@pytest.fixture
def opioid_world(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An activity on controlled substances (AMA + MOC), claimed by an MD as AMA 1.0 + MOC 1.0;
    another MD who attended too."""
    activity = create(
        admin,
        format="live",
        topics=["controlled_substances"],
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
    )
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    claimed = md.post("/api/me/claims", lines_body(activity, AMA_MOC, **MOC_DETAILS))
    assert claimed.status == 201, claimed.json
    other = learner(admin, new_client, outbox, activity, "rph", "MD")
    return {"activity": activity, "md": md, "other": other, "set": make_set(admin)}


def outside_credit(person: ApiClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Safe opioid prescribing (state society webinar)",
        "provider": "State Medical Society",
        "completed_on": office_date().isoformat(),
        "credit_type": "AMA_PRA_1",
        "credits": 1.0,
        "topics": ["controlled_substances"],
        **overrides,
    }
    answer = person.post("/api/me/outside-credits", body)
    assert answer.status == 201, answer.json
    return answer.json["outside_credit"]


def progress(person: ApiClient) -> dict[str, dict[str, Any]]:
    answer = person.get("/api/me/requirements")
    assert answer.status == 200, answer.json
    (tracked,) = answer.json["tracked"]
    return {r["rule_id"] if r["rule_id"] == "total" else "topic": r for r in tracked["rules"]}


def test_a_topic_rule_is_met_by_one_claim_and_one_outside_credit(opioid_world: dict[str, Any]) -> None:
    md, the_set = opioid_world["md"], opioid_world["set"]
    cycle_end = office_date() + timedelta(days=365)
    answer = md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": cycle_end.isoformat()})
    assert answer.status == 200, answer.json
    (tracked,) = answer.json["tracked"]
    assert tracked["name"] == EXAMPLE["name"] and tracked["cycle_end"] == cycle_end.isoformat()
    assert date.fromisoformat(tracked["cycle_start"]) < office_date()

    before = progress(md)
    # the AMA 1.0 + MOC 1.0 claim counts once toward the "AMA or MOC" total
    assert (before["total"]["earned"], before["total"]["required"], before["total"]["met"]) == (1.0, 50.0, False)
    assert (before["topic"]["earned"], before["topic"]["required"], before["topic"]["met"]) == (1.0, 2.0, False)

    outside_credit(md)
    after = progress(md)
    assert (after["topic"]["earned"], after["topic"]["met"]) == (2.0, True)
    assert after["total"]["earned"] == 2.0
    # outside credit off the topic counts toward the total only; of another type, toward nothing
    outside_credit(md, title="Sepsis update", topics=[], credits=3.0)
    outside_credit(md, title="Nursing hours", credit_type="ANCC", credits=4.0)
    last = progress(md)
    assert (last["total"]["earned"], last["topic"]["earned"]) == (5.0, 2.0)


def test_credit_outside_the_cycle_is_not_counted(opioid_world: dict[str, Any]) -> None:
    md, the_set = opioid_world["md"], opioid_world["set"]
    outside_credit(md, completed_on=(office_date() - timedelta(days=800)).isoformat(), credits=5.0)
    # a 24-month cycle ending in 800 days starts after today: today's claim and the old outside credit fall before it
    later = office_date() + timedelta(days=800)
    assert md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": later.isoformat()}).status == 200
    assert progress(md)["total"]["earned"] == 0.0
    # moving the cycle end takes the claim in (the PUT updates the tracked set)
    today = office_date().isoformat()
    assert md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": today}).status == 200
    assert progress(md)["total"]["earned"] == 1.0


def test_another_learners_credit_is_never_counted(opioid_world: dict[str, Any]) -> None:
    md, other, the_set = opioid_world["md"], opioid_world["other"], opioid_world["set"]
    outside_credit(md, credits=10.0)
    cycle = {"set_id": the_set["set_id"], "cycle_end": (office_date() + timedelta(days=30)).isoformat()}
    assert other.put("/api/me/requirements", cycle).status == 200
    theirs = progress(other)
    assert (theirs["total"]["earned"], theirs["topic"]["earned"]) == (0.0, 0.0)
    # and the MD's tracking is theirs alone
    assert md.get("/api/me/requirements").json == {"tracked": []}
    assert md.put("/api/me/requirements", cycle).status == 200
    assert progress(md)["total"]["earned"] == 11.0
    assert progress(other)["total"]["earned"] == 0.0


def test_a_claim_made_before_claims_carried_topics_takes_its_activitys(opioid_world: dict[str, Any]) -> None:
    from cme.platform.models import Claim

    md, the_set = opioid_world["md"], opioid_world["set"]
    (listed,) = Claim.by_activity.query(opioid_world["activity"]["activity_id"])  # the MD's, the only one
    stored = Claim.get(listed.learner_id, listed.activity_id)
    assert stored.topics == ["controlled_substances"]  # carried at claim time
    stored.update(actions=[Claim.topics.remove()])
    cycle = {"set_id": the_set["set_id"], "cycle_end": (office_date() + timedelta(days=30)).isoformat()}
    assert md.put("/api/me/requirements", cycle).status == 200
    assert progress(md)["topic"]["earned"] == 1.0


def test_tracking_checks_the_set_and_the_cycle_end_and_can_stop(opioid_world: dict[str, Any]) -> None:
    md, the_set = opioid_world["md"], opioid_world["set"]
    unknown = md.put("/api/me/requirements", {"set_id": "no-such-set", "cycle_end": "2035-12-31"})
    assert unknown.status == 404 and unknown.json["code"] == "NOT_FOUND"
    far = md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": "2199-12-31"})
    assert far.status == 422 and far.json["code"] == "CYCLE_END_INVALID"
    # a cycle that has already ended (yesterday, by the office's clock) is refused; one ending today is current
    yesterday = (office_date() - timedelta(days=1)).isoformat()
    ended = md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": yesterday})
    assert ended.status == 422 and ended.json["code"] == "CYCLE_END_INVALID"
    assert ended.json["details"][0]["field"] == "cycle_end" and "ended" in ended.json["message"]
    assert md.get("/api/me/requirements").json == {"tracked": []}
    today = office_date().isoformat()
    assert md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": today}).status == 200
    bad = md.put("/api/me/requirements", {"set_id": the_set["set_id"], "cycle_end": "2035-02-30"})
    assert bad.status == 422 and bad.json["code"] == "VALIDATION_FAILED"
    assert len(md.get("/api/me/requirements").json["tracked"]) == 1
    assert md.call("DELETE", f"/api/me/requirements/{the_set['set_id']}").status == 204
    assert md.get("/api/me/requirements").json == {"tracked": []}
    assert md.call("DELETE", f"/api/me/requirements/{the_set['set_id']}").status == 204  # harmless twice
    assert md.call("DELETE", "/api/me/requirements/" + "x" * 300).status == 204
