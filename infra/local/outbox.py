"""The local outbox: every email SES (moto) accepted, parsed from the raw MIME it was sent as."""

from __future__ import annotations

import email
from email import policy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any


def _parse(raw: str | bytes, destinations: list[str]) -> dict[str, Any]:
    message = (
        email.message_from_bytes(raw, policy=policy.default)
        if isinstance(raw, bytes)
        else email.message_from_string(raw, policy=policy.default)
    )
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    attachments = [
        {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "size": len(part.get_payload(decode=True) or b""),
        }
        for part in message.iter_attachments()
    ]
    to = [addr for _, addr in getaddresses([str(message.get("To", ""))]) if addr] or destinations
    date = message.get("Date")
    return {
        "to": to,
        "subject": str(message.get("Subject", "")),
        "text": text_part.get_content() if text_part else "",
        "html": html_part.get_content() if html_part else "",
        "sent_at": parsedate_to_datetime(str(date)).isoformat() if date else None,
        "attachments": attachments,
    }


def messages(account_id: str = "123456789012", region: str = "us-east-1") -> list[dict[str, Any]]:
    """What moto's SES backend in this process holds, oldest first."""
    from moto.ses.models import ses_backends

    out = []
    for sent in ses_backends[account_id][region].sent_messages:
        if hasattr(sent, "raw_data"):
            out.append(_parse(sent.raw_data, list(sent.destinations)))
        elif hasattr(sent, "body"):
            out.append(
                {
                    "to": [a for v in sent.destinations.values() for a in v],
                    "subject": sent.subject,
                    "text": sent.body,
                    "html": "",
                    "sent_at": None,
                    "attachments": [],
                }
            )
    return out
