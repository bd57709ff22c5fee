"""One contract for the audit of data-protection requests, run against the in-memory log the
unit tests use (tests/support/privacy.py) and DynamoAuditLog on the emulator: what a record
keeps (the moment in UTC, the operator, the counts, the areas not searched; never why an area
was skipped), one record per request and action, and the newest first. Generated reports are
recorded in both and read back alike."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.dynamodb_privacy import DynamoAuditLog
from shared.adapters.parameters import parameter
from shared.platform.names import PARAM_PRIVACY_AUDIT_TABLE
from shared.privacy.models import Report
from tests.support.privacy import MemoryAuditLog

# Later than anything else the emulator's table holds, so a test's reports are the newest.
FUTURE = datetime(2300, 1, 1, tzinfo=UTC)
EXAMPLES = itertools.count()  # each generated example later than the one before


def _dynamodb(request: pytest.FixtureRequest) -> DynamoAuditLog:
    request.getfixturevalue("emulator")
    return DynamoAuditLog(parameter(PARAM_PRIVACY_AUDIT_TABLE))


def _memory(request: pytest.FixtureRequest) -> MemoryAuditLog:
    return MemoryAuditLog()


@pytest.fixture(params=[_memory, _dynamodb], ids=["memory", "dynamodb"])
def audit(request: pytest.FixtureRequest) -> DynamoAuditLog | MemoryAuditLog:
    build: Callable[[pytest.FixtureRequest], DynamoAuditLog | MemoryAuditLog] = request.param
    return build(request)


def test_a_record_keeps_the_counts_and_the_gaps_never_the_reasons(
        audit: DynamoAuditLog | MemoryAuditLog) -> None:
    at = FUTURE + timedelta(days=uuid.uuid4().int % 10_000)
    cph = timezone(timedelta(hours=1))
    report = Report(uuid.uuid4().hex, "erase", at.astimezone(cph), "dpo@example.dk",
                    {"forums": 2, "newsletter": 0}, ["advisory"], {"advisory": "Kun konsulenten"})
    audit.record(report)
    (kept,) = audit.reports(1)
    assert kept == report and kept.why == {} and kept.at.utcoffset() == timedelta(0)
    audit.record(Report(report.request_id, "erase", at, "dpo@example.dk", {"forums": 3}))
    (again,) = audit.reports(1)  # the same request and action: replaced, not added
    assert again.counts == {"forums": 3} and again.skipped == []
    search = Report(report.request_id, "search", at - timedelta(seconds=1), "x@example.dk")
    audit.record(search)
    assert audit.reports(2) == [again, search]


REPORTS = st.lists(st.builds(
    lambda seconds, action, counts, skipped: (seconds, action, counts, skipped),
    st.integers(0, 10**6), st.sampled_from(["export", "search", "erase"]),
    st.dictionaries(st.sampled_from(["forums", "newsletter", "advisory"]), st.integers(0, 9)),
    st.lists(st.sampled_from(["advisory", "newsletter"]), unique=True)), min_size=1, max_size=6)


@settings(max_examples=20, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(reports=REPORTS)
def test_any_reports_are_read_back_alike_newest_first(
        request: pytest.FixtureRequest,
        reports: list[tuple[int, str, dict[str, int], list[str]]]) -> None:
    memory, dynamodb = _memory(request), _dynamodb(request)
    base = FUTURE + timedelta(days=20_000 + 20 * next(EXAMPLES))
    for seconds, action, counts, skipped in reports:
        report = Report(uuid.uuid4().hex, action, base + timedelta(seconds=seconds),
                        "dpo@example.dk", counts, skipped)
        memory.record(report)
        dynamodb.record(report)
    newest = [r.at for r in dynamodb.reports(len(reports))]
    assert newest == sorted(newest, reverse=True)
    assert {(r.request_id, r.at) for r in memory.reports(len(reports))} == {
        (r.request_id, r.at) for r in dynamodb.reports(len(reports))}
    assert sorted(memory.reports(len(reports)), key=lambda r: r.request_id) == sorted(
        dynamodb.reports(len(reports)), key=lambda r: r.request_id)
