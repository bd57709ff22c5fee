"""Advisory requests in DynamoDB: `pk=REQ#<reference>`. Open requests carry `open=1` and
appear in the sparse Open index in arrival order; the contents are only ever sealed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.advisory.models import AdvisoryRequest, Kind, Status
from shared.names import INDEX_OPEN_REQUESTS


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
        receipt=text("receipt"), done_at=moment("done_at"),
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

    def finish(self, reference: str, sealed_note: str | None, now: datetime) -> bool:
        values: dict[str, Any] = {":done": {"S": Status.DONE.value}, ":now": {"S": _iso(now)}}
        update = "SET #status = :done, done_at = :now REMOVE #open, receipt, leased_until"
        if sealed_note:
            update = update.replace("done_at = :now", "done_at = :now, sealed_note = :note")
            values[":note"] = {"S": sealed_note}
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference), UpdateExpression=update,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#status": "status", "#open": "open"},
                ExpressionAttributeValues=values,
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, reference: str) -> None:
        self._client.update_item(
            TableName=self._table, Key=_key(reference),
            UpdateExpression="SET #status = :waiting REMOVE leased_by, leased_until, receipt",
            ConditionExpression="#status = :leased",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":waiting": {"S": Status.WAITING.value},
                                       ":leased": {"S": Status.LEASED.value}},
        )

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

    def all_requests(self) -> list[AdvisoryRequest]:
        """Every stored request, open or done (a data-protection request reads them all)."""
        items = self._scan("sk = :req", {":req": {"S": "REQ"}}, consistent=True)
        return [_request(item) for item in items]

    def forget(self, reference: str) -> None:
        """Delete the request; a queue message still naming it is dropped when pulled."""
        self._delete(_key(reference))
