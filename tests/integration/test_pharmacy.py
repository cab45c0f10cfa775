"""Pharmacists and technicians, and IPCE only from a jointly accredited office, through the API (issue 23):
docs/domain.md "Pharmacists and technicians". The degrees served, an activity's UAN per audience, a
stored single UAN read by its suffix, and what a pharmacist and a technician claim and download."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_claim_lines import activity_day, certificate_text, lines_body
from tests.integration.test_claims import verify_primary
from tests.integration.test_publisher import activity_body, create
from tests.support.client import ApiClient

P_UAN = "0000-0000-26-001-L01-P"
T_UAN = "0000-0000-26-001-L01-T"
ACPE = [{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ACPE", "max": 2.0}]
PHONES = {"rph": "480-555-0151", "cpht": "480-555-0152", "pharmd": "480-555-0153"}


def attendee(admin: ApiClient, new_client: Any, outbox: Any, activity: dict[str, Any], who: str, degree: str) -> Any:
    person = new_client()
    made = person.post("/api/accounts", account(email=f"{who}@example.org", degree=degree, phone=PHONES[who]))
    assert made.status == 201, made.json
    verify_primary(person, outbox, new_client)
    rows = {"rows": [{"email": f"{who}@example.org"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).status == 200
    return person


def refused(admin: ApiClient, **body: Any) -> dict[str, Any]:
    answer = admin.post("/api/admin/activities", activity_body(**body))
    assert answer.status == 422, answer.json
    return answer.json


def test_the_degrees_are_served_in_one_list(client: ApiClient) -> None:
    degrees = client.get("/api/credit-types").json["degrees"]
    assert [d["degree"] for d in degrees] == [
        "MD", "DO", "PA-C", "APRN", "NP", "CRNA", "RN", "LPN", "PharmD", "RPh", "CPhT", "PhD", "Other"
    ]  # fmt: skip
    assert {"degree": "CPhT", "label": "CPhT (pharmacy technician)"} in degrees
    acpe = next(k for k in client.get("/api/credit-types").json["credit_types"] if k["type"] == "ACPE")
    assert acpe["headline"] == "Record of Participation" and acpe["claimants"] == ["CPhT", "PharmD", "RPh"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["uan_pharmacist", "uan_technician"]),  # ACPE designated, no UAN
        ({"uan_pharmacist": T_UAN}, ["uan_pharmacist"]),
        ({"uan_technician": P_UAN}, ["uan_technician"]),
        ({"uan_pharmacist": "JA-1"}, ["uan_pharmacist"]),
        ({"uan_pharmacist": "0000-0000-26-001-H01-P"}, ["uan_pharmacist"]),  # home study UAN, live activity
        ({"uan": "0000-0000-26-001-L01"}, ["uan"]),  # the older single field: no audience
        ({"uan": P_UAN, "uan_pharmacist": "0000-0000-26-002-L01-P"}, ["uan"]),  # two for one audience
    ],
)
def test_acpe_needs_a_uan_per_audience(admin: ApiClient, body: dict[str, Any], fields: list[str]) -> None:
    answer = refused(admin, credits=ACPE, **body)
    assert answer["code"] == "VALIDATION_FAILED"
    assert [d["field"] for d in answer["details"]] == fields


def test_uans_are_kept_per_audience(admin: ApiClient) -> None:
    both = create(admin, credits=ACPE, uan_pharmacist=P_UAN.lower(), uan_technician=T_UAN)
    assert (both["uan_pharmacist"], both["uan_technician"]) == (P_UAN, T_UAN)
    # an older client's single uan goes to the audience its suffix names
    technicians = create(admin, credits=ACPE, uan=T_UAN)
    assert (technicians["uan_pharmacist"], technicians["uan_technician"], technicians["uan"]) == (None, T_UAN, T_UAN)
    edited = admin.put(
        f"/api/admin/activities/{technicians['activity_id']}", activity_body(credits=ACPE, uan_pharmacist=P_UAN)
    )
    assert edited.status == 200, edited.json
    assert (edited.json["activity"]["uan_pharmacist"], edited.json["activity"]["uan_technician"]) == (P_UAN, None)


def test_a_stored_single_uan_is_read_by_its_suffix(admin: ApiClient) -> None:
    """An activity saved before UANs were per audience holds only ``uan`` (docs/operations.md "Upgrading")."""
    from cme.platform.models import Activity

    activity = create(admin, credits=ACPE, uan_pharmacist=P_UAN)
    record = Activity.get(activity["activity_id"])
    record.update(actions=[Activity.uan.set(T_UAN), Activity.uan_pharmacist.remove()])
    got = admin.get(f"/api/admin/activities/{activity['activity_id']}").json["activity"]
    assert (got["uan_pharmacist"], got["uan_technician"], got["uan"]) == (None, T_UAN, T_UAN)


def test_ipce_needs_joint_accreditation(admin: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform.settings import reset_settings

    team = [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "IPCE", "max": 1.0}]
    answer = refused(admin, credits=team)
    assert answer["code"] == "IPCE_NEEDS_JOINT_ACCREDITATION"
    assert [d["field"] for d in answer["details"]] == ["credits.1.type"]
    monkeypatch.setenv("JOINTLY_ACCREDITED", "true")
    reset_settings()
    assert [c["type"] for c in create(admin, credits=team)["credits"]] == ["AMA_PRA_1", "IPCE"]


def test_pharmacists_and_technicians_claim_under_their_uan(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin, format="live", credits=ACPE, uan_technician=T_UAN)
    rph = attendee(admin, new_client, outbox, activity, "rph", "RPh")
    cpht = attendee(admin, new_client, outbox, activity, "cpht", "CPhT")
    options = rph.get("/api/me/activities").json["activities"][0]["credit_options"]
    assert [o["type"] for o in options] == ["PARTICIPATION"]  # no -P UAN: no ACPE credit for pharmacists
    options = cpht.get("/api/me/activities").json["activities"][0]["credit_options"]
    assert [o["type"] for o in options] == ["ACPE", "PARTICIPATION"]

    reporting = {"nabp_eprofile_id": "7654321", "birth_mmdd": "0704"}
    claimed = cpht.post("/api/me/claims", lines_body(activity, [{"credit_type": "ACPE", "credits": 2.0}], **reporting))
    assert claimed.status == 201, claimed.json
    download = cpht.get(f"/api/me/claims/{claimed.json['claim']['claim_id']}/certificate").json["url"]
    assert "CPE-record-of-participation-" in download  # the file's name, never "certificate"
    text = certificate_text(cpht, claimed.json["claim"])
    assert "Record of Participation" in text and "Statement of Credit" not in text
    assert "Seán Ó Briain, CPhT" in text
    assert f"NABP e-Profile ID: 7654321 · Date of participation: {activity_day(activity)}" in text
    assert f"ACPE Universal Activity Number (UAN): {T_UAN} · Contact hours: 2.0 contact hours (0.2 CEUs)" in text
    assert "ACPE credit is awarded only through CPE Monitor" in text

    pharmd = attendee(admin, new_client, outbox, activity, "pharmd", "PharmD")
    refused_claim = pharmd.post(
        "/api/me/claims", lines_body(activity, [{"credit_type": "ACPE", "credits": 2.0}], **reporting)
    )
    assert refused_claim.status == 422 and refused_claim.json["code"] == "CREDIT_TYPE_NOT_ALLOWED"
