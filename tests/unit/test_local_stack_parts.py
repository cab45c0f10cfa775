"""The local stack reads template.yaml: routes, tables, the authorizer, and payload v2.0 events."""

from __future__ import annotations

import sys

from infra.local import cfn
from infra.local.gateway import authorizer_event, build_event, load, to_reply


def test_routes_from_the_template() -> None:
    keys = {r.route_key: r for r in cfn.routes()}
    assert {
        "POST /api/auth/sign-in",
        "POST /api/auth/sign-out",
        "POST /api/accounts/lookup",
        "POST /api/accounts",
        "GET /api/me",
        "PUT /api/me",
    } <= set(keys)
    assert keys["GET /api/me"].authorized and not keys["POST /api/auth/sign-in"].authorized
    assert cfn.authorizer_function() == "AuthorizerFunction"


def test_tables_from_the_template() -> None:
    tables = cfn.table_definitions()
    assert tables["EmailsTable"]["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    # TTL only where records are temporary; claims, attendance, certificates and audit are kept
    assert cfn.ttl_attributes() == {
        "SessionsTable": "expires_at",
        "TokensTable": "expires_at",
        "RateLimitsTable": "expires_at",
        "IdempotencyTable": "expiration",
    }


def test_every_table_has_recovery_and_deletion_protection() -> None:
    for res in cfn.resources("AWS::DynamoDB::Table").values():
        props = res["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["DeletionProtectionEnabled"] is True


def test_payload_v2_event() -> None:
    route = next(r for r in cfn.routes() if r.route_key == "GET /api/me")
    event = build_event(
        route,
        {},
        "GET",
        "/api/me",
        "a=1&a=2&b=",
        {"Cookie": "x=1; cme_session=t", "Host": "h"},
        b"",
        "192.0.2.9",
    )
    assert event["version"] == "2.0" and event["routeKey"] == "GET /api/me"
    assert event["cookies"] == ["x=1", "cme_session=t"] and "cookie" not in event["headers"]
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["requestContext"]["http"]["sourceIp"] == "192.0.2.9"
    auth = authorizer_event(event)
    assert auth["type"] == "REQUEST" and auth["identitySource"] == [] and "body" not in auth


def test_proxy_result_with_cookies() -> None:
    reply = to_reply(
        {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "cookies": ["a=b"], "body": "{}"}
    )
    assert reply.status == 201 and ("Set-Cookie", "a=b") in reply.headers


def test_the_site_sends_strict_security_headers() -> None:
    from infra.local.server import security_headers

    headers = security_headers()
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    behaviors = next(iter(cfn.resources("AWS::CloudFront::Distribution").values()))["Properties"]["DistributionConfig"]
    policy = {"Ref": "SecurityHeadersPolicy"}
    assert behaviors["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == policy
    assert all(b["ResponseHeadersPolicyId"] == policy for b in behaviors["CacheBehaviors"])


def test_no_request_path_scans() -> None:
    """docs/architecture.md "Data": every access in a request path is a GetItem, a Query or a transaction."""
    import re
    from pathlib import Path

    sources = list(Path(cfn.ROOT, "layers", "common", "cme").rglob("*.py")) + list(
        Path(cfn.ROOT, "functions").rglob("*.py")
    )
    calls = re.compile(r"\.scan\(|[\"']Scan[\"']|\.parallel_scan\(")  # PynamoDB's scan, or a raw "Scan" call
    offenders = [str(p) for p in sources if calls.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_each_container_has_its_own_routers() -> None:
    """The publisher's Routers (functions/publisher/routes) are imported afresh for each container
    the gateway loads, as each Lambda environment is a process of its own: a Router reads the
    request of the resolver that included it, so one shared by two containers would read the
    other's request (its session, its body)."""
    publisher = cfn.functions()["PublisherFunction"]
    first, second = load(publisher, "publisher_a"), load(publisher, "publisher_b")
    for area in ("activities", "attendance", "reports"):
        one, two = getattr(first, area).router, getattr(second, area).router
        assert one is not two
        assert (one.api_resolver, two.api_resolver) == (first.app, second.app)
    assert not any(name == "routes" or name.startswith("routes.") for name in sys.modules)
