"""Password recovery and email verification (docs/api.md "Signing in";
docs/api.md "Finding or creating the account")."""

from __future__ import annotations

from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response

from cme.identity import accounts, emails, recovery
from cme.platform.schemas import (
    EmailEntryReply,
    EmailOnly,
    MessageReply,
    NewPassword,
    TokenCheckReply,
    TokenOnly,
    VerifiedReply,
)
from cme.runtime import snapstart
from cme.runtime.resolver import (
    client_address,
    client_key,
    json_reply,
    lambda_entry,
    make_resolver,
    require_learner,
    responses,
    user_agent,
)

app = make_resolver()


@app.post(
    "/api/auth/password-reset",
    responses=responses(
        "EMAIL_INVALID",
        "EMAIL_UNDELIVERABLE",
        "TOO_MANY_ATTEMPTS",
        "EMAIL_UNAVAILABLE",
        ok={202: {"description": "Sent when the email has an account"}},
    ),
)
def password_reset(body: EmailOnly) -> Response[MessageReply]:
    message = recovery.request_reset(body.email, client_key(app))
    return json_reply(202, MessageReply(message=message))


@app.post("/api/auth/password-reset/check", responses=responses("TOKEN_INVALID"))
def password_reset_check(body: TokenOnly) -> Response[TokenCheckReply]:
    """Whether a reset link still works, without spending it (400 TOKEN_INVALID when used or expired)."""
    recovery.check_reset(body.token)
    return json_reply(200, TokenCheckReply(valid=True))


@app.post(
    "/api/auth/password-reset/confirm",
    responses=responses(
        "TOKEN_INVALID",
        "PASSWORD_REUSED",
        "PASSWORD_TOO_WEAK",
        ok={204: {"description": "Password changed; sessions ended"}},
    ),
)
def password_reset_confirm(body: NewPassword) -> Response[None]:
    recovery.reset_password(body.token, body.password, (client_address(app), user_agent(app)))
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@app.post("/api/accounts/verify-email", responses=responses("SIGN_IN_REQUIRED", "TOKEN_INVALID", "PRIMARY_UNCONFIRMED"))
def verify_email(body: TokenOnly) -> Response[VerifiedReply]:
    # only in a session of the account that asked for the email: the link proves the mailbox,
    # the session the account (401 without one; another account's: 400 TOKEN_INVALID)
    learner_id, email = emails.verify(body.token, require_learner(app).learner_id)
    return json_reply(200, VerifiedReply(learner=accounts.get_profile(learner_id), email=email))


@app.post(
    "/api/accounts/verify-email/resend",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "NOT_FOUND",
        "EMAIL_INVALID",
        "TOO_MANY_ATTEMPTS",
        "EMAIL_UNAVAILABLE",
        ok={202: {"description": "A new link to the primary email"}},
    ),
)
def resend_verification() -> Response[EmailEntryReply]:
    return json_reply(202, emails.resend(require_learner(app).learner_id, None))


@app.post(
    "/api/me/emails/<email>/resend",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "NOT_FOUND",
        "EMAIL_INVALID",
        "TOO_MANY_ATTEMPTS",
        "EMAIL_UNAVAILABLE",
        ok={202: {"description": "A new link to that email"}},
    ),
)
def resend_to(email: str) -> Response[EmailEntryReply]:
    return json_reply(202, emails.resend(require_learner(app).learner_id, unquote(email)))


snapstart.register(app, services=("dynamodb", "ses"), modules=("argon2", "zxcvbn", "email_validator", "jinja2"))
lambda_handler = lambda_entry(app)
