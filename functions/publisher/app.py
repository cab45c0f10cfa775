"""The publisher: the public catalogue, sign-in at the event, and the coordinators' pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme import activities, attendance, claims, credit, reports
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
    SignedIn,
)

app = make_resolver()
ROSTER = "POST /api/admin/activities/{activity_id}/attendance"


@app.get("/api/activities")
def catalogue() -> Response[ActivitiesReply]:
    return json_reply(200, ActivitiesReply(activities=list(activities.list_published())))


@app.get("/api/credit-types")
def credit_types() -> Response[CreditTypesReply]:
    """Every credit type's wording (cme.credit): the one source pages, PDFs and CSVs use."""
    return json_reply(200, CreditTypesReply(credit_types=credit.catalogue()))


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
def list_activities() -> Response[AdminActivitiesReply]:
    require_admin(app)
    return json_reply(200, AdminActivitiesReply(activities=activities.list_all()))


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
    """JSON ``{rows: [...]}`` or a CSV upload (``text/csv``) with email, first_name, last_name."""
    require_admin(app)
    event = app.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    raw = event.decoded_body or ""
    if content_type == "text/csv":
        rows = attendance.parse_csv(raw.encode() if isinstance(raw, str) else raw)
    else:
        if not raw:
            raise InvalidInput("ROSTER_INVALID", "Send rows as JSON {rows: [...]} or a CSV file.")
        parsed = RosterIn.model_validate_json(raw)
        rows = [(number, row.model_dump()) for number, row in enumerate(parsed.rows, start=1)]
    return json_reply(200, attendance.import_roster(activity_id, rows))


@app.get("/api/admin/activities/<activity_id>/attendance")
def list_attendance(activity_id: str) -> Response[AttendanceListReply]:
    require_admin(app)
    return json_reply(200, AttendanceListReply(attendance=attendance.list_for_activity(activity_id)))


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
    """Who claimed what: what the office reports to ACCME PARS. ``?format=csv`` for a spreadsheet."""
    require_admin(app)
    report = claims.report(activity_id)
    if format == "csv":
        return _csv(*claims.report_csv(report))
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
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
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


# A 5,000-row CSV is about 300 KB; API Gateway's own limit is 10 MB.
lambda_handler = lambda_entry(app, {ROSTER: BodyRule(("application/json", "text/csv"), 2 * 1024 * 1024)})
