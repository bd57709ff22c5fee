"""When an approved issue goes out.

Two schedules invoke the dispatcher, each with its own `job`:

- the recurring schedule (`newsletter_schedule`, a cron expression in Copenhagen time) sends
  the next issue approved *for the schedule* (no time of its own): one issue per firing, the
  one approved first;
- the hourly run sends every approved issue whose *own* time has come, and carries on every
  issue still being sent. It never sends an issue that waits for the schedule.

An issue approved for the schedule therefore goes out at the n-th firing from now, n being
its place among the issues approved for the schedule; the editor sees that date and time, and
can withdraw the approval until then."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.newsletter.models import Issue, IssueStatus
from shared.schedule_expressions import InvalidExpression, next_fire

TIME_ZONE = "Europe/Copenhagen"


def waiting_for_schedule(issues: Iterable[Issue]) -> list[Issue]:
    """The issues approved for the schedule, in the order it sends them (approved first,
    first; approving again keeps the place)."""
    return sorted((i for i in issues if i.status is IssueStatus.APPROVED and i.send_at is None),
                  key=lambda i: (i.approved_at or i.created_at, i.id))


def due_by_own_time(issues: Iterable[Issue], now: datetime) -> list[Issue]:
    """The approved issues whose own send time has come, earliest first."""
    return sorted((i for i in issues if i.status is IssueStatus.APPROVED
                   and i.send_at is not None and i.send_at <= now),
                  key=lambda i: (i.send_at, i.id))


@dataclass(frozen=True)
class RecurringSchedule:
    """The recurring schedule's expression, to tell when it fires."""

    expression: str
    timezone: str = TIME_ZONE

    def firing(self, after: datetime, number: int = 1) -> datetime | None:
        """The `number`-th firing strictly after `after` (UTC); None when it never fires
        again (or the expression is one whose times cannot be known, as a rate)."""
        if not self.expression.startswith("cron("):
            return None  # a rate counts from the schedule's creation, unknown here
        moment: datetime | None = after
        for _ in range(number):
            try:
                moment = next_fire(self.expression, self.timezone, moment) if moment else None
            except InvalidExpression:
                return None
        return moment

    def send_time(self, issue: Issue, issues: Iterable[Issue], now: datetime) -> datetime | None:
        """When the schedule sends `issue`: for one approved for the schedule, the firing at
        its place in the line; for a draft, the firing it would get if approved now (after
        every issue already waiting). None for any other issue."""
        waiting = [i.id for i in waiting_for_schedule(issues) if i.id != issue.id]
        if issue.status is IssueStatus.DRAFT:
            place = len(waiting) + 1
        elif issue.status is IssueStatus.APPROVED and issue.send_at is None:
            line = [i.id for i in waiting_for_schedule([*issues, issue])]
            place = line.index(issue.id) + 1
        else:
            return None
        return self.firing(now, place)
