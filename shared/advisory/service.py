"""What happens to an advisory request: intake (sealed, stored, queued, receipted) and the
consultant's desk (the next request leased, shown, done, released, counted, the history of
finished ones), each view of a request's contents audited first. The console and the CLI
both work through the desk, so their lease rules are one."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from shared.advisory.lookup import address_key, resubmission_key
from shared.advisory.models import (
    AdvisoryForm,
    AdvisoryRequest,
    AgeCount,
    AuditAction,
    AuditEntry,
    Contents,
    Mine,
    Overview,
    QueueCounts,
    Related,
    Shown,
    Status,
)
from shared.advisory.ports import (
    AdvisoryStore,
    Counter,
    Mailer,
    Message,
    ReferenceTaken,
    Sealer,
    WorkQueue,
)
from shared.advisory.reference import new_reference
from shared.email import through_gate
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.platform.clock import Clock, to_copenhagen, utcnow
from shared.privacy_notice import PRIVACY_NOTICE_VERSION

# SQS keeps a message at most 14 days; a request still waiting after this is queued again.
REQUEUE_AFTER = timedelta(days=10)
# The audit of who viewed or handled which request is kept two years: longer than any request
# (180 days by default), so a data-protection question about a request erased or expired can
# still be answered.
AUDIT_RETENTION = timedelta(days=730)
# The queue's ages as the console counts them: (label, up to this many hours).
AGE_BUCKETS = (("Under 1 døgn", 24.0), ("1-3 døgn", 72.0), ("3-7 døgn", 168.0),
               ("Over 7 døgn", float("inf")))
HISTORY_LIMIT = 50
# At most one receipt to an address per interval (the mail gate registration uses): the form
# takes any address, so its receipts must not become a way to mail someone else.
RECEIPT_INTERVAL = timedelta(hours=1)
# How long a resubmitted form is recognised (its record then expires by TTL).
RESUBMISSION_WINDOW = timedelta(days=2)
# Random references drawn before giving up (one taken already is 1 in 30**6 / stored).
DRAWS = 5
# How long a request taken, extended or reopened stays its consultant's.
LEASE = timedelta(minutes=30)
NOT_YOURS = "Henvendelsen er ikke reserveret til dig."


class _NoCounter:
    def count(self, name: str, value: float = 1) -> None:
        pass


def dedup_key(form: AdvisoryForm, idempotency_key: str | None, now: datetime) -> str:
    """What makes a resubmission the same request: the form's key with the same content, or
    the same content that day. A key sent again with other content (the form edited after an
    answer that never came) is a new request, so an edit is never dropped as a repeat. Never
    stored as such: the store keeps only its keyed hash (`resubmission_key`)."""
    body = json.dumps(form.model_dump(mode="json", exclude={"website"}), sort_keys=True)
    if idempotency_key:
        return f"key:{idempotency_key}:{body}"
    return f"body:{now.date().isoformat()}:{body}"


class Intake:
    def __init__(self, store: AdvisoryStore, sealer: Sealer, queue: WorkQueue, mailer: Mailer,
                 retention_days: int, secret: bytes,
                 receipt_interval: timedelta = RECEIPT_INTERVAL, clock: Clock = utcnow) -> None:
        self._store = store
        self._sealer = sealer
        self._queue = queue
        self._mailer = mailer
        self._retention = timedelta(days=retention_days)
        self._secret = secret
        self._receipt_interval = receipt_interval
        self._clock = clock

    def submit(self, form: AdvisoryForm, idempotency_key: str | None = None) -> tuple[str, bool]:
        """The request's reference, and whether it is new (a repeat is not stored again).

        The reference is random; a resubmission (same Idempotency-Key, or the same content
        the same day) is recognised by a record under a keyed hash of its key, stored with
        the request in one write, that names the first reference for RESUBMISSION_WINDOW."""
        now = self._clock()
        urgent = form.actionable_urgency
        address = address_key(self._secret, form.email) if form.email else None
        resubmission = resubmission_key(self._secret, dedup_key(form, idempotency_key, now))
        for _ in range(DRAWS):
            drawn = new_reference()
            request = AdvisoryRequest(
                reference=drawn, kind=form.kind, urgent=urgent, status=Status.WAITING,
                received_at=now, queued_at=now,
                sealed=self._sealer.seal(form.contents().model_dump(mode="json"), drawn),
                expires_at=int((now + self._retention).timestamp()),
                consent_text_version=PRIVACY_NOTICE_VERSION, address_key=address,
            )
            try:
                reference = self._store.put_new(request, resubmission, now,
                                                now + RESUBMISSION_WINDOW)
                break
            except ReferenceTaken:
                continue
        else:
            raise RuntimeError("no free reference drawn")  # 30**6 references: never
        created = reference == drawn
        # Queued on every submission: a repeat after a crash between store and queue heals;
        # the queue drops the duplicate of a message it already holds.
        self._queue.send(reference, urgent, deduplication=reference)
        if created:
            try:
                if form.email and address:
                    until = now + self._receipt_interval
                    email = form.email
                    through_gate(lambda: self._store.pass_receipt_gate(address, now, until),
                                 lambda: self._mailer.receipt(email, request),
                                 lambda: self._store.reopen_receipt_gate(address, until))
            finally:  # the consultant hears of the request even when its receipt failed
                self._mailer.notice(request)
        return reference, created

    def requeue_stale(self) -> int:
        return Requeue(self._store, self._queue, self._clock).requeue_stale()

    def oldest_waiting_age(self, now: datetime) -> float | None:
        return Requeue(self._store, self._queue, self._clock).oldest_waiting_age(now)


class Requeue:
    """The daily job: needs the table and the queues only (no key, no secret)."""

    def __init__(self, store: AdvisoryStore, queue: WorkQueue, clock: Clock = utcnow) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock

    def requeue_stale(self) -> int:
        """Queue again every request not done whose message may have expired: waiting,
        released, or leased and never finished (a lease that ran out leaves the request with
        no message once SQS drops it; one still running may run past that). Nothing is lost,
        however a request was left; a copy that meets a running lease stays hidden until the
        lease ends, and one of a finished request is dropped when pulled."""
        now = self._clock()
        count = 0
        for request in self._store.open_requests():
            if request.status in (Status.DONE, Status.ON_HOLD):
                continue  # finished, or out of the queue with its consultant until its day
            if now - request.queued_at >= REQUEUE_AFTER:
                self._queue.send(request.reference, request.urgent,
                                 deduplication=f"{request.reference}:{now.date()}")
                # Erased since it was listed: nothing is written back (the message sent is
                # dropped when pulled, as for any request gone).
                if self._store.requeued(request.reference, now):
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
    """The consultant's side: one request at a time, urgent ones first, oldest first. A lease
    names its holder (`consultant`: the console user's address, or the CLI caller's
    identity); only the holder may see, finish, release, extend or put on hold a request
    while it is leased or on hold, and every view of a request's contents is audited before
    it is opened.

    A request is in one of four states: waiting (in the queue), leased (one consultant's
    until `leased_until`; when that passes it is offered again), on hold ("afventer svar":
    out of the queue, still its consultant's, due again on `follow_up_on`, when it heads
    their list of open requests) and done (reopened by any consultant, then leased to them).
    Every change is one conditional write naming the holder, so no request is held by two;
    whatever leaves a request without a queue message (a hold) is undone by a message sent
    after the write that makes it waiting or leased again (release, reopen)."""

    def __init__(self, store: AdvisoryStore, sealer: Sealer, queue: WorkQueue, consultant: str,
                 clock: Clock = utcnow, metrics: Counter | None = None) -> None:
        self._store = store
        self._sealer = sealer
        self._queue = queue
        self._consultant = consultant
        self._clock = clock
        self._metrics = metrics or _NoCounter()

    def next(self, lease: timedelta = LEASE) -> Leased | None:
        """The first message of the urgent queue, else of the normal one (FIFO queues keep
        arrival order), leased: invisible to everyone else until done, released or expired."""
        seconds = int(lease.total_seconds())
        for urgent in (True, False):
            while messages := self._queue.receive(urgent, seconds):
                message = messages[0]
                request = self._store.get(message.reference)
                if request is None or request.status in (Status.DONE, Status.ON_HOLD):
                    # A stale copy of a request finished or put on hold (one taken up again
                    # gets a message of its own).
                    self._queue.delete(message)
                    continue
                now = self._clock()
                if request.status is Status.LEASED and request.leased_until and \
                        request.leased_until > now:
                    # A copy of a request someone holds (the caller too: it is in their
                    # list): hidden until that lease ends.
                    self._queue.set_lease(message, _seconds(request.leased_until - now))
                    continue
                if not self._store.lease(request.reference, self._consultant, now + lease,
                                         message.receipt, now):
                    continue  # taken by someone else meanwhile: this copy stays hidden
                self._audit(request.reference, AuditAction.NEXT)
                contents = Contents.model_validate(
                    self._sealer.open(request.sealed, request.reference))
                self._metrics.count("AdvisoryLeased")
                return Leased(request, contents, message, now + lease)
        return None

    def show(self, reference: str) -> Shown:
        """A request the caller holds (leased or on hold), or one finished (with its note):
        audited, then opened."""
        request = self._found(reference)
        if request.status is not Status.DONE:
            self._mine(request)
        self._audit(reference, AuditAction.VIEW)
        return Shown(request=request,
                     contents=Contents.model_validate(self._sealer.open(request.sealed,
                                                                       reference)),
                     note=self._note(request))

    def done(self, reference: str, note: str | None = None) -> None:
        """Finish a request the caller holds (leased or on hold), with an optional note sealed
        like the request. Finishing it again is answered as the first time and changes
        nothing."""
        request = self._found(reference)
        if request.status is Status.DONE and request.done_by == self._consultant:
            return
        self._mine(request)
        sealed_note = self._sealed_note(reference, note)
        if not self._store.finish(reference, sealed_note, self._clock(), by=self._consultant):
            current = self._found(reference)  # changed in between: by whom?
            if current.status is Status.DONE and current.done_by == self._consultant:
                return  # our own finish, repeated at the same moment
            self._mine(current)
            raise Conflict(NOT_YOURS, code="not_leased")
        self._audit(reference, AuditAction.DONE)
        self._queue.delete(Message(reference, request.receipt or "", request.urgent))
        self._metrics.count("AdvisoryDone")

    def release(self, reference: str) -> None:
        """Put a request the caller holds (leased or on hold) back in the queue at once. A
        request already waiting is answered as released, and a copy of its message is sent:
        a retry after a release whose message failed then heals (no request is left waiting
        with no message); a copy too many meets the lease of whoever takes the request, or is
        dropped once it is done."""
        request = self._found(reference)
        if request.status is Status.WAITING:
            self._queue.send(reference, request.urgent,
                             deduplication=f"{reference}:release:{uuid.uuid4().hex}")
            return
        self._mine(request)
        if not self._store.release(reference, by=self._consultant):
            current = self._found(reference)  # changed in between: by whom?
            if current.status is Status.WAITING:
                return
            self._mine(current)
            raise Conflict(NOT_YOURS, code="not_leased")
        self._audit(reference, AuditAction.RELEASE)
        if request.status is Status.ON_HOLD or not request.receipt:
            # Its message went with the hold, or it holds none (reopened: the copy sent then
            # may be hidden behind the lease just ended): a new one.
            self._queue.send(reference, request.urgent,
                             deduplication=f"{reference}:release:{uuid.uuid4().hex}")
        else:
            self._queue.set_lease(Message(reference, request.receipt or "", request.urgent), 0)
        self._metrics.count("AdvisoryReleased")

    @property
    def consultant(self) -> str:
        """Who acts at this desk: the console user's address or the CLI caller's identity."""
        return self._consultant

    def exported(self, reference: str) -> None:
        """Audit that the request is shown in a data-protection export (who, when, which;
        nothing of it), before the export leaves."""
        self._audit(reference, AuditAction.EXPORT)

    def extend(self, reference: str, lease: timedelta = LEASE) -> datetime:
        """Keep a leased request the caller holds for `lease` from now: when it ends. Also a
        lease that ran out while nobody took the request (its copy in the queue is then
        hidden until the new end when pulled)."""
        request = self._mine(self._found(reference))
        if request.status is not Status.LEASED:
            raise Conflict("Henvendelsen afventer svar. Genoptag den for at reservere den.",
                           code="on_hold")
        until = self._clock() + lease
        if not self._store.extend(reference, until, by=self._consultant):
            self._mine(self._found(reference))  # taken or finished in between
            raise Conflict(NOT_YOURS, code="not_leased")
        self._queue.set_lease(Message(reference, request.receipt or "", request.urgent),
                              _seconds(lease))
        self._audit(reference, AuditAction.EXTEND)
        return until

    def hold(self, reference: str, follow_up_on: date, note: str | None = None) -> None:
        """"Afventer svar": a request the caller holds leaves the queue and stays theirs; on
        `follow_up_on` (a Copenhagen day, today or later, before the request is deleted) it
        heads their list of open requests again. The same again changes nothing; another day
        moves the follow-up."""
        request = self._mine(self._found(reference))
        today = self.today()
        errors = []
        if follow_up_on < today:
            errors.append(FieldError("follow_up_on", "in_the_past",
                                     "Vælg en dato fra i dag og frem."))
        elif follow_up_on >= to_copenhagen(datetime.fromtimestamp(request.expires_at,
                                                                  UTC)).date():
            errors.append(FieldError("follow_up_on", "after_retention",
                                     "Henvendelsen slettes før den dato. Vælg en tidligere "
                                     "dato."))
        if errors:
            raise InvalidInput(errors)
        if request.status is Status.ON_HOLD and request.follow_up_on == follow_up_on \
                and not note:
            return
        if not self._store.hold(reference, self._consultant, follow_up_on,
                                self._sealed_note(reference, note)):
            self._mine(self._found(reference))
            raise Conflict(NOT_YOURS, code="not_leased")
        self._audit(reference, AuditAction.HOLD)
        if request.status is Status.LEASED:  # out of the queue until it is taken up again
            self._queue.delete(Message(reference, request.receipt or "", request.urgent))

    def reopen(self, reference: str, lease: timedelta = LEASE) -> datetime:
        """Take up again a finished request (any consultant's) or one the caller has on hold:
        leased to the caller for `lease`, back in the queue when that ends. Reopening one the
        caller already holds answers with its lease as it is; one whose lease ran out while
        nobody took it is kept from now (as `extend`), never answered with the end past.

        The message that brings it back when the lease ends is sent after the write (a copy
        pulled meanwhile meets the lease and is hidden until it ends) and again on every
        repeat, under a deduplication id naming the lease: a retry after a failed send heals
        (no request is left leased with no message), and a repeat within SQS's five minutes
        adds nothing. Any earlier release or reopen's message never suppresses it."""
        request = self._found(reference)
        now = self._clock()
        if request.status is Status.LEASED and request.leased_by == self._consultant:
            if request.leased_until and request.leased_until > now:
                return self._queued_behind(request, request.leased_until)
            return self._queued_behind(request, self.extend(reference, lease))
        if request.status is Status.WAITING:
            raise Conflict("Henvendelsen venter i køen. Tag den med »Tag den næste«.",
                           code="not_leased")
        if request.status is not Status.DONE:
            self._mine(request)
        until = now + lease
        if not self._store.reopen(reference, self._consultant, until, now):
            current = self._found(reference)
            if current.status is Status.LEASED and current.leased_by == self._consultant \
                    and current.leased_until:
                # our own reopen at the same moment
                return self._queued_behind(current, current.leased_until)
            self._mine(current)
            raise Conflict(NOT_YOURS, code="not_leased")
        self._audit(reference, AuditAction.REOPEN)
        return self._queued_behind(request, until)

    def _queued_behind(self, request: AdvisoryRequest, until: datetime) -> datetime:
        """Queue a copy of a request leased until `until` (hidden behind the lease when
        pulled before it ends): `until`."""
        self._queue.send(request.reference, request.urgent,
                         deduplication=f"{request.reference}:reopen:{until.isoformat()}")
        return until

    def link(self, reference: str, earlier: str) -> None:
        """Tie a request the caller holds to an earlier request as its follow-up (both show
        the tie). The same tie again changes nothing; another earlier one replaces it."""
        request = self._mine(self._found(reference))
        if earlier == reference:
            raise InvalidInput([FieldError("earlier", "same_request",
                                           "En henvendelse kan ikke følge op på sig selv.")])
        if self._store.get(earlier) is None:
            raise InvalidInput([FieldError("earlier", "unknown_reference",
                                           "Der findes ingen henvendelse med den reference.")])
        if request.follow_up_of == earlier:
            return
        if not self._store.link(reference, earlier, self._consultant,
                                previous=request.follow_up_of):
            current = self._found(reference)
            if current.follow_up_of == earlier:
                return
            self._mine(current)
            raise Conflict(NOT_YOURS, code="not_leased")
        self._audit(reference, AuditAction.LINK)

    def today(self) -> date:
        return to_copenhagen(self._clock()).date()

    def mine(self) -> list[Mine]:
        """The requests the caller holds, from any device: those leased to them (lease
        running) and those on hold with them, due ones first (their follow-up day has
        come), then by when the lease ends or the follow-up is due. Nothing opened."""
        now, today = self._clock(), self.today()
        found = []
        for r in self._store.open_requests():
            if r.leased_by != self._consultant:
                continue
            leased = r.status is Status.LEASED and r.leased_until is not None and \
                r.leased_until > now
            held = r.status is Status.ON_HOLD
            if leased or held:
                found.append(Mine(reference=r.reference, kind=r.kind, urgent=r.urgent,
                                  status=r.status, received_at=r.received_at,
                                  leased_until=r.leased_until if leased else None,
                                  follow_up_on=r.follow_up_on if held else None,
                                  due=held and r.follow_up_on is not None and
                                  r.follow_up_on <= today,
                                  follow_up_of=r.follow_up_of))
        return sorted(found, key=lambda m: (not m.due, m.status is Status.ON_HOLD,
                                            str(m.leased_until or m.follow_up_on),
                                            m.reference))

    def find(self, reference: str) -> list[Related]:
        """The request with this reference and those tied to it (the one it follows up and
        those following it up), by their open fields: nothing opened, so nothing audited.
        Empty when there is none."""
        request = self._store.get(reference)
        if request is None:
            return []
        tied = [request.follow_up_of] if request.follow_up_of else []
        found = [request] + [t for t in (self._store.get(r)
                                         for r in tied + sorted(request.follow_ups))
                             if t is not None]
        return [Related(reference=r.reference, kind=r.kind, urgent=r.urgent, status=r.status,
                        received_at=r.received_at, done_at=r.done_at, done_by=r.done_by,
                        follow_up_of=r.follow_up_of, follow_ups=sorted(r.follow_ups))
                for r in found]

    def waiting(self) -> list[Overview]:
        now = self._clock()
        requests = sorted(self._store.open_requests(),
                          key=lambda r: (not r.urgent, r.received_at))
        return [Overview(reference=r.reference, kind=r.kind, urgent=r.urgent, status=r.status,
                         received_at=r.received_at,
                         age_hours=round((now - r.received_at).total_seconds() / 3600, 1))
                for r in requests]

    def counts(self) -> QueueCounts:
        """What waits, by urgency and age, how many are being handled and how many await an
        answer (and are due): no texts, no names, no references. A lease that ran out counts
        as waiting (it is offered again)."""
        now, today = self._clock(), self.today()
        ages = [AgeCount(label=label, urgent=0, normal=0) for label, _ in AGE_BUCKETS]
        in_progress = on_hold = due = 0
        oldest: float | None = None
        for request in self._store.open_requests():
            if request.status is Status.ON_HOLD:
                on_hold += 1
                due += bool(request.follow_up_on and request.follow_up_on <= today)
                continue
            if request.status is Status.LEASED and request.leased_until and \
                    request.leased_until > now:
                in_progress += 1
                continue
            hours = (now - request.received_at).total_seconds() / 3600
            oldest = hours if oldest is None else max(oldest, hours)
            bucket = next(i for i, (_, limit) in enumerate(AGE_BUCKETS) if hours < limit)
            if request.urgent:
                ages[bucket].urgent += 1
            else:
                ages[bucket].normal += 1
        return QueueCounts(waiting_urgent=sum(a.urgent for a in ages),
                           waiting_normal=sum(a.normal for a in ages),
                           in_progress=in_progress, on_hold=on_hold, due=due,
                           oldest_hours=round(oldest, 1) if oldest is not None else None,
                           ages=ages)

    def history(self, limit: int = HISTORY_LIMIT) -> list[tuple[AdvisoryRequest, str | None]]:
        """The last requests finished, newest first, each with its note (opened, so each
        one shown is audited first)."""
        found = []
        for request in self._store.finished_requests(limit):
            if request.sealed_note:
                self._audit(request.reference, AuditAction.HISTORY)
            found.append((request, self._note(request)))
        return found

    def _sealed_note(self, reference: str, note: str | None) -> str | None:
        return self._sealer.seal({"note": note}, f"{reference}:note") if note else None

    def _note(self, request: AdvisoryRequest) -> str | None:
        if not request.sealed_note:
            return None
        opened = self._sealer.open(request.sealed_note, f"{request.reference}:note")
        return str(opened["note"])

    def _audit(self, reference: str, action: AuditAction) -> None:
        now = self._clock()
        self._store.record(AuditEntry(at=now, by=self._consultant, reference=reference,
                                      action=action),
                           expires_at=int((now + AUDIT_RETENTION).timestamp()))

    def _found(self, reference: str) -> AdvisoryRequest:
        request = self._store.get(reference)
        if request is None:
            raise NotFound("Henvendelsen findes ikke.", code="unknown_reference")
        return request

    def _mine(self, request: AdvisoryRequest) -> AdvisoryRequest:
        """The request, if the caller holds it (leased or on hold); refused as the situation
        is otherwise."""
        if request.status is Status.DONE:
            raise Conflict("Henvendelsen er allerede afsluttet.", code="already_done")
        if request.status not in (Status.LEASED, Status.ON_HOLD):
            raise Conflict(NOT_YOURS, code="not_leased")
        if request.leased_by != self._consultant:
            raise Conflict(NOT_YOURS, code="leased_by_other")
        return request


def _seconds(span: timedelta) -> int:
    """A visibility timeout for SQS: whole seconds, 0 to 12 hours."""
    return max(0, min(int(span.total_seconds()) + 1, 12 * 3600))


class Backfilled(Protocol):
    def without_address_key(self) -> list[AdvisoryRequest]: ...

    def set_address_key(self, reference: str, address_key: str) -> bool: ...


def backfill_address_keys(store: Backfilled, sealer: Sealer, secret: bytes) -> tuple[int, int]:
    """Requests stored before they carried the keyed hash of the sender's address get it
    (opened to read the address, nothing shown or logged): how many got one, and how many
    name no email (they stay as they are, as every request without an email does)."""
    done = left = 0
    for request in store.without_address_key():
        contents = Contents.model_validate(sealer.open(request.sealed, request.reference))
        if contents.email and store.set_address_key(request.reference,
                                                    address_key(secret, contents.email)):
            done += 1
        elif not contents.email:
            left += 1
    return done, left


def audit_trail(store: AdvisoryStore, first: date, last: date) -> list[AuditEntry]:
    """Every audit entry of the days from `first` to `last` (UTC), oldest first."""
    entries: list[AuditEntry] = []
    day = first
    while day <= last:
        entries += store.audit_entries(day)
        day += timedelta(days=1)
    return sorted(entries, key=lambda e: e.at)
