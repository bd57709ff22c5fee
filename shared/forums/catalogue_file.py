"""The file the secretariat keeps forums and sessions in (YAML or JSON), validated before import."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.forms import MultiLine, SingleLine
from shared.forums.models import SLUG, Forum, Session
from shared.platform.clock import COPENHAGEN
from shared.roles import Audience
from shared.validation import DanishValueError

# The years a session may be held in: a typo such as 0001 or 9999 would otherwise overflow
# where the time is turned into UTC or an expiry is added to it.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# DynamoDB writes at most 100 items in one transaction, and an import is one transaction.
MAX_ITEMS = 100


def _copenhagen_if_naive(moment: datetime) -> datetime:
    """Times written without an offset are Danish wall-clock times, between FIRST_YEAR and
    LAST_YEAR."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise DanishValueError("out_of_range",
                               f"Datoen skal ligge mellem år {FIRST_YEAR} og {LAST_YEAR}.")
    return moment.replace(tzinfo=COPENHAGEN) if moment.tzinfo is None else moment


LocalTime = Annotated[datetime, AfterValidator(_copenhagen_if_naive)]


class SessionDetails(BaseModel):
    """What the secretariat writes about a session, in the file or in the console's form."""

    model_config = ConfigDict(extra="forbid")

    city: SingleLine = Field(min_length=1, max_length=100)
    venue: SingleLine = Field(default="", max_length=300)
    starts_at: LocalTime
    ends_at: LocalTime
    capacity: int = Field(ge=1, le=2000)
    registration_deadline: LocalTime

    @model_validator(mode="after")
    def _times_in_order(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise DanishValueError("ends_before_start", "Sluttidspunktet skal ligge efter start.",
                                   field="ends_at")
        if self.registration_deadline > self.starts_at:
            raise DanishValueError(
                "deadline_after_start", "Tilmeldingsfristen skal ligge før mødets start.",
                field="registration_deadline")
        return self


class SessionEntry(SessionDetails):
    """A session in the file: its details, its id and (when created) its status."""

    id: str = Field(pattern=SLUG)
    status: Literal["open", "closed", "cancelled"] = "open"


class ForumDetails(BaseModel):
    """What the secretariat writes about a forum, in the file or in the console's form."""

    model_config = ConfigDict(extra="forbid")

    # One-line fields end up in email subjects and headers, where a line break is refused.
    title: SingleLine = Field(min_length=1, max_length=200)
    description: MultiLine = Field(default="", max_length=4000)
    audience: Audience = Audience.LEADERS_OF_LEADERS


class ForumEntry(ForumDetails):
    """A forum in the file: its details, its id and its sessions."""

    id: str = Field(pattern=SLUG)
    sessions: list[SessionEntry] = Field(default_factory=list)


class CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forums: list[ForumEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        items = len(self.forums) + sum(len(f.sessions) for f in self.forums)
        if items > MAX_ITEMS:
            raise DanishValueError(
                "too_many_items", f"Filen har {items} forummer og møder; én import kan højst "
                                  f"rumme {MAX_ITEMS}. Del filen op i flere.", field="forums")
        forum_ids = [f.id for f in self.forums]
        session_ids = [s.id for f in self.forums for s in f.sessions]
        for kind, ids in (("forum", forum_ids), ("session", session_ids)):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise DanishValueError(
                    f"duplicate_{kind}_id", f"Samme id står flere gange: {', '.join(twice)}."
                )
        return self

    def entries(self) -> list[tuple[Forum, list[Session]]]:
        """The forums and their sessions as domain objects (counters left to the store)."""
        out = []
        for f in self.forums:
            forum = Forum(id=f.id, title=f.title, description=f.description, audience=f.audience)
            sessions = [
                Session(
                    id=s.id,
                    forum_id=f.id,
                    city=s.city,
                    venue=s.venue,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    capacity=s.capacity,
                    registration_deadline=s.registration_deadline,
                    closed=s.status == "closed",
                    cancelled=s.status == "cancelled",
                )
                for s in f.sessions
            ]
            out.append((forum, sessions))
        return out
