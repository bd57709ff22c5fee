"""Forums and sessions as the domain sees them, and as the public API shows them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.platform.clock import COPENHAGEN, iso_copenhagen
from shared.roles import Audience

SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"
# A session's time and place: a change of these is told to everyone registered (and raises
# its revision); of its other details (deadline, capacity) to nobody.
TIME_AND_PLACE = ("city", "venue", "starts_at", "ends_at")


def city_and_day(city: str, starts_at: datetime) -> tuple[str, date]:
    """Where and which Danish day a session is held, as the secretariat tells two sessions
    apart: the city whatever its case and spacing, the day in Copenhagen. Two sessions of a
    forum alike in these are asked about before the second is made."""
    return " ".join(city.split()).casefold(), starts_at.astimezone(COPENHAGEN).date()


class SessionStatus(StrEnum):
    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Forum(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    audience: Audience = Audience.LEADERS_OF_LEADERS


class Session(BaseModel):
    """One session of a forum. `confirmed` counts the seats taken; registrations keep it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=SLUG)
    forum_id: str = Field(pattern=SLUG)
    city: str = Field(min_length=1, max_length=100)
    venue: str = Field(default="", max_length=300)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=2000)
    registration_deadline: AwareDatetime
    closed: bool = False
    cancelled: bool = False
    confirmed: int = Field(default=0, ge=0)
    # Raised each time the secretariat changes the session's time or place: every registration
    # records the revision it was told about (shared.forums.registration.session_changes).
    revision: int = Field(default=0, ge=0)

    def status(self, now: datetime) -> SessionStatus:
        if self.cancelled:
            return SessionStatus.CANCELLED
        if self.closed or now > self.registration_deadline:
            return SessionStatus.CLOSED
        if self.confirmed >= self.capacity:
            return SessionStatus.FULL
        return SessionStatus.OPEN

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


class SessionView(BaseModel):
    id: str
    city: str
    venue: str
    starts_at: str
    ends_at: str
    capacity: int
    seats_left: int
    registration_deadline: str
    status: SessionStatus

    @classmethod
    def of(cls, session: Session, now: datetime) -> SessionView:
        return cls(
            id=session.id,
            city=session.city,
            venue=session.venue,
            starts_at=iso_copenhagen(session.starts_at),
            ends_at=iso_copenhagen(session.ends_at),
            capacity=session.capacity,
            seats_left=session.seats_left,
            registration_deadline=iso_copenhagen(session.registration_deadline),
            status=session.status(now),
        )


class ForumView(BaseModel):
    id: str
    title: str
    description: str
    audience: Audience
    sessions: list[SessionView]


class ForumList(BaseModel):
    forums: list[ForumView]
