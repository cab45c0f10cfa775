"""The HTTP edge shared by every function: resolver factory, identity, cookies, and the ONE
place where domain errors become HTTP statuses with ``{code, message, details}`` bodies."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from pydantic import ValidationError
from pynamodb.exceptions import PynamoDBConnectionError, TransactWriteError

from cme.identity.sessions import SESSION_COOKIE, Identity, cookie_value
from cme.platform import documents, errors, observability, secrets, throttle
from cme.platform.observability import logger, metrics
from cme.platform.settings import get_settings
from cme.runtime import cloudfront

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ADMIN_PREFIX = "/api/admin/"
COORDINATORS_ONLY = "This page is for the CME office's coordinators."
BUSY = "The portal is busy right now; nothing was lost. Please try again."
# The deepest JSON any route takes is 3 levels ({"credits": [{...}]}); 20 leaves room for
# evaluation answers and stays well below Python's recursion limit (json.loads raises
# RecursionError, which Powertools does not handle) and DynamoDB's 32 levels of nesting.
MAX_JSON_DEPTH = 20
#: what the helpers below take: a function's resolver, or a Router of some of its routes
#: (functions/publisher/routes), which reads the event of the resolver that included it
Routes: TypeAlias = APIGatewayHttpResolver | Router
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


# ---------------------------------------------------------------- the error contract in OpenAPI
ERROR_REPLY = "#/components/schemas/ErrorReply"
#: what each error status says in the OpenAPI document (Python's own phrases differ by version)
ERROR_WORDS = {
    400: "The request cannot be used",
    401: "Not signed in, or the credentials do not match",
    403: "Not allowed",
    404: "Not found",
    409: "The state forbids it",
    413: "The body is too large",
    415: "A Content-Type the route does not take",
    422: "A value breaks a rule",
    429: "Too many attempts; Retry-After says when to try again",
    503: "A dependency failed; nothing was half-written; Retry-After says when to retry",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}


def error_responses(codes: Iterable[str | tuple[str, int]]) -> dict[int, OpenAPIResponse]:
    """Per status, the ``ErrorReply`` whose ``code`` is one of ``codes`` (each code's status is
    its registered one, ``cme.platform.errors.CODES``, or for ``(code, status)`` one of the further
    statuses the registry gives it; a code the registry does not hold is a KeyError, and a status
    it does not give the code a ValueError, at import of the handler that declares it)."""
    by_status: dict[int, set[str]] = {}
    for entry in codes:
        code, status = entry if isinstance(entry, tuple) else (entry, errors.status_of(entry))
        if status not in errors.statuses_of(code):
            raise ValueError(f"{code} is not registered with {status}")
        by_status.setdefault(status, set()).add(code)
    answers: dict[int, OpenAPIResponse] = {}
    for status, named in sorted(by_status.items()):
        schema = {"allOf": [{"$ref": ERROR_REPLY}, {"type": "object", "properties": {"code": {"enum": sorted(named)}}}]}
        answer: OpenAPIResponse = {
            "description": f'{ERROR_WORDS[status]} (docs/api.md "Error codes")',
            "content": {content_types.APPLICATION_JSON: {"schema": schema}},
        }
        if status in (429, 503):
            answer["headers"] = RETRY_AFTER  # type: ignore[typeddict-item]
        answers[status] = answer
    return answers


def declared_codes(answer: dict[str, Any]) -> list[str]:
    """The codes an OpenAPI response made by ``error_responses`` names (none for another)."""
    schema = (answer.get("content") or {}).get(content_types.APPLICATION_JSON, {}).get("schema") or {}
    parts = schema.get("allOf") or []
    if not parts or parts[0].get("$ref") != ERROR_REPLY:
        return []
    return [str(code) for part in parts[1:] for code in part.get("properties", {}).get("code", {}).get("enum", [])]


def responses(
    *codes: str | tuple[str, int], ok: dict[int, OpenAPIResponse] | None = None
) -> dict[int, OpenAPIResponse]:
    """A route's ``responses=``: its success answers (``ok``; by default 200, described as
    Powertools describes it, its body from the handler's return type) and, per status, the error
    codes the route's handler and the logic it calls can answer with.

    The codes the HTTP edge gives every route of a kind (``edge_codes``) are not listed here:
    infra/tools/openapi.py adds them to each route's declaration in the document."""
    return {**(ok or {200: {"description": "Successful Response"}}), **error_responses(codes)}


