"""Claim reminders (cme.credit.reminders): the office's send-now answer and the unsubscribe link's."""

from __future__ import annotations

from cme.platform.schemas._common import BaseModel


class RemindersQueuedReply(BaseModel):
    queued: int  # reminders queued now: attendees without a claim whose window is open


class UnsubscribedReply(BaseModel):
    unsubscribed: bool  # true: no further claim reminders go to this person
