"""What forum registration needs of the world: its storage (every method the service, the
waiting list, the secretariat's flows, the email notifier and data-protection requests call
on it), the record of emails sent, and the sessions as the emails and a cancellation see
them.

The DynamoDB adapter (shared.adapters.dynamodb_registrations) implements it in AWS and
locally; an in-memory store does in the unit tests, and one contract test suite runs against
both (tests/integration/test_registration_store_contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from shared.forums.models import Forum, Session
    from shared.forums.registration.messages import Outgoing, SessionMessage
    from shared.forums.registration.models import Registration, SessionState, Submission
    from shared.forums.registration.transitions import Applied, Rejected, Transition


class RegistrationStore(Protocol):
    """Registrations, the submissions waiting for their owner, and each session's seats and
    waiting list. Every write that places or moves a person is all or nothing, and each one
    (and each stored submission) is published to the notifier."""

    # -- the session as registration sees it -----------------------------------------------

    def session_state(self, session_id: str) -> SessionState | None:
        """The session, its audience and its waiting list (None: no such session)."""

    # -- submitting -------------------------------------------------------------------------

    def put_submission(self, submission: Submission) -> None:
        """Store the submission (written again unchanged when a form is resubmitted); it
        expires when its link does."""

    def submission(self, session_id: str, registration_id: str,
                   submission_id: str) -> Submission | None:
        """The submission while it is held (not yet used, erased or expired)."""

    def submissions(self, session_id: str, registration_id: str) -> list[Submission]:
        """Every submission of the registration (the session and address) still held, in
        any order; one whose link expired may still be among them until the table's expiry
        removes it."""

    def discard_submission(self, session_id: str, registration_id: str,
                           submission_id: str) -> None:
        """Delete the submission (nothing when it is gone already)."""

    # -- placing ----------------------------------------------------------------------------

    def apply(self, transition: Transition) -> Applied | Rejected:
        """Apply the transition all or nothing: only while each of its conditions holds on
        the session, each registration it writes is still what it replaces, and the
        submission it uses up is still held. It decides nothing: the rules
        (shared.forums.registration.seats) made it from the state they read."""

    # -- reading ----------------------------------------------------------------------------

    def position(self, session_id: str, registration_id: str) -> int | None:
        """The place in line, from 1; None when not waiting."""

    def waiting(self, session_id: str) -> list[str]:
        """The ids on the session's waiting list, first in line first."""

    def get(self, session_id: str, registration_id: str) -> Registration | None: ...

    def registrations(self, session_id: str) -> list[Registration]:
        """Every registration of the session, whatever its status, in id order."""

    # -- data-protection requests -----------------------------------------------------------

    def with_email(self, email: str) -> list[Registration]:
        """Every registration of this address (compared normalised, not by mailbox: a
        data-protection request is for the address asked about), in any session."""

    def submissions_with_email(self, email: str) -> list[Submission]:
        """Every submission of this address still held, in any session."""

    def mails(self, session_id: str, registration_id: str) -> list[dict[str, str]]:
        """The record of the emails sent for the registration: per round, which, and when
        (a data-protection export)."""

    def forget(self, registration: Registration) -> bool:
        """Delete the registration, its submissions and the record of the emails it was
        sent (a seat it held is not given back here: cancel first), only while its status
        and round are as given; False when they changed (nothing deleted)."""

    def forget_submissions(self, session_id: str, registration_id: str) -> None:
        """Delete the registration's submissions, the record of its emails and its gate."""

    # -- the published changes --------------------------------------------------------------

    def decode(self, image: Any) -> Registration | Submission | Outgoing | None:
        """The registration, submission or request to send an item holds, as the store
        publishes its changes (for DynamoDB, a stream record's `NewImage` or `OldImage`); None
        for no item or any other (the record of emails sent, a mail gate, a message)."""


class Ledger(Protocol):
    def claim(self, session_id: str, registration_id: str, kind: str,
              expires_at: datetime | None = None) -> bool:
        """True for the first claim of this email; False when it was sent (or is being sent)."""

    def release(self, session_id: str, registration_id: str, kind: str) -> None: ...

    def pass_gate(self, session_id: str, registration_id: str, round_: int, now: datetime,
                  until: datetime) -> bool:
        """True when the address (its registration) may be mailed a confirmation link of this
        round now; then not again before `until`."""

    def reopen_gate(self, session_id: str, registration_id: str, round_: int,
                    until: datetime) -> None:
        """Undo a pass whose email could not be sent (only that pass, not a later one)."""


class SessionLookup(Protocol):
    def session(self, session_id: str) -> Session | None: ...

    def forum(self, forum_id: str) -> Forum | None: ...

    def cancel_reason(self, session_id: str) -> str | None: ...


class RegistrationReads(Protocol):
    """What the notifier reads of registration: a registration, a submission, a place in
    line (the registration store answers it)."""

    def position(self, session_id: str, registration_id: str) -> int | None: ...

    def get(self, session_id: str, registration_id: str) -> Registration | None: ...

    def submission(self, session_id: str, registration_id: str,
                   submission_id: str) -> Submission | None: ...

    def message(self, session_id: str, message_id: str) -> SessionMessage | None:
        """The secretariat's message to the session (Outbox.message)."""


class SessionStatusStore(Protocol):
    def set_status(self, session_id: str, *, closed: bool | None = None,
                   cancelled: bool | None = None, reason: str | None = None) -> None: ...

    def delete_session(self, session_id: str) -> bool:
        """Delete the session while no seat is taken and nobody waits; False (nothing
        deleted) when either; NotFound when there is none."""
