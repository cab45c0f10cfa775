"""Activities: what coordinators publish and learners claim. Validation per docs/domain.md "Credit"."""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from cme.platform import audit, clock, retry
from cme.platform.errors import BadToken, Conflict, InvalidInput, NotFound, Problems
from cme.platform.models import Activity, AttendanceCode, AuditRecord
from cme.platform.models.tables import ActivityCalendar, CreditDesignation, EvaluationQuestion
from cme.platform.observability import logger
from cme.platform.schemas import ActivityCopyIn, ActivityIn, AdminActivity, Credit, CreditType, PublicActivity, Question
from cme.platform.settings import get_settings
from cme.publishing import topics
from cme.rules import copies, credit
from cme.rules.credit import CODE_ALPHABET, check_aapa_valid_until

T = TypeVar("T")
CODE_LENGTH = 6
PUBLISHED = "PUBLISHED"


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _problem(code: str, message: str, field: str) -> InvalidInput:
    return InvalidInput(code, message, [{"field": field, "message": message}])


def _check_dates(data: ActivityIn) -> None:
    if data.end_date < data.start_date:
        raise _problem("DATES_INVALID", "The end date is before the start date.", "end_date")


def _check_credits(data: ActivityIn) -> None:
    seen: set[str] = set()
    for index, given in enumerate(data.credits):
        if (given.max * 4) != int(given.max * 4):
            raise _problem(
                "CREDITS_INVALID",
                f"Credit maximums are designated in steps of 0.25; {given.max:g} is not.",
                f"credits.{index}.max",
            )
        if given.type in seen:
            raise _problem("CREDITS_INVALID", f"{given.type.value} is listed twice.", f"credits.{index}.type")
        seen.add(given.type)


def _given_uans(data: ActivityIn) -> credit.AcpeUans:
    """The activity's ACPE UANs by audience, as given (upper case): ``uan_pharmacist`` and
    ``uan_technician``, and an older client's single ``uan`` (still taken) in the audience its
    suffix names; 422 VALIDATION_FAILED (field ``uan``) for a ``uan`` that names no audience, or
    one given beside another UAN for its audience."""
    found = {"P": (data.uan_pharmacist or "").upper() or None, "T": (data.uan_technician or "").upper() or None}
    legacy = (data.uan or "").upper()
    if legacy:
        audience = credit.uan_audience(legacy)
        if audience is None:
            raise _problem(
                "VALIDATION_FAILED",
                "A UAN ends with -P (for pharmacists) or -T (for pharmacy technicians).",
                "uan",
            )
        if found[audience] and found[audience] != legacy:
            raise _problem(
                "VALIDATION_FAILED",
                f"Give the UAN once, as {credit.UAN_FIELD[audience]} (uan is its older name).",
                "uan",
            )
        found[audience] = legacy
    return credit.AcpeUans(pharmacist=found["P"], technician=found["T"])


def _check_uans(data: ActivityIn) -> None:
    """ACPE designated: a UAN per audience, each in ACPE's shape (credit.check_uans); 422 VALIDATION_FAILED."""
    problems = credit.check_uans([c.type.value for c in data.credits], data.format.value, _given_uans(data))
    if problems:
        raise InvalidInput("VALIDATION_FAILED", "Please check the activity's ACPE UANs.", problems)


def _check_ipce(data: ActivityIn) -> None:
    """IPCE credit comes only from a jointly accredited provider (template parameter JointlyAccredited)."""
    if get_settings().jointly_accredited:
        return
    for index, designation in enumerate(data.credits):
        if designation.type == CreditType.IPCE:
            raise _problem(
                "IPCE_NEEDS_JOINT_ACCREDITATION",
                "Only a jointly accredited provider designates IPCE credit, and this office is not jointly accredited.",
                f"credits.{index}.type",
            )


