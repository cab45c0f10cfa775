"""A new claim's certificate by email (issue 24): the claim queues one message (SQS); the
certificates function (CertificateMailFunction) makes the PDF and emails it, so the claim
function stays free of PDF libraries. Office setting EmailCertificates (on by default).

Queueing never fails a claim: the claim is recorded first, and a message the queue refuses is
logged as an error (metric ``CertificateEmailNotQueued``); the learner still downloads the
certificate from My Portal."""

from __future__ import annotations

import json

from cme.platform import aws, queues, retry
from cme.platform.observability import logger
from cme.platform.settings import get_settings


def _queue_url() -> str:
    return queues.url(get_settings().certificate_queue)


def queue(learner_id: str, claim_id: str) -> bool:
    """Queue the certificate email of a new claim, when the office emails certificates; True when queued."""
    if not get_settings().email_certificates:
        return False
    try:
        aws.client("sqs").send_message(
            QueueUrl=_queue_url(), MessageBody=json.dumps({"learner_id": learner_id, "claim_id": claim_id})
        )
    except Exception:
        logger.exception("certificate email not queued", extra={"claim_id": claim_id})
        retry.metric("CertificateEmailNotQueued")
        return False
    return True
