"""infra.local.moto_fixes: moto copies each table once per transaction (not once per item), and
a cancelled transaction still leaves nothing of itself behind."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest


def _put(table: str, key: str, condition: bool = False) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": {"code": {"S": key}, "activity_id": {"S": "a"}}}
    if condition:
        put["ConditionExpression"] = "attribute_not_exists(code)"
    return {"Put": put}


def test_a_transaction_copies_each_table_once_and_still_rolls_back(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    from cme.platform.settings import get_settings

    table = get_settings().codes_table
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.put_item(TableName=table, Item={"code": {"S": "TAKEN"}, "activity_id": {"S": "a"}})
    copies: dict[int, str] = {}  # each distinct copy moto was given of a table
    real = models.copy.deepcopy

    def counting(obj: Any, memo: Any = None) -> Any:
        made = real(obj, memo)
        if isinstance(obj, Table):
            copies[id(made)] = obj.name
        return made

    monkeypatch.setattr(models.copy, "deepcopy", counting)
    items = [_put(table, f"NEW{n}") for n in range(40)] + [_put(table, "TAKEN", condition=True)]
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=items)
    # the one backup, restored: none of the 40 puts before the failed condition is there
    assert list(copies.values()) == [table]  # 41 items name the table: one copy
    assert dynamodb.scan(TableName=table)["Count"] == 1
    dynamodb.transact_write_items(TransactItems=items[:40])
    assert dynamodb.scan(TableName=table)["Count"] == 41


# every attribute type, nested, as items, keys and attribute maps of the data-plane answers
EVERY_TYPE: dict[str, Any] = {
    "code": {"S": "K1"},
    "activity_id": {"S": "Sépsis à Zürich"},
    "n": {"N": "12.5"},
    "b": {"B": b"\x00\xffbytes"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "yes": {"BOOL": True},
    "none": {"NULL": True},
    "l": {"L": [{"S": "x"}, {"N": "3"}, {"M": {"inner": {"B": b"\x03"}}}]},
    "m": {"M": {"k": {"S": "v"}, "deep": {"L": [{"BOOL": False}]}}},
}


def test_data_plane_answers_are_written_as_the_serializer_writes_them(aws: None) -> None:
    """infra.local.moto_fixes writes GetItem/Query/... answers with json.dumps: each answer equals
    the one moto's own serializer writes, on every attribute type (binary, sets, nested)."""
    from moto.dynamodb.responses import DynamoResult

    from cme.platform.settings import get_settings

    fast = DynamoResult.execute_result
    assert getattr(fast, "writes_items_directly", False)
    table = get_settings().codes_table
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    written: list[tuple[str, Any, Any]] = []  # (operation, fast body, serializer body)

    def both(self: Any, context: Any) -> Any:
        status, headers, body = fast(self, context)
        if context.operation_model.name in {"GetItem", "Query", "Scan", "BatchGetItem", "PutItem", "UpdateItem"}:
            _, slow_headers, slow_body = fast.serializer_writes(self, context)  # type: ignore[attr-defined]
            written.append((context.operation_model.name, body, slow_body))
            assert headers == slow_headers
        return status, headers, body

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DynamoResult, "execute_result", both)
        dynamodb.put_item(TableName=table, Item=EVERY_TYPE, ReturnValues="NONE")
        dynamodb.put_item(TableName=table, Item={**EVERY_TYPE, "code": {"S": "K2"}})
        got = dynamodb.get_item(TableName=table, Key={"code": {"S": "K1"}})["Item"]
        dynamodb.update_item(
            TableName=table,
            Key={"code": {"S": "K2"}},
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "7"}},
            ReturnValues="ALL_OLD",
        )
        dynamodb.query(
            TableName=table, KeyConditionExpression="code = :c", ExpressionAttributeValues={":c": {"S": "K2"}}
        )
        page = dynamodb.scan(TableName=table, Limit=1, ReturnConsumedCapacity="TOTAL")
        dynamodb.batch_get_item(RequestItems={table: {"Keys": [{"code": {"S": "K1"}}, {"code": {"S": "K2"}}]}})
        dynamodb.get_item(TableName=table, Key={"code": {"S": "none such"}})
    assert got == EVERY_TYPE  # the binary values came back as the bytes written
    assert "LastEvaluatedKey" in page and page["ConsumedCapacity"]["TableName"] == table
    assert {name for name, _, _ in written} == {"GetItem", "Query", "Scan", "BatchGetItem", "PutItem", "UpdateItem"}
    for name, fast_body, slow_body in written:
        assert json.loads(fast_body) == json.loads(slow_body), name
