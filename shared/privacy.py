"""Data-protection requests for one email address: export everything held about it, or
erase it everywhere (GDPR art. 15 and 17).

Each area holding personal data answers for itself (a `Holder`); the service asks all of
them and leaves an audit record that names the request, the operator and the counts, never
the person. Erasure keeps anonymous totals (a session's seat count, an issue's sent count)
and is safe to run twice: the second run finds nothing and says so."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.advisory.models import AdvisoryRequest, Contents
from shared.clock import Clock, utcnow
from shared.errors import DomainError
from shared.forms import normalise_email
from shared.forums.registration.models import (
    CancelledBy,
    Registration,
    SessionState,
    Status,
    Submission,
)
from shared.newsletter.models import DeliveryStatus, Issue, Subscriber


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

class ForumRecords(Protocol):
    def with_email(self, email: str) -> list[Registration]: ...

    def session_state(self, session_id: str) -> SessionState | None: ...

    def position(self, session_id: str, registration_id: str) -> int | None: ...

    def cancel(self, registration: Registration, by: CancelledBy, now: datetime) -> bool: ...

    def forget(self, registration: Registration) -> None: ...

    def submissions_with_email(self, email: str) -> list[Submission]: ...

    def forget_submissions(self, session_id: str, registration_id: str) -> None: ...


class ForumsHolder:
    area = "forums"

    def __init__(self, store: ForumRecords) -> None:
        self._store = store

    def export(self, email: str) -> list[dict[str, Any]]:
        """Registrations (with the place in line), and submissions not yet confirmed."""
        return [{**r.model_dump(mode="json"),
                 "waitlist_position": self._store.position(r.session_id, r.id)
                 if r.status is Status.WAITLISTED else None}
                for r in self._store.with_email(email)] + [
                {**s.model_dump(mode="json"), "status": "unconfirmed"}
                for s in self._store.submissions_with_email(email)]

    held = export

    def erase(self, email: str, now: datetime) -> int:
        """A seat in a coming session is given up first (the next on the waiting list gets
        it, and no email goes to the erased address); past sessions keep their count."""
        registrations = self._store.with_email(email)
        for registration in registrations:
            if registration.status is not Status.CANCELLED:
                state = self._store.session_state(registration.session_id)
                if state is not None and state.session.starts_at > now:
                    self._store.cancel(registration, CancelledBy.ERASURE, now)
            self._store.forget(registration)
        submissions = self._store.submissions_with_email(email)
        for submission in submissions:
            self._store.forget_submissions(submission.session_id, submission.registration_id)
        return len(registrations) + len(submissions)


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
        sid = self._subscriber_id(email)
        held = self._store.subscriber(sid) is not None
        self._store.forget(sid)  # also the ledger lines of a subscriber already gone
        return int(held)


# -- advisory ---------------------------------------------------------------------------------

class AdvisoryRecords(Protocol):
    def by_address(self, address_key: str) -> list[AdvisoryRequest]: ...

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
        found = []
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
        return found

    def erase(self, email: str, now: datetime) -> int:
        return len(self._store.forget_address(self._key(email)))


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
