"""The rules of advisory requests on the in-memory store, sealer and queues
(tests/support/advisory.py; the store is held to DynamoAdvisoryStore by
tests/integration/test_advisory_store_contract.py): the state machine of the whole capability,
and the desk's order, its leases and the requeue, with time moved by hand."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from shared.adapters.wiring import desk_service, intake_service, requeue_service
from shared.advisory.mail import Consultant
from shared.advisory.models import AdvisoryForm, Status
from shared.advisory.service import LEASE, Desk, Intake
from shared.errors import Conflict
from tests.support.advisory import MemoryAdvisoryStore, MemorySealer, MemoryWorkQueue, NoMail
from tests.support.advisory_machine import run_machine
from tests.support.clock import ManualClock
from tests.support.desk_machine import run_desk_machine

SECRET = b"unit-lookup-secret"


class World:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.store = MemoryAdvisoryStore()
        self.sealer = MemorySealer()
        self.queue = MemoryWorkQueue(self.clock)

    def raw(self, keys: list[tuple[str, str]]) -> str:
        return json.dumps([self.store.items.get(key) for key in keys], ensure_ascii=False)

    def adapters(self) -> dict[str, Any]:
        """The machine's world, made anew for each example by `reset`."""
        def reset() -> dict[str, Any]:
            self.__init__()  # type: ignore[misc]
            return {"store": self.store, "sealer": self.sealer, "queue": self.queue,
                    "clock": self.clock}

        return {"secret": SECRET, "raw": self.raw, "reset": reset, **reset()}

    def intake(self) -> Intake:
        return intake_service(self.store, self.sealer, self.queue, Outbox(),
                              Consultant("Kirsten Konsulent", "konsulent@example.dk"),
                              retention_days=180, secret=SECRET,
                              receipt_interval=timedelta(minutes=60), clock=self.clock)

    def desk(self, who: str = "konsulent") -> Desk:
        return desk_service(self.store, self.sealer, self.queue, by=who, clock=self.clock)

    def submit(self, **changes: Any) -> str:
        return self.intake().submit(AdvisoryForm.model_validate(conversation(**changes)))[0]


class Outbox:
    sender = "raadgivning@example.dk"

    def send(self, message: Any, to: str) -> str:
        return "sent"


def conversation(**changes: Any) -> dict[str, Any]:
    return {"kind": "conversation", "name": "Karen Blixen", "email": "karen@example.dk",
            "phone": "+4587654321", "contact_preference": "phone",
            "topic": "Min chef og jeg", "message": "Jeg overvejer at sige op", "urgent": False,
            "consent": True, "website": "", **changes}


@pytest.fixture
def world() -> World:
    return World()


def test_the_advisory_capability_keeps_its_promises_in_any_order() -> None:
    run_machine(World().adapters(), examples=100, steps=20)


def test_the_desk_keeps_leases_holds_and_reopens_apart_in_any_order() -> None:
    """tests/support/desk_machine.py with the queue keeping the machine's time: a lease
    that ran out is offered at once, a request on hold is due on its day, nothing is lost."""
    world = World()

    def reset() -> dict[str, Any]:
        world.__init__()  # type: ignore[misc]
        return {"store": world.store, "sealer": world.sealer, "queue": world.queue,
                "clock": world.clock}

    run_desk_machine({"reset": reset, "expired_leases_offered": True, **reset()},
                     examples=150, steps=25)


def test_urgent_first_then_oldest_first_and_done_with_a_sealed_note(world: World) -> None:
    start = world.clock.now
    world.clock.now = start - timedelta(hours=5)
    old = world.submit(message="gammel")
    world.clock.now = start - timedelta(hours=1)
    new = world.submit(message="ny")
    world.clock.now = start
    urgent = world.submit(message="haster", urgent=True)
    consultant = world.desk()
    order = []
    for _ in range(3):
        leased = consultant.next()
        assert leased is not None
        order.append(leased.request.reference)
        consultant.done(leased.request.reference, note="Ringet op, aftalt møde")
    assert order == [urgent, old, new]
    assert consultant.next() is None
    finished = world.store.get(urgent)
    assert finished is not None and finished.status is Status.DONE
    assert finished.sealed_note and "Ringet" not in finished.sealed_note
    assert world.sealer.open(finished.sealed_note, f"{urgent}:note") == {
        "note": "Ringet op, aftalt møde"}


