"""Transcripts: every claim in a date range as PDF or CSV, on demand (a pre-signed link) or
by email on the learner's schedule (fan-out through SQS, one idempotent send per period)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from cme.identity import deliverability, sessions
from cme.platform import aws, clock, documents, mail, pacing, queues, retry, throttle
from cme.platform.errors import InvalidInput
from cme.platform.models import Claim, Learner
from cme.platform.models.tables import OutsideCredit
from cme.platform.observability import logger
from cme.platform.schemas import TranscriptReply
from cme.platform.settings import get_settings
from cme.platform.spreadsheet import to_csv
from cme.records import certificates, outside
from cme.rules import credit, transcript_schedule

EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class Entry:
    """One row of a transcript: one credit line of a claim (an AMA + MOC claim is two rows)."""

    day: date  # the completion date (cme.rules.credit)
    title: str
    credit_type: str
    credits: float
    label: str  # the credit type's wording (cme.rules.credit.label)
    certificate_code: str | None
    claimed_at: datetime | None
    source: str = "claim"  # "claim", "outside" (self-reported credit earned elsewhere) or "imported"
    provider: str = ""  # an outside entry's provider, as the learner gave it
    source_name: str = ""  # an imported entry's portal (docs/domain.md "Imported history")

    @property
    def source_label(self) -> str:
        """ "Imported from <portal>" for an imported entry (cme.rules.credit.imported_from), else ""."""
        return credit.imported_from(self.source_name) if self.source == "imported" else ""

    @property
    def self_reported(self) -> bool:
        return self.source == "outside"


@dataclass(frozen=True)
class Total:
    credit_type: str
    label: str
    credits: float


@dataclass(frozen=True)
class Transcript:
    """The one source of a transcript's content: the PDF, the CSV, the JSON and the email draw on it."""

    learner: Learner
    start: date
    end: date
    claims: list[Claim]
    rows: list[Entry] = field(default_factory=list)  # claimed through the portal
    outside: list[Entry] = field(default_factory=list)  # outside credit, self-reported (cme.records.outside)

    @property
    def all_time(self) -> bool:
        return self.start <= EARLIEST

    @property
    def type_totals(self) -> list[Total]:
        """The credit claimed per credit type, in the catalogue's order (cme.rules.credit.ORDER); outside
        credit is totalled apart (outside_type_totals), never mixed in."""
        return _totals(self.rows)

    @property
    def totals(self) -> list[tuple[str, float]]:
        """(label, credits) per credit type, as the PDF and the email print them."""
        return [(total.label, total.credits) for total in self.type_totals]

    @property
    def outside_type_totals(self) -> list[Total]:
        """The self-reported outside credit per credit type."""
        return _totals(self.outside)

    @property
    def all_rows(self) -> list[Entry]:
        """Claimed and outside rows together, by completion date (the JSON and the CSV)."""
        return sorted([*self.rows, *self.outside], key=lambda row: row.day)


def _totals(rows: list[Entry]) -> list[Total]:
    sums: dict[str, float] = defaultdict(float)
    for row in rows:
        sums[row.credit_type] += row.credits
    return [Total(kind, credit.label(kind), sums[kind]) for kind in sorted(sums, key=_type_rank)]


def _type_rank(credit_type: str) -> tuple[int, str]:
    order = [kind.value for kind in credit.ORDER]
    return (order.index(credit_type) if credit_type in order else len(order), credit_type)


def completed_on(claim: Claim) -> date:
    """The date a transcript shows and filters a claim by: its completion date (cme.rules.credit)."""
    return certificates.completed_on(claim)


def rows_of(claim: Claim) -> list[Entry]:
    """A claim's rows: one per credit line (cme.rules.credit.claim_lines)."""
    day_ = completed_on(claim)
    return [
        Entry(
            day_,
            claim.activity_title,
            str(line.credit_type),
            float(line.credits),
            credit.label(line.credit_type),
            claim.certificate_code,
            claim.claimed_at,
            **_imported(claim),
        )
        for line in credit.claim_lines(claim)
    ]


def _imported(claim: Claim) -> dict[str, str]:
    """An imported claim's rows say so (the claim's source and portal)."""
    if claim.source == "imported" and claim.source_name:
        return {"source": "imported", "source_name": claim.source_name}
    return {}


