"""Sign in and sign out (docs/api.md "Signing in")."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from cme.identity import accounts, devices, sessions
from cme.identity.sessions import cookie_value
from cme.platform.observability import metrics
from cme.platform.schemas import LearnerReply, SignIn
from cme.runtime import snapstart
from cme.runtime.resolver import (
    cleared_session_cookie,
    client_key,
    json_reply,
    lambda_entry,
    make_resolver,
    responses,
    session_cookie,
    session_token,
)

app = make_resolver()


@app.post(
    "/api/auth/sign-in",
    responses=responses(
        "PASSWORD_MISMATCH",
        "UNRECOGNIZED_EMAIL",
        "TOO_MANY_ATTEMPTS",
        ok={200: {"description": "Signed in; the session cookie is set"}},
    ),
)
def sign_in(body: SignIn) -> Response[LearnerReply]:
    device = cookie_value(app.current_event.cookies or [], devices.DEVICE_COOKIE)
    profile, token = accounts.sign_in(body.email, body.password, client_key(app), device)
    metrics.add_metric(name="SignIns", unit=MetricUnit.Count, value=1)
    cookies = [session_cookie(token, sessions.max_age_seconds())]
    remembered = devices.remember(device, body.email)  # this browser is now a known device of the email
    if remembered is not None:
        cookies.append(devices.device_cookie(remembered))
    return json_reply(200, LearnerReply(learner=profile), cookies)


@app.post("/api/auth/sign-out", responses=responses(ok={204: {"description": "Signed out; the session is revoked"}}))
def sign_out() -> Response[None]:
    sessions.revoke(session_token(app))
    return Response(status_code=204, cookies=[cleared_session_cookie()], headers={"Cache-Control": "no-store"})


snapstart.register(app, modules=("argon2", "email_validator"))
lambda_handler = lambda_entry(app)