def test_release_puts_it_back_at_once_and_two_consultants_never_share(world: World) -> None:
    start = world.clock.now
    references = set()
    for i in range(6):
        world.clock.now = start - timedelta(minutes=i)
        references.add(world.submit(message=f"sag {i}"))
    world.clock.now = start
    alice, bob = world.desk("alice"), world.desk("bob")
    with ThreadPoolExecutor(2) as pool:
        pulls = list(pool.map(lambda d: [d.next() for _ in range(3)], [alice, bob]))
    got = [leased.request.reference for pulled in pulls for leased in pulled if leased]
    assert len(got) == len(set(got)) == 6 and set(got) == references

    leased_by_alice = pulls[0][0]
    assert leased_by_alice is not None
    alice.release(leased_by_alice.request.reference)
    back = bob.next()
    assert back is not None and back.request.reference == leased_by_alice.request.reference
    with pytest.raises(Conflict) as refused:
        alice.done(back.request.reference)
    assert refused.value.message == "Henvendelsen er ikke reserveret til dig."
    for holder, pulled in ((alice, pulls[0]), (bob, pulls[1])):
        for leased in pulled:
            if leased and leased.request.reference != back.request.reference:
                holder.done(leased.request.reference)
    bob.done(back.request.reference)
    assert world.desk().waiting() == []


def test_an_expired_lease_returns_the_request_to_the_queue(world: World) -> None:
    reference = world.submit(message="glemt")
    first = world.desk("alice").next(timedelta(minutes=30))
    assert first is not None and first.request.reference == reference
    world.clock.advance(timedelta(minutes=29))
    assert world.desk("bob").next() is None  # leased: invisible
    world.clock.advance(timedelta(minutes=2))
    later = world.desk("bob").next()
    assert later is not None and later.request.reference == reference
    with pytest.raises(Conflict):  # no longer hers
        world.desk("alice").done(reference)
    world.desk("bob").done(reference)


def test_nothing_is_lost_when_a_request_waits_longer_than_sqs_keeps_it(world: World) -> None:
    world.clock.advance(timedelta(days=-20))
    reference = world.submit(message="glemt i kø")
    world.clock.advance(timedelta(days=20))
    world.queue.drop()  # SQS dropped the message
    assert world.desk().next() is None
    requeue = requeue_service(world.store, world.queue, clock=world.clock)
    assert requeue.requeue_stale() == 1
    assert requeue.oldest_waiting_age(world.clock.now) is not None
    found = world.desk().next()
    assert found is not None and found.request.reference == reference
    world.desk().done(reference)
    overview = world.desk().waiting()
    assert all(reference != o.reference for o in overview)
    assert not any(hasattr(o, "message") or hasattr(o, "name") for o in overview)


def test_a_resubmission_is_stored_once_and_the_sender_mailed_once(world: World) -> None:
    intake = world.intake()
    form = AdvisoryForm.model_validate(conversation())
    first, created = intake.submit(form, idempotency_key="form-7f3a")
    again, created_again = intake.submit(form, idempotency_key="form-7f3a")
    assert (again, created, created_again) == (first, True, False)
    edited, created = intake.submit(AdvisoryForm.model_validate(conversation(message="Rettet")),
                                    idempotency_key="form-7f3a")
    assert edited != first and created
    assert len(world.store.open_requests()) == 2
    assert world.queue.references(False) == [first, edited]  # the repeat queued once


def test_the_queue_holds_references_and_the_store_nothing_typed(world: World) -> None:
    reference = world.submit(urgent=True)
    assert world.queue.references(True) == [reference]
    raw = world.raw([(f"REQ#{reference}", "REQ")])
    assert reference in raw
    for typed in ("Karen Blixen", "karen@example.dk", "+4587654321", "Min chef og jeg",
                  "Jeg overvejer at sige op"):
        assert typed not in raw


def test_a_nomail_intake_still_queues(world: World) -> None:
    intake = Intake(world.store, world.sealer, world.queue, NoMail(), retention_days=180,
                    secret=SECRET, clock=world.clock)
    reference, _ = intake.submit(AdvisoryForm.model_validate(conversation()))
    assert world.queue.references(False) == [reference]


