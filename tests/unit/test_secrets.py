"""Secrets read at first use (never at import), kept for the cache's time on the pinned clock,
read again once on a value that matches none held (bounded), kept when a read fails."""

from __future__ import annotations

import importlib.util
import json
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import secrets as stored
from tests.support.calls import count_calls

OLD = "unit-origin-secret-old-0123456789abcdef0123456789"
NEW = "unit-origin-secret-new-0123456789abcdef0123456789"
START = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)
READ = "secretsmanager:GetSecretValue"


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], None]]:
    """The origin secret {current: OLD} in moto, the clock pinned at START; ``at(s)`` moves it
    to START + s seconds."""
    from cme.platform import clock

    moment = [START]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")

    def move(seconds: float) -> None:
        moment[0] = START + timedelta(seconds=seconds)

    with stored.in_moto(monkeypatch):
        stored.put(stored.ORIGIN, OLD)
        yield move


def _settings() -> Any:
    from cme.platform.settings import get_settings

    return get_settings()


def _authorizer() -> Callable[[str | None], bool]:
    """The authorizer's handler, imported afresh as Lambda's init would: ``call(value)`` sends
    one request with that X-Origin-Verify and tells whether it was let through."""
    from infra.local import cfn
    from infra.local.gateway import LambdaContext

    spec = cfn.functions()["AuthorizerFunction"]
    loaded = importlib.util.spec_from_file_location("authorizer_for_secrets", spec.code_dir / f"{spec.module}.py")
    assert loaded and loaded.loader
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)

    def call(value: str | None) -> bool:
        headers = {} if value is None else {"x-origin-verify": value}
        event = {"version": "2.0", "headers": headers, "routeKey": "GET /api/me", "cookies": []}
        return bool(module.lambda_handler(event, LambdaContext("AuthorizerFunction"))["isAuthorized"])

    return call


def test_read_at_first_use_not_at_import_then_kept_for_the_cache_time(at: Callable[[float], None]) -> None:
    ttl = _settings().secret_cache_seconds
    assert ttl == 300
    with count_calls() as importing:
        call = _authorizer()
    assert importing[READ] == 0  # the import reads nothing
    with count_calls() as first:
        assert call(OLD)
    assert first[READ] == 1
    at(ttl - 1)
    with count_calls() as within:
        assert call(OLD) and call(OLD)
    assert within[READ] == 0  # within the cache's time: no call
    at(ttl)
    with count_calls() as after:
        assert call(OLD) and call(OLD)
    assert after[READ] == 1  # past it: one read, then kept again


def test_no_header_reads_nothing(at: Callable[[float], None]) -> None:
    call = _authorizer()
    with count_calls() as counts:
        assert not call(None) and not call("")
    assert counts[READ] == 0


def test_a_wrong_value_forces_at_most_one_read_per_interval(at: Callable[[float], None]) -> None:
    """An attacker sending wrong values makes one read per SECRET_REFETCH_SECONDS, not one per
    request; the value held meanwhile still passes."""
    interval = _settings().secret_refetch_seconds
    call = _authorizer()
    assert call(OLD)  # read at START
    at(interval)
    with count_calls() as counts:
        refused = [call(f"wrong-{n}") for n in range(50)]
        assert call(OLD)
    assert not any(refused)
    assert counts[READ] == 1  # the first wrong value's re-read; the 49 after it none
    at(interval * 2 - 1)
    with count_calls() as counts:
        assert not call("wrong-again")
    assert counts[READ] == 0
    at(interval * 2)
    with count_calls() as counts:
        assert not call("wrong-again")
    assert counts[READ] == 1


def test_a_rotated_value_passes_in_a_process_that_holds_the_old_one(at: Callable[[float], None]) -> None:
    """The secret rotated to {current: NEW, previous: OLD} while this process holds {OLD}: the
    first request carrying NEW makes it read again, and both pass from then on."""
    call = _authorizer()
    assert call(OLD)
    stored.put(stored.ORIGIN, NEW, previous=OLD)
    at(_settings().secret_refetch_seconds)
    with count_calls() as counts:
        assert call(NEW) and call(OLD) and call(NEW)
    assert counts[READ] == 1


def test_a_failed_read_keeps_the_value_held(at: Callable[[float], None]) -> None:
    """Secrets Manager unreachable after the cache's time: the value held still serves (a read
    is tried again only after SECRET_REFETCH_SECONDS), and a new value is taken once it answers."""
    from cme.platform import aws

    settings = _settings()
    call = _authorizer()
    assert call(OLD)
    client = aws.client("secretsmanager")
    original = client.get_secret_value
    failures = [0]

    def unreachable(**kwargs: Any) -> Any:
        from botocore.exceptions import EndpointConnectionError

        failures[0] += 1
        raise EndpointConnectionError(endpoint_url="https://secretsmanager.us-east-1.amazonaws.com")

    client.get_secret_value = unreachable
    at(settings.secret_cache_seconds)
    assert call(OLD) and call(OLD)
    assert failures[0] == 1
    at(settings.secret_cache_seconds + settings.secret_refetch_seconds)
    assert call(OLD)
    assert failures[0] == 2
    client.get_secret_value = original
    stored.put(stored.ORIGIN, NEW)
    at(settings.secret_cache_seconds + 2 * settings.secret_refetch_seconds)
    assert call(NEW) and not call(OLD)


def test_unreadable_with_nothing_held_the_api_answers_503_and_the_authorizer_refuses(
    at: Callable[[float], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No secret to read (here: none of that name; in AWS also a missing grant or an outage):
    no 500, and no request let through. Not read again on every request."""
    from cme.runtime.resolver import lambda_entry, make_resolver
    from infra.local.gateway import LambdaContext

    monkeypatch.setenv("ORIGIN_SECRET_ID", "NoSuchSecret")
    stored.forget_all()
    app = make_resolver()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    handler = lambda_entry(app)
    event = {
        "version": "2.0",
        "routeKey": "GET /ping",
        "rawPath": "/ping",
        "rawQueryString": "",
        "headers": {"x-origin-verify": OLD},
        "requestContext": {"http": {"method": "GET", "path": "/ping", "sourceIp": "192.0.2.1"}, "stage": "$default"},
        "isBase64Encoded": False,
    }
    with count_calls() as counts, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        answer = handler(event, LambdaContext("Unit"))
        assert not _authorizer()(OLD)
    assert answer["statusCode"] == 503 and answer["headers"]["Retry-After"] == "5"
    assert json.loads(answer["body"])["code"] == "SERVICE_UNAVAILABLE"
    assert counts[READ] == 1  # the authorizer's check, right after, waited for the retry interval


def test_a_secret_is_json_current_and_previous_or_plain_text() -> None:
    from cme.platform.secrets import Rotating, parse

    assert parse('{"current": "a", "previous": "b"}') == Rotating("a", "b")
    assert parse('{"current": "a", "previous": ""}').accepted() == ("a",)
    assert parse('{"current": "", "previous": "b"}').accepted() == ("b",)
    assert parse("set-by-hand-in-the-console") == Rotating("set-by-hand-in-the-console")
    assert parse('{"current": 5}').accepted() == ()
    assert parse(None).accepted() == ()
    assert parse('"quoted"') == Rotating('"quoted"')
    assert repr(Rotating("a" * 40, "b" * 40)) == "Rotating()"  # neither value in a log or traceback
