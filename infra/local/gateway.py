"""A local HTTP API Gateway: template.yaml's routes, payload v2.0 events, the authorizer.

It builds the same events API Gateway builds (cookies split out, lower-case headers, route
key, path parameters, request context), calls the REQUEST authorizer for routes that have
it (simple responses: its ``context`` becomes ``requestContext.authorizer.lambda``), then the
function's handler loaded from its ``CodeUri`` and ``Handler``. Each function has a small pool
of "containers" (separately imported modules), so like Lambda one instance never serves two
requests at once, and parallel requests get parallel instances.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

from infra.local import aws_calls, cfn, replies

LAYER = cfn.ROOT / "layers" / "common"
TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")
MAX_CONTAINERS = 8
# CloudFront, as the gateway plays it: API Gateway sees every request come from an edge server
# (one address for everyone: code keying on sourceIp would lump every viewer together), with
# the distribution's origin secret and the viewer's own address added (CloudFront overwrites
# any the client sent). The secret is what the distribution's API origin sends (the local value
# of the template's OriginSecret parameter; ``Gateway.origin_verify``, which a test may change
# to play CloudFront switching to a rotated value).
CLOUDFRONT_EDGE_IP = "130.176.5.15"
ORIGIN_VERIFY_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
CLOUDFRONT_SETS = (ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER, "x-forwarded-for")
ALWAYS_FORWARDED = frozenset({"cookie", "host", "content-length"})  # cookies: the policy forwards all


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class LambdaContext:
    """What Lambda passes as ``context`` (the parts Powertools reads)."""

    def __init__(self, function_name: str, timeout_s: int = 10) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


_LOADING = threading.Lock()  # sys.path and sys.modules are the process's: one load at a time


def load(function: cfn.Function, name: str) -> ModuleType:
    """A function's handler module imported afresh as ``name``, the layer and the function's
    folder on the path as in Lambda. The function's own modules beside its handler (e.g.
    functions/publisher/routes) are imported afresh too and then dropped from ``sys.modules``:
    each container has its own, as each Lambda environment is a process of its own (a Router
    included by one container's resolver reads that resolver's request), and no function finds
    another's module of the same name."""
    with _LOADING:
        if str(LAYER) not in sys.path:
            sys.path.insert(0, str(LAYER))
        sys.path.insert(0, str(function.code_dir))
        try:
            spec = importlib.util.spec_from_file_location(name, function.code_dir / f"{function.module}.py")
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(function.code_dir))
            for key, loaded in list(sys.modules.items()):
                where = getattr(loaded, "__file__", None)
                if where and Path(where).is_relative_to(function.code_dir):
                    del sys.modules[key]
    return module


@dataclass
class _Pool:
    function: cfn.Function
    idle: list[Callable[..., Any]] = field(default_factory=list)
    made: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)
    durations: list[float] = field(default_factory=list)  # ms per invocation (for make bench)

    def _load(self) -> Callable[..., Any]:
        module = load(self.function, f"cme_local_{self.function.logical_id}_{self.made}")
        return getattr(module, self.function.attribute)

    def invoke(self, event: dict[str, Any]) -> Any:
        if str(LAYER) not in sys.path:
            sys.path.insert(0, str(LAYER))
        from cme.platform import secrets

        started = time.perf_counter()
        try:
            # whose grants its AWS calls need; whose secrets it reads and keeps (its own, as in
            # Lambda, where each function is a process of its own)
            with aws_calls.running(self.function.logical_id), secrets.holding(self.function.logical_id):
                result = self._invoke(event)
            replies.record(event, result)  # the error answers, for the contract check (tests/iam)
            return result
        finally:
            self.durations.append((time.perf_counter() - started) * 1000)

    def _invoke(self, event: dict[str, Any]) -> Any:
        with self.lock:
            while not self.idle and self.made >= MAX_CONTAINERS:
                self.lock.wait()
            handler = self.idle.pop() if self.idle else None
            if handler is None:
                self.made += 1
        if handler is None:
            handler = self._load()
        try:
            return handler(event, LambdaContext(self.function.logical_id, self.function.timeout))
        finally:
            with self.lock:
                self.idle.append(handler)
                self.lock.notify()


