"""Transcripts: every claim in a date range as PDF or CSV, on demand (a pre-signed link) or
by email on the learner's schedule (fan-out through SQS, one idempotent send per period)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.exceptions import UpdateError

from cme import activities, aws, mail, retry, schedule, sessions
from cme.errors import InvalidInput, ServiceUnavailable
from cme.models import Claim, Learner
from cme.observability import logger
from cme.settings import get_settings
from cme.spreadsheet import to_csv

CREDIT_LABELS = {
    "AMA_PRA_1": "AMA PRA Category 1 Credit™",
    "ANCC": "ANCC contact hours",
    "ACPE": "ACPE contact hours",
    "AAPA_1": "AAPA Category 1 CME credits",
    "ABIM_MOC": "ABIM MOC points",
    "PARTICIPATION": "Hours of participation",
}
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class Transcript:
    learner: Learner
    start: date
    end: date
    claims: list[Claim]

    @property
    def totals(self) -> list[tuple[str, float]]:
        sums: dict[str, float] = defaultdict(float)
        for claim in self.claims:
            sums[claim.credit_type] += float(claim.credits)
        return [(CREDIT_LABELS.get(kind, kind), total) for kind, total in sorted(sums.items())]


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
        return f"all activities to {end:%B %-d, %Y}"
    return f"{start:%B %-d, %Y} – {end:%B %-d, %Y}"


def collect(learner_id: str, start: date, end: date) -> Transcript:
    """The learner's claims for activities held in [start, end] (one Query of their partition)."""
    if end < start:
        raise InvalidInput(
            "DATES_INVALID",
            "The end of the range is before its start.",
            [{"field": "to", "message": "The end of the range is before its start."}],
        )
    learner = sessions.learner_of(learner_id)
    claims = [c for c in Claim.query(learner_id) if start <= date.fromisoformat(c.activity_start) <= end]
    claims.sort(key=lambda c: (c.activity_start, c.activity_title))
    return Transcript(learner, start, end, claims)


def render_pdf(transcript: Transcript) -> bytes:
    from cme.pdf.transcript import Row, TranscriptData, render  # fpdf2 only where a PDF is made

    learner = transcript.learner
    return render(
        TranscriptData(
            provider_name=get_settings().provider_name,
            learner_name=f"{learner.first_name} {learner.last_name}",
            degree=learner.degree,
            npi=learner.npi,
            period=span(transcript.start, transcript.end),
            issued_on=activities.office_today(),
            rows=[
                Row(
                    date.fromisoformat(c.activity_start),
                    c.activity_title,
                    CREDIT_LABELS.get(c.credit_type, c.credit_type),
                    float(c.credits),
                )
                for c in transcript.claims
            ],
            totals=transcript.totals,
        )
    )


CSV_HEADER = ["date", "activity", "credit_type", "credits", "claimed_at", "certificate_code"]


def render_csv(transcript: Transcript) -> str:
    learner = transcript.learner
    rows: list[list[Any]] = [
        [
            c.activity_start,
            c.activity_title,
            CREDIT_LABELS.get(c.credit_type, c.credit_type),
            float(c.credits),
            c.claimed_at.date().isoformat(),
            c.certificate_code,
        ]
        for c in transcript.claims
    ]
    rows.append([])
    rows += [["", f"Total: {label}", "", total, "", ""] for label, total in transcript.totals]
    rows.append([])
    rows.append(
        [
            "",
            f"{learner.first_name} {learner.last_name}, {learner.degree}"
            + (f", NPI {learner.npi}" if learner.npi else ""),
            "",
            "",
            "",
            "",
        ]
    )
    rows.append(
        ["", f"Issued {activities.office_today().isoformat()} by {get_settings().provider_name}", "", "", "", ""]
    )
    return to_csv(CSV_HEADER, rows)


