"""The audit trail's viewer (docs/api.md "The office's tools"): the records about one learner or
one activity, newest first, a page at a time, each naming who made the change as a person.

Records keep their actor as an account id (cme.platform.audit); a reader never sees it. The
page's actors (and, for an activity, the learners its records are about) are read in one
BatchGetItem of their names and primary emails. DynamoDB calls per page: one Query (a learner's
records by the table's key, an activity's by the ``by_activity`` index), one BatchGetItem (up to
100 people; more only for a page naming more), and for an activity one GetItem (404 for an unknown
one). Nothing is scanned.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from cme.platform import audit
from cme.platform.errors import BadToken, InvalidInput, NotFound
from cme.platform.models import AuditRecord, Learner, plain
from cme.platform.schemas import AuditActor, AuditEntry, AuditReply, AuditSubject
from cme.publishing import activities

PAGE = 50
REMOVED = "A removed account"  # an actor whose account no longer exists
_PEOPLE_FIELDS = ["learner_id", "first_name", "last_name", "email"]
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.+\-]{8,32}#[0-9a-f-]{36}$")
_KINDS = {"learner": "learner", "activity": "activity", "reports": "report", "requirement-set": "requirement_set"}


def _one_of(learner_id: str | None, activity_id: str | None) -> None:
    if bool(learner_id) == bool(activity_id):
        message = "Give exactly one of learner_id or activity_id."
        raise InvalidInput(
            "SUBJECT_REQUIRED",
            message,
            [{"field": "learner_id", "message": message}, {"field": "activity_id", "message": message}],
        )


def _bad_cursor() -> BadToken:
    return BadToken("CURSOR_INVALID", "This page link is not valid; please open the history again.")


def encode_cursor(record: AuditRecord) -> str:
    data = {"s": record.subject, "a": record.at}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, subject: str | None) -> dict[str, str]:
    """The record a page ended at, validated: a cursor only says where to go on, and one made for
    a learner's history cannot read another learner's (``subject``: the learner's, None for an
    activity's, whose index key the query sets itself)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise _bad_cursor() from None
    if not isinstance(data, dict) or set(data) != {"s", "a"}:
        raise _bad_cursor()
    found, at = data["s"], data["a"]
    if not (isinstance(found, str) and isinstance(at, str) and _AT.match(at) and 0 < len(found) <= 200):
        raise _bad_cursor()
    if subject is not None and found != subject:
        raise _bad_cursor()
    return {"subject": found, "at": at}


def _key(start: dict[str, str] | None, activity_id: str | None) -> dict[str, dict[str, str]] | None:
    if start is None:
        return None
    key = {"subject": {"S": start["subject"]}, "at": {"S": start["at"]}}
    if activity_id is not None:
        key["activity_id"] = {"S": activity_id}
    return key


def page(learner_id: str | None, activity_id: str | None, cursor: str | None = None, limit: int = PAGE) -> AuditReply:
    """One page of the records about ``learner_id`` or ``activity_id`` (exactly one; 422
    SUBJECT_REQUIRED otherwise), newest first; 404 for an unknown learner or activity."""
    _one_of(learner_id, activity_id)
    title: str | None = None
    if activity_id:
        title = activities.get(activity_id).title  # 404 first
        start = decode_cursor(cursor, None) if cursor else None
        found = AuditRecord.by_activity.query(
            activity_id,
            scan_index_forward=False,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=_key(start, activity_id),
        )
    else:
        assert learner_id is not None
        subject = audit.learner_subject(learner_id)
        start = decode_cursor(cursor, subject) if cursor else None
        found = AuditRecord.query(
            subject,
            scan_index_forward=False,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=_key(start, None),
        )
    records = list(found)
    more = len(records) > limit
    records = records[:limit]
    people = _people({r.actor for r in records} | {_learner_of(r.subject) for r in records} | {learner_id or ""})
    if learner_id and learner_id not in people:
        raise NotFound("NOT_FOUND", "There is no such learner.")
    return AuditReply(
        entries=[entry(r, people, activity_id, title) for r in records],
        next_cursor=encode_cursor(records[-1]) if more else None,
    )


def _learner_of(subject: str) -> str:
    kind, _, ident = subject.partition("#")
    return ident if kind == "learner" else ""


def _people(ids: set[str]) -> dict[str, Learner]:
    """Name and primary email of each account in ``ids``: one BatchGetItem per 100."""
    wanted = sorted(i for i in ids if i and len(i) <= 200)
    if not wanted:
        return {}
    return {x.learner_id: x for x in Learner.batch_get(wanted, attributes_to_get=_PEOPLE_FIELDS)}


def _name(person: Learner) -> str:
    return f"{person.first_name} {person.last_name}".strip()


def actor(actor_id: str, people: dict[str, Learner]) -> AuditActor:
    """Who made a change, as a name and email; never the stored id."""
    person = people.get(actor_id)
    if person is None:
        return AuditActor(name=REMOVED, email=None)
    return AuditActor(name=_name(person), email=person.email)


def subject(raw: str, people: dict[str, Learner], activity_id: str | None, title: str | None) -> AuditSubject:
    kind, _, ident = raw.partition("#")
    name: str | None = None
    if kind == "learner" and ident in people:
        name = _name(people[ident])
    elif kind == "activity" and ident == activity_id:
        name = title
    return AuditSubject(kind=_KINDS.get(kind, "other"), id=ident or raw, name=name)


def _jsonable(value: Any) -> Any:
    """A stored value as JSON shows it: DynamoDB numbers (Decimal) as numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_jsonable(v) for v in value]
    return value


def entry(record: AuditRecord, people: dict[str, Learner], activity_id: str | None, title: str | None) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(record.at.split("#", 1)[0]),
        actor=actor(record.actor, people),
        action=record.action,
        subject=subject(record.subject, people, activity_id, title),
        details=_jsonable(plain(record.detail)),
    )
