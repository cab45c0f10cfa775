"""Several credit lines per claim (issue 13, part 2; docs/api.md "Claims with several credit types"):
AMA + MOC in one claim, a jointly accredited team activity, the details MOC and ACPE reporting
need, and claims from before lines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_certificates import AMA_STATEMENT, fetch, pdf_text
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

ABIM_STATEMENT = (
    "Successful completion of this CME activity, which includes participation in the evaluation component, "
    "enables the participant to earn up to 1.0 Medical Knowledge MOC points in the American Board of Internal "
    "Medicine's (ABIM) Maintenance of Certification (MOC) program. It is the CME activity provider's responsibility "
    "to submit participant completion information to ACCME for the purpose of granting ABIM MOC credit."
)
ACCME = "is accredited by the Accreditation Council for Continuing Medical Education (ACCME) to provide"
JOINT = (
    "In support of improving patient care, Continuing Medical Education Office is jointly accredited by the "
    "Accreditation Council for Continuing Medical Education (ACCME), the Accreditation Council for Pharmacy "
    "Education (ACPE), and the American Nurses Credentialing Center (ANCC), to provide continuing education for the "
    "healthcare team."
)
IPCE = (
    "This activity was planned by and for the healthcare team, and learners will receive 1.0 Interprofessional "
    "Continuing Education (IPCE) credit for learning and change."
)
AMA_MOC = [{"credit_type": "AMA_PRA_1", "credits": 1.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}]
MOC_DETAILS = {"moc_consent": True, "board_ids": {"ABIM": "123456"}, "birth_mmdd": "0704"}
TEAM = [
    {"type": "AMA_PRA_1", "max": 1.0},
    {"type": "ANCC", "max": 1.0},
    {"type": "ACPE", "max": 1.0},
    {"type": "IPCE", "max": 1.0},
]
UAN = "JA0000001-0000-26-001-L01-P"


def activity_day(activity: dict[str, Any]) -> str:
    """A one-day live activity's date as documents print it ("March 3, 2026")."""
    from datetime import date

    return f"{date.fromisoformat(activity['end_date']):%B %-d, %Y}"


def learner(admin: ApiClient, new_client: Any, outbox: Any, activity: dict[str, Any], who: str, degree: str) -> Any:
    person = new_client()
    phone = {"md": "480-555-0131", "rn": "480-555-0132", "rph": "480-555-0133", "pa": "480-555-0134"}[who]
    body = account(email=f"{who}@example.org", degree=degree, phone=phone)
    assert person.post("/api/accounts", body).status == 201
    verify_primary(person, outbox, new_client)
    admin.post(
        f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": f"{who}@example.org"}]}
    )
    return person


def lines_body(activity: dict[str, Any], lines: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    body = claim_body(activity, lines=lines, **more)
    del body["credit_type"], body["credits"]
    return body


def certificate_text(person: ApiClient, claim: dict[str, Any]) -> str:
    answer = person.get(f"/api/me/claims/{claim['claim_id']}/certificate")
    assert answer.status == 200, answer.json
    return pdf_text(fetch(answer.json["url"])[0])


@pytest.fixture
def moc(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    activity = create(
        admin, format="live", credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}]
    )
    return {"activity": activity, "md": learner(admin, new_client, outbox, activity, "md", "MD")}


def test_an_md_claims_ama_and_moc_in_one_claim(moc: dict[str, Any], new_client: Any) -> None:
    md, activity = moc["md"], moc["activity"]
    answer = md.post("/api/me/claims", lines_body(activity, list(reversed(AMA_MOC)), **MOC_DETAILS))
    assert answer.status == 201, answer.json
    claim = answer.json["claim"]
    assert (claim["credit_type"], claim["credits"]) == ("AMA_PRA_1", 1.0)  # the first line
    assert claim["lines"] == [
        {"credit_type": "AMA_PRA_1", "credits": 1.0, "label": "AMA PRA Category 1 Credit™"},
        {"credit_type": "ABIM_MOC", "credits": 1.0, "label": "ABIM MOC points"},
    ]
    # what the claim form added is kept in the profile (saved with the claim)
    profile = md.get("/api/me").json
    assert profile["board_ids"] == {"ABIM": "123456"} and profile["birth_mmdd"] == "0704"
    assert md.get("/api/me/claims").json["claims"][0]["lines"] == claim["lines"]
    # a retry is the same claim
    again = md.post("/api/me/claims", lines_body(activity, AMA_MOC, **MOC_DETAILS))
    assert again.status == 201 and again.json == answer.json

    text = certificate_text(md, claim)
    assert ", MD is awarded 1.0 AMA PRA Category 1 Credit™." in text
    assert ", MD has also earned 1.0 Medical Knowledge MOC point in the American Board of Internal Medicine's" in text
    assert AMA_STATEMENT in text and ABIM_STATEMENT in text and ACCME in text
    assert "jointly accredited" not in text
    verified = new_client().get(f"/api/verify/{claim['certificate_code']}").json
    assert verified["credit_type"] == "AMA_PRA_1" and verified["lines"] == claim["lines"]


