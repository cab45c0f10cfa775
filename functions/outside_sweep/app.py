"""Hourly sweep of outside-credit certificates (EventBridge Scheduler): a file uploaded with a
still-valid form after its credit was deleted is marked for the bucket to expire
(cme.records.outside.sweep). On the local stack: ``POST /_local/schedules/outside-sweep/run``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.platform.observability import logger
from cme.records import outside
from cme.runtime import snapstart

snapstart.register(services=("dynamodb", "s3"))


@logger.inject_lambda_context(clear_state=True)
def sweep_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"marked": outside.sweep()}
