"""Coordinators' board reports: what is due, each board's file, and marking a file sent."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.platform.schemas import ReportStatusReply, ReportSubmittedIn, ReportSubmittedReply
from cme.records import board_files
from cme.runtime.resolver import client_address, csv_reply, json_reply, require_admin, responses

router = Router()


@router.get("/api/admin/reports/status", responses=responses())
def report_status() -> Response[ReportStatusReply]:
    """Unreported board lines: how many, due within 7 days, overdue (30 days MOC, 60 days CPE)."""
    require_admin(router)
    return json_reply(200, board_files.status())


@router.get(
    "/api/admin/reports/<board>",
    responses=responses(
        "NOT_FOUND",
        "DATES_INVALID",
        ok={200: {"description": "The board's file (CSV)", "content": {"text/csv": {"schema": {"type": "string"}}}}},
    ),
)
def report_file(
    board: str,
    start: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Response[Any]:
    """``moc``: MOC lines with consent, for ACCME PARS; ``cpe``: every ACPE line, for NABP CPE
    Monitor; completed from ``from`` to ``to`` (columns: cme.records.board_files.COLUMNS)."""
    require_admin(router)
    return csv_reply(*board_files.file(board_files.board(board), start, to))


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
        router.current_event.headers.get("user-agent") or "",
    )
    return json_reply(200, ReportSubmittedReply(marked=marked))
