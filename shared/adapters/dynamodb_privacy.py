"""The audit of data-protection requests: `pk=REQUEST#<id>`; counts and the operator only."""

from __future__ import annotations

from datetime import UTC

from shared.adapters.aws import DynamoTable
from shared.privacy import Report


class DynamoAuditLog(DynamoTable):
    def record(self, report: Report) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": f"REQUEST#{report.request_id}"}, "sk": {"S": report.action},
            "at": {"S": report.at.astimezone(UTC).isoformat()}, "by": {"S": report.by},
            "counts": {"M": {area: {"N": str(n)} for area, n in report.counts.items()}},
            "not_searched": {"L": [{"S": area} for area in report.skipped]},
        })