def outside_row(item: OutsideCredit) -> Entry:
    """An outside credit's row: self-reported, no certificate code of ours."""
    return Entry(
        date.fromisoformat(item.completed_on),
        item.title,
        item.credit_type,
        float(item.credits),
        credit.label(item.credit_type),
        None,
        None,
        source="outside",
        provider=item.provider,
    )


def day(text: str | None, field: str) -> date | None:
    """A YYYY-MM-DD query value as a date (422 DATES_INVALID for a day that does not exist)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "DATES_INVALID",
            f"{text} is not a date (YYYY-MM-DD).",
            [{"field": field, "message": "Use a real date as YYYY-MM-DD."}],
        ) from None


def span(start: date, end: date) -> str:
    if start <= EARLIEST:
        return f"all activities through {end:%B %-d, %Y}"
    return f"{start:%B %-d, %Y} – {end:%B %-d, %Y}"


def collect(learner_id: str, start: date, end: date) -> Transcript:
    """The learner's claims completed in [start, end] (one Query of their partition), by completion date."""
    if end < start:
        raise InvalidInput(
            "DATES_INVALID",
            "The end of the range is before its start.",
            [{"field": "to", "message": "The end of the range is before its start."}],
        )
    learner = sessions.learner_of(learner_id)
    claims = [c for c in Claim.live(learner_id) if start <= completed_on(c) <= end]
    claims.sort(key=lambda c: (completed_on(c), c.activity_title))
    extra = [
        outside_row(item)
        for item in outside.outside_credits(learner_id)
        if start <= date.fromisoformat(item.completed_on) <= end
    ]
    return Transcript(learner, start, end, claims, [row for claim in claims for row in rows_of(claim)], extra)


def render_pdf(transcript: Transcript) -> bytes:
    from cme.records.pdf.transcript import Row, TranscriptData, render  # fpdf2 only where a PDF is made

    learner = transcript.learner
    return render(
        TranscriptData(
            provider_name=get_settings().provider_name,
            learner_name=f"{learner.first_name} {learner.last_name}",
            degree=learner.degree,
            npi=learner.npi,
            period=span(transcript.start, transcript.end),
            issued_on=clock.office_today(),
            rows=[Row(row.day, _titled(row), row.label, row.credits) for row in transcript.rows],
            totals=transcript.totals,
            outside_rows=[
                Row(row.day, f"{row.title} ({row.provider})", row.label, row.credits) for row in transcript.outside
            ],
            outside_totals=[(total.label, total.credits) for total in transcript.outside_type_totals],
        )
    )


def _titled(row: Entry) -> str:
    """The title as the PDF prints it: an imported row's says where it came from."""
    return f"{row.title} ({row.source_label})" if row.source_label else row.title


CSV_HEADER = ["date", "activity", "credit_type", "credits", "claimed_at", "certificate_code", "source", "provider"]
#: the CSV's source column: credit claimed here ("claim", the JSON's word), or outside credit the learner reported
CSV_SOURCE = {"claim": "claim", "outside": "self-reported"}  # an imported row: its source_label


def render_csv(transcript: Transcript) -> str:
    """Data rows only, one per credit line (a spreadsheet sums them itself; totals are in the PDF and the JSON)."""
    rows: list[list[Any]] = [
        [
            row.day.isoformat(),
            row.title,
            row.label,
            row.credits,
            row.claimed_at.date().isoformat() if row.claimed_at else "",
            row.certificate_code or "",
            row.source_label or CSV_SOURCE[row.source],
            row.provider,
        ]
        for row in transcript.all_rows
    ]
    return to_csv(CSV_HEADER, rows)


