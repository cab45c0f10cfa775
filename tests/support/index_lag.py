"""Global secondary indexes that lag behind their table, as they do in AWS.

DynamoDB updates a GSI asynchronously: an item written a moment ago may be missing from a
Query on the index (there is no consistent read on a GSI). moto and DynamoDB Local update the
index at once, so code that needs an exact answer from an index passes every local test.

``index_lag(seconds)`` wraps ``botocore.client.BaseClient._make_api_call`` (every boto3 and
PynamoDB call goes through it; the wrapper chains to whatever is installed there already, so
other recorders and fault injectors stay stacked) to remember, per table, the primary key of
every item written (PutItem, UpdateItem, BatchWriteItem puts, TransactWriteItems Put/Update)
and when; a Query or Scan with an ``IndexName`` then leaves out the items whose key was written
within the last ``seconds``. Reads of the table itself (GetItem, Query/Scan without an index)
are untouched: those are what exact reads must use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

from infra.local import cfn

Key = tuple[tuple[str, str], ...]


def _key_names() -> dict[str, list[str]]:
    """Each table's primary key attribute names, from template.yaml."""
    return {name: [k["AttributeName"] for k in spec["KeySchema"]] for name, spec in cfn.table_definitions().items()}


def _key(item: dict[str, Any], names: list[str]) -> Key | None:
    """The primary key of a low-level item (``{"attr": {"S": "..."}}``), comparable and hashable."""
    if not all(name in item for name in names):
        return None
    return tuple((name, repr(sorted(item[name].items()))) for name in names)


@dataclass
class IndexLag:
    """What the wrapper remembers; ``hidden`` counts the items it left out of index reads."""

    seconds: float
    key_names: dict[str, list[str]] = field(default_factory=_key_names)
    written: dict[str, dict[Key, float]] = field(default_factory=dict)
    hidden: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, table: str, item_or_key: dict[str, Any]) -> None:
        table = table.rsplit("/", 1)[-1]  # a table ARN names the table last
        key = _key(item_or_key, self.key_names.get(table, []))
        if key is not None:
            with self.lock:
                self.written.setdefault(table, {})[key] = time.monotonic()

    def note_writes(self, operation: str, params: dict[str, Any]) -> None:
        if operation == "PutItem":
            self.remember(params["TableName"], params.get("Item", {}))
        elif operation == "UpdateItem":
            self.remember(params["TableName"], params.get("Key", {}))
        elif operation == "BatchWriteItem":
            for table, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        self.remember(table, request["PutRequest"].get("Item", {}))
        elif operation == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                if "Put" in entry:
                    self.remember(entry["Put"]["TableName"], entry["Put"].get("Item", {}))
                elif "Update" in entry:
                    self.remember(entry["Update"]["TableName"], entry["Update"].get("Key", {}))

    def is_fresh(self, table: str, item: dict[str, Any]) -> bool:
        table = table.rsplit("/", 1)[-1]
        key = _key(item, self.key_names.get(table, []))
        if key is None:
            return False
        with self.lock:
            at = self.written.get(table, {}).get(key)
        return at is not None and time.monotonic() - at < self.seconds

    def lagging_read(self, call: Any, client: Any, operation: str, params: dict[str, Any]) -> Any:
        """An index Query/Scan as a lagging index answers it: fresh items are not there yet."""
        table = params["TableName"]
        counting = params.get("Select") == "COUNT"
        sent = dict(params)
        if counting:  # count what the index would hold, which needs the items' keys
            sent["Select"] = "ALL_PROJECTED_ATTRIBUTES"
        answer = call(client, operation, sent)
        items = answer.get("Items", [])
        kept = [item for item in items if not self.is_fresh(table, item)]
        with self.lock:
            self.hidden += len(items) - len(kept)
        answer = dict(answer)
        answer["Count"] = len(kept)
        if counting:
            answer.pop("Items", None)
        else:
            answer["Items"] = kept
        return answer


@contextmanager
def index_lag(seconds: float = 60.0) -> Iterator[IndexLag]:
    """Inside the block, every GSI lags ``seconds`` behind its table."""
    lag = IndexLag(seconds)
    underneath = BaseClient._make_api_call

    def lagging(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name != "dynamodb":
            return underneath(self, operation_name, api_params)
        if operation_name in ("Query", "Scan") and api_params.get("IndexName"):
            return lag.lagging_read(underneath, self, operation_name, api_params)
        answer = underneath(self, operation_name, api_params)
        lag.note_writes(operation_name, api_params)  # only writes that AWS accepted
        return answer

    BaseClient._make_api_call = lagging  # type: ignore[method-assign]
    try:
        yield lag
    finally:
        BaseClient._make_api_call = underneath  # type: ignore[method-assign]
