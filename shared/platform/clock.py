"""Time in one place: UTC inside, Europe/Copenhagen where people see it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_copenhagen(moment: datetime) -> datetime:
    return moment.astimezone(COPENHAGEN)


def iso_copenhagen(moment: datetime) -> str:
    """ISO 8601 with the Copenhagen offset of that day, e.g. 2027-03-04T09:30:00+01:00."""
    return to_copenhagen(moment).isoformat()
