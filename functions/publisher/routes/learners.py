"""Coordinators' learners: find a learner, read their record, correct a name or degree."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.credit import learners, merge
from cme.identity import accounts, learner_search
from cme.platform.schemas import CorrectionReply, LearnerCorrection, LearnerMerge, LearnerRecord, LearnersReply
from cme.runtime.resolver import client_address, json_reply, require_admin, responses, user_agent

router = Router()

Search = Annotated[
    str,
    Query(
        max_length=320,
        description="the start of a first or last name, an exact confirmed email, a 10-digit NPI,"
        " or the last 4 or more digits of a phone",
    ),
]
Limit = Annotated[int, Query(ge=1, le=learner_search.MAX_LIMIT, description="learners per page")]
Cursor = Annotated[str | None, Query(max_length=600, description="the next_cursor of the page before")]


@router.get("/api/admin/learners", responses=responses("CURSOR_INVALID"))
def find_learners(
    q: Search = "", limit: Limit = learner_search.DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[LearnersReply]:
    """Learners by name, confirmed email, NPI or phone, a page at a time (no Scan: indexes)."""
    require_admin(router)
    return json_reply(200, learners.search(q, limit, cursor))


@router.get("/api/admin/learners/<learner_id>", responses=responses("NOT_FOUND"))
def learner_record(learner_id: str) -> Response[LearnerRecord]:
    """The learner, their emails, attendance, claims and audit trail."""
    require_admin(router)
    return json_reply(200, learners.record(unquote(learner_id)))


@router.put(
    "/api/admin/learners/<learner_id>",
    responses=responses("NOT_FOUND", "NAME_INVALID", "NAME_SCRIPT_UNSUPPORTED", "PROFILE_CHANGED"),
)
def correct_learner(learner_id: str, body: LearnerCorrection) -> Response[CorrectionReply]:
    """Correct a learner's name or degree (audited with the reason). A new name replaces the
    certificates already issued (new codes; the old ones verify as replaced); claims keep the
    degree they were made under."""
    who = require_admin(router)
    fix = accounts.Correction(
        reason=body.reason,
        first_name=body.first_name,
        last_name=body.last_name,
        degree=body.degree.value if body.degree else None,
    )
    return json_reply(
        200, learners.correct(unquote(learner_id), fix, who.learner_id, (client_address(router), user_agent(router)))
    )


@router.post(
    "/api/admin/learners/<learner_id>/merge",
    responses=responses("NOT_FOUND", "MERGE_CONFLICT", "MERGE_SAME_LEARNER"),
)
def merge_learners(learner_id: str, body: LearnerMerge) -> Response[LearnerRecord]:
    """Merge the learner's other account into this one (audited on both with the reason): its
    emails (and the attendance under them), claims, outside credit and requirement tracking
    move here, and it is closed (no sign-in; its certificates verify as before). Refused while
    both accounts claimed one activity. Run again, it finishes a merge cut off halfway."""
    who = require_admin(router)
    reply = merge.merge(
        unquote(learner_id),
        body.other_learner_id,
        body.reason,
        who.learner_id,
        (client_address(router), user_agent(router)),
    )
    return json_reply(200, reply)
