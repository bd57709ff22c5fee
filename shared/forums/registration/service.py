"""What happens when a leader registers for a forum session, and when they cancel.

- The address's owner confirms first. A submitted form is answered the same way for everyone
  ("check your mail") and only stored as a submission; the address gets an email with a
  signed link, and only pressing it takes a seat or a place in line. So no answer and no seat
  count tells a stranger whether an address is registered (union membership is special-category
  data, GDPR art. 9), and nobody can fill sessions with addresses they do not own.
- A seat is taken atomically; a session never holds more confirmed participants than seats.
- When it is full, the registrant joins the waiting list in arrival order and is told the place
  (the place and the registration are written together: nobody is on the list without one).
- While anyone waits, a freed or added seat goes to the first in line, never to a newcomer.
- The same email for the same session is the same registration (its id is derived from both):
  a repeat meets it, no second seat. A cancelled registration can be taken up again: the
  person registers anew (seat if free, else the end of the line) and gets their emails again.
- Cancelling frees the seat and promotes the first waiting person in the same step.
- Everything personal expires: a submission when its link does, a registration (and the record
  of its emails) the retention period after its session ended, decided when it is written.

Emails are not sent here: each stored submission and each change of a registration is
published by the store (the registrations table's stream) and turned into its email by
shared.forums.registration.mail."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from shared.clock import Clock, utcnow
from shared.errors import Conflict, DomainError, InvalidLink, NotFound
from shared.forms import (
    normalise_email,
)
from shared.forums.models import Session
from shared.forums.registration.models import (
    CancelledBy,
    Confirmed,
    Existing,
    Moved,
    Person,
    Refused,
    Registration,
    RegistrationAnswer,
    RegistrationForm,
    SessionState,
    Status,
    Submission,
    Waiting,
)
from shared.forums.registration.ports import RegistrationStore, SessionStatusStore
from shared.roles import Audience, Role
from shared.tokens import InvalidToken, derive_id, sign, verify

CANCEL_PURPOSE = "cancel-registration"
CONFIRM_PURPOSE = "confirm-registration"


def admitted_audiences(role: Role) -> list[Audience]:
    """The audiences whose forums this role may register for."""
    return [a for a in Audience if a.admits(role)]


def refusal(state: SessionState | None, role: Role, now: datetime) -> DomainError | None:
    """Why a session refuses a registration; None when it is only full. Never depends on who
    registers, only on the session and the role."""
    if state is None:
        return NotFound("Mødet findes ikke.", code="session_not_found")
    session = state.session
    if session.cancelled:
        return Conflict("Mødet er aflyst.", code="session_cancelled")
    if session.closed:
        return Conflict("Tilmeldingen til sessionen er lukket.", code="session_closed")
    if now > session.registration_deadline:
        return Conflict("Tilmeldingsfristen er overskredet.", code="deadline_passed")
    if not state.audience.admits(role):
        return Conflict("Dette forum er kun for ledere af ledere.", code="audience_not_admitted")
    return None


class WaitingList:
    """While anyone waits, a free seat goes to the first in line, never to a newcomer."""

    def __init__(self, store: RegistrationStore, clock: Clock = utcnow) -> None:
        self._store = store
        self._clock = clock

    def fill(self, session_id: str) -> int:
        """Give every free seat to the first in line, in order (after seats were added, or a
        step that freed one was interrupted). The number promoted; each is emailed from the
        change of their registration."""
        promoted = 0
        for _ in range(10_000):
            state = self._store.session_state(session_id)
            if state is None or not state.seat_for_first_waiting:
                break
            if self._store.promote_first(session_id, state.waiting[0], self._clock()):
                promoted += 1
        return promoted


ALREADY_CANCELLED = Conflict(
    "Tilmeldingen er afmeldt. Vil du deltage alligevel, så tilmeld dig igen via formularen.",
    code="registration_cancelled")


class Registrations:
    def __init__(self, store: RegistrationStore, secret: bytes, clock: Clock = utcnow, *,
                 retention_days: int = 365, link_hours: int = 24) -> None:
        self._store = store
        self._secret = secret
        self._clock = clock
        self._retention = timedelta(days=retention_days)
        self._link_life = timedelta(hours=link_hours)

    def registration_id(self, session_id: str, email: str) -> str:
        return derive_id(self._secret, "registration", session_id, normalise_email(email))

    # -- the form ---------------------------------------------------------------------------

    def submit(self, form: RegistrationForm, idempotency_key: str | None = None) -> Submission:
        """Store the form for its address's owner to confirm. The same two calls (read the
        session, write the submission) whoever the address belongs to."""
        now = self._clock()
        if not admitted_audiences(form.role):
            raise Conflict("Tilmelding kræver, at du er leder af ledere eller forvaltningsansat.",
                           code="audience_not_admitted")
        problem = refusal(self._store.session_state(form.session_id), form.role, now)
        if problem is not None:
            raise problem
        registration_id = self.registration_id(form.session_id, form.email)
        # A resubmitted form (same Idempotency-Key) is the same submission.
        submission_id = (derive_id(self._secret, "submission", registration_id, idempotency_key)
                         if idempotency_key else derive_id(self._secret, "submission",
                                                           registration_id, secrets.token_hex(16)))
        submission = Submission(
            id=submission_id, registration_id=registration_id, session_id=form.session_id,
            **Person.of(form), submitted_at=now, expires_at=now + self._link_life,
        )
        self._store.put_submission(submission)
        return submission

    def confirm_token(self, submission: Submission) -> str:
        return sign(self._secret, CONFIRM_PURPOSE,
                    {"session": submission.session_id, "registration": submission.registration_id,
                     "submission": submission.id}, expires=submission.expires_at)

    # -- the owner confirms -----------------------------------------------------------------

    def confirm_by_token(self, token: str) -> RegistrationAnswer:
        """Take the seat (or the place in line) the submission asked for. Pressing again
        answers the same; a registration already held is answered as it stands."""
        try:
            subject = verify(self._secret, token, CONFIRM_PURPOSE, self._clock())
        except InvalidToken as exc:
            raise InvalidLink() from exc
        session_id, registration_id = subject["session"], subject["registration"]
        submission_id = subject["submission"]
        for _ in range(8):  # a seat freed or taken between two steps: look again
            # The submission first: the step that places it deletes it and writes the
            # registration together, so a press racing another one sees one or the other.
            submission = self._store.submission(session_id, registration_id, submission_id)
            current = self._store.get(session_id, registration_id)
            if current is not None and (current.submission == submission_id
                                        or current.status is not Status.CANCELLED):
                return self._answer(current)
            if submission is None:
                raise InvalidLink()
            outcome = self._place(submission, current)
            if outcome is not None:
                return outcome
        raise Conflict("Der er stor søgning lige nu. Prøv igen om lidt.", code="busy")

    def _place(self, submission: Submission,
               current: Registration | None) -> RegistrationAnswer | None:
        """One attempt at a seat, else a place in line; None: the session moved, try again."""
        now = self._clock()
        state = self._store.session_state(submission.session_id)
        problem = refusal(state, submission.role, now)
        if problem is not None:
            raise problem
        if state is None:  # refusal() answers a missing session
            raise InvalidLink()
        if state.seat_for_first_waiting:
            self.fill(submission.session_id)
            return None
        registration = Registration(
            id=submission.registration_id, session_id=submission.session_id,
            status=Status.CONFIRMED, **Person.of(submission), created_at=now,
            round=current.round + 1 if current else 1, submission=submission.id,
            expires_at=state.session.ends_at + self._retention,
            consent_text_version=submission.consent_text_version,
            consented_at=submission.submitted_at,
        )
        previous = current.round if current else None
        admitted = admitted_audiences(submission.role)
        if state.session.confirmed < state.session.capacity and not state.waiting:
            taken = self._store.take_seat(registration, admitted, now, previous)
            if isinstance(taken, Confirmed):
                return RegistrationAnswer(status=Status.CONFIRMED)
            if isinstance(taken, Existing | Moved):
                return None  # a race with another press, a cancel or an erasure: read again
            if (problem := refusal(taken.state, submission.role, now)) is not None:
                raise problem
        waitlisted = registration.model_copy(update={"status": Status.WAITLISTED})
        queued = self._store.join_waitlist(waitlisted, admitted, now, previous)
        if isinstance(queued, Waiting):
            position = self._store.position(submission.session_id, submission.registration_id)
            if position is not None:
                return RegistrationAnswer(status=Status.WAITLISTED, waitlist_position=position)
            return None  # promoted already: answer as it stands
        if isinstance(queued, Refused) and \
                (problem := refusal(queued.state, submission.role, now)) is not None:
            raise problem
        return None

    def _answer(self, registration: Registration) -> RegistrationAnswer:
        if registration.status is Status.CANCELLED:
            raise ALREADY_CANCELLED
        position = None
        if registration.status is Status.WAITLISTED:
            position = self._store.position(registration.session_id, registration.id)
        return RegistrationAnswer(status=registration.status, waitlist_position=position)

    def fill(self, session_id: str) -> int:
        return WaitingList(self._store, self._clock).fill(session_id)

    # -- cancellation -----------------------------------------------------------------------

    def cancel_token(self, registration: Registration, session: Session) -> str:
        return sign(self._secret, CANCEL_PURPOSE,
                    {"session": registration.session_id, "registration": registration.id,
                     "round": str(registration.round)},
                    expires=session.starts_at)

    def cancel_link_session(self, token: str) -> str:
        """The session a cancel link is for (what its landing page names before its button);
        InvalidLink for a tampered, expired or other-purpose token."""
        try:
            return str(verify(self._secret, token, CANCEL_PURPOSE, self._clock())["session"])
        except (InvalidToken, KeyError) as exc:
            raise InvalidLink() from exc

    def cancel_by_token(self, token: str) -> Status:
        """Cancel the registration the token was made for. Harmless when repeated; a link
        of an earlier round does not cancel a registration taken up again."""
        try:
            subject = verify(self._secret, token, CANCEL_PURPOSE, self._clock())
        except InvalidToken as exc:
            raise InvalidLink() from exc
        registration = self._store.get(subject["session"], subject["registration"])
        if registration is None:
            raise InvalidLink()
        if str(registration.round) == subject.get("round", "1"):
            self._store.cancel(registration, CancelledBy.PARTICIPANT, self._clock())
        return Status.CANCELLED

    def cancel_by_secretariat(self, session_id: str, registration_id: str,
                              by: CancelledBy = CancelledBy.SECRETARIAT) -> bool:
        registration = self._store.get(session_id, registration_id)
        if registration is None:
            raise NotFound("Tilmeldingen findes ikke.", code="registration_not_found")
        return self._store.cancel(registration, by, self._clock())

    def participants(self, session_id: str) -> list[Registration]:
        """Everyone registered, confirmed first, then the waiting list in order, then cancelled."""
        everyone = self._store.registrations(session_id)
        waiting = {rid: i for i, rid in enumerate(self._store.waiting(session_id))}
        order = {Status.CONFIRMED: 0, Status.WAITLISTED: 1, Status.CANCELLED: 2}
        return sorted(everyone, key=lambda r: (order[r.status], waiting.get(r.id, 0),
                                               r.promoted_at or r.created_at))

def reminder_window(now: datetime, days_before: int) -> tuple[datetime, datetime]:
    """Sessions starting in this window get their reminders when the daily job runs now: each
    confirmed participant once (the email ledger sees to that), even if a run was missed."""
    return now, now + timedelta(days=days_before)


def cancel_session(catalogue: SessionStatusStore, store: RegistrationStore, session_id: str,
                   reason: str, clock: Clock = utcnow) -> int:
    """Cancel the session for good (NotFound if there is none) and every registration of it
    that is not cancelled yet; the number cancelled now. Each is emailed once, with the
    reason, from the change of its registration, so running it again emails nobody twice.
    A reason that is not valid text is InvalidInput and changes nothing."""
    from shared.forums.catalogue import valid_cancel_reason

    reason = valid_cancel_reason(reason)
    catalogue.set_status(session_id, cancelled=True, reason=reason)
    registrations = Registrations(store, secret=b"", clock=clock)  # cancelling signs nothing
    return sum(
        1 for registration in store.registrations(session_id)
        if registration.status is not Status.CANCELLED and registrations.cancel_by_secretariat(
            session_id, registration.id, CancelledBy.SESSION_CANCELLED))
