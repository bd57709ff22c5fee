"""The iCalendar files of a registration: the event that comes with a confirmation (and a
promotion or reminder), and its cancellation. Copenhagen time.

One event per registration: its UID is stable, so a promotion or reminder updates the same
calendar entry and a cancellation (METHOD:CANCEL, RFC 5546) removes it. SEQUENCE orders the
versions: a registration taken up again after a cancellation (a new round) publishes with a
higher sequence than the cancellation before it, so calendars show it again, and a change of
the session's time or place (its revision) sends the event again with a higher sequence as
a REQUEST (RFC 5546 3.2.2: an update of an event already sent), so calendars move it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.forums.models import Session
from shared.platform.clock import to_copenhagen, utcnow

if TYPE_CHECKING:
    from icalendar import Calendar

PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


def prime() -> None:
    """Loads icalendar, which the first calendar file loads: done before a SnapStart
    snapshot."""
    import icalendar  # noqa: F401


def event_uid(registration_id: str, organizer: str) -> str:
    return f"{registration_id}@{organizer.rsplit('@', 1)[-1]}"


def _sequence(round_: int, revision: int, method: str) -> int:
    """Rounds and revisions only ever grow: every version sent has a higher sequence than
    every one before it, and a cancellation than the event it cancels."""
    return 2 * (round_ - 1 + revision) + (1 if method == CANCEL else 0)


def _calendar(method: str, registration_id: str, round_: int, session: Session,
              forum_title: str, organizer: str, now: datetime | None,
              attendee: tuple[str, str] | None = None) -> Calendar:
    # icalendar loads with the first calendar file: most emails carry none (cold starts).
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//Ledere af ledere//Lederforum//DA")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", event_uid(registration_id, organizer))
    event.add("sequence", _sequence(round_, session.revision, method))
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", to_copenhagen(session.starts_at))
    event.add("dtend", to_copenhagen(session.ends_at))
    event.add("summary", f"Lederforum: {forum_title}")
    event.add("location", ", ".join(p for p in (session.venue, session.city) if p))
    who = vCalAddress(f"mailto:{organizer}")
    who.params["cn"] = vText("Ledere af ledere")
    event.add("organizer", who)
    if attendee is not None:
        # A REQUEST names its attendee (RFC 5546 3.2.2): the person it is mailed to, who
        # has a seat already (no reply is asked for).
        name, address = attendee
        guest = vCalAddress(f"mailto:{address}")
        guest.params["cn"] = vText(name)
        guest.params["partstat"] = vText("ACCEPTED")
        guest.params["rsvp"] = vText("FALSE")
        event.add("attendee", guest)
    if method == CANCEL:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def session_ics(registration_id: str, session: Session, forum_title: str, description: str,
                organizer: str, now: datetime | None = None, round_: int = 1,
                changed_for: tuple[str, str] | None = None) -> bytes:
    """The event of a confirmed registration (METHOD:PUBLISH); `changed_for` (the person's
    name and address): the same event updated after the session changed (METHOD:REQUEST)."""
    method = REQUEST if changed_for is not None else PUBLISH
    calendar = _calendar(method, registration_id, round_, session, forum_title, organizer, now,
                         changed_for)
    calendar.walk("VEVENT")[0].add("description", description)
    return bytes(calendar.to_ical())


def cancellation_ics(registration_id: str, session: Session, forum_title: str, organizer: str,
                     now: datetime | None = None, round_: int = 1) -> bytes:
    """The same event cancelled (METHOD:CANCEL, STATUS:CANCELLED): calendars remove it."""
    calendar = _calendar(CANCEL, registration_id, round_, session, forum_title, organizer, now)
    return bytes(calendar.to_ical())
