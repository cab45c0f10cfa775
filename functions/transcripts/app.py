"""My transcript: every claim in a date range, as PDF or CSV, through a pre-signed link."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme import transcripts
from cme.api import json_reply, lambda_entry, make_resolver, require_learner
from cme.schemas import DownloadReply

app = make_resolver()


@app.get("/api/me/transcript")
def transcript(
    format: Annotated[str, Query(pattern="^(pdf|csv)$")] = "pdf",
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Response[DownloadReply]:
    url, seconds = transcripts.download_link(require_learner(app).learner_id, format, from_, to)
    return json_reply(200, DownloadReply(url=url, expires_in=seconds))


lambda_handler = lambda_entry(app)
