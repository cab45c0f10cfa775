"""Credit wording from one place (GET /api/credit-types), every credit type designable, and the
completion date on claims, certificates and transcripts (docs/api.md "Claims with several credit types")."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_certificates import fetch, pdf_text
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import activity_body, create
from tests.support.client import ApiClient
from tests.support.clock import office_date

ALL_TYPES = [
    "AMA_PRA_1",
    "ANCC",
    "ACPE",
    "AAPA_1",
    "ABIM_MOC",
    "PARTICIPATION",
    "IPCE",
    "ABA_MOC",
    "ABP_MOC",
    "ABS_MOC",
    "ABPATH_MOC",
    "ABO_MOC",
    "ABOTO_MOC",
]


def test_credit_types_need_no_session(client: ApiClient) -> None:
    answer = client.get("/api/credit-types")
    assert answer.status == 200, answer.json
    kinds = answer.json["credit_types"]
    assert sorted(k["type"] for k in kinds) == sorted(ALL_TYPES)
    for kind in kinds:
        assert kind["label"] and kind["unit"] and isinstance(kind["statement"], str), kind
        assert kind["statement"] or kind["type"] == "PARTICIPATION"
    by_type = {k["type"]: k for k in kinds}
    assert by_type["AMA_PRA_1"]["label"] == "AMA PRA Category 1 Credit™"
    assert by_type["ACPE"]["label"] == "ACPE contact hours"
    assert "Interprofessional Continuing Education (IPCE)" in by_type["IPCE"]["statement"]
    assert by_type["ABIM_MOC"]["moc_board"] == "ABIM"


def test_credit_types_serve_labels_by_amount(client: ApiClient) -> None:
    """The web wrote "1.5 AMA PRA Category 1 Credit™" where the certificate says "Credits™"."""
    by_type = {k["type"]: k for k in client.get("/api/credit-types").json["credit_types"]}
    assert (by_type["AMA_PRA_1"]["label_one"], by_type["AMA_PRA_1"]["label_other"]) == (
        "AMA PRA Category 1 Credit™",
        "AMA PRA Category 1 Credits™",
    )
    assert (by_type["ABIM_MOC"]["label_one"], by_type["ABIM_MOC"]["label_other"]) == (
        "ABIM MOC point",
        "ABIM MOC points",
    )
    assert (by_type["IPCE"]["label_one"], by_type["IPCE"]["label_other"]) == ("IPCE credit", "IPCE credits")
    for kind in by_type.values():
        assert kind["label_one"] and kind["label_other"] and kind["label_one"] != kind["label_other"], kind


def test_aapa_designation_needs_its_validity_date(admin: ApiClient) -> None:
    credits = [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "AAPA_1", "max": 1.0}]
    answer = admin.post("/api/admin/activities", activity_body(credits=credits))
    assert answer.status == 422 and answer.json["code"] == "VALIDATION_FAILED", answer.json
    assert [d["field"] for d in answer.json["details"]] == ["aapa_valid_until"]
    saved = create(admin, credits=credits, aapa_valid_until="2027-06-30")
    assert saved["aapa_valid_until"] == "2027-06-30"


def test_credit_types_serve_every_activity_formats_label(client: ApiClient) -> None:
    """The web's only source of the format labels (docs/domain.md "Completion date")."""
    answer = client.get("/api/credit-types")
    assert answer.status == 200, answer.json
    enduring_note = (
        "An enduring material is claimed up to its end date: it cannot be completed for credit after it, whatever "
        "the window."
    )
    assert answer.json["formats"] == [
        {"format": "live", "label": "Live activity", "window_note": None},
        {"format": "enduring", "label": "Enduring material", "window_note": enduring_note},
        {"format": "rss", "label": "Regularly scheduled series session", "window_note": None},
    ]