class FailingReceipts:
    """SES refuses the first receipt (the consultant's notice goes through)."""

    sender = "raadgivning@example.dk"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.failed = 0

    def send(self, message: Any, to: str) -> str:
        if to != "konsulent@example.dk" and not self.failed:
            self.failed += 1
            raise ConnectionError("SES unreachable")
        self.sent.append(to)
        return "sent"


def test_a_receipt_not_sent_still_tells_the_consultant_and_opens_its_gate(world: World) -> None:
    outbox = FailingReceipts()
    intake = intake_service(world.store, world.sealer, world.queue, outbox,
                            Consultant("Kirsten Konsulent", "konsulent@example.dk"),
                            retention_days=180, secret=SECRET,
                            receipt_interval=timedelta(minutes=60), clock=world.clock)
    with pytest.raises(ConnectionError):
        intake.submit(AdvisoryForm.model_validate(conversation()))
    assert outbox.sent == ["konsulent@example.dk"]  # the request is not lost in silence
    # The gate is open again: the next request from the mailbox gets its receipt at once.
    intake.submit(AdvisoryForm.model_validate(conversation(topic="Et andet emne")))
    assert outbox.sent == ["konsulent@example.dk", "karen@example.dk", "konsulent@example.dk"]


def test_reopening_my_own_lease_after_it_ran_out_keeps_it_mine_from_now(world: World) -> None:
    """A lease that ran out while nobody took the request: reopening it answers with a
    lease running from now (listed again under "Mine"), never the end already past; once
    another consultant has taken it, the reopen is refused."""
    reference = world.submit(message="udløbet")
    alice, bob = world.desk("alice"), world.desk("bob")
    assert alice.next() is not None
    world.clock.now += LEASE + timedelta(minutes=1)
    assert alice.mine() == []
    until = alice.reopen(reference)
    assert until == world.clock.now + LEASE
    assert [m.reference for m in alice.mine()] == [reference]
    assert bob.next() is None  # its copy meets the lease: nobody else is offered it
    world.clock.now += LEASE + timedelta(minutes=1)
    assert bob.next() is not None
    with pytest.raises(Conflict):
        alice.reopen(reference)


def test_a_reopen_whose_message_failed_is_healed_by_reopening_again(world: World) -> None:
    """SQS fails once just after the reopen is written (the request is leased to the caller
    but nothing is queued): the console's retry, answered with the lease as it is, queues it
    all the same, so once that lease ends another consultant is offered the request."""
    reference = world.submit(message="genåbnes")
    alice, bob = world.desk("alice"), world.desk("bob")
    assert alice.next() is not None
    alice.done(reference)
    send = world.queue.send

    def fails_once(*args: Any, **kwargs: Any) -> None:
        world.queue.send = send  # type: ignore[method-assign]
        raise ConnectionError("SQS unreachable")

    world.queue.send = fails_once  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        alice.reopen(reference)
    until = alice.reopen(reference)  # the retry
    assert world.store.get(reference).leased_until == until  # type: ignore[union-attr]
    world.clock.now = until + timedelta(seconds=1)
    offered = bob.next()
    assert offered is not None and offered.request.reference == reference


def test_a_release_from_hold_whose_message_failed_is_healed_by_releasing_again(
        world: World) -> None:
    """SQS fails once just after a request on hold is written back as waiting: the retry
    (answered as a repeat) queues it all the same, so »Tag den næste« offers it."""
    reference = world.submit(message="afventer")
    alice, bob = world.desk("alice"), world.desk("bob")
    assert alice.next() is not None
    alice.hold(reference, alice.today())
    send = world.queue.send

    def fails_once(*args: Any, **kwargs: Any) -> None:
        world.queue.send = send  # type: ignore[method-assign]
        raise ConnectionError("SQS unreachable")

    world.queue.send = fails_once  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        alice.release(reference)
    alice.release(reference)  # the retry
    offered = bob.next()
    assert offered is not None and offered.request.reference == reference
    assert alice.next() is None  # the copy meets bob's lease: offered once
