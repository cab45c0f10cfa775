"""Outside credit: CME a learner earned elsewhere and records here, marked self-reported wherever
it appears (the transcript, requirement progress), with its certificate attached.

The certificate goes from the browser straight to the documents bucket with a pre-signed POST
whose policy allows one object, under this credit's key, of the declared type (PDF, PNG or JPEG)
and at most ``MAX_DOCUMENT_BYTES``. S3 enforces the policy; nothing here can see the file go
up, so before the file is ever served its first bytes are read (a ranged GET) and must match
the declared type. A match is served by a fresh pre-signed GET of exactly the version checked,
as an attachment; a mismatch is refused (``DOCUMENT_MISMATCH``), marked, and kept private.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from cme.platform import aws, clock, documents, throttle
from cme.platform.errors import InvalidInput, NotFound
from cme.platform.models import get_many
from cme.platform.models.tables import OutsideCredit
from cme.platform.observability import logger
from cme.platform.schemas import DocumentType, OutsideCreditIn, OutsideCreditOut
from cme.platform.settings import get_settings
from cme.publishing import topics
from cme.rules import credit

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: how long a pre-signed upload form may be used (the browser asks for it once the file is picked)
UPLOAD_SECONDS = 60
#: the key prefix of outside-credit certificates in the documents bucket (per learner below it)
PREFIX = "outside-credits"
#: bytes read from the start of an uploaded file (Range GetObject) to tell its type
SNIFF_BYTES = 16

#: what each allowed type's file starts with, and the extension its key carries
SIGNATURES: dict[DocumentType, tuple[bytes, str]] = {
    DocumentType.PDF: (b"%PDF-", "pdf"),
    DocumentType.PNG: (b"\x89PNG\r\n\x1a\n", "png"),
    DocumentType.JPEG: (b"\xff\xd8\xff", "jpg"),
}
TYPE_WORDS = {DocumentType.PDF: "a PDF", DocumentType.PNG: "a PNG image", DocumentType.JPEG: "a JPEG image"}

NOT_FOUND = "There is no such outside credit on your record."
ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex, as add() makes them


def outside_credits(learner_id: str) -> list[OutsideCredit]:
    """The learner's outside credit (one Query of their partition), oldest completion first."""
    found = list(OutsideCredit.query(learner_id))
    found.sort(key=lambda item: (item.completed_on, item.title))
    return found


def as_out(item: OutsideCredit) -> OutsideCreditOut:
    return OutsideCreditOut(
        outside_credit_id=item.outside_credit_id,
        title=item.title,
        provider=item.provider,
        completed_on=date.fromisoformat(item.completed_on),
        credit_type=item.credit_type,  # type: ignore[arg-type]  # validated when stored
        label=credit.label(item.credit_type),
        credits=float(item.credits),
        topics=[str(topic) for topic in item.topics or []],
        document_type=item.document_type,  # type: ignore[arg-type]
        document_checked=bool(item.document_checked),
        document_mismatch=bool(item.document_mismatch),
        created_at=item.created_at,
    )


def _find(learner_id: str, outside_credit_id: str) -> OutsideCredit:
    """The learner's own outside credit; another learner's (or none) is 404 alike."""
    if not ID.fullmatch(outside_credit_id):  # never a key DynamoDB would refuse
        raise NotFound("OUTSIDE_CREDIT_NOT_FOUND", NOT_FOUND)
    try:
        return OutsideCredit.get(learner_id, outside_credit_id, consistent_read=True)
    except OutsideCredit.DoesNotExist:
        raise NotFound("OUTSIDE_CREDIT_NOT_FOUND", NOT_FOUND) from None