def test_every_credit_type_can_be_designated(
    admin: ApiClient, client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By a jointly accredited office (IPCE), with a UAN (ACPE)."""
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("JOINTLY_ACCREDITED", "true")
    reset_settings()
    credits = [{"type": t, "max": 1.0} for t in ALL_TYPES]
    activity = create(
        admin, credits=credits, aapa_valid_until="2027-06-30", uan_pharmacist="JA0000000-0000-26-001-L01-P"
    )  # AAPA's approval states its last day; ACPE is reported under a UAN
    assert [c["type"] for c in activity["credits"]] == ALL_TYPES
    listed = client.get(f"/api/activities/{activity['activity_id']}").json
    assert [c["type"] for c in listed["credits"]] == ALL_TYPES


def _learner(admin: ApiClient, new_client: Any, outbox: Any, email: str, degree: str = "MD") -> ApiClient:
    learner = new_client()
    answer = learner.post("/api/accounts", account(email=email, degree=degree, first_name="Ana", last_name="Ruiz"))
    assert answer.status == 201, answer.json
    verify_primary(learner, outbox, new_client)
    return learner


def _attend(admin: ApiClient, activity: dict[str, Any], email: str) -> None:
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": email}]})


def test_an_enduring_materials_certificate_shows_the_completion_day(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    from cme.platform.clock import office_today

    today = office_today()
    start, end = today - timedelta(days=20), today + timedelta(days=345)
    activity = create(
        admin,
        format="enduring",
        title="Opioid Prescribing: Safe Practice (online)",
        location="Online",
        start_date=start.isoformat(),
        end_date=end.isoformat(),
    )
    learner = _learner(admin, new_client, outbox, "ana@example.org")
    _attend(admin, activity, "ana@example.org")
    claim = learner.post("/api/me/claims", claim_body(activity)).json["claim"]
    assert claim["completed_on"] == today.isoformat()
    assert learner.get("/api/me/claims").json["claims"][0]["completed_on"] == today.isoformat()

    data, _ = fetch(learner.get(f"/api/me/claims/{claim['claim_id']}/certificate").json["url"])
    text = pdf_text(data)
    assert f"Enduring material, completed {today:%B} {today.day}, {today.year}" in text
    assert f"{end:%B} {end.day}, {end.year}" not in text  # not the availability window
    assert "designates this enduring material for a maximum of 1.0 AMA PRA Category 1 Credit™" in text
    verified = new_client().get(f"/api/verify/{claim['certificate_code']}").json
    assert verified["activity_date"] == f"completed {today:%B} {today.day}, {today.year}"

    # the transcript dates (and counts) it by the completion day too
    csv_answer = learner.get("/api/me/transcript", query=f"format=csv&from={today}&to={today}")
    rows = list(csv.reader(io.StringIO(fetch(csv_answer.json["url"])[0].decode("utf-8").lstrip("\ufeff"))))
    assert rows[1][:4] == [today.isoformat(), activity["title"], "AMA PRA Category 1 Credit™", "1"]


def test_a_three_day_conference_is_completed_on_its_last_day(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    today = office_date()
    first, last = today - timedelta(days=4), today - timedelta(days=2)
    activity = create(
        admin, format="live", title="Critical Care Conference", start_date=first.isoformat(), end_date=last.isoformat()
    )
    learner = _learner(admin, new_client, outbox, "cc@example.org", degree="DO")
    _attend(admin, activity, "cc@example.org")
    claim = learner.post("/api/me/claims", claim_body(activity)).json["claim"]
    assert claim["completed_on"] == last.isoformat()
    assert claim["activity_date"] == first.isoformat()
    csv_answer = learner.get("/api/me/transcript", query="format=csv")
    rows = list(csv.reader(io.StringIO(fetch(csv_answer.json["url"])[0].decode("utf-8").lstrip("\ufeff"))))
    assert rows[1][0] == last.isoformat()
    data, _ = fetch(learner.get(f"/api/me/claims/{claim['claim_id']}/certificate").json["url"])
    assert "Ana Ruiz, DO" in pdf_text(data)
