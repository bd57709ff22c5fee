"""What the subscriber-list tests share: the routes, a CSV file as the union's system writes
one, a DynamoDB client that fails at a chosen write (before it, or after it went through with
its answer lost), and confirmation requests recorded or failing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SUBSCRIBER_ROUTES = [("GET", "/api/staff/newsletter/subscribers"),
                     ("POST", "/api/staff/newsletter/subscribers"),
                     ("POST", "/api/staff/newsletter/subscribers/unsubscribe"),
                     ("POST", "/api/staff/newsletter/subscribers/import")]
HEADER = ("E-mail", "Navn", "Rolle", "Samtykkedato", "Samtykkekilde")
WRITES = frozenset({"put_item", "update_item", "delete_item", "transact_write_items",
                    "batch_write_item"})


class Interrupted(Exception):
    """The import stopped here (a timeout, a throttled write, a lost connection)."""


def csv_file(rows: Iterable[Iterable[str]], header: Iterable[str] = HEADER,
             separator: str = ";", bom: bool = False) -> str:
    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if separator in value or '"' in value \
            else value

    lines = [separator.join(cell(v) for v in header)]
    lines += [separator.join(cell(v) for v in row) for row in rows]
    return ("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n"


class FaultyClient:
    """A DynamoDB client whose `fail_at`-th write (counting from 1) fails: before it reaches
    the table, or (`after=True`) after it went through, as if its answer was lost."""

    def __init__(self, client: Any, fail_at: int | None = None, after: bool = False) -> None:
        self._client = client
        self.fail_at = fail_at
        self.after = after
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if name not in WRITES:
            return found

        def write(**kwargs: Any) -> Any:
            self.writes += 1
            failing = self.fail_at is not None and self.writes == self.fail_at
            if failing and not self.after:
                raise Interrupted(name)
            answer = found(**kwargs)
            if failing:
                raise Interrupted(name)
            return answer

        return write


class Requests:
    """The confirmation queue: every request recorded; the `fail_at`-th (from 1) fails
    before it is queued."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.requested: list[str] = []
        self.fail_at = fail_at
        self.calls = 0

    def request(self, subscriber_id: str) -> None:
        self.calls += 1
        if self.fail_at is not None and self.calls == self.fail_at:
            raise Interrupted("send_message")
        self.requested.append(subscriber_id)
