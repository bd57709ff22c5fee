"""The audit of data-protection requests in memory, as DynamoAuditLog keeps it: one record
per request and action (written again, it is replaced), the moment in UTC, the counts and the
areas not searched; never why an area was skipped. tests/integration/
test_privacy_store_contract.py holds the two to one suite."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC

from shared.privacy.models import Report


class MemoryAuditLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], Report] = {}

    def record(self, report: Report) -> None:
        kept = replace(report, at=report.at.astimezone(UTC), counts=dict(report.counts),
                       skipped=list(report.skipped), why={})
        with self._lock:
            self._records[(report.request_id, report.action)] = kept

    def reports(self, limit: int) -> list[Report]:
        with self._lock:
            found = list(self._records.values())
        return sorted(found, key=lambda r: r.at, reverse=True)[:limit]
