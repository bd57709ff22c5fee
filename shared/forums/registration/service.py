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
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from shared.errors import Conflict, InvalidInput, InvalidLink
from shared.forms import mailbox_key
from shared.forums.models import Session
from shared.forums.registration import seats
from shared.forums.registration.links import CancelLink, RegistrationLinks, link_round
from shared.forums.registration.models import (
    CancelledBy,
    Person,
    Registration,
    RegistrationAnswer,
    RegistrationDetails,
    RegistrationForm,
    Status,
    Submission,
)
from shared.forums.registration.ports import RegistrationStore
from shared.forums.registration.seats import admitted_audiences, refusal
from shared.forums.registration.transitions import Applied, Event
from shared.platform import defaults
from shared.platform.clock import Clock, utcnow
from shared.tokens import derive_id
from shared.validation import field_errors


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
            first = self._store.get(session_id, state.waiting[0])
            if first is None or first.status is not Status.WAITLISTED:
                again = self._store.session_state(session_id)
                if again is not None and again.waiting[:1] == state.waiting[:1]:
                    break  # a place in line without its registration: nothing to promote
                continue  # the first left the line meanwhile: read it again
            transition = seats.promote_first(state, first, self._clock())
            if isinstance(self._store.apply(transition), Applied):
                promoted += 1
        return promoted


def cancel_registration(store: RegistrationStore, registration: Registration, by: CancelledBy,
                        now: datetime, round_: int | None = None,
                        moved_to: str | None = None) -> bool:
    """Cancel the registration as it stands; a confirmed seat passes to the first in line in
    the same step. False when it was cancelled already (or is gone), or, with `round_`, when
    it is in another round by now."""
    for _ in range(10):  # the registration or the line moved meanwhile: read them again
        current = store.get(registration.session_id, registration.id)
        if current is None or current.status is Status.CANCELLED or \
                round_ not in (None, current.round):
            return False
        state = store.session_state(registration.session_id)
        if state is None:
            return False
        first = None  # needed only when the seat passes to them (not in a cancelled session)
        if current.status is Status.CONFIRMED and state.waiting and not state.session.cancelled:
            first = store.get(state.session.id, state.waiting[0])
            if first is None or first.status is not Status.WAITLISTED:
                continue
        if isinstance(store.apply(seats.cancel(state, current, first, by, now, moved_to)),
                      Applied):
            return True
    raise RuntimeError("cancellation kept conflicting")


ALREADY_CANCELLED = Conflict(
    "Tilmeldingen er afmeldt. Vil du deltage alligevel, så tilmeld dig igen via formularen.",
    code="registration_cancelled")


REGISTRATION_RENEWED = Conflict(
    "Du har tilmeldt dig igen, efter at dette link blev sendt, så det kan ikke længere bruges "
    "til at afmelde dig. Vil du afmelde dig, så brug linket i den nyeste mail om tilmeldingen.",
    code="registration_renewed")


def corrected(submission: Submission, corrections: Mapping[str, Any]) -> Submission:
    """The submission with the owner's corrections, checked as the registration form checks
    its fields (InvalidInput, per field in Danish, when they do not hold)."""
    if not corrections:
        return submission
    typed = {name: getattr(submission, name) for name in RegistrationDetails.model_fields}
    try:
        details = RegistrationDetails.model_validate({**typed, **corrections})
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc.errors())) from None
    return submission.model_copy(update=details.model_dump())


