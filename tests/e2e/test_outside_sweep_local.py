"""Issue 22 finding 7 on the local stack: the hourly sweep runs there too
(`POST /_local/schedules/outside-sweep/run`, what EventBridge Scheduler does in AWS), and a file
uploaded with a still-valid form after its credit was deleted ends up tagged to expire."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_sweep_tags_a_file_uploaded_after_its_credit_was_deleted(base_url: str) -> None:
    learner = StackClient(base_url)
    email = f"e2e-sweep-{uuid.uuid4().hex[:12]}@example.org"
    phone = f"+1480555{uuid.uuid4().int % 9000 + 1000}"
    profile = {"first_name": "Ines", "last_name": "Duarte", "degree": "MD", "phone": phone}
    status, body = learner.call(
        "POST", "/api/accounts", {"email": email, "password": "lantern orchard quietly", **profile}
    )
    assert status == 201, body
    entry = {
        "title": "Sepsis Update",
        "provider": "State Medical Society",
        "completed_on": (office_today() - timedelta(days=3)).isoformat(),
        "credit_type": "AMA_PRA_1",
        "credits": 1.0,
    }
    status, body = learner.call("POST", "/api/me/outside-credits", entry)
    assert status == 201, body
    credit = body["outside_credit"]["outside_credit_id"]
    status, body = learner.call("POST", f"/api/me/outside-credits/{credit}/document", {"content_type": "image/png"})
    assert status == 200 and body["upload"]["expires_in"] == 60, body
    form: dict[str, Any] = body["upload"]

    status, _ = learner.call("DELETE", f"/api/me/outside-credits/{credit}")
    assert status == 204
    files = {"file": ("certificate", PNG, "image/png")}
    assert requests.post(form["url"], data=form["fields"], files=files, timeout=10).status_code == 204

    status, run = StackClient(base_url).call("POST", "/_local/schedules/outside-sweep/run")
    assert status == 200 and run["marked"] >= 1, run
    where = urlsplit(form["url"])
    s3 = boto3.client(
        "s3",
        endpoint_url=f"{where.scheme}://{where.netloc}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = where.path.strip("/") or where.netloc.split(".", 1)[0]
    tags = s3.get_object_tagging(Bucket=bucket, Key=form["fields"]["key"])["TagSet"]
    assert tags == [{"Key": "cme-deleted", "Value": "true"}]
