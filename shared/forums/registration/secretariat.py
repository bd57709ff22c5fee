"""The secretariat's part of forum registration, shared by the staff console and the CLI:
who is registered for a session, registering someone who phoned or wrote, cancelling or
moving one registration, and cancelling a whole session. It signs no link and reads none:
each change of a registration is emailed from the registrations' stream
(shared.forums.registration.mail), as any other change is."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from shared.danish import participant_summary
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.forums.models import SLUG
from shared.forums.registration import seats
from shared.forums.registration.models import (
    CancelledBy,
    Person,
    Registration,
    RegistrationAnswer,
    SessionState,
    StaffRegistrationForm,
    Status,
)
from shared.forums.registration.ports import RegistrationStore, SessionStatusStore
from shared.forums.registration.service import WaitingList, cancel_registration
from shared.forums.registration.transitions import Applied, Event
from shared.platform import defaults
from shared.platform.clock import Clock, utcnow

REGISTRATION_NOT_FOUND = NotFound("Tilmeldingen findes ikke.", code="registration_not_found")
BUSY = Conflict("Der er stor søgning lige nu. Prøv igen om lidt.", code="busy")

# A registration as the secretariat's list and routes name it: its session and its id within
# the session (registration ids are per session), joined by `~` (unreserved in a URL).
PARTICIPANT_ID = SLUG.rstrip("$") + r"~[a-z2-7]{20}$"


def participant_id(registration: Registration) -> str:
    return f"{registration.session_id}~{registration.id}"


def parse_participant_id(value: str) -> tuple[str, str]:
    """Session and registration of a participant id; InvalidInput when it is not one."""
    if not re.fullmatch(PARTICIPANT_ID, value):
        raise InvalidInput([FieldError("registration_id", "invalid_registration_id",
                                       "Tilmeldingens id er ugyldigt.")])
    session_id, _, registration_id = value.partition("~")
    return session_id, registration_id


@dataclass(frozen=True)
class Placed:
    """A registration the secretariat entered or moved, as it stands; `created` is False when
    the person was registered already (nothing was changed)."""

    registration: Registration
    answer: RegistrationAnswer
    created: bool

_ORDER = {Status.CONFIRMED: 0, Status.WAITLISTED: 1, Status.CANCELLED: 2}


@dataclass(frozen=True)
class Participant:
    """A registration as the secretariat's list shows it: its place in line while it waits,
    and whether another registration of the session not cancelled gives its member number."""

    registration: Registration
    waitlist_position: int | None
    member_number_shared: bool


@dataclass(frozen=True)
class HeadCount:
    """Who a participant list counts: the confirmed (the participants), those waiting in line,
    and the cancelled, which are shown but never counted as participants."""

    confirmed: int
    waiting: int
    cancelled: int

    @classmethod
    def of(cls, participants: Iterable[Participant]) -> HeadCount:
        statuses = [p.registration.status for p in participants]
        return cls(confirmed=statuses.count(Status.CONFIRMED),
                   waiting=statuses.count(Status.WAITLISTED),
                   cancelled=statuses.count(Status.CANCELLED))

    @property
    def summary(self) -> str:
        return participant_summary(self.confirmed, self.waiting, self.cancelled)


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
                 clock: Clock = utcnow, *,
                 registration_id: Callable[[str, str], str] | None = None,
                 retention_days: int = defaults.REGISTRATION_RETENTION_DAYS) -> None:
        """`registration_id`: the id of a session's registration of an address, as public
        registration derives it (Registrations.registration_id); needed to register and move."""
        self._store = registrations
        self._sessions = sessions
        self._clock = clock
        self._registration_id = registration_id
        self._retention = timedelta(days=retention_days)

    def _id(self, session_id: str, email: str) -> str:
        if self._registration_id is None:
            raise RuntimeError("registering needs the registration ids (the signing secret)")
        return self._registration_id(session_id, email)

    def _answer(self, registration: Registration) -> RegistrationAnswer:
        position = self._store.position(registration.session_id, registration.id) \
            if registration.status is Status.WAITLISTED else None
        return RegistrationAnswer(status=registration.status, waitlist_position=position)

    def _place(self, session_id: str, person: Person, extra: dict[str, object],
               *, allow: Callable[[Registration], bool] = lambda _: False) -> Placed:
        """Place the person in the session under the rules the form's registrations follow (a
        seat if free and nobody waits, else the end of the line); a registration not
        cancelled is answered as it stands (`created` False). `allow` says whether such a
        registration is this very change made before (answered as done) rather than one of
        the person's own, which the caller may refuse."""
        registration_id = self._id(session_id, person.email)
        for _ in range(8):  # the session or the registration moved meanwhile: read again
            now = self._clock()
            current = self._store.get(session_id, registration_id)
            if current is not None and current.status is not Status.CANCELLED:
                return Placed(current, self._answer(current), created=False)
            state = self._store.session_state(session_id)
            problem = seats.refusal(state, person.role, now)
            if problem is not None:
                raise problem
            assert state is not None  # refusal() answers a missing session
            if state.seat_for_first_waiting:  # the first in line is owed a seat first
                WaitingList(self._store, self._clock).fill(session_id)
                continue
            registration = Registration(
                id=registration_id, session_id=session_id, status=Status.CONFIRMED,
                **Person.fields_of(person), created_at=now,
                round=current.round + 1 if current else 1,
                expires_at=state.session.ends_at + self._retention, **extra)  # type: ignore[arg-type]
            transition = seats.place(state, registration, current, None, now)
            if isinstance(self._store.apply(transition), Applied):
                placed = registration if Event.SEAT_TAKEN in transition.events else \
                    registration.model_copy(update={"status": Status.WAITLISTED})
                stored = self._store.get(session_id, registration_id) or placed
                return Placed(stored, self._answer(stored), created=True)
        raise BUSY

    def register(self, session_id: str, form: StaffRegistrationForm, by: str) -> Placed:
        """Register someone who phoned or wrote, at once, under the rules the form's
        registrations follow; `by`: the staff member who entered it. No submission and no
        confirmation link: the person asked the secretariat (`form.asked_by`), and gets the
        confirmation (or waiting-list) email from the change of the registration, as anyone
        does. Repeating it (same address, same session) changes nothing and answers the
        registration as it stands."""
        return self._place(session_id, Person.model_validate(Person.fields_of(form)),
                           {"entered_by": by, "asked_by": form.asked_by})

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
               by: CancelledBy = CancelledBy.SECRETARIAT, moved_to: str | None = None) -> bool:
        """Cancel one registration (its seat to the first in line); False when it was
        cancelled already. NotFound when there is none. `moved_to`: cancelled by a move to
        that session (the person is told they were moved, not cancelled)."""
        registration = self._store.get(session_id, registration_id)
        if registration is None:
            raise REGISTRATION_NOT_FOUND
        return cancel_registration(self._store, registration, by, self._clock(),
                                   moved_to=moved_to)

    def _session_state(self, session_id: str) -> SessionState:
        state = self._store.session_state(session_id) if re.fullmatch(SLUG, session_id) \
            else None
        if state is None:
            raise seats.SESSION_NOT_FOUND
        return state

    def move(self, session_id: str, registration_id: str, target_id: str, by: str) -> Placed:
        """Move a registration to another session of the same forum: placed there first (a
        seat if free, else the end of its line, the person's details kept), then cancelled
        here (its seat to the first in line). Refused (Conflict) for another forum, the same
        session, a target that admits no registration (cancelled, closed, past its deadline),
        a cancelled registration, or a person registered there already.

        Placing first means a failure between the steps never leaves the person without a
        seat: they hold both for a moment, and the new registration names this session
        (`moved_from`), so repeating the move recognises its own first step and finishes it
        (cancels here). Repeating a finished move answers the new registration as it stands."""
        current = self._store.get(session_id, registration_id)
        if current is None:
            raise REGISTRATION_NOT_FOUND
        source = self._session_state(session_id)
        target = self._session_state(target_id)
        if target.session.forum_id != source.session.forum_id:
            raise Conflict("Deltageren kan kun flyttes til et andet møde i samme forum.",
                           code="other_forum")
        if target_id == session_id:
            raise Conflict("Deltageren er allerede tilmeldt dette møde.", code="same_session")
        moved_here = self._store.get(target_id, self._id(target_id, current.email))
        ours = moved_here is not None and moved_here.status is not Status.CANCELLED \
            and moved_here.moved_from == session_id
        if current.status is Status.CANCELLED and not ours:
            raise Conflict("Tilmeldingen er afmeldt og kan ikke flyttes.",
                           code="registration_cancelled")
        if moved_here is not None and moved_here.status is not Status.CANCELLED and not ours:
            raise Conflict("Deltageren er allerede tilmeldt det møde.",
                           code="already_registered")
        placed = self._place(target_id, Person.model_validate(Person.fields_of(current)), {
            "entered_by": by, "asked_by": current.asked_by, "moved_from": session_id})
        # A failure here leaves the person in both sessions; repeating the move cancels here.
        self.cancel(session_id, registration_id, CancelledBy.MOVED, moved_to=target_id)
        return placed

    def delete_session(self, session_id: str) -> None:
        """Delete a session that never had a registration (NotFound when there is none);
        one that had any, even one cancelled since, is refused (Conflict): it is cancelled
        instead, and its participants told. The registrations are read first, then the
        session deleted only while no seat is taken and nobody waits: a registration
        admitted in between holds a seat or a place in line, so the delete refuses; one
        admitted after it finds no session and is refused itself."""
        if self._store.registrations(session_id) or \
                not self._sessions.delete_session(session_id):
            raise Conflict("Mødet har haft tilmeldinger og kan ikke slettes. Aflys det i "
                           "stedet, så deltagerne får besked.", code="session_had_registrations")

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
