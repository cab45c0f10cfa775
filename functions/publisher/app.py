"""The publisher: the public catalogue, sign-in at the event, and the coordinators' pages."""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme import activities, attendance, credit, documents, reports, rosters, snapstart
from cme import claims_report as claim_reports  # the route below is named claims_report
from cme.api import BodyRule, client_address, json_reply, lambda_entry, make_resolver, require_admin
from cme.errors import InvalidInput
from cme.schemas import (
    ActivitiesReply,
    ActivityIn,
    ActivityReply,
    AdminActivitiesReply,
    AttendanceListReply,
    CreditTypesReply,
    PublicActivity,
    ReportStatusReply,
    ReportSubmittedIn,
    ReportSubmittedReply,
    RosterIn,
    RosterReport,
    SelfSignIn,
    SettingsReply,
    SignedIn,
)
from cme.settings import get_settings

app = make_resolver()
ROSTER = "POST /api/admin/activities/{activity_id}/attendance"
SETTINGS_MAX_AGE = 300  # seconds a browser may reuse GET /api/settings


# the two lists' query: ?q=&from=&to=&limit=&cursor= (order and paging: cme.activities)
Search = Annotated[str, Query(max_length=100, description="words of the title or location")]
From = Annotated[date | None, Query(alias="from", description="last day on or after (YYYY-MM-DD)")]
To = Annotated[date | None, Query(description="last day on or before (YYYY-MM-DD)")]
Limit = Annotated[int, Query(ge=1, le=activities.MAX_LIMIT, description="activities per page")]
Cursor = Annotated[str | None, Query(max_length=600, description="the next_cursor of the page before")]


