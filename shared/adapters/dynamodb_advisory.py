"""Advisory requests in DynamoDB: `pk=REQ#<reference>`. Open requests carry `open=1` and
appear in the sparse Open index in arrival order, finished ones `finished=1` in the sparse
Finished index, newest first; the contents are only ever sealed. The audit of what the
consultants did lives beside them, one partition per day (`pk=AUDIT#<date>`), each entry
with its own expiry."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.advisory.models import AdvisoryRequest, AuditAction, AuditEntry, Kind, Status
from shared.names import INDEX_FINISHED_REQUESTS, INDEX_OPEN_REQUESTS


def _key(reference: str) -> dict[str, Any]:
    return {"pk": {"S": f"REQ#{reference}"}, "sk": {"S": "REQ"}}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _item(request: AdvisoryRequest) -> dict[str, Any]:
    return {
        **_key(request.reference),
        "reference": {"S": request.reference}, "kind": {"S": request.kind.value},
        "urgent": {"BOOL": request.urgent}, "status": {"S": request.status.value},
        "received_at": {"S": _iso(request.received_at)},
        "queued_at": {"S": _iso(request.queued_at)},
        "sealed": {"S": request.sealed}, "open": {"N": "1"},
        "expires_at": {"N": str(request.expires_at)},
        **({"consent_text_version": {"S": request.consent_text_version}}
           if request.consent_text_version else {}),
    }


def _request(item: dict[str, Any]) -> AdvisoryRequest:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def moment(name: str) -> datetime | None:
        value = text(name)
        return datetime.fromisoformat(value) if value else None

    return AdvisoryRequest(
        reference=item["reference"]["S"], kind=Kind(item["kind"]["S"]),
        urgent=item["urgent"]["BOOL"], status=Status(item["status"]["S"]),
        received_at=datetime.fromisoformat(item["received_at"]["S"]),
        queued_at=datetime.fromisoformat(item["queued_at"]["S"]),
        sealed=item["sealed"]["S"], sealed_note=text("sealed_note"),
        leased_until=moment("leased_until"), leased_by=text("leased_by"),
        receipt=text("receipt"), done_at=moment("done_at"), done_by=text("done_by"),
        expires_at=int(item["expires_at"]["N"]),
        consent_text_version=text("consent_text_version"),
    )


class DynamoAdvisoryStore(DynamoTable):
    def put_new(self, request: AdvisoryRequest) -> bool:
        try:
            self._client.put_item(TableName=self._table, Item=_item(request),
                                  ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, reference: str) -> AdvisoryRequest | None:
        item = self._client.get_item(TableName=self._table, Key=_key(reference),
                                     ConsistentRead=True).get("Item")
        return _request(item) if item else None

    def lease(self, reference: str, by: str, until: datetime, receipt: str,
              now: datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference),
                UpdateExpression="SET #status = :leased, leased_by = :by, leased_until = :until, "
                "receipt = :receipt",
                ConditionExpression="#status = :waiting OR (#status = :leased AND "
                "(leased_until < :now OR leased_by = :by))",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":leased": {"S": Status.LEASED.value}, ":waiting": {"S": Status.WAITING.value},
                    ":by": {"S": by}, ":until": {"S": _iso(until)}, ":now": {"S": _iso(now)},
                    ":receipt": {"S": receipt},
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def finish(self, reference: str, sealed_note: str | None, now: datetime,
               by: str | None = None) -> bool:
        """Done for good; with `by`, only while it is leased to `by` (False otherwise)."""
        values: dict[str, Any] = {":done": {"S": Status.DONE.value}, ":now": {"S": _iso(now)},
                                  ":one": {"N": "1"}}
        sets = ["#status = :done", "done_at = :now", "finished = :one"]
        condition = "attribute_exists(pk)"
        if sealed_note:
            sets.append("sealed_note = :note")
            values[":note"] = {"S": sealed_note}
        if by is not None:
            sets.append("done_by = :by")
            condition += " AND #status = :leased AND leased_by = :by"
            values[":by"] = {"S": by}
            values[":leased"] = {"S": Status.LEASED.value}
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference),
                UpdateExpression=f"SET {', '.join(sets)} REMOVE #open, receipt, leased_until",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status", "#open": "open"},
                ExpressionAttributeValues=values,
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, reference: str, by: str | None = None) -> bool:
        """Back to waiting; with `by`, only while it is leased to `by` (False otherwise)."""
        condition = "#status = :leased"
        values = {":waiting": {"S": Status.WAITING.value}, ":leased": {"S": Status.LEASED.value}}
        if by is not None:
            condition += " AND leased_by = :by"
            values[":by"] = {"S": by}
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference),
                UpdateExpression="SET #status = :waiting REMOVE leased_by, leased_until, receipt",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def extend(self, reference: str, until: datetime) -> None:
        self._client.update_item(
            TableName=self._table, Key=_key(reference),
            UpdateExpression="SET leased_until = :until",
            ExpressionAttributeValues={":until": {"S": _iso(until)}},
        )

    def requeued(self, reference: str, now: datetime) -> None:
        self._client.update_item(
            TableName=self._table, Key=_key(reference),
            UpdateExpression="SET queued_at = :now",
            ExpressionAttributeValues={":now": {"S": _iso(now)}},
        )

    def open_requests(self) -> list[AdvisoryRequest]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, IndexName=INDEX_OPEN_REQUESTS,
            KeyConditionExpression="#open = :one",
            ExpressionAttributeNames={"#open": "open"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        return [_request(i) for page in pages for i in page["Items"]]

    def finished_requests(self, limit: int) -> list[AdvisoryRequest]:
        """The last `limit` requests finished, newest first."""
        answer = self._client.query(
            TableName=self._table, IndexName=INDEX_FINISHED_REQUESTS,
            KeyConditionExpression="finished = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ScanIndexForward=False, Limit=limit,
        )
        return [_request(i) for i in answer["Items"]]

    def record(self, entry: AuditEntry, expires_at: int) -> None:
        """One audit entry; a new item each time (never overwritten, never updated)."""
        at = _iso(entry.at)
        self._client.put_item(
            TableName=self._table, ConditionExpression="attribute_not_exists(pk)",
            Item={"pk": {"S": f"AUDIT#{entry.at.astimezone(UTC).date().isoformat()}"},
                  "sk": {"S": f"{at}#{uuid.uuid4().hex}"},
                  "at": {"S": at}, "by": {"S": entry.by},
                  "reference": {"S": entry.reference}, "action": {"S": entry.action.value},
                  "expires_at": {"N": str(expires_at)}})

    def audit_entries(self, day: date) -> list[AuditEntry]:
        """The entries of one day (UTC), oldest first."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, KeyConditionExpression="pk = :day",
            ExpressionAttributeValues={":day": {"S": f"AUDIT#{day.isoformat()}"}},
            ConsistentRead=True,
        )
        return [AuditEntry(at=datetime.fromisoformat(i["at"]["S"]), by=i["by"]["S"],
                           reference=i["reference"]["S"], action=AuditAction(i["action"]["S"]))
                for page in pages for i in page["Items"]]

    def audit_of(self, references: set[str]) -> list[AuditEntry]:
        """Every audit entry about these requests, oldest first (a data-protection export):
        one read of the audit's partitions, filtered by reference."""
        wanted = sorted(references)
        found: list[AuditEntry] = []
        for start in range(0, len(wanted), 100):  # IN takes at most 100 values
            names = {f":r{i}": {"S": ref} for i, ref in enumerate(wanted[start:start + 100])}
            pages = self._client.get_paginator("scan").paginate(
                TableName=self._table, ConsistentRead=True,
                FilterExpression=f"begins_with(pk, :audit) AND #ref IN ({', '.join(names)})",
                ExpressionAttributeNames={"#ref": "reference"},  # a reserved word
                ExpressionAttributeValues={":audit": {"S": "AUDIT#"}, **names})
            items = [item for page in pages for item in page.get("Items", [])]
            found.extend(AuditEntry(at=datetime.fromisoformat(i["at"]["S"]), by=i["by"]["S"],
                                    reference=i["reference"]["S"],
                                    action=AuditAction(i["action"]["S"])) for i in items)
        return sorted(found, key=lambda entry: entry.at)

    def all_requests(self) -> list[AdvisoryRequest]:
        """Every stored request, open or done (a data-protection request reads them all)."""
        items = self._scan("sk = :req", {":req": {"S": "REQ"}}, consistent=True)
        return [_request(item) for item in items]

    def forget(self, reference: str) -> None:
        """Delete the request; a queue message still naming it is dropped when pulled."""
        self._delete(_key(reference))
