"""Records cannot be forged through the profile (issue 12, part 5).

- Degree: a certificate shows the degree of its claim; the learner's own degree change is
  refused once a claim exists (422 DEGREE_LOCKED); the office changes it through
  PUT /api/admin/learners/{learner_id}/degree, audited, and claims keep their degree.
- Name: corrections are kept and audited; the certificate printed under the old name answers
  ``valid: false, status: "replaced", replaced_on``, the new one ``status: "current"``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_certificates import fetch, pdf_text
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

AMA = "AMA PRA Category 1 Credit™"


def profile(**overrides: Any) -> dict[str, Any]:
    """The PUT /api/me body of the learner below."""
    fields: dict[str, Any] = {"email": "ines@example.org", "first_name": "Inés", "last_name": "Moreau", "degree": "RN"}
    return account(**{**fields, **overrides})


@pytest.fixture
def rn(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """A verified RN who attended an activity designated for AMA PRA Category 1 Credit."""
    activity = create(admin, format="live", title="Stroke Update 2026")
    learner = new_client()
    created = learner.post("/api/accounts", profile())
    assert created.status == 201, created.json
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)
    assert learner.post("/api/accounts/verify-email", {"token": token}).status == 200  # in its own session
    roster = admin.post(
        f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "ines@example.org"}]}
    )
    assert roster.json["added"] == 1
    return {"learner": learner, "activity": activity, "learner_id": created.json["learner"]["learner_id"]}


def claimed_as_md(rn: dict[str, Any]) -> dict[str, Any]:
    """The learner switches to MD (allowed: nothing claimed yet) and claims AMA credit."""
    learner = rn["learner"]
    switched = learner.put("/api/me", profile(degree="MD"))
    assert switched.status == 200 and switched.json["degree"] == "MD", switched.json
    answer = learner.post("/api/me/claims", claim_body(rn["activity"]))
    assert answer.status == 201, answer.json
    return answer.json["claim"]


def certificate_text(learner: ApiClient, claim_id: str) -> str:
    answer = learner.get(f"/api/me/claims/{claim_id}/certificate")
    assert answer.status == 200, answer.json
    data, _ = fetch(answer.json["url"])
    return pdf_text(data)


def recent(at: str) -> bool:
    """An audit record's time (ISO, then "#" and its id) is now, give or take a minute."""
    from cme.platform import clock

    when = datetime.fromisoformat(at.split("#", 1)[0])
    return abs((clock.now() - when).total_seconds()) < 60


def audit_records(learner_id: str, action: str) -> list[Any]:
    from cme.platform.models import AuditRecord

    return [r for r in AuditRecord.query(f"learner#{learner_id}") if r.action == action]


def test_rn_to_md_claim_then_back_to_rn_is_refused(rn: dict[str, Any], new_client: Any) -> None:
    learner = rn["learner"]
    claim = claimed_as_md(rn)
    back = learner.put("/api/me", profile(degree="RN"))
    assert back.status == 422 and back.json["code"] == "DEGREE_LOCKED", back.json
    assert back.json["message"] and back.json["details"][0]["field"] == "degree"
    assert learner.get("/api/me").json["degree"] == "MD"
    # the rest of the profile still saves while the degree stays as claimed
    same = learner.put("/api/me", profile(degree="MD", specialty="Neurology"))
    assert same.status == 200 and same.json["specialty"] == "Neurology"
    text = certificate_text(learner, claim["claim_id"])
    assert "Inés Moreau, MD" in text and AMA in text and ", RN" not in text
    verified = new_client().get(f"/api/verify/{claim['certificate_code']}").json
    assert verified["learner_name"] == "Inés Moreau, MD" and verified["status"] == "current"


def test_a_certificate_prints_the_degree_of_its_claim(rn: dict[str, Any], new_client: Any) -> None:
    """Even when the profile's degree is no longer the claim's (changed before this fix, or by
    the office), the certificate, a reissue and verification show the claim's degree."""
    from cme.platform.models import Learner

    learner = rn["learner"]
    claim = claimed_as_md(rn)
    Learner(rn["learner_id"]).update(actions=[Learner.degree.set("RN")])  # as the old bug left it
    text = certificate_text(learner, claim["claim_id"])
    assert "Inés Moreau, MD" in text and AMA in text, text
    assert "Inés Moreau, RN" not in text
    code = learner.get("/api/me/claims").json["claims"][0]["certificate_code"]
    assert code == claim["certificate_code"]  # a degree is no reason to reissue
    # a name correction reissues it: still the claim's degree
    renamed = learner.put("/api/me", profile(degree="RN", last_name="Moreau-Diallo"))
    assert renamed.status == 200, renamed.json
    text = certificate_text(learner, claim["claim_id"])
    assert "Inés Moreau-Diallo, MD" in text and AMA in text, text
    new_code = learner.get("/api/me/claims").json["claims"][0]["certificate_code"]
    assert new_client().get(f"/api/verify/{new_code}").json["learner_name"] == "Inés Moreau-Diallo, MD"


