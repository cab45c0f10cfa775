"""`make run`: the whole portal in one process on http://127.0.0.1:3000 (PORT overrides).

AWS is moto's server mode (unless AWS_ENDPOINT_URL already names an endpoint), the tables and
buckets come from template.yaml, the API goes through the local gateway, web/ is served at /
as CloudFront serves it (a path that is no file of the site gets 404.html with 404) with the
same security headers, and every email lands in /_local/outbox. /_local/execute-api/api/...
is the API's own address, reached without CloudFront (refused, as in AWS).
"""

from __future__ import annotations

import gzip
import html
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import uuid
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from infra import web
from infra.local import aws_calls, cfn
from infra.local.clock import SetClock, install
from infra.local.faults import install_from_env
from infra.tools.site import security_headers, serve, site_files

WEB = cfn.ROOT / "web"
OPENAPI = cfn.ROOT / "openapi.json"
SWAGGER = Path(__file__).parent / "vendor" / "swagger-ui"
DOCS_ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "docs.js"}
DOCS_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>CME Portal API</title>"
    "<link rel='stylesheet' href='/api/docs/swagger-ui.css'></head><body><div id='swagger-ui'></div>"
    "<script src='/api/docs/swagger-ui-bundle.js'></script><script src='/api/docs/docs.js'></script></body></html>"
)
LAYER = cfn.ROOT / "layers" / "common"
# The local office number for attendance by text (the SmsNumber parameter is empty by default:
# texting off in AWS until a deployer sets it). 555-01xx numbers are fictitious.
LOCAL_SMS_NUMBER = "+12025550123"
SMS_TOPIC = "InboundTextsTopic"  # template.yaml: the topic End User Messaging SMS publishes texts to
SMS_MAX_BODY = 1600  # characters: SNS's own limit for one SMS
# The API's own address (execute-api in AWS, the stack's ApiUrl output): requests under it reach
# the gateway as they were sent, without CloudFront's headers, so the API refuses them as in AWS.
DIRECT_API = "/_local/execute-api"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def problem(code: str, message: str) -> Response:
    """A local route's 400 answer, in the API's {code, message} shape."""
    return Response(json.dumps({"code": code, "message": message}), status=400, mimetype="application/json")


def _json_body(request: Request) -> Any:
    """The request's JSON body, or None when it is empty or no JSON."""
    try:
        return json.loads(request.get_data(cache=False) or b"null")
    except ValueError:
        return None


IMPORT_STEP = re.compile(r"^/api/admin/imports/[^/]+/(check|commit|invite)$")


