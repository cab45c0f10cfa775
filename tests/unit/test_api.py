"""The one place errors become HTTP: every domain error kind, validation, 404, 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from cme import errors
from cme.api import make_resolver, refuse_body
from cme.sessions import cookie_value


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
