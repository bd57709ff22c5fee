"""The ledger of sent emails: one item per (registration, round, kind), written before
sending; and the gate that lets one confirmation link go to an address per interval.

Both expire (TTL): a ledger entry with its registration, a gate when it opens again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.platform.clock import utcnow


class DynamoLedger(DynamoTable):
    def _key(self, session_id: str, registration_id: str, kind: str) -> dict[str, Any]:
        return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": f"MAIL#{registration_id}#{kind}"}}

    def claim(self, session_id: str, registration_id: str, kind: str,
              expires_at: datetime | None = None) -> bool:
        item = {**self._key(session_id, registration_id, kind), "kind": {"S": "mail"},
                "sent_at": {"S": utcnow().isoformat()}}
        if expires_at is not None:
            item["expires_at"] = {"N": str(int(expires_at.timestamp()))}
        try:
            self._client.put_item(TableName=self._table, Item=item,
                                  ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, session_id: str, registration_id: str, kind: str) -> None:
        self._client.delete_item(TableName=self._table,
                                 Key=self._key(session_id, registration_id, kind))

    # -- at most one confirmation link per address and interval ----------------------------

    def _gate(self, session_id: str, registration_id: str, round_: int) -> dict[str, Any]:
        return {"pk": {"S": f"SESSION#{session_id}"},
                "sk": {"S": f"GATE#{registration_id}#{round_}"}}

    def pass_gate(self, session_id: str, registration_id: str, round_: int, now: datetime,
                  until: datetime) -> bool:
        """True when the address may be mailed now (and is then not again before `until`)."""
        return self._pass_gate(self._gate(session_id, registration_id, round_), now, until)

    def reopen_gate(self, session_id: str, registration_id: str, round_: int,
                    until: datetime) -> None:
        """Undo a pass whose email could not be sent (only that pass, not a later one)."""
        self._reopen_gate(self._gate(session_id, registration_id, round_), until)