class Registrations:
    def __init__(self, store: RegistrationStore, secret: bytes, clock: Clock = utcnow, *,
                 retention_days: int = defaults.REGISTRATION_RETENTION_DAYS,
                 link_hours: int = defaults.REGISTRATION_CONFIRM_LINK_HOURS) -> None:
        self._store = store
        self._links = RegistrationLinks(secret, clock)  # ValueError without a secret
        self._secret = secret
        self._clock = clock
        self._retention = timedelta(days=retention_days)
        self._link_life = timedelta(hours=link_hours)

    def registration_id(self, session_id: str, email: str) -> str:
        """One registration per session and mailbox: subaddresses (`name+tag@`) of one
        mailbox are one person (shared.forms.mailbox_key)."""
        return derive_id(self._secret, "registration", session_id, mailbox_key(email))

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
            **Person.fields_of(form), submitted_at=now, expires_at=now + self._link_life,
        )
        self._store.put_submission(submission)
        return submission

    def confirm_token(self, submission: Submission, round_: int | None = None) -> str:
        """The link to the address's owner: it confirms the LATEST submission of the address
        for the session (whoever made the earlier ones), as the owner sees and corrects it on
        the link's landing page; not a particular submission, so a stranger's submission that
        passed the mail gate first neither blocks the owner's own nor reaches the
        registration unseen."""
        if round_ is None:
            round_ = link_round(self._store.get(submission.session_id,
                                                submission.registration_id))
        return self._links.confirm_token(submission, round_)

    # -- the owner confirms -----------------------------------------------------------------

    def _confirm_link(self, token: str) -> tuple[str, str, int | None, str | None]:
        """Session, registration, round (None on a link mailed before links had one) and the
        submission such an older link was made for."""
        link = self._links.confirm_link(token)
        return link.session_id, link.registration_id, link.round, link.submission

    def _settled(self, round_: int | None, legacy: str | None,
                 current: Registration | None) -> tuple[bool, int]:
        """Whether the link's round is decided already (answered as the registration stands),
        and the round it is for."""
        if round_ is None:  # a link from before rounds were in it
            if current is not None and (current.submission == legacy
                                        or current.status is not Status.CANCELLED):
                return True, current.round
            round_ = link_round(current)
        if current is None:
            if round_ != 1:  # the address was erased since the link was mailed
                raise InvalidLink()
            return False, round_
        if current.round >= round_ or current.status is not Status.CANCELLED:
            return True, round_
        if current.round != round_ - 1:
            raise InvalidLink()
        return False, round_

    def latest_submission(self, session_id: str, registration_id: str) -> Submission | None:
        """The newest submission of the address for the session that is still held."""
        now = self._clock()
        held = [s for s in self._store.submissions(session_id, registration_id)
                if s.expires_at > now]
        return max(held, key=lambda s: (s.submitted_at, s.id), default=None)

    def pending(self, token: str) -> tuple[str, Submission | RegistrationAnswer]:
        """What the confirmation link's landing page shows (reading only): the session and
        either the submission a press would confirm (the newest), or, when the link's round
        is decided, the registration as it stands. InvalidLink when nothing is held."""
        session_id, registration_id, round_, legacy = self._confirm_link(token)
        submission = self.latest_submission(session_id, registration_id)
        current = self._store.get(session_id, registration_id)
        settled, _ = self._settled(round_, legacy, current)
        if settled and current is not None:
            return session_id, self._answer(current)
        if submission is None:
            raise InvalidLink()
        return session_id, submission

    def confirm_by_token(self, token: str,
                         corrections: Mapping[str, Any] | None = None) -> RegistrationAnswer:
        """Take the seat (or the place in line) for the newest submission of the link's
        address, with the owner's corrections (checked as the form checks them). Pressing
        again answers the same; a registration already held is answered as it stands."""
        session_id, registration_id, round_, legacy = self._confirm_link(token)
        for _ in range(8):  # a seat freed or taken between two steps: look again
            # The submissions first: the step that places one deletes it and writes the
            # registration together, so a press racing another one sees one or the other.
            held = [s for s in self._store.submissions(session_id, registration_id)
                    if s.expires_at > self._clock()]
            current = self._store.get(session_id, registration_id)
            settled, _ = self._settled(round_, legacy, current)
            if settled and current is not None:
                return self._answer(current)
            latest = max(held, key=lambda s: (s.submitted_at, s.id), default=None)
            if latest is None:
                raise InvalidLink()
            outcome = self._place(corrected(latest, corrections or {}), current)
            if outcome is not None:
                for other in held:  # superseded: kept no longer than the seat needed them
                    if other.id != latest.id:
                        self._store.discard_submission(session_id, registration_id, other.id)
                return outcome
        raise Conflict("Der er stor søgning lige nu. Prøv igen om lidt.", code="busy")

    def discard_by_token(self, token: str) -> int:
        """"Det er ikke mig": the address's owner removes what is waiting for confirmation
        (a registration already held is left as it is; the link's mail gate stays closed).
        The number removed; pressing again removes nothing and answers the same."""
        session_id, registration_id, _, _ = self._confirm_link(token)
        held = self._store.submissions(session_id, registration_id)
        for submission in held:
            self._store.discard_submission(session_id, registration_id, submission.id)
        return len(held)

    def _place(self, submission: Submission,
               current: Registration | None) -> RegistrationAnswer | None:
        """A seat, else a place in line, as the rules decide from the session read; decided
        again from what the store saw while only the session moved. None: something else
        moved (the registration, the submission), read everything again."""
        now = self._clock()
        registration = Registration(
            id=submission.registration_id, session_id=submission.session_id,
            status=Status.CONFIRMED, **Person.fields_of(submission), created_at=now,
            round=current.round + 1 if current else 1, submission=submission.id,
            consent_text_version=submission.consent_text_version,
            consented_at=submission.submitted_at,
        )
        state = self._store.session_state(submission.session_id)
        for _ in range(4):
            problem = refusal(state, submission.role, now)
            if problem is not None:
                raise problem
            assert state is not None  # refusal() answers a missing session
            if state.seat_for_first_waiting:
                self.fill(submission.session_id)
                return None
            kept = registration.model_copy(
                update={"expires_at": state.session.ends_at + self._retention})
            transition = seats.place(state, kept, current, submission, now)
            outcome = self._store.apply(transition)
            if isinstance(outcome, Applied):
                if Event.SEAT_TAKEN in transition.events:
                    return RegistrationAnswer(status=Status.CONFIRMED)
                position = self._store.position(submission.session_id, registration.id)
                if position is None:
                    return None  # promoted already: answer as it stands
                return RegistrationAnswer(status=Status.WAITLISTED, waitlist_position=position)
            if not outcome.session_failed:
                return None
            state = outcome.state
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
        return self._links.cancel_token(registration, session)

    def _cancel_link(self, token: str) -> CancelLink:
        """What a cancel link names while its session has not started (as the session stands
        now: the secretariat may have moved it since the link was mailed); InvalidLink for a
        tampered, expired or other-purpose token, or once the session has started."""
        link = self._links.cancel_link(token)
        state = self._store.session_state(link.session_id)
        if state is None or state.session.starts_at <= self._clock():
            raise InvalidLink()
        return link

    def cancel_link_session(self, token: str) -> str:
        """The session a cancel link is for (what its landing page names before its button);
        InvalidLink for a tampered, expired or other-purpose token, or a started session."""
        return self._cancel_link(token).session_id

    def cancel_by_token(self, token: str) -> Status:
        """Cancel the registration the token was made for. Harmless when repeated. A link of
        an earlier round (mailed before a cancellation and a new registration) cancels
        nothing and says so (409 registration_renewed): the member must not believe they are
        out while their seat stays taken."""
        link = self._cancel_link(token)  # InvalidLink when not genuine, or once it started
        subject, link_round = link.subject, link.round
        for _ in range(8):  # cancelled and taken up again meanwhile: look again
            registration = self._store.get(subject["session"], subject["registration"])
            if registration is None or registration.round < link_round or (
                    registration.round == link_round and "since" in subject
                    and registration.created_at != datetime.fromisoformat(subject["since"])):
                raise InvalidLink()  # erased since (and perhaps registered anew)
            if registration.round > link_round and registration.status is not Status.CANCELLED:
                raise REGISTRATION_RENEWED
            if registration.round > link_round or registration.status is Status.CANCELLED:
                return Status.CANCELLED
            if cancel_registration(self._store, registration, CancelledBy.PARTICIPANT,
                                   self._clock(), round_=link_round):
                return Status.CANCELLED
        raise Conflict("Der er stor søgning lige nu. Prøv igen om lidt.", code="busy")


def reminder_window(now: datetime, days_before: int) -> tuple[datetime, datetime]:
    """Sessions starting in this window get their reminders when the daily job runs now: each
    confirmed participant once (the email ledger sees to that), even if a run was missed."""
    return now, now + timedelta(days=days_before)
