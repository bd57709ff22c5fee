"""The audit of data-protection requests: `pk=REQUEST#<id>`, `sk=<action>`; when, the
operator, the counts per area and the areas not searched. Never the address."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.privacy.models import Report


def _report(item: dict[str, Any]) -> Report:
    return Report(
        request_id=item["pk"]["S"].removeprefix("REQUEST#"), action=item["sk"]["S"],
        at=datetime.fromisoformat(item["at"]["S"]), by=item["by"]["S"],
        counts={area: int(n["N"]) for area, n in item.get("counts", {}).get("M", {}).items()},
        skipped=[area["S"] for area in item.get("not_searched", {}).get("L", [])])


class DynamoAuditLog(DynamoTable):
    def record(self, report: Report) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": f"REQUEST#{report.request_id}"}, "sk": {"S": report.action},
            "at": {"S": report.at.astimezone(UTC).isoformat()}, "by": {"S": report.by},
            "counts": {"M": {area: {"N": str(n)} for area, n in report.counts.items()}},
            "not_searched": {"L": [{"S": area} for area in report.skipped]},
        })

    def reports(self, limit: int) -> list[Report]:
        """The newest `limit` records, newest first. The whole table is read: requests are a
        few a month, and the trail is read by one officer at a time."""
        items = self._scan(consistent=True)
        return sorted((_report(item) for item in items), key=lambda r: r.at,
                      reverse=True)[:limit]
