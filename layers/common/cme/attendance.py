"""Attendance: self sign-in at the event with its code, and the coordinator's roster import.

Attendance is keyed by activity and normalized email. It is a learner's once that email is
verified on their account (found by email at read time, see cme.emails).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from pynamodb.exceptions import PutError

from cme import activities, clock, retry, throttle
from cme.errors import InvalidInput, NotFound
from cme.identity import clean_name, normalize_email
from cme.models import Activity, Attendance, AttendanceCode
from cme.schemas import AttendanceEntry, Rejected, RosterReport, SelfSignIn, SignedIn
from cme.settings import get_settings

HEADER_ALIASES = {
    "email": "email",
    "e_mail": "email",
    "email_address": "email",
    "mail": "email",
    "first_name": "first_name",
    "first": "first_name",
    "given_name": "first_name",
    "firstname": "first_name",
    "last_name": "last_name",
    "last": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "lastname": "last_name",
}


def _code_invalid() -> NotFound:
    return NotFound("CODE_INVALID", "That attendance code is not right. Check it on the screen or ask the CME office.")


def _new_attendance(activity_id: str, email: str, first: str, last: str, source: str) -> Attendance:
    return Attendance(activity_id, email, first_name=first, last_name=last, source=source, recorded_at=clock.now())


def sign_in_at_event(data: SelfSignIn, client: str) -> tuple[SignedIn, bool]:
    """Record attendance with the activity's code while it is open; True when newly recorded.

    Throttled so that a crowd behind one address (a hospital's Wi-Fi) all sign in: wrong codes
    per client (only failures count; when spent, every code from that client is refused, so a
    guesser learns nothing more), then every attempt per activity and client, and per email.
    """
    settings = get_settings()
    wrong_codes = throttle.Scope("attend:wrong-code:client", client, settings.attendance_wrong_codes_per_client)
    throttle.check(wrong_codes)
    try:
        code = AttendanceCode.get(activities.normalize_code(data.code))
        activity = Activity.get(code.activity_id)
    except (AttendanceCode.DoesNotExist, Activity.DoesNotExist):
        activity = None
    if activity is None or not activity.published:
        throttle.record_failure(wrong_codes)
        raise _code_invalid()
    email = normalize_email(data.email)
    throttle.hit(
        throttle.Scope("attend:email", email, settings.attendance_per_email),
        throttle.Scope(
            "attend:activity-client", f"{client}|{activity.activity_id}", settings.attendance_per_activity_client
        ),
    )
    if not activities.is_open_for_sign_in(activity, activities.office_today()):
        when = (
            activity.start_date
            if activity.start_date == activity.end_date
            else (f"{activity.start_date} to {activity.end_date}")
        )
        raise InvalidInput("SIGN_IN_CLOSED", f"Sign-in for “{activity.title}” is open only on its date(s): {when}.")
    record = _new_attendance(
        activity.activity_id, email, clean_name(data.first_name), clean_name(data.last_name), "self"
    )
    try:
        # The attendance row alone, with its condition: a crowd signing in at once writes
        # different items, so nothing here waits on anyone else's request.
        retry.call(lambda: record.save(condition=Attendance.email.does_not_exist()), "attendance")
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return SignedIn(activity_id=activity.activity_id, title=activity.title), False  # a double tap
    # Recorded. The count is a separate ADD on the activity, only for a new row; its failure is
    # logged and never undoes or fails the sign-in (see activities.add_to_count).
    activities.add_to_count(activity.activity_id, "attendance_count")
    return SignedIn(activity_id=activity.activity_id, title=activity.title), True


def parse_csv(raw: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a roster CSV with their spreadsheet row numbers (the header is row 1)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # what Excel on Windows saves
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise InvalidInput("ROSTER_INVALID", "The CSV file is empty.")
    columns = [HEADER_ALIASES.get("_".join(h.strip().lower().replace("-", " ").split()), "") for h in header]
    if "email" not in columns:
        raise InvalidInput(
            "ROSTER_INVALID", "The CSV needs a header row with an email column (and first_name, last_name)."
        )
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {col: val for col, val in zip(columns, values, strict=False) if col}))
    return rows


def _name(value: Any) -> str:
    return clean_name(value)[:100] if isinstance(value, str) else ""


def import_roster(activity_id: str, rows: list[tuple[int, dict[str, Any]]]) -> RosterReport:
    """Add every valid row; report added, already present and rejected rows (each on its own).

    Costs ceil(n/100) BatchGetItem + ceil(new/25) BatchWriteItem + 1 UpdateItem.
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
        wanted[email] = (_name(row.get("first_name")), _name(row.get("last_name")))
        first_row[email] = number
    existing = {item.email for item in Attendance.batch_get([(activity_id, email) for email in wanted])}
    new = [email for email in wanted if email not in existing]
    with Attendance.batch_write() as batch:
        for email in new:
            first, last = wanted[email]
            batch.save(_new_attendance(activity_id, email, first, last, "roster"))
    if new:
        activities.add_to_count(activity_id, "attendance_count", len(new))
    return RosterReport(added=len(new), already_present=len(existing) + duplicates, rejected=rejected)


def list_for_activity(activity_id: str) -> list[AttendanceEntry]:
    activities.get(activity_id)
    return [
        AttendanceEntry(
            email=item.email,
            first_name=item.first_name,
            last_name=item.last_name,
            source=item.source,
            recorded_at=item.recorded_at.isoformat(),
        )
        for item in Attendance.query(activity_id)
    ]


def qr_svg(activity_id: str) -> str:
    """An SVG QR code of the activity's sign-in page with the code filled in, for a projector."""
    import segno

    url = activities.attend_url(activities.get(activity_id).attendance_code)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=2, title="Sign in to this activity")
    return out.getvalue().decode()
