"""The public catalogue: published activities, the credit types, the office settings, the topics,
and sign-in at the event. No session needed; its role reads the catalogue and records attendance,
and writes nothing a coordinator owns (the coordinators' routes: functions/publisher)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from cme.credit import requirements
from cme.platform.schemas import (
    ActivitiesReply,
    CreditTypesReply,
    PublicActivity,
    SelfSignIn,
    SettingsReply,
    SignedIn,
    TopicsReply,
)
from cme.platform.settings import get_settings
from cme.publishing import activities, attendance
from cme.rules import credit
from cme.runtime import snapstart
from cme.runtime.activity_lists import Cursor, From, Limit, Search, To
from cme.runtime.resolver import client_key, json_reply, lambda_entry, make_resolver, responses

app = make_resolver()
SETTINGS_MAX_AGE = 300  # seconds a browser may reuse GET /api/settings


@app.get("/api/activities", responses=responses("CURSOR_INVALID", "DATES_INVALID"))
def catalogue(
    q: Search = "", start: From = None, to: To = None, limit: Limit = activities.DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[ActivitiesReply]:
    """Published activities, a page at a time: current and upcoming first (soonest first), then past
    ones (most recent first); with from/to, those whose last day falls in the range, oldest first."""
    page = activities.list_published(activities.ListQuery(q, start, to, limit, cursor))
    return json_reply(200, ActivitiesReply(activities=page.activities, next_cursor=page.next_cursor))


@app.get("/api/credit-types", responses=responses())
def credit_types() -> Response[CreditTypesReply]:
    """Every credit type's wording, every activity format's label and every degree's (cme.rules.credit):
    the one source pages, PDFs and CSVs use."""
    return json_reply(
        200, CreditTypesReply(credit_types=credit.catalogue(), formats=credit.formats(), degrees=credit.degrees())
    )


@app.get("/api/settings", responses=responses())
def office_settings() -> Response[SettingsReply]:
    """The office settings the web pages show: one source (cme.platform.settings), cached briefly by browsers."""
    config = get_settings()
    reply = SettingsReply(
        office_name=config.office_name,
        help_email=config.help_email,
        timezone=config.office_timezone,
        sms_number=config.sms_number.strip() or None,
        jointly_accredited=config.jointly_accredited,
    )
    answer = json_reply(200, reply)
    answer.headers["Cache-Control"] = f"public, max-age={SETTINGS_MAX_AGE}"  # the same for everyone: cacheable
    return answer


@app.get("/api/topics", responses=responses())
def topics() -> Response[TopicsReply]:
    """The topics activities, outside credit and requirement rules carry (public)."""
    return json_reply(200, TopicsReply(topics=requirements.topic_list()))


@app.get("/api/activities/<activity_id>", responses=responses("NOT_FOUND"))
def catalogue_entry(activity_id: str) -> Response[PublicActivity]:
    return json_reply(200, activities.get_published(activity_id))


@app.post(
    "/api/attendance",
    responses=responses(
        "CODE_INVALID",
        "EMAIL_INVALID",
        "NAME_INVALID",
        "SIGN_IN_CLOSED",
        "TOO_MANY_ATTEMPTS",
        ok={201: {"description": "Recorded"}, 200: {"description": "Already recorded"}},
    ),
)
def sign_in_at_event(body: SelfSignIn) -> Response[SignedIn]:
    signed, created = attendance.sign_in_at_event(body, client_key(app))
    return json_reply(201 if created else 200, signed)


snapstart.register(app, services=("dynamodb",), modules=("email_validator",))
lambda_handler = lambda_entry(app)
