"""PynamoDB base model whose table name and region are bound at first use, not at import.

PynamoDB reads ``Meta.table_name`` when it first opens a connection; this base fills it from
the settings just before, so importing a model reads no environment. The endpoint is left to
botocore, which honours ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL`` itself.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, ClassVar

from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from cme.platform import aws
from cme.platform.aws import DYNAMODB_ATTEMPTS
from cme.platform.settings import get_settings

#: PynamoDB counts retries after the first attempt (its botocore client runs in standard mode)
RETRY_ATTEMPTS = DYNAMODB_ATTEMPTS - 1


class BaseModel(Model):
    #: name of the Settings field that holds this model's table name
    table_setting: ClassVar[str] = ""

    class Meta:
        table_name = ""

    @classmethod
    def bind(cls) -> None:
        settings = get_settings()
        cls.Meta.table_name = getattr(settings, cls.table_setting)
        setattr(cls.Meta, "region", settings.aws_region)  # noqa: B010 - Meta is typed without it
        setattr(cls.Meta, "max_retry_attempts", RETRY_ATTEMPTS)  # noqa: B010 - botocore's attempts, less one

    @classmethod
    def _get_connection(cls) -> TableConnection:
        cls.bind()
        table = super()._get_connection()
        _share_session(table.connection)
        return table


_client_lock = threading.Lock()


def _share_session(connection: Connection) -> None:
    """Give a PynamoDB connection the process's botocore session (``cme.platform.aws``) and make its
    client now. PynamoDB gives each table its own session, and each session loads the DynamoDB
    service model again (tens of milliseconds per table on a cold start); botocore's client
    creation is not thread-safe, hence the lock (the local stack runs functions in threads)."""
    if connection._client is not None:
        return
    with _client_lock:
        if connection._client is None:
            connection._local.session = aws.botocore_session()
            _ = connection.client


@lru_cache(maxsize=4)
def _connection(region: str) -> Connection:
    # One per process, on the shared botocore session: a new session loads the DynamoDB
    # service model again (tens of milliseconds per request).
    connection = Connection(region=region, max_retry_attempts=RETRY_ATTEMPTS)
    _share_session(connection)
    return connection


def transaction() -> TransactWrite:
    """A write transaction (one round trip, all or nothing) in the configured region."""
    return TransactWrite(connection=_connection(get_settings().aws_region))


def get_many(*items: BaseModel) -> list[BaseModel | None]:
    """Read items of several tables in one BatchGetItem (strongly consistent).

    Each argument is an item with its keys set; the result holds, in the same order, the
    stored item or None.
    """
    keyed: list[tuple[BaseModel, str, dict[str, Any]]] = []
    for item in items:
        cls = type(item)
        cls.bind()
        key: dict[str, Any] = {}
        for attribute in (cls._hash_key_attribute(), cls._range_key_attribute()):
            if attribute is not None:
                value = getattr(item, attribute.attr_name)
                key[attribute.attr_name] = {attribute.attr_type: attribute.serialize(value)}
        keyed.append((item, cls.Meta.table_name, key))
    request: dict[str, Any] = {}
    for _, table, key in keyed:
        keys = request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"]
        if key not in keys:  # DynamoDB refuses a batch naming one key twice (ValidationException)
            keys.append(key)
    rows: dict[str, list[dict[str, Any]]] = {}
    connection = _connection(get_settings().aws_region)
    while request:
        data = connection.dispatch("BatchGetItem", {"RequestItems": request})
        for table, found in data.get("Responses", {}).items():
            rows.setdefault(table, []).extend(found)
        request = data.get("UnprocessedKeys") or {}
    out: list[BaseModel | None] = []
    for item, table, key in keyed:
        match = next((row for row in rows.get(table, []) if all(row.get(k) == v for k, v in key.items())), None)
        out.append(type(item).from_raw_data(match) if match is not None else None)
    return out


def plain(value: Any) -> dict[str, Any]:
    """A map attribute's value as a plain dict (a copy): PynamoDB hands a ``MapAttribute``
    (``as_dict()``) for an item read from the table and the dict itself for one made here;
    None (an absent map) is {}."""
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)
