"""No scheduled job reads a whole table that grows with use. Every schedule of the template is
fired at its function, as EventBridge Scheduler fires it (its Input), with work waiting for
each (newsletter issues approved for the schedule and for their own time, with subscribers;
an advisory request), and every DynamoDB call the functions make is recorded: none is a Scan
of the registrations, newsletter, advisory or privacy audit table. The forums catalogue (the
secretariat's forums and sessions, written by hand) is the one table a job may read whole:
the daily reminders list its sessions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.emulator import Emulator
from local.functions import LocalContext
from local.plan import Plan
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.newsletter.editor import draft
from tests.integration.conftest import Api
from tests.support.newsletter_emulator import service, subscribe_confirmed
from tests.support.newsletter_emulator import settings as newsletter_settings

__all__ = ["service"]  # a fixture (tests/support/newsletter_emulator.py): the newsletter

# The one table a scheduled job may scan: the catalogue, which grows with the forums and
# sessions the secretariat creates, never with members' use.
MAY_BE_SCANNED = ("ForumsTable",)


class Recorder:
    """(operation, table) of every DynamoDB call made through the functions' client."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[1]
        tables = [params["TableName"]] if "TableName" in params else \
            sorted(params.get("RequestItems", {}))
        self.calls.extend((operation, table) for table in tables)


@pytest.fixture
def recorder(emulator: Emulator) -> Iterator[Recorder]:
    found = Recorder()
    dynamodb = client("dynamodb")
    dynamodb.meta.events.register("before-parameter-build.dynamodb.*", found,
                                  unique_id="record-scheduled-calls")
    yield found
    dynamodb.meta.events.unregister("before-parameter-build.dynamodb.*",
                                    unique_id="record-scheduled-calls")


def _work_waiting(api: Api, newsletter: Any) -> None:
    """Something for every job to do: subscribers and issues approved both ways, an advisory
    request in the consultant's queue."""
    subscribe_confirmed(newsletter, 3, "scheduled")
    store = DynamoNewsletterStore(newsletter_settings()["NEWSLETTER_TABLE_NAME"])
    now = datetime.now(UTC)
    for issue_id, own_time in (("til-planen", None), ("eget-tidspunkt", now - timedelta(1))):
        store.put_issue(draft(issue_id, "Nyt", "<p>Hej</p>", markdown=False, now=now))
        assert store.approve(issue_id, own_time, now)
    status, _ = api.request("POST", "/api/advisory-requests", {
        "kind": "idea", "message": "En idé til foreningen.", "consent": True})
    assert status == 202


def test_no_scheduled_job_scans_a_table_that_grows_with_use(
    api: Api, plan: Plan, emulator: Emulator, service: Any, recorder: Recorder,
) -> None:
    newsletter, _, _ = service
    _work_waiting(api, newsletter)
    names = {emulator.physical[t.logical_id]["Ref"]: t.logical_id for t in plan.tables}
    assert {s.target_kind for s in plan.schedules} == {"function"}
    assert len(plan.schedules) >= 4  # reminders, advisory requeue, the newsletter's two

    for schedule in plan.schedules:
        recorder.calls.clear()
        handler = api.handler(schedule.target)
        event = json.loads(schedule.input) if schedule.input else {}
        handler(event, LocalContext(schedule.target, 512, 600, "eu-north-1"))
        assert recorder.calls, f"{schedule.name} made no DynamoDB call: nothing was recorded"
        scanned = {names.get(table, table) for operation, table in recorder.calls
                   if operation in ("Scan", "ParallelScan")}
        grows = {t for t in scanned if not t.startswith(MAY_BE_SCANNED)}
        assert not grows, f"{schedule.name} scans {sorted(grows)}"
