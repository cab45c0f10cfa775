"""PynamoDB base model whose table name and region are bound at first use, not at import.

PynamoDB reads ``Meta.table_name`` when it first opens a connection; this base fills it from
the settings just before, so importing a model reads no environment. The endpoint is left to
botocore, which honours ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL`` itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from cme.settings import get_settings


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

    @classmethod
    def _get_connection(cls) -> TableConnection:
        cls.bind()
        return super()._get_connection()


@lru_cache(maxsize=4)
def _connection(region: str) -> Connection:
    # One per process: a new Connection means a new botocore session, which loads the
    # DynamoDB service model again (tens of milliseconds per request).
    return Connection(region=region)


def transaction() -> TransactWrite:
    """A write transaction (one round trip, all or nothing) in the configured region."""
    return TransactWrite(connection=_connection(get_settings().aws_region))