def as_data(learner_id: str, start: date | None, end: date | None) -> TranscriptReply:
    """The transcript as JSON (GET /api/me/transcript?format=json): the rows and totals the PDF prints."""
    transcript = collect(learner_id, start or EARLIEST, end or clock.office_today())
    learner = transcript.learner
    return TranscriptReply.model_validate(
        {
            "learner": {
                "name": f"{learner.first_name} {learner.last_name}",
                "degree": learner.degree,
                "npi": learner.npi or None,
            },
            "from": None if transcript.all_time else transcript.start,
            "to": transcript.end,
            "period": _capital(span(transcript.start, transcript.end)),
            "rows": [
                {
                    "date": row.day,
                    "title": row.title,
                    "credit_type": row.credit_type,
                    "credits": row.credits,
                    "label": row.label,
                    "certificate_code": row.certificate_code,
                    "source": row.source,
                    "self_reported": row.self_reported,
                    "provider": row.provider or None,
                    "source_name": row.source_name or None,
                    "source_label": row.source_label or None,
                }
                for row in transcript.all_rows
            ],
            "totals": [
                {"credit_type": total.credit_type, "label": total.label, "credits": total.credits}
                for total in transcript.type_totals
            ],
            "outside_totals": [
                {"credit_type": total.credit_type, "label": total.label, "credits": total.credits}
                for total in transcript.outside_type_totals
            ],
        }
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def download_link(learner_id: str, fmt: str, start: date | None, end: date | None) -> tuple[str, int]:
    """Render the transcript, keep it in the documents bucket, return a pre-signed GET.

    At most ``transcript_renders_per_learner`` renders an hour (429 TOO_MANY_ATTEMPTS with
    Retry-After): a PDF of hundreds of entries takes seconds of the function's time."""
    renders = get_settings().transcript_renders_per_learner
    throttle.hit(throttle.Scope("transcript:learner", learner_id, renders, throttle.HOUR))
    today = clock.office_today()
    transcript = collect(learner_id, start or EARLIEST, end or today)
    if fmt == "pdf":
        body, media_type = render_pdf(transcript), "application/pdf"
    else:
        body, media_type = render_csv(transcript).encode("utf-8"), "text/csv; charset=utf-8"
    key = f"transcripts/{learner_id}/{uuid.uuid4().hex}.{fmt}"
    documents.store(key, body, media_type, what="transcript", doing="prepare your transcript")
    since = transcript.start.isoformat() if transcript.start > EARLIEST else "all"
    return documents.link(key, f"CME-transcript-{since}-to-{transcript.end}.{fmt}", media_type)


# ------------------------------------------------------------------ scheduled emails


def _queue_url() -> str:
    return queues.url(get_settings().transcript_queue)


def fan_out(today: date) -> int:
    """Queue one task per learner whose transcript is due on or before ``today`` (a Query on the
    sparse index, no Scan).

    A learner whose due date passed without an email (the schedule did not run that day, or the
    worker failed) is queued again by every later run until the worker moves the due date on:
    one period per run, oldest first, so a missed period is late, never lost.
    """
    due = list(
        Learner.by_transcript_due.query(transcript_schedule.SCHEDULED, Learner.transcript_due <= today.isoformat())
    )
    if not due:
        return 0
    keys = [item.learner_id for item in due]
    learners = Learner.batch_get(keys)
    tasks = []
    for learner in learners:
        if learner.transcript_frequency not in transcript_schedule.MONTHS or not learner.transcript_due:
            continue
        due_day = date.fromisoformat(learner.transcript_due)
        start, end = transcript_schedule.period(learner.transcript_frequency, due_day)
        tasks.append(
            {
                "learner_id": learner.learner_id,
                "frequency": learner.transcript_frequency,
                "period": f"{start.isoformat()}/{end.isoformat()}",
                "due": due_day.isoformat(),
            }
        )
    sqs = aws.client("sqs")
    url = _queue_url()
    for index in range(0, len(tasks), 10):
        batch = tasks[index : index + 10]
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": json.dumps(task)} for n, task in enumerate(batch)],
        )
    logger.info("transcripts queued", extra={"count": len(tasks), "as_of": today.isoformat()})
    return len(tasks)


def _current(learner: Learner, task: dict[str, Any]) -> bool:
    """The task is still the learner's next transcript (the schedule did not change or move on)."""
    return learner.transcript_due == task["due"] and learner.transcript_frequency == task["frequency"]


def _due_learner(task: dict[str, Any]) -> Learner | None:
    """The task's learner while the task still stands (same schedule, same due date), else None."""
    try:
        learner = Learner.get(task["learner_id"])
    except Learner.DoesNotExist:
        return None
    return learner if _current(learner, task) else None


