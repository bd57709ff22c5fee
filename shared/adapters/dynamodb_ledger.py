"""The ledger of sent emails: one item per (registration, kind), written before sending."""

from __future__ import annotations

from typing import Any

from shared.adapters.aws import DynamoTable
from shared.clock import utcnow


class DynamoLedger(DynamoTable):
    def _key(self, session_id: str, registration_id: str, kind: str) -> dict[str, Any]:
        return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": f"MAIL#{registration_id}#{kind}"}}

    def claim(self, session_id: str, registration_id: str, kind: str) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**self._key(session_id, registration_id, kind), "kind": {"S": "mail"},
                      "sent_at": {"S": utcnow().isoformat()}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, session_id: str, registration_id: str, kind: str) -> None:
        self._client.delete_item(TableName=self._table,
                                 Key=self._key(session_id, registration_id, kind))
