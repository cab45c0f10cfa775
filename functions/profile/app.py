"""Create the account; read and save my profile; the office's change of a learner's degree.

The coordinators' degree route lives here, not in the publisher (the coordinators' activity
admin): this function already reads and writes learners and puts audit records, while the
publisher only reads learners (the claims report's names)."""

from __future__ import annotations

from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from cme.identity import accounts, emails, password_change, phones, sessions
from cme.platform.observability import metrics
from cme.platform.schemas import (
    DegreeChange,
    EmailOnly,
    EmailReply,
    EmailsReply,
    LearnerReply,
    NewAccount,
    PasswordChange,
    PhoneCode,
    PhoneCodeSent,
    Profile,
    ProfileUpdate,
)
from cme.runtime import snapstart
from cme.runtime.resolver import (
    client_address,
    client_key,
    json_reply,
    lambda_entry,
    make_resolver,
    require_admin,
    require_learner,
    responses,
    session_cookie,
    session_token,
    user_agent,
)

app = make_resolver()


@app.post(
    "/api/accounts",
    responses=responses(
        "EMAIL_INVALID",
        "EMAIL_TAKEN",
        "NAME_INVALID",
        "NAME_SCRIPT_UNSUPPORTED",
        "NPI_INVALID",
        "PASSWORD_TOO_WEAK",
        "PHONE_INVALID",
        "TOO_MANY_ATTEMPTS",
        "EMAIL_UNAVAILABLE",
        ok={201: {"description": "Created; signed in; verification email sent"}},
    ),
)
def create_account(body: NewAccount) -> Response[LearnerReply]:
    profile, token = accounts.create_account(body, client_key(app))
    metrics.add_metric(name="AccountsCreated", unit=MetricUnit.Count, value=1)
    return json_reply(201, LearnerReply(learner=profile), [session_cookie(token, sessions.max_age_seconds())])


@app.get("/api/me", responses=responses("SIGN_IN_REQUIRED"))
def get_me() -> Response[Profile]:
    return json_reply(200, accounts.get_profile(require_learner(app).learner_id))


@app.delete("/api/me/notices", responses=responses("SIGN_IN_REQUIRED", ok={204: {"description": "Cleared"}}))
def clear_notices() -> Response[None]:
    """My Portal showed the profile's ``notices``: each is shown once."""
    accounts.clear_notices(require_learner(app).learner_id)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@app.put(
    "/api/me",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "BOARD_UNKNOWN",
        "DEGREE_LOCKED",
        "EMAIL_CHANGE_NEEDS_VERIFICATION",
        "EMAIL_INVALID",
        "NAME_INVALID",
        "NAME_SCRIPT_UNSUPPORTED",
        "NPI_INVALID",
        "PHONE_INVALID",
        "PROFILE_CHANGED",
    ),
)
def put_me(body: ProfileUpdate) -> Response[Profile]:
    """Save my profile. A name correction is audited; the degree is locked once credit is
    claimed (422 ``DEGREE_LOCKED``: the office changes it)."""
    learner_id = require_learner(app).learner_id
    return json_reply(200, accounts.update_profile(learner_id, body, client_address(app), user_agent(app)))


@app.put(
    "/api/me/password",
    responses=responses(
        "SIGN_IN_REQUIRED",
        ("PASSWORD_MISMATCH", 422),
        "PASSWORD_REUSED",
        "PASSWORD_TOO_WEAK",
        "TOO_MANY_ATTEMPTS",
        ok={204: {"description": "Changed; the other sessions ended; every confirmed email told"}},
    ),
)
def change_password(body: PasswordChange) -> Response[None]:
    """Change my password with the current one (docs/api.md "My portal")."""
    learner_id = require_learner(app).learner_id
    password_change.change_password(
        learner_id, session_token(app), body.current_password, body.new_password, client_key(app)
    )
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@app.post(
    "/api/me/phone/code",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "PHONE_TAKEN",
        "PRIMARY_UNCONFIRMED",
        "PROFILE_CHANGED",
        "TEXTING_OFF",
        "TOO_MANY_ATTEMPTS",
        "TEXT_UNAVAILABLE",
        ok={202: {"description": "A code was texted to the profile's phone"}},
    ),
)
def send_phone_code() -> Response[PhoneCodeSent]:
    """Text a 6-digit code to my profile's phone (3 an hour; each works 10 minutes)."""
    return json_reply(202, PhoneCodeSent(expires_in=phones.send_code(require_learner(app).learner_id)))


