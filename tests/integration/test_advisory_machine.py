"""The advisory capability's state machine (tests/support/advisory_machine.py) on the
template's key, table, secret and queues in the emulator: the same rules the unit tests run on
the in-memory adapters, here through KMS, DynamoDB and SQS FIFO, with what is at rest read
from the table itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from local.emulator import Emulator
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.sqs_work_queue import SqsWorkQueue
from shared.platform.names import (
    PARAM_ADVISORY_KEY,
    PARAM_ADVISORY_TABLE,
    PARAM_NORMAL_QUEUE,
    PARAM_URGENT_QUEUE,
)
from tests.support.advisory_emulator import drain, lookup_secret
from tests.support.advisory_machine import run_machine


def test_the_advisory_capability_keeps_its_promises_in_any_order(emulator: Emulator) -> None:
    store = DynamoAdvisoryStore(parameter(PARAM_ADVISORY_TABLE))
    table = parameter(PARAM_ADVISORY_TABLE)

    def reset() -> None:
        for url in (parameter(PARAM_URGENT_QUEUE), parameter(PARAM_NORMAL_QUEUE)):
            drain(emulator, url)
        for request in store.open_requests():
            store.finish(request.reference, None, datetime.now(UTC))

    def raw(keys: list[tuple[str, str]]) -> str:
        found: list[Any] = []
        for start in range(0, len(keys), 100):
            answer = emulator.client("dynamodb").batch_get_item(RequestItems={table: {
                "Keys": [{"pk": {"S": pk}, "sk": {"S": sk}}
                         for pk, sk in keys[start:start + 100]]}})
            found.append(answer["Responses"])
        return json.dumps(found, ensure_ascii=False)

    run_machine({"store": store, "sealer": KmsSealer(parameter(PARAM_ADVISORY_KEY)),
                 "queue": SqsWorkQueue(parameter(PARAM_URGENT_QUEUE),
                                       parameter(PARAM_NORMAL_QUEUE)),
                 "secret": lookup_secret(), "reset": reset, "raw": raw}, examples=6)
