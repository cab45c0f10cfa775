"""My Portal's core: the activities I attended, claiming credit for them, and late-claim requests
(the learner's, and the coordinators' decisions on them); the office's claims on a learner's behalf
and revocations."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from cme.credit import claims, late_claims, revocation
from cme.platform.schemas import (
    AdminClaimIn,
    ClaimIn,
    ClaimReply,
    ClaimsReply,
    LateApproveIn,
    LateDeclineIn,
    LateRequestAdminReply,
    LateRequestIn,
    LateRequestReply,
    LateRequestsAdminReply,
    LateRequestsReply,
    MyActivitiesReply,
    RevokeIn,
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


@app.get("/api/me/activities", responses=responses("SIGN_IN_REQUIRED"))
def my_activities() -> Response[MyActivitiesReply]:
    return json_reply(200, claims.my_activities(require_learner(app).learner_id))


#: What a claim can be refused with, the learner's own and one made on their behalf alike
#: (cme.credit.claims.claim_credit)
CLAIM_REFUSALS = (
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
)


@app.post(
    "/api/me/claims",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "NOT_FOUND",
        *CLAIM_REFUSALS,
        ok={201: {"description": "Claimed (a retry of the same claim returns it)"}},
    ),
)
def claim(body: ClaimIn) -> Response[ClaimReply]:
    who = require_learner(app)
    recorded, _ = claims.claim_credit(who.learner_id, body, client_address(app), user_agent(app))
    return json_reply(201, ClaimReply(claim=recorded))


@app.get("/api/me/claims", responses=responses("SIGN_IN_REQUIRED"))
def my_claims() -> Response[ClaimsReply]:
    return json_reply(200, ClaimsReply(claims=claims.my_claims(require_learner(app).learner_id)))


@app.post(
    "/api/admin/learners/<learner_id>/claims",
    responses=responses(
        "NOT_FOUND",
        *CLAIM_REFUSALS,
        ok={201: {"description": "Claimed on the learner's behalf (a retry of the same claim returns it)"}},
    ),
)
def claim_for_learner(learner_id: str, body: AdminClaimIn) -> Response[ClaimReply]:
    """A coordinator claims credit on a learner's behalf: every rule of the learner's own claim,
    except that ``override_window`` passes the activity's closed claim window (never a board's own
    limit). The claim records who made it (``made_by``); audited with the reason."""
    who = require_admin(app)
    behalf = claims.Behalf(actor_id=who.learner_id, reason=body.reason, override_window=body.override_window)
    data = ClaimIn(**body.model_dump(exclude={"reason", "override_window"}))
    recorded, _ = claims.claim_credit(unquote(learner_id), data, client_address(app), user_agent(app), behalf)
    return json_reply(201, ClaimReply(claim=recorded))


@app.post(
    "/api/admin/learners/<learner_id>/claims/<activity_id>/revoke",
    responses=responses("NOT_FOUND", "ALREADY_REVOKED", "CLAIM_CHANGED"),
)
def revoke_claim(learner_id: str, activity_id: str, body: RevokeIn) -> Response[ClaimReply]:
    """A coordinator revokes a learner's claim (audited with the reason): the claim, its audit and
    its certificate are kept; the certificate verifies as revoked; transcripts and board files
    leave it out (a line already reported is listed for the office to withdraw); the activity is
    free for a new claim."""
    who = require_admin(app)
    revoked = revocation.revoke(
        unquote(learner_id), unquote(activity_id), body.reason, who.learner_id, client_address(app), user_agent(app)
    )
    return json_reply(200, ClaimReply(claim=revoked))


@app.post(
    "/api/me/late-claims",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "NOT_FOUND",
        "ALREADY_CLAIMED",
        "LATE_REQUEST_OPEN",
        "ACTIVITY_EXPIRED",
        "CLAIM_WINDOW_CLOSED",
        "CLAIM_WINDOW_OPEN",
        "NOT_ATTENDED",
        ok={201: {"description": "Requested"}},
    ),
)
def request_late_claim(body: LateRequestIn) -> Response[LateRequestReply]:
    """Ask the CME office to claim an activity whose claim window closed."""
    who = require_learner(app)
    made = late_claims.request(who.learner_id, body.activity_id, body.reason, client_address(app), user_agent(app))
    return json_reply(201, LateRequestReply(request=made))


@app.get("/api/me/late-claims", responses=responses("SIGN_IN_REQUIRED"))
def my_late_claims() -> Response[LateRequestsReply]:
    return json_reply(200, LateRequestsReply(requests=late_claims.mine(require_learner(app).learner_id)))


@app.get("/api/me/late-claims/<request_id>", responses=responses("SIGN_IN_REQUIRED", "NOT_FOUND"))
def my_late_claim(request_id: str) -> Response[LateRequestReply]:
    """One of my late-claim requests (404 for another learner's)."""
    found = late_claims.one_of_mine(require_learner(app).learner_id, unquote(request_id))
    return json_reply(200, LateRequestReply(request=found))


@app.get("/api/admin/late-claims", responses=responses())
def late_claim_requests(
    status: Annotated[str, Query(pattern="^(open|approved|declined)$")] = "open",
) -> Response[LateRequestsAdminReply]:
    """The late-claim requests in one status, with each learner's name and each activity's title."""
    require_admin(app)
    return json_reply(200, LateRequestsAdminReply(requests=late_claims.listed(status)))


@app.post(
    "/api/admin/late-claims/<request_id>/approve",
    responses=responses("NOT_FOUND", "LATE_REQUEST_DECIDED"),
)
def approve_late_claim(request_id: str, body: LateApproveIn) -> Response[LateRequestAdminReply]:
    """Reopen the learner's claim window for ``days`` from today (never past a board's own limit)."""
    who = require_admin(app)
    decided = late_claims.approve(unquote(request_id), body.days, who.learner_id, client_address(app), user_agent(app))
    return json_reply(200, LateRequestAdminReply(request=decided))


@app.post(
    "/api/admin/late-claims/<request_id>/decline",
    responses=responses("NOT_FOUND", "LATE_REQUEST_DECIDED"),
)
def decline_late_claim(request_id: str, body: LateDeclineIn) -> Response[LateRequestAdminReply]:
    who = require_admin(app)
    decided = late_claims.decline(
        unquote(request_id), body.reason, who.learner_id, client_address(app), user_agent(app)
    )
    return json_reply(200, LateRequestAdminReply(request=decided))


snapstart.register(app, services=("dynamodb", "sqs"))  # sqs: the certificate email queued
lambda_handler = lambda_entry(app)
