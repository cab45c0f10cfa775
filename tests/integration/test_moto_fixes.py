"""infra.local.moto_fixes: moto copies each table once per transaction (not once per item), and
a cancelled transaction still leaves nothing of itself behind."""

from __future__ import annotations

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

    from cme.settings import get_settings

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