def _check_evaluation(data: ActivityIn) -> None:
    seen: set[str] = set()
    for index, question in enumerate(data.evaluation):
        if question.question_id in seen:
            raise _problem("EVALUATION_INVALID", "Each question needs its own id.", f"evaluation.{index}.question_id")
        seen.add(question.question_id)
        if question.kind == "choice" and not question.choices:
            raise _problem("EVALUATION_INVALID", "A choice question needs choices.", f"evaluation.{index}.choices")


def _wanted_code(data: ActivityIn) -> str | None:
    if not data.attendance_code:
        return None
    code = normalize_code(data.attendance_code)
    if not 4 <= len(code) <= 12 or not code.isascii():
        raise _problem("CODE_MALFORMED", "An attendance code is 4 to 12 letters and digits.", "attendance_code")
    return code


def validate(data: ActivityIn) -> str | None:
    """Every rule of an activity; returns the normalized attendance code asked for, if any."""
    problems = Problems()
    problems.check(_check_dates, data)
    problems.check(_check_credits, data)
    problems.check(_check_ipce, data)
    problems.check(_check_uans, data)
    problems.check(_check_evaluation, data)
    code = problems.check(_wanted_code, data)
    problems.check(topics.check_topics, data.topics)
    problems.check(check_aapa_valid_until, [c.type.value for c in data.credits], data.aapa_valid_until)
    problems.raise_any()
    return code


def _fields(data: ActivityIn) -> dict[str, Any]:
    uans = _given_uans(data)
    return {
        "title": data.title,
        "description": data.description,
        "format": data.format.value,
        "start_date": data.start_date.isoformat(),
        "end_date": data.end_date.isoformat(),
        "location": data.location,
        "credits": [CreditDesignation(type=c.type.value, max=c.max) for c in data.credits],
        "claim_window_days": data.claim_window_days,
        "evaluation": [
            EvaluationQuestion(
                question_id=q.question_id, text=q.text, kind=q.kind.value, required=q.required, choices=q.choices
            )
            for q in data.evaluation
        ],
        "published": data.published,
        "published_key": PUBLISHED if data.published else None,
        "uan": None,  # the single UAN of older records: saving keeps it per audience instead (uans)
        "uan_pharmacist": uans.pharmacist,
        "uan_technician": uans.technician,
        "pars_activity_id": data.pars_activity_id or None,
        "aapa_valid_until": data.aapa_valid_until.isoformat() if data.aapa_valid_until else None,
        "topics": topics.check_topics(data.topics) or None,
    }


def _code_taken() -> Conflict:
    return Conflict(
        "CODE_TAKEN",
        "Another activity uses that attendance code; choose another or leave it empty.",
        [{"field": "attendance_code", "message": "already used"}],
    )


def create(data: ActivityIn, audited: Callable[[str], AuditRecord] | None = None) -> AdminActivity:
    """A new activity and its attendance code, in one transaction (with ``audited(activity_id)``'s
    audit record when given: a copy is audited)."""
    wanted = validate(data)
    now = clock.now()
    extend_calendar([data.end_date.isoformat()[:7]])
    for _ in range(5):  # a generated code collides about once in 10^9 tries; retry anyway
        code = wanted or new_code()
        activity_id = str(uuid.uuid4())
        keys = list_keys(activity_id, data.end_date.isoformat(), data.published)
        fields = {**_fields(data), **keys}
        activity = Activity(activity_id, attendance_code=code, created_at=now, updated_at=now, **fields)
        record = audited(activity_id) if audited else None

        def build(
            tx: TransactWrite, code: str = code, activity: Activity = activity, record: AuditRecord | None = record
        ) -> None:
            tx.save(
                AttendanceCode(code, activity_id=activity.activity_id), condition=AttendanceCode.code.does_not_exist()
            )
            tx.save(activity, condition=Activity.activity_id.does_not_exist())
            if record is not None:
                tx.save(record, condition=AuditRecord.at.does_not_exist())

        try:
            retry.transact(build, "activity create")
        except TransactWriteError as exc:
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            if wanted:
                raise _code_taken() from exc
            continue
        return admin_view(activity)
    raise Conflict("CODE_TAKEN", "Could not find a free attendance code; please try again.")


