"""Coordinators' attendance: an activity's list (JSON or CSV), the roster import, the audited
removal of a wrong entry, and the claims report."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.credit import claims_report as claim_reports  # the route below is named claims_report
from cme.platform.errors import InvalidInput
from cme.platform.schemas import AttendanceListReply, RosterIn, RosterReport
from cme.publishing import attendance, rosters
from cme.runtime.resolver import (
    BodyRule,
    client_address,
    csv_reply,
    json_reply,
    request_body,
    require_admin,
    responses,
    user_agent,
)

router = Router()
ROSTER = "POST /api/admin/activities/{activity_id}/attendance"
# A 5,000-row CSV is about 300 KB (an XLSX about 150 KB); API Gateway's own limit is 10 MB.
BODY_RULES = {ROSTER: BodyRule(("application/json", *rosters.MEDIA_TYPES), 2 * 1024 * 1024)}


@router.post(
    "/api/admin/activities/<activity_id>/attendance",
    responses=responses("NOT_FOUND", "ENCODING_INVALID", "ROSTER_INVALID", "ROSTER_TOO_LARGE", "ROSTER_UNREADABLE"),
    openapi_extensions=request_body(
        {
            "application/json": RosterIn,
            rosters.CSV: {"type": "string", "description": "UTF-8, UTF-16 or Windows-1252; a header row"},
            rosters.XLSX: {"type": "string", "format": "binary", "description": "the active sheet; a header row"},
        },
        "The roster: rows as JSON, a CSV file or an Excel workbook, with email, first and last name columns",
    ),
)
def import_roster(activity_id: str) -> Response[RosterReport]:
    """JSON ``{rows: [...]}``, a CSV upload (``text/csv``: UTF-8, UTF-16 or Windows-1252) or an
    Excel workbook (XLSX), with email, first and last name columns (Excel's and Zoom's headers)."""
    require_admin(router)
    event = router.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    # the bytes as sent: API Gateway base64-encodes a body that is binary or not UTF-8 text
    raw = base64.b64decode(event.body or "") if event.is_base64_encoded else (event.body or "").encode()
    if content_type in rosters.MEDIA_TYPES:
        rows = rosters.parse(content_type, raw)
    else:
        if not raw:
            raise InvalidInput("ROSTER_INVALID", "Send rows as JSON {rows: [...]} or a CSV file.")
        parsed = RosterIn.model_validate_json(raw)
        rows = [(number, row.model_dump()) for number, row in enumerate(parsed.rows, start=1)]
    return json_reply(200, attendance.import_roster(activity_id, rows))


@router.get(
    "/api/admin/activities/<activity_id>/attendance",
    responses=responses(
        "NOT_FOUND",
        "CURSOR_INVALID",
        ok={
            200: {
                "description": "One page of the attendance (JSON), or every row as CSV with ?format=csv",
                "content": {
                    "application/json": {"model": AttendanceListReply},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        },
    ),
)
def list_attendance(
    activity_id: str,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query()] = attendance.PAGE_DEFAULT,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response[Any]:
    """Who attended, by email: ``q`` searches email and name (case and accents aside), ``limit``
    rows per page (at most 200), ``cursor`` = the previous page's ``next_cursor``; ``total``
    counts every match. ``?format=csv``: every row, named after the activity."""
    require_admin(router)
    if format == "csv":
        return csv_reply(*attendance.export_csv(activity_id))
    return json_reply(200, attendance.page_for_activity(activity_id, q, limit, cursor))


@router.delete(
    "/api/admin/activities/<activity_id>/attendance/<email>",
    responses=responses("NOT_FOUND", "ATTENDANCE_CHANGED", "ATTENDANCE_CLAIMED", ok={204: {"description": "Removed"}}),
)
def remove_attendance(activity_id: str, email: str) -> Response[None]:
    """Remove one wrong entry (audited); 409 ATTENDANCE_CLAIMED when a claim rests on it."""
    who = require_admin(router)
    attendance.remove(
        activity_id,
        unquote(email),
        who.learner_id,
        client_address(router),
        user_agent(router),
    )
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.get(
    "/api/admin/activities/<activity_id>/claims",
    responses=responses(
        "NOT_FOUND",
        ok={
            200: {
                "description": "The claims report (JSON, or CSV with ?format=csv)",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ClaimReportReply"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        },
    ),
)
def claims_report(activity_id: str, format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Response[Any]:
    """Who claimed what (what the office reports to ACCME PARS), the totals per credit type, the
    evaluation summarised per question, and who attended but has not claimed. ``?format=csv``: the
    claims as a spreadsheet named after the activity (cme.credit.claims_report.CSV_COLUMNS)."""
    require_admin(router)
    report = claim_reports.report(activity_id)
    if format == "csv":
        return csv_reply(*claim_reports.report_csv(report))
    return json_reply(200, report)
