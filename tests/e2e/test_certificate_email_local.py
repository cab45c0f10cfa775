"""The local stack emails a claim's certificate at once (what CertificateMailFunction's SQS event
source does in AWS): the email is in the local outbox with the PDF attached, readable by pypdf."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from tests.e2e.test_claim_flow import coordinator, today
from tests.e2e.test_claims_report import claimant
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e


def test_a_claim_through_the_local_stack_is_emailed_with_its_certificate(base_url: str) -> None:
    admin = coordinator(base_url)
    title = f"Grand Rounds: Syncope {uuid.uuid4().hex[:6]}"
    body = {
        "title": title,
        "format": "rss",
        "start_date": today().isoformat(),
        "end_date": today().isoformat(),
        "location": "Auditorium B",
        "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
        "claim_window_days": 30,
        "evaluation": [],
        "published": True,
    }
    status, created = admin.call("POST", "/api/admin/activities", body)
    assert status == 201, created
    email = claimant(base_url, created["activity"]["activity_id"], admin, "Imani", "Osei")
    stack = StackClient(base_url)
    status, box = stack.call("GET", "/_local/outbox.json")
    assert status == 200
    found = [m for m in box["messages"] if email in m["to"] and title in m["subject"]]
    assert len(found) == 1, [m["subject"] for m in box["messages"] if email in m["to"]]
    message = found[0]
    (pdf,) = message["attachments"]
    assert pdf["content_type"] == "application/pdf"
    status, data = stack.call("GET", pdf["url"])
    assert status == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Imani Osei" in text and "Grand Rounds" in text
