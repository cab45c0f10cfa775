"""Documents in the private, versioned documents bucket (template.yaml ``DocumentsBucket``), in
one place (docs/architecture.md "One place for each fact"): storing one, reading one (whole or
its first bytes), and handing it out as a short-lived pre-signed link that downloads it as an
attachment under a safe file name.

Certificates (cme.records.certificates), transcripts (cme.records.transcripts), outside-credit certificates
(cme.records.outside) and the director's signature image (cme.records.pdf.signature) go through here. Each S3
call is botocore's, with its own retries (cme.platform.aws: 4 attempts, standard mode); a failure after
them is 503 ``STORAGE_UNAVAILABLE`` ("We could not <doing> just now. Please try again in a
minute."), logged by type or S3 code only (never the document, never a link).

A pre-signed link is signed, not sent: it makes no AWS call, names the key (and the version when
one is known, so the bytes served are the bytes written or checked), and is valid for
``settings.download_seconds`` (300 s).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cme.platform import aws
from cme.platform.errors import ServiceUnavailable
from cme.platform.observability import logger
from cme.platform.settings import get_settings

STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"
#: the S3 error codes of a GET that finds no object under the key (moto and S3 spell them so)
ABSENT = frozenset({"NoSuchKey", "404", "NotFound"})


def unavailable(doing: str) -> ServiceUnavailable:
    """503 ``STORAGE_UNAVAILABLE``: "We could not ``doing`` just now. Please try again in a minute."."""
    return ServiceUnavailable(STORAGE_UNAVAILABLE, f"We could not {doing} just now. Please try again in a minute.")


# ------------------------------------------------------------------ file names


def slug(text: str, limit: int = 60) -> str:
    """``text`` in ASCII letters, digits and dashes: accents folded (``Seán Ó Briain`` ->
    ``Sean-O-Briain``), every other run of characters one dash, at most ``limit`` characters,
    no dash at either end; "" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")


def safe_file_name(name: str) -> str:
    """A file name a ``Content-Disposition`` header carries as it is, on every browser: ASCII
    letters, digits, dots, dashes and underscores (accents folded, anything else a dash)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.") or "document"


def attachment(name: str) -> str:
    """The ``Content-Disposition`` that downloads a file as ``name`` (made safe) instead of
    opening it: for pre-signed links here, and for the CSVs the API answers with."""
    return f'attachment; filename="{safe_file_name(name)}"'


# ------------------------------------------------------------------ store, read, link


def store(
    key: str,
    body: bytes,
    content_type: str,
    *,
    what: str,
    doing: str,
    metadata: Mapping[str, str] | None = None,
    context: Mapping[str, Any] | None = None,
) -> str | None:
    """Put ``body`` under ``key`` with its content type (and metadata); returns the version S3
    gave it (None when the bucket keeps none). After botocore's retries, logs "<what> not
    stored" (with ``context`` and the error's type) and raises 503 ``unavailable(doing)``."""
    from botocore.exceptions import BotoCoreError, ClientError

    params: dict[str, Any] = {
        "Bucket": get_settings().documents_bucket,
        "Key": key,
        "Body": body,
        "ContentType": content_type,
    }
    if metadata:
        params["Metadata"] = dict(metadata)
    try:
        stored = aws.client("s3").put_object(**params)
    except (ClientError, BotoCoreError) as exc:
        logger.error(f"{what} not stored", extra={**(context or {}), "error": type(exc).__name__})
        raise unavailable(doing) from exc
    version = stored.get("VersionId")
    return str(version) if version else None


class Absent(Exception):
    """No document to read under the key (``code``: the S3 error code that said so)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Read:
    """What a GET read: ``body`` (b"" when the object is larger than the reader's limit),
    ``version`` (the version read; None when it has none), ``size`` (the whole object's size,
    when S3 said it)."""

    body: bytes
    version: str | None
    size: int | None


def read(
    key: str,
    *,
    what: str,
    doing: str,
    first: int | None = None,
    limit: int | None = None,
    bucket: str | None = None,
    absent: Collection[str] = ABSENT,
) -> Read:
    """One GetObject of ``key``: its first ``first`` bytes only (a ranged GET; an empty object
    reads as b""), or the whole object when it is at most ``limit`` bytes (b"" when larger).

    Raises ``Absent`` for an S3 error code in ``absent``; after botocore's retries any other
    failure is logged ("<what> not read", with the code or error type) and 503 ``unavailable(doing)``."""
    from botocore.exceptions import BotoCoreError, ClientError

    params: dict[str, Any] = {"Bucket": bucket or get_settings().documents_bucket, "Key": key}
    if first is not None:
        params["Range"] = f"bytes=0-{first - 1}"
    try:
        answer = aws.client("s3").get_object(**params)
        length = int(answer.get("ContentLength") or 0)
        size = _total_size(answer.get("ContentRange")) if first is not None else length
        if limit is not None and first is None:
            body = answer["Body"].read(limit + 1) if length <= limit else b""
        else:
            body = answer["Body"].read()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in absent:
            raise Absent(code) from None
        if first is not None and code == "InvalidRange":  # an empty object: no bytes to read
            return Read(body=b"", version=None, size=None)
        logger.error(f"{what} not read", extra={"error": code})
        raise unavailable(doing) from exc
    except BotoCoreError as exc:
        logger.error(f"{what} not read", extra={"error": type(exc).__name__})
        raise unavailable(doing) from exc
    version = answer.get("VersionId")
    return Read(body=body, version=str(version) if version and version != "null" else None, size=size)


def _total_size(content_range: str | None) -> int | None:
    """The object's whole size from a ranged GET's ``Content-Range: bytes 0-15/12345``."""
    if not content_range or "/" not in content_range:
        return None
    total = content_range.rsplit("/", 1)[1]
    return int(total) if total.isdigit() else None


def link(key: str, file_name: str, content_type: str, version: str | None = None) -> tuple[str, int]:
    """A pre-signed GET of ``key`` (of exactly ``version`` when given) that downloads as an
    attachment named ``file_name`` (made safe) with ``content_type``; (url, seconds valid)."""
    settings = get_settings()
    params: dict[str, Any] = {
        "Bucket": settings.documents_bucket,
        "Key": key,
        "ResponseContentDisposition": attachment(file_name),
        "ResponseContentType": content_type,
    }
    if version and version != "null":
        params["VersionId"] = version
    seconds = settings.download_seconds
    url = aws.client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    return url, seconds
