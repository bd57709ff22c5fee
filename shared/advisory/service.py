"""What happens to an advisory request: intake (sealed, stored, queued, receipted) and the
consultant's desk (the next request leased, done, released, listed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.advisory.models import (
    AdvisoryForm,
    AdvisoryRequest,
    Contents,
    Overview,
    Status,
)
from shared.advisory.reference import new_reference
from shared.clock import Clock, utcnow
from shared.errors import Conflict, NotFound
from shared.privacy_notice import PRIVACY_NOTICE_VERSION

# SQS keeps a message at most 14 days; a request still waiting after this is queued again.
REQUEUE_AFTER = timedelta(days=10)


class Sealer(Protocol):
    """Envelope encryption bound to the request (its reference is the encryption context)."""

    def seal(self, contents: dict[str, object], reference: str) -> str: ...

    def open(self, sealed: str, reference: str) -> dict[str, object]: ...


class AdvisoryStore(Protocol):
    def put_new(self, request: AdvisoryRequest) -> bool:
        """Store it unless the reference exists; False for a repeat."""

    def get(self, reference: str) -> AdvisoryRequest | None: ...

    def lease(self, reference: str, by: str, until: datetime, receipt: str,
              now: datetime) -> bool:
        """Mark it leased unless it is done or leased to someone else until later."""

    def finish(self, reference: str, sealed_note: str | None, now: datetime) -> bool: ...

    def release(self, reference: str) -> None: ...

    def extend(self, reference: str, until: datetime) -> None: ...

    def requeued(self, reference: str, now: datetime) -> None: ...

    def open_requests(self) -> list[AdvisoryRequest]: ...


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


class _NoCounter:
    def count(self, name: str, value: float = 1) -> None:
        pass


class Mailer(Protocol):
    def receipt(self, to: str, reference: str, request: AdvisoryRequest,
                name: str | None = None) -> None: ...

    def notice(self, request: AdvisoryRequest) -> None: ...


def dedup_key(form: AdvisoryForm, idempotency_key: str | None, now: datetime) -> str:
    """What makes a resubmission the same request: the form's key, or its content that day."""
    if idempotency_key:
        return f"key:{idempotency_key}"
    body = form.model_dump(mode="json", exclude={"website"})
    return f"body:{now.date().isoformat()}:{json.dumps(body, sort_keys=True)}"


