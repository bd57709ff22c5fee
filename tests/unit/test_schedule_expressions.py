"""Schedules fire locally when EventBridge Scheduler would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.schedule_expressions import InvalidExpression, next_fire

T0 = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)  # a Friday, before the switch to summer time


def test_daily_cron_in_copenhagen_time_follows_daylight_saving() -> None:
    first = next_fire("cron(0 7 * * ? *)", "Europe/Copenhagen", T0)
    assert first == datetime(2027, 3, 27, 6, 0, tzinfo=UTC)  # 07:00 CET
    second = next_fire("cron(0 7 * * ? *)", "Europe/Copenhagen", first)  # type: ignore[arg-type]
    assert second == datetime(2027, 3, 28, 5, 0, tzinfo=UTC)  # 07:00 CEST


def test_every_second_month_on_the_first_tuesday_window() -> None:
    fire = next_fire("cron(0 8 1-7 1/2 TUE *)", "Europe/Copenhagen", T0)
    assert fire == datetime(2027, 5, 4, 6, 0, tzinfo=UTC)


def test_rate_and_at() -> None:
    assert next_fire("rate(5 minutes)", "UTC", T0) == datetime(2027, 3, 26, 12, 5, tzinfo=UTC)
    assert next_fire("at(2027-04-01T10:00:00)", "Europe/Copenhagen", T0) == datetime(
        2027, 4, 1, 8, 0, tzinfo=UTC
    )
    assert next_fire("at(2027-01-01T10:00:00)", "UTC", T0) is None


@pytest.mark.parametrize("expression", ["cron(0 7 * *)", "every day", "cron(0 7 L * ? *)"])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(InvalidExpression):
        next_fire(expression, "UTC", T0)
