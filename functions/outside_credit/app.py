"""My outside credit: CME earned elsewhere, recorded by the learner (self-reported), with its
certificate uploaded straight to S3 (a pre-signed POST) and downloaded by a pre-signed GET once
its first bytes match its declared type."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from cme.platform.schemas import (
    DocumentIn,
    DownloadReply,
    OutsideCreditIn,
    OutsideCreditReply,
    OutsideCreditsReply,
    UploadForm,
    UploadReply,
)
from cme.records import outside
from cme.runtime import snapstart
from cme.runtime.resolver import json_reply, lambda_entry, make_resolver, require_learner, responses

app = make_resolver()


@app.get("/api/me/outside-credits", responses=responses("SIGN_IN_REQUIRED"))
def list_outside_credits() -> Response[OutsideCreditsReply]:
    found = outside.outside_credits(require_learner(app).learner_id)
    return json_reply(200, OutsideCreditsReply(outside_credits=[outside.as_out(item) for item in found]))


@app.post(
    "/api/me/outside-credits",
    responses=responses(
        "SIGN_IN_REQUIRED",
        "COMPLETED_IN_FUTURE",
        "TOPIC_UNKNOWN",
        "TOO_MANY_OUTSIDE_CREDITS",
        ok={201: {"description": "Recorded (self-reported)"}},
    ),
)
def add_outside_credit(body: OutsideCreditIn) -> Response[OutsideCreditReply]:
    item = outside.add(require_learner(app).learner_id, body)
    return json_reply(201, OutsideCreditReply(outside_credit=outside.as_out(item)))


@app.delete(
    "/api/me/outside-credits/<outside_credit_id>",
    responses=responses("SIGN_IN_REQUIRED", "OUTSIDE_CREDIT_NOT_FOUND", ok={204: {"description": "Removed"}}),
)
def remove_outside_credit(outside_credit_id: str) -> Response[None]:
    outside.remove(require_learner(app).learner_id, outside_credit_id)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@app.post(
    "/api/me/outside-credits/<outside_credit_id>/document",
    responses=responses("SIGN_IN_REQUIRED", "OUTSIDE_CREDIT_NOT_FOUND", "TOO_MANY_ATTEMPTS"),
)
def upload_document(outside_credit_id: str, body: DocumentIn) -> Response[UploadReply]:
    form = outside.upload_form(require_learner(app).learner_id, outside_credit_id, body.content_type)
    return json_reply(200, UploadReply(upload=UploadForm(**form)))


@app.get(
    "/api/me/outside-credits/<outside_credit_id>/document",
    responses=responses(
        "SIGN_IN_REQUIRED", "OUTSIDE_CREDIT_NOT_FOUND", "DOCUMENT_NOT_FOUND", "DOCUMENT_MISMATCH", "STORAGE_UNAVAILABLE"
    ),
)
def download_document(outside_credit_id: str) -> Response[DownloadReply]:
    url, seconds = outside.download_link(require_learner(app).learner_id, outside_credit_id)
    return json_reply(200, DownloadReply(url=url, expires_in=seconds))


snapstart.register(app, services=("dynamodb", "s3"))
lambda_handler = lambda_entry(app)
