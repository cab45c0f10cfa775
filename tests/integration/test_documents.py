"""The S3 documents module (cme.platform.documents) on moto's documents bucket, made from template.yaml
(versioned): a document stored with its type, a failure after botocore's retries as 503
``STORAGE_UNAVAILABLE``, reads (whole, first bytes, absent), and the pre-signed attachment link's
signed parameters (moto does not check signatures, so the test checks what is signed)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from cme.platform import aws as cme_aws
from cme.platform import documents
from cme.platform.errors import ServiceUnavailable
from cme.platform.settings import get_settings
from tests.integration.test_certificates import fetch


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


@pytest.fixture
def s3_fails(aws: None, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int, str], list[str]]:
    """Answer every attempt of one S3 operation with an S3 error (status, code), before moto's
    answer is used; returns the list the attempts are counted in. botocore's backoff between its
    retries is not waited out (its delay is 0 here)."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)

    def install(operation: str, status: int, code: str) -> list[str]:
        attempts: list[str] = []

        def refuse(request: Any, **_: Any) -> AWSResponse:
            attempts.append(request.url)
            body = f"<Error><Code>{code}</Code><Message>refused here</Message></Error>".encode()
            return AWSResponse(request.url, status, {"Content-Type": "application/xml"}, _Raw(body))

        cme_aws.client("s3").meta.events.register_first(f"before-send.s3.{operation}", refuse)
        return attempts

    return install


def _key() -> str:
    return f"tests/{uuid.uuid4().hex}/document.pdf"


def test_a_document_is_stored_with_its_type_and_metadata(aws: None) -> None:
    key = _key()
    version = documents.store(
        key, b"%PDF-1.7 hello", "application/pdf", what="test document", doing="x", metadata={"certificate-code": "C1"}
    )
    stored = boto3.client("s3", region_name="us-east-1").get_object(Bucket=get_settings().documents_bucket, Key=key)
    assert stored["Body"].read() == b"%PDF-1.7 hello"
    assert stored["ContentType"] == "application/pdf"
    assert stored["Metadata"] == {"certificate-code": "C1"}
    assert version and version == stored["VersionId"]  # the bucket is versioned (template.yaml)


def test_a_failed_store_is_503_storage_unavailable_after_botocores_retries(
    s3_fails: Callable[[str, int, str], list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    attempts = s3_fails("PutObject", 500, "InternalError")
    with caplog.at_level(logging.ERROR), pytest.raises(ServiceUnavailable) as refused:
        documents.store(_key(), b"secret body", "text/csv", what="transcript", doing="prepare your transcript")
    assert len(attempts) == 4  # cme.platform.aws: 4 attempts per S3 call, standard mode
    assert refused.value.code == "STORAGE_UNAVAILABLE"
    assert refused.value.message == "We could not prepare your transcript just now. Please try again in a minute."
    assert "transcript not stored" in caplog.text and "secret body" not in caplog.text


def test_the_link_signs_an_attachment_of_the_version_for_the_download_time(aws: None) -> None:
    key = _key()
    first = documents.store(key, b"first", "application/pdf", what="test document", doing="x")
    documents.store(key, b"second", "application/pdf", what="test document", doing="x")
    url, seconds = documents.link(
        key, "CME-certificate-2026-03-03-Año nuevo: Seán Ó Briain.pdf", "application/pdf", first
    )
    assert seconds == get_settings().download_seconds
    query = parse_qs(urlparse(url).query)
    assert query["X-Amz-Expires"] == [str(seconds)]
    assert query["response-content-disposition"] == [
        'attachment; filename="CME-certificate-2026-03-03-Ano-nuevo-Sean-O-Briain.pdf"'
    ]
    assert query["response-content-type"] == ["application/pdf"]
    assert query["versionId"] == [first]
    body, _ = fetch(url)
    assert body == b"first"  # the version named, not the latest


@pytest.mark.parametrize("version", [None, "", "null"])
def test_without_a_version_the_link_names_none(aws: None, version: str | None) -> None:
    url, _ = documents.link(_key(), "CME-transcript-all-to-2026-03-03.csv", "text/csv; charset=utf-8", version)
    query = parse_qs(urlparse(url).query)
    assert "versionId" not in query
    assert query["response-content-disposition"] == ['attachment; filename="CME-transcript-all-to-2026-03-03.csv"']


def test_reads_whole_first_bytes_over_the_limit_and_absent(aws: None) -> None:
    key = _key()
    version = documents.store(key, b"0123456789" * 3, "application/pdf", what="test document", doing="x")
    whole = documents.read(key, what="test document", doing="x")
    assert whole == documents.Read(body=b"0123456789" * 3, version=version, size=30)
    head = documents.read(key, what="test document", doing="x", first=4)
    assert head == documents.Read(body=b"0123", version=version, size=30)
    over = documents.read(key, what="test document", doing="x", limit=29)
    assert over.body == b"" and over.size == 30  # not read at all: the caller refuses it by size
    empty = _key()
    documents.store(empty, b"", "application/pdf", what="test document", doing="x")
    assert documents.read(empty, what="test document", doing="x", first=4).body == b""
    with pytest.raises(documents.Absent) as absent:
        documents.read(_key(), what="test document", doing="x", first=4)
    assert absent.value.code == "NoSuchKey"


def test_a_failed_read_is_503_after_botocores_retries(s3_fails: Callable[[str, int, str], list[str]]) -> None:
    attempts = s3_fails("GetObject", 503, "SlowDown")
    with pytest.raises(ServiceUnavailable) as refused:
        documents.read(_key(), what="outside credit document", doing="reach the certificate store", first=16)
    assert len(attempts) == 4
    assert refused.value.code == "STORAGE_UNAVAILABLE"
    assert refused.value.message == "We could not reach the certificate store just now. Please try again in a minute."
