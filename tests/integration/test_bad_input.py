"""Every JSON route answers bad input with a 4xx and {code, message}; never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.support.client import ApiClient

BODY_ROUTES = [
    ("POST", "/api/auth/sign-in"),
    ("POST", "/api/accounts/lookup"),
    ("POST", "/api/accounts"),
    ("PUT", "/api/me"),
]

BAD_BODIES: list[tuple[str, bytes, str | None, int, str]] = [
    ("malformed JSON", b'{"email": ', "application/json", 400, "MALFORMED_JSON"),
    ("empty object", b"{}", "application/json", 422, "VALIDATION_FAILED"),
    ("a list", b"[1, 2]", "application/json", 422, "VALIDATION_FAILED"),
    ("a string", b'"hello"', "application/json", 422, "VALIDATION_FAILED"),
    (
        "wrong types",
        b'{"email": 5, "password": [], "last_name": {}, "phone": true}',
        "application/json",
        422,
        "VALIDATION_FAILED",
    ),
    ("oversized", b'{"email": "' + b"a" * 70_000 + b'"}', "application/json", 413, "PAYLOAD_TOO_LARGE"),
    (
        "form post",
        b"email=a%40b.org&password=x",
        "application/x-www-form-urlencoded",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    ("not UTF-8", b'{"email": "\xff\xfe"}', "application/json", 400, "MALFORMED_JSON"),
]


@pytest.fixture
def signed_in(client: ApiClient) -> ApiClient:
    assert client.post("/api/accounts", account()).status == 201
    return client


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize(("label", "raw", "content_type", "status", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies(
    signed_in: ApiClient,
    method: str,
    path: str,
    label: str,
    raw: bytes,
    content_type: str | None,
    status: int,
    code: str,
) -> None:
    answer = signed_in.call(method, path, raw=raw, content_type=content_type)
    assert answer.status == status, (label, answer.json)
    body = answer.json
    assert body["code"] == code and isinstance(body["message"], str) and body["message"]
    if status == 422:
        assert all({"field", "message"} <= set(d) for d in body["details"])


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_missing_body(signed_in: ApiClient, method: str, path: str) -> None:
    answer = signed_in.call(method, path, raw=b"", content_type=None)
    assert 400 <= answer.status < 500, answer.json
    assert answer.json["code"] and answer.json["message"]


def test_unknown_route_and_method(client: ApiClient) -> None:
    assert client.get("/api/nothing-here").status == 404
    assert client.call("DELETE", "/api/me").status == 404


def test_null_and_unicode_edge_values(client: ApiClient) -> None:
    weird: dict[str, Any] = account(first_name="\u0000", last_name="🙂", phone="+1 480 555 0142\u202e")
    answer = client.post("/api/accounts", weird)
    assert 400 <= answer.status < 500
    assert answer.json["code"]


# ---------------------------------------------------------------- every JSON route (issue 12, part 6)
# Every route that takes a body, read from template.yaml as the gateway reads it (path
# parameters filled in): RFC 9110 media types are case-insensitive, so an upper-case or
# mixed-case Content-Type (with or without a charset) is JSON like any other; a body nested a
# thousand levels deep is refused before anything parses it (json.loads would raise
# RecursionError). Never a 5xx.
def _json_routes() -> list[tuple[str, str]]:
    from infra.local import cfn

    return [
        (r.method, re.sub(r"\{[^}]+\}", "x-1", r.path)) for r in cfn.routes() if r.method in {"POST", "PUT", "PATCH"}
    ]


JSON_ROUTES = _json_routes()
ODD_CONTENT_TYPES = [
    "APPLICATION/JSON",
    "Application/Json",
    "application/json; charset=utf-8",
    "Application/JSON;Charset=UTF-8",
]
DEEP_JSON = {
    "a deep list": b"[" * 1000 + b"]" * 1000,
    "a deep object": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "a deep value": b'{"rows": ' + b"[" * 1000 + b"]" * 1000 + b', "title": "x"}',
}


def _refused_politely(answer: Any, label: str) -> None:
    assert answer.status < 500, (label, answer.status, answer.json)
    assert answer.json["code"] and answer.json["message"], (label, answer.json)


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES, ids=[f"{m} {p}" for m, p in JSON_ROUTES])
def test_odd_case_content_types_are_json_on_every_route(admin: ApiClient, method: str, path: str) -> None:
    plain = admin.call(method, path, raw=b'{"x": 1}', content_type="application/json")
    assert plain.status < 500, plain.json
    for content_type in ODD_CONTENT_TYPES:
        answer = admin.call(method, path, raw=b'{"x": 1}', content_type=content_type)
        assert answer.status < 500, (content_type, answer.json)
        assert answer.status != 415, (content_type, answer.json)  # taken as JSON, not refused
        if answer.status >= 400:
            _refused_politely(answer, content_type)


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES, ids=[f"{m} {p}" for m, p in JSON_ROUTES])
def test_deeply_nested_json_is_refused_on_every_route(
    admin: ApiClient, new_client: Any, method: str, path: str
) -> None:
    for label, raw in DEEP_JSON.items():
        for content_type in ("application/json", "APPLICATION/JSON; charset=utf-8"):
            answer = admin.call(method, path, raw=raw, content_type=content_type)
            assert answer.status in (400, 422), (label, content_type, answer.status, answer.json)
            _refused_politely(answer, label)
        _refused_politely(new_client().call(method, path, raw=raw), f"{label}, signed out")


def test_json_nested_as_deep_as_a_route_needs_is_still_read(client: ApiClient) -> None:
    assert client.post("/api/accounts", account()).status == 201
    answer = client.put("/api/me", {**account(), "nested": [[[[[[[[[[{"a": [1]}]]]]]]]]]]})
    assert answer.status == 200, answer.json
