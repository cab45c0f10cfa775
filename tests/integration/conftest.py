"""Integration tests: handlers called in-process on moto, tables and buckets from template.yaml."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from infra.local import cfn
from infra.local.gateway import Gateway
from infra.local.seed import DEMO_PASSWORD
from tests.support.client import ApiClient
from tests.support.pacing import VirtualTime, virtual_mail_time

_ips = itertools.count(1)


@pytest.fixture(autouse=True)
def mail_time(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    """Paced mail waits on a virtual clock in every integration test (tests/support/pacing.py)."""
    return virtual_mail_time(monkeypatch)


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    return Gateway()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in cfn.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:3000")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    from cme.platform import secrets
    from cme.platform.aws import reset_clients
    from cme.platform.settings import get_settings, reset_settings
    from infra.local.provision import provision

    with mock_aws():
        reset_settings()
        reset_clients()
        secrets.forget()  # a secret read from the last test's moto (perhaps rotated) is not this one's
        settings = get_settings()
        provision(settings.aws_region, settings.mail_from)
        yield
        reset_settings()
        reset_clients()
        secrets.forget()


@pytest.fixture
def client(aws: None, gateway: Gateway) -> ApiClient:
    """A browser-like client with its own address (so throttles don't leak between tests)."""
    return ApiClient(gateway, source_ip=f"198.51.100.{next(_ips) % 250 + 1}")


@pytest.fixture
def new_client(aws: None, gateway: Gateway) -> Any:
    def make(source_ip: str | None = None) -> ApiClient:
        return ApiClient(gateway, source_ip=source_ip or f"203.0.113.{next(_ips) % 250 + 1}")

    return make


@pytest.fixture
def outbox(aws: None) -> Any:
    from infra.local.outbox import messages

    return messages


def delivered(outbox: Any) -> list[dict[str, Any]]:
    """The outbox but the decoys a reset request for no account sends to SES's mailbox simulator
    (cme.platform.mail.NOWHERE), which delivers nothing."""
    from cme.platform.mail import NOWHERE

    return [m for m in outbox() if m["to"] != [NOWHERE]]


def account(**overrides: Any) -> dict[str, Any]:
    body = {
        "email": "sean.obriain@example.org",
        "password": "correct horse battery staple",
        "first_name": "Seán",
        "last_name": "Ó Briain",
        "degree": "RN",
        "phone": "(480) 555-0142",
        "specialty": "Critical care",
    }
    body.update(overrides)
    return body


@pytest.fixture
def admin(new_client: Any) -> ApiClient:
    """A signed-in coordinator (role admin)."""
    from cme.identity.accounts import provision_account
    from cme.platform.schemas import NewAccount

    provision_account(
        NewAccount(
            email="coordinator@example.org",
            password=DEMO_PASSWORD,
            first_name="Avery",
            last_name="Coordinator",
            degree="Other",
            phone="+1 480 555 0199",
        ),
        role="admin",
    )
    client = new_client()
    assert (
        client.post("/api/auth/sign-in", {"email": "coordinator@example.org", "password": DEMO_PASSWORD}).status == 200
    )
    return client