def request_body(content: dict[str, type | dict[str, Any]], description: str) -> dict[str, Any]:
    """``openapi_extensions=`` for a route that reads its body itself, in several media types:
    ``content`` maps each media type to a pydantic model (referenced; infra/tools/openapi.py puts
    its schema in the document's components) or to a JSON schema."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                media: {"schema": {"$ref": f"#/components/schemas/{kind.__name__}"} if isinstance(kind, type) else kind}
                for media, kind in content.items()
            },
        }
    }


def edge_codes(method: str, path: str, validated: bool) -> list[str]:
    """The codes this module answers on a route of its kind, whatever its handler does:
    ``lambda_entry``'s refusals (403 not through CloudFront; on ``/api/admin/`` 401 and 403;
    for a body method 413, 415 and 400 ``MALFORMED_JSON``; 503 when the origin secret cannot be
    read) and the resolver's (422 ``VALIDATION_FAILED`` on a route whose body or query is
    validated; 503 ``SERVICE_UNAVAILABLE`` when storage fails)."""
    codes = ["FORBIDDEN", "SERVICE_UNAVAILABLE"]
    if path.startswith(ADMIN_PREFIX):
        codes.append("SIGN_IN_REQUIRED")
    if method.upper() in BODY_METHODS:
        codes += ["MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"]
    if validated:
        codes.append("VALIDATION_FAILED")
    return codes


def _field_of(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if p != "body"]
    return ".".join(parts) or "body"


def _explain(problem: dict[str, Any]) -> str:
    """pydantic's message, in words for a person where pydantic's are a developer's."""
    kind = problem.get("type")
    if kind == "missing" or (kind == "string_too_short" and (problem.get("ctx") or {}).get("min_length") == 1):
        return "This field is required."
    if kind == "enum":
        return f"Choose one of: {(problem.get('ctx') or {}).get('expected', 'the listed values')}."
    if kind == "value_error":  # our own words (a validator's ValueError), without pydantic's prefix
        return str(problem.get("msg", "")).removeprefix("Value error, ") or "This value is not valid."
    return str(problem.get("msg", "This value is not valid."))


@dataclass(frozen=True)
class BodyRule:
    """What a route accepts as a body: media types and a size limit (None: the settings' limit)."""

    media_types: tuple[str, ...] = ("application/json",)
    max_bytes: int | None = None


