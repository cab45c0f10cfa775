"""A certificate carries the director's signature image from the documents bucket (template
parameter SignatureImageKey) with the name and title from the template's parameters; the
certificates function reads it under its own grant (signature/*)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from cme.platform.settings import get_settings, reset_settings
from cme.records.pdf import signature
from tests.integration.test_certificates import claimed, fetch, pdf_text
from tests.unit.test_certificate_signature import picture

__all__ = ["claimed"]  # the fixture, used below

KEY = "signature/director.jpg"


@pytest.fixture
def signed(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[bytes]:
    body = picture("JPEG")
    monkeypatch.setenv("SIGNATURE_IMAGE_KEY", KEY)
    monkeypatch.setenv("CME_DIRECTOR_NAME", "Dr. Imani Okafor")
    monkeypatch.setenv("CME_DIRECTOR_TITLE", "Vice Chair, Continuing Medical Education")
    reset_settings()
    signature.forget()
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=get_settings().documents_bucket, Key=KEY, Body=body)
    yield body
    signature.forget()


def test_the_certificate_is_signed(signed: bytes, claimed: dict[str, Any]) -> None:
    answer = claimed["learner"].get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate")
    assert answer.status == 200, answer.json
    pdf, _ = fetch(answer.json["url"])
    text = pdf_text(pdf)
    assert "Dr. Imani Okafor" in text and "Vice Chair, Continuing Medical Education" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1


def test_the_local_stack_signs_with_its_stand_in(claimed: dict[str, Any]) -> None:
    answer = claimed["learner"].get(f"/api/me/claims/{claimed['claim']['claim_id']}/certificate")
    pdf, _ = fetch(answer.json["url"])
    text = pdf_text(pdf)
    assert "Dana Whitfield, MD" in text and "Director of Continuing Medical Education" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0


def test_the_emailed_certificate_is_signed(signed: bytes, claimed: dict[str, Any], gateway: Any, outbox: Any) -> None:
    """CertificateMailFunction makes the PDF under its own grant (signature/*) when the email is
    the certificate's first use."""
    from infra.local.outbox import attachment
    from infra.local.scheduler import run_certificate_mail

    settings = get_settings()
    assert run_certificate_mail(gateway.invoke, settings.aws_region, settings.certificate_queue)["processed"] == 1
    number = next(n for n, m in enumerate(outbox(), start=1) if m["subject"].startswith("Your CME certificate"))
    pdf = attachment(number, 1)
    assert pdf is not None
    assert "Dr. Imani Okafor" in pdf_text(pdf.data)
    assert len(PdfReader(io.BytesIO(pdf.data)).pages[0].images) == 1
