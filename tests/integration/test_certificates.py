"""Certificates: the PDF's text (pypdf), storage as issued, pre-signed links, IDOR, verification."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from pypdf import PdfReader

from tests.integration.conftest import account
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

AMA_STATEMENT = (
    "designates this live activity for a maximum of 1.0 AMA PRA Category 1 Credit™. Physicians should claim only "
    "the credit commensurate with the extent of their participation in the activity."
)


@pytest.fixture
def claimed(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    activity = create(admin, format="live", title="Medicine Grand Rounds: Sepsis — Early Recognition")
    learner = new_client()
    answer = learner.post(
        "/api/accounts", account(email="zoe@example.org", first_name="Zoë", last_name="Łukasiewicz-Müller", degree="MD")
    )
    assert answer.status == 201
    verify_primary(learner, outbox, new_client)
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "zoe@example.org"}]})
    claim = learner.post("/api/me/claims", claim_body(activity)).json["claim"]
    return {"learner": learner, "claim": claim, "activity": activity}


def fetch(url: str) -> tuple[bytes, dict[str, list[str]]]:
    """Follow a pre-signed URL the way a browser would (moto serves it in-process)."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    bucket, key = (
        parsed.path.lstrip("/").split("/", 1)
        if parsed.netloc.startswith("s3.")
        else (parsed.netloc.split(".")[0], parsed.path.lstrip("/"))
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    kwargs = {"Bucket": bucket, "Key": key}
    if "versionId" in query:
        kwargs["VersionId"] = query["versionId"][0]
    return s3.get_object(**kwargs)["Body"].read(), query


