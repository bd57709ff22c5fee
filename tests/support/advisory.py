"""Advisory requests' storage in memory (shared.advisory.ports.AdvisoryStore, and what the
privacy holder reads), item for item as DynamoAdvisoryStore keeps it: the request
(`REQ#<reference>`), its own copies of the consultants' audit and the day's trail
(`AUDIT#<day>`), the resubmission records and the receipts' gate, with the same conditions,
the same order of the indexes, the same expiry (TTL), under one lock; a new request and its
resubmission record are written together or not at all, as in the transaction.
tests/integration/test_advisory_store_contract.py holds the two to one suite."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.advisory.models import (
    AdvisoryRequest,
    AuditAction,
    AuditEntry,
    Kind,
    OpenRequest,
    Status,
)
from shared.advisory.ports import Message, ReferenceTaken
from tests.support.items import Items, Key, iso, moment

OPEN_FIELDS = ("reference", "kind", "urgent", "status", "received_at", "queued_at",
               "leased_until", "leased_by", "receipt", "done_at", "done_by", "expires_at",
               "consent_text_version", "follow_up_on", "follow_up_of", "follow_ups")


def _key(reference: str) -> Key:
    return f"REQ#{reference}", "REQ"


def _resubmission(key: str) -> Key:
    return f"RESUBMIT#{key}", "RESUBMIT"


def _gate(address_key: str) -> Key:
    return f"GATE#{address_key}", "GATE"


def _open_fields(item: dict[str, Any]) -> dict[str, Any]:
    return dict(
        reference=item["reference"], kind=Kind(item["kind"]), urgent=item["urgent"],
        status=Status(item["status"]), received_at=datetime.fromisoformat(item["received_at"]),
        queued_at=datetime.fromisoformat(item["queued_at"]),
        leased_until=moment(item, "leased_until"), leased_by=item.get("leased_by"),
        receipt=item.get("receipt"), done_at=moment(item, "done_at"),
        done_by=item.get("done_by"), expires_at=int(item["expires_at"]),
        consent_text_version=item.get("consent_text_version"),
        follow_up_on=date.fromisoformat(item["follow_up_on"]) if "follow_up_on" in item
        else None,
        follow_up_of=item.get("follow_up_of"),
        follow_ups=sorted(item.get("follow_ups", ())))


def _request(item: dict[str, Any]) -> AdvisoryRequest:
    return AdvisoryRequest(**_open_fields(item), sealed=item["sealed"],
                           sealed_note=item.get("sealed_note"),
                           address_key=item.get("address_key"))


def _entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry(at=datetime.fromisoformat(item["at"]), by=item["by"],
                      reference=item["reference"], action=AuditAction(item["action"]))


def _held_by(item: dict[str, Any], by: str) -> bool:
    """Leased to `by`, or on hold with them."""
    return item.get("status") in (Status.LEASED.value, Status.ON_HOLD.value) and \
        item.get("leased_by") == by


class MemoryAdvisoryStore:
    def __init__(self) -> None:
        self.items = Items()

    def put_new(self, request: AdvisoryRequest, resubmission: str, now: datetime,
                until: datetime) -> str:
        with self.items.lock:
            record = self.items.get(_resubmission(resubmission))
            if record is not None and not record["until"] <= iso(now):
                return str(record["reference"])
            if self.items.get(_key(request.reference)) is not None:
                raise ReferenceTaken()
            self.items.put(_resubmission(resubmission), {
                "reference": request.reference, "until": iso(until),
                "expires_at": int(until.timestamp()),
                **({"address_key": request.address_key} if request.address_key else {})})
            self.items.put(_key(request.reference), {
                "reference": request.reference, "kind": request.kind.value,
                "urgent": request.urgent, "status": request.status.value,
                "received_at": iso(request.received_at), "queued_at": iso(request.queued_at),
                "sealed": request.sealed, "open": 1, "expires_at": request.expires_at,
                **({"consent_text_version": request.consent_text_version}
                   if request.consent_text_version else {}),
                **({"address_key": request.address_key} if request.address_key else {})})
            return request.reference

    def get(self, reference: str) -> AdvisoryRequest | None:
        with self.items.lock:
            item = self.items.get(_key(reference))
        return _request(item) if item else None

    def pass_receipt_gate(self, address_key: str, now: datetime, until: datetime) -> bool:
        with self.items.lock:
            held = self.items.get(_gate(address_key))
            if held is not None and not held["until"] <= iso(now):
                return False
            self.items.put(_gate(address_key), {"kind": "gate", "until": iso(until),
                                                 "expires_at": int(until.timestamp())})
            return True

    def reopen_receipt_gate(self, address_key: str, until: datetime) -> None:
        with self.items.lock:
            held = self.items.get(_gate(address_key))
            if held is not None and held.get("until") == iso(until):
                self.items.delete(_gate(address_key))

    def _under_address(self, address_key: str) -> list[Key]:
        return [key for key, _ in self.items.having("address_key", address_key)]

    def forget_address(self, address_key: str) -> list[str]:
        with self.items.lock:
            self.items.delete(_gate(address_key))
            forgotten = []
            for key in self._under_address(address_key):
                self.items.delete(key)
                if key[0].startswith("REQ#"):
                    forgotten.append(key[0].removeprefix("REQ#"))
                    for sk, _ in self.items.partition(key[0], "AUDIT#"):
                        self.items.delete((key[0], sk))
            return forgotten

    def _status(self, reference: str) -> dict[str, Any] | None:
        return self.items.get(_key(reference))

    def lease(self, reference: str, by: str, until: datetime, receipt: str,
              now: datetime) -> bool:
        with self.items.lock:
            held = self._status(reference) or {}
            status = held.get("status")
            if not (status == Status.WAITING.value or (status == Status.LEASED.value and (
                    ("leased_until" in held and held["leased_until"] < iso(now))
                    or held.get("leased_by") == by))):
                return False
            self.items.update(_key(reference), {"status": Status.LEASED.value, "leased_by": by,
                                                "leased_until": iso(until), "receipt": receipt})
            return True

    def finish(self, reference: str, sealed_note: str | None, now: datetime,
               by: str | None = None) -> bool:
        with self.items.lock:
            held = self._status(reference)
            if held is None or (by is not None and not _held_by(held, by)):
                return False
            changes: dict[str, Any] = {"status": Status.DONE.value, "done_at": iso(now),
                                       "finished": 1}
            if sealed_note:
                changes["sealed_note"] = sealed_note
            if by is not None:
                changes["done_by"] = by
            self.items.update(_key(reference), changes,
                              remove=("open", "receipt", "leased_until", "follow_up_on"))
            return True

    def release(self, reference: str, by: str | None = None) -> bool:
        with self.items.lock:
            held = self._status(reference) or {}
            if (by is None and held.get("status") != Status.LEASED.value) or (
                    by is not None and not _held_by(held, by)):
                return False
            self.items.update(_key(reference), {"status": Status.WAITING.value},
                              remove=("leased_by", "leased_until", "receipt", "follow_up_on"))
            return True

    def extend(self, reference: str, until: datetime, by: str | None = None) -> bool:
        if by is None:
            return self._update_existing(reference, {"leased_until": iso(until)})
        with self.items.lock:
            held = self._status(reference) or {}
            if held.get("status") != Status.LEASED.value or held.get("leased_by") != by:
                return False
            self.items.update(_key(reference), {"leased_until": iso(until)})
            return True

    def hold(self, reference: str, by: str, follow_up_on: date,
             sealed_note: str | None) -> bool:
        with self.items.lock:
            held = self._status(reference) or {}
            if not _held_by(held, by):
                return False
            self.items.update(_key(reference), {
                "status": Status.ON_HOLD.value, "follow_up_on": follow_up_on.isoformat(),
                **({"sealed_note": sealed_note} if sealed_note else {})},
                remove=("leased_until", "receipt"))
            return True

    def reopen(self, reference: str, by: str, until: datetime, now: datetime) -> bool:
        with self.items.lock:
            held = self._status(reference) or {}
            if not (held.get("status") == Status.DONE.value or (
                    held.get("status") == Status.ON_HOLD.value and held.get("leased_by") == by)):
                return False
            self.items.update(_key(reference), {
                "status": Status.LEASED.value, "leased_by": by, "leased_until": iso(until),
                "open": 1, "queued_at": iso(now)},
                remove=("finished", "done_at", "done_by", "follow_up_on", "receipt"))
            return True

    def link(self, reference: str, earlier: str, by: str, previous: str | None) -> bool:
        with self.items.lock:
            held = self._status(reference) or {}
            before = self._status(earlier)
            if not _held_by(held, by) or before is None:
                return False
            self.items.update(_key(reference), {"follow_up_of": earlier})
            self.items.update(_key(earlier), {
                "follow_ups": sorted({*before.get("follow_ups", ()), reference})})
            gone = self._status(previous) if previous and previous != earlier else None
            if gone is not None:
                self.items.update(_key(previous or ""), {
                    "follow_ups": sorted(set(gone.get("follow_ups", ())) - {reference})})
            return True

    def requeued(self, reference: str, now: datetime) -> bool:
        return self._update_existing(reference, {"queued_at": iso(now)})

    def _update_existing(self, reference: str, changes: dict[str, Any]) -> bool:
        with self.items.lock:
            if self._status(reference) is None:
                return False
            self.items.update(_key(reference), changes)
            return True

    def open_requests(self) -> list[OpenRequest]:
        """The Open index: by the time received."""
        with self.items.lock:
            found = sorted(((item["received_at"], item) for _, item in self.items.having("open")),
                           key=lambda pair: pair[0])
        return [OpenRequest(**_open_fields(item)) for _, item in found]

    def finished_requests(self, limit: int) -> list[AdvisoryRequest]:
        """The Finished index, newest first."""
        with self.items.lock:
            found = sorted(((item["done_at"], item) for _, item in self.items.having("finished")),
                           key=lambda pair: pair[0], reverse=True)
        return [_request(item) for _, item in found[:limit]]

    def record(self, entry: AuditEntry, expires_at: int) -> None:
        at = iso(entry.at)
        sk = f"{at}#{uuid.uuid4().hex}"
        item = {"at": at, "by": entry.by, "reference": entry.reference,
                "action": entry.action.value, "expires_at": expires_at}
        with self.items.lock:
            self.items.put((f"AUDIT#{entry.at.astimezone(UTC).date().isoformat()}", sk), item)
            self.items.put((_key(entry.reference)[0], f"AUDIT#{sk}"), item)

    def audit_entries(self, day: date) -> list[AuditEntry]:
        with self.items.lock:
            return [_entry(item) for _, item in self.items.partition(f"AUDIT#{day.isoformat()}")]

    def audit_of(self, references: set[str]) -> list[AuditEntry]:
        with self.items.lock:
            found = [_entry(item) for reference in sorted(references)
                     for _, item in self.items.partition(_key(reference)[0], "AUDIT#")]
        return sorted(found, key=lambda entry: entry.at)

    def by_address(self, address_key: str) -> list[AdvisoryRequest]:
        with self.items.lock:
            references = [pk.removeprefix("REQ#") for pk, _ in self._under_address(address_key)
                          if pk.startswith("REQ#")]
            found = (self.get(reference) for reference in references)
            return [request for request in found
                    if request is not None and request.address_key == address_key]

    def without_address_key(self) -> list[AdvisoryRequest]:
        with self.items.lock:
            return [_request(item) for (_, sk), item in self.items.having("sealed")
                    if sk == "REQ" and "address_key" not in item]

    def set_address_key(self, reference: str, address_key: str) -> bool:
        with self.items.lock:
            held = self._status(reference)
            if held is None or "address_key" in held:
                return False
            self.items.update(_key(reference), {"address_key": address_key})
            return True

    def all_requests(self) -> list[AdvisoryRequest]:
        with self.items.lock:
            return [_request(item) for (_, sk), item in self.items.having("sealed")
                    if sk == "REQ"]

    def forget(self, reference: str) -> None:
        with self.items.lock:
            self.items.delete(_key(reference))

    # -- what a test reads of the table -----------------------------------------------------

    def expiries(self, reference: str) -> dict[str, int | None]:
        """The request's partition (the request, its audit copies): sort key -> TTL."""
        with self.items.lock:
            return {sk: item.get("expires_at")
                    for sk, item in self.items.partition(_key(reference)[0])}


