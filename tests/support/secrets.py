"""The template's secrets in moto, as cme.platform.secrets reads them (``{"current", "previous"}``).

``in_moto`` is a moto ``mock_aws`` (no socket: unit tests keep the network blocked) with fake
credentials and the functions' environment naming the secrets by their local names; ``put``
creates or updates one, as a deploy of new parameter values would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto import mock_aws

from infra.local import cfn

ORIGIN = cfn.physical_name("OriginVerifySecret")
DEVICE = cfn.physical_name("DeviceCookieSecret")
REGION = "us-east-1"


def put(name: str, current: str, previous: str = "") -> None:
    """Store ``{"current", "previous"}`` in the secret ``name`` (made when missing)."""
    client = boto3.client("secretsmanager", region_name=REGION)
    text = json.dumps({"current": current, "previous": previous})
    try:
        client.create_secret(Name=name, SecretString=text)
    except client.exceptions.ResourceExistsException:
        client.update_secret(SecretId=name, SecretString=text)


def forget_all() -> None:
    """What a new process starts from: settings, clients and secrets read again at first use."""
    from cme.platform import secrets
    from cme.platform.aws import reset_clients
    from cme.platform.settings import reset_settings

    reset_settings()
    reset_clients()
    secrets.forget()


@contextmanager
def in_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "ORIGIN_SECRET_ID": ORIGIN,
        "DEVICE_COOKIE_KEY_ID": DEVICE,
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        forget_all()
        try:
            yield
        finally:
            forget_all()


def warm() -> None:
    """Every function holds the secrets, as a warm one does (it reads them once per
    SECRET_CACHE_SECONDS, not per request): for tests that count a request's AWS calls."""
    from cme.platform import secrets
    from cme.platform.settings import get_settings

    settings = get_settings()
    for function in cfn.functions():
        with secrets.holding(function):
            for secret_id in (settings.origin_secret_id, settings.device_cookie_key_id):
                assert secrets.get(secret_id).current