def refuse_body(event: dict[str, Any], rule: BodyRule = BodyRule()) -> tuple[int, str, str] | None:
    """(status, code, message) when a body is oversized (413) or of a type the route does not
    take (415), else None.

    Checked on the raw event before Powertools parses anything (its request validation runs
    ahead of any resolver middleware, and it would parse form posts too).
    """
    body = event.get("body") or ""
    limit = rule.max_bytes or get_settings().max_body_bytes
    if len(body) > (limit * 4 // 3 + 4 if event.get("isBase64Encoded") else limit):
        return 413, "PAYLOAD_TOO_LARGE", f"The request is larger than {limit // 1024} KB."
    method = (event.get("requestContext") or {}).get("http", {}).get("method", "")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if method in BODY_METHODS and body and content_type not in rule.media_types:
        kinds = " or ".join(rule.media_types)
        return 415, "UNSUPPORTED_MEDIA_TYPE", f"Send the request as {kinds} (the Content-Type header)."
    return None


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects more than ``limit`` deep (brackets inside
    strings do not count). Linear in the text, and no parse: safe on any input."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _content_type_normalized(event: dict[str, Any]) -> dict[str, Any]:
    """The event with one lower-case ``content-type`` header whose media type is lower case
    (RFC 9110: media types are case-insensitive; parameters such as charset are kept).
    Powertools compares the header case-sensitively and would refuse ``APPLICATION/JSON``
    with an error it does not handle."""
    headers = event.get("headers") or {}
    names = [name for name in headers if name.lower() == "content-type"]
    if not names:
        return event
    value = str(headers[names[0]] or "")
    media, semicolon, parameters = value.partition(";")
    clean = media.strip().lower() + (f";{parameters}" if semicolon else "")
    if names == ["content-type"] and clean == value:
        return event
    fixed = {name: v for name, v in headers.items() if name.lower() != "content-type"}
    fixed["content-type"] = clean
    return {**event, "headers": fixed}


def refuse_deep_json(event: dict[str, Any]) -> tuple[int, str, str] | None:
    """400 MALFORMED_JSON for a JSON body nested deeper than any route takes, checked before
    anything parses it (a thousand levels make json.loads raise RecursionError), or one that
    is not UTF-8."""
    body = event.get("body") or ""
    content_type = ((event.get("headers") or {}).get("content-type") or "").split(";")[0].strip()
    if not body or content_type not in ("", "application/json"):
        return None
    if event.get("isBase64Encoded"):
        # API Gateway hands over a body that is not valid UTF-8 base64-encoded; JSON must be
        # UTF-8 (RFC 8259), and Powertools would fail on it with a 500.
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return 400, "MALFORMED_JSON", "The request body is not valid JSON (it must be UTF-8)."
    if json_too_deep(body):
        return 400, "MALFORMED_JSON", f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
    return None


def _event_identity(event: dict[str, Any]) -> Identity | None:
    """Who the authorizer says is calling, read from the raw event (before the resolver)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    context = authorizer.get("lambda") or {}
    learner_id = context.get("learner_id")
    if not learner_id:
        return None
    return Identity(learner_id=str(learner_id), role=str(context.get("role") or "learner"))


def refuse_admin(event: dict[str, Any]) -> tuple[int, str, str] | None:
    """On a coordinators' route (``/api/admin/...``): 401 without a session, 403 for a learner,
    before the body is looked at, so nobody learns a route's rules without the role."""
    route_path = str(event.get("routeKey") or "").partition(" ")[2]
    raw_path = str(event.get("rawPath") or "")
    if not (route_path.startswith(ADMIN_PREFIX) or raw_path.startswith(ADMIN_PREFIX)):
        return None
    who = _event_identity(event)
    if who is None:
        return 401, "SIGN_IN_REQUIRED", errors.SIGN_IN_REQUIRED
    if who.role != "admin":
        return 403, "FORBIDDEN", COORDINATORS_ONLY
    return None


def make_resolver() -> APIGatewayHttpResolver:
    """A resolver with request validation, the body guard and the shared error mapping."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(errors.DomainError)
    def _domain(exc: errors.DomainError) -> Response[dict[str, Any]]:
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[dict[str, Any]]:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "MALFORMED_JSON", "The request body is not valid JSON.")
        details = [{"field": _field_of(p.get("loc")), "message": _explain(p)} for p in problems]
        if all(p.get("type") == "value_error" for p in problems):  # each in words for a person: say them
            return error_response(
                422, "VALIDATION_FAILED", " ".join(dict.fromkeys(d["message"] for d in details)), details
            )
        fields = ", ".join(dict.fromkeys(d["field"].replace("_", " ") for d in details))
        return error_response(422, "VALIDATION_FAILED", f"Please check: {fields}.", details)

    @app.exception_handler(ValidationError)
    def _invalid_model(exc: ValidationError) -> Response[dict[str, Any]]:
        return _invalid(RequestValidationError(exc.errors()))

    @app.exception_handler(NotFoundError)
    def _no_route(_: NotFoundError) -> Response[dict[str, Any]]:
        return error_response(404, "NOT_FOUND", "There is nothing at this address.")

    @app.exception_handler([PynamoDBConnectionError, TransactWriteError])
    def _storage(exc: Exception) -> Response[dict[str, Any]]:
        logger.exception("storage failure", extra={"cause": getattr(exc, "cause_response_code", None)})
        return error_response(
            503,
            "SERVICE_UNAVAILABLE",
            BUSY,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[dict[str, Any]]:
        logger.exception("unhandled error")
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Something went wrong on our side. Please try again.",
        )

    return app


def _plain_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A Lambda proxy result with the error body, for refusals made before the resolver runs."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})},
        "body": json.dumps({"code": code, "message": message}),
        "isBase64Encoded": False,
    }


def _log_refused_origin(event: dict[str, Any]) -> None:
    if not get_settings().origin_secret_id:
        logger.error("ORIGIN_SECRET_ID is not set: every request is refused (the template's OriginVerifySecret)")
        return
    source = ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp")
    logger.warning("refused: not through CloudFront", extra={"source_ip": source, "route": event.get("routeKey")})


def lambda_entry(
    app: APIGatewayHttpResolver, body_rules: dict[str, BodyRule] | None = None
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler for ``app``: structured logs with the request id, traces, metrics.

    Before anything else it refuses (403 FORBIDDEN) a request without CloudFront's origin
    secret (``cme.runtime.cloudfront``): the API answers only what came through the portal's own site (503
    SERVICE_UNAVAILABLE when the secret cannot be read from Secrets Manager at all). Then, on
    coordinators' routes, a caller without a session (401) or without the role (403),
    before any body is checked; then bodies too large, of a type the route does not take, or
    nested too deep. The Content-Type's media type is lower-cased for Powertools.

    The tracer is attached at the first invocation, not at import, and only when tracing is
    on (POWERTOOLS_TRACE_DISABLED unset): the X-Ray SDK costs about 130 ms to import, which
    the local stack, the tests and the OpenAPI export never pay.
    """

    def resolve(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            through = cloudfront.came_through_cloudfront(event.get("headers"))
        except secrets.Unavailable:  # Secrets Manager unreachable and no value held (logged there)
            return _plain_error(503, "SERVICE_UNAVAILABLE", BUSY, {"Retry-After": "5"})
        if not through:
            _log_refused_origin(event)
            return _plain_error(403, "FORBIDDEN", cloudfront.NOT_THROUGH_CLOUDFRONT)
        refusal = refuse_admin(event)
        if refusal is not None:
            return _plain_error(*refusal)
        event = _content_type_normalized(event)
        refusal = refuse_body(event, (body_rules or {}).get(event.get("routeKey", ""), BodyRule()))
        if refusal is None:
            refusal = refuse_deep_json(event)
        if refusal is not None:
            return _plain_error(*refusal)
        # Powertools keeps the current event on the BaseRouter *class*, shared by every resolver
        # in the process. Lambda runs one invocation per process at a time, so that is harmless
        # there; the local stack runs many containers as threads of one process, where a request
        # could read another's event (its session, its body). The instance's own attributes,
        # which every read (app.current_event) finds first, keep each resolver to its own.
        app.current_event = APIGatewayProxyEventV2(event)
        app.lambda_context = context
        return app.resolve(event, context)

    traced: list[Callable[[dict[str, Any], Any], dict[str, Any]]] = []

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if not traced:
            traced.append(
                observability.tracer.capture_method(capture_response=False)(resolve)
                if get_settings().tracing
                else resolve
            )
        return traced[0](event, context)

    return lambda_handler


def current_event(app: Routes) -> APIGatewayProxyEventV2:
    """The request being answered: an HTTP API payload v2.0 event (a Router's is its resolver's)."""
    return cast(APIGatewayProxyEventV2, app.current_event)


def client_address(app: Routes) -> str:
    """The viewer's IP address as CloudFront forwards it (``CloudFront-Viewer-Address``): what
    per-client rate limits key on. ``sourceIp`` is a CloudFront edge server shared by everyone
    it serves, so it is used only when the header is absent or garbled (which, behind
    CloudFront, means its origin request policy no longer forwards the header)."""
    event = current_event(app)
    forwarded = cloudfront.header(event.headers, cloudfront.VIEWER_ADDRESS_HEADER)
    viewer = cloudfront.viewer_address(forwarded)
    if viewer is not None:
        return viewer
    logger.warning(
        "no usable CloudFront-Viewer-Address; keying on the edge address", extra={"present": forwarded is not None}
    )
    return event.request_context.http.source_ip or "unknown"


def user_agent(app: Routes) -> str:
    """The request's User-Agent as the audit trail records it ("" when none was sent)."""
    return current_event(app).headers.get("user-agent") or ""


def client_key(app: Routes) -> str:
    """What per-client rate limits count (cme.platform.throttle.client_key): the viewer's address
    (``client_address``), an IPv6 viewer's /64. Audit records keep ``client_address`` itself."""
    return throttle.client_key(client_address(app))


def identity(app: Routes) -> Identity | None:
    """Who the authorizer says is calling, or None."""
    context = current_event(app).request_context.authorizer.get_lambda or {}
    learner_id = context.get("learner_id")
    if not learner_id:
        return None
    return Identity(learner_id=str(learner_id), role=str(context.get("role") or "learner"))


def require_learner(app: Routes) -> Identity:
    who = identity(app)
    if who is None:
        raise errors.sign_in_required()
    return who


def require_admin(app: Routes) -> Identity:
    """A signed-in coordinator (role admin); 401 without a session, 403 for a learner."""
    who = require_learner(app)
    if who.role != "admin":
        raise errors.Forbidden("FORBIDDEN", COORDINATORS_ONLY)
    return who


def session_token(app: Routes) -> str | None:
    return cookie_value(current_event(app).cookies or [], SESSION_COOKIE)


def session_cookie(token: str, max_age: int) -> Cookie:
    return Cookie(
        name=SESSION_COOKIE,
        value=token,
        path="/",
        secure=get_settings().cookie_secure,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=max_age,
    )


def cleared_session_cookie() -> Cookie:
    return session_cookie("", 0)


def json_reply(status: int, body: Any, cookies: list[Cookie] | None = None) -> Response[Any]:
    """A JSON reply; pydantic models are dumped in JSON mode. Never cached by a browser or proxy."""
    payload = body.model_dump(mode="json") if hasattr(body, "model_dump") else body
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=payload,
        cookies=cookies or [],
        headers={"Cache-Control": "no-store"},
    )


def csv_reply(filename: str, body: str) -> Response[Any]:
    """A CSV download named ``filename`` (UTF-8). Never cached by a browser or proxy."""
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"Content-Disposition": documents.attachment(filename), "Cache-Control": "no-store"},
    )
