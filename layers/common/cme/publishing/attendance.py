"""Attendance: self sign-in at the event with its code, and the coordinator's roster import.

Attendance is keyed by activity and normalized email. It is a learner's once that email is
verified on their account (found by email at read time, see cme.identity.emails). Every row is written
in one transaction with its email's EmailAttendance item (the set of activities attended under
that email), and removed the same way, so My activities reads a learner's attendance by key
(``record``, ``record_many``, ``remove``).
"""

from __future__ import annotations

import base64
import io
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme.identity import deliverability
from cme.platform import audit, clock, documents, retry, throttle
from cme.platform.errors import BadToken, Conflict, InvalidInput, NotFound
from cme.platform.models import (
    Activity,
    Attendance,
    AttendanceCode,
    AuditRecord,
    Claim,
    EmailAttendance,
    EmailOwner,
    get_many,
)
from cme.platform.normalize import check_name_relay, clean_name, name_key, name_relays, normalize_email
from cme.platform.observability import logger
from cme.platform.schemas import (
    AttendanceEntry,
    AttendLookup,
    Rejected,
    RosterReport,
    SelfSignIn,
    SignedIn,
    Undeliverable,
)
from cme.platform.schemas import AttendanceListReply as Page
from cme.platform.settings import get_settings
from cme.platform.spreadsheet import to_csv
from cme.publishing import activities

T = TypeVar("T")


def _code_invalid() -> NotFound:
    return NotFound("CODE_INVALID", "That attendance code is not right. Check it on the screen or ask the CME office.")


def _new_attendance(activity_id: str, email: str, first: str, last: str, source: str) -> Attendance:
    return Attendance(activity_id, email, first_name=first, last_name=last, source=source, recorded_at=clock.now())


def _attended(email: str) -> EmailAttendance:
    return EmailAttendance(*EmailAttendance.key_of(email))


#: rows per transaction: each row is a put and its email's update, and a transaction holds 100
ROWS_PER_TRANSACTION = 50


def record_many(rows: list[Attendance], what: str = "attendance") -> list[Attendance]:
    """Write ``rows`` (one email each at most, any activities), each with the add of its
    activity to its email's EmailAttendance item, 50 rows to a transaction; returns the rows
    written. A row already there (written meanwhile: a double tap, a sign-in during an
    import) is left as it is and not returned; the others of its transaction are written.

    Each row's put and its email's update are in one transaction, so the per-email item lists
    exactly the rows there are. The items written are the email's own (no count, no activity):
    a crowd signing in to one activity writes different items and never conflicts."""
    written: list[Attendance] = []
    for start in range(0, len(rows), ROWS_PER_TRANSACTION):
        chunk = rows[start : start + ROWS_PER_TRANSACTION]
        while chunk:
            try:
                _write(chunk, what)
            except TransactWriteError as exc:
                reasons = retry.reasons_by_item(exc)
                if retry.DECISION not in reasons:
                    raise
                # the puts' reasons come first: those rows are there already
                chunk = [row for row, reason in zip(chunk, reasons, strict=False) if reason != retry.DECISION]
                continue
            written.extend(chunk)
            break
    return written


def _write(rows: list[Attendance], what: str) -> None:
    def build(tx: TransactWrite) -> None:
        for row in rows:  # puts come before updates in the request (PynamoDB's order)
            tx.save(row, condition=Attendance.email.does_not_exist())
        for row in rows:
            tx.update(_attended(row.email), actions=[EmailAttendance.activities.add({row.activity_id})])

    retry.transact(build, what)


def record(row: Attendance, what: str = "attendance") -> bool:
    """``record_many`` of one row: True when written, False when it was there already."""
    return bool(record_many([row], what))


def _wrong_codes(client: str) -> throttle.Scope:
    """Wrong attendance codes from one client (only failures count): sign-in and lookups alike."""
    return throttle.Scope("attend:wrong-code:client", client, get_settings().attendance_wrong_codes_per_client)