def add_to_count(activity_id: str, counter: str, amount: int = 1) -> None:
    """Add ``amount`` to the activity's ``attendance_count`` or ``claim_count``: one UpdateItem ADD,
    made after the records it counts are stored, never inside their transaction.

    A counter is a hot item: at an event's end hundreds of requests add to the same one, and a
    transaction holding it would be cancelled (TransactionConflict) whenever two overlap. Plain
    ADDs on one item never conflict with each other. This one is retried (throttling, a running
    coordinator's edit); if it still fails the count stays short: the records are already stored
    (reports count those, not this), so the failure is logged and counted as the metric
    ``ActivityCountLost``, and never fails the request.
    """
    attribute = Activity.claim_count if counter == "claim_count" else Activity.attendance_count
    try:
        retry.call(
            lambda: Activity(activity_id).update(
                actions=[attribute.add(amount)], condition=Activity.activity_id.exists()
            ),
            counter,
        )
    except PynamoDBException as exc:
        logger.error(
            "activity count not updated",
            extra={"activity_id": activity_id, "counter": counter, "cause": getattr(exc, "cause_response_code", None)},
        )
        retry.metric("ActivityCountLost")


def get(activity_id: str) -> Activity:
    if activity_id == CALENDAR_ID:  # the lists' calendar item shares the table; it is no activity
        raise NotFound("NOT_FOUND", "There is no such activity.")
    try:
        return Activity.get(activity_id)
    except Activity.DoesNotExist:
        raise NotFound("NOT_FOUND", "There is no such activity.") from None


def update(activity_id: str, data: ActivityIn) -> AdminActivity:
    wanted = validate(data)
    activity = get(activity_id)
    code = wanted or activity.attendance_code
    fields: dict[str, Any] = {**_fields(data), **list_keys(activity_id, data.end_date.isoformat(), data.published)}
    extend_calendar([data.end_date.isoformat()[:7]])
    actions = [
        getattr(Activity, name).set(value) if value is not None else getattr(Activity, name).remove()
        for name, value in fields.items()
    ]
    actions += [Activity.attendance_code.set(code), Activity.updated_at.set(clock.now())]

    def build(tx: TransactWrite) -> None:
        if code != activity.attendance_code:
            tx.save(AttendanceCode(code, activity_id=activity_id), condition=AttendanceCode.code.does_not_exist())
            tx.delete(AttendanceCode(activity.attendance_code))
        tx.update(activity, actions=actions, condition=Activity.attendance_code == activity.attendance_code)

    try:
        retry.transact(build, "activity update")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise _code_taken() from exc
    return admin_view(get(activity_id))


# ---- the two lists: pages a month at a time (the by_month index) ----------------------------
#
# Every activity is filed under the month of its LAST day (``list_month`` "YYYY-MM#P" when
# published, "#D" when a draft) and sorted there by ``list_key`` = "YYYY-MM-DD#<id>" of that day,
# so an activity that spans months is listed as current until it ends. The calendar item holds
# the first and last month filed, where a walk over months stops.
#
# Order without from/to (both lists): current and upcoming activities (last day today or later,
# in the office's time zone), soonest first; then past ones, most recent first. With from and/or
# to: the activities whose last day falls in [from, to], oldest first. A page costs one GetItem
# (the calendar) plus one Query per month it reads (two for coordinators: published and drafts),
# at most MONTHS_PER_PAGE months; a search (q) looks at most SEARCH_BUDGET activities per page, so
# a page of a search may hold fewer than ``limit`` and still have a next_cursor.

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MONTHS_PER_PAGE = 24
SEARCH_BUDGET = 1000
CALENDAR_ID = "#calendar"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_KEY = re.compile(r"^(\d{4}-\d{2})-\d{2}#[A-Za-z0-9-]{1,64}$")


