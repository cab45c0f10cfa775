"""moto's DynamoDB at a cost that does not grow with the number of items it handles.

Transactions:

moto (5.2) backs up a table before a transaction by deep-copying it once *per item* of the
transaction that names it: a roster import's transaction of 50 attendance rows and 50
EmailAttendance updates copies the whole attendance table 100 times. On a table of a few
thousand rows that is minutes per import and, with the copies' reference cycles waiting for the
garbage collector, gigabytes of memory (`make bench` was killed by the OOM killer). Even one
copy per table and transaction makes an import of one transaction per row quadratic (1,000
learners: 220 s). DynamoDB itself has no such cost.

``install`` makes a transaction copy no table: it keeps a copy of each item the transaction
names (or that it was absent), taken before any of its writes, and puts those back when moto
cancels the transaction, which is what restoring the tables did. The flag that stops the
copies is per thread, so concurrent in-process transactions never share one. It is
called wherever moto is started for the portal (``infra.local.provision``), and changes nothing
when moto is not installed (a deployment's tools, DynamoDB Local).

Answers: moto 5.2 writes every DynamoDB answer through its model-driven serializer, which looks up
each attribute of each item under several aliases: a Query of 1,000 items spent 90% of its time
there (a 2,000-activity paging test: 62 s of 70). DynamoDB's JSON protocol needs no shape work for
the data-plane answers (items, keys, counts, consumed capacity): ``install`` writes those with
``json.dumps`` (bytes as base64, as the serializer does; absent members left out), and
tests/integration/test_moto_fixes.py holds the two writings equal on every attribute type.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import types
from typing import Any

_state = threading.local()
_lock = threading.Lock()


def install() -> None:
    with _lock:
        try:
            from moto.dynamodb import models
            from moto.dynamodb.models.table import Table
        except ImportError:  # not moto: nothing to fix
            return
        if getattr(models.DynamoDBBackend.transact_write_items, "copies_each_table_once", False):
            return  # installed already
        real_deepcopy = copy.deepcopy

        def deepcopy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
            if getattr(_state, "in_transaction", False) and isinstance(obj, Table):
                return obj  # no copy: the items the transaction names are kept instead (below)
            return real_deepcopy(obj, memo)

        # moto.dynamodb.models reads ``copy.deepcopy`` through its module global ``copy``
        models.copy = types.SimpleNamespace(**{**vars(copy), "deepcopy": deepcopy})  # type: ignore[assignment]
        original = models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            saved = _items_before(self, transact_items, real_deepcopy)
            _state.in_transaction = True
            try:
                original(self, transact_items)
            except BaseException:
                _restore(saved)  # moto "restores" the tables it did not copy: the items are put back here
                raise
            finally:
                _state.in_transaction = False

        transact_write_items.copies_each_table_once = True  # type: ignore[attr-defined]
        models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _dynamodb_answers()
    _ses_configuration_sets()


def _items_before(backend: Any, transact_items: list[dict[str, Any]], deep: Any) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key or None, a copy of the stored item or None) for each item a
    transaction names, before it runs."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        attrs = op.get("Key") or op.get("Item") or {}
        if table is None or table.hash_key_attr not in attrs:
            continue
        hash_value = DynamoType(attrs[table.hash_key_attr])
        range_attr = table.range_key_attr
        range_value = DynamoType(attrs[range_attr]) if range_attr and range_attr in attrs else None
        if range_value is None:
            stored = table.items.get(hash_value)
        else:
            stored = table.items.get(hash_value, {}).get(range_value)
        saved.append((table, hash_value, range_value, deep(stored)))
    return saved


def _restore(saved: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_value, range_value, item in reversed(saved):
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
            continue
        if item is None:
            group = table.items.get(hash_value)
            if group is not None:
                group.pop(range_value, None)
                if not group:
                    table.items.pop(hash_value, None)
        else:
            table.items[hash_value][range_value] = item


# The answers that hold only items, keys, numbers and capacity: no timestamps, no shapes to apply.
DATA_PLANE = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _wire(value: Any) -> Any:
    """A data-plane answer as DynamoDB's JSON protocol writes it: binary as base64, no None members."""
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple | set):
        return [_wire(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def _dynamodb_answers() -> None:
    try:
        from moto.core.responses import ActionContext, ActionResult
        from moto.dynamodb.responses import DynamoResult
    except ImportError:  # not moto: nothing to fix
        return
    original = DynamoResult.execute_result
    if getattr(original, "writes_items_directly", False):
        return

    def execute_result(self: Any, context: ActionContext) -> Any:
        if context.operation_model.name not in DATA_PLANE or not isinstance(self.result, dict):
            return original(self, context)
        status, headers, _ = ActionResult({}).execute_result(context)  # the status and headers, of nothing
        return status, headers, json.dumps(_wire(self.result))

    execute_result.writes_items_directly = True  # type: ignore[attr-defined]
    execute_result.serializer_writes = original  # type: ignore[attr-defined]  # the tests compare the two
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]


def _ses_configuration_sets() -> None:
    """SES refuses an email sent with a configuration set it does not have
    (ConfigurationSetDoesNotExist); moto ignores the name. Here it refuses too, so a stack
    whose functions name a set nobody made fails locally as it would in AWS."""
    try:
        from moto.ses.exceptions import ConfigurationSetDoesNotExist
        from moto.ses.responses import EmailResponse
    except ImportError:  # not moto: nothing to fix
        return
    original = EmailResponse.send_raw_email
    if getattr(original, "checks_configuration_set", False):
        return

    def send_raw_email(self: Any) -> Any:
        name = self._get_param("ConfigurationSetName")
        if name and name not in self.backend.config_sets:
            raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
        return original(self)

    send_raw_email.checks_configuration_set = True  # type: ignore[attr-defined]
    EmailResponse.send_raw_email = send_raw_email  # type: ignore[method-assign]
