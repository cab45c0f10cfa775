"""Coordinators' board reports: what is due, each board's file, and marking a file sent."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.platform import documents
from cme.platform.schemas import ReportStatusReply, ReportSubmittedIn, ReportSubmittedReply, ReportUnreportedReply
from cme.records import board_files
from cme.runtime.resolver import client_address, json_reply, require_admin, responses, user_agent

router = Router()


@router.get("/api/admin/reports/status", responses=responses())
def report_status() -> Response[ReportStatusReply]:
    """Unreported board lines: how many, due within 7 days, overdue (MOC: 30 days after the
    learner's claim; CPE: 60 days after the date of participation); the activities whose MOC lines
    wait for a PARS activity id; stored partial claims of whole-only credit; PARS's year-end cut-off."""
    require_admin(router)
    return json_reply(200, board_files.status())


_TEXT: Any = {"schema": {"type": "string"}}


@router.get(
    "/api/admin/reports/<board>",
    responses=responses(
        "NOT_FOUND",
        "DATES_INVALID",
        "VALIDATION_FAILED",
        ok={
            200: {
                "description": (
                    "The board's file: `csv` (default, CSV for review), `pars-xlsx` (ACCME's Excel learner "
                    "template), `pars-txt` (the same tab-delimited, no header row), `cpe-monitor` (CPE Monitor records)"
                ),
                "content": {
                    "text/csv": _TEXT,
                    "text/plain": _TEXT,
                    board_files.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
    ),
)
def report_file(
    board: str,
    start: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    format: Annotated[Literal["csv", "pars-xlsx", "pars-txt", "cpe-monitor"], Query()] = "csv",
) -> Response[Any]:
    """``moc``: MOC lines with consent, for ACCME PARS; ``cpe``: every ACPE line, for NABP CPE
    Monitor; completed from ``from`` to ``to``, in ``format`` (layouts: cme.records.board_files.LAYOUTS;
    ``pars-*`` for moc, ``cpe-monitor`` for cpe, ``csv`` for either)."""
    require_admin(router)
    name, media_type, body = board_files.file(board_files.board(board), start, to, format)
    binary = isinstance(body, bytes)
    reply: Response[Any] = Response(
        status_code=200,
        content_type=media_type,
        # bytes (the Excel file) base64-encoded here: the response validation reads the body as text
        body=base64.b64encode(body).decode() if isinstance(body, bytes) else body,
        headers={"Content-Disposition": documents.attachment(name), "Cache-Control": "no-store"},
    )
    reply.base64_encoded = binary  # API Gateway decodes it for the browser
    return reply


@router.post("/api/admin/reports/<board>/submitted", responses=responses("NOT_FOUND", "DATES_INVALID"))
def report_submitted(board: str, body: ReportSubmittedIn) -> Response[ReportSubmittedReply]:
    """The file was sent: every line completed through ``through`` is marked reported (audited)."""
    who = require_admin(router)
    marked = board_files.submitted(
        board_files.board(board),
        body.through,
        who.learner_id,
        body.downloaded_at,
        client_address(router),
        user_agent(router),
    )
    return json_reply(200, ReportSubmittedReply(marked=marked))


@router.get(
    "/api/admin/reports/<board>/unreported",
    responses=responses("NOT_FOUND", "DATES_INVALID", "VALIDATION_FAILED"),
)
def report_unreported(
    board: str,
    through: Annotated[date, Query()],
    downloaded_at: Annotated[datetime | None, Query()] = None,
) -> Response[ReportUnreportedReply]:
    """How many claims marking the file sent through ``through`` would mark now (claimed by
    ``downloaded_at`` when given): the page asks the coordinator to confirm that number first."""
    require_admin(router)
    count = board_files.unreported(board_files.board(board), through, downloaded_at)
    return json_reply(200, ReportUnreportedReply(through=through, count=count))