@dataclass(frozen=True)
class ListQuery:
    q: str = ""
    start: date | None = None  # ?from=
    end: date | None = None  # ?to=
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    activities: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class _Segment:
    """One run of the walk: months from ``first`` towards ``last`` (forward when ``ascending``),
    keys in [lo, hi) (strings compared as DynamoDB compares them)."""

    ascending: bool
    first: str
    last: str
    lo: str
    hi: str


@dataclass(frozen=True)
class _Spot:
    segment: int
    month: str
    after: str | None  # the last list_key handed out or looked at; the walk goes on past it


def list_keys(activity_id: str, end_date: str, published: bool) -> dict[str, str]:
    """The by_month index's keys of an activity (set on create, update and by the backfill)."""
    return {"list_month": f"{end_date[:7]}#{'P' if published else 'D'}", "list_key": f"{end_date}#{activity_id}"}


def extend_calendar(months: list[str]) -> None:
    """Widen the calendar to hold ``months`` (before the activity is written, so a list never
    stops short of it). One GetItem; an UpdateItem only when a month lies outside, conditional
    so two coordinators widening it at once keep the widest."""
    first, last = min(months), max(months)
    try:
        calendar = ActivityCalendar.get(CALENDAR_ID, consistent_read=True)
    except ActivityCalendar.DoesNotExist:
        calendar = ActivityCalendar(CALENDAR_ID)
    for attribute, value, wider in (
        (ActivityCalendar.first_month, first, calendar.first_month is None or first < calendar.first_month),
        (ActivityCalendar.last_month, last, calendar.last_month is None or last > calendar.last_month),
    ):
        if not wider:
            continue
        beyond = attribute > value if attribute is ActivityCalendar.first_month else attribute < value

        def widen(attribute: Any = attribute, value: str = value, beyond: Any = beyond) -> Any:
            return ActivityCalendar(CALENDAR_ID).update(
                actions=[attribute.set(value)], condition=attribute.does_not_exist() | beyond
            )

        try:
            retry.call(widen, "activity calendar")
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise  # otherwise another save already widened it as far
    new = set(months) - set(calendar.months or ())
    if new:  # an ADD to a set: two saves adding months at once both keep theirs
        retry.call(
            lambda: ActivityCalendar(CALENDAR_ID).update(actions=[ActivityCalendar.months.add(new)]),
            "activity calendar",
        )


def _calendar() -> tuple[str, str, list[str] | None] | None:
    """First and last month filed, and every month filed (None for a calendar written before
    the months were kept: then the walk visits every month between)."""
    try:
        calendar = ActivityCalendar.get(CALENDAR_ID, consistent_read=True)
    except ActivityCalendar.DoesNotExist:
        return None
    if calendar.first_month is None or calendar.last_month is None:
        return None
    return calendar.first_month, calendar.last_month, sorted(calendar.months) if calendar.months else None


def _month(day: date) -> str:
    return day.isoformat()[:7]


def _next(month: str, ascending: bool, used: list[str] | None) -> str:
    """The next month the walk reads: the next one filed (past the calendar's end when none)."""
    if used is None:
        return _step(month, ascending)
    if ascending:
        at = bisect.bisect_right(used, month)
        return used[at] if at < len(used) else "9999-12"
    at = bisect.bisect_left(used, month)
    return used[at - 1] if at > 0 else "0000-01"


def _step(month: str, ascending: bool) -> str:
    year, number = int(month[:4]), int(month[5:]) + (1 if ascending else -1)
    if number == 13:
        year, number = year + 1, 1
    elif number == 0:
        year, number = year - 1, 12
    return f"{year:04d}-{number:02d}"


