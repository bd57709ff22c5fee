"""The archive's day of an issue, as read and as machine-readable (`<time datetime>`), is the
same Danish day, also for an issue sent between midnight and the small hours (UTC's day
before) and across the changes of summer time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.danish import MONTHS
from shared.links import Links
from shared.newsletter.archive import Archive
from shared.newsletter.models import Issue, IssueStatus
from shared.platform.clock import COPENHAGEN


class Sent:
    def __init__(self, issue: Issue) -> None:
        self._issue = issue

    def issues(self) -> list[Issue]:
        return [self._issue]

    def issue(self, issue_id: str) -> Issue | None:
        return self._issue if issue_id == self._issue.id else None


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
       st.one_of(st.times(max_value=time(1, 59)), st.times()))  # the small hours above all
def test_the_day_shown_and_the_day_in_datetime_are_the_same_danish_day(day: date,
                                                                      at: time) -> None:
    sent = datetime.combine(day, at, tzinfo=COPENHAGEN).astimezone(UTC)
    issue = Issue(id="marts", subject="Marts", html="<p>Hej</p>", text="Hej",
                  status=IssueStatus.SENT, created_at=sent - timedelta(days=1),
                  dispatched_at=sent)
    archive = Archive(Sent(issue), Links("https://ledere.example.dk"))  # type: ignore[arg-type]
    local = sent.astimezone(COPENHAGEN).date()
    shown = f'datetime="{local.isoformat()}">{local.day}. {MONTHS[local.month - 1]} {local.year}'
    for page in (archive.index_page(), archive.issue_page("marts")):
        assert shown in re.sub(r"\s+", " ", page)
