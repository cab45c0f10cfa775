"""Licence requirements at a glance: the office's requirement sets, and the sets a learner tracks
with each rule's progress (cme.credit.requirements). The topic vocabulary is public: functions/catalogue."""

from __future__ import annotations

from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response

from cme.credit import requirements
from cme.platform.schemas import (
    RequirementSetIn,
    RequirementSetReply,
    RequirementSetsReply,
    TrackedReply,
    TrackIn,
)
from cme.runtime import snapstart
from cme.runtime.resolver import (
    client_address,
    json_reply,
    lambda_entry,
    make_resolver,
    require_admin,
    require_learner,
    responses,
    user_agent,
)

app = make_resolver()


@app.get("/api/requirement-sets", responses=responses("SIGN_IN_REQUIRED"))
def requirement_sets() -> Response[RequirementSetsReply]:
    require_learner(app)
    return json_reply(200, requirements.list_sets())


@app.post(
    "/api/admin/requirement-sets",
    responses=responses(
        "CREDIT_TYPE_UNKNOWN",
        "CYCLE_INVALID",
        "MIN_CREDITS_INVALID",
        "RULE_INVALID",
        "TOPIC_UNKNOWN",
        ok={201: {"description": "Created (audited)"}},
    ),
)
def create_set(body: RequirementSetIn) -> Response[RequirementSetReply]:
    who = require_admin(app)
    made = requirements.create_set(body, who.learner_id, client_address(app), user_agent(app))
    return json_reply(201, RequirementSetReply(requirement_set=made))


@app.put(
    "/api/admin/requirement-sets/<set_id>",
    responses=responses(
        "NOT_FOUND", "CREDIT_TYPE_UNKNOWN", "CYCLE_INVALID", "MIN_CREDITS_INVALID", "RULE_INVALID", "TOPIC_UNKNOWN"
    ),
)
def update_set(set_id: str, body: RequirementSetIn) -> Response[RequirementSetReply]:
    who = require_admin(app)
    saved = requirements.update_set(unquote(set_id), body, who.learner_id, client_address(app), user_agent(app))
    return json_reply(200, RequirementSetReply(requirement_set=saved))


@app.get("/api/me/requirements", responses=responses("SIGN_IN_REQUIRED"))
def my_requirements() -> Response[TrackedReply]:
    return json_reply(200, requirements.my_requirements(require_learner(app).learner_id))


@app.put(
    "/api/me/requirements",
    responses=responses("SIGN_IN_REQUIRED", "NOT_FOUND", "CYCLE_END_INVALID", "TOO_MANY_TRACKED"),
)
def track(body: TrackIn) -> Response[TrackedReply]:
    """Track a requirement set with the end of my licence cycle (or move the cycle end)."""
    return json_reply(200, requirements.track(require_learner(app).learner_id, body))


@app.delete(
    "/api/me/requirements/<set_id>",
    responses=responses("SIGN_IN_REQUIRED", ok={204: {"description": "No longer tracked"}}),
)
def untrack(set_id: str) -> Response[None]:
    requirements.untrack(require_learner(app).learner_id, unquote(set_id))
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


snapstart.register(app)
lambda_handler = lambda_entry(app)