def test_moc_details_required(moc: dict[str, Any]) -> None:
    md, activity = moc["md"], moc["activity"]
    answer = md.post("/api/me/claims", lines_body(activity, AMA_MOC))
    assert answer.status == 422 and answer.json["code"] == "MOC_DETAILS_REQUIRED"
    assert [d["field"] for d in answer.json["details"]] == ["moc_consent", "board_ids.ABIM", "birth_mmdd"]
    # the profile holds the board id and birthday: only the consent is missing
    profile = account(email="md@example.org", degree="MD", phone="480-555-0131", board_ids={"ABIM": "123456"})
    assert md.put("/api/me", {**profile, "birth_mmdd": "0229"}).status == 200
    answer = md.post("/api/me/claims", lines_body(activity, AMA_MOC))
    assert answer.json["code"] == "MOC_DETAILS_REQUIRED"
    assert [d["field"] for d in answer.json["details"]] == ["moc_consent"]
    assert md.post("/api/me/claims", lines_body(activity, AMA_MOC, moc_consent=True)).status == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_type": "AMA_PRA_1", "credits": 1.0}, "lines"),  # both ways at once
        ({"lines": []}, "lines"),
        ({"lines": AMA_MOC[:1] * 2}, "lines.1.credit_type"),  # one type twice
        ({"lines": AMA_MOC[1:]}, "lines.0.credits"),  # MOC points without the AMA credit
        ({"lines": [AMA_MOC[0] | {"credits": 0.5}, AMA_MOC[1]]}, "lines.1.credits"),  # more MOC than AMA
        ({"lines": [AMA_MOC[0], AMA_MOC[1] | {"credits": 1.25}]}, "lines.1.credits"),  # over the designation
    ],
)
def test_credits_invalid(moc: dict[str, Any], change: dict[str, Any], field: str) -> None:
    body = lines_body(moc["activity"], AMA_MOC, **MOC_DETAILS) | change
    answer = moc["md"].post("/api/me/claims", body)
    assert answer.status == 422 and answer.json["code"] == "CREDITS_INVALID", answer.json
    assert answer.json["details"][0]["field"] == field


def test_profile_reporting_fields(moc: dict[str, Any]) -> None:
    md = moc["md"]
    profile = account(email="md@example.org", degree="MD", phone="480-555-0131")
    saved = md.put("/api/me", profile | {"board_ids": {"ABIM": "123456"}, "nabp_eprofile_id": "1234567"})
    assert saved.status == 200, saved.json
    assert saved.json["board_ids"] == {"ABIM": "123456"}
    assert saved.json["nabp_eprofile_id"] == "1234567"
    assert md.put("/api/me", profile).json["board_ids"] == {"ABIM": "123456"}  # omitted: unchanged
    for bad in ({"birth_mmdd": "0230"}, {"birth_mmdd": "1301"}, {"birth_mmdd": "7"}, {"nabp_eprofile_id": "x1"}):
        answer = md.put("/api/me", profile | bad)
        assert answer.status == 422 and answer.json["code"] == "VALIDATION_FAILED", bad
    unknown = md.put("/api/me", profile | {"board_ids": {"XYZ": "1"}})
    assert unknown.status == 422 and unknown.json["code"] == "BOARD_UNKNOWN"
    cleared = md.put("/api/me", profile | {"board_ids": {}, "nabp_eprofile_id": ""}).json
    assert cleared["board_ids"] == {} and cleared["nabp_eprofile_id"] is None