@app.get("/api/activities")
def catalogue(
    q: Search = "", start: From = None, to: To = None, limit: Limit = activities.DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[ActivitiesReply]:
    """Published activities, a page at a time: current and upcoming first (soonest first), then past
    ones (most recent first); with from/to, those whose last day falls in the range, oldest first."""
    page = activities.list_published(activities.ListQuery(q, start, to, limit, cursor))
    return json_reply(200, ActivitiesReply(activities=page.activities, next_cursor=page.next_cursor))


@app.get("/api/credit-types")
def credit_types() -> Response[CreditTypesReply]:
    """Every credit type's wording and every activity format's label (cme.credit): the one source
    pages, PDFs and CSVs use."""
    return json_reply(200, CreditTypesReply(credit_types=credit.catalogue(), formats=credit.formats()))


@app.get("/api/settings")
def office_settings() -> Response[SettingsReply]:
    """The office settings the web pages show: one source (cme.settings), cached briefly by browsers."""
    config = get_settings()
    reply = SettingsReply(
        office_name=config.office_name,
        help_email=config.help_email,
        timezone=config.office_timezone,
        sms_number=config.sms_number.strip() or None,
    )
    answer = json_reply(200, reply)
    answer.headers["Cache-Control"] = f"public, max-age={SETTINGS_MAX_AGE}"  # the same for everyone: cacheable
    return answer


@app.get("/api/activities/<activity_id>")
def catalogue_entry(activity_id: str) -> Response[PublicActivity]:
    return json_reply(200, activities.get_published(activity_id))


@app.post("/api/attendance", responses={201: {"description": "Recorded"}, 200: {"description": "Already recorded"}})
def sign_in_at_event(body: SelfSignIn) -> Response[SignedIn]:
    signed, created = attendance.sign_in_at_event(body, client_address(app))
    return json_reply(201 if created else 200, signed)


@app.post("/api/admin/activities", responses={201: {"description": "Created"}})
def create_activity(body: ActivityIn) -> Response[ActivityReply]:
    require_admin(app)
    return json_reply(201, ActivityReply(activity=activities.create(body)))


@app.get("/api/admin/activities")
def list_activities(
    q: Search = "", start: From = None, to: To = None, limit: Limit = activities.DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[AdminActivitiesReply]:
    """Every activity, drafts included, in the catalogue's order, a page at a time."""
    require_admin(app)
    page = activities.list_admin(activities.ListQuery(q, start, to, limit, cursor))
    return json_reply(200, AdminActivitiesReply(activities=page.activities, next_cursor=page.next_cursor))


@app.get("/api/admin/activities/<activity_id>")
def get_activity(activity_id: str) -> Response[ActivityReply]:
    require_admin(app)
    return json_reply(200, ActivityReply(activity=activities.admin_view(activities.get(activity_id))))


@app.put("/api/admin/activities/<activity_id>")
def update_activity(activity_id: str, body: ActivityIn) -> Response[ActivityReply]:
    require_admin(app)
    return json_reply(200, ActivityReply(activity=activities.update(activity_id, body)))


@app.post("/api/admin/activities/<activity_id>/attendance")
def import_roster(activity_id: str) -> Response[RosterReport]:
    """JSON ``{rows: [...]}``, a CSV upload (``text/csv``: UTF-8, UTF-16 or Windows-1252) or an
    Excel workbook (XLSX), with email, first and last name columns (Excel's and Zoom's headers)."""
    require_admin(app)
    event = app.current_event
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


@app.get(
    "/api/admin/activities/<activity_id>/attendance",
    responses={
        200: {
            "description": "One page of the attendance (JSON), or every row as CSV with ?format=csv",
            "content": {
                "application/json": {"model": AttendanceListReply},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
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
    require_admin(app)
    if format == "csv":
        return _csv(*attendance.export_csv(activity_id))
    return json_reply(200, attendance.page_for_activity(activity_id, q, limit, cursor))


@app.delete("/api/admin/activities/<activity_id>/attendance/<email>", responses={204: {"description": "Removed"}})
def remove_attendance(activity_id: str, email: str) -> Response[None]:
    """Remove one wrong entry (audited); 409 ATTENDANCE_CLAIMED when a claim rests on it."""
    who = require_admin(app)
    attendance.remove(
        activity_id,
        unquote(email),
        who.learner_id,
        client_address(app),
        app.current_event.headers.get("user-agent") or "",
    )
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@app.get(
    "/api/admin/activities/<activity_id>/claims",
    responses={
        200: {
            "description": "The claims report (JSON, or CSV with ?format=csv)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ClaimReportReply"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
def claims_report(activity_id: str, format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Response[Any]:
    """Who claimed what (what the office reports to ACCME PARS), the totals per credit type, the
    evaluation summarised per question, and who attended but has not claimed. ``?format=csv``: the
    claims as a spreadsheet named after the activity (cme.claims_report.CSV_COLUMNS)."""
    require_admin(app)
    report = claim_reports.report(activity_id)
    if format == "csv":
        return _csv(*claim_reports.report_csv(report))
    return json_reply(200, report)


@app.get(
    "/api/admin/activities/<activity_id>/qr.svg",
    responses={200: {"description": "An SVG QR code", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
def qr_code(activity_id: str) -> Response[str]:
    require_admin(app)
    return Response(
        status_code=200,
        content_type="image/svg+xml",
        body=attendance.qr_svg(activity_id),
        headers={"Cache-Control": "private, max-age=300"},
    )


def _csv(filename: str, body: str) -> Response[Any]:
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"Content-Disposition": documents.attachment(filename), "Cache-Control": "no-store"},
    )


@app.get("/api/admin/reports/status")
def report_status() -> Response[ReportStatusReply]:
    """Unreported board lines: how many, due within 7 days, overdue (30 days MOC, 60 days CPE)."""
    require_admin(app)
    return json_reply(200, reports.status())


@app.get(
    "/api/admin/reports/<board>",
    responses={200: {"description": "The board's file (CSV)", "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def report_file(
    board: str,
    start: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Response[Any]:
    """``moc``: MOC lines with consent, for ACCME PARS; ``cpe``: every ACPE line, for NABP CPE
    Monitor; completed from ``from`` to ``to`` (columns: cme.reports.COLUMNS)."""
    require_admin(app)
    return _csv(*reports.file(reports.board(board), start, to))


@app.post("/api/admin/reports/<board>/submitted")
def report_submitted(board: str, body: ReportSubmittedIn) -> Response[ReportSubmittedReply]:
    """The file was sent: every line completed through ``through`` is marked reported (audited)."""
    who = require_admin(app)
    marked = reports.submitted(
        reports.board(board),
        body.through,
        who.learner_id,
        body.downloaded_at,
        client_address(app),
        app.current_event.headers.get("user-agent") or "",
    )
    return json_reply(200, ReportSubmittedReply(marked=marked))


# A 5,000-row CSV is about 300 KB (an XLSX about 150 KB); API Gateway's own limit is 10 MB.
snapstart.register(app, services=("dynamodb", "s3"), modules=("segno", "email_validator"))
lambda_handler = lambda_entry(app, {ROSTER: BodyRule(("application/json", *rosters.MEDIA_TYPES), 2 * 1024 * 1024)})
