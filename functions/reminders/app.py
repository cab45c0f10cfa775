"""The daily claim reminders (EventBridge Scheduler: ReminderScheduleFunction): queue each one due
(cme.credit.reminders) on the mail queue, whose worker (functions/transcript_mailer) sends them,
paced. ``today`` (``YYYY-MM-DD``) in the event runs it as on that day (the local stack's
``?today=``); else today in the office's time zone (the schedule passes no input)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.credit import reminders
from cme.platform import clock
from cme.platform.observability import logger
from cme.runtime import snapstart

snapstart.register(services=("dynamodb", "sqs"))


@logger.inject_lambda_context(clear_state=True)
def reminders_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    given = event.get("today") if isinstance(event, dict) else None
    today = date.fromisoformat(given) if isinstance(given, str) else clock.office_today()
    return {"queued": reminders.fan_out(today), "today": today.isoformat()}
