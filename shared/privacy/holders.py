"""Each area's answer for an address: forum registrations, the newsletter, advisory requests
(and an area the caller's role may not even find)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.advisory.models import AdvisoryRequest, Contents
from shared.forums.registration.models import CancelledBy, Status
from shared.forums.registration.service import cancel_registration
from shared.forums.registration.transitions import Applied, Transition, Write
from shared.privacy.models import CorrectionInterrupted, ErasureInterrupted, Unreadable
from shared.privacy.ports import AdvisoryRecords, ForumRecords, NewsletterRecords, Opener
from shared.privacy.service import ERASURE_PASSES, until_nothing_found

# -- forums -----------------------------------------------------------------------------------

class ForumsHolder:
    area = "forums"

    def __init__(self, store: ForumRecords) -> None:
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

    def correct(self, email: str, corrections: dict[str, str | None]) -> int:
        """Each registration of the address written with the corrected details, under the
        condition that it is still as read (status, round, the session's revision): nothing
        else changes, so no email goes out and its calendar entry (UID, SEQUENCE) stays.
        One changed meanwhile is read again. Submissions waiting for their owner are left:
        they expire within a day, and the owner corrects them on the link's page."""
        changed = 0
        for _ in range(ERASURE_PASSES):
            pending = [(r, r.model_copy(update=corrections))
                       for r in self._store.with_email(email)]
            pending = [(old, new) for old, new in pending if new != old]
            if not pending:
                return changed
            for old, new in pending:
                written = self._store.apply(Transition(old.session_id, writes=(
                    Write(new, replaces=old),)))
                changed += isinstance(written, Applied)
        raise CorrectionInterrupted()

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

    def correct(self, email: str, corrections: dict[str, str | None]) -> int:
        """A subscriber keeps a name only (no phone, workplace or member number)."""
        name = corrections.get("name")
        return int(name is not None and self._store.rename(self._subscriber_id(email), name))

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
        """Each request's status, kind and time of receipt: what is kept unsealed beside it
        (no contents, nothing opened)."""
        return [{"status": request.status.value, "kind": request.kind.value,
                 "received_at": request.received_at.isoformat()}
                for request in self._from(email)]

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

    def correct(self, email: str, corrections: dict[str, str | None]) -> int:
        """A request holds what its sender wrote, sealed: it is not rewritten (the
        consultant, who alone may open it, notes a correction with the request)."""
        return 0

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

    def correct(self, email: str, corrections: dict[str, str | None]) -> int:
        raise Unreadable(self._why)

    def erase(self, email: str, now: datetime) -> int:
        raise Unreadable(self._why)
