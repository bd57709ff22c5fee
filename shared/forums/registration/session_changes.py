"""The secretariat changes a session's details: what changes and who is told, before saving;
then the change itself, written once and told once to each person it concerns.

- A change of the time or the place (city, venue, start, end) raises the session's revision.
  Every registration records the revision it was told about (`session_revision`): each one not
  at the session's revision is rewritten with it, and with its expiry moved to the new end
  (retention follows the dates), and the rewrite is emailed from the registrations' stream
  (EmailKind.SESSION_CHANGED, once per revision: the confirmed get the updated calendar
  file). A cancelled registration follows the dates silently.
- The deadline and the capacity change nobody's seat, so nobody is told of them; a capacity
  below the seats taken is refused with the count, and seats added go to the waiting list
  first, in order (each promotion emailed as any promotion is).
- Saving the same details again changes nothing. A change interrupted after the session was
  written is finished by saving it again: the telling step compares each registration with the
  session, not with what was typed. A registration placed while the session changes is placed
  under the revision it read or not at all (seats.place relies on AtRevision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from shared.danish import counted
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.forums.catalogue import CapacityBelowConfirmed
from shared.forums.catalogue_file import FieldChange, SessionDetails, field_changes
from shared.forums.models import TIME_AND_PLACE, Session
from shared.forums.registration.models import Registration, Status
from shared.forums.registration.ports import RegistrationStore
from shared.forums.registration.service import WaitingList
from shared.forums.registration.transitions import Applied, Transition, Write
from shared.platform import defaults
from shared.platform.clock import Clock, utcnow

SESSION_NOT_FOUND = NotFound("Mødet findes ikke.", code="session_not_found")
SESSION_CANCELLED = Conflict("Mødet er aflyst og kan ikke ændres.", code="session_cancelled")
BUSY = Conflict("Mødet bliver ændret af en anden lige nu. Prøv igen om lidt.", code="busy")


class ChangeableSessions(Protocol):
    def session(self, session_id: str) -> Session | None: ...

    def change_session(self, changed: Session, read: Session) -> bool:
        """Write `changed` while the session is still as `read` (False when another change
        came first). CapacityBelowConfirmed, NotFound, Conflict (cancelled)."""


@dataclass(frozen=True)
class SessionChange:
    """What saving these details would change, and whom it would tell."""

    changes: tuple[FieldChange, ...]
    confirmed: int  # told, when the time or place changes
    waiting: int
    told: bool  # whether the change is emailed (its time or place changes)
    promoted: int  # waiting people who would get a seat (capacity raised)

    @property
    def summary(self) -> str:
        if not self.changes:
            return "Intet er ændret."
        if self.told:
            if not self.confirmed and not self.waiting:
                told = "Ingen er tilmeldt, så ingen får besked."
            else:
                people = [counted(self.confirmed, "tilmeldt", "tilmeldte")] \
                    if self.confirmed else []
                people += [f"{self.waiting} på venteliste"] if self.waiting else []
                told = f"{' og '.join(people)} får besked med de nye oplysninger."
        else:
            told = "Ingen får besked om ændringen."
        if self.promoted:
            told += (f" {counted(self.promoted, 'person', 'personer')} på ventelisten får en "
                     f"plads og besked om det.")
        return told


def _wanted(session: Session, details: SessionDetails) -> dict[str, object]:
    """The fields of the session that the details change, with their new values."""
    new = details.model_dump()
    return {name: value for name, value in new.items() if getattr(session, name) != value}


class SessionChanges:
    def __init__(self, registrations: RegistrationStore, sessions: ChangeableSessions,
                 clock: Clock = utcnow,
                 retention_days: int = defaults.REGISTRATION_RETENTION_DAYS) -> None:
        self._store = registrations
        self._sessions = sessions
        self._clock = clock
        self._retention = timedelta(days=retention_days)

    def _read(self, session_id: str) -> Session:
        session = self._sessions.session(session_id)
        if session is None:
            raise SESSION_NOT_FOUND
        if session.cancelled:
            raise SESSION_CANCELLED
        return session

    def preview(self, session_id: str, details: SessionDetails) -> SessionChange:
        """What saving the details would change and whom it would tell; nothing is written.
        InvalidInput (on `capacity`, with the count) when fewer seats than those taken."""
        session = self._read(session_id)
        return self._decide(session, details)

    def _decide(self, session: Session, details: SessionDetails) -> SessionChange:
        wanted = _wanted(session, details)
        if details.capacity < session.confirmed:
            raise InvalidInput([FieldError(
                "capacity", "capacity_below_confirmed",
                f"Der er {counted(session.confirmed, 'bekræftet deltager', 'bekræftede deltagere')}"
                f", så mødet skal have mindst {session.confirmed} pladser.")])
        everyone = [r for r in self._store.registrations(session.id)
                    if r.status is not Status.CANCELLED]
        confirmed = sum(1 for r in everyone if r.status is Status.CONFIRMED)
        waiting = len(everyone) - confirmed
        added = max(details.capacity - max(session.capacity, session.confirmed), 0)
        return SessionChange(
            changes=field_changes(session, session.model_copy(update=wanted), wanted),
            confirmed=confirmed, waiting=waiting,
            told=any(name in TIME_AND_PLACE for name in wanted), promoted=min(waiting, added))

    def change(self, session_id: str, details: SessionDetails) -> int:
        """Save the details; the number of people told of the change now. Saving them again
        changes nothing and tells nobody twice (and finishes telling, when a change was
        interrupted)."""
        for _ in range(8):
            session = self._read(session_id)
            decided = self._decide(session, details)
            if not decided.changes:
                break
            changed = session.model_copy(update={
                **_wanted(session, details),
                "revision": session.revision + (1 if decided.told else 0)})
            try:
                if self._sessions.change_session(changed, session):
                    break
            except CapacityBelowConfirmed:
                continue  # seats were taken meanwhile: decide again from the session as it is
        else:
            raise BUSY
        told = self.tell(session_id)
        WaitingList(self._store, self._clock).fill(session_id)
        return told

    def tell(self, session_id: str) -> int:
        """Bring every registration of the session to its revision and its dates: each not
        cancelled is then emailed the new details once. The number rewritten to be told."""
        told = 0
        session = self._sessions.session(session_id)  # read once; again when a write fails
        for registration in self._store.registrations(session_id):
            for _ in range(8):  # the registration moved meanwhile (promoted, cancelled)
                if session is None:
                    return told
                update = self._followed(registration, session)
                if update is None:
                    break
                write = Write(registration.model_copy(update=update), registration)
                if isinstance(self._store.apply(Transition(session_id, writes=(write,))),
                              Applied):
                    told += registration.status is not Status.CANCELLED \
                        and "session_revision" in update
                    break
                current = self._store.get(session_id, registration.id)
                if current is None:
                    break
                registration = current
                session = self._sessions.session(session_id)  # it may have moved on too
        return told

    def _followed(self, registration: Registration, session: Session) -> dict[str, object] | None:
        """What the registration must change to follow the session (None: nothing)."""
        update: dict[str, object] = {}
        if registration.session_revision < session.revision:
            update["session_revision"] = session.revision
        expires = session.ends_at + self._retention
        if registration.expires_at is None or \
                int(registration.expires_at.timestamp()) != int(expires.timestamp()):
            update["expires_at"] = expires
        return update or None
