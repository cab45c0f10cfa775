"""Sending one text message from the office's number (SNS Publish to a phone number).

Both kinds of text the portal sends go through here: the replies to inbound texts
(cme.publishing.sms) and the codes that confirm a profile's phone (cme.identity.phones). On the
local stack moto keeps them, and the outbox shows them (infra.local.outbox).
"""

from __future__ import annotations

from cme.platform import aws
from cme.platform.settings import get_settings


def send(to: str, message: str) -> str:
    """Text ``message`` to ``to`` from the office's number; the SNS message id."""
    answer = aws.client("sns").publish(
        PhoneNumber=to,
        Message=message,
        MessageAttributes={
            "AWS.MM.SMS.OriginationNumber": {"DataType": "String", "StringValue": get_settings().sms_number.strip()},
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        },
    )
    return str(answer.get("MessageId", ""))