@app.post(
    "/api/me/phone/confirm",
    responses=responses(
        "SIGN_IN_REQUIRED", "PHONE_CODE_INVALID", "PHONE_TAKEN", "PRIMARY_UNCONFIRMED", "TOO_MANY_ATTEMPTS"
    ),
)
def confirm_phone(body: PhoneCode) -> Response[Profile]:
    """Confirm my phone with the code texted to it (5 tries per code): only then do my texts
    record attendance."""
    learner = phones.confirm(require_learner(app).learner_id, body.code)
    return json_reply(200, accounts.to_profile(learner))


@app.put("/api/admin/learners/<learner_id>/degree", responses=responses("NOT_FOUND", "PROFILE_CHANGED"))
def change_degree(learner_id: str, body: DegreeChange) -> Response[LearnerReply]:
    """A coordinator changes a learner's degree (audited with the reason); claims already made
    keep the degree they were made under."""
    who = require_admin(app)
    profile = accounts.change_degree(
        unquote(learner_id), body.degree.value, body.reason, who.learner_id, client_address(app), user_agent(app)
    )
    return json_reply(200, LearnerReply(learner=profile))


@app.get("/api/me/emails", responses=responses("SIGN_IN_REQUIRED"))
def my_emails() -> Response[EmailsReply]:
    return json_reply(200, EmailsReply(emails=emails.list_emails(require_learner(app).learner_id)))


@app.post(
    "/api/me/emails",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "EMAIL_INVALID",
        "EMAIL_TAKEN",
        "TOO_MANY_EMAILS",
        "TOO_MANY_ATTEMPTS",
        "EMAIL_UNAVAILABLE",
        "PRIMARY_UNCONFIRMED",
        ok={201: {"description": "Added; a verification link was sent to it"}},
    ),
)
def add_email(body: EmailOnly) -> Response[EmailReply]:
    entry, added = emails.add(require_learner(app).learner_id, body.email)
    return json_reply(201 if added else 200, EmailReply(email=entry))


@app.put(
    "/api/me/email",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "EMAIL_CHANGE_NEEDS_VERIFICATION",
        "EMAIL_CHANGED",
        "EMAIL_INVALID",
        "EMAIL_TAKEN",
        "TOO_MANY_ATTEMPTS",
        "EMAIL_UNAVAILABLE",
    ),
)
def replace_primary(body: EmailOnly) -> Response[EmailReply]:
    """Replace my primary email while it is unconfirmed (a typo); a link goes to the new one."""
    return json_reply(200, EmailReply(email=emails.replace_primary(require_learner(app).learner_id, body.email)))


@app.delete(
    "/api/me/emails/<email>",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "NOT_FOUND",
        "EMAIL_CHANGED",
        "EMAIL_INVALID",
        "LAST_CONFIRMED_EMAIL",
        "PRIMARY_EMAIL",
        ok={204: {"description": "Removed"}},
    ),
)
def remove_email(email: str) -> Response[None]:
    emails.remove(require_learner(app).learner_id, unquote(email))
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@app.post(
    "/api/me/emails/<email>/primary",
    responses=responses("SIGN_IN_REQUIRED", "NOT_FOUND", "EMAIL_CHANGED", "EMAIL_INVALID", "EMAIL_NOT_VERIFIED"),
)
def make_primary(email: str) -> Response[Profile]:
    learner_id = emails.make_primary(require_learner(app).learner_id, unquote(email))
    return json_reply(200, accounts.get_profile(learner_id))


snapstart.register(
    app, services=("dynamodb", "ses"), modules=("argon2", "zxcvbn", "phonenumbers", "email_validator", "jinja2")
)
lambda_handler = lambda_entry(app)
