"""What happens when a leader registers for a forum session, and when they cancel.

- A seat is taken atomically; a session never holds more confirmed participants than seats.
- When it is full, the registrant joins the waiting list in arrival order and is told the place.
- The same email for the same session is the same registration (its id is derived from both),
  so a repeated or resubmitted form gets the same answer, no second seat and no second email.
- Cancelling frees the seat and promotes the first waiting person in the same step.

Emails are not sent here: each change of a registration is published by the store (the
registrations table's stream) and turned into exactly one email by shared.forums.notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.clock import Clock, utcnow
from shared.errors import Conflict, DomainError, InvalidLink, NotFound
from shared.forms import (
    Consent,
    Email,
    OptionalMultiLine,
    OptionalPhone,
    OptionalSingleLine,
    SingleLine,
    normalise_email,
)
from shared.forums.models import SLUG, Session
from shared.roles import Audience, Role
from shared.tokens import InvalidToken, derive_id, sign, verify
from shared.validation import DanishValueError

CANCEL_PURPOSE = "cancel-registration"


class Status(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class CancelledBy(StrEnum):
    PARTICIPANT = "participant"
    SECRETARIAT = "secretariat"
    SESSION_CANCELLED = "session_cancelled"
    ERASURE = "erasure"  # a data-protection request: the address gets no further email


class RegistrationForm(BaseModel):
    """The registration form as the public API receives it."""

    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(pattern=SLUG)
    name: SingleLine = Field(min_length=1, max_length=200)
    email: Email
    phone: OptionalPhone = None
    role: Role
    workplace: SingleLine = Field(min_length=1, max_length=200)
    member_number: OptionalSingleLine = Field(default=None, max_length=20,
                                              pattern=r"^[0-9A-Za-z-]+$")
    needs: OptionalMultiLine = Field(default=None, max_length=500)
    consent: Consent
    website: str = Field(default="", max_length=500)  # the honeypot: people leave it empty

    @model_validator(mode="after")
    def _members_give_their_number(self) -> Self:
        if self.role.leads_leaders and not self.member_number:
            raise DanishValueError("member_number_required",
                                   "Medlemsnummer skal udfyldes for medlemmer.", "member_number")
        return self

    @property
    def is_bot(self) -> bool:
        return bool(self.website.strip())


class Registration(BaseModel):
    """A registration as stored. Personal fields stay out of logs."""

    id: str
    session_id: str
    forum_id: str
    status: Status
    name: str
    email: str
    phone: str | None = None
    role: Role
    workplace: str
    member_number: str | None = None
    needs: str | None = None
    created_at: datetime
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    promoted_at: datetime | None = None
    idempotency_key: str | None = None


class RegistrationAnswer(BaseModel):
    id: str
    status: Status
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Outcome:
    answer: RegistrationAnswer
    created: bool


@dataclass(frozen=True)
class SessionState:
    """What the store saw of a session when it refused a change (None: no such session)."""

    session: Session
    audience: Audience
    waiting: list[str]


@dataclass(frozen=True)
class Confirmed:
    pass


@dataclass(frozen=True)
class Existing:
    registration: Registration


@dataclass(frozen=True)
class Refused:
    state: SessionState | None


@dataclass(frozen=True)
class Waiting:
    position: int
    joined: bool = True  # False: the id was on the list already (a repeat, or a retry)


@dataclass(frozen=True)
class SeatFreed:
    """The session had a free seat after all (someone cancelled meanwhile)."""


class RegistrationStore(Protocol):
    def confirm_new(self, registration: Registration, admitted: list[Audience],
                    now: datetime) -> Confirmed | Existing | Refused:
        """Store the registration as confirmed and take a seat, both or neither."""

    def join_waitlist(self, session_id: str, registration_id: str, admitted: list[Audience],
                      now: datetime) -> Waiting | SeatFreed | Refused:
        """Append to the session's waiting list (or find it there already): its place, 1-based."""

    def put_waiting(self, registration: Registration) -> None:
        """Store the registration as waitlisted (after its place was taken); idempotent."""

    def position(self, session_id: str, registration_id: str) -> int | None: ...

    def waiting(self, session_id: str) -> list[str]:
        """The ids on the session's waiting list, first in line first."""

    def get(self, session_id: str, registration_id: str) -> Registration | None: ...

    def cancel(self, registration: Registration, by: CancelledBy, now: datetime) -> bool:
        """Cancel; a confirmed seat passes to the first waiting person in the same step.
        False when it was cancelled already."""

    def registrations(self, session_id: str) -> list[Registration]: ...


