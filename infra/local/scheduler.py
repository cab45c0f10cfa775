"""The scheduled transcript mailing, run now: what EventBridge Scheduler and the SQS event
source mapping do in AWS, done in order in one call (`POST /_local/schedules/transcript-mailer/run`);
the daily claim reminders likewise (`POST /_local/schedules/reminders/run`, ``run_reminders``).

``today`` runs it as on that day (`?today=YYYY-MM-DD`): the schedule's event carries it, and the
schedule function queues the learners due on or before it. Without it the function takes today
in the office's time zone, as in AWS, where the schedule passes no input.

The schedule's function queues the due learners; then the queue is drained the way Lambda's
SQS poller does it: batches of up to 10 go to the worker, the messages it reports as failed
come back (here at once; in AWS after the queue's VisibilityTimeout) with their receive count
up by one, and move to the dead-letter queue at the receive after the redrive policy's
maxReceiveCount (moto applies it, as SQS does). One worker runs at a time here; in AWS up to
the event source's MaximumConcurrency.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import boto3

from infra.local import cfn

Invoke = Callable[[str, dict[str, Any]], Any]


def _function(handler_suffix: str) -> str:
    for name, fn in cfn.functions().items():
        if fn.attribute == handler_suffix:
            return name
    raise LookupError(handler_suffix)


def _sqs_event(messages: list[Any], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def run_mail_queue(invoke: Invoke, region: str, queue_name: str, max_rounds: int = 20) -> dict[str, int]:
    """The paced mail queue drained now, as its SQS event source does in AWS (what is queued
    apart from a schedule: an import's invitations): {processed, failed, dead_lettered}."""
    done, failed, dead = _drain(invoke, region, queue_name, max_rounds)
    return {"processed": done, "failed": failed, "dead_lettered": dead}


def run_transcript_mailer(
    invoke: Invoke, region: str, queue_name: str, max_rounds: int = 20, today: date | None = None
) -> dict[str, Any]:
    """Fire the schedule (as on ``today`` when given), then drain the queue.

    Returns {learners, processed, failed, dead_lettered, today}: learners queued, messages the
    worker finished, failed receives (each retried at once, up to the redrive policy), messages
    whose failure was their last receive (they are in the dead-letter queue now), the day it ran as.
    """
    fired = invoke(_function("schedule_handler"), _scheduled(today)) or {}
    queued = int(fired.get("queued", 0))
    done, failed, dead = _drain(invoke, region, queue_name, max_rounds)
    return {"learners": queued, "processed": done, "failed": failed, "dead_lettered": dead, "today": fired.get("today")}


def _drain(
    invoke: Invoke,
    region: str,
    queue_name: str,
    max_rounds: int,
    handler: str = "worker_handler",
    function: str | None = None,
    batch_size: int = 10,
) -> tuple[int, int, int]:
    """A queue drained into the function (of those whose SQS event reads it) whose handler is
    ``handler``, or into the function of logical id ``function``, as Lambda's SQS poller does,
    ``batch_size`` messages at a time (the event source's BatchSize): (processed, failed,
    dead_lettered)."""
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.get_queue_url(QueueName=queue_name.rstrip("/").rsplit("/", 1)[-1])["QueueUrl"]  # a name or URL
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    consumers = cfn.queue_consumers().get(url.rsplit("/", 1)[-1], [])
    by_handler = [name for name in consumers if cfn.functions()[name].attribute == handler]
    # the function whose SQS event reads this queue (two functions may share a handler's name)
    worker = function or (by_handler[0] if len(by_handler) == 1 else _function(handler))
    redrive = cfn.queues().get(url.rsplit("/", 1)[-1], {}).get("RedrivePolicy") or {}
    last_receive = int(redrive.get("maxReceiveCount", 0)) or None
    done = failed = dead = 0
    for _ in range(max_rounds):
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=batch_size, VisibilityTimeout=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            break
        try:
            answer = invoke(worker, _sqs_event(batch, arn)) or {}
            failures = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
        except Exception:  # the whole batch failed (Powertools raises): Lambda retries it all
            failures = {m["MessageId"] for m in batch}
        for message in batch:
            if message["MessageId"] in failures:
                failed += 1  # visible again at once; after maxReceiveCount it goes to the DLQ
                receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", 0))
                dead += last_receive is not None and receives >= last_receive
                continue
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            done += 1
    return done, failed, dead


def _scheduled(today: date | None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
    }
    if today is not None:
        event["today"] = today.isoformat()
    return event


def run_reminders(
    invoke: Invoke, region: str, queue_name: str, max_rounds: int = 20, today: date | None = None
) -> dict[str, Any]:
    """The daily claim reminders (ReminderScheduleFunction) as on ``today``, then the queue drained:
    {queued, processed, failed, dead_lettered, today}."""
    fired = invoke(_function("reminders_handler"), _scheduled(today)) or {}
    done, failed, dead = _drain(invoke, region, queue_name, max_rounds)
    return {
        "queued": int(fired.get("queued", 0)),
        "processed": done,
        "failed": failed,
        "dead_lettered": dead,
        "today": fired.get("today"),
    }


def run_certificate_mail(invoke: Invoke, region: str, queue_name: str, max_rounds: int = 20) -> dict[str, Any]:
    """The certificate emails queued by claims, sent now (CertificateMailFunction's SQS event
    source): {processed, failed, dead_lettered}."""
    done, failed, dead = _drain(invoke, region, queue_name, max_rounds, handler="mail_handler")
    return {"processed": done, "failed": failed, "dead_lettered": dead}


def run_imports(invoke: Invoke, region: str, max_rounds: int = 100_000) -> dict[str, Any]:
    """An import's queued work done now (ImportReaderFunction's and ImportWorkerFunction's SQS
    event sources): the reader's queue drained (one message at a time), then the batch queue
    (10 at a time): {read, batches, failed, dead_lettered}. Each drain stops when its queue is empty."""
    from cme.platform.settings import get_settings

    settings = get_settings()
    read, read_failed, read_dead = _drain(
        invoke, region, settings.import_queue, max_rounds, function="ImportReaderFunction", batch_size=1
    )
    done, failed, dead = _drain(
        invoke, region, settings.import_batch_queue, max_rounds, function="ImportWorkerFunction"
    )
    return {"read": read, "batches": done, "failed": failed + read_failed, "dead_lettered": dead + read_dead}


def dead_letters(region: str, queue_name: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.get_queue_url(QueueName=queue_name.rstrip("/").rsplit("/", 1)[-1])["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def run_outside_sweep(invoke: Invoke) -> dict[str, Any]:
    """The hourly outside-credit sweep (OutsideSweepFunction), now: what its schedule does in AWS."""
    return invoke(_function("sweep_handler"), {"detail-type": "Scheduled Event", "source": "aws.scheduler"}) or {}
