"""Who the client is, and only through CloudFront (docs/architecture.md "What AWS does that moto hides").

In AWS the API sits behind CloudFront: every request reaches it from a CloudFront edge server
(``sourceIp`` is the edge's, shared by every viewer it serves), with the viewer's own address in
``CloudFront-Viewer-Address`` and the distribution's secret in ``X-Origin-Verify``. The local
gateway plays CloudFront the same way (``via_cloudfront=False``: a request made straight to
the API's own address).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
import pytest

from infra.local import cfn
from infra.local.gateway import CLOUDFRONT_EDGE_IP, Gateway
from tests.integration.conftest import account
from tests.support.client import ApiClient

REFUSED = {"code": "FORBIDDEN", "message": "This address answers only requests made through the portal's own site."}
LOOKUPS = 3


@pytest.fixture
def few_lookups(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small per-client lookup limit."""
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("LOOKUP_PER_CLIENT", str(LOOKUPS))
    reset_settings()


def _lookup(client: ApiClient, n: int, **kw: Any) -> int:
    return client.post("/api/accounts/lookup", {"last_name": "Ó Briain", "phone": f"(480) 555-{n:04d}"}, **kw).status


def _rate_keys() -> str:
    return str(boto3.client("dynamodb", region_name="us-east-1").scan(TableName="RateLimitsTable")["Items"])


