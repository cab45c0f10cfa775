"""The director's signature image on certificates (template parameter ``SignatureImageKey``):
a PNG or JPEG under ``signature/`` in the documents bucket, read with one GetObject per
container, at the first certificate made (never at import, so never before a SnapStart snapshot).

A key that names no object, one the function may not read, or bytes that are not a PNG/JPEG of
at most ``MAX_BYTES`` is a deployment mistake: it is logged as an error once, and certificates
carry the signature line with the director's name and title only. S3 being unavailable for a
moment is not: the certificate is refused for now (503) rather than issued without the image.
"""

from __future__ import annotations

import io
from functools import lru_cache

from cme.platform import documents
from cme.platform.observability import logger
from cme.platform.settings import get_settings

MAX_BYTES = 1024 * 1024
FORMATS = {"PNG", "JPEG"}
_MISSING = {"NoSuchKey", "NoSuchBucket", "AccessDenied", "403", "404", "InvalidObjectState"}


def image() -> bytes | None:
    """The configured signature image's bytes, or None (none configured, or unusable)."""
    settings = get_settings()
    key = settings.signature_image_key.strip()
    if not key:
        return None
    return _load(settings.documents_bucket, key)


def usable(body: bytes) -> str | None:
    """The image format (PNG or JPEG) when ``body`` is one that can be drawn; else None."""
    from PIL import Image  # Pillow comes with fpdf2: only where PDFs are made

    try:
        with Image.open(io.BytesIO(body)) as picture:
            kind = picture.format
            picture.verify()
    except Exception:  # any unreadable image is the same mistake
        return None
    return kind if kind in FORMATS else None


@lru_cache(maxsize=4)
def _load(bucket: str, key: str) -> bytes | None:
    """Read once per container; a transient failure raises and is not cached (the next certificate tries again)."""
    try:
        found = documents.read(
            key,
            what="signature image",
            doing="prepare your certificate",
            limit=MAX_BYTES,
            bucket=bucket,
            absent=_MISSING,
        )
    except documents.Absent as missing:
        logger.error(
            "signature image not readable; certificates show the name and title only",
            extra={"key": key, "code": missing.code},
        )
        return None
    body = found.body
    if not body or len(body) > MAX_BYTES or usable(body) is None:
        logger.error(
            "signature image is not a PNG or JPEG of at most 1 MB; certificates show the name and title only",
            extra={"key": key, "bytes": len(body) or found.size},
        )
        return None
    return body


def forget() -> None:
    """Forget the image read (tests, and the local stack when its settings change)."""
    _load.cache_clear()
