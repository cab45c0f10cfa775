"""Bounces and complaints: the function subscribed to the mail feedback SNS topic.

The configuration set every email is sent with (template.yaml MailConfigurationSet) publishes
SES's bounce and complaint events to the topic. Each record is parsed and marked by
cme.identity.deliverability: a permanent bounce or a complaint makes its addresses undeliverable; any
other event changes nothing. A failing AWS call raises, so Lambda retries the event (marking is
idempotent).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.identity import deliverability
from cme.platform.observability import logger
from cme.runtime import snapstart

snapstart.register(services=("dynamodb",), modules=("email_validator",))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    marked = []
    for record in SNSEvent(event).records:
        feedback = deliverability.parse(record.sns.message)
        if feedback is None:
            logger.info("SES event marks nothing", extra={"sns_message_id": record.sns.message_id})
            marked.append(0)
            continue
        marked.append(deliverability.mark(feedback))
    return {"marked": marked}