def _per_activity_client(client: str, activity_id: str) -> throttle.Scope:
    """Every attempt with one activity's right code from one client (a crowd shares an address)."""
    limit = get_settings().attendance_per_activity_client
    return throttle.Scope("attend:activity-client", f"{client}|{activity_id}", limit)


def _published_by_code(text: str) -> Activity | None:
    try:
        code = AttendanceCode.get(activities.normalize_code(text))
        activity = Activity.get(code.activity_id)
    except (AttendanceCode.DoesNotExist, Activity.DoesNotExist):
        return None
    return activity if activity.published else None


def look_up(code_text: str, client: str) -> AttendLookup:
    """The title and dates of the published activity an attendance code opens (GET /api/attend/{code}),
    shown on the sign-in page before anyone submits.

    Each lookup is a code attempt in the sign-in's own throttle: refused (429) once the client's
    wrong codes are spent; a wrong code counts against them, as a wrong sign-in does; a right one
    counts against the activity-and-client limit, as every sign-in does. (A right lookup does not
    count as a wrong code: a hospital's whole Wi-Fi shares one address, and its page loads would
    lock the room out.) 404 ``CODE_INVALID`` for a code that opens nothing (or a draft)."""
    wrong_codes = _wrong_codes(client)
    throttle.check(wrong_codes)
    if len(code_text) > CODE_TEXT_MAX or (activity := _published_by_code(code_text)) is None:
        throttle.record_failure(wrong_codes)
        raise _code_invalid()
    throttle.hit(_per_activity_client(client, activity.activity_id))
    return AttendLookup(title=activity.title, start_date=activity.start_date, end_date=activity.end_date)


#: the longest code text taken (SelfSignIn's code field)
CODE_TEXT_MAX = 20


def sign_in_at_event(data: SelfSignIn, client: str) -> tuple[SignedIn, bool]:
    """Record attendance with the activity's code while it is open; True when newly recorded.

    Throttled so that a crowd behind one address (a hospital's Wi-Fi) all sign in: wrong codes
    per client (only failures count; when spent, every code from that client is refused, so a
    guesser learns nothing more), then every attempt per activity and client, and per email.
    """
    settings = get_settings()
    wrong_codes = _wrong_codes(client)
    throttle.check(wrong_codes)
    activity = _published_by_code(data.code)
    if activity is None:
        throttle.record_failure(wrong_codes)
        raise _code_invalid()
    email = normalize_email(data.email)
    throttle.hit(
        throttle.Scope("attend:email", email, settings.attendance_per_email),
        _per_activity_client(client, activity.activity_id),
    )
    if not activities.is_open_for_sign_in(activity, clock.office_today()):
        # dates as people read them: "November 27, 2026", or "November 27, 2026 to November 28, 2026"
        first, last = (date.fromisoformat(day) for day in (activity.start_date, activity.end_date))
        when = f"{first:%B} {first.day}, {first.year}"
        if last != first:
            when += f" to {last:%B} {last.day}, {last.year}"
        raise InvalidInput("SIGN_IN_CLOSED", f"Sign-in for “{activity.title}” is open only on its date(s): {when}.")
    check_name_relay({"first_name": data.first_name, "last_name": data.last_name})  # issue 22, 4
    row = _new_attendance(activity.activity_id, email, clean_name(data.first_name), clean_name(data.last_name), "self")
    # The row with its email's item (record): a crowd signing in at once writes different
    # items, so nothing here waits on anyone else's request.
    if not record(row):
        return SignedIn(activity_id=activity.activity_id, title=activity.title), False  # a double tap
    # Recorded. The count is a separate ADD on the activity, only for a new row; its failure is
    # logged and never undoes or fails the sign-in (see activities.add_to_count).
    activities.add_to_count(activity.activity_id, "attendance_count")
    return SignedIn(activity_id=activity.activity_id, title=activity.title), True


def _name(value: Any) -> str:
    return clean_name(value)[:100] if isinstance(value, str) else ""


