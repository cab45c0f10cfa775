"""A new claim's certificate by email (CertificateMailFunction, SQS; the certificates function's
code, so the claim function stays free of PDF libraries): the PDF made and attached (queued by
the claim: cme.credit.certificate_mail), once per claim, only the failed messages of a batch
retried (then dead-lettered)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.platform.observability import logger
from cme.records import certificates
from cme.runtime import snapstart

processor = BatchProcessor(event_type=EventType.SQS)
snapstart.register(pdf=True, services=("dynamodb", "s3", "ses"), modules=("jinja2",))


def _record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    certificates.idempotent_email(json.loads(record.body), lambda_context)


@logger.inject_lambda_context(clear_state=True)
def mail_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=processor, context=context)
