"""`make run`: the whole portal in one process on http://127.0.0.1:3000 (PORT overrides).

AWS is moto's server mode (unless AWS_ENDPOINT_URL already names an endpoint), the tables and
buckets come from template.yaml, the API goes through the local gateway, web/ is served at /
with the same security headers CloudFront sends, and every email lands in /_local/outbox.
"""

from __future__ import annotations

import html
import json
import logging
import mimetypes
import os
import re
import signal
import socket
import sys
import threading
import warnings
from datetime import date
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from infra.local import aws_calls, cfn
from infra.local.faults import install_from_env

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def security_headers() -> dict[str, str]:
    """The CloudFront response headers policy of template.yaml, as plain headers."""
    policies = cfn.resources("AWS::CloudFront::ResponseHeadersPolicy")
    config = next(iter(policies.values()))["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = config["StrictTransportSecurity"]
    return {
        "Content-Security-Policy": " ".join(config["ContentSecurityPolicy"]["ContentSecurityPolicy"].split()),
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": config["FrameOptions"]["FrameOption"],
        "Referrer-Policy": config["ReferrerPolicy"]["ReferrerPolicy"],
    }


class LocalStack:
    def __init__(self, port: int) -> None:
        self.port = port
        self.moto: Any = None
        self.gateway: Any = None
        self.headers = security_headers()

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
            self.moto = AwsServer(moto_port)
            self.moto.start()
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
        for key, value in cfn.environment().items():
            env.setdefault(key, value)
        env["SITE_URL"] = f"http://127.0.0.1:{self.port}"
        env.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        env.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        env.setdefault("POWERTOOLS_DEV", "false")

    def prepare(self) -> list[tuple[str, str]]:
        if str(LAYER) not in sys.path:
            sys.path.insert(0, str(LAYER))
        from cme.settings import get_settings, reset_settings
        from infra.local.gateway import Gateway
        from infra.local.provision import provision
        from infra.local.seed import seed

        reset_settings()
        settings = get_settings()
        provision(settings.aws_region, settings.mail_from)
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
        if path == "/_local/outbox.json":
            return Response(json.dumps({"messages": self.outbox()}), mimetype="application/json")
        if path == "/_local/outbox":
            return self.outbox_page()
        if path.startswith("/_local/outbox/"):
            return self.outbox_attachment(path.removeprefix("/_local/outbox/"))
        if path == "/_local/schedules/transcript-mailer/run" and request.method == "POST":
            return self.run_transcript_mailer(request.args.get("today"))
        return self.static(path)

    def api(self, request: Request) -> Response:
        headers = dict(request.headers.items())
        reply = self.gateway.handle(
            request.method,
            request.path,
            request.query_string.decode("latin-1"),
            headers,
            request.get_data(cache=False),
            request.remote_addr or "127.0.0.1",
        )
        response = Response(reply.body, status=reply.status)
        response.headers.clear()
        for key, value in reply.headers:
            response.headers.add(key, value)
        for key, value in self.headers.items():  # CloudFront adds the same policy to /api/*
            response.headers.setdefault(key, value)
        return response

    def run_transcript_mailer(self, today: str | None = None) -> Response:
        """The whole mailing now, as on ``today`` (``?today=YYYY-MM-DD``) or on today."""
        from cme.settings import get_settings
        from infra.local.scheduler import run_transcript_mailer

        as_of = None
        if today:  # absent or empty: as on today
            try:
                as_of = date.fromisoformat(today) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", today) else None
            except ValueError:
                as_of = None
            if as_of is None:
                problem = {"code": "INVALID_TODAY", "message": "today must be a date, YYYY-MM-DD."}
                return Response(json.dumps(problem), status=400, mimetype="application/json")
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
        body = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Local outbox</title>"
            "<link rel='icon' href='/favicon.svg' type='image/svg+xml'>"
            "<link rel='stylesheet' href='/styles.css'></head><body><main class='outbox'>"
            "<h1>Local outbox</h1><p>Every email the portal sent through SES (moto), oldest first.</p>"
            + ("".join(rows) or "<p>No email has been sent yet.</p>")
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

    def static(self, path: str) -> Response:
        relative = path.lstrip("/") or "index.html"
        target = (WEB / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(WEB.resolve()) or not target.is_file():
            missing = WEB / "404.html"
            content = missing.read_bytes() if missing.is_file() else b"Not found"
            return Response(content, status=404, mimetype="text/html", headers=self.headers)
        mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".js":
            mimetype = "text/javascript"
        response = Response(target.read_bytes(), mimetype=mimetype, headers=self.headers)
        response.headers["Cache-Control"] = "no-cache"
        return response


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