class LocalStack:
    def __init__(self, port: int) -> None:
        self.port = port
        self.moto: Any = None
        self.gateway: Any = None
        self.headers = security_headers()
        self.pinned: SetClock | None = None  # the clock POST /_local/clock stopped, if any
        self.mail_lock = threading.Lock()  # one drain of the certificate queue at a time
        self.import_lock = threading.Lock()  # one drain of the import queues at a time

    def start_aws(self) -> None:
        """Point every AWS client at moto (started here) or at the endpoint already given."""
        env = os.environ
        env.setdefault("AWS_ACCESS_KEY_ID", "local")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        env.setdefault("AWS_REGION", "us-east-1")
        env.setdefault("AWS_DEFAULT_REGION", env["AWS_REGION"])
        if not env.get("AWS_ENDPOINT_URL"):
            from infra.local.aws_server import AwsServer

            moto_port = _free_port()
            _s3_cors_like_aws()
            self.moto = AwsServer(moto_port)
            self.moto.start()
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
        env.setdefault("SMS_NUMBER", LOCAL_SMS_NUMBER)  # before the template's empty default
        for key, value in cfn.environment().items():
            env.setdefault(key, value)
        env["SITE_URL"] = f"http://127.0.0.1:{self.port}"
        self.headers = security_headers(_origin(env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL", "")))
        env.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        env.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        env.setdefault("POWERTOOLS_DEV", "false")

    def prepare(self) -> list[tuple[str, str]]:
        if str(LAYER) not in sys.path:
            sys.path.insert(0, str(LAYER))
        from cme.platform.settings import get_settings, reset_settings
        from infra.local.gateway import Gateway
        from infra.local.provision import provision
        from infra.local.seed import seed

        reset_settings()
        settings = get_settings()
        provision(settings.aws_region, settings.mail_from)
        _local_cors(settings.documents_bucket, settings.site_url)
        self.gateway = Gateway()
        return seed()

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/api/openapi.json":
            return Response(OPENAPI.read_bytes(), mimetype="application/json")
        if path in ("/api/docs", "/api/docs/"):
            return Response(DOCS_PAGE, mimetype="text/html")
        if path.startswith("/api/docs/") and path.rsplit("/", 1)[1] in DOCS_ASSETS:
            asset = SWAGGER / path.rsplit("/", 1)[1]
            kind = "text/css" if asset.suffix == ".css" else "text/javascript"
            return Response(asset.read_bytes(), mimetype=kind)
        if path.startswith("/api/"):
            return self.api(request)
        if path.startswith(DIRECT_API + "/api/"):  # the API's own address, as if not through CloudFront
            return self.api(request, path.removeprefix(DIRECT_API), via_cloudfront=False)
        if path == "/_local/outbox.json":
            body = {"messages": self.outbox(), "sms": [{k: v for k, v in t.items() if k != "id"} for t in self.texts()]}
            return Response(json.dumps(body), mimetype="application/json")
        if path == "/_local/outbox":
            return self.outbox_page()
        if path.startswith("/_local/outbox/"):
            return self.outbox_attachment(path.removeprefix("/_local/outbox/"))
        if path == "/_local/sms" and request.method == "POST":
            return self.receive_text(request)
        if path == "/_local/ses/feedback" and request.method == "POST":
            return self.mail_feedback(request)
        if path.startswith("/_local/schedules/") and request.method == "POST":
            return self.run_schedule(request)
        if path == "/_local/clock" and request.method in ("GET", "POST"):
            return self.clock(request)
        return self.static(path, request.headers.get("Accept-Encoding", ""))

    def api(self, request: Request, path: str | None = None, *, via_cloudfront: bool = True) -> Response:
        headers = dict(request.headers.items())
        reply = self.gateway.handle(
            request.method,
            path or request.path,
            request.query_string.decode("latin-1"),
            headers,
            request.get_data(cache=False),
            request.remote_addr or "127.0.0.1",
            via_cloudfront=via_cloudfront,
        )
        response = Response(reply.body, status=reply.status)
        response.headers.clear()
        for key, value in reply.headers:
            response.headers.add(key, value)
        if via_cloudfront:  # CloudFront adds the same policy to /api/*
            for key, value in self.headers.items():
                response.headers.setdefault(key, value)
        if request.method == "POST" and reply.status == 201 and (path or request.path) == "/api/me/claims":
            self.send_certificate_mail()  # what the SQS event source does in AWS, at once
        if request.method == "POST" and reply.status == 202 and IMPORT_STEP.match(path or request.path):
            # the import's reader and worker, as their SQS event sources run them in AWS: apart
            # from the request, so the page polls the progress as it would there
            threading.Thread(target=self.run_imports, daemon=True).start()
        return response

    def run_imports(self) -> None:
        """The import queues drained now (ImportReaderFunction, then ImportWorkerFunction), then the
        paced mail queue (the invitations an Invite queued), one drain at a time; a failure is
        logged, never the request's."""
        from cme.platform.settings import get_settings
        from infra.local.scheduler import run_imports, run_mail_queue

        settings = get_settings()
        with self.import_lock:
            try:
                run_imports(self.gateway.invoke, settings.aws_region)
                # the invitations the reader queued (Invite), sent as the mail queue's worker would
                run_mail_queue(self.gateway.invoke, settings.aws_region, settings.transcript_queue)
            except Exception:
                logging.getLogger(__name__).exception("local import drain failed")

    def send_certificate_mail(self) -> None:
        """The certificate emails a claim queued, sent now (CertificateMailFunction's queue)."""
        from cme.platform.settings import get_settings
        from infra.local.scheduler import run_certificate_mail

        settings = get_settings()
        # Serialized (a drain receives, sends and deletes; fifty claims at once must not race on one
        # message), and never the claim's answer: in AWS the queue is drained apart from the request,
        # so a failed send there is SQS's to retry, not a 500 for the learner whose claim was stored.
        with self.mail_lock:
            try:
                run_certificate_mail(self.gateway.invoke, settings.aws_region, settings.certificate_queue)
            except Exception:
                logging.getLogger(__name__).exception("local certificate mail drain failed (the claim stands)")

    def run_schedule(self, request: Request) -> Response:
        """``POST /_local/schedules/<name>/run``: a schedule of template.yaml run now."""
        if request.path == "/_local/schedules/transcript-mailer/run":
            return self.run_transcript_mailer(request.args.get("today"))
        if request.path == "/_local/schedules/outside-sweep/run":
            return self.run_outside_sweep()
        if request.path == "/_local/schedules/reminders/run":
            return self.run_reminders(request.args.get("today"))
        return self.static(request.path)

    def run_outside_sweep(self) -> Response:
        """The hourly outside-credit sweep now."""
        from infra.local.scheduler import run_outside_sweep

        return Response(json.dumps(run_outside_sweep(self.gateway.invoke)), mimetype="application/json")

    def run_transcript_mailer(self, today: str | None = None) -> Response:
        """The whole mailing now, as on ``today`` (``?today=YYYY-MM-DD``) or on today."""
        from cme.platform.settings import get_settings
        from infra.local.scheduler import run_transcript_mailer

        as_of = _as_of(today)
        if isinstance(as_of, Response):
            return as_of
        before = len(self.outbox())
        settings = get_settings()
        result = run_transcript_mailer(self.gateway.invoke, settings.aws_region, settings.transcript_queue, today=as_of)
        body = {
            "learners": result["learners"],
            "emails_sent": len(self.outbox()) - before,
            "failed": result["failed"],
            "today": result["today"],
        }
        return Response(json.dumps(body), mimetype="application/json")

    def run_reminders(self, today: str | None = None) -> Response:
        """The daily claim reminders now, as on ``today`` (``?today=YYYY-MM-DD``) or on today:
        ``{queued, emails_sent, failed, today}``."""
        from cme.platform.settings import get_settings
        from infra.local.scheduler import run_reminders

        as_of = _as_of(today)
        if isinstance(as_of, Response):
            return as_of
        before = len(self.outbox())
        settings = get_settings()
        result = run_reminders(self.gateway.invoke, settings.aws_region, settings.transcript_queue, today=as_of)
        body = {
            "queued": result["queued"],
            "emails_sent": len(self.outbox()) - before,
            "failed": result["failed"],
            "today": result["today"],
        }
        return Response(json.dumps(body), mimetype="application/json")

    def clock(self, request: Request) -> Response:
        """``GET /_local/clock``: the stack's clock, ``{now, today, frozen}`` (today: the office's
        date). ``POST /_local/clock {"at": "2031-05-14T14:59:59.900+00:00"}`` stops it at that
        moment (as the tests' own clock, infra.local.clock); ``{"at": null}``: the real clock again."""
        from cme.platform import clock as cme_clock

        if request.method == "POST":
            data = _json_body(request)
            if not isinstance(data, dict) or "at" not in data:
                return problem("BODY_INVALID", 'Send JSON: {"at": "2031-05-14T14:59:59.9+00:00"} or {"at": null}.')
            moment = _moment(data["at"])
            if data["at"] is not None and moment is None:
                return problem("AT_INVALID", "at must be a moment with its UTC offset (ISO 8601), or null.")
            self.pinned = SetClock(moment, frozen=True) if moment is not None else None
            install(self.pinned)
        now = cme_clock.now()
        today = cme_clock.local_date(now).isoformat()
        body = {"now": now.isoformat(), "today": today, "frozen": self.pinned is not None}
        return Response(json.dumps(body), mimetype="application/json")

    def texts(self) -> list[dict[str, Any]]:
        from infra.local.outbox import texts

        return texts() if self.moto is not None else []

    def receive_text(self, request: Request) -> Response:
        """``POST /_local/sms {from, body}``: a text to the office's number, as AWS End User
        Messaging SMS delivers it (the two-way message JSON, published to the inbound topic, so
        the subscribed function runs on an SNS event), answered with the reply it texted back
        (``{reply}``, null when none was sent)."""
        from cme.platform.errors import InvalidInput
        from cme.platform.normalize import normalize_phone
        from cme.platform.settings import get_settings

        data = _json_body(request)
        if not isinstance(data, dict):
            return problem("BODY_INVALID", 'Send JSON: {"from": "+14805550142", "body": "ABC234"}.')
        sender, text = data.get("from"), data.get("body")
        if not isinstance(text, str) or len(text) > SMS_MAX_BODY:
            return problem("BODY_INVALID", f"body must be the text's words, at most {SMS_MAX_BODY} characters.")
        settings = get_settings()
        try:
            origin = normalize_phone(sender, settings.default_phone_region) if isinstance(sender, str) else None
        except InvalidInput:
            origin = None
        if origin is None:
            return problem("FROM_INVALID", "from must be a phone number, e.g. +14805550142.")
        before = self.texts()
        seen = {t["id"] for t in before}
        earlier = [t["id"] for t in before if t["to"] == origin]
        message = {
            "originationNumber": origin,  # AWS gives the sender in E.164
            "destinationNumber": settings.sms_number,
            "messageKeyword": "",
            "messageBody": text,
            "inboundMessageId": str(uuid.uuid4()),
            "previousPublishedMessageId": earlier[-1] if earlier else "",
        }
        try:
            self.gateway.publish(SMS_TOPIC, json.dumps(message))
        except Exception:  # as the gateway answers a failing function
            return Response(json.dumps({"message": "Internal Server Error"}), status=500, mimetype="application/json")
        replies = [t["body"] for t in self.texts() if t["id"] not in seen and t["to"] == origin]
        return Response(json.dumps({"reply": replies[-1] if replies else None}), mimetype="application/json")

    def mail_feedback(self, request: Request) -> Response:
        """``POST /_local/ses/feedback {email, type}`` (type ``bounce`` or ``complaint``): SES's
        event for mail to that address, as the configuration set's event destination publishes it
        (a permanent bounce or a complaint), delivered through the topic to its function as SNS
        would (moto's SES emits none). Answers ``{marked}``: how many addresses it marked (0: the
        address is on no account)."""
        from cme.platform.errors import InvalidInput
        from cme.platform.normalize import normalize_email
        from cme.platform.settings import get_settings

        data = _json_body(request)
        if not isinstance(data, dict):
            return problem("BODY_INVALID", 'Send JSON: {"email": "ann.lee@example.org", "type": "bounce"}.')
        kind, address = data.get("type"), data.get("email")
        if kind not in FEEDBACK_TYPES:
            return problem("TYPE_INVALID", "type must be bounce or complaint.")
        try:
            email = normalize_email(address) if isinstance(address, str) else None
        except InvalidInput:
            email = None
        if email is None:
            return problem("EMAIL_INVALID", "email must be an email address, e.g. ann.lee@example.org.")
        settings = get_settings()
        event = ses_feedback_event(email, kind, settings.mail_from, settings.mail_configuration_set)
        marked = 0
        try:
            for topic in cfn.mail_feedback_topics():
                for result in self.gateway.publish(topic, json.dumps(event)):
                    marked += sum(result.get("marked", [])) if isinstance(result, dict) else 0
        except Exception:  # as the gateway answers a failing function
            return Response(json.dumps({"message": "Internal Server Error"}), status=500, mimetype="application/json")
        return Response(json.dumps({"marked": marked}), mimetype="application/json")

    def outbox(self) -> list[dict[str, Any]]:
        from infra.local.outbox import messages

        return messages() if self.moto is not None else []

    def outbox_page(self) -> Response:
        rows = []
        for number, message in enumerate(self.outbox(), start=1):
            files = "".join(
                f"<li><a href='{html.escape(item['url'])}' download>{html.escape(item['filename'])}</a> "
                f"({html.escape(item['content_type'])}, {_size(item['size'])})</li>"
                for item in message["attachments"]
            )
            rows.append(
                f"<article><h2>{number}. {html.escape(message['subject'])}</h2>"
                f"<p>To: {html.escape(', '.join(message['to']))} &middot; "
                f"{html.escape(message['sent_at'] or '')}</p>"
                f"<pre>{html.escape(message['text'])}</pre>"
                + (f"<h3>Attachments</h3><ul class='attachments'>{files}</ul>" if files else "")
                + "</article>"
            )
        texts = "".join(
            f"<li><strong>To {html.escape(text['to'])}</strong> &middot; {html.escape(text['sent_at'])}"
            f"<pre>{html.escape(text['body'])}</pre></li>"
            for text in self.texts()
        )
        body = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Local outbox</title>"
            "<link rel='icon' href='/favicon.svg' type='image/svg+xml'>"
            "<link rel='stylesheet' href='/styles.css'></head><body><main class='outbox'>"
            "<h1>Local outbox</h1><p>Every email the portal sent through SES (moto), oldest first.</p>"
            + ("".join(rows) or "<p>No email has been sent yet.</p>")
            + "<h2 id='texts'>Text messages</h2><p>Every SMS the portal sent through SNS (moto), oldest first.</p>"
            + (f"<ol aria-labelledby='texts'>{texts}</ol>" if texts else "<p>No text has been sent yet.</p>")
            + "</main></body></html>"
        )
        return Response(body, mimetype="text/html", headers=self.headers)

    def outbox_attachment(self, rest: str) -> Response:
        """``/_local/outbox/<message>/<attachment>`` (both from 1): the file, as a download."""
        from infra.local.outbox import attachment

        numbers = rest.split("/")
        found = None
        if self.moto is not None and len(numbers) == 2 and all(part.isdigit() for part in numbers):
            found = attachment(int(numbers[0]), int(numbers[1]))
        if found is None:
            return Response("No such attachment", status=404, mimetype="text/plain", headers=self.headers)
        response = Response(found.data, mimetype=found.content_type, headers=self.headers)
        name = "".join(c for c in found.filename if c.isalnum() or c in "-_.") or "attachment"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def static(self, path: str, accept_encoding: str = "") -> Response:
        """web/ as CloudFront serves it (infra.tools.site.serve): "/" and a directory path are
        their index.html; a path that is no file of the site gets 404.html with 404; gzipped
        as CloudFront's Compress does (compressed_body)."""
        name, status = serve(path, site_files(WEB))
        target = WEB / name
        mimetype = web.content_type(target.name)  # as make deploy stores it in S3
        body, encoding = compressed_body(target.read_bytes(), mimetype, accept_encoding)
        response = Response(body, status=status, mimetype=mimetype, headers=self.headers)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Vary"] = "Accept-Encoding"
        if encoding:
            response.headers["Content-Encoding"] = encoding
        return response


def _as_of(today: str | None) -> date | Response | None:
    """A schedule's ``?today=YYYY-MM-DD`` (absent or empty: None, as on today), or its 400 answer."""
    if not today:
        return None
    try:
        as_of = date.fromisoformat(today) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", today) else None
    except ValueError:
        as_of = None
    if as_of is None:
        body = {"code": "INVALID_TODAY", "message": "today must be a date, YYYY-MM-DD."}
        return Response(json.dumps(body), status=400, mimetype="application/json")
    return as_of


# What CloudFront compresses (template.yaml: Compress: true): text types of 1,000 bytes to 10 MB,
# for a viewer that accepts gzip (CloudFront's "File types that CloudFront compresses").
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg+xml")
COMPRESS_MIN, COMPRESS_MAX = 1_000, 10_000_000


def compressed_body(data: bytes, mimetype: str, accept_encoding: str) -> tuple[bytes, str | None]:
    """The body as CloudFront sends it to a viewer with this Accept-Encoding, and its encoding."""
    accepted = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    if "gzip" not in accepted or not COMPRESS_MIN <= len(data) <= COMPRESS_MAX:
        return data, None
    if not mimetype.startswith(COMPRESSED_TYPES):
        return data, None
    return gzip.compress(data, mtime=0), "gzip"


def _moment(text: Any) -> datetime | None:
    """An ISO 8601 moment with its offset, or None."""
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


FEEDBACK_TYPES = ("bounce", "complaint")


def ses_feedback_event(email: str, kind: str, source: str, configuration_set: str) -> dict[str, Any]:
    """The event SES publishes for a permanent bounce or a complaint of mail to ``email`` (SES
    event publishing's JSON, as the configuration set's SNS destination sends it)."""
    from cme.platform import clock

    at = clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mail = {
        "timestamp": at,
        "source": source,
        "messageId": str(uuid.uuid4()),
        "destination": [email],
        "tags": {"ses:configuration-set": [configuration_set]},
    }
    if kind == "bounce":
        return {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {"emailAddress": email, "action": "failed", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1"}
                ],
                "timestamp": at,
                "feedbackId": str(uuid.uuid4()),
            },
            "mail": mail,
        }
    return {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": email}],
            "timestamp": at,
            "feedbackId": str(uuid.uuid4()),
            "complaintFeedbackType": "abuse",
        },
        "mail": mail,
    }


