"""Attendance by text message: the function subscribed to the inbound-texts SNS topic.

AWS End User Messaging SMS (two-way messaging) publishes every text sent to the office's
number to the topic, as a JSON message (``originationNumber``, ``destinationNumber``,
``messageKeyword``, ``messageBody``, ``inboundMessageId``, ``previousPublishedMessageId``).
Each record is parsed here and handed to cme.publishing.sms, which records the attendance and texts the
one reply. A record that is not such a message is logged and dropped (a retry would not mend
it); a failing AWS call raises, so Lambda retries the event (the attendance write is
conditional, so a retried text records once).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.platform.observability import logger
from cme.publishing import sms
from cme.runtime import snapstart


def parse(message: str) -> sms.Inbound | None:
    """The inbound text in an SNS record's message, or None when it is not one."""
    try:
        data = json.loads(message)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    fields = ("originationNumber", "destinationNumber", "messageBody", "messageKeyword", "inboundMessageId")
    origin, destination, body, keyword, message_id = (data.get(name) for name in fields)
    if not isinstance(origin, str) or not isinstance(body, str):
        return None
    return sms.Inbound(
        origination_number=origin,
        destination_number=destination if isinstance(destination, str) else "",
        body=body,
        keyword=keyword if isinstance(keyword, str) else "",
        inbound_message_id=message_id if isinstance(message_id, str) else "",
    )


snapstart.register(services=("dynamodb", "sns"), modules=("phonenumbers",))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    for record in SNSEvent(event).records:
        text = parse(record.sns.message)
        if text is None:
            logger.warning("not an inbound text message: dropped", extra={"sns_message_id": record.sns.message_id})
            outcomes.append("not_a_text")
            continue
        outcomes.append(sms.receive(text).kind)
    return {"outcomes": outcomes}
