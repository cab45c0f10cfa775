"""The claims report a coordinator needs (docs/api.md "Coordinators at scale"): who claimed what, the
totals per credit type, the evaluation summarised per question, and who attended but has not
claimed yet; and the same claims as a CSV named after the activity.

DynamoDB calls, whatever the size of the activity: the activity (one GetItem), its claims (a
Query on the claims' ``by_activity`` index, one call per 1 MB page), its attendance (a Query on
the attendance table's key, likewise paged), the claimants' names and confirmed emails (one
BatchGetItem per 100 claimants, only the attributes used) and the accounts of the attendees who
have not claimed (one BatchGetItem of the EmailsTable per 100, none when all claimed). Nothing is
scanned. A revoked claim is at another key (cme.credit.revocation): it is in no report, and its
learner is listed as not having claimed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from cme.credit.claims import lines_out
from cme.platform import documents
from cme.platform.models import Attendance, Claim, EmailOwner, Learner, plain
from cme.platform.schemas import (
    AnswerCount,
    ClaimLineOut,
    ClaimReportReply,
    ClaimReportRow,
    CreditTotal,
    CreditType,
    EvaluationSummary,
    Question,
    QuestionKind,
    QuestionSummary,
    Unclaimed,
)
from cme.platform.settings import get_settings
from cme.platform.spreadsheet import to_csv
from cme.publishing import activities
from cme.records.certificates import completed_on
from cme.rules import credit

# what the report needs of a claimant (never the password hash or anything else)
_LEARNER_FIELDS = ["learner_id", "first_name", "last_name", "email", "verified_emails"]
_OWNER_FIELDS = ["email", "learner_id", "verified"]
RATINGS = tuple(str(n) for n in range(credit.RATING_LOW, credit.RATING_HIGH + 1))  # "1" ... "5"


def report(activity_id: str) -> ClaimReportReply:
    """Every claim of an activity, oldest first, with the totals, the evaluation summary and the
    attendees who have not claimed."""
    activity = activities.get(activity_id)
    claims = list(Claim.by_activity.query(activity_id))
    attendance = list(Attendance.query(activity_id))
    learners = claimants({c.learner_id for c in claims})
    shared = _shared_npis(claims)
    rows = [_row(c, learners.get(c.learner_id), shared) for c in claims]
    questions = activities.public_view(activity).evaluation
    waiting = with_accounts(unclaimed(attendance, claims, learners.values()))
    return ClaimReportReply(
        activity_id=activity_id,
        title=activity.title,
        start_date=activity.start_date,
        end_date=activity.end_date,
        claims=rows,
        totals=totals(rows),
        evaluation=[summarise(q, [plain(c.evaluation).get(q.question_id) for c in claims]) for q in questions],
        unclaimed=waiting,
    )


def with_accounts(rows: list[Unclaimed]) -> list[Unclaimed]:
    """Each unclaimed attendee's account, when the email is a confirmed email of one (for the
    office's "Claim for this learner"): one BatchGetItem of the EmailsTable per 100 emails (none
    when every attendee claimed)."""
    emails = sorted({r.email for r in rows})
    owners: dict[str, str] = {}
    for start in range(0, len(emails), 100):
        for owner in EmailOwner.batch_get(emails[start : start + 100], attributes_to_get=_OWNER_FIELDS):
            if owner.verified:
                owners[owner.email] = owner.learner_id
    return [r.model_copy(update={"learner_id": owners.get(r.email)}) for r in rows]


def claimants(ids: set[str]) -> dict[str, Learner]:
    if not ids:
        return {}
    return {x.learner_id: x for x in Learner.batch_get(sorted(ids), attributes_to_get=_LEARNER_FIELDS)}


def _shared_npis(claims: Iterable[Claim]) -> set[str]:
    """The NPIs that more than one learner's claim of this activity carries."""
    holders: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        if c.npi:
            holders[c.npi].add(c.learner_id)
    return {npi for npi, who in holders.items() if len(who) > 1}


def names(claim: Claim, learner: Learner | None) -> tuple[str, str]:
    """First and last name as the certificate prints them now (the learner's current name); a
    claim whose learner is gone keeps the name it was made under."""
    if learner is not None:
        return learner.first_name, learner.last_name
    if claim.first_name or claim.last_name:
        return claim.first_name or "", claim.last_name or ""
    return claim.learner_name, ""


def _row(claim: Claim, learner: Learner | None, shared: set[str]) -> ClaimReportRow:
    first, last = names(claim, learner)
    return ClaimReportRow(
        learner_id=claim.learner_id,
        learner_name=claim.learner_name,
        first_name=first,
        last_name=last,
        degree=claim.degree,
        email=claim.email,
        npi=claim.npi,
        npi_shared=bool(claim.npi) and claim.npi in shared,
        credit_type=CreditType(claim.credit_type),
        credits=float(claim.credits),
        claimed_at=claim.claimed_at.isoformat(),
        certificate_code=claim.certificate_code,
        completed_on=completed_on(claim),
        label=credit.label(claim.credit_type),
        lines=lines_out(credit.claim_lines(claim)),
    )


