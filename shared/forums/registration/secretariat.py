"""The secretariat's part of forum registration, shared by the staff console and the CLI:
who is registered for a session, cancelling one registration, and cancelling a whole
session. It signs no link and reads none: each change of a registration is emailed from the
registrations' stream (shared.forums.registration.mail), as any other change is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.errors import NotFound
from shared.forums.registration.models import CancelledBy, Registration, Status
from shared.forums.registration.ports import RegistrationStore, SessionStatusStore
from shared.forums.registration.service import cancel_registration
from shared.platform.clock import Clock, utcnow

_ORDER = {Status.CONFIRMED: 0, Status.WAITLISTED: 1, Status.CANCELLED: 2}


@dataclass(frozen=True)
class Participant:
    """A registration as the secretariat's list shows it: its place in line while it waits,
    and whether another registration of the session not cancelled gives its member number."""

    registration: Registration
    waitlist_position: int | None
    member_number_shared: bool


def shared_member_numbers(registrations: Iterable[Registration]) -> set[str]:
    """The registrations (ids) whose member number another registration of the session not
    cancelled gives too (compared without case, spaces or hyphens). Shown to the secretariat
    and never refused: refusing would let anyone who knows a member's number block them."""
    by_number: dict[str, list[str]] = {}
    for r in registrations:
        if r.member_number and r.status is not Status.CANCELLED:
            key = r.member_number.replace("-", "").replace(" ", "").casefold()
            by_number.setdefault(key, []).append(r.id)
    return {rid for ids in by_number.values() if len(ids) > 1 for rid in ids}


class Secretariat:
    def __init__(self, registrations: RegistrationStore, sessions: SessionStatusStore,
                 clock: Clock = utcnow) -> None:
        self._store = registrations
        self._sessions = sessions
        self._clock = clock

    def participants(self, session_id: str) -> list[Participant]:
        """Everyone registered: confirmed first, then the waiting list in order, then
        cancelled."""
        everyone = self._store.registrations(session_id)
        waiting = {rid: i for i, rid in enumerate(self._store.waiting(session_id))}
        shared = shared_member_numbers(everyone)
        ordered = sorted(everyone, key=lambda r: (_ORDER[r.status], waiting.get(r.id, 0),
                                                  r.promoted_at or r.created_at))
        return [Participant(r, waiting[r.id] + 1 if r.id in waiting else None, r.id in shared)
                for r in ordered]

    def cancel(self, session_id: str, registration_id: str,
               by: CancelledBy = CancelledBy.SECRETARIAT) -> bool:
        """Cancel one registration (its seat to the first in line); False when it was
        cancelled already. NotFound when there is none."""
        registration = self._store.get(session_id, registration_id)
        if registration is None:
            raise NotFound("Tilmeldingen findes ikke.", code="registration_not_found")
        return cancel_registration(self._store, registration, by, self._clock())

    def cancel_session(self, session_id: str, reason: str) -> int:
        """Cancel the session for good (NotFound if there is none) and every registration of
        it that is not cancelled yet; the number cancelled now. Each is emailed once, with
        the reason, from the change of its registration, so running it again emails nobody
        twice. A reason that is not valid text is InvalidInput and changes nothing."""
        from shared.forums.catalogue import valid_cancel_reason

        reason = valid_cancel_reason(reason)
        self._sessions.set_status(session_id, cancelled=True, reason=reason)
        return sum(
            1 for registration in self._store.registrations(session_id)
            if registration.status is not Status.CANCELLED
            and self.cancel(session_id, registration.id, CancelledBy.SESSION_CANCELLED))
