"""The local outbox: every email SES (moto) accepted, parsed from the raw MIME it was sent as.

``messages()`` lists them oldest first, each with its attachments' ``filename``,
``content_type`` and ``size`` (bytes, decoded) and a ``url`` that downloads it from the local
stack: ``/_local/outbox/<message number>/<attachment number>``, both counted from 1 as the
outbox page numbers them. ``attachment(message, number)`` gives one attachment's bytes.
"""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, NamedTuple, cast

ACCOUNT = "123456789012"
REGION = "us-east-1"


class Attachment(NamedTuple):
    filename: str
    content_type: str
    data: bytes


def _message(raw: str | bytes) -> EmailMessage:
    parsed = (
        email.message_from_bytes(raw, policy=policy.default)
        if isinstance(raw, bytes)
        else email.message_from_string(raw, policy=policy.default)
    )
    return cast(EmailMessage, parsed)  # policy.default makes EmailMessage


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        data = part.get_payload(decode=True)
        found.append(
            Attachment(
                filename=part.get_filename() or f"attachment-{number}",
                content_type=part.get_content_type(),
                data=data if isinstance(data, bytes) else b"",
            )
        )
    return found


def _parse(raw: str | bytes, destinations: list[str], number: int = 1) -> dict[str, Any]:
    message = _message(raw)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    attachments = [
        {
            "filename": item.filename,
            "content_type": item.content_type,
            "size": len(item.data),
            "url": f"/_local/outbox/{number}/{index}",
        }
        for index, item in enumerate(_attachments(message), start=1)
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


def _sent(account_id: str, region: str) -> list[Any]:
    from moto.ses.models import ses_backends

    return list(ses_backends[account_id][region].sent_messages)


def messages(account_id: str = ACCOUNT, region: str = REGION) -> list[dict[str, Any]]:
    """What moto's SES backend in this process holds, oldest first."""
    out = []
    for number, sent in enumerate(_sent(account_id, region), start=1):
        if hasattr(sent, "raw_data"):
            out.append(_parse(sent.raw_data, list(sent.destinations), number))
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


def attachment(message: int, number: int, account_id: str = ACCOUNT, region: str = REGION) -> Attachment | None:
    """Attachment ``number`` of message ``message`` (both from 1), or None when there is none."""
    sent = _sent(account_id, region)
    if not 1 <= message <= len(sent) or not hasattr(sent[message - 1], "raw_data"):
        return None
    found = _attachments(_message(sent[message - 1].raw_data))
    return found[number - 1] if 1 <= number <= len(found) else None


# ---------------------------------------------------------------- text messages (SNS SMS)
# moto keeps each SMS published to a phone number (to, body) but not when: each is stamped the
# first time it is listed, which the local stack does right after every function it runs.
_sms_seen: dict[str, str] = {}


def texts(account_id: str = ACCOUNT, region: str = REGION) -> list[dict[str, Any]]:
    """Every SMS moto's SNS backend in this process holds, oldest first: ``{id, to, body, sent_at}``."""
    from moto.sns.models import sns_backends

    from cme.platform import clock

    out = []
    for message_id, (to, body) in list(sns_backends[account_id][region].sms_messages.items()):
        sent_at = _sms_seen.setdefault(message_id, clock.now().isoformat(timespec="seconds"))
        out.append({"id": message_id, "to": to, "body": body, "sent_at": sent_at})
    return out
