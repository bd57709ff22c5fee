"""The secretariat's session details at odd but legal moments: Danish wall-clock times around
the change to summer time, where a later wall-clock time can be an earlier moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.forums.catalogue_file import SessionDetails


def last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@given(year=st.integers(2001, 2099), start_minute=st.integers(0, 59),
       end_minute=st.integers(0, 59))
def test_a_session_is_refused_unless_it_ends_after_it_starts_across_summer_time(
        year: int, start_minute: int, end_minute: int) -> None:
    """Start in the hour the clocks skip (02:xx, which does not exist), end just after it
    (03:xx): stored as moments, the end may fall before the start. Such details are refused
    on the end, or stored with the end after the start; never a session ending before it
    begins."""
    day = last_sunday_of_march(year)
    starts = datetime(day.year, day.month, day.day, 2, start_minute)
    ends = datetime(day.year, day.month, day.day, 3, end_minute)
    fields = {"city": "Vejle", "capacity": 10, "starts_at": starts.isoformat(),
              "ends_at": ends.isoformat(),
              "registration_deadline": (starts - timedelta(days=3)).isoformat()}
    try:
        details = SessionDetails.model_validate(fields)
    except ValidationError as refused:
        (error,) = refused.errors()
        assert "Sluttidspunktet skal ligge efter start." in error["msg"]
        return
    assert details.ends_at.astimezone(UTC) > details.starts_at.astimezone(UTC)


@pytest.mark.parametrize("deadline_minute", [31, 59])
def test_a_deadline_after_the_start_is_refused_across_summer_time(deadline_minute: int) -> None:
    """A deadline at 03:xx for a session starting at 02:30 on the night the clocks skip an
    hour: on the wall clock it is after the start, as a moment it is before it."""
    day = last_sunday_of_march(2027)
    starts = datetime(day.year, day.month, day.day, 3, 30)
    deadline = datetime(day.year, day.month, day.day, 2, deadline_minute)
    try:
        details = SessionDetails.model_validate({
            "city": "Vejle", "capacity": 10, "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "registration_deadline": deadline.isoformat()})
    except ValidationError:
        return
    assert details.registration_deadline.astimezone(UTC) <= details.starts_at.astimezone(UTC)
