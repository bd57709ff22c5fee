"""The audit of changes to staff access: `pk=CHANGE`, `sk=<when>#<id>`; who, what, to whom,
which roles; never a password or a code. Each record expires (TTL) after RETENTION_DAYS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.staff_access.models import Action, Change

PARTITION = "CHANGE"
# How long a change stays in the audit (then DynamoDB's TTL deletes it).
RETENTION_DAYS = 730


class DynamoAccessAudit(DynamoTable):
    def record(self, change: Change) -> None:
        at = change.at.astimezone(UTC)
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": PARTITION}, "sk": {"S": f"{at.isoformat()}#{change.id}"},
            "at": {"S": at.isoformat()}, "by": {"S": change.by},
            "action": {"S": change.action.value}, "email": {"S": change.email},
            "groups": {"L": [{"S": g} for g in change.groups]},
            "expires_at": {"N": str(int((at + timedelta(days=RETENTION_DAYS)).timestamp()))},
        }, ConditionExpression="attribute_not_exists(pk)")

    def changes(self, limit: int) -> list[Change]:
        answer = self._client.query(
            TableName=self._table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": PARTITION}}, ScanIndexForward=False,
            Limit=limit, ConsistentRead=True)
        return [_change(item) for item in answer.get("Items", [])]


def _change(item: dict[str, Any]) -> Change:
    return Change(at=datetime.fromisoformat(item["at"]["S"]), by=item["by"]["S"],
                  action=Action(item["action"]["S"]), email=item["email"]["S"],
                  groups=tuple(g["S"] for g in item.get("groups", {}).get("L", [])),
                  id=item["sk"]["S"].rpartition("#")[2])
