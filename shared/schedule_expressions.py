"""EventBridge Scheduler expressions: rate(...), cron(...) and at(...), with their time zone:
when the local runtime fires its schedules, and when the newsletter's next scheduled send is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600,
               "day": 86400, "days": 86400}


class InvalidExpression(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None for `?` (no constraint from this field)."""
    if text == "?":
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-")
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise InvalidExpression(f"{text} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise InvalidExpression(f"unsupported cron value {text!r}")
    return int(text)


def next_fire(expression: str, timezone: str, after: datetime) -> datetime | None:
    """The first time strictly after `after` (aware) that the expression fires, in UTC."""
    zone = ZoneInfo(timezone or "UTC")
    found = re.fullmatch(r"(rate|cron|at)\((.*)\)", expression.strip())
    if not found:
        raise InvalidExpression(expression)
    kind, body = found.groups()
    if kind == "at":
        moment = datetime.fromisoformat(body).replace(tzinfo=zone).astimezone(UTC)
        return moment if moment > after else None
    if kind == "rate":
        amount, unit = body.split()
        # Locally a rate counts from the start of the runtime (AWS counts from creation).
        return after + timedelta(seconds=int(amount) * _RATE_UNITS[unit])
    fields = body.split()
    if len(fields) != 6:
        raise InvalidExpression(expression)
    minutes = _field(fields[0], 0, 59) or set(range(60))
    hours = _field(fields[1], 0, 23) or set(range(24))
    days = _field(fields[2], 1, 31)
    months = _field(fields[3], 1, 12, _MONTHS) or set(range(1, 13))
    weekdays = _field(fields[4], 1, 7, _DOW)
    years = None if fields[5] in ("*", "?") else _field(fields[5], 1970, 2199)
    local_after = after.astimezone(zone)
    day = local_after.date()
    for _ in range(366 * 5):
        weekday = day.isoweekday() % 7 + 1  # SUN=1 … SAT=7
        if (day.month in months and (years is None or day.year in years)
                and (days is None or day.day in days)
                and (weekdays is None or weekday in weekdays)):
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    if moment.astimezone(UTC) > after:
                        return moment.astimezone(UTC)
        day += timedelta(days=1)
    return None
