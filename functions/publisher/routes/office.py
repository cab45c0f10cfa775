"""The office's tools: copy an activity, its evaluation answers as CSV, the audit trail's viewer."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.credit import evaluation_export
from cme.platform.schemas import ActivityCopyIn, ActivityReply, AuditReply
from cme.publishing import activities
from cme.records import audit_trail
from cme.runtime.resolver import client_address, csv_reply, json_reply, require_admin, responses, user_agent

router = Router()


@router.post(
    "/api/admin/activities/<activity_id>/copy",
    responses=responses(
        "NOT_FOUND",
        "CODE_TAKEN",
        "CREDITS_INVALID",
        "DATES_INVALID",
        "EVALUATION_INVALID",
        "TOPIC_UNKNOWN",
        ok={201: {"description": "Created: the copy, unpublished, with a new attendance code (audited)"}},
    ),
)
def copy_activity(activity_id: str, body: ActivityCopyIn) -> Response[ActivityReply]:
    """A new unpublished activity with the same designations, evaluation and topics on the new
    dates, the identifiers that carry over (cme.rules.copies) and a new attendance code."""
    who = require_admin(router)
    copied = activities.copy(activity_id, body, who.learner_id, client_address(router), user_agent(router))
    return json_reply(201, ActivityReply(activity=copied))


@router.get(
    "/api/admin/activities/<activity_id>/evaluation",
    responses=responses(
        "NOT_FOUND",
        ok={
            200: {
                "description": "The evaluation answers, one row per claim (CSV)",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        },
    ),
)
def evaluation_csv(activity_id: str, format: Annotated[str, Query(pattern="^csv$")] = "csv") -> Response[Any]:
    """One row per claim: name, degree, email, claimed at (office time zone), one column per question."""
    require_admin(router)
    return csv_reply(*evaluation_export.export_csv(activity_id))


@router.get("/api/admin/audit", responses=responses("NOT_FOUND", "CURSOR_INVALID", "SUBJECT_REQUIRED"))
def audit_entries(
    learner_id: Annotated[str | None, Query(max_length=100)] = None,
    activity_id: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response[AuditReply]:
    """The audit records about one learner or one activity (exactly one), newest first, 50 a page;
    ``actor`` is the person's name and email."""
    require_admin(router)
    return json_reply(200, audit_trail.page(learner_id, activity_id, cursor))
