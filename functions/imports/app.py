"""The import job's two functions (cme.credit.imports; docs/architecture.md "Imports").

``reader_handler`` (ImportQueue, one message at a time): streams an import's file from S3 into
batches of rows on ImportBatchQueue, or queues the invitations of an import's learners.
``worker_handler`` (ImportBatchQueue, Powertools batch, partial failures reported): writes each
batch; on its third receive a batch that fails again turns its unwritten rows into problems.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.credit import imports
from cme.platform.observability import logger
from cme.runtime import snapstart

processor = BatchProcessor(event_type=EventType.SQS)
snapstart.register(services=("dynamodb", "s3", "sqs"), modules=("email_validator", "phonenumbers"))


def _read(record: SQSRecord) -> None:
    imports.handle_reader_message(json.loads(record.body))


def _write(record: SQSRecord) -> None:
    receives = int(record.attributes.approximate_receive_count or 1)
    imports.write_batch(json.loads(record.body), receives)


@logger.inject_lambda_context(clear_state=True)
def reader_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_read, processor=processor, context=context)


@logger.inject_lambda_context(clear_state=True)
def worker_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_write, processor=processor, context=context)
