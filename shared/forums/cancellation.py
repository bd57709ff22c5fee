"""The secretariat cancels a session: the one flow behind `leaders forums cancel-session` and
the staff console's cancel button."""

from __future__ import annotations

from typing import Protocol

from shared.clock import Clock, utcnow
from shared.forums.registration import CancelledBy, Registrations, RegistrationStore, Status


class SessionStatusStore(Protocol):
    def set_status(self, session_id: str, *, closed: bool | None = None,
                   cancelled: bool | None = None, reason: str | None = None) -> None: ...


def cancel_session(catalogue: SessionStatusStore, store: RegistrationStore, session_id: str,
                   reason: str, clock: Clock = utcnow) -> int:
    """Cancel the session for good (NotFound if there is none) and every registration of it
    that is not cancelled yet; the number cancelled now. Each is emailed once, with the
    reason, from the change of its registration, so running it again emails nobody twice."""
    catalogue.set_status(session_id, cancelled=True, reason=reason)
    registrations = Registrations(store, secret=b"", clock=clock)  # cancelling signs nothing
    return sum(
        1 for registration in store.registrations(session_id)
        if registration.status is not Status.CANCELLED and registrations.cancel_by_secretariat(
            session_id, registration.id, CancelledBy.SESSION_CANCELLED))
