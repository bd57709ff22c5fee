"""One contract for advisory requests' storage, run against the in-memory store the unit
tests use (tests/support/advisory.py) and DynamoAdvisoryStore on the emulator: every method of
shared.advisory.ports.AdvisoryStore and what the privacy holder and the backfill read, the
cases their conditions refuse (nothing written then), the order of the Open and Finished
indexes, the audit's two copies, and the expiry (TTL) of what expires. A generated sequence of
operations is applied to both and every answer and the state after compared.

The unit tests of the advisory rules (tests/unit/test_advisory_rules.py) prove the rules only
as far as this suite proves the fake is the adapter."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.advisory.models import AdvisoryRequest, AuditAction, AuditEntry, Kind, Status
from shared.advisory.ports import ReferenceTaken
from shared.platform.names import PARAM_ADVISORY_TABLE
from tests.support.advisory import MemoryAdvisoryStore

NOW = datetime.now(UTC).replace(microsecond=250000)


@dataclass
class Stores:
    store: Any  # AdvisoryStore and what privacy and the backfill read
    expires_at: Callable[[str, str], int | None]  # (pk, sk) -> TTL, None when none or gone


def _dynamodb(request: pytest.FixtureRequest) -> Stores:
    emulator = request.getfixturevalue("emulator")
    table = parameter(PARAM_ADVISORY_TABLE)

    def expires_at(pk: str, sk: str) -> int | None:
        item = emulator.client("dynamodb").get_item(
            TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
            ConsistentRead=True).get("Item")
        return int(item["expires_at"]["N"]) if item and "expires_at" in item else None

    return Stores(DynamoAdvisoryStore(table), expires_at)


def _memory(request: pytest.FixtureRequest) -> Stores:
    store = MemoryAdvisoryStore()
    return Stores(store, lambda pk, sk: store.items.expires_at((pk, sk)))


@pytest.fixture(params=[_memory, _dynamodb], ids=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Stores:
    build: Callable[[pytest.FixtureRequest], Stores] = request.param
    return build(request)


def new_id() -> str:
    return f"LR-c{uuid.uuid4().hex[:12]}"


def advisory(reference: str, **changes: Any) -> AdvisoryRequest:
    return AdvisoryRequest(**{
        "reference": reference, "kind": Kind.CONVERSATION, "urgent": False,
        "status": Status.WAITING, "received_at": NOW, "queued_at": NOW,
        "expires_at": 1_900_000_000, "sealed": f"sealed-{reference}",
        "consent_text_version": "v1", **changes})


def mine(found: list[Any], prefix: str) -> list[str]:
    return [r.reference for r in found if r.reference.startswith(prefix)]


# -- a new request --------------------------------------------------------------------------

def test_a_new_request_is_stored_once_and_its_resubmission_names_it(stores: Stores) -> None:
    store, first, second = stores.store, new_id(), new_id()
    until = NOW + timedelta(hours=1)
    key = new_id()
    assert store.put_new(advisory(first, address_key="adr"), key, NOW, until) == first
    stored = store.get(first)
    # Only what a new request is: waiting, its lease fields empty whatever the model had.
    assert stored == advisory(first, address_key="adr")
    assert store.put_new(advisory(second), key, NOW + timedelta(minutes=5), until) == first
    assert store.get(second) is None  # a resubmission: nothing written
    assert stores.expires_at(f"REQ#{first}", "REQ") == 1_900_000_000
    assert stores.expires_at(f"RESUBMIT#{key}", "RESUBMIT") == int(until.timestamp())
    # After its time, the key names the next request.
    assert store.put_new(advisory(second), key, until, until + timedelta(hours=1)) == second
    with pytest.raises(ReferenceTaken):  # a reference drawn twice
        store.put_new(advisory(second), new_id(), NOW, until)
    assert store.get("LR-none") is None


def test_the_receipt_gate_opens_at_its_time(stores: Stores) -> None:
    store, address = stores.store, new_id()
    until = NOW + timedelta(minutes=30)
    assert store.pass_receipt_gate(address, NOW, until)
    assert not store.pass_receipt_gate(address, until - timedelta(seconds=1), until)
    assert stores.expires_at(f"GATE#{address}", "GATE") == int(until.timestamp())
    assert store.pass_receipt_gate(address, until, until + timedelta(minutes=30))


def test_a_receipt_not_sent_opens_its_gate_again_and_only_its_own(stores: Stores) -> None:
    store, address = stores.store, new_id()
    until = NOW + timedelta(minutes=30)
    assert store.pass_receipt_gate(address, NOW, until)
    store.reopen_receipt_gate(address, until + timedelta(seconds=1))  # not that pass
    assert not store.pass_receipt_gate(address, NOW, until)
    store.reopen_receipt_gate(address, until)
    assert store.pass_receipt_gate(address, NOW, until)


# -- the desk -------------------------------------------------------------------------------

def test_a_lease_is_one_consultants_until_it_runs_out(stores: Stores) -> None:
    store, ref = stores.store, new_id()
    until = NOW + timedelta(minutes=15)
    assert not store.lease(ref, "alice", until, "r1", NOW)  # no request
    assert store.get(ref) is None
    store.put_new(advisory(ref), new_id(), NOW, NOW)
    assert store.lease(ref, "alice", until, "r1", NOW)
    assert not store.lease(ref, "bob", until, "r2", NOW + timedelta(minutes=14))
    assert store.lease(ref, "alice", until + timedelta(minutes=5), "r3", NOW)  # her own again
    held = store.get(ref)
    assert (held.status, held.leased_by, held.leased_until, held.receipt) == (
        Status.LEASED, "alice", until + timedelta(minutes=5), "r3")
    assert store.lease(ref, "bob", until + timedelta(hours=1), "r4", until + timedelta(minutes=6))
    assert not store.release(ref, "alice") and store.release(ref, "bob")
    assert not store.release(ref)  # waiting: nothing to release
    held = store.get(ref)
    assert (held.status, held.leased_by, held.leased_until, held.receipt) == (
        Status.WAITING, None, None, None)


def test_finishing_is_for_good_and_by_the_holder_when_named(stores: Stores) -> None:
    store, ref, other = stores.store, new_id(), new_id()
    assert not store.finish(ref, None, NOW)
    store.put_new(advisory(ref), new_id(), NOW, NOW)
    assert not store.finish(ref, "note", NOW, by="alice")  # not leased to her
    store.lease(ref, "alice", NOW + timedelta(minutes=5), "r1", NOW)
    done_at = datetime(2199, 1, 1, tzinfo=UTC) + timedelta(seconds=random.randrange(10**6))
    assert store.finish(ref, "sealed-note", done_at, by="alice")
    held = store.get(ref)
    assert (held.status, held.done_at, held.done_by, held.sealed_note, held.leased_by,
            held.leased_until, held.receipt) == (
        Status.DONE, done_at, "alice", "sealed-note", "alice", None, None)
    assert ref not in mine(store.open_requests(), ref)
    assert not store.lease(ref, "bob", NOW + timedelta(hours=1), "r2", NOW)
    store.put_new(advisory(other), new_id(), NOW, NOW)
    assert store.finish(other, None, done_at + timedelta(seconds=1))  # the desk's own close
    assert [r.reference for r in store.finished_requests(2)] == [other, ref]
    assert store.get(other).sealed_note is None and store.get(other).done_by is None


def test_the_open_index_lists_requests_in_arrival_order_without_their_contents(
        stores: Stores) -> None:
    store, prefix = stores.store, new_id()
    refs = [f"{prefix}-{i}" for i in range(3)]
    for i, ref in enumerate(reversed(refs)):
        store.put_new(advisory(ref, received_at=NOW - timedelta(minutes=i), urgent=i == 1),
                      new_id(), NOW, NOW)
    listed = [r for r in store.open_requests() if r.reference.startswith(prefix)]
    assert [r.reference for r in listed] == refs
    assert not any(hasattr(r, "sealed") for r in listed)


def test_an_update_of_a_request_gone_makes_nothing(stores: Stores) -> None:
    store, ref = stores.store, new_id()
    assert not store.extend(ref, NOW) and not store.requeued(ref, NOW)
    assert store.get(ref) is None
    store.put_new(advisory(ref), new_id(), NOW, NOW)
    later = NOW + timedelta(hours=2)
    assert store.extend(ref, later) and store.requeued(ref, later)
    held = store.get(ref)
    assert (held.leased_until, held.queued_at) == (later, later)
    store.forget(ref)
    assert store.get(ref) is None and not store.extend(ref, later)


# -- the audit ------------------------------------------------------------------------------

def test_an_audit_entry_is_kept_twice_for_its_day_and_its_request(stores: Stores) -> None:
    store, ref, other = stores.store, new_id(), new_id()
    day = date(2150, 1, 1) + timedelta(days=random.randrange(10_000))
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    entries = [AuditEntry(at=at + timedelta(minutes=m), by="alice", reference=r, action=a)
               for m, r, a in ((2, ref, AuditAction.DONE), (1, ref, AuditAction.NEXT),
                               (3, other, AuditAction.VIEW))]
    for entry in entries:
        store.record(entry, 1_950_000_000)
    store.record(entries[0], 1_950_000_000)  # recorded twice: two entries
    assert store.audit_entries(day) == [entries[1], entries[0], entries[0], entries[2]]
    assert store.audit_of({ref}) == [entries[1], entries[0], entries[0]]
    assert store.audit_of({ref, other, "LR-none"}) == [entries[1], entries[0], entries[0],
                                                       entries[2]]
    assert store.audit_entries(day + timedelta(days=1)) == []


# -- an address's requests (privacy) ---------------------------------------------------------

def test_an_addresss_requests_are_found_and_forgotten_with_what_is_kept_beside(
        stores: Stores) -> None:
    store, address, first, second, stranger = (stores.store, new_id(), new_id(), new_id(),
                                               new_id())
    store.put_new(advisory(first, address_key=address), new_id(), NOW, NOW + timedelta(hours=1))
    store.put_new(advisory(second, address_key=address), new_id(), NOW, NOW)
    store.put_new(advisory(stranger, address_key=new_id()), new_id(), NOW, NOW)
    store.pass_receipt_gate(address, NOW, NOW + timedelta(hours=1))
    store.record(AuditEntry(at=NOW, by="alice", reference=first, action=AuditAction.VIEW), 1)
    assert sorted(r.reference for r in store.by_address(address)) == sorted([first, second])
    assert sorted(store.forget_address(address)) == sorted([first, second])
    assert store.by_address(address) == [] and store.forget_address(address) == []
    assert store.get(first) is None and store.audit_of({first}) == []
    assert store.pass_receipt_gate(address, NOW, NOW + timedelta(hours=1))  # gate gone
    assert store.get(stranger) is not None


def test_a_request_without_the_keyed_hash_gets_it_once(stores: Stores) -> None:
    store, ref = stores.store, new_id()
    store.put_new(advisory(ref), new_id(), NOW, NOW)
    assert ref in mine(store.without_address_key(), ref)
    assert store.set_address_key(ref, "adr") and not store.set_address_key(ref, "other")
    assert not store.set_address_key(new_id(), "adr")
    assert ref not in mine(store.without_address_key(), ref)
    assert ref in mine(store.all_requests(), ref)
    assert store.get(ref).address_key == "adr"


# -- generated sequences, both stores side by side ----------------------------------------

OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["put_new", "gate", "lease", "finish", "finish_by", "release",
                     "release_by", "extend", "requeued", "record", "forget_address",
                     "forget", "set_address_key"]),
    st.integers(0, 1), st.integers(0, 1), st.integers(0, 3)), min_size=1, max_size=30)


def _apply(store: Any, prefix: str, step: tuple[str, int, int, int]) -> Any:
    name, r, who, n = step
    ref, by, address = f"{prefix}-{r}", ["alice", "bob"][who], f"{prefix}-adr{who}"
    at = NOW + timedelta(minutes=10 * n)
    match name:
        case "put_new":
            return store.put_new(advisory(ref, address_key=address if n % 2 else None,
                                          urgent=n == 3, received_at=at),
                                 f"{prefix}-key{n % 2}", at, at + timedelta(minutes=15))
        case "gate":
            return store.pass_receipt_gate(address, at, at + timedelta(minutes=15))
        case "lease":
            return store.lease(ref, by, at + timedelta(minutes=15), f"r{n}", at)
        case "finish":
            return store.finish(ref, f"note{n}" if n % 2 else None, at)
        case "finish_by":
            return store.finish(ref, None, at, by=by)
        case "release":
            return store.release(ref)
        case "release_by":
            return store.release(ref, by)
        case "extend":
            return store.extend(ref, at)
        case "requeued":
            return store.requeued(ref, at)
        case "record":
            return store.record(AuditEntry(at=at, by=by, reference=ref,
                                           action=AuditAction.VIEW), 100 + n)
        case "forget_address":
            return sorted(store.forget_address(address))
        case "forget":
            return store.forget(ref)
        case _:
            return store.set_address_key(ref, address)


def _state(stores: Stores, prefix: str) -> Any:
    store = stores.store
    refs = [f"{prefix}-{r}" for r in range(3)]
    return (
        [store.get(ref) for ref in refs],
        sorted((r.received_at, r.reference, r.status) for r in store.open_requests()
               if r.reference.startswith(prefix)),
        sorted(r.reference for r in store.by_address(f"{prefix}-adr0")),
        sorted(r.reference for r in store.by_address(f"{prefix}-adr1")),
        [(e.at, e.reference) for e in store.audit_of(set(refs))],
        [stores.expires_at(f"RESUBMIT#{prefix}-key{k}", "RESUBMIT") for k in range(2)],
        [stores.expires_at(f"GATE#{prefix}-adr{k}", "GATE") for k in range(2)])


def _answer(read: Callable[[], Any]) -> Any:
    try:
        return ("answer", read())
    except Exception as error:  # the same refusal in both
        return ("raised", type(error).__name__)


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=OPERATIONS)
def test_any_sequence_of_operations_answers_and_leaves_the_same_in_both(
        request: pytest.FixtureRequest, steps: list[tuple[str, int, int, int]]) -> None:
    memory, dynamodb = _memory(request), _dynamodb(request)
    prefix = new_id()
    # Both requests exist at first (one under an address), so most steps meet a request.
    for step in [("put_new", 0, 0, 1), ("put_new", 1, 1, 0), *steps]:
        answers = [_answer(lambda s=stores, t=step: _apply(s.store, prefix, t))
                   for stores in (memory, dynamodb)]
        assert answers[0] == answers[1], step
    assert _state(memory, prefix) == _state(dynamodb, prefix)
