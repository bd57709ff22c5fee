"""AWS clients (botocore's, which boto3 hands out too), created once per process on first use.

Clients come from one botocore session, without importing boto3: boto3 adds resources and
S3 transfers this code does not use, and its import (s3transfer with it) adds a tenth of a
bare client's cold start. botocore honours AWS_ENDPOINT_URL, which is how the same code
reaches the local emulator."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

_clients: dict[str, Any] = {}
_sessions: list[Any] = []
_lock = threading.RLock()


def session() -> Any:
    """The one botocore session of this process: its loader reads each service model,
    endpoint rules and credentials once for every client (a session per client read them
    again)."""
    with _lock:
        if not _sessions:
            import botocore.session  # imported on first use: routes that need no AWS stay lean

            _sessions.append(botocore.session.get_session())
        return _sessions[0]


def client(service: str) -> Any:
    """One client per service and process, also when threads ask at once (each client has
    its own exception classes: a second client would not match the first one's errors)."""
    found = _clients.get(service)
    if found is None:
        with _lock:
            found = _clients.get(service)
            if found is None:
                found = session().create_client(service)
                _clients[service] = found
    return found


class DynamoTable:
    """An adapter over one DynamoDB table; tests and tools may hand it their own client."""

    def __init__(self, table_name: str, dynamodb: Any = None) -> None:
        self._table = table_name
        self._ddb = dynamodb

    @property
    def _client(self) -> Any:
        return self._ddb or client("dynamodb")

    def _scan(self, condition: str | None = None, values: dict[str, Any] | None = None,
              consistent: bool = False) -> Iterator[dict[str, Any]]:
        """Every item (matching `condition`): for small tables (the catalogue) and rare
        whole-table tasks (data-protection requests, which read consistently)."""
        options: dict[str, Any] = {"ConsistentRead": consistent}
        if condition:
            options |= {"FilterExpression": condition, "ExpressionAttributeValues": values}
        pages = self._client.get_paginator("scan").paginate(TableName=self._table, **options)
        for page in pages:
            yield from page.get("Items", [])

    def _delete(self, key: dict[str, Any]) -> None:
        self._client.delete_item(TableName=self._table, Key=key)

    # -- a gate: at most one email to an address per interval -----------------------------

    def _pass_gate(self, key: dict[str, Any], now: datetime, until: datetime) -> bool:
        """True when the gate item at `key` is open now; it is then closed until `until`
        (and deleted by TTL then)."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**key, "kind": {"S": "gate"}, "until": {"S": _utc(until)},
                      "expires_at": {"N": str(int(until.timestamp()))}},
                ConditionExpression="attribute_not_exists(pk) OR #until <= :now",
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues={":now": {"S": _utc(now)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _reopen_gate(self, key: dict[str, Any], until: datetime) -> None:
        """Undo the pass that closed the gate until `until` (not a later one): its email
        was not sent."""
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.delete_item(
                TableName=self._table, Key=key, ConditionExpression="#until = :until",
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues={":until": {"S": _utc(until)}})


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def created_clients() -> list[str]:
    """The services this process has clients for (cold-start benchmarks compare against them)."""
    return sorted(_clients)


def reset_clients() -> None:
    """Forget every client and the session, e.g. after the endpoint or credentials changed."""
    with _lock:
        _clients.clear()
        _sessions.clear()
