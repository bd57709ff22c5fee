"""Every advisory request not done is offered again, however it was left: generated fates
(waiting, released, leased and abandoned, done) through the real adapters and the daily
requeue function on the template's table and FIFO queues in the emulator."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from local.functions import LocalContext
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.sqs_work_queue import SqsWorkQueue
from shared.advisory.models import AdvisoryForm
from shared.advisory.service import Desk, Intake
from shared.platform.names import (
    PARAM_ADVISORY_KEY,
    PARAM_ADVISORY_TABLE,
    PARAM_NORMAL_QUEUE,
    PARAM_URGENT_QUEUE,
)
from tests.integration.conftest import Api
from tests.support.advisory_emulator import NoMail, conversation, drain, lookup_secret

# How a request was left before SQS dropped its message.
FATES = ("untouched", "released", "abandoned", "done")
LEASE = timedelta(seconds=1)


def _desk(store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue, who: str,
          now: datetime) -> Desk:
    return Desk(store, sealer, queue, who, clock=lambda: now)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fates=st.lists(st.tuples(st.sampled_from(FATES), st.booleans()), min_size=1,
                      max_size=4))
def test_every_request_not_done_is_offered_again_after_sqs_dropped_it(
    api: Api, emulator: Emulator, fates: list[tuple[str, bool]]
) -> None:
    store = DynamoAdvisoryStore(parameter(PARAM_ADVISORY_TABLE))
    urls = (parameter(PARAM_URGENT_QUEUE), parameter(PARAM_NORMAL_QUEUE))
    queue = SqsWorkQueue(*urls)
    sealer = KmsSealer(parameter(PARAM_ADVISORY_KEY))
    start = datetime.now(UTC) - timedelta(days=20)
    for url in urls:
        drain(emulator, url)
    for request in store.open_requests():  # an empty desk for each generated example
        store.finish(request.reference, None, start)

    intake = Intake(store, sealer, queue, NoMail(), retention_days=180, secret=lookup_secret(),
                    clock=lambda: start)
    run = uuid.uuid4().hex[:8]

    def submit(i: int, urgent: bool) -> str:
        form = conversation(message=f"sag {run}-{i}", urgent=urgent)
        return intake.submit(AdvisoryForm.model_validate(form))[0]

    fate_of = {submit(i, urgent): fate for i, (fate, urgent) in enumerate(fates)
               if fate != "untouched"}
    # An hour later the consultant works through the desk with one-second leases: finishes
    # some, puts some back, and leaves some leased (the lease runs out, nobody finishes).
    alice = _desk(store, sealer, queue, "alice", start + timedelta(hours=1))
    seen: set[str] = set()
    while (leased := alice.next(LEASE)) is not None and leased.request.reference not in seen:
        reference = leased.request.reference
        seen.add(reference)
        if fate_of[reference] == "done":
            alice.done(reference)
    done = {r for r in seen if fate_of[r] == "done"}
    for reference in seen - done:
        if fate_of[reference] == "released":
            alice.release(reference)
    time.sleep(LEASE.total_seconds() + 0.2)  # the leases run out
    untouched = {submit(i, urgent) for i, (fate, urgent) in enumerate(fates)
                 if fate == "untouched"}
    for url in urls:
        drain(emulator, url)  # days later: SQS has dropped every message
    assert _desk(store, sealer, queue, "carl", datetime.now(UTC)).next() is None

    daily = api.handler(next(f for f, s in api.plan.functions.items()
                             if s.handler.startswith("functions.advisory_requeue")))
    answer: dict[str, Any] = daily({}, LocalContext("requeue", 256, 60, "eu-north-1"))
    open_ones = (set(fate_of) | untouched) - done
    assert answer["requeued"] == len(open_ones)

    offered: list[str] = []
    carl = _desk(store, sealer, queue, "carl", datetime.now(UTC))
    while (found := carl.next(timedelta(minutes=5))) is not None:
        offered.append(found.request.reference)
        carl.done(found.request.reference)
    assert sorted(offered) == sorted(open_ones)  # each once, the done ones never
    assert store.open_requests() == []