def pdf_text(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_certificate_content_and_link(claimed: dict[str, Any]) -> None:
    answer = claimed["learner"].get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate")
    assert answer.status == 200, answer.json
    assert answer.json["expires_in"] == 300
    data, query = fetch(answer.json["url"])
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"][0].startswith('attachment; filename="CME-certificate-')
    assert query["response-content-disposition"][0].endswith('-Medicine-Grand-Rounds-Sepsis-Early-Recognition.pdf"')
    text = pdf_text(data)
    assert "Zoë Łukasiewicz-Müller, MD" in text
    assert "Certificate of Credit" in text
    assert ", MD is awarded 1.0 AMA PRA Category 1 Credit™." in text
    assert AMA_STATEMENT in text
    assert "accredited by the Accreditation Council for Continuing Medical Education (ACCME)" in text
    assert claimed["claim"]["certificate_code"] in text
    assert f"/verify.html?code={claimed['claim']['certificate_code']}" in text


def test_made_once_and_kept_as_issued(claimed: dict[str, Any]) -> None:
    url = f"/api/me/claims/{claimed['claim']['claim_id']}/certificate"
    first = claimed["learner"].get(url).json["url"]
    second = claimed["learner"].get(url).json["url"]
    assert parse_qs(urlparse(first).query)["versionId"] == parse_qs(urlparse(second).query)["versionId"]
    versions = boto3.client("s3", region_name="us-east-1").list_object_versions(Bucket="cme-local-documents-bucket")
    assert len(versions["Versions"]) == 1


def test_another_learner_gets_404(claimed: dict[str, Any], new_client: Any) -> None:
    other = new_client()
    assert other.post("/api/accounts", account(email="other@example.org", phone="602-555-0111")).status == 201
    answer = other.get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate")
    assert answer.status == 404 and answer.json["code"] == "NOT_FOUND"
    assert new_client().get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate").status == 401


def test_name_correction_reissues_and_the_old_code_is_replaced(claimed: dict[str, Any], new_client: Any) -> None:
    learner, claim = claimed["learner"], claimed["claim"]
    url = f"/api/me/claims/{claim['claim_id']}/certificate"
    old_code = claim["certificate_code"]
    learner.get(url)
    learner.put(
        "/api/me",
        account(email="zoe@example.org", first_name="Zoë", last_name="Łukasiewicz-Müller-Nguyễn", degree="MD"),
    )
    data, _ = fetch(learner.get(url).json["url"])
    assert "Zoë Łukasiewicz-Müller-Nguyễn, MD" in pdf_text(data)
    new_code = learner.get("/api/me/claims").json["claims"][0]["certificate_code"]
    assert new_code != old_code and new_code in pdf_text(data)
    public = new_client()
    old = public.get(f"/api/verify/{old_code}").json
    assert old["valid"] is False and old["status"] == "replaced" and old["replaced_on"]
    assert old["superseded"] is True and old["superseded_by"] == new_code
    assert old["learner_name"] == "Zoë Łukasiewicz-Müller, MD"
    current = public.get(f"/api/verify/{new_code.lower()}").json
    assert current["valid"] is True and current["status"] == "current" and current["replaced_on"] is None
    assert current["superseded"] is False and current["learner_name"] == "Zoë Łukasiewicz-Müller-Nguyễn, MD"
    versions = boto3.client("s3", region_name="us-east-1").list_object_versions(Bucket="cme-local-documents-bucket")
    assert len(versions["Versions"]) == 2


def test_verification_shows_no_contact_details(claimed: dict[str, Any], new_client: Any) -> None:
    code = claimed["claim"]["certificate_code"]
    claimed["learner"].get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate")
    answer = new_client().get(f"/api/verify/{code}")
    assert answer.status == 200
    body = answer.json
    assert body["valid"] is True and body["status"] == "current"
    assert body["credit_type"] == "AMA_PRA_1" and body["credits"] == 1.0
    # nor the phone, (480) 555-0142, in any writing ("480" alone matched a timestamp's microseconds)
    raw = answer.raw.decode()
    assert "zoe@example.org" not in raw and not any(f in raw for f in ("(480)", "555-0142", "5550142", "555 0142"))
    unknown = new_client().get("/api/verify/ZZZZZZZZZZZZ")
    assert unknown.status == 404 and unknown.json["code"] == "NOT_FOUND"
    assert new_client().get("/api/verify/x").status == 404


def test_a_claims_code_verifies_before_any_download(claimed: dict[str, Any], new_client: Any) -> None:
    answer = new_client().get(f"/api/verify/{claimed['claim']['certificate_code']}")
    assert answer.status == 200 and answer.json["learner_name"] == "Zoë Łukasiewicz-Müller, MD"
    assert answer.json["superseded"] is False and answer.json["status"] == "current"


@pytest.mark.parametrize(
    ("degree", "credit_type", "words"),
    [("RN", "ANCC", "nursing contact hour"), ("PhD", "PARTICIPATION", "Certificate of Participation")],
)
def test_other_professions(
    admin: ApiClient, new_client: Any, outbox: Any, degree: str, credit_type: str, words: str
) -> None:
    activity = create(admin, format="live")
    learner = new_client()
    learner.post(
        "/api/accounts", account(email="n@example.org", degree=degree, first_name="Seán", last_name="Ó Briain")
    )
    verify_primary(learner, outbox, new_client)
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "n@example.org"}]})
    claim = learner.post("/api/me/claims", claim_body(activity, credit_type=credit_type)).json["claim"]
    data, _ = fetch(learner.get(f"/api/me/claims/{claim['claim_id']}/certificate").json["url"])
    text = pdf_text(data)
    assert words in text and "Seán Ó Briain" in text
    assert "for a maximum of 1.0 AMA PRA Category 1 Credit™" in text  # designated, stated for everyone


def test_storage_failure_is_a_clear_503(claimed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from cme.platform import aws

    def slow_down(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "SlowDown", "Message": "slow down"}}, "PutObject")

    monkeypatch.setattr(aws.client("s3"), "put_object", slow_down)
    answer = claimed["learner"].get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate")
    assert answer.status == 503 and answer.json["code"] == "STORAGE_UNAVAILABLE"
