"""The one place errors become HTTP: every domain error kind, validation, 404, 500."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from pydantic import BaseModel

from cme.identity.sessions import cookie_value
from cme.platform import errors
from cme.runtime.resolver import make_resolver, refuse_body


class Body(BaseModel):
    name: str


def _event(method: str, path: str, body: str | None = None) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "192.0.2.1"},
            "requestId": "r",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }


@pytest.fixture
def app() -> Any:
    app = make_resolver()

    @app.post("/raise/<kind>")
    def raiser(kind: str, body: Body) -> dict[str, str]:
        if kind == "boom":
            raise RuntimeError("secret internals")
        if kind == "throttle":
            raise errors.TooManyAttempts(retry_after=42)
        cls = getattr(errors, kind)
        raise cls("SOME_CODE", "for a person")

    return app


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("InvalidInput", 422),
        ("BadToken", 400),
        ("NotAuthenticated", 401),
        ("Forbidden", 403),
        ("NotFound", 404),
        ("Conflict", 409),
        ("ServiceUnavailable", 503),
    ],
)
def test_domain_errors_map_to_statuses(app: Any, kind: str, status: int) -> None:
    result = app.resolve(_event("POST", f"/raise/{kind}", '{"name": "x"}'), None)
    assert result["statusCode"] == status
    assert json.loads(result["body"]) == {"code": "SOME_CODE", "message": "for a person"}


def test_throttle_carries_retry_after(app: Any) -> None:
    result = app.resolve(_event("POST", "/raise/throttle", '{"name": "x"}'), None)
    assert result["statusCode"] == 429
    assert result["headers"]["Retry-After"] == "42"


def test_unexpected_error_is_500_without_internals(app: Any) -> None:
    result = app.resolve(_event("POST", "/raise/boom", '{"name": "x"}'), None)
    assert result["statusCode"] == 500
    assert "secret" not in result["body"] and json.loads(result["body"])["code"] == "INTERNAL_ERROR"


def test_validation_and_malformed_json(app: Any) -> None:
    invalid = app.resolve(_event("POST", "/raise/x", '{"name": 5}'), None)
    assert invalid["statusCode"] == 422
    assert json.loads(invalid["body"])["details"] == [{"field": "name", "message": "Input should be a valid string"}]
    malformed = app.resolve(_event("POST", "/raise/x", '{"name"'), None)
    assert malformed["statusCode"] == 400 and json.loads(malformed["body"])["code"] == "MALFORMED_JSON"


def test_unknown_route(app: Any) -> None:
    result = app.resolve(_event("GET", "/nowhere"), None)
    assert result["statusCode"] == 404 and json.loads(result["body"])["code"] == "NOT_FOUND"


def test_refuse_body() -> None:
    assert refuse_body(_event("POST", "/x", "{}")) is None
    assert refuse_body(_event("POST", "/x", "x" * 70_000))[:2] == (413, "PAYLOAD_TOO_LARGE")
    form = _event("POST", "/x", "a=b")
    form["headers"]["content-type"] = "application/x-www-form-urlencoded"
    assert refuse_body(form)[:2] == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_cookie_value() -> None:
    assert cookie_value(["a=1", "cme_session=tok; other=2"], "cme_session") == "tok"
    assert cookie_value(["cme_session="], "cme_session") is None
    assert cookie_value([], "cme_session") is None


# ---------------------------------------------------------------- the CloudFront edge
SECRET = "unit-test-origin-secret-0123456789abcdef"


@pytest.mark.parametrize(
    ("header", "address"),
    [
        ("198.51.100.10:46532", "198.51.100.10"),
        (" 198.51.100.10:46532 ", "198.51.100.10"),
        ("2001:db8::1:46532", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001:443", "2001:db8::1"),  # canonical form
        ("[2001:db8::1]:46532", "2001:db8::1"),
        ("::ffff:198.51.100.10:1234", "198.51.100.10"),  # IPv4-mapped: the IPv4 address
        ("::1:80", "::1"),
        ("198.51.100.10:0", "198.51.100.10"),
        ("198.51.100.10:65535", "198.51.100.10"),
    ],
)
def test_viewer_address_from_cloudfront(header: str, address: str) -> None:
    from cme.runtime.cloudfront import viewer_address

    assert viewer_address(header) == address


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "198.51.100.10",  # no port: an IPv4 address alone is not CloudFront's form
        "198.51.100.10:",
        ":46532",
        "198.51.100.10:65536",
        "198.51.100.10:-1",
        "198.51.100.10:4６",  # a non-ASCII digit
        "198.51.100.300:46532",
        "not-an-address:46532",
        "fe80::1%eth0:46532",  # a zone id
        "198.51.100.10, 203.0.113.5:46532",  # a list, as X-Forwarded-For would be
        "1" * 70 + ":1",
    ],
)
def test_garbled_viewer_address_is_none(header: str | None) -> None:
    from cme.runtime.cloudfront import viewer_address

    assert viewer_address(header) is None


@pytest.fixture
def origin_secret(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The origin secret in (moto's) Secrets Manager; ``use(value)`` stores another as its
    current value (a new process reads it), ``use(None)`` names no secret."""
    from tests.support import secrets as stored

    def use(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("ORIGIN_SECRET_ID", raising=False)
        else:
            monkeypatch.setenv("ORIGIN_SECRET_ID", stored.ORIGIN)
            stored.put(stored.ORIGIN, value)
        stored.forget_all()

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    with stored.in_moto(monkeypatch):
        use(SECRET)
        yield use


def _edge_event(headers: dict[str, str], body: str | None = '{"name": "x"}') -> dict[str, Any]:
    event = _event("POST", "/who", body)
    event["requestContext"]["http"]["sourceIp"] = "130.176.5.15"  # a CloudFront edge server
    event["headers"].update(headers)
    return event


@pytest.fixture
def edge_handler(origin_secret: Any) -> Any:
    from cme.runtime.resolver import client_address, lambda_entry
    from infra.local.gateway import LambdaContext

    app = make_resolver()

    @app.post("/who")
    def who(body: Body) -> dict[str, str]:
        return {"client": client_address(app)}

    handler = lambda_entry(app)

    def call(event: dict[str, Any]) -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="No application metrics to publish")
            return handler(event, LambdaContext("Unit"))

    return call


