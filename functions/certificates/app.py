"""Certificates: the PDF (made once, kept in S3), a pre-signed download link, public verification;
and ``mail_handler`` (CertificateMailFunction, SQS): a new claim's certificate by email, the PDF
attached (queued by the claim: cme.credit.certificate_mail), once per claim, only the failed
messages of a batch retried (then dead-lettered)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cme.platform.observability import logger
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


snapstart.register(app, pdf=True, services=("dynamodb", "s3", "ses"), modules=("jinja2",))
lambda_handler = lambda_entry(app)

processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    certificates.idempotent_email(json.loads(record.body), lambda_context)


@logger.inject_lambda_context(clear_state=True)
def mail_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=processor, context=context)
