"""Whole credit, ACPE's 60 days and an enduring material's end on the claim route and My activities
(issue 23; docs/api.md "Whole credit and the boards' limits"), and claims stored with partial
whole-only credit before these rules, which still read, list, print and verify as recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.test_certificates import fetch, pdf_text
from tests.integration.test_claim_lines import learner, lines_body
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create
from tests.support.client import ApiClient
from tests.support.clock import office_date

PEDIATRICS = [{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ABP_MOC", "max": 2.0}]
ABP_DETAILS = {"moc_consent": True, "board_ids": {"ABP": "123456"}, "birth_mmdd": "0704"}
NABP = {"nabp_eprofile_id": "1234567", "birth_mmdd": "1231"}
UAN = "JA0000001-0000-26-001-L01-P"


def on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The office's date only (the session stays fresh), as tests/integration/test_claims.py does."""
    from cme.platform import clock

    monkeypatch.setattr(clock, "office_today", lambda: day)


def mine(person: ApiClient, activity: dict[str, Any]) -> dict[str, Any]:
    rows = person.get("/api/me/activities").json["activities"]
    return next(row for row in rows if row["activity_id"] == activity["activity_id"])


def test_whole_abp_points_on_the_claim_route(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin, format="live", credits=PEDIATRICS)
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    short = md.post(
        "/api/me/claims",
        lines_body(
            activity,
            [{"credit_type": "AMA_PRA_1", "credits": 2.0}, {"credit_type": "ABP_MOC", "credits": 0.75}],
            **ABP_DETAILS,
        ),
    )
    assert short.status == 422 and short.json["code"] == "CREDITS_MUST_BE_FULL", short.json
    assert short.json["message"] == "ABP MOC points are awarded whole: claim 2.0."
    assert [d["field"] for d in short.json["details"]] == ["lines.1.credits"]
    # less AMA credit than the whole ABP amount: the whole rule answers, naming both ways out
    less_ama = md.post(
        "/api/me/claims",
        lines_body(
            activity,
            [{"credit_type": "AMA_PRA_1", "credits": 1.5}, {"credit_type": "ABP_MOC", "credits": 2.0}],
            **ABP_DETAILS,
        ),
    )
    assert less_ama.status == 422 and less_ama.json["code"] == "CREDITS_MUST_BE_FULL"
    assert less_ama.json["message"] == (
        "ABP MOC points are awarded whole: claim 2.0, with at least 2.0 AMA PRA Category 1 Credits™, or leave them out."
    )
    # partial AMA credit alone is still the physician's to claim
    assert md.post("/api/me/claims", claim_body(activity, credits=1.5)).status == 201


def test_whole_acpe_hours_on_the_claim_route(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin, format="live", credits=[{"type": "ACPE", "max": 2.0}], uan=UAN, uan_pharmacist=UAN)
    rph = learner(admin, new_client, outbox, activity, "rph", "PharmD")
    quarter = rph.post("/api/me/claims", claim_body(activity, credit_type="ACPE", credits=0.25, **NABP))
    assert quarter.status == 422 and quarter.json["code"] == "CREDITS_MUST_BE_FULL", quarter.json
    assert quarter.json["message"] == "ACPE contact hours are awarded whole: claim 2.0."
    assert [d["field"] for d in quarter.json["details"]] == ["credits"]
    whole = rph.post("/api/me/claims", claim_body(activity, credit_type="ACPE", credits=2.0, **NABP))
    assert whole.status == 201, whole.json