def test_only_requests_through_cloudfront_are_served(edge_handler: Any) -> None:
    ok = edge_handler(_edge_event({"x-origin-verify": SECRET, "cloudfront-viewer-address": "198.51.100.10:46532"}))
    assert ok["statusCode"] == 200 and json.loads(ok["body"]) == {"client": "198.51.100.10"}
    refused = {
        "code": "FORBIDDEN",
        "message": "This address answers only requests made through the portal's own site.",
    }
    for headers in ({}, {"x-origin-verify": SECRET[:-1]}, {"x-origin-verify": SECRET + "x"}, {"x-origin-verify": ""}):
        answer = edge_handler(_edge_event(headers))
        assert answer["statusCode"] == 403 and json.loads(answer["body"]) == refused
        assert answer["headers"] == {"Content-Type": "application/json", "Cache-Control": "no-store"}
    # before any other check: an oversized body or a form post without the secret is still 403
    assert edge_handler(_edge_event({}, "x" * 70_000))["statusCode"] == 403
    form = _edge_event({"content-type": "application/x-www-form-urlencoded"}, "a=b")
    assert edge_handler(form)["statusCode"] == 403
    form["headers"]["x-origin-verify"] = SECRET
    assert edge_handler(form)["statusCode"] == 415
    # a non-ASCII header value is refused, never an error
    assert edge_handler(_edge_event({"x-origin-verify": "sécret"}))["statusCode"] == 403


