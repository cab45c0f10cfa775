"""Every JSON route answers bad input with a 4xx and {code, message}; never a 500."""

from __future__ import annotations

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
    ("not UTF-8", b'{"email": "\xff\xfe"}', "application/json", 422, "VALIDATION_FAILED"),
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