class Gateway:
    def __init__(self) -> None:
        self.routes = cfn.routes()
        self.pools = {name: _Pool(fn) for name, fn in cfn.functions().items()}
        self.authorizer = cfn.authorizer_function()
        self.forwarded_headers = cfn.api_forwarded_headers()
        self.origin_verify = cfn.origin_verify()

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Call a function's handler directly, as an event source would (schedule, SQS)."""
        return self.pools[function].invoke(event)

    def publish(self, topic: str, message: str) -> list[Any]:
        """Deliver one SNS message to every function subscribed to ``topic`` (a logical id), as SNS
        would; what each handler returned."""
        arn = cfn.topic_arn(topic)
        return [self.invoke(name, sns_event(arn, message, name)) for name in cfn.topic_subscribers().get(topic, [])]

    def match(self, method: str, path: str) -> tuple[cfn.Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
        *,
        via_cloudfront: bool = True,
    ) -> Reply:
        """One request from the client at ``source_ip``. Through CloudFront (the default, as the
        site calls the API) CloudFront's headers are added and the API sees an edge server's
        address; ``via_cloudfront=False`` is a request made straight to the API's own address,
        with the headers exactly as the client sent them."""
        if via_cloudfront:
            # the origin request policy's viewer headers only (a header the API would read but
            # CloudFront does not forward then fails here too), plus what CloudFront always sends
            passed = self.forwarded_headers | ALWAYS_FORWARDED
            sent = {k: v for k, v in headers.items() if k.lower() in passed and k.lower() not in CLOUDFRONT_SETS}
            forwarded = next((v for k, v in headers.items() if k.lower() == "x-forwarded-for"), None)
            sent[ORIGIN_VERIFY_HEADER] = self.origin_verify
            sent[VIEWER_ADDRESS_HEADER] = f"{source_ip}:{random.randint(1024, 65535)}"  # noqa: S311 - a port
            sent["x-forwarded-for"] = f"{forwarded}, {source_ip}" if forwarded else source_ip
            headers, source_ip = sent, CLOUDFRONT_EDGE_IP
        matched = self.match(method, path)
        if matched is None:
            return _json(404, {"message": "Not Found"})
        route, params = matched
        event = build_event(route, params, method, path, query, headers, body, source_ip)
        if route.authorized and self.authorizer:
            try:
                verdict = self.pools[self.authorizer].invoke(authorizer_event(event))
            except Exception:  # API Gateway answers 500 when the authorizer fails
                return _json(500, {"message": "Internal Server Error"})
            if not verdict.get("isAuthorized"):
                return _json(403, {"message": "Forbidden"})
            event["requestContext"]["authorizer"] = {"lambda": verdict.get("context") or {}}
        try:
            result = self.pools[route.function].invoke(event)
        except Exception:
            return _json(500, {"message": "Internal Server Error"})
        return to_reply(result)


def _json(status: int, body: Any) -> Reply:
    return Reply(status, [("Content-Type", "application/json")], json.dumps(body).encode())


def build_event(
    route: cfn.Route,
    params: dict[str, str],
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
) -> dict[str, Any]:
    """An HTTP API payload format 2.0 event, as API Gateway builds it."""
    lowered = {k.lower(): v for k, v in headers.items()}
    cookie_header = lowered.pop("cookie", "")
    cookies = [c.strip() for c in cookie_header.split(";") if c.strip()]
    query_params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        query_params[key] = f"{query_params[key]},{value}" if key in query_params else value
    is_text = not body or body_is_text(lowered.get("content-type", ""), body)
    now = _now()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": not is_text,
    }
    if cookies:
        event["cookies"] = cookies
    if query_params:
        event["queryStringParameters"] = query_params
    if params:
        event["pathParameters"] = params
    if body:
        event["body"] = body.decode("utf-8") if is_text else base64.b64encode(body).decode()
    return event


def _now() -> datetime:
    """When AWS stamps an event: the portal's one clock (so a pinned clock stamps it too)."""
    from cme.platform import clock  # the layer is on the path once a function is loaded

    return clock.now()


def sns_event(topic: str, message: str, function: str) -> dict[str, Any]:
    """The event Lambda gets from an SNS subscription: one record per message, as SNS builds it
    (AWS Lambda Developer Guide, "Using Lambda with Amazon SNS"). The local stack signs nothing."""
    message_id = str(uuid.uuid4())
    subscription = f"{topic}:{uuid.uuid5(uuid.NAMESPACE_URL, f'{topic}|{function}')}"
    now = _now()
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription,
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                    "Signature": "",
                    "SigningCertUrl": "",
                    "MessageId": message_id,
                    "Message": message,
                    "MessageAttributes": {},
                    "Type": "Notification",
                    "UnsubscribeUrl": "",
                    "TopicArn": topic,
                    "Subject": None,
                },
            }
        ]
    }


def body_is_text(content_type: str, body: bytes) -> bool:
    """Whether API Gateway passes a body as text (``isBase64Encoded: false``): a text media type
    whose bytes are valid UTF-8. Anything else, binary types and text in another encoding (a
    Windows-1252 CSV) alike, is base64-encoded, so the handler sees the bytes as sent and never
    text with its accents replaced by U+FFFD."""
    if not content_type.strip().lower().startswith(TEXT_TYPES):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def authorizer_event(event: dict[str, Any]) -> dict[str, Any]:
    """The REQUEST authorizer's payload 2.0 event for a route event."""
    out = {key: value for key, value in event.items() if key not in ("body", "isBase64Encoded")}
    out["type"] = "REQUEST"
    out["routeArn"] = f"arn:aws:execute-api:us-east-1:123456789012:local/$default/{event['routeKey'].replace(' ', '')}"
    out["identitySource"] = []
    return out


def to_reply(result: Any) -> Reply:
    """A Lambda proxy result (format 2.0) as an HTTP reply."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return Reply(200, [("Content-Type", "application/json")], json.dumps(result).encode())
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((key, str(v)) for v in values)
    headers.extend(("Set-Cookie", cookie) for cookie in result.get("cookies") or [])
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    return Reply(int(result["statusCode"]), headers, body)
