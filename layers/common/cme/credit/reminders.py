"""Claim reminders (issue 24): each attendee who has not claimed is emailed once, a few days
before THEIR last day to claim, through the paced mail queue; the office may send them now.

Who: every attendance row of the activity whose email no claimant covers, one recipient per
learner (an email a learner confirmed is that learner: key ``learner_id``; an email on no
account is its own recipient: key "email#<email>"). Their last day is ``credit.closing`` over
what their degree may claim (an attendee without an account: over every designation).

When (``credit.reminder_day``): ``reminder_days_before_close`` days before that last day
(template parameter ReminderDaysBeforeClose, default 7); a window shorter than that: halfway
through it. A run from that day up to the last day sends it (``credit.reminder_due``), so a day
the schedule missed is made up the next day, never after the window closed.

Exactly once per recipient and activity: before a scheduled reminder is queued, its marker
(RemindersTable, ``activity_id`` + ``recipient``) is put with the condition that it does not
exist. A repeated run, or two runs at once, find it there and queue nothing: only the run whose
put succeeded queues. Should the queue refuse the message, the marker is deleted again (the
next run tries again). The worker (TranscriptWorkerFunction, the transcript mailer's queue)
sends each message under Powertools idempotency keyed on (activity, recipient, round), so an
SQS redelivery replays instead of sending twice.

The office's send-now (``send_now``): at most once per 24 hours per activity (a conditional put
of the lock item "#sent-now": race-safe), to every attendee without a claim whose window is
open; it does not touch the markers, so the scheduled reminder still goes out on its day.

Every reminder carries an unsubscribe link: a random token, kept hashed (SHA-256); the link
works signed out and any number of times (``unsubscribe``). Who unsubscribed (the recipient,
and the address the reminder went to) is kept under "#opted-out" and is sent nothing more.

DynamoDB calls of a daily run: one Query per month of the by_month index from a year back to
``reminder_days_before_close`` days ahead (published activities only: no one claims a draft),
then per activity whose window is open: its attendance (Query), its claims (Query of
by_activity), the attendees' email owners, learners and opt-outs (BatchGetItem, 100 keys
each), and one conditional PutItem per reminder due.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from cme.credit import claims
from cme.identity import deliverability
from cme.identity.sessions import token_hash
from cme.platform import clock, mail, pacing, queues
from cme.platform.errors import BadToken, ServiceUnavailable, TooManyRequests
from cme.platform.models import Activity, Attendance, Claim, EmailOwner, Learner, Reminder, get_many
from cme.platform.observability import logger
from cme.platform.settings import get_settings
from cme.publishing import activities
from cme.rules import credit

KIND = "reminder"  # the queue message's "kind" (the transcript worker's messages carry none)
OPTED_OUT = "#opted-out"
SENT_NOW = "#sent-now"
TOKEN_PREFIX = "#token#"
TOKEN_RANGE = "#"
EMAIL_PREFIX = "email#"
SCHEDULED = "scheduled"  # the round of a scheduled reminder (the send-now's: its lock's time)
SEND_NOW_EVERY = timedelta(hours=24)
#: the longest claim window an activity may have (cme.platform.schemas.activities: 365 days)
LONGEST_WINDOW = timedelta(days=366)
_LEARNER_FIELDS = ["learner_id", "email", "first_name", "degree", "verified_emails"]


@dataclass(frozen=True)
class Recipient:
    """One attendee without a claim: who (learner id or "email#<email>"), where to write, their last day."""

    key: str
    email: str
    first_name: str
    last_day: date


# ------------------------------------------------------------------ who, and when


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def open_activities(today: date, days_before: int) -> list[Activity]:
    """Published activities whose claim window is open on ``today`` (by their last day: a Query
    per month of the by_month index; no Scan)."""
    found = []
    for month in _months(today - LONGEST_WINDOW, today + timedelta(days=days_before + 1)):
        for activity in Activity.by_month.query(f"{month}#P"):
            end = date.fromisoformat(activity.end_date)
            last = credit.claim_deadline(end, int(activity.claim_window_days), activity.format or "")
            opens = credit.window_opens(activity.format or "", date.fromisoformat(activity.start_date), end)
            if activity.published and opens <= today <= last and int(activity.attendance_count or 0) > 0:
                found.append(activity)
    return found


def _last_day(activity: Activity, degree: str | None, today: date) -> date | None:
    """The attendee's last day to claim (``credit.closing`` over what their degree may claim; an
    attendee without an account: over every designation); None when they may claim nothing."""
    options = claims.options(degree, activity) if degree else claims.designated(activity)
    if not options:
        return None
    end = date.fromisoformat(activity.end_date)
    activity_format = activity.format or ""
    last, _ = credit.closing(
        [o.type.value for o in options],
        activity_format,
        end,
        int(activity.claim_window_days),
        credit.completed_on(activity_format, end, today),
    )
    return last


def unclaimed(activity: Activity, today: date) -> list[Recipient]:
    """Every attendee of ``activity`` without a claim on it, once each, with their last day (not
    one whose degree may claim none of the activity's credit)."""
    rows = sorted(Attendance.query(activity.activity_id), key=lambda a: a.email)
    if not rows:
        return []
    claims = list(Claim.by_activity.query(activity.activity_id))
    claimed = {c.learner_id for c in claims}
    claimed_emails = {c.email for c in claims}
    owners = {o.email: o for o in EmailOwner.batch_get([a.email for a in rows])}
    ids = sorted({o.learner_id for o in owners.values() if o.verified})
    learners = {x.learner_id: x for x in Learner.batch_get(ids, attributes_to_get=_LEARNER_FIELDS)} if ids else {}
    found: dict[str, Recipient] = {}
    for row in rows:
        owner = owners.get(row.email)
        learner = learners.get(owner.learner_id) if owner is not None and owner.verified else None
        if learner is not None and row.email in (learner.verified_emails or ()):
            if learner.learner_id in claimed or learner.learner_id in found:
                continue
            last = _last_day(activity, learner.degree, today)
            if last is not None:
                found[learner.learner_id] = Recipient(learner.learner_id, learner.email, learner.first_name, last)
        elif row.email not in claimed_emails:
            key = f"{EMAIL_PREFIX}{row.email}"
            last = _last_day(activity, None, today)
            if last is not None and key not in found:
                found[key] = Recipient(key, row.email, row.first_name, last)
    return list(found.values())


def opted_out(recipients: list[Recipient]) -> set[str]:
    """The keys of ``recipients`` who unsubscribed (as themselves, or the address written to)."""
    keys = [k for r in recipients for k in (r.key, f"{EMAIL_PREFIX}{r.email}")]
    out: set[str] = set()
    for start in range(0, len(keys), 100):
        out.update(x.recipient for x in Reminder.batch_get([(OPTED_OUT, k) for k in keys[start : start + 100]]))
    return {r.key for r in recipients if r.key in out or f"{EMAIL_PREFIX}{r.email}" in out}


# ------------------------------------------------------------------ the queue


def _task(activity: Activity, recipient: Recipient, round_: str) -> dict[str, Any]:
    return {
        "kind": KIND,
        "activity_id": activity.activity_id,
        "recipient": recipient.key,
        "email": recipient.email,
        "last_day": recipient.last_day.isoformat(),
        "round": round_,
    }


def _queue(tasks: list[dict[str, Any]]) -> None:
    """Queue ``tasks`` (up to 10: one SendMessageBatch); raise when any is refused."""
    queues.send_batch(get_settings().transcript_queue, tasks)


def _mark(activity_id: str, recipient: Recipient) -> bool:
    """Put the recipient's marker unless it exists: True when this run is the one that reminds."""
    marker = Reminder(activity_id, recipient.key, email=recipient.email, at=clock.now())
    try:
        marker.save(condition=Reminder.recipient.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _unmark(activity_id: str, tasks: list[dict[str, Any]]) -> None:
    for task in tasks:
        try:
            Reminder(activity_id, task["recipient"]).delete()
        except Exception:
            logger.exception("reminder marker not removed", extra={"activity_id": activity_id})


def fan_out(today: date) -> int:
    """The daily run as on ``today``: queue each reminder due, exactly once; how many were queued."""
    days_before = get_settings().reminder_days_before_close
    queued = 0
    for activity in open_activities(today, days_before):
        end = date.fromisoformat(activity.end_date)
        opens = credit.window_opens(activity.format or "", date.fromisoformat(activity.start_date), end)
        due = [
            r
            for r in unclaimed(activity, today)
            if credit.reminder_due(credit.reminder_day(opens, r.last_day, days_before), r.last_day, today)
        ]
        skip = opted_out(due) if due else set()
        batch: list[dict[str, Any]] = []
        for recipient in due:
            if recipient.key in skip or not _mark(activity.activity_id, recipient):
                continue
            batch.append(_task(activity, recipient, SCHEDULED))
            if len(batch) == 10:
                queued += _send_batch(activity.activity_id, batch)
                batch = []
        if batch:
            queued += _send_batch(activity.activity_id, batch)
    logger.info("reminders queued", extra={"count": queued, "as_of": today.isoformat()})
    return queued


def _send_batch(activity_id: str, batch: list[dict[str, Any]]) -> int:
    try:
        _queue(batch)
    except Exception:
        _unmark(activity_id, batch)  # the next run tries them again
        raise
    return len(batch)


def send_now(activity_id: str) -> int:
    """The office's "Send reminders": queue one now to each attendee without a claim whose window
    is open (not those who unsubscribed); 429 TOO_MANY_REQUESTS within 24 hours of the last; 503
    EMAIL_UNAVAILABLE when the queue refuses (when nothing was queued, the lock is taken back)."""
    activity = activities.get(activity_id)
    now = clock.now()
    lock = Reminder(activity_id, SENT_NOW, at=now)
    try:
        lock.save(condition=Reminder.recipient.does_not_exist() | (Reminder.at <= now - SEND_NOW_EVERY))
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        try:
            last = Reminder.get(activity_id, SENT_NOW, consistent_read=True).at or now
        except Reminder.DoesNotExist:
            last = now
        wait = max(int((last + SEND_NOW_EVERY - now).total_seconds()), 1)
        raise TooManyRequests(
            "TOO_MANY_REQUESTS",
            "Reminders for this activity were sent less than 24 hours ago. You can send them again later.",
            wait,
        ) from None
    today = clock.office_today()
    recipients = [r for r in unclaimed(activity, today) if today <= r.last_day]
    skip = opted_out(recipients) if recipients else set()
    tasks = [_task(activity, r, now.isoformat()) for r in recipients if r.key not in skip]
    sent = 0
    try:
        for start in range(0, len(tasks), 10):
            _queue(tasks[start : start + 10])
            sent += len(tasks[start : start + 10])
    except Exception as exc:
        logger.exception("reminders not queued", extra={"activity_id": activity_id, "queued": sent})
        if sent == 0:  # nothing went out: the office may try again at once
            lock.delete(condition=Reminder.at == now)
        raise ServiceUnavailable(
            "EMAIL_UNAVAILABLE", "We could not send the reminders just now. Please try again in a minute."
        ) from exc
    logger.info("reminders sent now", extra={"activity_id": activity_id, "count": len(tasks)})
    return len(tasks)


# ------------------------------------------------------------------ the worker


def _skip(task: dict[str, Any]) -> tuple[Activity, str, str] | None:
    """The activity, the address and the first name to remind; None when the reminder no longer
    stands (a claim since, an unsubscribe, the activity gone, an undeliverable address)."""
    recipient = task["recipient"]
    email = task["email"]
    first_name = ""
    if recipient.startswith(EMAIL_PREFIX):
        found = get_many(Activity(task["activity_id"]), Reminder(OPTED_OUT, recipient))
        activity, out = found[0], found[1]
        claimed = None
    else:
        found = get_many(
            Activity(task["activity_id"]),
            Reminder(OPTED_OUT, recipient),
            Learner(recipient),
            Claim(recipient, task["activity_id"]),
        )
        activity, out, learner, claimed = found
        if isinstance(learner, Learner):
            email, first_name = learner.email, learner.first_name
    if not isinstance(activity, Activity) or out is not None or claimed is not None:
        return None
    if f"{EMAIL_PREFIX}{email}" != recipient and get_many(Reminder(OPTED_OUT, f"{EMAIL_PREFIX}{email}"))[0]:
        return None  # the learner's address now is one that unsubscribed
    if deliverability.undeliverable(email):
        return None
    return activity, email, first_name


def send(task: dict[str, Any]) -> bool:
    """Email one reminder (the worker's unit, run at most once by ``idempotent_send``); False when
    it no longer stands. Paced (cme.platform.pacing): ``pacing.OutOfTime`` sends it back to the queue."""
    pacer = pacing.mail_pacer()
    pacer.ensure_time()
    standing = _skip(task)
    if standing is None:
        logger.info("reminder skipped", extra={"activity_id": task["activity_id"]})
        return False
    activity, email, first_name = standing
    raw = secrets.token_urlsafe(32)
    Reminder(
        f"{TOKEN_PREFIX}{token_hash(raw)}", TOKEN_RANGE, subject=task["recipient"], email=email, at=clock.now()
    ).save()
    site = get_settings().site_url.rstrip("/")
    last_day = date.fromisoformat(task["last_day"])
    mail.send(
        email,
        "reminder",
        {
            "first_name": first_name,
            "title": activity.title,
            "last_day": f"{last_day:%A, %B %-d, %Y}",
            "claim_link": f"{site}/portal.html",
            "unsubscribe_link": f"{site}/reminders-unsubscribe.html?token={raw}",
        },
        pacer=pacer,
    )
    logger.info("reminder sent", extra={"activity_id": task["activity_id"], "round": task["round"]})
    return True


def idempotent_send(task: dict[str, Any], lambda_context: Any = None) -> bool:
    """``send`` at most once per (activity, recipient, round): an SQS redelivery of a sent
    reminder replays its record instead of emailing again (Powertools idempotency, 400 days)."""
    return queues.at_most_once(send, task, "[kind, activity_id, recipient, round]", lambda_context)


# ------------------------------------------------------------------ unsubscribe


def invalid_link() -> BadToken:
    return BadToken("TOKEN_INVALID", "This unsubscribe link is not valid. Copy the whole link from the email.")


def unsubscribe(raw: str) -> None:
    """No further reminders to whom the token's reminder went; any number of times (a second
    click changes nothing); 400 TOKEN_INVALID for a token the portal never sent."""
    if not raw or len(raw) > 256:
        raise invalid_link()
    try:
        token = Reminder.get(f"{TOKEN_PREFIX}{token_hash(raw)}", TOKEN_RANGE, consistent_read=True)
    except Reminder.DoesNotExist:
        raise invalid_link() from None
    now = clock.now()
    for key in {token.subject or "", f"{EMAIL_PREFIX}{token.email}"} - {""}:
        Reminder(OPTED_OUT, key, email=token.email, at=now).save()
    logger.info("reminders unsubscribed")
