"""The local outbox's parsing of the raw MIME SES was given: text, and each attachment's name,
type, size and download address (numbered from 1, as the outbox page numbers messages)."""

from __future__ import annotations

from email.message import EmailMessage

from infra.local.outbox import _parse
from infra.local.server import _size


def _raw() -> bytes:
    message = EmailMessage()
    message["To"] = "Zoë Müller <zoe@example.org>"
    message["Subject"] = "Your CME transcript"
    message.set_content("Your transcript is attached.")
    message.add_attachment(b"%PDF-1.7 " + b"x" * 2039, maintype="application", subtype="pdf", filename="t.pdf")
    message.add_attachment("a,b\n1,2\n", subtype="csv", filename="rows.csv")
    return message.as_bytes()


def test_attachments_are_listed_with_name_type_size_and_address() -> None:
    parsed = _parse(_raw(), ["fallback@example.org"], number=7)
    assert parsed["to"] == ["zoe@example.org"] and parsed["text"].strip() == "Your transcript is attached."
    assert parsed["attachments"] == [
        {"filename": "t.pdf", "content_type": "application/pdf", "size": 2048, "url": "/_local/outbox/7/1"},
        {"filename": "rows.csv", "content_type": "text/csv", "size": 8, "url": "/_local/outbox/7/2"},
    ]


def test_sizes_read_as_people_read_them() -> None:
    assert [_size(n) for n in (812, 14_540, 1_363_149)] == ["812 bytes", "14.2 KB", "1.3 MB"]