class Intake:
    def __init__(self, store: AdvisoryStore, sealer: Sealer, queue: WorkQueue, mailer: Mailer,
                 retention_days: int, clock: Clock = utcnow) -> None:
        self._store = store
        self._sealer = sealer
        self._queue = queue
        self._mailer = mailer
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    def submit(self, form: AdvisoryForm, idempotency_key: str | None = None) -> tuple[str, bool]:
        """The request's reference, and whether it is new (a repeat is not stored again)."""
        now = self._clock()
        reference = new_reference(dedup_key(form, idempotency_key, now))
        request = AdvisoryRequest(
            reference=reference, kind=form.kind, urgent=form.urgent, status=Status.WAITING,
            received_at=now, queued_at=now,
            sealed=self._sealer.seal(form.contents().model_dump(mode="json"), reference),
            expires_at=int((now + self._retention).timestamp()),
            consent_text_version=PRIVACY_NOTICE_VERSION,
        )
        created = self._store.put_new(request)
        # Queued on every submission: a repeat after a crash between store and queue heals;
        # the queue drops the duplicate of a message it already holds.
        self._queue.send(reference, form.urgent, deduplication=reference)
        if created:
            if form.email:
                self._mailer.receipt(form.email, reference, request, form.name)
            self._mailer.notice(request)
        return reference, created

    def requeue_stale(self) -> int:
        """Queue again every request not done whose message may have expired: waiting,
        released, or leased and never finished (a lease that ran out leaves the request with
        no message once SQS drops it; one still running may run past that). Nothing is lost,
        however a request was left; a copy that meets a running lease stays hidden until the
        lease ends, and one of a finished request is dropped when pulled."""
        now = self._clock()
        count = 0
        for request in self._store.open_requests():
            if request.status is not Status.DONE and now - request.queued_at >= REQUEUE_AFTER:
                self._queue.send(request.reference, request.urgent,
                                 deduplication=f"{request.reference}:{now.date()}")
                self._store.requeued(request.reference, now)
                count += 1
        return count

    def oldest_waiting_age(self, now: datetime) -> float | None:
        """Hours the oldest request not yet done has waited."""
        requests = self._store.open_requests()
        if not requests:
            return None
        oldest = min(r.received_at for r in requests)
        return round((now - oldest).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class Leased:
    request: AdvisoryRequest
    contents: Contents
    message: Message
    until: datetime


class Desk:
    """The consultant's side: one request at a time, urgent ones first, oldest first."""

    def __init__(self, store: AdvisoryStore, sealer: Sealer, queue: WorkQueue, consultant: str,
                 clock: Clock = utcnow, metrics: Counter | None = None) -> None:
        self._store = store
        self._sealer = sealer
        self._queue = queue
        self._consultant = consultant
        self._clock = clock
        self._metrics = metrics or _NoCounter()

    def next(self, lease: timedelta = timedelta(minutes=30)) -> Leased | None:
        """The first message of the urgent queue, else of the normal one (FIFO queues keep
        arrival order), leased: invisible to everyone else until done, released or expired."""
        seconds = int(lease.total_seconds())
        for urgent in (True, False):
            while messages := self._queue.receive(urgent, seconds):
                message = messages[0]
                request = self._store.get(message.reference)
                if request is None or request.status is Status.DONE:
                    self._queue.delete(message)  # a stale copy of a finished request
                    continue
                now = self._clock()
                if not self._store.lease(request.reference, self._consultant, now + lease,
                                         message.receipt, now):
                    continue  # a second copy of a request someone else holds: stays hidden
                contents = Contents.model_validate(
                    self._sealer.open(request.sealed, request.reference))
                self._metrics.count("AdvisoryLeased")
                return Leased(request, contents, message, now + lease)
        return None

    def done(self, reference: str, note: str | None = None) -> None:
        request = self._leased(reference)
        sealed_note = None
        if note:
            sealed_note = self._sealer.seal({"note": note}, f"{reference}:note")
        self._store.finish(reference, sealed_note, self._clock())
        self._queue.delete(Message(reference, request.receipt or "", request.urgent))
        self._metrics.count("AdvisoryDone")

    def release(self, reference: str) -> None:
        request = self._leased(reference)
        self._store.release(reference)
        self._queue.set_lease(Message(reference, request.receipt or "", request.urgent), 0)
        self._metrics.count("AdvisoryReleased")

    def extend(self, reference: str, lease: timedelta) -> None:
        request = self._leased(reference)
        self._queue.set_lease(Message(reference, request.receipt or "", request.urgent),
                              int(lease.total_seconds()))
        self._store.extend(reference, self._clock() + lease)

    def waiting(self) -> list[Overview]:
        now = self._clock()
        requests = sorted(self._store.open_requests(),
                          key=lambda r: (not r.urgent, r.received_at))
        return [Overview(reference=r.reference, kind=r.kind, urgent=r.urgent, status=r.status,
                         received_at=r.received_at,
                         age_hours=round((now - r.received_at).total_seconds() / 3600, 1))
                for r in requests]

    def _leased(self, reference: str) -> AdvisoryRequest:
        request = self._store.get(reference)
        if request is None:
            raise NotFound("Henvendelsen findes ikke.", code="unknown_reference")
        if request.status is not Status.LEASED or request.leased_by != self._consultant:
            raise Conflict("Henvendelsen er ikke lånt ud til dig.", code="not_leased")
        return request
