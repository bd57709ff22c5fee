"""Which issue each newsletter schedule sends, fired as the template fires it (its Input) at
the real dispatcher: the recurring schedule sends the next issue approved for it and nothing
else; the hourly run sends the issues whose own time has come and never one that waits for
the schedule. An issue is marked sent when its last copy has been handed to SES, so the run
after says "nothing to send". The editor sees when the schedule sends an issue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from local.functions import LocalContext
from local.plan import Plan
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.newsletter.editor import draft
from shared.newsletter.models import IssueStatus
from shared.platform.names import SCHEDULE_NEWSLETTER, SCHEDULE_NEWSLETTER_DUE
from tests.integration.conftest import Api, bearer
from tests.support.newsletter_emulator import consume, service, subscribe_confirmed
from tests.support.newsletter_emulator import settings as newsletter_settings

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# The kinds of issue a schedule may meet: approved for the schedule, approved with its own
# time passed or still ahead, and a draft (never approved, or withdrawn).
KINDS = ("schedule", "own_time_passed", "own_time_ahead", "draft")
_numbers = iter(range(1, 10**6))

# `service` (the newsletter on the template's resources) is a fixture of
# tests/support/newsletter_emulator.py.
__all__ = ["service"]


def store() -> DynamoNewsletterStore:
    return DynamoNewsletterStore(newsletter_settings()["NEWSLETTER_TABLE_NAME"])


def fire(api: Api, name: str) -> dict[str, Any]:
    """The schedule fires: its function gets the Input the template gives it."""
    [schedule] = [s for s in api.plan.schedules if s.name == name]
    event = json.loads(schedule.input) if schedule.input else {}
    handler = api.handler(schedule.target)
    return dict(handler(event, LocalContext(schedule.target, 512, 600, "eu-north-1")))


def make(kind: str, approved_at: datetime) -> str:
    """An issue of this kind, approved (if it is) at `approved_at`."""
    issue_id = f"nr-{next(_numbers)}"
    now = datetime.now(UTC)
    store().put_issue(draft(issue_id, f"Nummer {issue_id}", "<p>Hej</p>", markdown=False,
                            now=now))
    own_time = {"own_time_passed": now - timedelta(minutes=5),
                "own_time_ahead": now + timedelta(days=3)}.get(kind)
    if kind != "draft":
        assert store().approve(issue_id, own_time, approved_at)
    return issue_id


def tidy(issue_ids: list[str]) -> None:
    """Issues left approved are withdrawn, so the next example starts with none waiting."""
    for issue_id in issue_ids:
        store().withdraw(issue_id)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=5),
       schedule=st.sampled_from([SCHEDULE_NEWSLETTER, SCHEDULE_NEWSLETTER_DUE]),
       twice=st.booleans())
def test_each_schedule_sends_only_the_issues_approved_for_it(
    api: Api, emulator: Emulator, kinds: list[str], schedule: str, twice: bool
) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    issues = {make(kind, start + timedelta(seconds=n)): kind for n, kind in enumerate(kinds)}
    waiting = [i for i, kind in issues.items() if kind == "schedule"]
    if schedule == SCHEDULE_NEWSLETTER:  # the first approved for the schedule, alone
        expected, expected_again = set(waiting[:1]), set(waiting[1:2])
    else:  # every issue whose own time has come
        expected = {i for i, kind in issues.items() if kind == "own_time_passed"}
        expected_again = set()
    try:
        answer = fire(api, schedule)
        # Fired again: the recurring schedule's next firing takes the next issue waiting for
        # it (once the first is sent); the hourly run finds nothing more.
        again = fire(api, schedule) if twice else None
        if twice:
            expected = expected | expected_again
        for issue_id, kind in issues.items():
            found = store().issue(issue_id)
            assert found is not None
            if issue_id in expected:
                assert found.status is IssueStatus.SENT  # nobody subscribes in this module
            else:
                assert found.status is (IssueStatus.DRAFT if kind == "draft"
                                        else IssueStatus.APPROVED), (kind, schedule)
        assert set(answer["dispatched"] or []) | set((again and again["dispatched"]) or []) == \
            expected, (kinds, schedule)
        assert again is None or set(again["dispatched"] or []) == expected_again
    finally:
        tidy(list(issues))


def test_the_issue_is_sent_with_its_last_copy_and_the_next_run_has_nothing_to_send(
    api: Api, emulator: Emulator, service: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    newsletter, _, _ = service
    subscribe_confirmed(newsletter, 3, "last-copy")
    issue_id = make("schedule", datetime.now(UTC))
    following = make("schedule", datetime.now(UTC) + timedelta(seconds=1))
    capsys.readouterr()
    started = fire(api, SCHEDULE_NEWSLETTER)
    published = _metrics(capsys.readouterr().out)
    # The firing retried while its issue is being sent (Lambda retries a run that failed
    # part-way): it carries that issue on and starts no second one.
    retried = fire(api, SCHEDULE_NEWSLETTER)
    assert retried == {"dispatched": None, "carried_on": [issue_id]}
    waiting = store().issue(following)
    assert waiting is not None and waiting.status is IssueStatus.APPROVED
    tidy([following])
    consume(api, emulator, "NEWSLETTER_SEND_QUEUE_URL", "newsletter_sender")
    found = store().issue(issue_id)
    assert found is not None and found.status is IssueStatus.SENT  # no dispatcher run needed
    assert (found.recipients, found.sent, found.failed, found.uncertain) == (3, 3, 0, 0)
    assert started["dispatched"] == [issue_id] and started["recipients"] == 3
    assert published == {"NewsletterDispatched": 1, "NewsletterRecipients": 3}
    # The ledger (which subscriber got the issue) expires 90 days after the send (TTL).
    ledger = emulator.client("dynamodb").query(
        TableName=newsletter_settings()["NEWSLETTER_TABLE_NAME"], ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :to)",
        ExpressionAttributeValues={":pk": {"S": f"ISSUE#{issue_id}"}, ":to": {"S": "TO#"}},
    )["Items"]
    days = {round((int(i["expires_at"]["N"]) - datetime.now(UTC).timestamp()) / 86400)
            for i in ledger if "expires_at" in i}
    assert len(ledger) == 3 and days == {90}

    capsys.readouterr()
    after = fire(api, SCHEDULE_NEWSLETTER_DUE)
    assert after == {"dispatched": None, "carried_on": []}
    assert _metrics(capsys.readouterr().out) == {"NewsletterNothingToSend": 1}


def _metrics(output: str) -> dict[str, float]:
    """The metrics the functions published (Embedded Metric Format lines on stdout)."""
    found: dict[str, float] = {}
    for line in output.splitlines():
        if not line.startswith("{") or "_aws" not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                if metric["Name"].startswith("Newsletter"):
                    value = record[metric["Name"]]
                    found[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return found


# -- what the editor sees ---------------------------------------------------------------------

def _console(api: Api, tokens: dict[str, dict[str, Any]], method: str, path: str,
             body: Any = None) -> Any:
    status, answer = api.request(method, f"/api/staff/newsletter{path}", body,
                                 bearer(tokens["editor"]["IdToken"]))
    assert status == 200, answer
    return answer


def _expression(plan: Plan) -> str:
    [dispatcher] = [s for s in plan.schedules if s.name == SCHEDULE_NEWSLETTER]
    return dispatcher.expression


def test_the_editor_sees_when_the_schedule_sends_each_issue_and_can_withdraw_until_then(
    api: Api, plan: Plan, tokens: dict[str, dict[str, Any]]
) -> None:
    assert _expression(plan) == "cron(0 8 5 1/2 ? *)"  # the 5th of every second month, 08:00
    ids = [f"plan-{next(_numbers)}" for _ in range(3)]
    for issue_id in ids:
        _console(api, tokens, "PUT", f"/issues/{issue_id}",
                 {"subject": f"Nummer {issue_id}", "markdown": "# Hej"})
    before = _console(api, tokens, "GET", f"/issues/{ids[0]}")
    first = _console(api, tokens, "POST", f"/issues/{ids[0]}/approve", {"send_at": None})
    second = _console(api, tokens, "POST", f"/issues/{ids[1]}/approve", {"send_at": None})
    draft_view = _console(api, tokens, "GET", f"/issues/{ids[2]}")

    moments = [datetime.fromisoformat(v["scheduled_send"])
               for v in (first, second, draft_view)]
    now = datetime.now(UTC)
    for moment in moments:  # Copenhagen time, as the schedule reads its expression
        local = moment.astimezone(COPENHAGEN)
        assert (local.day, local.hour, local.minute, local.month % 2) == (5, 8, 0, 1)
        assert moment.utcoffset() == local.utcoffset()
    assert now < moments[0] <= now + timedelta(days=62)
    # Each in its turn: one issue per firing, in the order approved; a draft after them.
    assert [(m.year * 12 + m.month) - (moments[0].year * 12 + moments[0].month)
            for m in moments] == [0, 2, 4]
    assert before["scheduled_send"] == first["scheduled_send"]  # as told before approving
    listed = {i["id"]: i for i in _console(api, tokens, "GET", "/issues")["issues"]}
    assert [listed[i]["scheduled_send"] for i in ids] == [v["scheduled_send"] for v in
                                                          (first, second, draft_view)]

    withdrawn = _console(api, tokens, "POST", f"/issues/{ids[0]}/withdraw")
    assert withdrawn["status"] == "draft"
    moved_up = _console(api, tokens, "GET", f"/issues/{ids[1]}")
    assert moved_up["scheduled_send"] == first["scheduled_send"]
    own_time = _console(api, tokens, "POST", f"/issues/{ids[1]}/approve",
                        {"send_at": "2099-03-02 08:00"})
    assert own_time["scheduled_send"] is None and own_time["send_at"].startswith("2099-03-02")
    for issue_id in ids:
        _console(api, tokens, "POST", f"/issues/{issue_id}/withdraw")


# -- two runs on one issue: the count of copies left is taken once ----------------------------

@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(delivered_between=st.integers(min_value=0, max_value=3))
def test_a_run_that_read_the_issue_before_the_snapshot_leaves_the_count_of_copies_right(
    api: Api, emulator: Emulator, service: Any, delivered_between: int
) -> None:
    """Forced interleaving: run B reads the issue (sending, no snapshot yet); run A takes the
    snapshot and fans out; `delivered_between` copies go out; then B carries on with what it
    read. B's count is refused (senders are already counting A's down), so the last copy,
    whichever run queued it, marks the issue sent with every copy counted once."""
    newsletter, _, _ = service
    subscribe_confirmed(newsletter, 3, f"race-{next(_numbers)}-")
    issue_id = make("schedule", datetime.now(UTC))
    now = datetime.now(UTC)
    assert store().start_dispatch(issue_id, now)
    read_by_b = store().issue(issue_id)
    assert read_by_b is not None and not read_by_b.snapshot
    newsletter.send_as_read(read_by_b, now)  # run A (it read the same)
    copies = [e.subscriber_id for e in store().ledger(issue_id)]
    for subscriber_id in copies[:delivered_between]:
        newsletter.deliver(issue_id, subscriber_id)
    newsletter.send_as_read(read_by_b, now)  # run B, late
    for subscriber_id in copies[delivered_between:]:
        found = store().issue(issue_id)
        assert found is not None and found.status is IssueStatus.SENDING  # not before the last
        newsletter.deliver(issue_id, subscriber_id)
    consume(api, emulator, "NEWSLETTER_SEND_QUEUE_URL", "newsletter_sender")  # both fan-outs
    found = store().issue(issue_id)
    assert found is not None and found.status is IssueStatus.SENT
    assert (found.recipients, found.sent) == (len(copies), len(copies))
