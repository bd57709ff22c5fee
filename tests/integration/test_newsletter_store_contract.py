"""One contract for the newsletter's storage, run against the in-memory store the unit tests
use (tests/support/newsletter.py) and DynamoNewsletterStore on the emulator: every method of
shared.newsletter.ports.NewsletterStore and what the privacy holder reads, the cases their
conditions refuse (nothing written then), what each write keeps and removes, and the expiry
(TTL) of what expires. A generated sequence of operations is applied to both and every answer
and the state after compared.

The unit tests of the newsletter's rules (tests/unit/test_newsletter_rules.py) prove the
rules only as far as this suite proves the fake is the adapter."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.parameters import parameter
from shared.newsletter.models import (
    LEFT_KEPT_DAYS,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from shared.newsletter.ports import NewsletterStore
from shared.platform.names import PARAM_NEWSLETTER_SETTINGS
from shared.roles import Role
from tests.support.newsletter import MemoryNewsletterStore

NOW = datetime.now(UTC).replace(microsecond=654321)


@dataclass
class Stores:
    store: NewsletterStore
    expires_at: Callable[[str, str], int | None]  # (pk, sk) -> TTL, None when none or gone


def _table() -> str:
    return str(json.loads(parameter(PARAM_NEWSLETTER_SETTINGS))["NEWSLETTER_TABLE_NAME"])


def _dynamodb(request: pytest.FixtureRequest) -> Stores:
    emulator = request.getfixturevalue("emulator")
    table = _table()

    def expires_at(pk: str, sk: str) -> int | None:
        item = emulator.client("dynamodb").get_item(
            TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
            ConsistentRead=True).get("Item")
        return int(item["expires_at"]["N"]) if item and "expires_at" in item else None

    return Stores(DynamoNewsletterStore(table), expires_at)


def _memory(request: pytest.FixtureRequest) -> Stores:
    store = MemoryNewsletterStore()
    return Stores(store, lambda pk, sk: store.items.expires_at((pk, sk)))


@pytest.fixture(params=[_memory, _dynamodb], ids=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Stores:
    build: Callable[[pytest.FixtureRequest], Stores] = request.param
    return build(request)


def new_id() -> str:
    return f"contract-{uuid.uuid4().hex[:12]}"


def subscriber(sid: str, **changes: Any) -> Subscriber:
    return Subscriber(**{"id": sid, "email": f"{sid}@example.dk", "name": "Lis Leder",
                         "role": Role.AREA_LEADER, "status": SubscriberStatus.PENDING,
                         "created_at": NOW, **changes})


def issue(iid: str, status: IssueStatus = IssueStatus.DRAFT, **changes: Any) -> Issue:
    return Issue(**{"id": iid, "subject": "Emne", "html": "<p>Hej</p>", "text": "Hej",
                    "status": status, "created_at": NOW, **changes})


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# -- subscribers ----------------------------------------------------------------------------

def test_a_pending_subscription_is_kept_as_written_and_expires(stores: Stores) -> None:
    store, sid = stores.store, new_id()
    assert store.subscriber(sid) is None
    store.put_pending(subscriber(sid, consent_source=None,
                                 confirmed_at=NOW, consent_text_version="v9"), 1234567890)
    held = store.subscriber(sid)
    # Only what a pending subscription is: the source defaults to the web form, nothing of a
    # confirmation is written, whatever the model carried.
    assert held == subscriber(sid, consent_source="web")
    assert stores.expires_at(f"SUB#{sid}", "SUB") == 1234567890
    assert not store.suppressed(sid)


def test_confirmation_activates_keeps_the_first_moment_and_ends_the_expiry(
        stores: Stores) -> None:
    store, sid = stores.store, new_id()
    assert not store.confirm(sid, NOW, "v1", "web")  # nobody to confirm
    assert store.subscriber(sid) is None
    store.put_pending(subscriber(sid), 1234567890)
    assert store.confirm(sid, NOW, "v1", "web")
    assert store.confirm(sid, NOW + timedelta(hours=1), "v2", "staff")  # again: the first stays
    held = store.subscriber(sid)
    assert held is not None and held.status is SubscriberStatus.SUBSCRIBED
    # The source stays as the signup recorded it (the form, staff, an import).
    assert (held.confirmed_at, held.consent_text_version, held.consent_source) == (
        NOW, "v2", "web")
    assert stores.expires_at(f"SUB#{sid}", "SUB") is None
    assert sid in {s.id for s in store.active_subscribers()}
    # A subscribed address is not made pending again by a new signup.
    store.put_pending(subscriber(sid, name="Ny"), 99)
    assert store.subscriber(sid) == held


def test_leaving_takes_the_address_off_the_list_once_and_keeps_it_a_while(
        stores: Stores) -> None:
    store, sid = stores.store, new_id()
    assert not store.unsubscribe(sid, NOW)  # nobody: nothing made
    assert store.subscriber(sid) is None
    store.put_pending(subscriber(sid), 1)
    store.confirm(sid, NOW, "v1", "web")
    assert store.unsubscribe(sid, NOW)
    assert not store.unsubscribe(sid, NOW + timedelta(days=1))  # once
    held = store.subscriber(sid)
    assert held is not None and held.status is SubscriberStatus.UNSUBSCRIBED
    assert held.unsubscribed_at == NOW
    assert sid not in {s.id for s in store.active_subscribers()}
    assert stores.expires_at(f"SUB#{sid}", "SUB") == epoch(NOW + timedelta(days=LEFT_KEPT_DAYS))
    assert not store.confirm(sid, NOW, "v1", "web")  # only a new signup brings it back
    store.put_pending(subscriber(sid), 77)
    assert store.subscriber(sid) == subscriber(sid, consent_source="web")


def test_suppression_is_a_lasting_marker_and_the_subscriber_leaves(stores: Stores) -> None:
    store, sid, unknown = stores.store, new_id(), new_id()
    store.put_pending(subscriber(sid), 1)
    store.confirm(sid, NOW, "v1", "web")
    assert store.suppress(sid, "bounce", NOW)
    assert not store.suppress(sid, "complaint", NOW)  # the marker was there already
    assert store.suppressed(sid)
    held = store.subscriber(sid)
    assert held is not None and held.status is SubscriberStatus.SUPPRESSED
    assert held.suppressed_reason == "bounce"
    assert stores.expires_at(f"SUPPRESSED#{sid}", "SUPPRESSED") is None  # kept for good
    store.put_pending(subscriber(sid), 5)  # a suppressed address stays as it is
    assert store.subscriber(sid) == held
    assert store.suppress(unknown, "complaint", NOW)  # no subscriber: the marker alone
    assert store.suppressed(unknown) and store.subscriber(unknown) is None


def test_the_confirmation_gate_opens_at_its_time_and_reopens_for_its_own_pass(
        stores: Stores) -> None:
    store, sid = stores.store, new_id()
    until = NOW + timedelta(minutes=10)
    assert store.pass_confirmation_gate(sid, NOW, until)
    assert not store.pass_confirmation_gate(sid, NOW + timedelta(minutes=9), until)
    assert stores.expires_at(f"SUB#{sid}", "GATE") == epoch(until)
    store.reopen_confirmation_gate(sid, until + timedelta(seconds=1))  # not this pass
    assert not store.pass_confirmation_gate(sid, NOW, until)
    store.reopen_confirmation_gate(sid, until)
    later = until + timedelta(minutes=10)
    assert store.pass_confirmation_gate(sid, NOW, later)
    assert store.pass_confirmation_gate(sid, later, later + timedelta(minutes=10))


# -- issues ---------------------------------------------------------------------------------

def test_an_issue_is_replaced_only_while_a_draft(stores: Stores) -> None:
    store, iid = stores.store, new_id()
    assert store.issue(iid) is None
    assert store.put_issue(issue(iid, source="# Hej", source_format="markdown"))
    assert store.issue(iid) == issue(iid, source="# Hej", source_format="markdown")
    assert store.put_issue(issue(iid, subject="Nyt emne"))
    assert store.issue(iid) == issue(iid, subject="Nyt emne")
    assert store.approve(iid, None, NOW)
    assert not store.put_issue(issue(iid, subject="Efter godkendelse"))
    assert iid in [i.id for i in store.issues()]
    gone = new_id()  # replacing only: a draft deleted is not written back
    assert store.put_issue(issue(gone)) and store.delete_draft(gone)
    assert not store.put_issue(issue(gone, subject="Autogemt"), replace=True)
    assert store.issue(gone) is None


def test_approval_withdrawal_and_dispatch_move_an_issue_one_way(stores: Stores) -> None:
    store, iid = stores.store, new_id()
    assert not store.approve(iid, None, NOW) and not store.withdraw(iid)
    assert not store.start_dispatch(iid, NOW)
    store.put_issue(issue(iid))
    at = NOW + timedelta(days=1)
    assert store.approve(iid, at, NOW)
    assert store.approve(iid, None, NOW + timedelta(hours=1))  # its place in line stays
    held = store.issue(iid)
    assert held is not None and (held.status, held.approved_at, held.send_at) == (
        IssueStatus.APPROVED, NOW, None)
    assert store.withdraw(iid) and not store.withdraw(iid)
    held = store.issue(iid)
    assert held is not None and (held.status, held.approved_at) == (IssueStatus.DRAFT, None)
    assert not store.start_dispatch(iid, NOW)  # a draft is not sent
    store.approve(iid, at, NOW)
    assert store.start_dispatch(iid, NOW) and not store.start_dispatch(iid, NOW)
    assert not store.withdraw(iid) and not store.approve(iid, None, NOW)
    store.snapshot_taken(iid, 3)
    store.snapshot_taken(iid, 9)  # once
    store.fanned_out(iid, NOW, 3)
    store.count(iid, "uncertain")
    store.finish_dispatch(iid, {"sent": 2, "failed": 1})
    store.finish_dispatch(iid, {"sent": 7})  # sent already: as it is
    held = store.issue(iid)
    assert held is not None and (held.status, held.snapshot, held.recipients, held.sent,
                                 held.failed, held.uncertain, held.dispatched_at,
                                 held.fanned_out_at, held.send_at) == (
        IssueStatus.SENT, True, 3, 2, 1, 1, NOW, NOW, at)


# -- the ledger -----------------------------------------------------------------------------

def test_a_copy_is_queued_once_claimed_once_and_finished_by_its_claim(stores: Stores) -> None:
    store, iid, sid = stores.store, new_id(), new_id()
    store.put_issue(issue(iid))
    store.snapshot_taken(iid, 2)
    assert store.queue_delivery(iid, sid, 4242) and not store.queue_delivery(iid, sid, 1)
    assert stores.expires_at(f"ISSUE#{iid}", f"TO#{sid}") == 4242
    assert store.claim_delivery(iid, sid, NOW, "c1")
    assert not store.claim_delivery(iid, sid, NOW, "c2")
    assert store.ledger(iid)[0].claimed_at == NOW
    store.release_delivery(iid, sid, "c2")  # not its claim: nothing
    assert store.delivery(iid, sid) is DeliveryStatus.SENDING
    store.release_delivery(iid, sid, "c1")
    assert store.ledger(iid)[0].claimed_at is None
    assert store.delivery(iid, sid) is DeliveryStatus.QUEUED
    assert store.finish_delivery(iid, sid, "c1", DeliveryStatus.SENT) is None  # released
    assert store.claim_delivery(iid, sid, NOW, "c3")
    assert store.finish_delivery(iid, sid, "c3", DeliveryStatus.SENT) == 1
    assert store.finish_delivery(iid, sid, "c3", DeliveryStatus.SENT) is None  # once
    held = store.issue(iid)
    assert held is not None and held.sent == 1
    assert store.claim_delivery(iid, new_id(), NOW, "c4") is False  # never queued
    assert store.delivery(iid, "nobody") is None


def test_forgetting_a_subscriber_deletes_them_their_gate_and_their_lines(
        stores: Stores) -> None:
    store, iid, sid, other = stores.store, new_id(), new_id(), new_id()
    store.put_pending(subscriber(sid), 1)
    store.pass_confirmation_gate(sid, NOW, NOW + timedelta(minutes=5))
    store.put_issue(issue(iid))
    store.queue_delivery(iid, sid, 1)
    store.queue_delivery(iid, other, 1)
    store.suppress(sid, "complaint", NOW)
    store.forget(sid)
    assert store.subscriber(sid) is None and store.delivery(iid, sid) is None
    assert store.pass_confirmation_gate(sid, NOW, NOW + timedelta(minutes=5))  # gate gone
    assert store.delivery(iid, other) is DeliveryStatus.QUEUED
    assert store.suppressed(sid)  # the objection is honoured still


# -- generated sequences, both stores side by side ----------------------------------------

OPERATIONS = st.lists(st.tuples(
    # The ledger's steps thrice: a claim, its release and its finish meet more often.
    st.sampled_from(["put_pending", "confirm", "unsubscribe", "suppress", "gate", "reopen",
                     "put_issue", "approve", "withdraw", "start", "snapshot", "finish_dispatch",
                     "queue", "forget", "count", *["claim", "release", "finish"] * 3,
                     "create_issue", "delete_draft", "show_in_archive", "feedback"]),
    st.integers(0, 1), st.integers(0, 1), st.integers(0, 3)), min_size=1, max_size=30)


def _apply(store: NewsletterStore, prefix: str, step: tuple[str, int, int, int]) -> Any:
    name, s, i, n = step
    sid, iid, claim = f"{prefix}-s{s}", f"{prefix}-i{i}", "c1" if n == 3 else "c0"
    at = NOW + timedelta(minutes=5 * n)
    status = [DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED,
              DeliveryStatus.SENT][n]
    match name:
        case "put_pending":
            return store.put_pending(subscriber(sid), 1000 + n)
        case "confirm":
            return store.confirm(sid, at, f"v{n}", "web")
        case "unsubscribe":
            return store.unsubscribe(sid, at)
        case "suppress":
            return store.suppress(sid, f"r{n}", at)
        case "gate":
            return store.pass_confirmation_gate(sid, at, at + timedelta(minutes=10))
        case "reopen":
            return store.reopen_confirmation_gate(sid, at + timedelta(minutes=10))
        case "put_issue":
            return store.put_issue(issue(iid, subject=f"Emne {n}"))
        case "approve":
            return store.approve(iid, at if n % 2 else None, at)
        case "withdraw":
            return store.withdraw(iid)
        case "start":
            return store.start_dispatch(iid, at)
        case "snapshot":
            return store.snapshot_taken(iid, n)
        case "finish_dispatch":
            return store.finish_dispatch(iid, {"sent": n, "failed": 1})
        case "queue":
            return store.queue_delivery(iid, sid, 2000 + n)
        case "claim":
            return store.claim_delivery(iid, sid, at, claim)
        case "release":
            return store.release_delivery(iid, sid, claim)
        case "finish":
            return store.finish_delivery(iid, sid, claim, status)
        case "forget":
            return store.forget(sid)
        case "create_issue":
            return store.create_issue(issue(iid, subject=f"Kopi {n}"))
        case "delete_draft":
            return store.delete_draft(iid)
        case "show_in_archive":
            return store.show_in_archive(iid, bool(n % 2))
        case "feedback":
            return store.record_feedback(iid, sid, ["bounced", "complained", "unsubscribed",
                                                    "bounced"][n])
        case _:
            return store.count(iid, "bounced")


def _answer(read: Callable[[], Any]) -> Any:
    """What a read answers, or the kind of error it raises (an issue item that a count or a
    snapshot made without the issue cannot be read, in either)."""
    try:
        return ("answer", read())
    except Exception as error:  # the same refusal in both
        return ("raised", type(error).__name__)


def _state(stores: Stores, prefix: str) -> Any:
    store = stores.store
    sids, iids = [f"{prefix}-s{s}" for s in range(2)], [f"{prefix}-i{i}" for i in range(2)]
    return (
        [store.subscriber(sid) for sid in sids], [store.suppressed(sid) for sid in sids],
        [stores.expires_at(f"SUB#{sid}", k) for sid in sids for k in ("SUB", "GATE")],
        sorted(s.id for s in store.active_subscribers() if s.id.startswith(prefix)),
        [_answer(lambda iid=iid: store.issue(iid)) for iid in iids],
        _answer(lambda: [i.id for i in store.issues() if i.id.startswith(prefix)]),
        [store.ledger(iid) for iid in iids],
        [stores.expires_at(f"ISSUE#{iid}", f"TO#{sid}") for iid in iids for sid in sids])


@settings(max_examples=50, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=OPERATIONS)
def test_any_sequence_of_operations_answers_and_leaves_the_same_in_both(
        request: pytest.FixtureRequest, steps: list[tuple[str, int, int, int]]) -> None:
    memory, dynamodb = _memory(request), _dynamodb(request)
    prefix = new_id()
    # Every subscriber, issue and copy exists at first, so most steps meet one.
    for step in [*(("put_pending", k, 0, 0) for k in range(2)),
                 *(("put_issue", 0, k, 0) for k in range(2)),
                 *(("queue", k, j, 0) for k in range(2) for j in range(2)), *steps]:
        answers = [_answer(lambda s=stores, t=step: _apply(s.store, prefix, t))
                   for stores in (memory, dynamodb)]
        assert answers[0] == answers[1], step
    assert _state(memory, prefix) == _state(dynamodb, prefix)
