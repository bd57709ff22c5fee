"""In-memory stand-ins for the adapters, for domain tests without AWS.

They keep what the DynamoDB adapters keep, where they keep it, and refuse what they refuse:
the session's seat count and waiting list live with the catalogue's session (as on its item),
and a registration store's writes are all or nothing under one lock (as a transaction), with
the same conditions and the same precedence of outcomes (Existing before Moved before
Refused). Registrations, submissions, the email ledger and the gates share one key space per
session (`REG#`, `SUB#`, `MAIL#`, `GATE#`) with the same expiry (TTL, whole seconds), so
forgetting a registration forgets its emails as in DynamoDB. Every change of a registration or
submission is kept as a stream record. tests/integration/test_registration_store_contract.py
runs one suite against these and the adapters on the emulator."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from shared.errors import Conflict, NotFound
from shared.forms import mailbox_key
from shared.forums.catalogue import CapacityBelowConfirmed, CatalogueChanged
from shared.forums.catalogue_file import ForumWrite, SessionWrite
from shared.forums.models import Forum, Session
from shared.forums.registration.messages import Outgoing, SessionMessage
from shared.forums.registration.models import Registration, SessionState, Submission
from shared.forums.registration.transitions import Applied, Rejected, Transition
from shared.roles import Audience


class MemoryCatalogueStore:
    """Forums and sessions; each session with its audience, waiting list, status and the
    secretariat's reason for a cancellation."""

    def __init__(self) -> None:
        self.lock = threading.RLock()  # one for the catalogue and the registrations: one service
        self._forums: dict[str, Forum] = {}
        self._sessions: dict[str, Session] = {}
        self.audiences: dict[str, Audience] = {}
        self.waiting_lists: dict[str, list[str]] = {}
        self._reasons: dict[str, str] = {}

    def put_forum(self, forum: Forum) -> None:
        with self.lock:
            self._forums[forum.id] = forum

    def add_forum(self, forum: Forum) -> Forum | None:
        with self.lock:
            if forum.id in self._forums:
                return self._forums[forum.id]
            self._forums[forum.id] = forum
            return None

    def change_forum(self, forum: Forum, session_ids: list[str]) -> bool:
        with self.lock:
            if forum.id not in self._forums:
                return False
            self._forums[forum.id] = forum
            for session_id in session_ids:
                if session_id in self._sessions:
                    self.audiences[session_id] = forum.audience
            return True

    def add_session(self, session: Session, audience: Audience) -> Session | None:
        with self.lock:
            if session.id in self._sessions:
                return self._sessions[session.id]
            self.put_session(session, audience)
            return None

    def delete_session(self, session_id: str) -> bool:
        with self.lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise NotFound("Mødet findes ikke.", code="session_not_found")
            if session.confirmed or self.waiting_lists.get(session_id):
                return False
            del self._sessions[session_id]
            self.audiences.pop(session_id, None)
            self.waiting_lists.pop(session_id, None)
            self._reasons.pop(session_id, None)
            return True

    def put_session(self, session: Session, audience: Audience) -> None:
        with self.lock:
            existing = self._sessions.get(session.id)
            if existing is not None and existing.confirmed > session.capacity:
                raise CapacityBelowConfirmed(session.id)
            self.audiences[session.id] = audience
            if existing is None:
                self._sessions[session.id] = session.model_copy(update={"confirmed": 0})
                return
            self._sessions[session.id] = session.model_copy(update={
                "confirmed": existing.confirmed, "closed": existing.closed,
                "cancelled": existing.cancelled, "revision": existing.revision})

    def forums(self) -> list[Forum]:
        return list(self._forums.values())

    def forum(self, forum_id: str) -> Forum | None:
        return self._forums.get(forum_id)

    def sessions(self, forum_id: str | None = None) -> list[Session]:
        return [s for s in self._sessions.values() if forum_id in (None, s.forum_id)]

    def session(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    def cancel_reason(self, session_id: str) -> str | None:
        return self._reasons.get(session_id)

    def set_status(self, session_id: str, *, closed: bool | None = None,
                   cancelled: bool | None = None, reason: str | None = None) -> None:
        with self.lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise NotFound("Mødet findes ikke.", code="session_not_found")
            if (closed is False or cancelled is False) and session.cancelled:
                raise Conflict("Mødet er aflyst og kan ikke åbnes igen.",
                               code="session_cancelled")
            changes = {name: value for name, value in (("closed", closed),
                                                       ("cancelled", cancelled))
                       if value is not None}
            self._sessions[session_id] = session.model_copy(update=changes)
            if reason is not None:
                self._reasons[session_id] = reason

    def change_session(self, changed: Session, read: Session) -> bool:
        with self.lock:
            now = self._sessions.get(changed.id)
            if now is None:
                raise NotFound("Mødet findes ikke.", code="session_not_found")
            if now.cancelled:
                raise Conflict("Mødet er aflyst og kan ikke ændres.", code="session_cancelled")
            if now.revision != read.revision:
                return False
            if now.confirmed > changed.capacity:
                raise CapacityBelowConfirmed(changed.id)
            self._sessions[changed.id] = now.model_copy(update={
                name: getattr(changed, name) for name in (
                    "city", "venue", "starts_at", "ends_at", "capacity",
                    "registration_deadline", "revision")})
            return True

    def take_seats(self, session_id: str, count: int) -> None:
        """Seats taken outside registration (for catalogue tests)."""
        self._count(session_id, count)

    def _count(self, session_id: str, change: int) -> None:
        session = self._sessions[session_id]
        self._sessions[session_id] = session.model_copy(
            update={"confirmed": session.confirmed + change})

    def write_catalogue(self, forums: list[ForumWrite], sessions: list[SessionWrite]) -> None:
        with self.lock:
            gone = [w.forum.id for w in forums
                    if w.fields is not None and w.forum.id not in self._forums]
            gone += [w.session.id for w in sessions
                     if w.fields is not None and (
                         w.session.id not in self._sessions or ("revision" in w.fields
                         and self._sessions[w.session.id].revision != w.session.revision - 1))]
            if gone:
                raise CatalogueChanged(*gone)
            below = [w.session.id for w in sessions
                     if (w.fields is None or "capacity" in w.fields)
                     and w.session.id in self._sessions
                     and self._sessions[w.session.id].confirmed > w.session.capacity]
            if below:
                raise CapacityBelowConfirmed(*below)
            for f in forums:
                self._forums[f.forum.id] = f.forum if f.fields is None else \
                    self._forums[f.forum.id].model_copy(
                        update={n: getattr(f.forum, n) for n in f.fields})
            for w in sessions:
                if w.fields is None:
                    self.put_session(w.session, w.audience)
                    continue
                if "audience" in w.fields:
                    self.audiences[w.session.id] = w.audience
                self._sessions[w.session.id] = self._sessions[w.session.id].model_copy(
                    update={n: getattr(w.session, n) for n in w.fields if n != "audience"})


@dataclass
class Item:
    """One item of the registrations table: a registration, a submission, a ledger entry or a
    gate (`value` None), with its expiry in epoch seconds (DynamoDB's TTL attribute)."""

    value: Registration | Submission | Outgoing | None
    expires_at: int | None
    until: datetime | None = None  # a gate's


@dataclass(frozen=True)
class Change:
    """One record of the registrations table's stream (NEW_AND_OLD_IMAGES)."""

    old: Registration | Submission | Outgoing | None
    new: Registration | Submission | Outgoing | None


def _epoch(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _stored(registration: Registration) -> Registration:
    """The registration as a put stores it: empty texts are absent, and the expiry is in
    whole seconds (TTL)."""
    expires = _epoch(registration.expires_at)
    return registration.model_copy(update={
        "expires_at": datetime.fromtimestamp(expires, UTC) if expires is not None else None,
        **{f: None for f in ("phone", "member_number", "needs", "submission",
                             "consent_text_version", "entered_by", "moved_from", "moved_to")
           if not getattr(registration, f)}})


def _reg(registration_id: str) -> str:
    return f"REG#{registration_id}"


def _sub(registration_id: str, submission_id: str) -> str:
    return f"SUB#{registration_id}#{submission_id}"


class MemoryRegistrationStore:
    """The registration store over a MemoryCatalogueStore's sessions (the RegistrationStore
    of shared.forums.registration.ports)."""

    def __init__(self, catalogue: MemoryCatalogueStore) -> None:
        self.catalogue = catalogue
        self.lock = catalogue.lock
        self._items: dict[tuple[str, str], Item] = {}
        self._messages: dict[tuple[str, str], SessionMessage] = {}
        self.changes: list[Change] = []

    # -- the table ---------------------------------------------------------------------------

    def _write(self, session_id: str, key: str, item: Item | None) -> None:
        old = self._items.pop((session_id, key), None)
        if item is not None:
            self._items[(session_id, key)] = item
        before, after = old.value if old else None, item.value if item else None
        if before is not None or after is not None:
            self.changes.append(Change(before, after))

    def take_changes(self) -> list[Change]:
        """The stream records since the last call, in order."""
        with self.lock:
            changes, self.changes = self.changes, []
            return changes

    def expiries(self, session_id: str) -> dict[str, int | None]:
        """Every item of the session by its sort key, with its expiry (None: none)."""
        return {key: item.expires_at for (sid, key), item in sorted(self._items.items())
                if sid == session_id}

    def _values(self, session_id: str | None, prefix: str) -> list[Registration | Submission]:
        return [item.value for (sid, key), item in sorted(self._items.items())
                if session_id in (None, sid) and key.startswith(prefix)
                and isinstance(item.value, Registration | Submission)]

    # -- submitting --------------------------------------------------------------------------

    def put_submission(self, submission: Submission) -> None:
        with self.lock:
            stored = submission.model_copy(update={
                f: None for f in ("phone", "member_number", "needs")
                if not getattr(submission, f)})
            self._write(submission.session_id, _sub(submission.registration_id, submission.id),
                        Item(stored, _epoch(submission.expires_at)))

    def submission(self, session_id: str, registration_id: str,
                   submission_id: str) -> Submission | None:
        item = self._items.get((session_id, _sub(registration_id, submission_id)))
        return item.value if item and isinstance(item.value, Submission) else None

    def submissions(self, session_id: str, registration_id: str) -> list[Submission]:
        with self.lock:
            return [s for s in self._values(session_id, f"SUB#{registration_id}#")
                    if isinstance(s, Submission)]

    def discard_submission(self, session_id: str, registration_id: str,
                           submission_id: str) -> None:
        with self.lock:
            if (session_id, _sub(registration_id, submission_id)) in self._items:
                self._write(session_id, _sub(registration_id, submission_id), None)

    # -- placing -----------------------------------------------------------------------------

    def _state(self, session_id: str) -> SessionState | None:
        session = self.catalogue.session(session_id)
        if session is None:
            return None
        return SessionState(session=session, audience=self.catalogue.audiences[session_id],
                            waiting=list(self.catalogue.waiting_lists.get(session_id, [])))

    def apply(self, transition: Transition) -> Applied | Rejected:
        """Under the lock: what the registrations and the submission need first (as the
        adapter's transaction reports them), then the session's conditions, each by its own
        `holds`; then every change at once."""
        with self.lock:
            session_id = transition.session_id
            for write in transition.writes:
                current = self.get(session_id, write.registration.id)
                expected = write.replaces
                if (current is None) != (expected is None) or (
                        current is not None and expected is not None
                        and (current.status, current.round, current.session_revision)
                        != (expected.status, expected.round, expected.session_revision)):
                    return Rejected()
            consumed = transition.consumes
            if consumed is not None and self.submission(
                    session_id, consumed.registration_id, consumed.id) is None:
                return Rejected()
            state = self._state(session_id)
            touches_session = bool(transition.requires or transition.leaves
                                   or transition.joins or transition.seats)
            if touches_session and not transition.holds(state):
                return Rejected(state, session_failed=True)
            if consumed is not None:
                self._write(session_id, _sub(consumed.registration_id, consumed.id), None)
            for write in transition.writes:
                stored = _stored(write.registration)
                self._write(session_id, _reg(stored.id), Item(stored, _epoch(stored.expires_at)))
            line = self.catalogue.waiting_lists.setdefault(session_id, [])
            for place in sorted(transition.leaves, key=lambda p: p.index, reverse=True):
                line.pop(place.index)
            if transition.joins is not None:
                line.append(transition.joins)
            if transition.seats:
                self.catalogue._count(session_id, transition.seats)
            return Applied()

    # -- reading -----------------------------------------------------------------------------

    def session_state(self, session_id: str) -> SessionState | None:
        with self.lock:
            return self._state(session_id)

    def waiting(self, session_id: str) -> list[str]:
        with self.lock:
            return list(self.catalogue.waiting_lists.get(session_id, []))

    def position(self, session_id: str, registration_id: str) -> int | None:
        waiting = self.waiting(session_id)
        return waiting.index(registration_id) + 1 if registration_id in waiting else None

    def get(self, session_id: str, registration_id: str) -> Registration | None:
        item = self._items.get((session_id, _reg(registration_id)))
        return item.value if item and isinstance(item.value, Registration) else None

    def registrations(self, session_id: str) -> list[Registration]:
        with self.lock:
            return [r for r in self._values(session_id, "REG#") if isinstance(r, Registration)]

    # -- data-protection requests ------------------------------------------------------------

    def with_email(self, email: str) -> list[Registration]:
        wanted = mailbox_key(email)
        with self.lock:
            return [r for r in self._values(None, "REG#")
                    if isinstance(r, Registration) and mailbox_key(r.email) == wanted]

    def submissions_with_email(self, email: str) -> list[Submission]:
        wanted = mailbox_key(email)
        with self.lock:
            return [s for s in self._values(None, "SUB#")
                    if isinstance(s, Submission) and mailbox_key(s.email) == wanted]

    def mails(self, session_id: str, registration_id: str) -> list[dict[str, str]]:
        with self.lock:
            return [{"email": key.rsplit("#", 1)[-1]} for sid, key in self._items
                    if sid == session_id and key.startswith((f"MAIL#{registration_id}#",
                                                             f"GATE#{registration_id}"))]

    def forget(self, registration: Registration) -> bool:
        with self.lock:
            current = self.get(registration.session_id, registration.id)
            if current is None or (current.status, current.round) != (registration.status,
                                                                      registration.round):
                return False  # as the adapter's condition
            self._write(registration.session_id, _reg(registration.id), None)
            self.forget_submissions(registration.session_id, registration.id)
            return True

    def forget_submissions(self, session_id: str, registration_id: str) -> None:
        with self.lock:
            prefixes = (f"MAIL#{registration_id}#", f"SUB#{registration_id}#",
                        f"GATE#{registration_id}", f"OUT#{registration_id}#")
            for sid, key in list(self._items):
                if sid == session_id and key.startswith(prefixes):
                    self._write(sid, key, None)

    # -- the published changes ---------------------------------------------------------------

    @staticmethod
    def decode(image: object) -> Registration | Submission | Outgoing | None:
        """A change's value as this store records it (`Change.old`, `Change.new`)."""
        return image if isinstance(image, Registration | Submission | Outgoing) else None

    # -- the secretariat's requests to send (shared.forums.registration.ports.Outbox) --------

    def put_message(self, message: SessionMessage) -> None:
        with self.lock:
            self._messages[(message.session_id, message.id)] = message

    def message(self, session_id: str, message_id: str) -> SessionMessage | None:
        return self._messages.get((session_id, message_id))

    @staticmethod
    def _out(request: Outgoing) -> str:
        which = request.email if request.email == "resent" else request.ledger_name
        return f"OUT#{request.registration_id}#{which}"

    def request(self, requests: list[Outgoing]) -> None:
        with self.lock:
            for request in requests:
                self._write(request.session_id, self._out(request),
                            Item(request, _epoch(request.expires_at)))

    def request_once(self, request: Outgoing, until: datetime) -> bool:
        with self.lock:
            held = self._items.get((request.session_id, self._out(request)))
            if held is not None and held.until is not None and held.until > request.requested_at:
                return False
            self._write(request.session_id, self._out(request),
                        Item(request, _epoch(request.expires_at), until))
            return True

    # -- the email ledger and the gates (shared.forums.registration.ports.Ledger) -----------------

    def claim(self, session_id: str, registration_id: str, kind: str,
              expires_at: datetime | None = None) -> bool:
        with self.lock:
            key = f"MAIL#{registration_id}#{kind}"
            if (session_id, key) in self._items:
                return False
            self._write(session_id, key, Item(None, _epoch(expires_at)))
            return True

    def release(self, session_id: str, registration_id: str, kind: str) -> None:
        with self.lock:
            self._write(session_id, f"MAIL#{registration_id}#{kind}", None)

    def pass_gate(self, session_id: str, registration_id: str, round_: int, now: datetime,
                  until: datetime) -> bool:
        with self.lock:
            key = f"GATE#{registration_id}#{round_}"
            held = self._items.get((session_id, key))
            if held is not None and held.until is not None and held.until > now:
                return False
            self._write(session_id, key, Item(None, _epoch(until), until))
            return True

    def reopen_gate(self, session_id: str, registration_id: str, round_: int,
                    until: datetime) -> None:
        with self.lock:
            key = f"GATE#{registration_id}#{round_}"
            held = self._items.get((session_id, key))
            if held is not None and held.until == until:
                self._write(session_id, key, None)


class MemoryOutbox:
    """The email sender (shared.email.Sender): every message kept, in order."""

    sender = "forum@example.dk"

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    def send(self, message: EmailMessage, to: str) -> str:
        with self._lock:
            self.messages.append(message)
            return f"message-{len(self.messages)}"

    def take(self) -> list[EmailMessage]:
        with self._lock:
            taken, self.messages = self.messages, []
            return taken