def send_scheduled(task: dict[str, Any]) -> bool:
    """Email one learner the transcript of one period; the email only (``idempotent_send`` runs
    it at most once per learner and period, then moves the due date on).

    Returns False when there is nothing to do (the schedule changed meanwhile, SES reported the
    learner's email undeliverable, or the period holds no credit, claimed or outside: no email
    says "0 activities"; skipped, not failed, and the due date moves on all the same). Sent in
    bulk: paced to the send rate (cme.platform.pacing), raising ``pacing.OutOfTime`` when the
    invocation has no time left for it (the message goes back to the queue).
    """
    pacer = pacing.mail_pacer()
    pacer.ensure_time()
    learner = _due_learner(task)
    if learner is None:
        return False
    if deliverability.undeliverable(learner.email):  # handled: SES reported it undeliverable
        logger.info("scheduled transcript skipped: email undeliverable", extra={"learner_id": learner.learner_id})
        return False
    first, last = (date.fromisoformat(part) for part in task["period"].split("/"))
    transcript = collect(learner.learner_id, first, last)
    if not transcript.claims and not transcript.outside:
        logger.info("scheduled transcript skipped: nothing in the period", extra={"learner_id": learner.learner_id})
        return False
    pdf = render_pdf(transcript)
    site = get_settings().site_url.rstrip("/")
    mail.send(
        learner.email,
        "transcript",
        {
            "first_name": learner.first_name,
            "frequency": task["frequency"],
            "period": span(first, last),
            "count": len(transcript.claims) + len(transcript.outside),  # activities, outside credit included
            "totals": [(label, f"{total:g}") for label, total in transcript.totals],
            "settings_link": f"{site}/transcript.html#schedule",
        },
        attachments=[(f"CME-transcript-{first}-to-{last}.pdf", "application/pdf", pdf)],
        pacer=pacer,
    )
    logger.info("scheduled transcript sent", extra={"learner_id": learner.learner_id, "period": task["period"]})
    return True


def advance_due(learner: Learner, task: dict[str, Any]) -> bool:
    """Move the learner's due date one period on, from the task's due date.

    Conditional on the learner still being due as the task says: False when that condition
    decides (already advanced by an earlier delivery, or the learner changed the schedule: both
    leave the due date as it should be). Any other failure (throttling past the retries, a
    denied call, a timeout) is raised, so the message fails and is retried.
    """
    following = transcript_schedule.next_due(task["frequency"], date.fromisoformat(task["due"]))
    still_due = (Learner.transcript_due == task["due"]) & (Learner.transcript_frequency == task["frequency"])
    try:
        retry.call(
            lambda: learner.update(actions=[Learner.transcript_due.set(following.isoformat())], condition=still_due),
            "transcript due",
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            logger.error(
                "transcript due date not moved on; the message fails and is retried",
                extra={"learner_id": learner.learner_id, "period": task["period"], "cause": exc.cause_response_code},
            )
            retry.metric("TranscriptDueNotAdvanced")
            raise
        logger.info("transcript due date already moved", extra={"learner_id": learner.learner_id})
        return False
    return True


def idempotent_send(task: dict[str, Any], lambda_context: Any = None) -> bool:
    """The worker's unit for one message: the period's email at most once, then the due date on.

    The two steps are kept apart so that a failure between them can neither stop the learner's
    schedule nor email them twice:

    1. The email (``send_scheduled``) runs under Powertools idempotency keyed on (learner,
       period), kept 400 days (longer than any period). Its record is written when the email
       has gone; a later delivery of the same period replays the record instead of sending.
    2. The due date moves on (``advance_due``) on every delivery, whether step 1 sent or
       replayed, conditional on the due date the task names. It is outside the idempotent
       part, so a recorded email never hides it.

    When step 2 fails (the learner's UpdateItem throttled past the retries or denied, or the
    function stopped once the email was recorded), this raises: the message is reported failed,
    SQS delivers it again, step 1 replays (no second email) and step 2 finishes the move. Should
    every delivery fail, the message goes to the dead-letter queue (each failure is logged as an
    error and counted as the metric ``TranscriptDueNotAdvanced``), and the due date, still on or
    before the next day, puts the learner in the next day's fan-out, which finishes the same
    way. Either way the next period is queued when it is due. The one window left is a stop
    between SES accepting the email and the idempotency record completing (milliseconds): the
    in-progress record expires with the invocation, and that period's email may go twice (at
    least once, never lost).

    A task whose learner is no longer due as it says (a redelivery after the move, or a changed
    schedule) does nothing and records nothing.
    """
    learner = _due_learner(task)
    if learner is None:
        return False
    # once per learner and period: kept ONCE_SECONDS, longer than any period
    sent = queues.at_most_once(send_scheduled, task, "[learner_id, period]", lambda_context)
    advance_due(learner, task)
    return sent