def download_link(learner_id: str, fmt: str, start: date | None, end: date | None) -> tuple[str, int]:
    """Render the transcript, keep it in the documents bucket, return a pre-signed GET."""
    from botocore.exceptions import BotoCoreError, ClientError

    today = activities.office_today()
    transcript = collect(learner_id, start or EARLIEST, end or today)
    if fmt == "pdf":
        body, media_type = render_pdf(transcript), "application/pdf"
    else:
        body, media_type = render_csv(transcript).encode("utf-8"), "text/csv; charset=utf-8"
    settings = get_settings()
    key = f"transcripts/{learner_id}/{uuid.uuid4().hex}.{fmt}"
    s3 = aws.client("s3")
    try:
        s3.put_object(Bucket=settings.documents_bucket, Key=key, Body=body, ContentType=media_type)
    except (ClientError, BotoCoreError) as exc:
        logger.error("transcript not stored", extra={"error": type(exc).__name__})
        raise ServiceUnavailable(
            "STORAGE_UNAVAILABLE", "We could not prepare your transcript just now. Please try again in a minute."
        ) from exc
    since = transcript.start.isoformat() if transcript.start > EARLIEST else "all"
    name = f"CME-transcript-{since}-to-{transcript.end}.{fmt}"
    url = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.documents_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{name}"',
            "ResponseContentType": media_type,
        },
        ExpiresIn=settings.download_seconds,
    )
    return url, settings.download_seconds


# ------------------------------------------------------------------ scheduled emails


def _queue_url() -> str:
    queue = get_settings().transcript_queue
    if queue.startswith("http"):
        return queue
    return str(aws.client("sqs").get_queue_url(QueueName=queue)["QueueUrl"])


def fan_out(today: date) -> int:
    """Queue one task per learner whose transcript is due (a Query on the sparse index, no Scan)."""
    due = list(Learner.by_transcript_due.query(schedule.SCHEDULED, Learner.transcript_due <= today.isoformat()))
    if not due:
        return 0
    keys = [item.learner_id for item in due]
    learners = Learner.batch_get(keys)
    tasks = []
    for learner in learners:
        if learner.transcript_frequency not in schedule.MONTHS or not learner.transcript_due:
            continue
        due_day = date.fromisoformat(learner.transcript_due)
        start, end = schedule.period(learner.transcript_frequency, due_day)
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
    logger.info("transcripts queued", extra={"count": len(tasks)})
    return len(tasks)


def send_scheduled(task: dict[str, Any]) -> bool:
    """Email one learner the transcript of one period, then move their due date on.

    Returns False when there is nothing to do (the schedule changed meanwhile). Run it through
    ``idempotent_send`` so a retried message never emails the same period twice.
    """
    try:
        learner = Learner.get(task["learner_id"])
    except Learner.DoesNotExist:
        return False
    if learner.transcript_due != task["due"] or learner.transcript_frequency != task["frequency"]:
        return False
    first, last = (date.fromisoformat(part) for part in task["period"].split("/"))
    transcript = collect(learner.learner_id, first, last)
    pdf = render_pdf(transcript)
    site = get_settings().site_url.rstrip("/")
    mail.send(
        learner.email,
        "transcript",
        {
            "first_name": learner.first_name,
            "frequency": task["frequency"],
            "period": span(first, last),
            "count": len(transcript.claims),
            "totals": [(label, f"{total:g}") for label, total in transcript.totals],
            "settings_link": f"{site}/transcript.html#schedule",
        },
        attachments=[(f"CME-transcript-{first}-to-{last}.pdf", "application/pdf", pdf)],
    )
    following = schedule.next_due(task["frequency"], date.fromisoformat(task["due"]))
    try:
        retry.call(
            lambda: learner.update(
                actions=[Learner.transcript_due.set(following.isoformat())],
                condition=Learner.transcript_due == task["due"],
            ),
            "transcript due",
        )
    except UpdateError:  # the learner changed the schedule meanwhile; the email is still right
        logger.warning("transcript due date not advanced", extra={"learner_id": learner.learner_id})
    logger.info("scheduled transcript sent", extra={"learner_id": learner.learner_id})
    return True


def idempotent_send(task: dict[str, Any], lambda_context: Any = None) -> bool:
    """``send_scheduled`` at most once per learner and period (Powertools idempotency)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table, boto3_client=aws.client("dynamodb")
    )
    config = IdempotencyConfig(
        event_key_jmespath="[learner_id, period]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=400 * 24 * 3600,  # longer than any period
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)  # in-progress records expire with the invocation
    once = idempotent_function(data_keyword_argument="task", config=config, persistence_store=persistence)(
        send_scheduled
    )
    return bool(once(task=task))
