"""My transcript: every claim in a date range, as PDF or CSV through a pre-signed link, or as JSON inline."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.platform.schemas import DownloadReply, TranscriptReply
from cme.records import transcripts
from cme.runtime import snapstart
from cme.runtime.resolver import json_reply, lambda_entry, make_resolver, require_learner, responses

app = make_resolver()
DAY = r"^\d{4}-\d{2}-\d{2}$"


@app.get(
    "/api/me/transcript",
    responses=responses(
        "SIGN_IN_REQUIRED", "DATES_INVALID", "NAME_UNPRINTABLE", "TOO_MANY_ATTEMPTS", "STORAGE_UNAVAILABLE"
    ),
)
def transcript(
    format: Annotated[str, Query(pattern="^(pdf|csv|json)$")] = "pdf",
    from_: Annotated[str | None, Query(alias="from", pattern=DAY)] = None,
    to: Annotated[str | None, Query(pattern=DAY)] = None,
) -> Response[DownloadReply | TranscriptReply]:
    learner_id = require_learner(app).learner_id
    start, end = transcripts.day(from_, "from"), transcripts.day(to, "to")
    if format == "json":  # the rows and totals the PDF and CSV are drawn from
        return json_reply(200, transcripts.as_data(learner_id, start, end))
    url, seconds = transcripts.download_link(learner_id, format, start, end)
    return json_reply(200, DownloadReply(url=url, expires_in=seconds))


snapstart.register(app, pdf=True, services=("dynamodb", "s3"))
lambda_handler = lambda_entry(app)
