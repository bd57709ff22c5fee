"""The consultant's data-protection search, export and erasure of one address among 10,000 stored
advisory requests, as the console's function answers them (the keyed lookup: a query of the
index of address hashes, each request found read from the table, only those opened), and the
queue view (counts) over the same requests, all waiting.

The floor: one consistent GetItem of one request against the same emulator, in the same run.
Beside it, a scan of the whole table alone (what every search did before the keyed lookup,
which then also opened each request: about 11 ms each in AWS, so 110 s here). The 9,997 other
requests carry a sealed stand-in of realistic size (never opened); the address's three are
sealed for real."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from local.emulator import Emulator
from local.plan import Plan

STORED = 10_000
MINE = 3
ROUNDS = 5
TARGET_SECONDS = 1.0
PERSON = "birthe.bench@example.dk"


def _median_ms(action: Callable[[], Any], before: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(ROUNDS):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _once_ms(action: Callable[[], Any]) -> float:
    """For orientation only (tens of seconds on the emulator): one run."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def run(plan: Plan, emulator: Emulator) -> dict[str, Any]:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore, _item
    from shared.adapters.parameters import parameter
    from shared.adapters.sealing import KmsSealer
    from shared.adapters.sqs_work_queue import SqsWorkQueue
    from shared.adapters.wiring import signing_secret
    from shared.advisory.lookup import address_key
    from shared.advisory.models import AdvisoryRequest, Kind, Status
    from shared.advisory.reference import new_reference
    from shared.advisory.service import Desk
    from shared.platform.names import (
        PARAM_ADVISORY_KEY,
        PARAM_ADVISORY_LOOKUP_SECRET,
        PARAM_ADVISORY_TABLE,
        PARAM_NORMAL_QUEUE,
        PARAM_URGENT_QUEUE,
    )
    from shared.privacy.holders import AdvisoryHolder

    table = parameter(PARAM_ADVISORY_TABLE)
    store = DynamoAdvisoryStore(table)
    sealer = KmsSealer(parameter(PARAM_ADVISORY_KEY))
    secret = signing_secret(parameter(PARAM_ADVISORY_LOOKUP_SECRET))
    ddb = emulator.client("dynamodb")
    now = datetime.now(UTC)
    stand_in = "A" * 1200  # the size of a sealed request of a few hundred characters

    def request(i: int, email: str, sealed: str | None = None) -> AdvisoryRequest:
        reference = new_reference()
        contents: dict[str, object] = {"name": f"Afsender {i}", "email": email,
                                       "message": f"Besked {i}"}
        return AdvisoryRequest(
            reference=reference, kind=Kind.CONVERSATION, urgent=i % 7 == 0,
            status=Status.WAITING, received_at=now - timedelta(minutes=i),
            queued_at=now, expires_at=int((now + timedelta(days=180)).timestamp()),
            sealed=sealed if sealed is not None else sealer.seal(contents, reference),
            address_key=address_key(secret, email))

    others = [_item(request(i, f"anden{i}@example.dk", stand_in))
              for i in range(STORED - MINE)]
    for start in range(0, len(others), 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}
                                                   for item in others[start:start + 25]]})

    def seed_mine() -> None:
        for i in range(MINE):
            ddb.put_item(TableName=table, Item=_item(request(i, PERSON)))

    seed_mine()
    holder = AdvisoryHolder(store, sealer, partial(address_key, secret))
    any_key = others[0]["pk"]["S"].removeprefix("REQ#")
    floor = _median_ms(lambda: store.get(any_key))
    found = holder.held(PERSON)
    exported = holder.export(PERSON)
    search = _median_ms(lambda: holder.held(PERSON))
    export = _median_ms(lambda: holder.export(PERSON))
    def fresh() -> None:  # exactly the address's three requests before each erasure
        holder.erase(PERSON, datetime.now(UTC))
        seed_mine()

    erase = _median_ms(lambda: holder.erase(PERSON, datetime.now(UTC)), before=fresh)
    scan = _once_ms(store.all_requests)
    desk = Desk(store, sealer, SqsWorkQueue(parameter(PARAM_URGENT_QUEUE),
                                            parameter(PARAM_NORMAL_QUEUE)), "bench")
    counts = _once_ms(desk.counts)
    return {
        "stored": STORED, "mine": MINE, "found": len(found), "exported": len(exported),
        "floor_ms": floor, "search_ms": search, "export_ms": export, "erase_ms": erase,
        "scan_ms": scan, "counts_ms": counts,
        "search_ratio": search / floor, "export_ratio": export / floor,
        "erase_ratio": erase / floor, "target_met": max(search, export, erase) / 1000
        < TARGET_SECONDS,
    }


def main() -> None:
    """`python -m bench.advisory_privacy`: this benchmark alone, printed as JSON."""
    from bench.emulated import emulated

    with emulated() as (plan, emulator):
        print(json.dumps(run(plan, emulator), indent=2))


if __name__ == "__main__":
    main()