def _lines(row: ClaimReportRow) -> list[ClaimLineOut]:
    return row.lines or [ClaimLineOut(credit_type=row.credit_type, credits=row.credits, label=row.label)]


def totals(rows: Iterable[ClaimReportRow]) -> list[CreditTotal]:
    """Per credit type claimed (in cme.rules.credit's order): the learners who claimed it, and the credit."""
    learners: Counter[CreditType] = Counter()
    amounts: dict[CreditType, float] = defaultdict(float)
    for row in rows:
        for line in _lines(row):
            learners[line.credit_type] += 1  # one claim per learner per activity, one line per type
            amounts[line.credit_type] += line.credits
    return [
        CreditTotal(credit_type=t, label=credit.label(t), learners=learners[t], credits=round(amounts[t], 2))
        for t in credit.ORDER
        if t in learners
    ]


def _as_text(answer: Any) -> str | None:
    """An answer as the summary counts it; None when not answered."""
    if answer is None or isinstance(answer, list | dict):
        return None
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, int | float | Decimal):
        return f"{float(answer):g}"
    text = str(answer).strip()
    return text or None


def summarise(question: Question, answers: Iterable[Any]) -> QuestionSummary:
    """One question: counts per answer (every rating, yes/no, every choice, even at 0; then any
    answer no longer offered), the mean rating, and the free-text answers listed."""
    given = [a for a in (_as_text(x) for x in answers) if a is not None]
    summary = EvaluationSummary()
    if question.kind == QuestionKind.TEXT:
        summary.texts = given
    else:
        offered = {
            QuestionKind.RATING: RATINGS,
            QuestionKind.YES_NO: ("yes", "no"),
            QuestionKind.CHOICE: tuple(question.choices or ()),
        }[question.kind]
        counted = Counter(given)
        order = list(offered) + sorted(a for a in counted if a not in offered)
        summary.counts = [AnswerCount(answer=a, count=counted[a]) for a in order]
        if question.kind == QuestionKind.RATING:
            ratings = [float(a) for a in given if a in RATINGS]
            summary.mean = round(sum(ratings) / len(ratings), 2) if ratings else None
    return QuestionSummary(
        question_id=question.question_id, text=question.text, kind=question.kind, answers=len(given), summary=summary
    )


def unclaimed(
    attendance: Iterable[Attendance], claims: Iterable[Claim], claimants: Iterable[Learner]
) -> list[Unclaimed]:
    """Attendance rows under an email that no claimant has: not the email on a claim, nor any
    confirmed email of a learner who claimed (a learner who attended under a second email and
    claimed is not reminded). Sorted by last name, first name, then email."""
    covered = {c.email for c in claims}
    for learner in claimants:
        covered.add(learner.email)
        covered.update(learner.verified_emails or ())
    rows = sorted(
        (a for a in attendance if a.email not in covered),
        key=lambda a: (a.last_name.casefold(), a.first_name.casefold(), a.email),
    )
    return [Unclaimed(email=a.email, name=f"{a.first_name} {a.last_name}".strip()) for a in rows]


# ------------------------------------------------------------------ the CSV

CSV_COLUMNS = [
    "Activity",
    "Activity date",
    "First name",
    "Last name",
    "Degree",
    "Email",
    "NPI",
    "NPI shared with another learner",
    "Credit",
    "Credits",
    "Claimed at",
    "Completed on",
    "Certificate code",
]


def moment(iso: str, zone: str) -> str:
    """An ISO moment in the office's time zone, to the second, with its offset: 2026-03-03T14:05:09-05:00."""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def activity_dates(data: ClaimReportReply) -> str:
    if data.end_date and data.end_date != data.start_date:
        return f"{data.start_date} to {data.end_date}"
    return data.start_date


def filename(data: ClaimReportReply) -> str:
    """claims-2026-03-03-Grand-Rounds-Sepsis-in-2026.csv: the title in ASCII letters, digits and dashes."""
    return f"claims-{data.start_date}-{documents.slug(data.title, 60) or 'activity'}.csv"


def report_csv(data: ClaimReportReply) -> tuple[str, str]:
    """(file name, CSV text): one row per credit line (an AMA + MOC claim is two rows, as the
    lines are reported), readable credit labels (cme.rules.credit), first and last name apart, the
    activity's title and date on each row, times in the office's zone to the second."""
    zone = get_settings().office_timezone
    when = activity_dates(data)
    rows = (
        [
            data.title,
            when,
            row.first_name,
            row.last_name,
            row.degree,
            row.email,
            row.npi,
            "yes" if row.npi_shared else "",
            line.label,
            line.credits,
            moment(row.claimed_at, zone),
            row.completed_on.isoformat(),
            row.certificate_code,
        ]
        for row in data.claims
        for line in _lines(row)
    )
    return filename(data), to_csv(CSV_COLUMNS, rows)
