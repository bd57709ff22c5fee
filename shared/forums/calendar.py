"""The iCalendar file that comes with confirmations: one event per registration, Copenhagen time."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from shared.clock import to_copenhagen, utcnow
from shared.forums.models import Session


def session_ics(registration_id: str, session: Session, forum_title: str, description: str,
                domain: str, now: datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Ledere af ledere//Lederforum//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    # Stable per registration: a promotion or reminder updates the same calendar entry.
    event.add("uid", f"{registration_id}@{domain}")
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", to_copenhagen(session.starts_at))
    event.add("dtend", to_copenhagen(session.ends_at))
    event.add("summary", f"Lederforum: {forum_title}")
    event.add("location", ", ".join(p for p in (session.venue, session.city) if p))
    event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
