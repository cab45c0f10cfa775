"""Certificates: the PDF (made once, kept in S3), a pre-signed download link, public verification."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from cme.platform.schemas import DownloadReply, VerifyReply
from cme.records import certificates
from cme.runtime import snapstart
from cme.runtime.resolver import client_key, json_reply, lambda_entry, make_resolver, require_learner, responses

app = make_resolver()


@app.get(
    "/api/me/claims/<claim_id>/certificate",
    responses=responses("SIGN_IN_REQUIRED", "NOT_FOUND", "NAME_UNPRINTABLE", "CERTIFICATE_BUSY", "STORAGE_UNAVAILABLE"),
)
def certificate(claim_id: str) -> Response[DownloadReply]:
    url, seconds = certificates.download_link(require_learner(app).learner_id, claim_id)
    return json_reply(200, DownloadReply(url=url, expires_in=seconds))


@app.get("/api/verify/<certificate_code>", responses=responses("NOT_FOUND", "TOO_MANY_ATTEMPTS"))
def verify(certificate_code: str) -> Response[VerifyReply]:
    return json_reply(200, VerifyReply(**certificates.verify(certificate_code, client_key(app))))


snapstart.register(app, pdf=True, services=("dynamodb", "s3"))
lambda_handler = lambda_entry(app)
