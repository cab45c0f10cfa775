"""Coordinators' activities: create, edit, the list (drafts included), the sign-in QR code."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from cme.platform.schemas import ActivityIn, ActivityReply, AdminActivitiesReply
from cme.publishing import activities, attendance
from cme.runtime.activity_lists import Cursor, From, Limit, Search, To
from cme.runtime.resolver import json_reply, require_admin, responses

router = Router()


@router.post(
    "/api/admin/activities",
    responses=responses(
        "CODE_MALFORMED",
        "CODE_TAKEN",
        "CREDITS_INVALID",
        "DATES_INVALID",
        "EVALUATION_INVALID",
        "IPCE_NEEDS_JOINT_ACCREDITATION",
        "TOPIC_UNKNOWN",
        ok={201: {"description": "Created"}},
    ),
)
def create_activity(body: ActivityIn) -> Response[ActivityReply]:
    require_admin(router)
    return json_reply(201, ActivityReply(activity=activities.create(body)))


@router.get("/api/admin/activities", responses=responses("CURSOR_INVALID", "DATES_INVALID"))
def list_activities(
    q: Search = "", start: From = None, to: To = None, limit: Limit = activities.DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[AdminActivitiesReply]:
    """Every activity, drafts included, in the catalogue's order, a page at a time."""
    require_admin(router)
    page = activities.list_admin(activities.ListQuery(q, start, to, limit, cursor))
    return json_reply(200, AdminActivitiesReply(activities=page.activities, next_cursor=page.next_cursor))


@router.get("/api/admin/activities/<activity_id>", responses=responses("NOT_FOUND"))
def get_activity(activity_id: str) -> Response[ActivityReply]:
    require_admin(router)
    return json_reply(200, ActivityReply(activity=activities.admin_view(activities.get(activity_id))))


@router.put(
    "/api/admin/activities/<activity_id>",
    responses=responses(
        "NOT_FOUND",
        "CODE_MALFORMED",
        "CODE_TAKEN",
        "CREDITS_INVALID",
        "DATES_INVALID",
        "EVALUATION_INVALID",
        "IPCE_NEEDS_JOINT_ACCREDITATION",
        "TOPIC_UNKNOWN",
    ),
)
def update_activity(activity_id: str, body: ActivityIn) -> Response[ActivityReply]:
    require_admin(router)
    return json_reply(200, ActivityReply(activity=activities.update(activity_id, body)))


@router.get(
    "/api/admin/activities/<activity_id>/qr.svg",
    responses=responses(
        "NOT_FOUND",
        ok={200: {"description": "An SVG QR code", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
    ),
)
def qr_code(activity_id: str) -> Response[str]:
    require_admin(router)
    return Response(
        status_code=200,
        content_type="image/svg+xml",
        body=attendance.qr_svg(activity_id),
        headers={"Cache-Control": "private, max-age=300"},
    )
