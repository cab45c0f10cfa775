"""SQS queues the settings name (a queue URL in AWS; a queue name works too): their URL, and
messages sent in batches of ten (SendMessageBatch)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cme.platform import aws
from cme.platform.settings import get_settings

#: SQS takes at most ten messages in one SendMessageBatch
BATCH = 10


class Refused(RuntimeError):
    """SQS refused some messages of a batch."""


def url(queue: str) -> str:
    """The queue's URL: ``queue`` itself when it is one, else looked up by name."""
    if queue.startswith("http"):
        return queue
    return str(aws.client("sqs").get_queue_url(QueueName=queue)["QueueUrl"])


def send_batch(queue: str, bodies: list[dict[str, Any]]) -> None:
    """Queue ``bodies`` (up to BATCH, as JSON) in one SendMessageBatch; Refused when any is refused."""
    answer = aws.client("sqs").send_message_batch(
        QueueUrl=url(queue),
        Entries=[{"Id": str(n), "MessageBody": json.dumps(body)} for n, body in enumerate(bodies)],
    )
    if answer.get("Failed"):
        raise Refused(f"{len(answer['Failed'])} of {len(bodies)} messages not queued")


#: how long a message's idempotency record is kept: longer than any redelivery, or a period
ONCE_SECONDS = 400 * 24 * 3600


def at_most_once(
    handle: Callable[[dict[str, Any]], bool], task: dict[str, Any], key: str, lambda_context: Any = None
) -> bool:
    """``handle(task)`` at most once per ``key`` (a JMESPath over the task: e.g.
    "[kind, import_id, learner_id]"): an SQS redelivery of a handled message replays its record
    instead of running again (Powertools idempotency, kept ONCE_SECONDS)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table, boto3_client=aws.client("dynamodb")
    )
    config = IdempotencyConfig(
        event_key_jmespath=key, raise_on_no_idempotency_key=True, expires_after_seconds=ONCE_SECONDS
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    once = idempotent_function(data_keyword_argument="task", config=config, persistence_store=persistence)(handle)
    return bool(once(task=task))