def test_acpe_closes_60_days_after_participation_whatever_the_window(
    admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = office_date()
    team = create(
        admin,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ACPE", "max": 2.0}],
        claim_window_days=365,
        uan=UAN,
        uan_pharmacist=UAN,
    )
    acpe_only = create(
        admin,
        title="Pharmacy only",
        format="live",
        credits=[{"type": "ACPE", "max": 2.0}],
        claim_window_days=365,
        uan=UAN,
        uan_pharmacist=UAN,
    )
    rph = learner(admin, new_client, outbox, team, "rph", "PharmD")
    admin.post(f"/api/admin/activities/{acpe_only['activity_id']}/attendance", {"rows": [{"email": "rph@example.org"}]})

    on(monkeypatch, today + timedelta(days=60))  # the 60th day: still open
    assert mine(rph, acpe_only)["status"] == "claimable"
    assert mine(rph, acpe_only)["claim_deadline"] == (today + timedelta(days=60)).isoformat()

    on(monkeypatch, today + timedelta(days=61))
    both = [{"credit_type": "PARTICIPATION", "credits": 2.0}, {"credit_type": "ACPE", "credits": 2.0}]
    late = rph.post("/api/me/claims", lines_body(team, both, **NABP))
    assert late.status == 422 and late.json["code"] == "CLAIM_WINDOW_CLOSED", late.json
    assert [d["field"] for d in late.json["details"]] == ["lines[1]"]
    assert "within 60 days of the date of participation" in late.json["message"]
    # the ACPE-only activity: its only claimable credit is closed, so the activity is
    only = mine(rph, acpe_only)
    assert only["status"] == "closed" and only["claim_deadline"] == (today + timedelta(days=60)).isoformat()
    assert only["reason"].startswith("ACPE contact hours could be claimed until ")
    one = rph.post("/api/me/claims", claim_body(acpe_only, credit_type="ACPE", credits=2.0, **NABP))
    assert one.status == 422 and [d["field"] for d in one.json["details"]] == ["lines[0]"]
    # the team activity stays open for what the pharmacist may still claim
    assert mine(rph, team)["status"] == "claimable"
    participation = rph.post("/api/me/claims", claim_body(team, credit_type="PARTICIPATION", credits=2.0))
    assert participation.status == 201, participation.json


def test_an_enduring_material_is_not_completed_after_its_end_date(
    admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = office_date()
    module = create(
        admin,
        format="enduring",
        start_date=(today - timedelta(days=30)).isoformat(),
        end_date=today.isoformat(),
        credits=[{"type": "AMA_PRA_1", "max": 1.0}],
        claim_window_days=90,
    )
    md = learner(admin, new_client, outbox, module, "md", "MD")
    row = mine(md, module)
    assert row["status"] == "claimable" and row["claim_deadline"] == today.isoformat()  # its end date, not +90

    on(monkeypatch, today + timedelta(days=1))
    expired = md.post("/api/me/claims", claim_body(module))
    assert expired.status == 422 and expired.json["code"] == "ACTIVITY_EXPIRED", expired.json
    assert [d["field"] for d in expired.json["details"]] == ["activity_id"]
    row = mine(md, module)
    assert row["status"] == "closed"
    assert row["reason"] == (
        f"This enduring material expired on {today:%B %-d, %Y}: it can no longer be completed for credit."
    )


def test_a_stored_partial_claim_still_reads_lists_prints_and_verifies(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    """Claims recorded with partial ABP or ACPE credit before the rule stay as they were."""
    from cme.platform.models import Certificate, Claim
    from cme.platform.models.tables import ClaimLine

    def as_partial(claim: dict[str, Any], lines: list[tuple[str, float]]) -> None:
        stored = [ClaimLine(credit_type=t, credits=c) for t, c in lines]
        record = next(c for c in Claim.scan() if c.claim_id == claim["claim_id"])
        record.update(actions=[Claim.lines.set(stored)])
        Certificate.get(claim["certificate_code"]).update(actions=[Certificate.lines.set(stored)])

    pediatrics = create(admin, format="live", credits=PEDIATRICS)
    md = learner(admin, new_client, outbox, pediatrics, "md", "MD")
    both = [{"credit_type": "AMA_PRA_1", "credits": 2.0}, {"credit_type": "ABP_MOC", "credits": 2.0}]
    abp = md.post("/api/me/claims", lines_body(pediatrics, both, **ABP_DETAILS)).json["claim"]
    as_partial(abp, [("AMA_PRA_1", 2.0), ("ABP_MOC", 0.75)])

    pharmacy = create(admin, format="live", credits=[{"type": "ACPE", "max": 2.0}], uan=UAN, uan_pharmacist=UAN)
    rph = learner(admin, new_client, outbox, pharmacy, "rph", "PharmD")
    acpe = rph.post("/api/me/claims", claim_body(pharmacy, credit_type="ACPE", credits=2.0, **NABP)).json["claim"]
    as_partial(acpe, [("ACPE", 0.25)])

    for person, claim, line in ((md, abp, ("ABP_MOC", 0.75)), (rph, acpe, ("ACPE", 0.25))):
        listed = person.get("/api/me/claims").json["claims"]
        assert [(x["credit_type"], x["credits"]) for x in listed[0]["lines"]][-1] == line
        rows = person.get("/api/me/transcript", query="format=json").json["rows"]
        assert (rows[-1]["credit_type"], rows[-1]["credits"]) == line
        transcript = person.get("/api/me/transcript", query="format=pdf")
        assert transcript.status == 200 and fetch(transcript.json["url"])[0].startswith(b"%PDF")
        certificate = person.get(f"/api/me/claims/{claim['claim_id']}/certificate")
        assert certificate.status == 200, certificate.json
        assert fetch(certificate.json["url"])[0].startswith(b"%PDF")
        verified = new_client().get(f"/api/verify/{claim['certificate_code']}").json
        assert [(x["credit_type"], x["credits"]) for x in verified["lines"]][-1] == line
    text = pdf_text(fetch(md.get(f"/api/me/claims/{abp['claim_id']}/certificate").json["url"])[0])
    assert "0.75 MOC points" in text and "American Board of Pediatrics" in text
