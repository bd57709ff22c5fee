"""The seat and waiting-list rules, in one place: each decides a transition from the state it
read (shared.forums.registration.transitions), and a store applies it only while what the
decision relied on still holds.

- A session admits a registration while it is neither cancelled nor closed, its deadline has
  not passed, and its audience admits the role (`admission`: each fact with the refusal a
  member reads when it fails).
- A seat is taken while one is free and nobody waits; otherwise the registrant joins the end
  of the line, relying on the session being full or on someone waiting.
- While anyone waits, a free seat goes to the first in line (`promote_first`), never into a
  cancelled session.
- A cancelled seat passes to the first in line in the same step; in a cancelled session, or
  with nobody waiting, it is given back. A cancelled place in line is left."""

from __future__ import annotations

from datetime import datetime

from shared.errors import Conflict, DomainError, NotFound
from shared.forums.registration.models import (
    CancelledBy,
    Registration,
    SessionState,
    Status,
    Submission,
)
from shared.forums.registration.transitions import (
    AtRevision,
    Condition,
    Equals,
    Event,
    InLineAt,
    LineLength,
    NoSeatFree,
    NotBefore,
    OneOf,
    SeatFree,
    SeatTaken,
    SomeoneWaits,
    Transition,
    Write,
)
from shared.roles import Audience, Role

SESSION_NOT_FOUND = NotFound("Mødet findes ikke.", code="session_not_found")


def admitted_audiences(role: Role) -> list[Audience]:
    """The audiences whose forums this role may register for."""
    return [a for a in Audience if a.admits(role)]


def admission(role: Role, now: datetime) -> tuple[tuple[Condition, DomainError], ...]:
    """What a session must be to admit a registration of this role now, each fact with why it
    refuses when it does not hold, in the order a member is told. Never depends on who
    registers, only on the session and the role."""
    return (
        (Equals("cancelled", False), Conflict("Mødet er aflyst.", code="session_cancelled")),
        (Equals("closed", False),
         Conflict("Tilmeldingen til sessionen er lukket.", code="session_closed")),
        (NotBefore("registration_deadline", now),
         Conflict("Tilmeldingsfristen er overskredet.", code="deadline_passed")),
        (OneOf("audience", tuple(a.value for a in admitted_audiences(role))),
         Conflict("Dette forum er kun for ledere af ledere.", code="audience_not_admitted")),
    )


def refusal(state: SessionState | None, role: Role, now: datetime) -> DomainError | None:
    """Why a session refuses a registration; None when it admits it (it may be full)."""
    if state is None:
        return SESSION_NOT_FOUND
    return next((error for fact, error in admission(role, now) if not fact.holds(state)), None)


def place(state: SessionState, registration: Registration, replaces: Registration | None,
          submission: Submission | None, now: datetime) -> Transition:
    """A seat for the registration (given as confirmed) while one is free and nobody waits,
    else the end of the line; its submission used up (None: the secretariat entered it, no
    submission to use up), and only while the registration is
    still what it was (`replaces`). The caller has made sure the session admits it and owes
    no seat to the first in line (`refusal`, `SessionState.seat_for_first_waiting`)."""
    # Placed under the session's time and place as read: the registration records which (so
    # a change of them after this tells it), and its expiry follows them.
    admitted = (*(fact for fact, _ in admission(registration.role, now)),
                AtRevision(state.session.revision))
    registration = registration.model_copy(
        update={"session_revision": state.session.revision})
    if SeatFree().holds(state) and not state.waiting:
        return Transition(
            registration.session_id, requires=(*admitted, SeatFree(), LineLength(0)), seats=1,
            writes=(Write(registration, replaces),), consumes=submission,
            events=(Event.SEAT_TAKEN,))
    waiting = registration.model_copy(update={"status": Status.WAITLISTED})
    relied = NoSeatFree() if NoSeatFree().holds(state) else SomeoneWaits()
    return Transition(
        registration.session_id, requires=(*admitted, relied), joins=registration.id,
        writes=(Write(waiting, replaces),), consumes=submission, events=(Event.JOINED_LINE,))


def promoted(waiting: Registration, now: datetime) -> Registration:
    return waiting.model_copy(update={"status": Status.CONFIRMED, "promoted_at": now})


def promote_first(state: SessionState, first: Registration, now: datetime) -> Transition:
    """The free seat to the first in line: off the line, the seat counted, confirmed."""
    return Transition(
        state.session.id, requires=(SeatFree(), Equals("cancelled", False)), seats=1,
        leaves=(InLineAt(0, first.id),), writes=(Write(promoted(first, now), first),),
        events=(Event.PROMOTED,))


def cancel(state: SessionState, registration: Registration, first: Registration | None,
           by: CancelledBy, now: datetime, moved_to: str | None = None) -> Transition:
    """Cancel the registration (confirmed or waiting, as read). `first`: the registration of
    the first in line, when one waits; a confirmed seat passes to them in the same step.
    `moved_to`: the session a move took the person to (recorded for its email)."""
    cancelled = registration.model_copy(update={
        "status": Status.CANCELLED, "cancelled_at": now, "cancelled_by": by,
        **({"moved_to": moved_to} if moved_to else {})})
    write = Write(cancelled, registration)
    session_id = registration.session_id
    if registration.status is Status.WAITLISTED:
        leaves = (InLineAt(state.waiting.index(registration.id), registration.id),) \
            if registration.id in state.waiting else ()
        return Transition(session_id, leaves=leaves, writes=(write,), events=(Event.CANCELLED,))
    if not state.waiting or state.session.cancelled:
        return Transition(session_id, requires=(SeatTaken(), LineLength(len(state.waiting))),
                          seats=-1, writes=(write,), events=(Event.CANCELLED,))
    if first is None or first.id != state.waiting[0]:
        raise ValueError("the seat passes to the first in line: their registration is needed")
    return Transition(
        session_id, requires=(Equals("cancelled", False),), leaves=(InLineAt(0, first.id),),
        writes=(write, Write(promoted(first, now), first)),
        events=(Event.CANCELLED, Event.PROMOTED))