def import_roster(activity_id: str, rows: list[tuple[int, dict[str, Any]]]) -> RosterReport:
    """Add every valid row; report added, already present and rejected rows (each on its own).

    Costs ceil(n/100) BatchGetItem + ceil(new/50) TransactWriteItems (``record_many``) + 1
    UpdateItem (the count).
    """
    settings = get_settings()
    if len(rows) > settings.roster_max_rows:
        raise InvalidInput("ROSTER_TOO_LARGE", f"A roster can hold at most {settings.roster_max_rows} rows per upload.")
    activities.get(activity_id)  # 404 when there is no such activity
    rejected: list[Rejected] = []
    wanted: dict[str, tuple[str, str]] = {}
    first_row: dict[str, int] = {}
    duplicates = 0
    for number, row in rows:
        raw_email = row.get("email")
        if not isinstance(raw_email, str) or not raw_email.strip():
            rejected.append(Rejected(row=number, reason="The email is missing."))
            continue
        try:
            email = normalize_email(raw_email)
        except InvalidInput:
            rejected.append(Rejected(row=number, reason=f"“{raw_email.strip()[:80]}” is not a valid email."))
            continue
        if email in wanted:
            duplicates += 1  # the same person twice in one file is present once
            continue
        names = {"first_name": _name(row.get("first_name")), "last_name": _name(row.get("last_name"))}
        relays = [field for field, name in names.items() if name_relays(name)]
        if relays:  # no web or email address in a name (issue 22, 4)
            shown = " and the ".join(field.replace("_", " ") for field in relays)
            verb = "holds" if len(relays) == 1 else "hold"
            rejected.append(Rejected(row=number, reason=f"The {shown} {verb} a web or email address."))
            continue
        wanted[email] = (names["first_name"], names["last_name"])
        first_row[email] = number
    existing = {item.email for item in Attendance.batch_get([(activity_id, email) for email in wanted])}
    rows_new = [_new_attendance(activity_id, e, *wanted[e], "roster") for e in wanted if e not in existing]
    added = len(record_many(rows_new, "roster import"))  # a row written meanwhile was present
    if added:
        activities.add_to_count(activity_id, "attendance_count", added)
    return RosterReport(added=added, already_present=len(wanted) - added + duplicates, rejected=rejected)


# --- the coordinator's list: searched, paged by email, exported; one wrong entry removed ---

PAGE_DEFAULT = 50
PAGE_MAX = 200
BATCH_KEYS = 100  # BatchGetItem's most keys per call
CSV_COLUMNS = ("Email", "First name", "Last name", "Source", "Recorded", "Claimed")
SOURCE_LABELS = {"self": "Signed in at the event", "roster": "Roster", "sms": "Text message"}


def _fold(text: str) -> str:
    """Search form (cme.platform.normalize.name_key): case, accents, spaces and punctuation set aside, so
    "pena" finds "Peña", "o briain" finds "Ó Briain", "ann.lee@" finds "ann.lee@example.org"."""
    return name_key(text)


def _matches(row: Attendance, wanted: str) -> bool:
    name = f"{row.first_name} {row.last_name}"
    return any(wanted in _fold(text) for text in (row.email, name, f"{row.last_name} {row.first_name}"))


def _cursor(email: str) -> str:
    return base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")


def _after(cursor: str) -> str:
    """The email a cursor continues after; 400 CURSOR_INVALID (as the activity lists answer it)
    for anything not made by _cursor."""
    try:
        email = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        email = ""
    if not email or "@" not in email or _cursor(email) != cursor:
        raise BadToken(
            "CURSOR_INVALID",
            "That page link is not valid any more: start again from the first page.",
            [{"field": "cursor", "message": "Use the next_cursor of the previous page."}],
        )
    return email


