"""The local stack reads template.yaml: routes, tables, the authorizer, and payload v2.0 events."""

from __future__ import annotations

from infra.local import cfn
from infra.local.gateway import authorizer_event, build_event, to_reply


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