def _digest(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def test_limits_key_on_the_viewer_address_not_the_edge(few_lookups: None, gateway: Gateway) -> None:
    """Two viewers behind the same CloudFront edge: one reaching the limit leaves the other
    alone. (Keyed on ``sourceIp``, both share the edge's address and B would be refused too.)"""
    viewer_a, viewer_b = ApiClient(gateway, "198.51.100.10"), ApiClient(gateway, "198.51.100.11")
    assert [_lookup(viewer_a, n) for n in range(LOOKUPS + 1)] == [200] * LOOKUPS + [429]
    assert _lookup(viewer_b, 100) == 200, "viewer B was limited by viewer A's lookups"
    keys = _rate_keys()
    assert f"lookup:client:{_digest('198.51.100.10')}:" in keys
    assert f"lookup:client:{_digest('198.51.100.11')}:" in keys
    assert _digest(CLOUDFRONT_EDGE_IP) not in keys


def test_ipv6_viewers_are_told_apart_by_their_slash_64(few_lookups: None, gateway: Gateway) -> None:
    """An IPv6 viewer counts by its /64 (issue 22, 5): another address in it is the same client,
    an address in another /64 is another client."""
    viewer_a, viewer_b = ApiClient(gateway, "2001:db8::a"), ApiClient(gateway, "2001:db8:0:1::a")
    assert [_lookup(viewer_a, n) for n in range(LOOKUPS + 1)] == [200] * LOOKUPS + [429]
    assert _lookup(ApiClient(gateway, "2001:db8::b"), 100) == 429
    assert _lookup(viewer_b, 100) == 200
    keys = _rate_keys()
    assert f"lookup:client:{_digest('2001:db8::/64')}:" in keys
    assert _digest("2001:db8::a") not in keys


def test_a_viewer_cannot_name_its_own_address(few_lookups: None, gateway: Gateway) -> None:
    """CloudFront overwrites a CloudFront-Viewer-Address (and X-Origin-Verify) the viewer sends."""
    viewer = ApiClient(gateway, "198.51.100.12")
    statuses = [
        _lookup(viewer, n, headers={"CloudFront-Viewer-Address": f"203.0.113.{n + 1}:443", "X-Origin-Verify": "x"})
        for n in range(LOOKUPS + 1)
    ]
    assert statuses == [200] * LOOKUPS + [429]


def test_sign_in_failures_count_per_viewer(aws: None, gateway: Gateway) -> None:
    """Other uses of the client's address (here: sign-in's per-client failure counter) see the
    viewer too, never the edge."""
    browser = ApiClient(gateway, "198.51.100.13")
    browser.post("/api/auth/sign-in", {"email": "nobody@example.org", "password": "whatever it is"})
    keys = _rate_keys()  # sign-in counts per email and client: "<client>|<email>"
    assert _digest("198.51.100.13|nobody@example.org") in keys
    assert _digest(f"{CLOUDFRONT_EDGE_IP}|nobody@example.org") not in keys


@pytest.fixture
def signed_in(client: ApiClient) -> ApiClient:
    assert client.post("/api/accounts", account()).status == 201
    assert client.get("/api/me").status == 200
    return client


@pytest.mark.parametrize("forged", [None, "wrong", "local-only-origin-secret-not-for-aws "])
def test_a_public_route_answers_only_through_cloudfront(client: ApiClient, forged: str | None) -> None:
    headers = {"X-Origin-Verify": forged} if forged is not None else {}
    direct = client.get("/api/activities", headers=headers, via_cloudfront=False)
    assert direct.status == 403 and direct.json == REFUSED
    assert direct.header("Cache-Control") == "no-store" and direct.header("Content-Type") == "application/json"
    assert client.get("/api/activities").status == 200


def test_a_signed_in_route_answers_only_through_cloudfront(signed_in: ApiClient) -> None:
    for headers in ({}, {"x-origin-verify": "wrong"}):
        direct = signed_in.get("/api/me", headers=headers, via_cloudfront=False)
        assert direct.status == 403  # the authorizer said no: API Gateway's own 403
    assert signed_in.get("/api/me").status == 200


def test_a_body_is_not_looked_at_without_the_secret(client: ApiClient) -> None:
    malformed = client.post("/api/auth/sign-in", raw=b'{"email"', via_cloudfront=False)
    assert malformed.status == 403 and malformed.json == REFUSED
    assert client.post("/api/auth/sign-in", raw=b'{"email"').json["code"] == "MALFORMED_JSON"


def test_every_function_refuses_without_the_secret(signed_in: ApiClient, gateway: Gateway) -> None:
    """Defense in depth: even with the authorizer's verdict in the event (were the authorizer
    skipped), a function refuses an event without the origin secret."""
    from infra.local.gateway import build_event

    learner_id = signed_in.get("/api/me").json["learner_id"]
    for route in gateway.routes:
        if route.function == gateway.authorizer:
            continue
        path = route.path.replace("{", "").replace("}", "").replace("+", "")
        event = build_event(route, {}, route.method, path, "", {"host": "h"}, b"", "198.51.100.20")
        event["requestContext"]["authorizer"] = {"lambda": {"learner_id": learner_id, "role": "admin"}}
        answer = gateway.invoke(route.function, event)
        assert answer["statusCode"] == 403, route.route_key
        assert answer["body"] == '{"code": "FORBIDDEN", "message": "' + REFUSED["message"] + '"}', route.route_key


@pytest.mark.parametrize("configured", ["no secret named", "an empty secret"])
def test_fail_closed_without_a_configured_secret(
    signed_in: ApiClient, monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    from tests.support import secrets as stored

    if configured == "no secret named":
        monkeypatch.setenv("ORIGIN_SECRET_ID", "")
    else:
        stored.put(stored.ORIGIN, "")
    stored.forget_all()
    assert signed_in.get("/api/activities").json == REFUSED
    assert signed_in.get("/api/me").status == 403


def test_the_secret_is_a_noecho_parameter_kept_in_secrets_manager_locally(aws: None) -> None:
    """Locally as in AWS: the gateway (CloudFront) sends the OriginSecret parameter's value, the
    secret in Secrets Manager (moto) holds it, and the functions' environment only names it."""
    parameter = cfn.template()["Parameters"]["OriginSecret"]
    assert parameter["NoEcho"] is True and "Default" not in parameter
    local = "local-only-origin-secret-not-for-aws"
    assert cfn.origin_verify() == Gateway().origin_verify == local
    environment = cfn.environment()
    assert local not in environment.values() and environment["ORIGIN_SECRET_ID"] == "OriginVerifySecret"
    stored = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(SecretId="OriginVerifySecret")
    assert json.loads(stored["SecretString"]) == {"current": local, "previous": ""}


def test_scheduled_and_queued_work_needs_no_origin_secret(signed_in: ApiClient) -> None:
    """The transcript mailer's schedule and SQS worker are not HTTP routes: no header there."""
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_transcript_mailer

    settings = get_settings()
    result = run_transcript_mailer(signed_in.gateway.invoke, settings.aws_region, settings.transcript_queue)
    assert result["failed"] == 0