def _chunks(items: list[T], size: int = BATCH_KEYS) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def email_states(activity_id: str, emails: list[str]) -> tuple[set[str], dict[str, Undeliverable]]:
    """Which of ``emails`` carry a claim at the activity, and which SES reported undeliverable
    (cme.identity.deliverability), from one read of each email's owner: the owner (if verified) and that
    learner's claim, read by key. ceil(n/100) BatchGetItem for the owners, then at most
    ceil(verified/100) for the claims; strongly consistent (no index lag)."""
    owners: dict[str, str] = {}
    undeliverable: dict[str, Undeliverable] = {}
    for chunk in _chunks(emails):
        for owner in get_many(*(EmailOwner(email) for email in chunk)):
            if not isinstance(owner, EmailOwner):
                continue
            mark = deliverability.of(owner)
            if mark is not None:
                undeliverable[owner.email] = mark
            if owner.verified:
                owners[owner.email] = owner.learner_id
    claimants: set[str] = set()
    for chunk in _chunks(sorted(set(owners.values()))):
        for claim in get_many(*(Claim(learner_id, activity_id) for learner_id in chunk)):
            if isinstance(claim, Claim):
                claimants.add(claim.learner_id)
    return {email for email, learner_id in owners.items() if learner_id in claimants}, undeliverable


def _entries(activity_id: str, rows: list[Attendance]) -> list[AttendanceEntry]:
    claimed, undeliverable = email_states(activity_id, [row.email for row in rows]) if rows else (set(), {})
    return [
        AttendanceEntry(
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            source=row.source,
            recorded_at=row.recorded_at.isoformat(),
            claimed=row.email in claimed,
            undeliverable=undeliverable.get(row.email),
        )
        for row in rows
    ]


def page_for_activity(activity_id: str, q: str = "", limit: int = PAGE_DEFAULT, cursor: str | None = None) -> Page:
    """One page of the activity's attendance, in email order, with the exact number of rows
    that match.

    Without ``q``: one GetItem (the activity), one Query of ``limit`` + 1 rows after the
    cursor, one Query ``Select=COUNT`` (per MB of the activity's attendance), and the claim
    lookup (email_states: 2 BatchGetItem per 100 rows). With ``q`` (case- and accent-
    insensitive, in email or name, which DynamoDB cannot filter): the activity's rows are read
    (one Query per MB, some 5,000 rows) and filtered here, then the same claim lookup.
    """
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(  # the code the activity lists answer for the same mistake
            "VALIDATION_FAILED",
            f"A page holds 1 to {PAGE_MAX} rows.",
            [{"field": "limit", "message": f"Ask for 1 to {PAGE_MAX} rows."}],
        )
    after = _after(cursor) if cursor else None
    activities.get(activity_id)  # 404 when there is no such activity
    wanted = _fold(q)
    if wanted:
        matching = [row for row in Attendance.query(activity_id, consistent_read=True) if _matches(row, wanted)]
        total = len(matching)
        found = [row for row in matching if after is None or row.email > after]
    else:
        condition = Attendance.email > after if after is not None else None
        found = list(
            Attendance.query(activity_id, condition, consistent_read=True, limit=limit + 1, page_size=limit + 1)
        )
        total = Attendance.count(activity_id, consistent_read=True)
    page = found[:limit]
    more = len(found) > limit
    return Page(
        rows=_entries(activity_id, page),
        next_cursor=_cursor(page[-1].email) if more and page else None,
        total=total,
    )


def _file_name(activity: Activity) -> str:
    """attendance-<title>-<date>.csv in safe characters (ASCII letters, digits, hyphens)."""
    return f"attendance-{documents.slug(activity.title, 60).lower() or 'activity'}-{activity.start_date}.csv"


def export_csv(activity_id: str) -> tuple[str, str]:
    """(file name, CSV) of every row: one Query per MB plus the claim lookup (ceil(n/100)
    BatchGetItem for owners, at most as many for claims). Times to the second, office time."""
    activity = activities.get(activity_id)
    zone = ZoneInfo(get_settings().office_timezone)
    rows = _entries(activity_id, list(Attendance.query(activity_id, consistent_read=True)))
    body = to_csv(
        (*CSV_COLUMNS[:4], f"Recorded ({zone.key})", CSV_COLUMNS[5]),
        (
            (
                row.email,
                row.first_name,
                row.last_name,
                SOURCE_LABELS.get(row.source, row.source),
                datetime.fromisoformat(row.recorded_at).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                "yes" if row.claimed else "no",
            )
            for row in rows
        ),
    )
    return _file_name(activity), body


