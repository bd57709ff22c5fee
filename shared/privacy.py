"""Data-protection requests for one email address: export everything held about it, or
erase it everywhere (GDPR art. 15 and 17).

Each area holding personal data answers for itself (a `Holder`); the service asks all of
them and leaves an audit record that names the request, the operator and the counts, never
the person. Erasure keeps anonymous totals (a session's seat count, an issue's sent count)
and is safe to run twice: the second run finds nothing and says so.

An erasure races the person's own presses (a registration link, a newsletter confirmation, a
form sent): each area erases in an order that a press cannot slip through (what a press
consumes first, what it writes after), and looks again until a look finds nothing, so what
was written while it ran is erased too. Only a write after its last look stays: one made
after the erasure, as far as anyone can tell."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.advisory.models import AdvisoryRequest, AuditEntry, Contents
from shared.clock import Clock, utcnow
from shared.errors import DomainError
from shared.forms import normalise_email
from shared.forums.registration.models import (
    CancelledBy,
    Status,
)
from shared.forums.registration.ports import RegistrationStore
from shared.forums.registration.service import cancel_registration
from shared.newsletter.models import DeliveryStatus, Issue, Subscriber


class ErasureInterrupted(DomainError):
    """Something about the address was written at every look (a flood of submissions):
    the erasure stops rather than report an address erased that is not."""

    status = 409
    code = "erasure_interrupted"
    message = ("Der blev ved med at komme nye oplysninger om adressen, mens den blev slettet. "
               "Prøv igen om lidt; det, der allerede er slettet, forbliver slettet.")


# How often an area looks again for what was written while it erased (a pass finds nothing
# the second time unless a press raced the first).
ERASURE_PASSES = 5


def until_nothing_found(erase_once: Callable[[], set[str]]) -> int:
    """Run `erase_once` (which erases what it finds and names it) until a pass finds
    nothing; how many distinct things were erased. ErasureInterrupted when every pass found
    something."""
    erased: set[str] = set()
    for _ in range(ERASURE_PASSES):
        found = erase_once()
        if not found:
            return len(erased)
        erased |= found
    raise ErasureInterrupted()


class Unreadable(DomainError):
    """An area the caller may not read; its message says who answers for it."""

    status = 403
    code = "cannot_decrypt"
    message = ("Henvendelserne til lederkonsulenten kunne ikke dekrypteres. Kun "
               "lederkonsulentens rolle (ConsultantRole) må det: kør kommandoen som den med "
               "--area advisory.")


# The staff console's privacy officer may not use the advisory key (only the consultant may,
# in the consultant's own area of the console): said in the export and in every answer that
# leaves the area out.
ADVISORY_BY_CONSULTANT = (
    "Henvendelser til lederkonsulenten er krypteret med en nøgle, som kun lederkonsulenten må "
    "bruge. Databeskyttelsen kan derfor hverken søge i, udtrække eller slette dem: "
    "lederkonsulenten besvarer den del af anmodningen i sit eget område af personalesiderne "
    "(Databeskyttelse: henvendelser fra en e-mailadresse).")


@dataclass(frozen=True)
class Report:
    """What one request did: counts per area, the areas it could not search; no personal
    data."""

    request_id: str
    action: str  # export | erase
    at: datetime
    by: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    # Why each skipped area was left out (who answers for it); not audited.
    why: dict[str, str] = field(default_factory=dict, compare=False)


class Holder(Protocol):
    area: str

    def export(self, email: str) -> list[dict[str, Any]]: ...

    def held(self, email: str) -> list[dict[str, Any]]:
        """What a search counts: a record per thing held, each with its `status`."""

    def erase(self, email: str, now: datetime) -> int: ...


class AuditLog(Protocol):
    def record(self, report: Report) -> None: ...


class Privacy:
    """Asks every holder; an area the caller may not read (advisory without the consultant's
    key) is reported as skipped, so the rest is still answered and the gap is visible."""

    def __init__(self, holders: list[Holder], audit: AuditLog, by: str, clock: Clock = utcnow,
                 new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self._holders = holders
        self._audit = audit
        self._by = by
        self._clock = clock
        self._new_id = new_id

    def export(self, email: str) -> tuple[dict[str, Any], Report]:
        found, report = self._ask_each("export", lambda holder, _: holder.export(email))
        data = {"email": normalise_email(email), "exported_at": report.at.isoformat(), **found,
                "not_searched": report.skipped}
        if report.why:
            data["not_searched_why"] = report.why
        return data, report

    def search(self, email: str) -> tuple[dict[str, Held], Report]:
        """What each area holds about the address, as counts by kind (the record's status):
        no contents. Audited like an export, as action `search`."""
        found, report = self._ask_each("search", lambda holder, _: holder.held(email))
        return {area: Held.of(records) for area, records in found.items()}, report

    def erase(self, email: str) -> Report:
        return self._ask_each("erase", lambda holder, now: holder.erase(email, now))[1]

    def _ask_each(self, action: str, ask: Callable[[Holder, datetime], Any]
                  ) -> tuple[dict[str, Any], Report]:
        """Every holder's answer by area, and the audited report of counts and skipped areas."""
        now = self._clock()
        answers: dict[str, Any] = {}
        why: dict[str, str] = {}
        for holder in self._holders:
            try:
                answers[holder.area] = ask(holder, now)
            except Unreadable as unreadable:
                why[holder.area] = unreadable.message
        counts = {area: len(a) if isinstance(a, list) else a for area, a in answers.items()}
        report = Report(self._new_id(), action, now, self._by, counts, list(why), why)
        self._audit.record(report)
        return answers, report


@dataclass(frozen=True)
class Held:
    """What one area holds about an address: how many records, and how many of each kind
    (a registration's or subscription's status: `confirmed`, `unconfirmed`, `pending`, …)."""

    count: int
    kinds: dict[str, int]

    @classmethod
    def of(cls, records: list[dict[str, Any]]) -> Held:
        kinds: dict[str, int] = {}
        for record in records:
            kind = str(record.get("status") or "held")
            kinds[kind] = kinds.get(kind, 0) + 1
        return cls(len(records), kinds)


# -- forums -----------------------------------------------------------------------------------

class ForumsHolder:
    area = "forums"

    def __init__(self, store: RegistrationStore) -> None:
        self._store = store

    def held(self, email: str) -> list[dict[str, Any]]:
        """Registrations and submissions not yet confirmed, by status."""
        return [{"status": r.status.value} for r in self._store.with_email(email)] + [
            {"status": "unconfirmed"} for _ in self._store.submissions_with_email(email)]

    def export(self, email: str) -> list[dict[str, Any]]:
        """Registrations (with the place in line and the record of the emails sent for
        them), and submissions not yet confirmed (with the record of the confirmation
        links mailed, when no registration carries it)."""
        registrations = self._store.with_email(email)
        shown = {(r.session_id, r.id) for r in registrations}
        return [{**r.model_dump(mode="json"),
                 "waitlist_position": self._store.position(r.session_id, r.id)
                 if r.status is Status.WAITLISTED else None,
                 "emails": self._store.mails(r.session_id, r.id)}
                for r in registrations] + [
                {**s.model_dump(mode="json"), "status": "unconfirmed",
                 **({} if (s.session_id, s.registration_id) in shown
                    else {"emails": self._store.mails(s.session_id, s.registration_id)})}
                for s in self._store.submissions_with_email(email)]

    def erase(self, email: str, now: datetime) -> int:
        """A seat in a coming session is given up first (the next on the waiting list gets
        it, and no email goes to the erased address); past sessions keep their count."""
        return until_nothing_found(lambda: self._erase_once(email, now))

    def _erase_once(self, email: str, now: datetime) -> set[str]:
        """Submissions first, then registrations: a press deletes its submission in the step
        that writes its registration, so a press racing this pass either lands before the
        submission is deleted (and its registration is read below) or places nothing. A
        registration is deleted only as it was read (after its seat was given up): one taken
        up again meanwhile is left to the next pass, never deleted with its seat counted."""
        found = set()
        for submission in self._store.submissions_with_email(email):
            self._store.forget_submissions(submission.session_id, submission.registration_id)
            found.add(f"submission:{submission.session_id}:{submission.id}")
        for registration in self._store.with_email(email):
            found.add(f"registration:{registration.session_id}:{registration.id}")
            if registration.status is not Status.CANCELLED:
                state = self._store.session_state(registration.session_id)
                if state is not None and state.session.starts_at > now:
                    cancel_registration(self._store, registration, CancelledBy.ERASURE, now)
                    registration = registration.model_copy(
                        update={"status": Status.CANCELLED})
            self._store.forget(registration)
        return found


# -- newsletter -------------------------------------------------------------------------------

class NewsletterRecords(Protocol):
    def subscriber(self, subscriber_id: str) -> Subscriber | None: ...

    def issues(self) -> list[Issue]: ...

    def delivery(self, issue_id: str, subscriber_id: str) -> DeliveryStatus | None: ...

    def forget(self, subscriber_id: str) -> None: ...


class NewsletterHolder:
    area = "newsletter"

    def __init__(self, store: NewsletterRecords, subscriber_id: Callable[[str], str]) -> None:
        self._store = store
        self._subscriber_id = subscriber_id

    def export(self, email: str) -> list[dict[str, Any]]:
        sid = self._subscriber_id(email)
        subscriber = self._store.subscriber(sid)
        copies = [{"issue": issue.id, "subject": issue.subject, "status": status.value}
                  for issue in self._store.issues()
                  if (status := self._store.delivery(issue.id, sid)) is not None]
        if subscriber is None and not copies:
            return []
        record = subscriber.model_dump(mode="json", exclude={"id"}) if subscriber else {}
        return [{**record, "issues": copies}]

    held = export

    def erase(self, email: str, now: datetime) -> int:
        """The subscriber, their confirmation gate and their ledger lines; then a look for a
        signup written meanwhile (a press racing the erasure), erased again until none is
        found. The last call is always that look."""
        sid = self._subscriber_id(email)
        held = self._store.subscriber(sid) is not None
        for _ in range(ERASURE_PASSES):
            self._store.forget(sid)  # also the ledger lines of a subscriber already gone
            if self._store.subscriber(sid) is None:
                return int(held)
            held = True
        raise ErasureInterrupted()


# -- advisory ---------------------------------------------------------------------------------

class AdvisoryRecords(Protocol):
    def by_address(self, address_key: str) -> list[AdvisoryRequest]: ...

    def audit_of(self, references: set[str]) -> list[AuditEntry]: ...

    def forget_address(self, address_key: str) -> list[str]:
        """Delete every request under the keyed hash (and its companions): their
        references."""


class Opener(Protocol):
    def open(self, sealed: str, reference: str) -> dict[str, object]: ...


class AdvisoryHolder:
    """Requests are sealed; each one that names an email carries the keyed hash of the
    address (`address_key`, under a secret only the intake, the consultant's role and console
    function read), so those from one address are found by a query, and only the ones found
    are opened (an export). A search counts them by status and an erasure deletes them
    (with the address's receipt gate and resubmission records) without opening any. Only the
    consultant's role and console function, the principals allowed to decrypt, can answer
    for this area. Each request exported is first passed to `exported` (the consultant's own
    audit of who viewed which request)."""

    area = "advisory"

    def __init__(self, store: AdvisoryRecords, sealer: Opener,
                 address_key: Callable[[str], str],
                 exported: Callable[[str], None] | None = None) -> None:
        self._store = store
        self._sealer = sealer
        self._address_key = address_key
        self._exported = exported

    def _open(self, sealed: str, context: str) -> dict[str, object]:
        try:
            return self._sealer.open(sealed, context)
        except Exception as exc:  # denied by KMS, or not sealed for this key
            raise Unreadable() from exc

    def _key(self, email: str) -> str:
        try:
            return self._address_key(email)
        except Exception as exc:  # the lookup secret denied: not the consultant's role
            raise Unreadable() from exc

    def _from(self, email: str) -> list[AdvisoryRequest]:
        return self._store.by_address(self._key(email))

    def held(self, email: str) -> list[dict[str, Any]]:
        return [{"status": request.status.value} for request in self._from(email)]

    def export(self, email: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for request in self._from(email):
            contents = Contents.model_validate(self._open(request.sealed, request.reference))
            if self._exported is not None:
                self._exported(request.reference)  # audited before it is shown
            note = None
            if request.sealed_note:
                note = self._open(request.sealed_note, f"{request.reference}:note").get("note")
            found.append({
                "reference": request.reference, "kind": request.kind.value,
                "urgent": request.urgent, "status": request.status.value,
                "received_at": request.received_at.isoformat(),
                "done_at": request.done_at.isoformat() if request.done_at else None,
                **contents.model_dump(mode="json", exclude={"note"}), "consultant_note": note,
            })
        # The consultant's audit of each request (who took, viewed, finished or exported it,
        # when), this export's own entries included.
        audit = self._store.audit_of({shown["reference"] for shown in found})
        for shown in found:
            shown["audit"] = [{"at": entry.at.isoformat(), "by": entry.by,
                               "action": entry.action.value}
                              for entry in audit if entry.reference == shown["reference"]]
        return found

    def erase(self, email: str, now: datetime) -> int:
        """Every request the address sent; then a look for one sent meanwhile (a form racing
        the erasure), erased again until none is found."""
        key = self._key(email)
        return until_nothing_found(lambda: set(self._store.forget_address(key)))


class NotPermitted:
    """An area the caller's role may not even find (its parameters are not readable to it):
    reported as not searched, like a key the role may not use, with `why` (who answers for
    it) when given."""

    def __init__(self, area: str, why: str | None = None) -> None:
        self.area = area
        self._why = why

    def export(self, email: str) -> list[dict[str, Any]]:
        raise Unreadable(self._why)

    held = export

    def erase(self, email: str, now: datetime) -> int:
        raise Unreadable(self._why)
