"""Where moto's DynamoDB differs from DynamoDB in a way members would notice, made faithful.

moto applies a transaction's writes one by one and, when a condition fails, restores a copy
of every table it touched. The copy brings its own stream shard, so the table's stream then
shows a write that never lasted and loses the writes after it, and the copy of a large table
makes every transaction slow. DynamoDB checks all conditions first and writes nothing when
one fails; so does this replacement, installed by the emulator.

moto also lets a transaction's item carry an empty or unused ExpressionAttributeNames or
ExpressionAttributeValues; DynamoDB refuses the request (ValidationException), and so does
this replacement."""

from __future__ import annotations

import re
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend


def _check_placeholders(op: dict[str, Any]) -> None:
    """As DynamoDB: each map of placeholders given is not empty, and each placeholder in it
    is used by one of the item's expressions."""
    used = " ".join(op.get(part, "") for part in ("ConditionExpression", "UpdateExpression"))
    for field, mark in (("ExpressionAttributeNames", "#"), ("ExpressionAttributeValues", ":")):
        if field not in op:
            continue
        if not op[field]:
            raise MockValidationException(f"{field} must not be empty")
        unused = set(op[field]) - set(re.findall(rf"{mark}\w+", used))
        if unused:
            keys = ", ".join(sorted(unused))
            raise MockValidationException(
                f"Value provided in {field} unused in expressions: keys: {{{keys}}}")


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    writes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        _check_placeholders(op)
        table = self.get_table(op["TableName"])
        if op_type == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        marker = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        current = self.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        if condition is not None and not get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
        else:
            errors.append((None, None, None))
        writes.append((op_type, op, key))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    for op_type, op, key in writes:
        names = op.get("ExpressionAttributeNames") or {}
        values = op.get("ExpressionAttributeValues") or {}
        if op_type == "Put":
            self.put_item(op["TableName"], op["Item"], expression_attribute_names=names,
                          expression_attribute_values=values)
        elif op_type == "Delete":
            self.delete_item(op["TableName"], key, expression_attribute_names=names,
                             expression_attribute_values=values)
        elif op_type == "Update":
            self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                             expression_attribute_names=names, expression_attribute_values=values)


def install() -> None:
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
