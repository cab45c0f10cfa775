"""The audit trail: one kept record per consequential change to a learner's record (who did
it, when, from where, what it was before and after). Records are only ever put, never
changed or deleted (the functions' policies grant PutItem alone on the audit table)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from cme.platform import clock
from cme.platform.models import AuditRecord

ACTIVITY = "activity#"


def learner_subject(learner_id: str) -> str:
    return f"learner#{learner_id}"


def activity_of(subject: str, detail: dict[str, Any]) -> str | None:
    """The activity a record is about: its subject's ("activity#<id>"), else its detail's
    ``activity_id`` (a claim, kept under "learner#<id>"); None for records about no activity."""
    if subject.startswith(ACTIVITY) and len(subject) > len(ACTIVITY):
        return subject[len(ACTIVITY) :]
    named = detail.get("activity_id")
    return named if isinstance(named, str) and named else None


def entry(
    learner_id: str,
    action: str,
    actor: str,
    detail: dict[str, Any],
    source_ip: str = "",
    user_agent: str = "",
    at: datetime | None = None,
) -> AuditRecord:
    """An audit record about ``learner_id`` (to be saved, usually in the change's transaction)."""
    return about(learner_subject(learner_id), action, actor, detail, source_ip, user_agent, at)


def about(
    subject: str,
    action: str,
    actor: str,
    detail: dict[str, Any],
    source_ip: str = "",
    user_agent: str = "",
    at: datetime | None = None,
) -> AuditRecord:
    """An audit record about any ``subject`` (e.g. "reports#MOC": a submission to a board).

    A record about an activity carries its ``activity_id`` (the subject's, or the detail's: a
    claim is kept under its learner), the key of the table's ``by_activity`` index, so an
    activity's history is one Query whatever the subjects of its records."""
    moment = at or clock.now()
    return AuditRecord(
        subject,
        f"{moment.isoformat()}#{uuid.uuid4()}",
        activity_id=activity_of(subject, detail),
        action=action,
        actor=actor,
        source_ip=source_ip,
        user_agent=user_agent[:300],
        detail=detail,
    )