def admitted_audiences(role: Role) -> list[Audience]:
    """The audiences whose forums this role may register for."""
    return [a for a in Audience if a.admits(role)]


def refusal(state: SessionState | None, role: Role, now: datetime) -> DomainError | None:
    """Why a session refuses a registration; None when it is only full."""
    if state is None:
        return NotFound("Sessionen findes ikke.", code="session_not_found")
    session = state.session
    if session.cancelled:
        return Conflict("Sessionen er aflyst.", code="session_cancelled")
    if session.closed:
        return Conflict("Tilmeldingen til sessionen er lukket.", code="session_closed")
    if now > session.registration_deadline:
        return Conflict("Tilmeldingsfristen er overskredet.", code="deadline_passed")
    if not state.audience.admits(role):
        return Conflict("Dette forum er kun for ledere af ledere.", code="audience_not_admitted")
    return None


class Registrations:
    def __init__(self, store: RegistrationStore, secret: bytes, clock: Clock = utcnow) -> None:
        self._store = store
        self._secret = secret
        self._clock = clock

    def registration_id(self, session_id: str, email: str) -> str:
        return derive_id(self._secret, "registration", session_id, normalise_email(email))

    def register(self, form: RegistrationForm, idempotency_key: str | None = None) -> Outcome:
        now = self._clock()
        if not admitted_audiences(form.role):
            raise Conflict("Tilmelding kræver, at du er leder af ledere eller forvaltningsansat.",
                           code="audience_not_admitted")
        registration = Registration(
            id=self.registration_id(form.session_id, form.email),
            session_id=form.session_id, forum_id="", status=Status.CONFIRMED, name=form.name,
            email=form.email, phone=form.phone, role=form.role, workplace=form.workplace,
            member_number=form.member_number, needs=form.needs, created_at=now,
            idempotency_key=idempotency_key,
        )
        admitted = admitted_audiences(form.role)
        for _ in range(5):  # a seat freed or taken between two steps: look again
            attempt = self._store.confirm_new(registration, admitted, now)
            if isinstance(attempt, Confirmed):
                return Outcome(RegistrationAnswer(id=registration.id, status=Status.CONFIRMED),
                               created=True)
            if isinstance(attempt, Existing):
                return Outcome(self._answer(attempt.registration), created=False)
            problem = refusal(attempt.state, form.role, now)
            if problem is not None:
                raise problem
            queued = self._store.join_waitlist(form.session_id, registration.id, admitted, now)
            if isinstance(queued, SeatFreed):
                continue
            if isinstance(queued, Refused):
                problem = refusal(queued.state, form.role, now)
                if problem is not None:
                    raise problem
                continue
            self._store.put_waiting(registration.model_copy(update={"status": Status.WAITLISTED}))
            return Outcome(RegistrationAnswer(id=registration.id, status=Status.WAITLISTED,
                                              waitlist_position=queued.position),
                           created=queued.joined)
        raise Conflict("Der er stor søgning lige nu. Prøv igen om lidt.", code="busy")

    def _answer(self, registration: Registration) -> RegistrationAnswer:
        position = None
        if registration.status is Status.WAITLISTED:
            position = self._store.position(registration.session_id, registration.id)
        return RegistrationAnswer(id=registration.id, status=registration.status,
                                  waitlist_position=position)

    # -- cancellation -----------------------------------------------------------------------

    def cancel_token(self, registration: Registration, session: Session) -> str:
        return sign(self._secret, CANCEL_PURPOSE,
                    {"session": registration.session_id, "registration": registration.id},
                    expires=session.starts_at)

    def cancel_by_token(self, token: str) -> Status:
        """Cancel the registration the token was made for. Harmless when repeated."""
        try:
            subject = verify(self._secret, token, CANCEL_PURPOSE, self._clock())
        except InvalidToken as exc:
            raise InvalidLink() from exc
        registration = self._store.get(subject["session"], subject["registration"])
        if registration is None:
            raise InvalidLink()
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