class MemorySealer:
    """Sealed contents are an opaque token (nothing of the contents in it), opened only with
    the reference they were sealed for, as the KMS encryption context binds them."""

    def __init__(self) -> None:
        self._sealed: dict[str, tuple[dict[str, object], str]] = {}
        self._lock = threading.Lock()

    def seal(self, contents: dict[str, object], reference: str) -> str:
        token = f"sealed-{uuid.uuid4().hex}"
        with self._lock:
            self._sealed[token] = (dict(contents), reference)
        return token

    def open(self, sealed: str, reference: str) -> dict[str, object]:
        with self._lock:
            contents, context = self._sealed[sealed]
        if context != reference:
            raise ValueError("sealed for another reference")
        return dict(contents)


@dataclass
class _Queued:
    reference: str
    deduplication: str
    sent_at: datetime
    visible_at: datetime
    receipt: str = ""


class MemoryWorkQueue:
    """The urgent and normal FIFO queues as SqsWorkQueue uses them: each message its own
    group, named by its deduplication id (one in flight never holds back the next), a
    deduplication id kept once for five minutes, one message per receive in the order sent,
    invisible for the lease asked and visible again after it; a delete or a new lease needs
    the message's latest receipt. The time is the clock's; `drop` loses every message, as SQS
    does after its retention."""

    DEDUPLICATION = timedelta(minutes=5)

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._queues: dict[bool, list[_Queued]] = {True: [], False: []}
        self._seen: dict[tuple[bool, str], datetime] = {}

    def send(self, reference: str, urgent: bool, deduplication: str) -> None:
        now = self._clock()
        with self._lock:
            seen = self._seen.get((urgent, deduplication))
            if seen is not None and now < seen + self.DEDUPLICATION:
                return
            self._seen[(urgent, deduplication)] = now
            self._queues[urgent].append(_Queued(reference, deduplication, now, now))

    def receive(self, urgent: bool, lease_seconds: int) -> list[Message]:
        now = self._clock()
        with self._lock:
            in_flight: set[str] = set()  # a group with a message in flight waits behind it
            for queued in self._queues[urgent]:  # each message its own group
                if queued.visible_at > now:
                    in_flight.add(queued.deduplication)
                elif queued.deduplication not in in_flight:
                    queued.visible_at = now + timedelta(seconds=lease_seconds)
                    queued.receipt = uuid.uuid4().hex
                    return [Message(queued.reference, queued.receipt, urgent)]
        return []

    def _held(self, message: Message) -> _Queued | None:
        return next((q for q in self._queues[message.urgent]
                     if message.receipt and q.receipt == message.receipt), None)

    def delete(self, message: Message) -> None:
        with self._lock:
            queued = self._held(message)
            if queued is not None:
                self._queues[message.urgent].remove(queued)

    def set_lease(self, message: Message, seconds: int) -> None:
        with self._lock:
            queued = self._held(message)
            if queued is not None:
                queued.visible_at = self._clock() + timedelta(seconds=seconds)

    def drop(self) -> None:
        with self._lock:
            for queue in self._queues.values():
                queue.clear()

    def references(self, urgent: bool) -> list[str]:
        with self._lock:
            return [q.reference for q in self._queues[urgent]]


class NoMail:
    """A mailer that sends nothing (the rules of the desk need none)."""

    def receipt(self, *args: Any) -> None:
        pass

    def notice(self, *args: Any) -> None:
        pass
