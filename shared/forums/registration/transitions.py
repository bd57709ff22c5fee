"""A change of seats and places in line, as the domain decides it and a store applies it.

The domain reads a session's state, decides (shared.forums.registration.seats), and hands the
store a `Transition`: the facts about the session it relied on (`requires`), the change of
the seat count and of the waiting list, the registrations to write (each with what it was
when read), and the submission the change uses up. A store applies any transition all or
nothing, only while every fact still holds, and decides nothing itself: the DynamoDB adapter
turns it into one conditional transaction, the in-memory store applies it under a lock with
each condition's own `holds`. When a fact no longer holds, nothing is written and the domain
reads again and decides anew.

Each condition names one field of the session (as `Session` and `SessionState` hold it) and
says what it must be; `holds` is what it means, for whoever evaluates it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.forums.registration.models import Registration, SessionState, Submission


def _value(state: SessionState, name: str) -> Any:
    return state.audience if name == "audience" else getattr(state.session, name)


@dataclass(frozen=True)
class Equals:
    """A field of the session has this value (`closed` is False, say)."""

    field: str
    value: bool | str

    def holds(self, state: SessionState) -> bool:
        return bool(_value(state, self.field) == self.value)


@dataclass(frozen=True)
class NotBefore:
    """A moment of the session is not before this one (the deadline has not passed now: at
    the deadline itself registration is still open, as the forum list shows it)."""

    field: str
    moment: datetime

    def holds(self, state: SessionState) -> bool:
        return bool(_value(state, self.field) >= self.moment)


@dataclass(frozen=True)
class OneOf:
    """A field of the session is one of these values (its audience, say)."""

    field: str
    values: tuple[str, ...]

    def holds(self, state: SessionState) -> bool:
        return _value(state, self.field) in self.values


@dataclass(frozen=True)
class AtRevision:
    """The session's time and place are as read: the secretariat has not changed them since
    (a registration records the revision it was placed under, and its expiry follows it)."""

    revision: int

    def holds(self, state: SessionState) -> bool:
        return state.session.revision == self.revision


@dataclass(frozen=True)
class SeatFree:
    """Fewer confirmed than seats."""

    def holds(self, state: SessionState) -> bool:
        return state.session.confirmed < state.session.capacity


@dataclass(frozen=True)
class NoSeatFree:
    """As many confirmed as seats (or more, after the secretariat lowered them)."""

    def holds(self, state: SessionState) -> bool:
        return state.session.confirmed >= state.session.capacity


@dataclass(frozen=True)
class SeatTaken:
    """At least one seat is counted (one may be given back)."""

    def holds(self, state: SessionState) -> bool:
        return state.session.confirmed > 0


@dataclass(frozen=True)
class LineLength:
    """Exactly this many wait."""

    length: int

    def holds(self, state: SessionState) -> bool:
        return len(state.waiting) == self.length


@dataclass(frozen=True)
class SomeoneWaits:
    def holds(self, state: SessionState) -> bool:
        return bool(state.waiting)


@dataclass(frozen=True)
class NotInLine:
    registration_id: str

    def holds(self, state: SessionState) -> bool:
        return self.registration_id not in state.waiting


@dataclass(frozen=True)
class InLineAt:
    """This registration waits at this index (0: first in line)."""

    index: int
    registration_id: str

    def holds(self, state: SessionState) -> bool:
        return state.waiting[self.index:self.index + 1] == [self.registration_id]


Condition = Equals | NotBefore | OneOf | AtRevision | SeatFree | NoSeatFree | SeatTaken | \
    LineLength | SomeoneWaits | NotInLine | InLineAt


class Event(StrEnum):
    """What a transition does, for whoever answers or counts it."""

    SEAT_TAKEN = "seat_taken"
    JOINED_LINE = "joined_line"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Write:
    """A registration as it is to be stored, and what it was when read: only while it is
    still that (its status, round, and the session's revision it follows) is it written;
    None: only while there is none. A write decided before the session's time or place
    changed would otherwise put back the old revision and expiry the change just wrote."""

    registration: Registration
    replaces: Registration | None


@dataclass(frozen=True)
class Transition:
    """One all-or-nothing change of a session's seats and line and of its registrations.

    `leaves` takes registrations off the line, each at the index where it was read (it must
    still be there); `joins` appends one at the end. A transition does not do both (no step
    of the rules needs it, and DynamoDB cannot remove and append in one update)."""

    session_id: str
    requires: tuple[Condition, ...] = ()
    seats: int = 0
    joins: str | None = None
    leaves: tuple[InLineAt, ...] = ()
    writes: tuple[Write, ...] = ()
    consumes: Submission | None = None
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        if self.joins is not None and self.leaves:
            raise ValueError("a transition either joins the line or leaves it")
        if self.seats < 0 and SeatTaken() not in self.requires:
            raise ValueError("a seat is given back only while one is counted (SeatTaken)")

    def holds(self, state: SessionState | None) -> bool:
        """Whether its session's conditions hold on this state (a session that is gone
        holds none)."""
        return state is not None and all(c.holds(state) for c in self.requires) and all(
            place.holds(state) for place in self.leaves) and (
            self.joins is None or NotInLine(self.joins).holds(state))


@dataclass(frozen=True)
class Applied:
    pass


@dataclass(frozen=True)
class Rejected:
    """Nothing was written. `state` is the session as the store found it when the session's
    conditions alone failed (what the registrations and the submission needed still held):
    the domain decides again from it without reading anything else. None: something else
    moved (a registration, the submission, a concurrent transaction), read everything
    again."""

    state: SessionState | None = None
    session_failed: bool = False
