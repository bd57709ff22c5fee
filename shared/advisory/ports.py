"""What advisory requests need from the world, as protocols the adapters fulfil (KMS, DynamoDB,
SQS, SES, CloudWatch in AWS and locally; fakes in unit tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from shared.advisory.models import AdvisoryRequest, AuditEntry, OpenRequest


class Sealer(Protocol):
    """Envelope encryption bound to the request (its reference is the encryption context)."""

    def seal(self, contents: dict[str, object], reference: str) -> str: ...

    def open(self, sealed: str, reference: str) -> dict[str, object]: ...


class ReferenceTaken(Exception):
    """The random reference drawn is another request's: draw again."""


class AdvisoryStore(Protocol):
    def put_new(self, request: AdvisoryRequest, resubmission: str, now: datetime,
                until: datetime) -> str:
        """Store the request and remember its resubmission key until `until`, at once: the
        reference now stored for this submission (the request's own, or the earlier one
        the key names, with nothing written). Raises ReferenceTaken."""

    def pass_receipt_gate(self, address_key: str, now: datetime, until: datetime) -> bool:
        """True when the address may get a receipt now (then not again before `until`)."""

    def reopen_receipt_gate(self, address_key: str, until: datetime) -> None:
        """Undo the pass that closed the gate until `until` (not a later one): its receipt
        was not sent."""

    def get(self, reference: str) -> AdvisoryRequest | None: ...

    def lease(self, reference: str, by: str, until: datetime, receipt: str,
              now: datetime) -> bool:
        """Mark it leased unless it is done or leased to someone else until later."""

    def finish(self, reference: str, sealed_note: str | None, now: datetime,
               by: str | None = None) -> bool:
        """Done; with `by`, only while leased to `by` (False otherwise)."""

    def release(self, reference: str, by: str | None = None) -> bool:
        """Waiting again; with `by`, only while leased to or on hold with `by` (False
        otherwise)."""

    def extend(self, reference: str, until: datetime, by: str | None = None) -> bool:
        """False (nothing written) when the request is gone; with `by`, also unless it is
        leased to `by`."""

    def hold(self, reference: str, by: str, follow_up_on: date,
             sealed_note: str | None) -> bool:
        """On hold with `by` until `follow_up_on` (out of the queue), only while leased to or
        on hold with `by` (False otherwise); a note replaces the one kept."""

    def reopen(self, reference: str, by: str, until: datetime, now: datetime) -> bool:
        """Leased to `by` until `until`, only while done or on hold with `by` (False
        otherwise)."""

    def link(self, reference: str, earlier: str, by: str, previous: str | None) -> bool:
        """`reference` follows up `earlier` (and no longer `previous`), only while leased to
        or on hold with `by` and while `earlier` exists (False otherwise, nothing written)."""

    def requeued(self, reference: str, now: datetime) -> bool:
        """False (nothing written) when the request is gone."""

    def open_requests(self) -> list[OpenRequest]: ...

    def finished_requests(self, limit: int) -> list[AdvisoryRequest]: ...

    def record(self, entry: AuditEntry, expires_at: int) -> None:
        """Add one audit entry (never changed, gone at `expires_at`)."""

    def audit_entries(self, day: date) -> list[AuditEntry]: ...


@dataclass(frozen=True)
class Message:
    reference: str
    receipt: str
    urgent: bool


class WorkQueue(Protocol):
    """Two queues, urgent and normal, carrying only references."""

    def send(self, reference: str, urgent: bool, deduplication: str) -> None: ...

    def receive(self, urgent: bool, lease_seconds: int) -> list[Message]: ...

    def delete(self, message: Message) -> None: ...

    def set_lease(self, message: Message, seconds: int) -> None: ...


class Counter(Protocol):
    def count(self, name: str, value: float = 1) -> None: ...


class Mailer(Protocol):
    def receipt(self, to: str, request: AdvisoryRequest) -> None:
        """The sender's receipt: nothing they typed, only what we say."""

    def notice(self, request: AdvisoryRequest) -> None: ...
