"""The certificate's signature block: the director's name and title from the template's
parameters (never placeholder text), and the optional signature image from S3, read once."""

from __future__ import annotations

import io
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from PIL import Image
from pypdf import PdfReader

from cme.platform.settings import reset_settings
from cme.records.pdf import signature
from cme.records.pdf.certificate import render
from infra.local import cfn
from tests.support.calls import count_calls
from tests.support.certificates import certificate

BUCKET = "cme-documents-test"
KEY = "signature/director.png"


def picture(kind: str = "PNG", size: tuple[int, int] = (600, 160)) -> bytes:
    """A signature-like picture: a dark stroke on white."""
    image = Image.new("RGB", size, "white")
    for x in range(20, size[0] - 20):
        image.putpixel((x, size[1] // 2 + (x % 40) - 20), (10, 20, 60))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def images_of(pdf: bytes) -> list[str]:
    return [image.name for image in PdfReader(io.BytesIO(pdf)).pages[0].images]


def test_the_name_and_title_under_a_line_without_an_image() -> None:
    pdf = render(certificate(director_name="Dana Whitfield, MD", director_title="Director, Continuing Education"))
    text = text_of(pdf)
    assert "Dana Whitfield, MD" in text and "Director, Continuing Education" in text
    assert "CME Director" not in text  # the sample's title is replaced, not added to
    assert images_of(pdf) == []  # the QR code is vector paths; nothing else is an image


def test_a_long_name_and_title_are_printed_whole() -> None:
    name = "Professor Bartholomew Alexander Featherstonehaugh-Montgomery, MD, PhD, FACP"
    title = "Associate Dean for Continuing Medical Education and Interprofessional Practice"
    text = text_of(render(certificate(director_name=name, director_title=title)))
    assert name in text and title in text


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_the_signature_image_is_drawn_above_the_line(kind: str) -> None:
    pdf = render(certificate(director_name="Dana Whitfield, MD", signature_image=picture(kind)))
    assert len(images_of(pdf)) == 1
    assert "Dana Whitfield, MD" in text_of(pdf)


def test_the_template_has_no_placeholder_signer() -> None:
    parameters = cfn.template()["Parameters"]
    assert "Default" not in parameters["CmeDirectorName"]  # the deployer names the signer
    assert parameters["SignatureImageKey"]["Default"] == ""
    env = cfn.template()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["CME_DIRECTOR_NAME"] == {"Ref": "CmeDirectorName"}
    assert env["SIGNATURE_IMAGE_KEY"] == {"Ref": "SignatureImageKey"}
    assert cfn.parameter("CmeDirectorName") == "Dana Whitfield, MD"  # the local stack's stand-in


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "DOCUMENTS_BUCKET": BUCKET,
        "SIGNATURE_IMAGE_KEY": KEY,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    from cme.platform.aws import reset_clients

    with mock_aws():
        reset_settings()
        reset_clients()
        signature.forget()
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client
        signature.forget()
        reset_settings()
        reset_clients()


def test_the_image_is_read_once_per_container(s3: object) -> None:
    body = picture()
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)  # type: ignore[attr-defined]
    with count_calls() as calls:
        assert signature.image() == body
        assert signature.image() == body
    assert dict(calls) == {"s3:GetObject": 1}


def test_no_key_no_image(s3: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNATURE_IMAGE_KEY", "")
    reset_settings()
    with count_calls() as calls:
        assert signature.image() is None
    assert dict(calls) == {}


@pytest.mark.parametrize("body", [None, b"not an image at all", b"GIF89a" + b"\x00" * 40])
def test_a_missing_or_unusable_image_leaves_the_name_and_title(
    s3: object, body: bytes | None, caplog: pytest.LogCaptureFixture
) -> None:
    if body is not None:
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)  # type: ignore[attr-defined]
    with count_calls() as calls:
        assert signature.image() is None
        assert signature.image() is None  # the mistake is logged once, not read again per certificate
    assert dict(calls) == {"s3:GetObject": 1}


def test_an_image_over_1_mb_is_not_drawn(s3: object) -> None:
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"\x89PNG\r\n\x1a\n" + b"\x00" * signature.MAX_BYTES)  # type: ignore[attr-defined]
    assert signature.image() is None