def add(learner_id: str, entry: OutsideCreditIn) -> OutsideCredit:
    """Record credit earned elsewhere. 422 for a completion date in the future, an unknown topic,
    or a learner who already holds ``outside_credits_per_learner`` (one Query that counts them).

    The cap bounds what one learner's transcript costs to draw; two adds at the same moment may
    both pass the count, so a learner can pass it by their own concurrent requests, not more."""
    if entry.completed_on > clock.office_today():
        message = "The completion date cannot be in the future."
        raise InvalidInput("COMPLETED_IN_FUTURE", message, [{"field": "completed_on", "message": message}])
    most = get_settings().outside_credits_per_learner
    if OutsideCredit.count(learner_id, consistent_read=True, limit=most) >= most:
        raise InvalidInput(
            "TOO_MANY_OUTSIDE_CREDITS", f"You already have {most} outside credits recorded; remove one to add another."
        )
    item = OutsideCredit(
        learner_id,
        uuid.uuid4().hex,
        title=entry.title,
        provider=entry.provider,
        completed_on=entry.completed_on.isoformat(),
        credit_type=str(entry.credit_type),
        credits=round(float(entry.credits), 2),
        topics=topics.check_topics(list(entry.topics)),
        created_at=clock.now(),
    )
    item.save(condition=OutsideCredit.outside_credit_id.does_not_exist())
    return item


#: the tag that has the bucket's lifecycle rule (DeletedOutsideCertificates, template.yaml)
#: expire a deleted credit's certificate: the functions may not delete from S3
DELETED_TAG = {"Key": "cme-deleted", "Value": "true"}


def remove(learner_id: str, outside_credit_id: str) -> None:
    """Delete the learner's own outside credit (404 when not theirs), then mark its certificate,
    if one was uploaded, for the bucket to expire (a day later; its versions a day after).

    The record goes first: it is what the learner asked, and once it is gone no route names
    the file. Should the tag fail (S3 unavailable after its retries), the file stays private
    and unserved, as before this tag existed, and the failure is logged."""
    item = _find(learner_id, outside_credit_id)
    item.delete()
    if item.document_key:
        _expire(item.document_key)