def test_field_errors_in_words(moc: dict[str, Any]) -> None:
    """ "Please check: birth mmdd." and an ABIM id "12ab" that passed (docs/domain.md "Board ids")."""
    md, activity = moc["md"], moc["activity"]
    profile = account(email="md@example.org", degree="MD", phone="480-555-0131")
    for typed in ("07/04", "7/4", "0704"):  # the way people write a birthday, kept as MMDD
        saved = md.put("/api/me", profile | {"birth_mmdd": typed})
        assert saved.status == 200 and saved.json["birth_mmdd"] == "0704", (typed, saved.json)
    for bad in ("13/01", "02/30", "July 4", "7"):
        answer = md.put("/api/me", profile | {"birth_mmdd": bad})
        assert answer.status == 422 and answer.json["code"] == "VALIDATION_FAILED", bad
        assert answer.json["message"] == "Enter your birth month and day, e.g. 07/04."
        assert answer.json["details"] == [
            {"field": "birth_mmdd", "message": "Enter your birth month and day, e.g. 07/04."}
        ]
    wrong = md.put("/api/me", profile | {"board_ids": {"ABIM": "12ab"}})
    assert wrong.status == 422 and wrong.json["code"] == "VALIDATION_FAILED", wrong.json
    assert wrong.json["details"] == [
        {"field": "board_ids.ABIM", "message": "Enter your ABIM id: 6 digits, e.g. 123456."}
    ]
    # the same from the claim form, and nothing is recorded
    claimed = md.post(
        "/api/me/claims", lines_body(activity, AMA_MOC, **(MOC_DETAILS | {"board_ids": {"ABIM": "12ab"}}))
    )
    assert claimed.status == 422 and claimed.json["details"][0]["field"] == "board_ids.ABIM"
    assert md.get("/api/me/claims").json["claims"] == []
    typed = md.post("/api/me/claims", lines_body(activity, AMA_MOC, **(MOC_DETAILS | {"birth_mmdd": "07/04"})))
    assert typed.status == 201, typed.json
    assert md.get("/api/me").json["birth_mmdd"] == "0704"