@pytest.mark.parametrize("setting", [None, ""])
def test_no_configured_secret_refuses_everything(edge_handler: Any, origin_secret: Any, setting: str | None) -> None:
    origin_secret(setting)
    for sent in ("", SECRET, "None"):
        assert edge_handler(_edge_event({"x-origin-verify": sent}))["statusCode"] == 403


def test_client_falls_back_to_the_source_ip_only_without_a_usable_header(edge_handler: Any) -> None:
    def client(headers: dict[str, str]) -> str:
        answer = edge_handler(_edge_event({"x-origin-verify": SECRET, **headers}))
        return str(json.loads(answer["body"])["client"])

    assert client({"cloudfront-viewer-address": "2001:db8::7:443"}) == "2001:db8::7"
    assert client({"CloudFront-Viewer-Address": "203.0.113.9:443"}) == "203.0.113.9"  # any case
    assert client({}) == "130.176.5.15"
    assert client({"cloudfront-viewer-address": "garbage"}) == "130.176.5.15"


def test_the_origin_secret_stays_out_of_the_settings_and_reprs(origin_secret: Any, edge_handler: Any) -> None:
    from cme.platform import secrets
    from cme.platform.settings import get_settings

    assert edge_handler(_edge_event({"x-origin-verify": SECRET}))["statusCode"] == 200
    settings = get_settings()
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())  # it names the secret only
    held = secrets.get(settings.origin_secret_id)
    assert held.accepted() == (SECRET,)
    assert SECRET not in repr(held) and SECRET not in str(held)


def test_the_authorizer_refuses_without_the_origin_secret(origin_secret: Any) -> None:
    """Defense in depth: the authorizer says no before it reads a session (no DynamoDB call
    here: the network is blocked in unit tests; the secret is in moto)."""
    import importlib.util

    from infra.local import cfn
    from infra.local.gateway import LambdaContext

    spec = cfn.functions()["AuthorizerFunction"]
    loaded = importlib.util.spec_from_file_location("authorizer_app", spec.code_dir / f"{spec.module}.py")
    assert loaded and loaded.loader
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    event = _edge_event({}, None)
    event["cookies"] = ["cme_session=anything"]
    assert module.lambda_handler(event, LambdaContext("AuthorizerFunction")) == {"isAuthorized": False}
    event["headers"]["x-origin-verify"] = "wrong"
    assert module.lambda_handler(event, LambdaContext("AuthorizerFunction")) == {"isAuthorized": False}


# ---------------------------------------------------------------- session cookies
@pytest.mark.parametrize(
    "cookie",
    [
        None,
        "",
        "forged-token",  # no dot
        "0f8e3b2a-1111-4222-8333-944445555666.",  # no token
        ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # no learner
        "0f8e3b2a-1111-4222-8333-944445555666.short",
        "0f8e3b2a-1111-4222-8333-944445555666." + "A" * 300,  # overlong
        "0f8e3b2a-1111-4222-8333-944445555666.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.extra",
        "../etc/passwd.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "lérner.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "learner.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
        "\x00\x01\x02",
    ],
)
def test_bad_session_cookies_resolve_to_no_identity_without_a_lookup(cookie: str | None) -> None:
    from cme.identity import sessions

    assert sessions.parse_cookie(cookie) is None
    assert sessions.resolve(cookie) is None  # no AWS call: the network is blocked here
    sessions.revoke(cookie)  # ends nothing, raises nothing


def test_session_cookie_carries_the_learner() -> None:
    from cme.identity import sessions

    cookie, item = sessions.new_session("0f8e3b2a-1111-4222-8333-944445555666", "learner")
    learner_id, token = sessions.parse_cookie(cookie) or ("", "")
    assert learner_id == item.learner_id == "0f8e3b2a-1111-4222-8333-944445555666"
    assert item.token_hash == sessions.token_hash(token) and token not in item.token_hash