def _no_row() -> NotFound:
    return NotFound("NOT_FOUND", "No one is recorded under that email for this activity.")


def _claimed() -> Conflict:
    return Conflict(
        "ATTENDANCE_CLAIMED",
        "This attendance has a claim for credit: the learner who claimed it holds this email, so it cannot be removed.",
    )


def remove(activity_id: str, email_text: str, actor: str, source_ip: str = "", user_agent: str = "") -> None:
    """Remove one wrong entry, audited; refused when a claim rests on it.

    One BatchGetItem (the row and its email's owner), then one transaction: the row's delete
    (on condition it is there, so it is removed exactly once), the audit record with the row as
    it was, and checks that the email's owner is as read and (if verified) that learner has no
    claim at the activity, so a claim made meanwhile refuses the removal. Then the activity's
    attendance count (one UpdateItem, outside the transaction: a hot item). The transaction
    also takes the activity out of the email's EmailAttendance item (see ``record_many``).
    """
    try:
        email = normalize_email(email_text)
    except InvalidInput:
        raise _no_row() from None
    # a second try when the email was verified or changed hands between the read and the write
    if not any(_remove_once(activity_id, email, actor, source_ip, user_agent) for _ in range(2)):
        raise Conflict("ATTENDANCE_CHANGED", "This attendance changed meanwhile; reload and try again.")
    activities.add_to_count(activity_id, "attendance_count", -1)
    logger.info("attendance removed", extra={"activity_id": activity_id, "actor": actor})


def _remove_once(activity_id: str, email: str, actor: str, source_ip: str, user_agent: str) -> bool:
    """True when removed; False when the email's owner was not as read (nothing written)."""
    row, owner = get_many(Attendance(activity_id, email), EmailOwner(email))
    if not isinstance(row, Attendance):
        activities.get(activity_id)  # 404 for the activity itself first
        raise _no_row()
    learner_id = owner.learner_id if isinstance(owner, EmailOwner) and owner.verified else None
    entry = audit.about(
        f"activity#{activity_id}",
        "attendance_removed",
        actor,
        {
            "activity_id": activity_id,
            "email": row.email,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "source": row.source,
            "recorded_at": row.recorded_at.isoformat(),
            **({"learner_id": learner_id} if learner_id else {}),
        },
        source_ip,
        user_agent,
    )
    unchanged = (
        (EmailOwner.learner_id == learner_id) & (EmailOwner.verified == True)  # noqa: E712
        if learner_id
        else EmailOwner.email.does_not_exist() | (EmailOwner.verified == False)  # noqa: E712
    )

    def build(tx: TransactWrite) -> None:
        tx.delete(row, condition=Attendance.email.exists())
        tx.save(entry, condition=AuditRecord.at.does_not_exist())
        tx.condition_check(EmailOwner, email, condition=unchanged)
        if learner_id:
            tx.condition_check(Claim, learner_id, activity_id, condition=Claim.activity_id.does_not_exist())
        tx.update(_attended(email), actions=[EmailAttendance.activities.delete({activity_id})])  # last: reasons

    try:
        retry.transact(build, "attendance remove")
    except TransactWriteError as exc:
        # PynamoDB sends condition checks first (owner, then claim), then the delete, then the put
        reasons = retry.reasons_by_item(exc)
        if retry.DECISION not in reasons:
            raise
        failed = reasons.index(retry.DECISION)
        if failed == (2 if learner_id else 1):
            raise _no_row() from exc  # removed meanwhile (a double click): removed once only
        if learner_id and failed == 1:
            raise _claimed() from exc
        return False
    return True


def qr_svg(activity_id: str) -> str:
    """An SVG QR code of the activity's sign-in page with the code filled in, for a projector."""
    import segno

    url = activities.attend_url(activities.get(activity_id).attendance_code)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=2, title="Sign in to this activity")
    return out.getvalue().decode()
