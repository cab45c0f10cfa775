"""My Portal's core: the activities I attended, and claiming credit for them."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from cme.credit import claims
from cme.platform.schemas import ClaimIn, ClaimReply, ClaimsReply, MyActivitiesReply
from cme.runtime import snapstart
from cme.runtime.resolver import client_address, json_reply, lambda_entry, make_resolver, require_learner, responses

app = make_resolver()


@app.get("/api/me/activities", responses=responses("SIGN_IN_REQUIRED"))
def my_activities() -> Response[MyActivitiesReply]:
    return json_reply(200, claims.my_activities(require_learner(app).learner_id))


@app.post(
    "/api/me/claims",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "NOT_FOUND",
        "ALREADY_CLAIMED",
        "ACTIVITY_EXPIRED",
        "ATTESTATION_REQUIRED",
        "BOARD_UNKNOWN",
        "CLAIM_WINDOW_CLOSED",
        "CPE_DETAILS_REQUIRED",
        "CREDITS_INVALID",
        "CREDITS_MUST_BE_FULL",
        "CREDIT_TYPE_NOT_ALLOWED",
        "EVALUATION_INCOMPLETE",
        "MOC_DETAILS_REQUIRED",
        "NOT_ATTENDED",
        ok={201: {"description": "Claimed (a retry of the same claim returns it)"}},
    ),
)
def claim(body: ClaimIn) -> Response[ClaimReply]:
    who = require_learner(app)
    user_agent = app.current_event.headers.get("user-agent") or ""
    recorded, _ = claims.claim_credit(who.learner_id, body, client_address(app), user_agent)
    return json_reply(201, ClaimReply(claim=recorded))


@app.get("/api/me/claims", responses=responses("SIGN_IN_REQUIRED"))
def my_claims() -> Response[ClaimsReply]:
    return json_reply(200, ClaimsReply(claims=claims.my_claims(require_learner(app).learner_id)))


snapstart.register(app, services=("dynamodb", "sqs"))  # sqs: the certificate email queued
lambda_handler = lambda_entry(app)
