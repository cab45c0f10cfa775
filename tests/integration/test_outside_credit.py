"""Outside credit (docs/api.md "Outside credit and licence requirements"): a learner records credit
earned elsewhere, attaches its certificate by a pre-signed POST straight to S3, and downloads it
once its first bytes match its declared type; it shows on the transcript marked self-reported,
and only its owner sees or deletes it."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from pypdf import PdfReader

from tests.integration.conftest import account
from tests.integration.test_certificates import fetch
from tests.support.client import ApiClient
from tests.support.clock import START, office_date

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TEN_MB = 10 * 1024 * 1024


def outside_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Opioid Prescribing: Safe Practice",
        "provider": "State Medical Society",
        "completed_on": (office_date() - timedelta(days=10)).isoformat(),
        "credit_type": "AMA_PRA_1",
        "credits": 2.5,
        "topics": ["controlled_substances"],
    }
    body.update(overrides)
    return body


@pytest.fixture
def learner(new_client: Any) -> ApiClient:
    person = new_client()
    assert person.post("/api/accounts", account(email="own@example.org", degree="MD")).status == 201
    return person


@pytest.fixture
def other(new_client: Any) -> ApiClient:
    person = new_client()
    answer = person.post("/api/accounts", account(email="other@example.org", degree="MD", phone="(480) 555-0177"))
    assert answer.status == 201
    return person


def add(client: ApiClient, **overrides: Any) -> dict[str, Any]:
    answer = client.post("/api/me/outside-credits", outside_body(**overrides))
    assert answer.status == 201, answer.json
    return answer.json["outside_credit"]


def upload_form(client: ApiClient, outside_credit_id: str, content_type: str) -> dict[str, Any]:
    answer = client.post(f"/api/me/outside-credits/{outside_credit_id}/document", {"content_type": content_type})
    assert answer.status == 200, answer.json
    return answer.json["upload"]


def post_file(form: dict[str, Any], data: bytes, content_type: str) -> requests.Response:
    """The browser's multipart POST: the signed fields, then the file (moto answers in-process)."""
    files = {"file": ("certificate", data, content_type)}
    return requests.post(form["url"], data=form["fields"], files=files, timeout=10)


def policy_of(form: dict[str, Any]) -> dict[str, Any]:
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def test_add_list_and_delete(learner: ApiClient) -> None:
    created = add(learner)
    assert created["title"] == "Opioid Prescribing: Safe Practice"
    assert created["provider"] == "State Medical Society"
    assert created["credit_type"] == "AMA_PRA_1" and created["credits"] == 2.5
    assert created["topics"] == ["controlled_substances"]
    assert created["source"] == "outside" and created["self_reported"] is True
    assert created["document_type"] is None and created["document_checked"] is False
    assert re.fullmatch(r"[0-9a-f]{32}", created["outside_credit_id"])

    second = add(
        learner,
        title="Implicit Bias in Care",
        credits=1,
        topics=[],
        credit_type="ANCC",
        completed_on=(office_date() - timedelta(days=5)).isoformat(),
    )
    listed = learner.get("/api/me/outside-credits")
    assert listed.status == 200
    assert [item["outside_credit_id"] for item in listed.json["outside_credits"]] == [
        created["outside_credit_id"],
        second["outside_credit_id"],
    ]

    gone = learner.call("DELETE", f"/api/me/outside-credits/{created['outside_credit_id']}")
    assert gone.status == 204 and gone.raw == b""
    listed = learner.get("/api/me/outside-credits").json["outside_credits"]
    assert [item["outside_credit_id"] for item in listed] == [second["outside_credit_id"]]
    again = learner.call("DELETE", f"/api/me/outside-credits/{created['outside_credit_id']}")
    assert again.status == 404 and again.json["code"] == "OUTSIDE_CREDIT_NOT_FOUND"
    for odd in ("x" * 2000, "..%2F..", "0" * 31):
        answer = learner.get(f"/api/me/outside-credits/{odd}/document")
        assert answer.status == 404 and answer.json["code"] == "OUTSIDE_CREDIT_NOT_FOUND", odd


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"credits": 0}, "VALIDATION_FAILED", "credits"),
        ({"credits": -1}, "VALIDATION_FAILED", "credits"),
        ({"credits": 0.001}, "VALIDATION_FAILED", "credits"),
        ({"credits": 100.25}, "VALIDATION_FAILED", "credits"),
        ({"credit_type": "HOURS_OF_FUN"}, "VALIDATION_FAILED", "credit_type"),
        ({"completed_on": (START + timedelta(days=2)).date().isoformat()}, "COMPLETED_IN_FUTURE", "completed_on"),
        ({"completed_on": "2026-02-30"}, "VALIDATION_FAILED", "completed_on"),
        ({"title": "  "}, "VALIDATION_FAILED", "title"),
        ({"provider": ""}, "VALIDATION_FAILED", "provider"),
        ({"topics": ["astrology"]}, "TOPIC_UNKNOWN", "topics.0"),
    ],
)
def test_bad_entries_are_refused(learner: ApiClient, change: dict[str, Any], code: str, field: str) -> None:
    answer = learner.post("/api/me/outside-credits", outside_body(**change))
    assert answer.status == 422, answer.json
    assert answer.json["code"] == code and answer.json["message"]
    assert field in [detail["field"] for detail in answer.json["details"]], answer.json
    assert learner.get("/api/me/outside-credits").json["outside_credits"] == []


