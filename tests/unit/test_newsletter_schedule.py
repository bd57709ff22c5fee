"""The time the editor is shown for an issue approved for the schedule is the firing that the
dispatcher's choice gives it: issues approved for the schedule go one per firing, in the order
the recurring run picks them; a draft would go after all of them; nothing else gets a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.newsletter.models import Issue, IssueStatus
from shared.newsletter.schedule import RecurringSchedule, due_by_own_time, waiting_for_schedule
from shared.schedule_expressions import next_fire

NOW = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
SCHEDULE = RecurringSchedule("cron(0 8 5 1/2 ? *)")
KINDS = ("schedule", "own_time_passed", "own_time_ahead", "draft", "sending", "sent")


def _issue(number: int, kind: str, approved_minutes: int) -> Issue:
    status = {"draft": IssueStatus.DRAFT, "sending": IssueStatus.SENDING,
              "sent": IssueStatus.SENT}.get(kind, IssueStatus.APPROVED)
    send_at = {"own_time_passed": NOW - timedelta(hours=1),
               "own_time_ahead": NOW + timedelta(days=9)}.get(kind)
    return Issue(id=f"nr-{number}", subject="S", html="<p>x</p>", text="x", status=status,
                 created_at=NOW - timedelta(days=30), send_at=send_at,
                 approved_at=None if kind == "draft" else
                 NOW - timedelta(days=20) + timedelta(minutes=approved_minutes))


ISSUES = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 1000)), max_size=8).map(
    lambda found: [_issue(n, kind, minutes) for n, (kind, minutes) in enumerate(found)])


@given(issues=ISSUES)
def test_each_issue_waiting_for_the_schedule_is_shown_the_firing_that_sends_it(
    issues: list[Issue],
) -> None:
    firings: list[datetime] = []
    moment = NOW
    for _ in range(len(issues) + 1):
        found = next_fire(SCHEDULE.expression, "Europe/Copenhagen", moment)
        assert found is not None
        firings.append(moment := found)
    line = waiting_for_schedule(issues)
    # The recurring run picks the head of the line; the next firing the next one, and so on.
    for place, issue in enumerate(line):
        assert SCHEDULE.send_time(issue, issues, NOW) == firings[place]
    for issue in issues:
        shown = SCHEDULE.send_time(issue, issues, NOW)
        if issue.status is IssueStatus.DRAFT:
            assert shown == firings[len(line)]  # after every issue already waiting
        elif issue not in line:
            assert shown is None  # its own time, or already being sent
    assert all(i.send_at is None and i.status is IssueStatus.APPROVED for i in line)
    assert {i.id for i in due_by_own_time(issues, NOW)} == {
        i.id for i in issues if i.status is IssueStatus.APPROVED and i.send_at
        and i.send_at <= NOW}


def test_the_firing_is_copenhagen_time_across_summer_time() -> None:
    after = datetime(2027, 5, 1, tzinfo=UTC)
    assert SCHEDULE.firing(after) == datetime(2027, 5, 5, 6, 0, tzinfo=UTC)  # 08:00 summer
    assert SCHEDULE.firing(after, 2) == datetime(2027, 7, 5, 6, 0, tzinfo=UTC)
    assert SCHEDULE.firing(after, 4) == datetime(2027, 11, 5, 7, 0, tzinfo=UTC)  # winter
    assert RecurringSchedule("rate(60 days)").firing(after) is None  # unknowable here
