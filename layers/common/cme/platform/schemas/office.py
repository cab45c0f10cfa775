"""The office's tools over activities and records: copying an activity, the audit trail's viewer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cme.platform.schemas._common import BaseModel, Strict


class ActivityCopyIn(Strict):
    """The copy's dates (checked as an activity's save checks them)."""

    start_date: date
    end_date: date


class AuditActor(BaseModel):
    """Who made a change, as a person: never an internal key (cme.records.audit_trail)."""

    name: str  # "A removed account" when the account is gone
    email: str | None = None


class AuditSubject(BaseModel):
    """What a record is about: ``kind`` "learner", "activity", "report" (a board submission),
    "requirement_set" or "other"; ``name`` the learner's name or the activity's title when known."""

    kind: str
    id: str
    name: str | None = None


class AuditEntry(BaseModel):
    at: datetime
    actor: AuditActor
    action: str  # e.g. "claim", "name_changed", "attendance_removed", "activity_copied"
    subject: AuditSubject
    details: dict[str, Any]


class AuditReply(BaseModel):
    entries: list[AuditEntry]  # newest first
    next_cursor: str | None = None
