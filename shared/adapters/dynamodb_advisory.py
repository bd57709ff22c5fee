"""Advisory requests in DynamoDB: `pk=REQ#<reference>`. Open requests carry `open=1` and
appear in the sparse Open index in arrival order, finished ones `finished=1` in the sparse
Finished index, newest first; the contents are only ever sealed. The audit of what the
consultants did lives beside them, one partition per day (`pk=AUDIT#<date>`), each entry
with its own expiry. A request that names an email carries the address's keyed hash
(`address_key`) and appears in the sparse RequestsByAddress index under it (keys only: the
request is read from the table). Beside them: the receipts' mail gate per address
(`pk=GATE#<address key>`) and what recognises a resubmitted form
(`pk=RESUBMIT#<keyed hash>`, naming its reference and in the index under the address
when there is one), both expiring.

An item that cannot be read as a request (a half-written one, say) is skipped where requests
are listed, and logged by its key alone, so one bad item never stops the queue, the requeue or
a data-protection request."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from shared.adapters.aws import DynamoTable
from shared.advisory.models import (
    AdvisoryRequest,
    AuditAction,
    AuditEntry,
    Kind,
    OpenRequest,
    Status,
)
from shared.advisory.ports import ReferenceTaken
from shared.platform.names import (
    INDEX_FINISHED_REQUESTS,
    INDEX_OPEN_REQUESTS,
    INDEX_REQUESTS_BY_ADDRESS,
)
from shared.platform.observability import logger

Read = TypeVar("Read", AdvisoryRequest, OpenRequest)


def _audit_entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry(at=datetime.fromisoformat(item["at"]["S"]), by=item["by"]["S"],
                      reference=item["reference"]["S"], action=AuditAction(item["action"]["S"]))


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
        **({"address_key": {"S": request.address_key}} if request.address_key else {}),
    }


# The fields of OpenRequest as the table holds them (a queue list reads only these).
OPEN_FIELDS = ("reference", "kind", "urgent", "status", "received_at", "queued_at",
               "leased_until", "leased_by", "receipt", "done_at", "done_by", "expires_at",
               "consent_text_version", "follow_up_on", "follow_up_of", "follow_ups")


def _open_fields(item: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def moment(name: str) -> datetime | None:
        value = text(name)
        return datetime.fromisoformat(value) if value else None

    return dict(
        reference=item["reference"]["S"], kind=Kind(item["kind"]["S"]),
        urgent=item["urgent"]["BOOL"], status=Status(item["status"]["S"]),
        received_at=datetime.fromisoformat(item["received_at"]["S"]),
        queued_at=datetime.fromisoformat(item["queued_at"]["S"]),
        leased_until=moment("leased_until"), leased_by=text("leased_by"),
        receipt=text("receipt"), done_at=moment("done_at"), done_by=text("done_by"),
        expires_at=int(item["expires_at"]["N"]),
        consent_text_version=text("consent_text_version"),
        follow_up_on=date.fromisoformat(item["follow_up_on"]["S"])
        if "follow_up_on" in item else None,
        follow_up_of=text("follow_up_of"),
        follow_ups=sorted(item["follow_ups"]["SS"]) if "follow_ups" in item else [],
    )


def _request(item: dict[str, Any]) -> AdvisoryRequest:
    return AdvisoryRequest(
        **_open_fields(item), sealed=item["sealed"]["S"],
        sealed_note=item["sealed_note"]["S"] if "sealed_note" in item else None,
        address_key=item["address_key"]["S"] if "address_key" in item else None)


def _requests(items: Iterable[dict[str, Any]]) -> Iterator[AdvisoryRequest]:
    """The items that are requests; one that is not readable as one is logged by its key
    (a reference, never contents) and skipped."""
    return _readable(items, _request)


def _open_requests(items: Iterable[dict[str, Any]]) -> Iterator[OpenRequest]:
    """The open fields of the items that are requests, skipped and logged as `_requests`."""
    return _readable(items, lambda item: OpenRequest(**_open_fields(item)))


def _readable(items: Iterable[dict[str, Any]],
              read: Callable[[dict[str, Any]], Read]) -> Iterator[Read]:
    for item in items:
        try:
            yield read(item)
        except (KeyError, TypeError, ValueError, ValidationError):
            logger.warning("advisory item skipped: not a readable request",
                           extra={"pk": item.get("pk", {}).get("S"),
                                  "sk": item.get("sk", {}).get("S")})


# Held by `:by`: leased to them, or on hold with them.
HELD_BY = "(#status = :leased OR #status = :on_hold) AND leased_by = :by"


def _held_by(by: str) -> dict[str, Any]:
    return {":by": {"S": by}, ":leased": {"S": Status.LEASED.value},
            ":on_hold": {"S": Status.ON_HOLD.value}}


def _resubmission_key(key: str) -> dict[str, Any]:
    return {"pk": {"S": f"RESUBMIT#{key}"}, "sk": {"S": "RESUBMIT"}}


def _gate_key(address_key: str) -> dict[str, Any]:
    return {"pk": {"S": f"GATE#{address_key}"}, "sk": {"S": "GATE"}}


class DynamoAdvisoryStore(DynamoTable):
    def put_new(self, request: AdvisoryRequest, resubmission: str, now: datetime,
                until: datetime) -> str:
        """Store the request and the record of its resubmission key (until `until`) in one
        transaction: the reference now stored for this submission, `request.reference` when
        it was stored now, or the one the key already names (nothing written). A reference
        already taken by another request, or a transaction in conflict with this one (the
        same form sent twice at once), raises `ReferenceTaken`: the caller tries again."""
        record = {**_resubmission_key(resubmission), "reference": {"S": request.reference},
                  "until": {"S": _iso(until)}, "expires_at": {"N": str(int(until.timestamp()))},
                  **({"address_key": {"S": request.address_key}} if request.address_key else {})}
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": record,
                         "ConditionExpression": "attribute_not_exists(pk) OR #until <= :now",
                         "ExpressionAttributeNames": {"#until": "until"},
                         "ExpressionAttributeValues": {":now": {"S": _iso(now)}}}},
                {"Put": {"TableName": self._table, "Item": _item(request),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = [r.get("Code") for r in cancelled.response.get("CancellationReasons", [])]
            if "TransactionConflict" in reasons:  # the same form at the same moment: again
                raise ReferenceTaken() from cancelled
            if reasons and reasons[0] == "ConditionalCheckFailed":
                item = self._client.get_item(TableName=self._table,
                                             Key=_resubmission_key(resubmission),
                                             ConsistentRead=True).get("Item")
                if item is not None and item["until"]["S"] > _iso(now):
                    return str(item["reference"]["S"])
                raise ReferenceTaken() from cancelled  # expired meanwhile: try anew
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise ReferenceTaken() from cancelled
            raise
        return request.reference

    def get(self, reference: str) -> AdvisoryRequest | None:
        item = self._client.get_item(TableName=self._table, Key=_key(reference),
                                     ConsistentRead=True).get("Item")
        return next(_requests([item]), None) if item else None

    def pass_receipt_gate(self, address_key: str, now: datetime, until: datetime) -> bool:
        """True when the address may get a receipt now (and then not again before
        `until`): the mail gate registration and the newsletter use."""
        return self._pass_gate(_gate_key(address_key), now, until)

    def reopen_receipt_gate(self, address_key: str, until: datetime) -> None:
        self._reopen_gate(_gate_key(address_key), until)

    def _under_address(self, address_key: str) -> list[dict[str, Any]]:
        """The keys of every item under the address's keyed hash (requests and resubmission
        records), from the keys-only index."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, IndexName=INDEX_REQUESTS_BY_ADDRESS,
            KeyConditionExpression="address_key = :key",
            ExpressionAttributeValues={":key": {"S": address_key}},
        )
        return [{"pk": item["pk"], "sk": item["sk"]} for page in pages for item in page["Items"]]

    def forget_address(self, address_key: str) -> list[str]:
        """Delete every request under the address's keyed hash, and what is kept beside
        them: the records of its resubmissions (each names a reference) and its receipts'
        gate. The references of the requests deleted."""
        # The gate first: the look for requests is the last step, so one sent meanwhile is
        # found by this pass or by the next (shared.privacy.service.until_nothing_found).
        self._delete(_gate_key(address_key))
        forgotten = []
        for key in self._under_address(address_key):
            self._delete(key)
            if key["pk"]["S"].startswith("REQ#"):
                forgotten.append(key["pk"]["S"].removeprefix("REQ#"))
                for copy in self._own_audit(forgotten[-1]):  # the day's trail keeps its entry
                    self._delete({"pk": copy["pk"], "sk": copy["sk"]})
        return forgotten

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
            condition += f" AND {HELD_BY}"
            values.update(_held_by(by))
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference),
                UpdateExpression=f"SET {', '.join(sets)} REMOVE #open, receipt, leased_until, "
                "follow_up_on",
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
            condition = HELD_BY
            values.update(_held_by(by))
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference),
                UpdateExpression="SET #status = :waiting REMOVE leased_by, leased_until, receipt, "
                "follow_up_on",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def extend(self, reference: str, until: datetime, by: str | None = None) -> bool:
        """False when the request is gone (erased meanwhile), or with `by` unless it is
        leased to `by`: nothing is written."""
        if by is None:
            return self._update_existing(reference, "SET leased_until = :until",
                                         {":until": {"S": _iso(until)}})
        return self._conditional(reference, "SET leased_until = :until",
                                 "#status = :leased AND leased_by = :by",
                                 {":until": {"S": _iso(until)}, ":by": {"S": by},
                                  ":leased": {"S": Status.LEASED.value}})

    def hold(self, reference: str, by: str, follow_up_on: date,
             sealed_note: str | None) -> bool:
        """On hold with `by` until `follow_up_on`, while leased to or on hold with `by`."""
        sets = "SET #status = :on_hold, follow_up_on = :day" + \
            (", sealed_note = :note" if sealed_note else "")
        return self._conditional(
            reference, f"{sets} REMOVE leased_until, receipt", HELD_BY,
            {**_held_by(by), ":on_hold": {"S": Status.ON_HOLD.value},
             ":day": {"S": follow_up_on.isoformat()},
             **({":note": {"S": sealed_note}} if sealed_note else {})})

    def reopen(self, reference: str, by: str, until: datetime, now: datetime) -> bool:
        """Leased to `by` until `until`, while done, or on hold with `by`: open again (in the
        Open index, out of the Finished one)."""
        return self._conditional(
            reference,
            "SET #status = :leased, leased_by = :by, leased_until = :until, #open = :one, "
            "queued_at = :now REMOVE finished, done_at, done_by, follow_up_on, receipt",
            "#status = :done OR (#status = :on_hold AND leased_by = :by)",
            {":leased": {"S": Status.LEASED.value}, ":done": {"S": Status.DONE.value},
             ":on_hold": {"S": Status.ON_HOLD.value}, ":by": {"S": by},
             ":until": {"S": _iso(until)}, ":now": {"S": _iso(now)}, ":one": {"N": "1"}},
            names={"#open": "open"})

    def link(self, reference: str, earlier: str, by: str, previous: str | None) -> bool:
        """One transaction: `reference` names `earlier` (while held by `by`), `earlier` adds
        it to its follow-ups (while it exists), `previous` drops it."""
        later = reference
        items: list[dict[str, Any]] = [
            {"Update": {"TableName": self._table, "Key": _key(later),
                        "UpdateExpression": "SET follow_up_of = :earlier",
                        "ConditionExpression": HELD_BY,
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":earlier": {"S": earlier},
                                                      **_held_by(by)}}},
            {"Update": {"TableName": self._table, "Key": _key(earlier),
                        "UpdateExpression": "ADD follow_ups :later",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":later": {"SS": [later]}}}},
        ]
        if previous and previous != earlier:
            items.append({"Update": {"TableName": self._table, "Key": _key(previous),
                                     "UpdateExpression": "DELETE follow_ups :later",
                                     "ConditionExpression": "attribute_exists(pk)",
                                     "ExpressionAttributeValues": {":later": {"SS": [later]}}}})
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = [r.get("Code") for r in cancelled.response.get("CancellationReasons", [])]
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed" and \
                    "ConditionalCheckFailed" not in reasons[:2]:
                return self.link(reference, earlier, by, None)  # the previous one is gone
            return False
        return True

    def _conditional(self, reference: str, update: str, condition: str,
                     values: dict[str, Any], names: dict[str, str] | None = None) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference), UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status", **(names or {})},
                ExpressionAttributeValues=values)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def requeued(self, reference: str, now: datetime) -> bool:
        """False when the request is gone (erased meanwhile): no stub is made of it."""
        return self._update_existing(reference, "SET queued_at = :now",
                                     {":now": {"S": _iso(now)}})

    def _update_existing(self, reference: str, update: str, values: dict[str, Any]) -> bool:
        """An update of a request that exists: an update alone would create the item."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference), UpdateExpression=update,
                ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues=values)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def open_requests(self) -> list[OpenRequest]:
        """Every request not done, without its sealed contents: the answer holds only the
        open fields (DynamoDB still reads whole items, 1 MB a page, but sends these)."""
        names = {f"#{field}": field for field in OPEN_FIELDS}
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, IndexName=INDEX_OPEN_REQUESTS,
            KeyConditionExpression="#open = :one",
            ProjectionExpression=", ".join(["pk", "sk", *names]),
            ExpressionAttributeNames={"#open": "open", **names},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        return list(_open_requests(i for page in pages for i in page["Items"]))

    def finished_requests(self, limit: int) -> list[AdvisoryRequest]:
        """The last `limit` requests finished, newest first."""
        answer = self._client.query(
            TableName=self._table, IndexName=INDEX_FINISHED_REQUESTS,
            KeyConditionExpression="finished = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ScanIndexForward=False, Limit=limit,
        )
        return list(_requests(answer["Items"]))

    def record(self, entry: AuditEntry, expires_at: int) -> None:
        """One audit entry; a new item each time (never overwritten, never updated), in the
        day's partition (the consultants' trail) and under the request itself (what a
        data-protection export of the request shows), in one transaction."""
        at = _iso(entry.at)
        item = {"sk": {"S": f"{at}#{uuid.uuid4().hex}"}, "at": {"S": at}, "by": {"S": entry.by},
                "reference": {"S": entry.reference}, "action": {"S": entry.action.value},
                "expires_at": {"N": str(expires_at)}}
        day = {"pk": {"S": f"AUDIT#{entry.at.astimezone(UTC).date().isoformat()}"}, **item}
        own = {**item, "pk": _key(entry.reference)["pk"], "sk": {"S": f"AUDIT#{item['sk']['S']}"}}
        self._client.transact_write_items(TransactItems=[
            {"Put": {"TableName": self._table, "Item": entry_item,
                     "ConditionExpression": "attribute_not_exists(pk)"}}
            for entry_item in (day, own)])

    def audit_entries(self, day: date) -> list[AuditEntry]:
        """The entries of one day (UTC), oldest first."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, KeyConditionExpression="pk = :day",
            ExpressionAttributeValues={":day": {"S": f"AUDIT#{day.isoformat()}"}},
            ConsistentRead=True,
        )
        return [_audit_entry(i) for page in pages for i in page["Items"]]

    def audit_of(self, references: set[str]) -> list[AuditEntry]:
        """Every audit entry about these requests, oldest first (a data-protection export):
        one query of each request's own copies of its entries."""
        found = [_audit_entry(item) for reference in sorted(references)
                 for item in self._own_audit(reference)]
        return sorted(found, key=lambda entry: entry.at)

    def _own_audit(self, reference: str) -> list[dict[str, Any]]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :audit)",
            ExpressionAttributeValues={":pk": _key(reference)["pk"], ":audit": {"S": "AUDIT#"}})
        return [item for page in pages for item in page.get("Items", [])]

    def by_address(self, address_key: str) -> list[AdvisoryRequest]:
        """The requests whose sender's address has this keyed hash: a query of the index
        (eventually consistent), each request then read consistently from the table (one
        erased meanwhile is left out)."""
        references = [key["pk"]["S"].removeprefix("REQ#")
                      for key in self._under_address(address_key)
                      if key["pk"]["S"].startswith("REQ#")]
        found = (self.get(reference) for reference in references)
        return [request for request in found
                if request is not None and request.address_key == address_key]

    def without_address_key(self) -> list[AdvisoryRequest]:
        """Requests stored before they carried the keyed hash (a one-off backfill reads
        them)."""
        items = self._scan("sk = :req AND attribute_not_exists(address_key)",
                           {":req": {"S": "REQ"}}, consistent=True)
        return list(_requests(items))

    def set_address_key(self, reference: str, address_key: str) -> bool:
        """Add the keyed hash to a request that has none; False when it is gone or has one."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(reference),
                UpdateExpression="SET address_key = :key",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(address_key)",
                ExpressionAttributeValues={":key": {"S": address_key}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def all_requests(self) -> list[AdvisoryRequest]:
        """Every stored request, open or done (a whole-table scan: tests and the benchmark)."""
        items = self._scan("sk = :req", {":req": {"S": "REQ"}}, consistent=True)
        return list(_requests(items))

    def forget(self, reference: str) -> None:
        """Delete the request; a queue message still naming it is dropped when pulled."""
        self._delete(_key(reference))