def _plan(query: ListQuery, today: date, calendar: tuple[str, str, list[str] | None]) -> list[_Segment]:
    first, last, _ = calendar
    if query.start is None and query.end is None:
        return [
            _Segment(True, max(_month(today), first), last, today.isoformat(), "~"),
            _Segment(False, min(_month(today), last), first, "", today.isoformat()),
        ]
    lo = query.start.isoformat() if query.start else ""
    hi = query.end.isoformat() + "~" if query.end else "~"
    return [
        _Segment(
            True,
            max(_month(query.start), first) if query.start else first,
            min(_month(query.end), last) if query.end else last,
            lo,
            hi,
        )
    ]


def _within(segment: _Segment, month: str) -> bool:
    return min(segment.first, segment.last) <= month <= max(segment.first, segment.last)


def _fold(text: str) -> str:
    """Case- and accent-insensitive form: "Sepsis à Zürich" -> "sepsis a zurich"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _matches(activity: Activity, terms: list[str]) -> bool:
    text = _fold(f"{activity.title}\n{activity.location or ''}")
    return all(term in text for term in terms)


def _fingerprint(admin: bool, query: ListQuery) -> str:
    what = json.dumps([admin, _fold(query.q).split(), str(query.start), str(query.end)])
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def _bad_cursor(message: str = "This page link is not valid; please start the list again.") -> BadToken:
    return BadToken("CURSOR_INVALID", message)


def _encode(spot: _Spot, today: date, fingerprint: str) -> str:
    data = {"v": 1, "s": spot.segment, "m": spot.month, "a": spot.after, "d": today.isoformat(), "f": fingerprint}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, fingerprint: str) -> tuple[_Spot, date]:
    """The position a cursor names, validated field by field: a cursor is only a position in the
    walk (the catalogue never reads a draft's partition, whatever a cursor says)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise _bad_cursor() from None
    if not isinstance(data, dict) or set(data) != {"v", "s", "m", "a", "d", "f"} or data["v"] != 1:
        raise _bad_cursor()
    segment, month, after, day = data["s"], data["m"], data["a"], data["d"]
    if data["f"] != fingerprint:
        raise _bad_cursor("This page link belongs to another search; please start the list again.")
    valid = (
        type(segment) is int
        and segment in (0, 1)
        and isinstance(month, str)
        and _MONTH.match(month)
        and (after is None or (isinstance(after, str) and (found := _KEY.match(after)) and found[1] == month))
        and isinstance(day, str)
    )
    if not valid:
        raise _bad_cursor()
    try:
        today = date.fromisoformat(day)
    except ValueError:
        raise _bad_cursor() from None
    return _Spot(segment, month, after), today


def _read_month(
    segment: _Segment, month: str, after: str | None, partitions: list[str], limit: int
) -> tuple[list[Activity], bool]:
    """Up to ``limit`` activities of one month after ``after``, in the segment's order, merged
    from its partitions; and whether the month may hold more."""
    lo, hi = max(segment.lo, month), min(segment.hi, month + "~")
    if after is not None:
        if segment.ascending:
            lo = max(lo, after)
        else:
            hi = min(hi, after)
    if lo > hi:
        return [], False
    found: list[Activity] = []
    more = False
    for suffix in partitions:
        read = 0
        for activity in Activity.by_month.query(
            f"{month}#{suffix}",
            range_key_condition=Activity.list_key.between(lo, hi),
            scan_index_forward=segment.ascending,
            limit=limit + 1,  # the item at ``after`` itself may come back
            page_size=limit + 1,
        ):
            read += 1
            key = activity.list_key
            if key in (after, hi) or not segment.lo <= key < segment.hi:
                continue
            found.append(activity)
        more = more or read > limit
    found.sort(key=lambda a: a.list_key, reverse=not segment.ascending)
    if len(found) > limit:
        found, more = found[:limit], True
    return found, more


def list_page(query: ListQuery, admin: bool) -> Page[Activity]:
    """One page of activities (published only unless ``admin``); see the notes above."""
    if query.start and query.end and query.end < query.start:
        raise _problem("DATES_INVALID", "The end of the range is before its start.", "to")
    fingerprint = _fingerprint(admin, query)
    today = clock.office_today()
    spot = _Spot(0, "", None)
    if query.cursor:
        spot, today = _decode(query.cursor, fingerprint)
    calendar = _calendar()
    if calendar is None:
        return Page([], None)
    plan = _plan(query, today, calendar)
    if not query.cursor:
        spot = _Spot(0, plan[0].first, None)
    elif spot.segment >= len(plan) or not _within(plan[spot.segment], spot.month):
        raise _bad_cursor()
    want = query.limit + 1  # one more than the page: is there a next page?
    taken, stopped = _walk(plan, spot, ["P", "D"] if admin else ["P"], _fold(query.q).split(), want, calendar[2])
    if len(taken) == want:
        last_spot = taken[query.limit - 1][0]
        return Page([a for _, a in taken[: query.limit]], _encode(last_spot, today, fingerprint))
    return Page([a for _, a in taken], None if stopped is None else _encode(stopped, today, fingerprint))


def _walk(
    plan: list[_Segment], spot: _Spot, partitions: list[str], terms: list[str], want: int, used: list[str] | None
) -> tuple[list[tuple[_Spot, Activity]], _Spot | None]:
    """Up to ``want`` activities from ``spot`` on (each with the spot just past it), and where
    the walk stopped when it stopped early (None when it reached the end of the plan)."""
    taken: list[tuple[_Spot, Activity]] = []
    budget, months = SEARCH_BUDGET, 0
    index, month, after = spot.segment, spot.month, spot.after
    while index < len(plan):
        segment = plan[index]
        past_end = month > segment.last if segment.ascending else month < segment.last
        if past_end:
            index += 1
            if index < len(plan):
                month, after = plan[index].first, None
            continue
        if months >= MONTHS_PER_PAGE or (terms and budget <= 0):
            return taken, _Spot(index, month, after)  # this page has read enough; go on from here
        months += 1
        size = budget if terms else want - len(taken)
        found, more = _read_month(segment, month, after, partitions, size)
        for activity in found:
            budget -= 1
            after = activity.list_key
            if not terms or _matches(activity, terms):
                taken.append((_Spot(index, month, after), activity))
                if len(taken) == want:
                    break
        if len(taken) == want:
            return taken, None  # the caller's cursor is the spot past the page's last activity
        if more:
            continue  # the same month again, past ``after`` (a search over its budget stops above)
        month, after = _next(month, segment.ascending, used), None
    return taken, None


def list_admin(query: ListQuery) -> Page[AdminActivity]:
    page = list_page(query, admin=True)
    return Page([admin_view(a) for a in page.activities], page.next_cursor)


def list_published(query: ListQuery) -> Page[PublicActivity]:
    page = list_page(query, admin=False)
    return Page([public_view(a) for a in page.activities], page.next_cursor)


def any_exist() -> bool:
    """Whether any activity exists, drafts included (one page of one)."""
    return bool(list_page(ListQuery(limit=1), admin=True).activities)


def get_published(activity_id: str) -> PublicActivity:
    activity = get(activity_id)
    if not activity.published:
        raise NotFound("NOT_FOUND", "There is no such activity.")
    return public_view(activity)


def _credits(activity: Activity) -> list[Credit]:
    return [Credit(type=c.type, max=float(c.max)) for c in activity.credits]  # type: ignore[arg-type]


def _questions(activity: Activity) -> list[Question]:
    return [
        Question(question_id=q.question_id, text=q.text, kind=q.kind, required=q.required, choices=q.choices)  # type: ignore[arg-type]
        for q in activity.evaluation or []
    ]


def public_view(activity: Activity) -> PublicActivity:
    return PublicActivity(
        activity_id=activity.activity_id,
        title=activity.title,
        description=activity.description,
        format=activity.format,  # type: ignore[arg-type]
        start_date=date.fromisoformat(activity.start_date),
        end_date=date.fromisoformat(activity.end_date),
        location=activity.location,
        credits=_credits(activity),
        claim_window_days=int(activity.claim_window_days),
        evaluation=_questions(activity),
        published=activity.published,
        topics=[str(t) for t in activity.topics or []],
    )


def attend_url(code: str) -> str:
    return f"{get_settings().site_url.rstrip('/')}/attend.html?{urlencode({'code': code})}"


def uans(activity: Activity) -> credit.AcpeUans:
    """The activity's ACPE UANs by audience, the one reading of them (a record saved with one ``uan``
    before they were per audience: credit.stored_uans). Certificates, claims and board files read them here."""
    return credit.stored_uans(activity.uan_pharmacist, activity.uan_technician, activity.uan)


def admin_view(activity: Activity) -> AdminActivity:
    acpe = uans(activity)
    return AdminActivity(
        **public_view(activity).model_dump(),
        attendance_code=activity.attendance_code,
        attendance_count=int(activity.attendance_count or 0),
        claim_count=int(activity.claim_count or 0),
        attend_url=attend_url(activity.attendance_code),
        uan=activity.uan or acpe.pharmacist or acpe.technician,  # older clients' one UAN
        uan_pharmacist=acpe.pharmacist,
        uan_technician=acpe.technician,
        pars_activity_id=activity.pars_activity_id,
        aapa_valid_until=date.fromisoformat(activity.aapa_valid_until) if activity.aapa_valid_until else None,
    )


def is_open_for_sign_in(activity: Activity, today: date) -> bool:
    """Self sign-in is open on the activity's own date(s), in the office's time zone."""
    return date.fromisoformat(activity.start_date) <= today <= date.fromisoformat(activity.end_date)


# ---- a copy: the same activity on new dates (a weekly grand rounds typed once) ----------------


def copy_of(activity: Activity, dates: ActivityCopyIn) -> ActivityIn:
    """What a copy of ``activity`` saves: its designations, evaluation, topics, description and
    location, on ``dates``, unpublished, with the identifiers that carry over
    (cme.rules.copies.carried) and no attendance code (create generates one)."""
    view = admin_view(activity)
    kept = copies.carried(
        view.format.value,
        copies.Identifiers(
            pars_activity_id=view.pars_activity_id,
            uan=view.uan,
            uan_pharmacist=view.uan_pharmacist,
            uan_technician=view.uan_technician,
            aapa_valid_until=view.aapa_valid_until,
        ),
        view.start_date,
        dates.start_date,
        dates.end_date,
    )
    # every field the activity form saves, as the source has it (a field added to the form later
    # is copied too), then what a copy changes
    return ActivityIn.model_validate(
        {
            **view.model_dump(exclude={"attendance_code"}),
            "start_date": dates.start_date,
            "end_date": dates.end_date,
            "published": False,
            "pars_activity_id": kept.pars_activity_id,
            "uan": kept.uan,
            "uan_pharmacist": kept.uan_pharmacist,
            "uan_technician": kept.uan_technician,
            "aapa_valid_until": kept.aapa_valid_until,
        }
    )


def copy(
    activity_id: str, dates: ActivityCopyIn, actor: str, source_ip: str = "", user_agent: str = ""
) -> AdminActivity:
    """A new unpublished activity like ``activity_id`` on ``dates`` (404 for an unknown one; the
    dates checked as a save checks them), audited on the copy ("activity_copied", from which)."""
    source = get(activity_id)
    data = copy_of(source, dates)

    def audited(new_id: str) -> AuditRecord:
        return audit.about(
            f"{audit.ACTIVITY}{new_id}",
            "activity_copied",
            actor,
            {"activity_id": new_id, "copied_from": activity_id, "title": source.title},
            source_ip,
            user_agent,
        )

    copied = create(data, audited)
    logger.info("activity copied", extra={"activity_id": copied.activity_id, "copied_from": activity_id})
    return copied