def _s3_cors_like_aws() -> None:
    """S3 answers CORS by the bucket's own rules (template.yaml's CorsConfiguration), as in AWS,
    not by moto's allow-everything default: a browser upload the bucket would refuse fails here
    too. AWS also puts the matched rule's headers on the POST upload's answer (moto does not)."""
    import moto.moto_server.werkzeug_app as moto_app
    from moto.s3.responses import S3Response

    moto_app.DISABLE_GLOBAL_CORS = True
    original = S3Response._bucket_response_post
    if getattr(original, "cors_like_aws", False):
        return

    def post(self: Any, request: Any, bucket_name: str) -> Any:
        status, headers, body = original(self, request, bucket_name)
        return status, {**self._get_cors_headers_other(), **headers}, body

    post.cors_like_aws = True  # type: ignore[attr-defined]
    S3Response._bucket_response_post = post  # type: ignore[method-assign]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _local_cors(bucket: str, site_url: str) -> None:
    """The documents bucket's CORS rules of template.yaml, its SiteUrl the local site's origin."""
    import boto3

    buckets = cfn.resources("AWS::S3::Bucket")
    rules = buckets.get("DocumentsBucket", {}).get("Properties", {}).get("CorsConfiguration", {}).get("CorsRules")
    if not rules:
        return
    local: list[Any] = [
        {
            "AllowedOrigins": [_origin(site_url)],
            "AllowedMethods": rule["AllowedMethods"],
            "AllowedHeaders": rule.get("AllowedHeaders", []),
            "MaxAgeSeconds": int(rule.get("MaxAge", 0)),
        }
        for rule in rules
    ]
    boto3.client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": local})


def _size(size: int) -> str:
    """Bytes as people read them: 812 bytes, 14.2 KB, 1.3 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _quiet() -> None:
    """moto's server logs every AWS call through werkzeug; keep the console for the portal."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def main() -> int:
    _quiet()
    if os.environ.get(aws_calls.DIRECTORY_VARIABLE):  # the tests ask: the IAM check reads these
        aws_calls.install("local-stack")
    port = int(os.environ.get("PORT", "3000"))
    stack = LocalStack(port)
    stack.start_aws()
    install_from_env()  # CME_INJECT_FAULTS="conflict=0.2,throttle=0.1,seed=7": AWS's conflicts and throttling
    demo = stack.prepare()
    server = make_server("127.0.0.1", port, stack, threaded=True)

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started with SIGINT ignored (a background job)
    print(f"CME Portal running at http://127.0.0.1:{port}", flush=True)
    print(f"  outbox:  http://127.0.0.1:{port}/_local/outbox", flush=True)
    from infra.local.seed import DEMO_PASSWORD

    for email, role in demo:
        print(f"  demo {role}: {email} / {DEMO_PASSWORD}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if stack.moto is not None:
            stack.moto.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
