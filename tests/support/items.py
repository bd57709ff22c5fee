"""A DynamoDB table's items in memory, as the in-memory stores keep them: one item per
(pk, sk), each a dict of attributes; an update makes the item when it is missing, as
UpdateItem does. Moments are kept as the adapters write them (UTC, ISO 8601 text), so a
condition compares them as DynamoDB compares strings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

Key = tuple[str, str]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def moment(item: dict[str, Any], name: str) -> datetime | None:
    value = item.get(name)
    return datetime.fromisoformat(value) if value else None


class Items:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._items: dict[Key, dict[str, Any]] = {}

    def get(self, key: Key) -> dict[str, Any] | None:
        found = self._items.get(key)
        return dict(found) if found is not None else None

    def put(self, key: Key, item: dict[str, Any]) -> None:
        self._items[key] = dict(item)

    def update(self, key: Key, changes: dict[str, Any], remove: tuple[str, ...] = ()) -> None:
        item = self._items.setdefault(key, {})
        item.update(changes)
        for name in remove:
            item.pop(name, None)

    def add(self, key: Key, name: str, value: int) -> int:
        """ADD: a number attribute missing counts from 0."""
        item = self._items.setdefault(key, {})
        item[name] = item.get(name, 0) + value
        return int(item[name])

    def delete(self, key: Key) -> None:
        self._items.pop(key, None)

    def partition(self, pk: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """A query of one partition, by sort key (ascending), with `begins_with(sk, prefix)`."""
        return sorted((sk, dict(item)) for (p, sk), item in self._items.items()
                      if p == pk and sk.startswith(prefix))

    def having(self, name: str, value: Any = None) -> list[tuple[Key, dict[str, Any]]]:
        """The items carrying `name` (equal to `value` when given): a sparse index."""
        return [(key, dict(item)) for key, item in self._items.items()
                if name in item and (value is None or item[name] == value)]

    def expires_at(self, key: Key) -> int | None:
        """The item's TTL attribute (None when it has none or is gone)."""
        item = self._items.get(key)
        return None if item is None else item.get("expires_at")