def test_signed_out_is_refused(client: ApiClient) -> None:
    for method, path, body in [
        ("GET", "/api/me/outside-credits", None),
        ("POST", "/api/me/outside-credits", outside_body()),
        ("DELETE", "/api/me/outside-credits/x", None),
        ("POST", "/api/me/outside-credits/x/document", {"content_type": "application/pdf"}),
        ("GET", "/api/me/outside-credits/x/document", None),
    ]:
        answer = client.call(method, path, body)
        assert answer.status == 401 and answer.json["code"] == "SIGN_IN_REQUIRED", (method, path)


def test_another_learner_is_refused(learner: ApiClient, other: ApiClient) -> None:
    mine = add(learner)
    path = f"/api/me/outside-credits/{mine['outside_credit_id']}"
    form = upload_form(learner, mine["outside_credit_id"], "application/pdf")
    assert post_file(form, PDF, "application/pdf").status_code == 204

    assert other.get("/api/me/outside-credits").json["outside_credits"] == []
    for answer in (
        other.call("DELETE", path),
        other.post(f"{path}/document", {"content_type": "application/pdf"}),
        other.get(f"{path}/document"),
    ):
        assert answer.status == 404 and answer.json["code"] == "OUTSIDE_CREDIT_NOT_FOUND", answer.json
    assert "Opioid" not in other.get("/api/me/transcript", query="format=json").raw.decode()
    # still there, still the owner's
    assert [item["outside_credit_id"] for item in learner.get("/api/me/outside-credits").json["outside_credits"]] == [
        mine["outside_credit_id"]
    ]
    assert learner.get(f"{path}/document").status == 200


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "image/jpeg"])
def test_the_signed_post_policy(learner: ApiClient, other: ApiClient, content_type: str) -> None:
    """moto does not enforce POST policies: the policy signed is what S3 would hold the upload to."""
    mine = add(learner)
    form = upload_form(learner, mine["outside_credit_id"], content_type)
    assert form["max_bytes"] == TEN_MB and 0 < form["expires_in"] <= 600
    fields = form["fields"]
    key = fields["key"]
    # a key of its own for each upload (never over the accepted certificate)
    assert re.fullmatch(rf"outside-credits/[^/]+/{mine['outside_credit_id']}/[0-9a-f]{{32}}", key), key
    assert fields["Content-Type"] == content_type
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and fields["x-amz-signature"]

    policy = policy_of(form)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, TEN_MB] in conditions
    assert {"Content-Type": content_type} in conditions
    assert {"key": key} in conditions  # exactly this object: no other key, no prefix
    assert {"bucket": "cme-local-documents-bucket"} in conditions
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions), conditions
    # the policy expires ``expires_in`` after it was signed (both stamped by botocore, to the second)
    signed = datetime.strptime(fields["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(0) <= signed + timedelta(seconds=form["expires_in"]) - expires <= timedelta(seconds=2)

    # each learner's files under their own prefix
    theirs = add(other)
    other_key = upload_form(other, theirs["outside_credit_id"], content_type)["fields"]["key"]
    assert other_key.split("/")[1] != key.split("/")[1]

    listed = learner.get("/api/me/outside-credits").json["outside_credits"][0]
    assert listed["document_type"] is None and listed["document_checked"] is False  # nothing accepted yet
    assert upload_form(learner, mine["outside_credit_id"], content_type)["fields"]["key"] != key  # one key per upload


def test_only_pdf_png_or_jpeg_may_be_declared(learner: ApiClient) -> None:
    mine = add(learner)
    for declared in ("text/html", "image/svg+xml", "application/octet-stream", ""):
        answer = learner.post(
            f"/api/me/outside-credits/{mine['outside_credit_id']}/document", {"content_type": declared}
        )
        assert answer.status == 422 and answer.json["code"] == "VALIDATION_FAILED", declared


def test_a_matching_file_downloads_by_a_fresh_link(learner: ApiClient) -> None:
    mine = add(learner)
    path = f"/api/me/outside-credits/{mine['outside_credit_id']}/document"
    missing = learner.get(path)
    assert missing.status == 404 and missing.json["code"] == "DOCUMENT_NOT_FOUND"
    form = upload_form(learner, mine["outside_credit_id"], "image/png")
    not_yet = learner.get(path)
    assert not_yet.status == 404 and not_yet.json["code"] == "DOCUMENT_NOT_FOUND"

    assert post_file(form, PNG, "image/png").status_code == 204
    answer = learner.get(path)
    assert answer.status == 200 and answer.json["expires_in"] == 300
    data, query = fetch(answer.json["url"])
    assert data == PNG
    assert query["response-content-disposition"][0].startswith("attachment;")
    assert query["response-content-type"] == ["image/png"]
    assert query["versionId"], "the link names the version whose bytes were checked"
    assert learner.get("/api/me/outside-credits").json["outside_credits"][0]["document_checked"] is True


def test_a_deleted_credits_certificate_is_marked_to_expire(learner: ApiClient) -> None:
    """No function may delete from S3: the deleted credit's file is tagged, and the bucket's
    lifecycle rule (DeletedOutsideCertificates) expires what carries the tag."""
    import boto3

    from cme.platform.settings import get_settings
    from infra.local import cfn

    mine = add(learner)
    form = upload_form(learner, mine["outside_credit_id"], "image/png")
    assert post_file(form, PNG, "image/png").status_code == 204
    kept = add(learner, title="Kept")
    kept_form = upload_form(learner, kept["outside_credit_id"], "image/png")
    assert post_file(kept_form, PNG, "image/png").status_code == 204
    never = add(learner, title="Never uploaded")
    upload_form(learner, never["outside_credit_id"], "application/pdf")  # a form asked for, no file sent

    assert learner.call("DELETE", f"/api/me/outside-credits/{mine['outside_credit_id']}").status == 204
    assert learner.call("DELETE", f"/api/me/outside-credits/{never['outside_credit_id']}").status == 204
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = get_settings().documents_bucket

    def tags(key: str) -> list[dict[str, str]]:
        return s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]

    assert tags(form["fields"]["key"]) == [{"Key": "cme-deleted", "Value": "true"}]
    assert tags(kept_form["fields"]["key"]) == []
    (rule,) = [
        r
        for r in cfn.template()["Resources"]["DocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        if r.get("TagFilters")
    ]
    assert rule["TagFilters"] == [{"Key": "cme-deleted", "Value": "true"}]
    assert rule["Prefix"] == "outside-credits/" and rule["ExpirationInDays"] == 1


def test_a_mismatched_file_is_refused_by_its_first_bytes(learner: ApiClient) -> None:
    mine = add(learner)
    path = f"/api/me/outside-credits/{mine['outside_credit_id']}/document"
    form = upload_form(learner, mine["outside_credit_id"], "application/pdf")
    # an HTML page sent as a PDF (moto does not enforce the policy's Content-Type; S3 would
    # refuse a different declared type, not different bytes)
    assert post_file(form, b"<html><script>alert(1)</script></html>", "application/pdf").status_code == 204
    refused = learner.get(path)
    assert refused.status == 422 and refused.json["code"] == "DOCUMENT_MISMATCH"
    assert "not a PDF" in refused.json["message"]
    assert "url" not in refused.json
    listed = learner.get("/api/me/outside-credits").json["outside_credits"][0]
    assert listed["document_mismatch"] is True and listed["document_checked"] is False

    # a JPEG declared as a PNG: refused too
    form = upload_form(learner, mine["outside_credit_id"], "image/png")
    assert post_file(form, JPEG, "image/png").status_code == 204
    assert learner.get(path).json["code"] == "DOCUMENT_MISMATCH"

    # attached again, right: served, and the mark cleared
    form = upload_form(learner, mine["outside_credit_id"], "image/jpeg")
    assert post_file(form, JPEG, "image/jpeg").status_code == 204
    answer = learner.get(path)
    assert answer.status == 200
    assert fetch(answer.json["url"])[0] == JPEG
    listed = learner.get("/api/me/outside-credits").json["outside_credits"][0]
    assert listed["document_mismatch"] is False and listed["document_checked"] is True


def test_a_refused_replacement_keeps_the_accepted_certificate(learner: ApiClient) -> None:
    """Issue 24: a replacement whose bytes are wrong, or that S3 never took, leaves the accepted
    certificate and its download as they were; a right one replaces it, and the old file is tagged."""
    from tests.integration.test_outside_sweep import DELETED, tags

    mine = add(learner)
    path = f"/api/me/outside-credits/{mine['outside_credit_id']}/document"
    good = upload_form(learner, mine["outside_credit_id"], "application/pdf")
    assert post_file(good, PDF, "application/pdf").status_code == 204
    assert learner.get(path).status == 200

    # a JPEG sent as a PNG: refused, said so, and the PDF stays
    wrong = upload_form(learner, mine["outside_credit_id"], "image/png")
    assert post_file(wrong, JPEG, "image/png").status_code == 204
    refused = learner.get(path)
    assert refused.status == 422 and refused.json["code"] == "DOCUMENT_MISMATCH"
    assert "not a PNG" in refused.json["message"] and "earlier certificate is kept" in refused.json["message"]
    listed = learner.get("/api/me/outside-credits").json["outside_credits"][0]
    assert (listed["document_type"], listed["document_checked"], listed["document_mismatch"]) == (
        "application/pdf",
        True,
        False,
    )
    kept = learner.get(path)
    assert kept.status == 200 and fetch(kept.json["url"])[0] == PDF
    assert tags(wrong["fields"]["key"]) == DELETED and tags(good["fields"]["key"]) == []

    # a form asked for and never used (S3 refused the file: too large, another type): the PDF stays
    upload_form(learner, mine["outside_credit_id"], "image/jpeg")
    still = learner.get(path)
    assert still.status == 200 and fetch(still.json["url"])[0] == PDF

    # a right replacement: served from now on, and the file it replaced is tagged to expire
    right = upload_form(learner, mine["outside_credit_id"], "image/png")
    assert post_file(right, PNG, "image/png").status_code == 204
    replaced = learner.get(path)
    assert replaced.status == 200 and fetch(replaced.json["url"])[0] == PNG
    listed = learner.get("/api/me/outside-credits").json["outside_credits"][0]
    assert listed["document_type"] == "image/png" and listed["document_checked"] is True
    assert tags(good["fields"]["key"]) == DELETED and tags(right["fields"]["key"]) == []


def test_a_file_replaced_after_its_check_is_checked_again(learner: ApiClient) -> None:
    """A still-valid form can put another file at the key: the link names the version checked."""
    mine = add(learner)
    path = f"/api/me/outside-credits/{mine['outside_credit_id']}/document"
    form = upload_form(learner, mine["outside_credit_id"], "application/pdf")
    assert post_file(form, PDF, "application/pdf").status_code == 204
    assert learner.get(path).status == 200
    assert post_file(form, b"MZ\x90\x00 not a pdf at all", "application/pdf").status_code == 204
    assert learner.get(path).json["code"] == "DOCUMENT_MISMATCH"


def test_the_document_stays_private(learner: ApiClient) -> None:
    mine = add(learner)
    form = upload_form(learner, mine["outside_credit_id"], "application/pdf")
    assert post_file(form, PDF, "application/pdf").status_code == 204
    s3 = boto3.client("s3", region_name="us-east-1")
    acl = s3.get_object_acl(Bucket="cme-local-documents-bucket", Key=form["fields"]["key"])
    assert all("AllUsers" not in json.dumps(grant) for grant in acl["Grants"])


def test_outside_credit_on_the_transcript_marked_self_reported(learner: ApiClient, other: ApiClient) -> None:
    add(learner)
    add(learner, title="Ethics Update", provider="Board Review Co.", credits=1.25, topics=["ethics"])
    add(learner, title="Long Ago", completed_on="2019-05-01")

    data = learner.get("/api/me/transcript", query=f"format=json&from={office_date().year - 1}-01-01").json
    rows = [row for row in data["rows"] if row["source"] == "outside"]
    assert [(r["title"], r["provider"], r["credits"], r["self_reported"]) for r in rows] == [
        ("Ethics Update", "Board Review Co.", 1.25, True),
        ("Opioid Prescribing: Safe Practice", "State Medical Society", 2.5, True),
    ]
    assert all(r["certificate_code"] is None and r["credit_type"] == "AMA_PRA_1" for r in rows)
    assert "Long Ago" not in [r["title"] for r in data["rows"]], "outside the range"
    # totals keep the portal's claimed credit and the self-reported credit apart
    assert data["totals"] == []
    assert data["outside_totals"] == [{"credit_type": "AMA_PRA_1", "label": rows[0]["label"], "credits": 3.75}]

    everything = learner.get("/api/me/transcript", query="format=json").json
    assert "Long Ago" in [r["title"] for r in everything["rows"]]

    csv_link = learner.get("/api/me/transcript", query="format=csv").json["url"]
    text = fetch(csv_link)[0].decode("utf-8").lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][-2:] == ["source", "provider"]
    outside_rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert {row["activity"] for row in outside_rows} == {
        "Opioid Prescribing: Safe Practice",
        "Ethics Update",
        "Long Ago",
    }
    assert all(row["source"] == "self-reported" and row["certificate_code"] == "" for row in outside_rows)
    assert {row["provider"] for row in outside_rows} == {"State Medical Society", "Board Review Co."}

    pdf_link = learner.get("/api/me/transcript", query="format=pdf").json["url"]
    reader = PdfReader(io.BytesIO(fetch(pdf_link)[0]))
    pdf = " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())
    assert "Outside credit (self-reported)" in pdf
    assert "Ethics Update (Board Review Co.)" in pdf and "Self-reported totals" in pdf

    # only the owner's transcript holds it
    theirs = other.get("/api/me/transcript", query="format=json").json
    assert theirs["rows"] == [] and theirs["outside_totals"] == []