def test_each_profession_attests_in_its_own_words(
    moc: dict[str, Any], admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    """Nurses and pharmacists attested "Physicians should claim only the credit commensurate..."."""
    rn = learner(admin, new_client, outbox, moc["activity"], "rn", "RN")
    nurse = rn.get("/api/me/activities").json["attestation"]
    assert nurse.startswith("I attest that I participated in this activity.") and "Physicians" not in nurse
    assert "Nurses should claim only the contact hours" in nurse
    physician = moc["md"].get("/api/me/activities").json["attestation"]
    assert "Physicians should claim only the credit commensurate" in physician


def test_a_jointly_accredited_team_activity(
    admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("JOINTLY_ACCREDITED", "true")
    reset_settings()
    activity = create(admin, format="live", credits=TEAM, uan=UAN)
    rn = learner(admin, new_client, outbox, activity, "rn", "RN")
    rph = learner(admin, new_client, outbox, activity, "rph", "PharmD")
    options = {a["activity_id"]: a["credit_options"] for a in rph.get("/api/me/activities").json["activities"]}
    assert [c["type"] for c in options[activity["activity_id"]]] == ["ACPE", "IPCE", "PARTICIPATION"]

    nurse = rn.post("/api/me/claims", lines_body(activity, [{"credit_type": "ANCC", "credits": 1.0}]))
    assert nurse.status == 201, nurse.json
    text = certificate_text(rn, nurse.json["claim"])
    assert ", RN is awarded 1.0 nursing contact hour (ANCC)." in text
    assert JOINT in text and AMA_STATEMENT in text
    assert ACCME not in text and "accredited as a provider of nursing continuing professional development" not in text
    assert "Nursing contact hours awarded: 1.0. Continuing Medical Education Office, 1 Hospital Way" in text

    acpe = [{"credit_type": "ACPE", "credits": 1.0}, {"credit_type": "IPCE", "credits": 1.0}]
    missing = rph.post("/api/me/claims", lines_body(activity, acpe))
    assert missing.status == 422 and missing.json["code"] == "CPE_DETAILS_REQUIRED"
    assert [d["field"] for d in missing.json["details"]] == ["nabp_eprofile_id", "birth_mmdd"]
    pharmacist = rph.post("/api/me/claims", lines_body(activity, acpe, nabp_eprofile_id="1234567", birth_mmdd="1231"))
    assert pharmacist.status == 201, pharmacist.json
    assert [x["credit_type"] for x in pharmacist.json["claim"]["lines"]] == ["ACPE", "IPCE"]
    text = certificate_text(rph, pharmacist.json["claim"])
    assert "Record of Participation" in text and "Statement of Credit" not in text  # ACPE: CPE Monitor awards it
    assert f"NABP e-Profile ID: 1234567 · Date of participation: {activity_day(activity)}" in text
    assert f"ACPE Universal Activity Number (UAN): {UAN} · Contact hours: 1.0 contact hour (0.1 CEUs)" in text
    assert JOINT in text and IPCE in text
    assert (
        ACCME not in text and "accredited by the Accreditation Council for Pharmacy Education as a provider" not in text
    )
    profile = rph.get("/api/me").json
    assert (profile["nabp_eprofile_id"], profile["birth_mmdd"]) == ("1234567", "1231")


def test_a_claim_from_before_lines_still_lists_and_downloads(moc: dict[str, Any], new_client: Any) -> None:
    from cme.platform.models import Certificate, Claim

    md = moc["md"]
    claim = md.post("/api/me/claims", claim_body(moc["activity"])).json["claim"]
    # as recorded before claims had lines
    for record in (*Claim.query(next(iter(Claim.scan())).learner_id), Certificate.get(claim["certificate_code"])):
        record.update(actions=[type(record).lines.remove()])
    one = [{"credit_type": "AMA_PRA_1", "credits": 1.0, "label": "AMA PRA Category 1 Credit™"}]
    listed = md.get("/api/me/claims").json["claims"]
    assert [(c["claim_id"], c["lines"]) for c in listed] == [(claim["claim_id"], one)]
    text = certificate_text(md, claim)
    assert ", MD is awarded 1.0 AMA PRA Category 1 Credit™." in text and ABIM_STATEMENT not in text
    assert new_client().get(f"/api/verify/{claim['certificate_code']}").json["lines"] == one


def test_the_coordinators_report_lists_every_line(moc: dict[str, Any], admin: ApiClient) -> None:
    assert moc["md"].post("/api/me/claims", lines_body(moc["activity"], AMA_MOC, **MOC_DETAILS)).status == 201
    url = f"/api/admin/activities/{moc['activity']['activity_id']}/claims"
    row = admin.get(url).json["claims"][0]
    assert (row["credit_type"], [x["credit_type"] for x in row["lines"]]) == ("AMA_PRA_1", ["AMA_PRA_1", "ABIM_MOC"])
    rows = admin.get(url, query="format=csv").raw.decode("utf-8-sig").splitlines()[1:]
    # the Credit and Credits columns (cme.credit.claims_report.CSV_COLUMNS), in the credit module's words
    assert [r.split(",")[8:10] for r in rows] == [["AMA PRA Category 1 Credit™", "1"], ["ABIM MOC points", "1"]]


def test_a_pas_certificate_states_the_aapa_approval_date(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    """The activity's aapa_valid_until reaches the AAPA statement of the certificate a PA downloads."""
    credits = [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "AAPA_1", "max": 1.0}]
    activity = create(admin, format="live", credits=credits, aapa_valid_until="2027-06-30")
    pa = learner(admin, new_client, outbox, activity, "pa", "PA-C")
    answer = pa.post("/api/me/claims", lines_body(activity, [{"credit_type": "AAPA_1", "credits": 1.0}]))
    assert answer.status == 201, answer.json
    assert pa.get("/api/me/activities").json["attestation"] == (
        "I attest that I participated in this activity. PAs should only claim credit commensurate with the extent of "
        "their participation."
    )
    text = certificate_text(pa, answer.json["claim"])
    assert ", PA-C is awarded 1.0 AAPA Category 1 CME credit." in text
    assert (
        "This activity is designated for 1.0 AAPA Category 1 CME credit. Approval is valid until June 30, 2027." in text
    )
