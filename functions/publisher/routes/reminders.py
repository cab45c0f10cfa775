"""Claim reminders (cme.credit.reminders): the office's "Send reminders", and the unsubscribe
link every reminder carries (it works signed out)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.credit import reminders
from cme.platform.schemas import RemindersQueuedReply, UnsubscribedReply
from cme.runtime.resolver import json_reply, require_admin, responses

router = Router()


@router.post(
    "/api/admin/activities/<activity_id>/reminders",
    responses=responses(
        "NOT_FOUND",
        "TOO_MANY_REQUESTS",
        "EMAIL_UNAVAILABLE",
        ok={202: {"description": "Queued: one reminder per attendee without a claim"}},
    ),
)
def send_reminders(activity_id: str) -> Response[RemindersQueuedReply]:
    """Email a reminder now to each attendee without a claim whose window is open (not those
    who unsubscribed); at most once per 24 hours per activity (429 TOO_MANY_REQUESTS, Retry-After)."""
    require_admin(router)
    return json_reply(202, RemindersQueuedReply(queued=reminders.send_now(activity_id)))


@router.get("/api/reminders/unsubscribe", responses=responses("TOKEN_INVALID", "VALIDATION_FAILED"))
def unsubscribe(token: Annotated[str, Query(max_length=256)] = "") -> Response[UnsubscribedReply]:
    """No more claim reminders to whom the link's reminder went; signed out, any number of times;
    400 TOKEN_INVALID for a link the portal never sent."""
    reminders.unsubscribe(token)
    return json_reply(200, UnsubscribedReply(unsubscribed=True))
