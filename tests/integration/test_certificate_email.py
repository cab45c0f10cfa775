"""A claim is confirmed by email with the certificate PDF attached (issue 24): the claim queues
it, the certificates function (CertificateMailFunction) makes the PDF and sends it; once per
claim, even when SQS delivers the message again; a failed send is retried by SQS; office
setting EmailCertificates off: no email."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from pypdf import PdfReader

from tests.integration.test_claims_report import claim, person
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

EMAIL = "certified@example.org"


def _send(gateway: Any) -> dict[str, Any]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_certificate_mail

    settings = get_settings()
    return run_certificate_mail(gateway.invoke, settings.aws_region, settings.certificate_queue)


def _certificate_emails(outbox: Any) -> list[tuple[int, dict[str, Any]]]:
    return [
        (number, m)
        for number, m in enumerate(outbox(), start=1)
        if m["to"] == [EMAIL] and m["subject"].startswith("Your CME certificate")
    ]


@pytest.fixture
def claimed(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    activity = create(admin)
    learner = person(new_client, outbox, EMAIL, first_name="Carmen", last_name="Certa", degree="MD")
    rows = {"rows": [{"email": EMAIL, "first_name": "Carmen", "last_name": "Certa"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).json["added"] == 1
    claim(learner, activity, {"q1": "yes"})
    mine = learner.get("/api/me/claims").json["claims"][0]
    return {"activity": activity, "claim": mine, "learner": learner}


def test_the_claim_is_confirmed_by_email_with_the_certificate_attached(
    claimed: dict[str, Any], gateway: Any, outbox: Any
) -> None:
    from infra.local.outbox import attachment

    assert _certificate_emails(outbox) == []  # queued by the claim, sent by the certificates function
    result = _send(gateway)
    assert (result["processed"], result["failed"]) == (1, 0)
    [(number, message)] = _certificate_emails(outbox)
    code = claimed["claim"]["certificate_code"]
    assert claimed["activity"]["title"] in message["subject"]
    assert code in message["text"] and f"/verify.html?code={code}" in message["text"]
    assert [a["content_type"] for a in message["attachments"]] == ["application/pdf"]
    pdf = attachment(number, 1)
    assert pdf is not None
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Carmen Certa" in text and code in " ".join(text.split())
    # the same PDF the learner downloads: the download reuses the one made for the email
    from cme.platform.models import Certificate

    assert Certificate.get(code).s3_key.endswith(f"{claimed['claim']['claim_id']}.pdf")


def test_a_redelivered_message_sends_no_second_email(claimed: dict[str, Any], gateway: Any, outbox: Any) -> None:
    import boto3

    from cme.platform.models import EmailOwner
    from cme.platform.settings import get_settings

    assert _send(gateway)["processed"] == 1
    settings = get_settings()
    sqs = boto3.client("sqs", region_name=settings.aws_region)
    url = sqs.get_queue_url(QueueName=settings.certificate_queue.rsplit("/", 1)[-1])["QueueUrl"]
    task = {"learner_id": EmailOwner.get(EMAIL).learner_id, "claim_id": claimed["claim"]["claim_id"]}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(task))
    again = _send(gateway)
    assert (again["processed"], again["failed"]) == (1, 0)
    assert len(_certificate_emails(outbox)) == 1


def test_a_failed_send_is_retried_by_sqs_and_sent_once(
    claimed: dict[str, Any], gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform import mail
    from cme.platform.errors import ServiceUnavailable

    original = mail.send
    failures = [1]

    def flaky(*args: Any, **kwargs: Any) -> None:
        if failures:
            failures.pop()
            raise ServiceUnavailable("EMAIL_UNAVAILABLE", "SES refused")
        original(*args, **kwargs)

    monkeypatch.setattr(mail, "send", flaky)
    result = _send(gateway)
    assert (result["failed"], result["processed"], result["dead_lettered"]) == (1, 1, 0)
    assert len(_certificate_emails(outbox)) == 1


def test_a_name_corrected_before_the_email_goes_gets_the_corrected_certificate(
    claimed: dict[str, Any], gateway: Any, outbox: Any
) -> None:
    from infra.local.outbox import attachment
    from tests.integration.conftest import account

    old_code = claimed["claim"]["certificate_code"]
    corrected = account(email=EMAIL, first_name="Carmen", last_name="Certa-Ruiz", degree="MD")
    assert claimed["learner"].put("/api/me", corrected).status == 200
    assert _send(gateway)["processed"] == 1
    new_code = claimed["learner"].get("/api/me/claims").json["claims"][0]["certificate_code"]
    assert new_code != old_code
    [(number, message)] = _certificate_emails(outbox)
    assert new_code in message["text"] and old_code not in message["text"]
    pdf = attachment(number, 1)
    assert pdf is not None
    assert "Carmen Certa-Ruiz" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)


def test_office_setting_off_sends_no_certificate_email(
    admin: ApiClient, new_client: Any, outbox: Any, gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("EMAIL_CERTIFICATES", "false")
    reset_settings()
    activity = create(admin)
    learner = person(new_client, outbox, EMAIL, first_name="Carmen", last_name="Certa", degree="MD")
    rows = {"rows": [{"email": EMAIL, "first_name": "Carmen", "last_name": "Certa"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).json["added"] == 1
    claim(learner, activity, {"q1": "yes"})
    assert _send(gateway)["processed"] == 0
    assert _certificate_emails(outbox) == []