def test_the_office_changes_a_degree_audited(rn: dict[str, Any], admin: ApiClient, new_client: Any) -> None:
    learner, learner_id = rn["learner"], rn["learner_id"]
    claim = claimed_as_md(rn)
    url = f"/api/admin/learners/{learner_id}/degree"
    body = {"degree": "RN", "reason": "Registered nurse per licence lookup; MD chosen in error"}
    admin_id = admin.get("/api/me").json["learner_id"]

    answer = admin.put(url, body)
    assert answer.status == 200, answer.json
    assert answer.json["learner"]["learner_id"] == learner_id and answer.json["learner"]["degree"] == "RN"
    assert learner.get("/api/me").json["degree"] == "RN"
    (record,) = audit_records(learner_id, "degree_changed")
    assert record.actor == admin_id and recent(record.at)
    assert dict(record.detail.as_dict()) == {"old": "MD", "new": "RN", "reason": body["reason"]}

    # the claim keeps the degree it was made under
    text = certificate_text(learner, claim["claim_id"])
    assert "Inés Moreau, MD" in text and AMA in text
    assert learner.get("/api/me/claims").json["claims"][0]["certificate_code"] == claim["certificate_code"]

    # only coordinators, and only for a learner that exists, with a degree from the list
    assert learner.put(url, body).status == 403 and learner.put(url, body).json["code"] == "FORBIDDEN"
    nobody = new_client().put(url, body)
    assert nobody.status == 401 and nobody.json["code"] == "SIGN_IN_REQUIRED"
    unknown = admin.put("/api/admin/learners/00000000-0000-4000-8000-000000000000/degree", body)
    assert unknown.status == 404 and unknown.json["code"] == "NOT_FOUND"
    bad = admin.put(url, {"degree": "Wizard", "reason": "x"})
    assert bad.status == 422 and [d["field"] for d in bad.json["details"]] == ["degree"]
    no_reason = admin.put(url, {"degree": "NP", "reason": " "})
    assert no_reason.status == 422 and [d["field"] for d in no_reason.json["details"]] == ["reason"]
    assert len(audit_records(learner_id, "degree_changed")) == 1


def test_name_correction_is_audited_and_the_old_certificate_verifies_as_replaced(
    rn: dict[str, Any], new_client: Any
) -> None:
    from cme.platform.clock import office_today

    learner, learner_id = rn["learner"], rn["learner_id"]
    claim = claimed_as_md(rn)
    old_code = claim["certificate_code"]
    certificate_text(learner, claim["claim_id"])
    married = learner.put("/api/me", profile(degree="MD", last_name="Moreau-Diallo"))
    assert married.status == 200 and married.json["last_name"] == "Moreau-Diallo"

    (record,) = audit_records(learner_id, "name_changed")
    assert record.actor == learner_id and recent(record.at)
    assert record.detail.as_dict() == {
        "old": {"first_name": "Inés", "last_name": "Moreau"},
        "new": {"first_name": "Inés", "last_name": "Moreau-Diallo"},
    }
    assert record.source_ip and record.user_agent == "pytest"
    # saving the same name again is no name change
    assert learner.put("/api/me", profile(degree="MD", last_name="Moreau-Diallo")).status == 200
    assert len(audit_records(learner_id, "name_changed")) == 1

    assert "Inés Moreau-Diallo, MD" in certificate_text(learner, claim["claim_id"])
    new_code = learner.get("/api/me/claims").json["claims"][0]["certificate_code"]
    assert new_code != old_code
    public = new_client()
    old = public.get(f"/api/verify/{old_code}")
    assert old.status == 200, old.json
    assert old.json["valid"] is False and old.json["status"] == "replaced"
    assert old.json["replaced_on"] == office_today().isoformat()
    assert old.json["learner_name"] == "Inés Moreau, MD"  # as issued
    current = public.get(f"/api/verify/{new_code}").json
    assert current["valid"] is True and current["status"] == "current" and current.get("replaced_on") is None
    assert public.get("/api/verify/ZZZZZZZZZZZZ").status == 404


def test_a_certificate_under_a_borrowed_name_stops_verifying_when_the_name_goes_back(
    rn: dict[str, Any], new_client: Any
) -> None:
    """Rename to someone else, download, rename back, never download again: the certificate
    under the borrowed name verifies as replaced, not valid."""
    learner = rn["learner"]
    claim = claimed_as_md(rn)
    assert learner.put("/api/me", profile(degree="MD", first_name="Famous", last_name="Person")).status == 200
    assert "Famous Person, MD" in certificate_text(learner, claim["claim_id"])
    borrowed = learner.get("/api/me/claims").json["claims"][0]["certificate_code"]
    assert new_client().get(f"/api/verify/{borrowed}").json["valid"] is True
    assert learner.put("/api/me", profile(degree="MD")).status == 200  # the real name again

    answer = new_client().get(f"/api/verify/{borrowed}")
    assert answer.status == 200 and answer.json["valid"] is False, answer.json
    assert answer.json["status"] == "replaced"
    assert answer.json["learner_name"] == "Famous Person, MD"
    replacement = answer.json["superseded_by"]
    assert learner.get("/api/me/claims").json["claims"][0]["certificate_code"] == replacement
    fresh = new_client().get(f"/api/verify/{replacement}").json
    assert fresh["status"] == "current" and fresh["learner_name"] == "Inés Moreau, MD"
    assert "Inés Moreau, MD" in certificate_text(learner, claim["claim_id"])
    assert len(audit_records(rn["learner_id"], "name_changed")) == 2