def _expire(key: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.client("s3").put_object_tagging(
            Bucket=get_settings().documents_bucket, Key=key, Tagging={"TagSet": [DELETED_TAG]}
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code not in ("NoSuchKey", "404"):  # an upload form asked for, no file sent: nothing to expire
            logger.warning(NOT_MARKED, extra={"code": code})
    except BotoCoreError as exc:
        logger.warning(NOT_MARKED, extra={"error": type(exc).__name__})


NOT_MARKED = "a deleted outside credit's certificate is not marked to expire"


def _credit_of(key: str) -> tuple[str, str] | None:
    """The (learner id, outside credit id) a certificate's key names, or None for a key no
    upload form of ours makes (document_key's shape)."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] == PREFIX and parts[1] and ID.fullmatch(parts[2]) and parts[3] == "certificate":
        return parts[1], parts[2]
    return None


def sweep() -> int:
    """Mark for the bucket to expire every certificate whose outside credit no longer exists;
    the number marked. Run on a schedule (OutsideSweepFunction, hourly).

    An upload form stays valid UPLOAD_SECONDS after it is signed, and S3 takes a file with it
    whatever happened to its credit meanwhile: a file uploaded after ``remove`` tagged the one
    before it would be kept for good. The sweep lists the current objects under PREFIX (one
    ListObjectsV2 per 1,000), reads their credits (one BatchGetItem per 100) and tags each
    object whose credit is gone, as ``remove`` does. A second upload with one form makes the
    first a noncurrent version, which the bucket's ReplacedOutsideCertificates rule expires;
    the current one belongs to its credit, so only a gone credit's object needs the tag. A
    tagged object is tagged again at each run until the lifecycle expires it (a day)."""
    pages = (
        aws.client("s3")
        .get_paginator("list_objects_v2")
        .paginate(Bucket=get_settings().documents_bucket, Prefix=f"{PREFIX}/")
    )
    marked = 0
    for page in pages:
        keys = [str(item["Key"]) for item in page.get("Contents", [])]
        for start in range(0, len(keys), 100):
            marked += _expire_orphans(keys[start : start + 100])
    if marked:
        logger.info("outside-credit certificates without a credit marked to expire", extra={"marked": marked})
    return marked


def _expire_orphans(keys: list[str]) -> int:
    owners = {key: _credit_of(key) for key in keys}
    wanted = sorted({owner for owner in owners.values() if owner is not None})
    found = get_many(*[OutsideCredit(learner_id, credit_id) for learner_id, credit_id in wanted]) if wanted else []
    alive = {(item.learner_id, item.outside_credit_id) for item in found if isinstance(item, OutsideCredit)}
    orphans = [key for key, owner in owners.items() if owner not in alive]
    for key in orphans:
        _expire(key)
    return len(orphans)


def document_key(learner_id: str, outside_credit_id: str) -> str:
    """One key per credit: attaching again replaces the file (the old version expires, template.yaml)."""
    return f"{PREFIX}/{learner_id}/{outside_credit_id}/certificate"


def upload_form(learner_id: str, outside_credit_id: str, content_type: DocumentType) -> dict[str, Any]:
    """A pre-signed POST for the credit's certificate: one object at its key, of exactly the
    declared type, 1 byte to MAX_DOCUMENT_BYTES, usable for UPLOAD_SECONDS. The record is
    marked unchecked until a download reads the file's first bytes. At most
    ``upload_forms_per_learner`` forms an hour (429 TOO_MANY_ATTEMPTS with Retry-After)."""
    item = _find(learner_id, outside_credit_id)
    settings = get_settings()
    throttle.hit(throttle.Scope("upload-form:learner", learner_id, settings.upload_forms_per_learner, throttle.HOUR))
    key = document_key(learner_id, outside_credit_id)
    item.update(
        actions=[
            OutsideCredit.document_key.set(key),
            OutsideCredit.document_type.set(str(content_type)),
            OutsideCredit.document_checked.set(False),
            OutsideCredit.document_mismatch.set(False),
        ]
    )
    signed = aws.client("s3").generate_presigned_post(
        Bucket=get_settings().documents_bucket,
        Key=key,
        Fields={"Content-Type": str(content_type)},
        Conditions=[
            {"Content-Type": str(content_type)},
            ["content-length-range", 1, MAX_DOCUMENT_BYTES],
        ],
        ExpiresIn=UPLOAD_SECONDS,
    )
    return {
        "url": signed["url"],
        "fields": signed["fields"],
        "max_bytes": MAX_DOCUMENT_BYTES,
        "expires_in": UPLOAD_SECONDS,
    }


def matches(content_type: DocumentType, head: bytes) -> bool:
    """Whether a file's first bytes are those of its declared type."""
    return head.startswith(SIGNATURES[content_type][0])


def download_link(learner_id: str, outside_credit_id: str) -> tuple[str, int]:
    """A fresh pre-signed GET of the credit's certificate, after its first bytes are checked.

    The link names the very version whose bytes were read, so a file put there later (with a
    form still valid) is checked again before it is served. 404 when none is attached or it is
    not uploaded yet; 422 ``DOCUMENT_MISMATCH`` (and the record marked) when it is not the type
    it was declared as."""
    item = _find(learner_id, outside_credit_id)
    if not item.document_key or not item.document_type:
        raise NotFound("DOCUMENT_NOT_FOUND", "No certificate is attached to this outside credit.")
    declared = DocumentType(item.document_type)
    try:
        head = documents.read(
            item.document_key, what="outside credit document", doing="reach the certificate store", first=SNIFF_BYTES
        )
    except documents.Absent:
        raise NotFound(
            "DOCUMENT_NOT_FOUND", "The certificate has not been uploaded yet. Please attach it again."
        ) from None
    if not matches(declared, head.body) or (head.size is not None and head.size > MAX_DOCUMENT_BYTES):
        if not item.document_mismatch or item.document_checked:
            item.update(actions=[OutsideCredit.document_mismatch.set(True), OutsideCredit.document_checked.set(False)])
        logger.warning("outside credit document refused", extra={"declared": str(declared)})
        message = (
            f"The attached file is not {TYPE_WORDS[declared]}, so we will not serve it. "
            "Please attach the certificate again as a PDF, PNG or JPEG file."
        )
        raise InvalidInput("DOCUMENT_MISMATCH", message)
    if not item.document_checked or item.document_mismatch:
        item.update(actions=[OutsideCredit.document_checked.set(True), OutsideCredit.document_mismatch.set(False)])
    name = f"outside-credit-certificate.{SIGNATURES[declared][1]}"
    return documents.link(item.document_key, name, str(declared), head.version)
