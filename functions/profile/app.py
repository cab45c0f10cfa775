"""Create the account; read and save my profile."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit
from cme import accounts, sessions
from cme.api import client_address, json_reply, lambda_entry, make_resolver, require_learner, session_cookie
from cme.observability import metrics
from cme.schemas import LearnerReply, NewAccount, Profile, ProfileUpdate

app = make_resolver()


@app.post("/api/accounts", responses={201: {"description": "Created; signed in; verification email sent"}})
def create_account(body: NewAccount) -> Response[LearnerReply]:
    profile, token = accounts.create_account(body, client_address(app))
    metrics.add_metric(name="AccountsCreated", unit=MetricUnit.Count, value=1)
    return json_reply(201, LearnerReply(learner=profile), [session_cookie(token, sessions.max_age_seconds())])


@app.get("/api/me")
def get_me() -> Response[Profile]:
    return json_reply(200, accounts.get_profile(require_learner(app).learner_id))


@app.put("/api/me")
def put_me(body: ProfileUpdate) -> Response[Profile]:
    return json_reply(200, accounts.update_profile(require_learner(app).learner_id, body))


lambda_handler = lambda_entry(app)