# ---------------------------------------------------------------- issue 12, parts 6 and 7
@pytest.mark.parametrize(
    ("text", "too_deep"),
    [
        ("[" * 1000 + "]" * 1000, True),
        ('{"a":' * 21 + "1" + "}" * 21, True),
        ('{"a":' * 20 + "1" + "}" * 20, False),
        ('{"rows": [{"email": "a@b.org"}]}', False),
        ('{"title": "' + "[" * 500 + '"}', False),  # brackets inside a string are text
        ('{"title": "\\"' + "{" * 500 + '"}', False),  # ... after an escaped quote too
        ("[" * 30, True),  # unterminated is still too deep (and malformed anyway)
    ],
)
def test_json_depth(text: str, too_deep: bool) -> None:
    from cme.runtime.resolver import json_too_deep

    assert json_too_deep(text) is too_deep


@pytest.mark.parametrize(
    ("sent", "seen"),
    [
        ("APPLICATION/JSON", "application/json"),
        ("Application/Json; charset=UTF-8", "application/json; charset=UTF-8"),
        ("application/json", "application/json"),
        (" Text/CSV ;header=present", "text/csv;header=present"),
    ],
)
def test_content_type_media_type_is_lower_cased(sent: str, seen: str) -> None:
    from cme.runtime.resolver import _content_type_normalized

    for name in ("content-type", "Content-Type", "CONTENT-TYPE"):
        event = {"headers": {name: sent, "x-other": "Kept"}}
        normalized = _content_type_normalized(event)
        assert normalized["headers"] == {"content-type": seen, "x-other": "Kept"}
        assert event["headers"] == {name: sent, "x-other": "Kept"}  # the caller's event is left alone


def test_refuse_admin_before_the_body() -> None:
    from cme.runtime.resolver import refuse_admin

    event = _event("POST", "/api/admin/activities", "{}")
    assert refuse_admin(event) == (401, "SIGN_IN_REQUIRED", errors.SIGN_IN_REQUIRED)
    event["requestContext"]["authorizer"] = {"lambda": {"learner_id": "l-1", "role": "learner"}}
    assert refuse_admin(event) == (403, "FORBIDDEN", "This page is for the CME office's coordinators.")
    event["requestContext"]["authorizer"] = {"lambda": {"learner_id": "l-1", "role": "admin"}}
    assert refuse_admin(event) is None
    assert refuse_admin(_event("PUT", "/api/me", "{}")) is None
    assert refuse_admin(_event("GET", "/api/administrators")) is None


def test_two_resolvers_in_one_process_each_read_their_own_event(origin_secret: Any) -> None:
    """Powertools keeps the current event on its BaseRouter class; the local stack runs many
    containers as threads of one process. Here container B answers while A is mid-request (as a
    thread switch would interleave them); A must still read its own request afterwards (before
    the fix it read B's: a claim under another learner's session in the surge tests)."""
    from cme.runtime.resolver import lambda_entry
    from infra.local.gateway import LambdaContext

    first, second = make_resolver(), make_resolver()
    second_handler = lambda_entry(second)

    @second.post("/who")
    def second_who(body: Body) -> dict[str, str]:
        return {"viewer": second.current_event.headers["cloudfront-viewer-address"]}

    @first.post("/who")
    def first_who(body: Body) -> dict[str, str]:
        meanwhile = second_handler(
            _edge_event({"x-origin-verify": SECRET, "cloudfront-viewer-address": "198.51.100.2:1"}),
            LambdaContext("B"),
        )
        assert json.loads(meanwhile["body"]) == {"viewer": "198.51.100.2:1"}
        return {"viewer": first.current_event.headers["cloudfront-viewer-address"]}

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        answer = lambda_entry(first)(
            _edge_event({"x-origin-verify": SECRET, "cloudfront-viewer-address": "198.51.100.1:1"}), LambdaContext("A")
        )
    assert json.loads(answer["body"]) == {"viewer": "198.51.100.1:1"}
