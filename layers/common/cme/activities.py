"""Activities: what coordinators publish and learners claim. Validation per DOMAIN.md."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from cme import clock, retry
from cme.credit import CODE_ALPHABET
from cme.errors import Conflict, InvalidInput, NotFound, Problems
from cme.models import Activity, AttendanceCode
from cme.models.tables import CreditDesignation, EvaluationQuestion
from cme.observability import logger
from cme.schemas import ActivityIn, AdminActivity, Credit, PublicActivity, Question
from cme.settings import get_settings

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
    for index, credit in enumerate(data.credits):
        if (credit.max * 4) != int(credit.max * 4):
            raise _problem(
                "CREDITS_INVALID",
                f"Credit maximums are designated in steps of 0.25; {credit.max:g} is not.",
                f"credits.{index}.max",
            )
        if credit.type in seen:
            raise _problem("CREDITS_INVALID", f"{credit.type.value} is listed twice.", f"credits.{index}.type")
        seen.add(credit.type)


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
        raise _problem("CODE_INVALID", "An attendance code is 4 to 12 letters and digits.", "attendance_code")
    return code


def validate(data: ActivityIn) -> str | None:
    """Every rule of an activity; returns the normalized attendance code asked for, if any."""
    problems = Problems()
    problems.check(_check_dates, data)
    problems.check(_check_credits, data)
    problems.check(_check_evaluation, data)
    code = problems.check(_wanted_code, data)
    problems.raise_any()
    return code


def _fields(data: ActivityIn) -> dict[str, Any]:
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
        "uan": data.uan or None,
        "pars_activity_id": data.pars_activity_id or None,
    }


def _code_taken() -> Conflict:
    return Conflict(
        "CODE_TAKEN",
        "Another activity uses that attendance code; choose another or leave it empty.",
        [{"field": "attendance_code", "message": "already used"}],
    )


def create(data: ActivityIn) -> AdminActivity:
    wanted = validate(data)
    now = clock.now()
    for _ in range(5):  # a generated code collides about once in 10^9 tries; retry anyway
        code = wanted or new_code()
        activity = Activity(str(uuid.uuid4()), attendance_code=code, created_at=now, updated_at=now, **_fields(data))

        def build(tx: TransactWrite, code: str = code, activity: Activity = activity) -> None:
            tx.save(
                AttendanceCode(code, activity_id=activity.activity_id), condition=AttendanceCode.code.does_not_exist()
            )
            tx.save(activity, condition=Activity.activity_id.does_not_exist())

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
    try:
        return Activity.get(activity_id)
    except Activity.DoesNotExist:
        raise NotFound("NOT_FOUND", "There is no such activity.") from None


def update(activity_id: str, data: ActivityIn) -> AdminActivity:
    wanted = validate(data)
    activity = get(activity_id)
    code = wanted or activity.attendance_code
    fields = _fields(data)
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


def list_all() -> list[AdminActivity]:
    """Every activity, newest first (one Query on the by_kind index)."""
    return [admin_view(a) for a in Activity.by_kind.query("activity", scan_index_forward=False)]


def list_published() -> list[PublicActivity]:
    return [public_view(a) for a in Activity.by_published.query(PUBLISHED, scan_index_forward=False)]


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
    )


def attend_url(code: str) -> str:
    return f"{get_settings().site_url.rstrip('/')}/attend.html?{urlencode({'code': code})}"


def admin_view(activity: Activity) -> AdminActivity:
    return AdminActivity(
        **public_view(activity).model_dump(),
        attendance_code=activity.attendance_code,
        attendance_count=int(activity.attendance_count or 0),
        claim_count=int(activity.claim_count or 0),
        attend_url=attend_url(activity.attendance_code),
        uan=activity.uan,
        pars_activity_id=activity.pars_activity_id,
    )


def office_today() -> date:
    return local_date(clock.now())


def local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(get_settings().office_timezone)).date()


def is_open_for_sign_in(activity: Activity, today: date) -> bool:
    """Self sign-in is open on the activity's own date(s), in the office's time zone."""
    return date.fromisoformat(activity.start_date) <= today <= date.fromisoformat(activity.end_date)
