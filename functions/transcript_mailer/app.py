"""Scheduled transcript emails: the schedule's fan-out, and the SQS worker.

``schedule_handler`` (EventBridge Scheduler, daily) queues every learner whose transcript is
due on or before the run's day: ``today`` (``YYYY-MM-DD``) in the event when one is given (the
local stack's ``?today=``), else today in the office's time zone (the schedule passes no input).
``worker_handler`` (SQS, batches) renders and emails each one, paced to the send rate within
the invocation's time (cme.platform.pacing), reporting partial batch failures so only failed messages
are retried (then dead-lettered).

The claim reminders (cme.credit.reminders, queued by functions/reminders) and the invitations of
imported learners (cme.identity.invitations, queued by the office's Invite) share the queue: the
worker sends messages of ``kind`` "reminder" as reminders, of ``kind`` "invite" as invitations,
every other as a transcript.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.credit import reminders
from cme.identity import invitations
from cme.platform import clock, pacing
from cme.platform.observability import logger
from cme.records import transcripts
from cme.runtime import snapstart

processor = BatchProcessor(event_type=EventType.SQS)
snapstart.register(pdf=True, services=("dynamodb", "sqs", "ses"), modules=("jinja2",))


@logger.inject_lambda_context(clear_state=True)
def schedule_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    given = event.get("today") if isinstance(event, dict) else None
    today = date.fromisoformat(given) if isinstance(given, str) else clock.office_today()
    return {"queued": transcripts.fan_out(today), "today": today.isoformat()}


def _record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    task = json.loads(record.body)
    if task.get("kind") == reminders.KIND:
        reminders.idempotent_send(task, lambda_context)
    elif task.get("kind") == invitations.KIND:
        invitations.idempotent_send(task, lambda_context)
    else:
        transcripts.idempotent_send(task, lambda_context)


@logger.inject_lambda_context(clear_state=True)
def worker_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    pacing.mail_pacer().limit(context.get_remaining_time_in_millis() / 1000)
    return process_partial_response(event=event, record_handler=_record, processor=processor, context=context)
