"""Rotating the origin secret refuses no request: the steps of docs/operations.md "Rotating a secret", in
order, on the local stack (the gateway plays CloudFront; the secret is in moto's Secrets
Manager; the clock is pinned, so "wait past the cache time" is a move of the clock).

Each function holds the secret it read as its own process would in Lambda (the gateway names
the function: cme.platform.secrets.holding). The requests go to three of them: the publisher (public
activities), the authorizer and the profile function (``/api/me``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.local import cfn
from infra.local.gateway import Gateway
from tests.integration.conftest import account
from tests.support.calls import count_calls
from tests.support.client import ApiClient

OLD = cfn.origin_verify()  # the local OriginSecret: what the secret holds and CloudFront sends at the start
NEW = "rotated-origin-secret-" + "7f" * 20
START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
REFUSED = {"code": "FORBIDDEN", "message": "This address answers only requests made through the portal's own site."}
READ = "secretsmanager:GetSecretValue"
FUNCTIONS = 3  # that the requests below reach: each reads the secret itself


@pytest.fixture
def clock_at(aws: None, monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """The clock pinned at START; ``clock_at(s)`` moves it to START + s seconds."""
    from cme.platform import clock

    moment = [START]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(seconds: float) -> None:
        moment[0] = START + timedelta(seconds=seconds)

    return move


def deploy(origin_secret: str, previous: str = "") -> None:
    """What `make deploy` with OriginSecret and OriginSecretPrevious does to the secret (its
    SecretString, as template.yaml's !Sub makes it). CloudFront is switched separately (below)."""
    text = json.dumps({"current": origin_secret, "previous": previous})
    boto3.client("secretsmanager", region_name="us-east-1").update_secret(
        SecretId="OriginVerifySecret", SecretString=text
    )


def test_the_readme_rotation_refuses_no_request(
    clock_at: Callable[[float], None], client: ApiClient, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import get_settings

    settings = get_settings()
    cache, refetch = settings.secret_cache_seconds, settings.secret_refetch_seconds
    assert client.post("/api/accounts", account()).status == 201

    def through_cloudfront(value: str) -> tuple[int, int]:
        """A public route (the function's own check) and a signed-in one (the authorizer's,
        then the function's), with CloudFront's edges sending ``value``."""
        monkeypatch.setattr(gateway, "origin_verify", value)
        return client.get("/api/activities").status, client.get("/api/me").status

    # 1. The start: the secret is {current: old}; CloudFront sends old. Each function reads it.
    assert through_cloudfront(OLD) == (200, 200)

    # 2. Add the new value: deploy OriginSecret=new, OriginSecretPrevious=old. The secret changes
    # first (the distribution depends on it); CloudFront's edges take minutes to switch, so
    # both values arrive, some at functions that still hold {old} from step 1.
    deploy(NEW, previous=OLD)
    clock_at(refetch)  # within the cache's time: {old} still held
    with count_calls() as counts:
        assert through_cloudfront(OLD) == (200, 200)
    assert counts[READ] == 0  # old is held: nothing read
    with count_calls() as counts:
        assert through_cloudfront(NEW) == (200, 200)  # an edge that switched early
    assert counts[READ] == FUNCTIONS  # new matched nothing held: each reads once, then holds {new, old}
    assert through_cloudfront(OLD) == (200, 200)  # an edge that has not switched yet

    # 3. Wait past the cache time; CloudFront sends new everywhere.
    clock_at(refetch + cache)
    with count_calls() as counts:
        assert through_cloudfront(NEW) == (200, 200)
    assert counts[READ] == FUNCTIONS  # the cache's time is up: each reads again once
    assert through_cloudfront(NEW) == (200, 200)

    # 4. Drop the old value: deploy OriginSecretPrevious="" (empty).
    deploy(NEW)
    assert through_cloudfront(NEW) == (200, 200)
    clock_at(refetch + 2 * cache)  # past the cache time: every function reads {new}
    assert through_cloudfront(NEW) == (200, 200)
    monkeypatch.setattr(gateway, "origin_verify", OLD)
    refused = client.get("/api/activities")
    assert refused.status == 403 and refused.json == REFUSED
    assert client.get("/api/me").status == 403  # the authorizer's refusal: API Gateway's own 403
    assert through_cloudfront(NEW) == (200, 200)


def test_a_wrong_value_during_a_rotation_does_not_make_the_api_read_on_every_request(
    clock_at: Callable[[float], None], client: ApiClient
) -> None:
    """Requests made straight to the API (no CloudFront) with made-up values cost at most one
    read of the secret per SECRET_REFETCH_SECONDS, and CloudFront's own still pass."""
    assert client.get("/api/activities").status == 200  # read at START
    clock_at(60)
    with count_calls() as counts:
        answers: list[Any] = [
            client.get("/api/activities", headers={"X-Origin-Verify": f"guess-{n}"}, via_cloudfront=False)
            for n in range(20)
        ]
        assert client.get("/api/activities").status == 200
    assert {a.status for a in answers} == {403}
    assert counts[READ] == 1
