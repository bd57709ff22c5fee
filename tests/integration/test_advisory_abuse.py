"""The advisory form as an attacker uses it, on the template's key, table, secret and queues in
the emulator: no mail relay (a receipt carries nothing typed, one per address per interval),
no queue flood (urgency only where it can be acted on), no reference derivable from a guessed
request, a data-protection request that finds a person's requests by a query and opens only
theirs, and the daily requeue racing an erasure (forced at every step) that writes nothing
back, with a malformed item skipped everywhere requests are listed."""

# The advisory fixtures (store, queue, sealer) come from tests/support/advisory_emulator.py.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters import aws
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.sqs_work_queue import SqsWorkQueue
from shared.advisory.lookup import address_key
from shared.advisory.models import AdvisoryForm, Kind
from shared.advisory.reference import ALPHABET
from shared.advisory.service import REQUEUE_AFTER, Desk, Intake, Requeue, dedup_key
from shared.platform.names import PARAM_ADVISORY_TABLE
from shared.privacy.holders import AdvisoryHolder
from tests.integration.conftest import Api
from tests.support.advisory_emulator import (  # noqa: F401 (fixtures)
    NoMail,
    conversation,
    empty_desk,
    lookup_secret,
    queue,
    readable,
    sealer,
    sent,
    store,
)

URL = "/api/advisory-requests"
LURE = "Dit medlemskab er suspenderet - log ind på https://svindel.example"
SLOW = settings(max_examples=6, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def holder(store: DynamoAdvisoryStore, sealer: Any) -> AdvisoryHolder:
    return AdvisoryHolder(store, sealer, partial(address_key, lookup_secret()))


def mails_to(emulator: Emulator, before: int, address: str) -> list[str]:
    found = [readable(m.raw_data) for m in sent(emulator)[before:]]
    return [m for m in found if address.lower() in m.lower() and "Vi har modtaget" in m]


# -- 1. no mail relay ---------------------------------------------------------------------------

@SLOW
@given(lure=st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")),
                    min_size=8, max_size=60).map(str.strip).filter(lambda t: len(t) >= 8),
       posts=st.integers(2, 6), kind=st.sampled_from(list(Kind)))
def test_the_form_mails_a_stranger_nothing_typed_and_once_per_interval(
    api: Api, emulator: Emulator, lure: str, posts: int, kind: Kind
) -> None:
    victim = f"Offer.{uuid.uuid4().hex[:8]}"
    before = len(sent(emulator))
    for i in range(posts):
        # One mailbox however it is spelt: case, and subaddresses (`name+tag@…`).
        address = f"{victim}+{i}@Example.dk" if i % 2 else f"{victim.upper()}@EXAMPLE.DK"
        body = {"kind": kind.value, "name": lure, "topic": lure, "message": f"{lure} {i}",
                "email": address, "phone": "+4520304050", "urgent": True, "consent": True}
        status, answer = api.request("POST", URL, body)
        assert status == 202, answer
    receipts = mails_to(emulator, before, victim)
    assert len(receipts) == 1  # the mail gate: one receipt per mailbox per interval
    body_text = receipts[0].split("\n", 2)[2]  # past the subject and the To line
    assert lure not in body_text and lure.split()[0] not in body_text.split()


def test_a_named_senders_receipt_does_not_repeat_the_name(api: Api, emulator: Emulator) -> None:
    before = len(sent(emulator))
    address = f"navn.{uuid.uuid4().hex[:8]}@example.dk"
    api.request("POST", URL, conversation(name=LURE, email=address))
    [receipt] = mails_to(emulator, before, address)
    assert LURE not in receipt and "svindel" not in receipt and "Hej\n" in receipt


# -- 2. no queue flood --------------------------------------------------------------------------

@SLOW
@given(kind=st.sampled_from(list(Kind)), urgent=st.booleans(), email=st.booleans(),
       phone=st.booleans(), named=st.booleans())
def test_urgency_counts_only_for_a_conversation_with_a_way_to_reach_the_person(
    api: Api, store: DynamoAdvisoryStore, kind: Kind, urgent: bool, email: bool, phone: bool,
    named: bool
) -> None:
    assume(kind is not Kind.CONVERSATION or (named and (email or phone)))
    body = {"kind": kind.value, "message": f"Sag {uuid.uuid4().hex}", "urgent": urgent,
            "consent": True, **({"name": "Navn"} if named else {}),
            **({"email": f"u.{uuid.uuid4().hex[:6]}@example.dk"} if email else {}),
            **({"phone": "+4520304050"} if phone else {})}
    status, answer = api.request("POST", URL, body)
    assert status == 202
    found = store.get(answer["reference"])
    assert found is not None
    assert found.urgent is (urgent and kind is Kind.CONVERSATION)


def test_a_flood_of_anonymous_urgent_posts_cannot_push_a_real_request_down(
    api: Api, emulator: Emulator, store: DynamoAdvisoryStore, sealer: KmsSealer,
    queue: SqsWorkQueue
) -> None:
    empty_desk(emulator, store)
    for i in range(25):
        api.request("POST", URL, {"kind": ("suggestion", "idea")[i % 2], "urgent": True,
                                  "message": f"Flod {i} {uuid.uuid4().hex}", "consent": True})
    _, real = api.request("POST", URL, conversation(urgent=True,
                                                    message=f"Hjælp {uuid.uuid4().hex}"))
    desk = Desk(store, sealer, queue, "konsulent")
    assert desk.waiting()[0].reference == real["reference"]
    assert desk.counts().waiting_urgent == 1
    leased = desk.next()
    assert leased is not None and leased.request.reference == real["reference"]
    empty_desk(emulator, store)


# -- 4. the reference is random -----------------------------------------------------------------

def _derived(key: str) -> str:
    """How a reference used to be made from a request: what an attacker computes offline."""
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    chars = []
    for _ in range(6):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"LR-{''.join(chars[:4])}-{''.join(chars[4:])}"


@SLOW
@given(message=st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")),
                       min_size=1, max_size=40).map(str.strip).filter(bool),
       key=st.none() | st.uuids().map(str))
def test_a_guessed_request_does_not_give_its_reference_and_a_resubmission_still_gets_it(
    api: Api, store: DynamoAdvisoryStore, message: str, key: str | None
) -> None:
    body = conversation(message=f"{message} {uuid.uuid4().hex}",
                        email=f"g.{uuid.uuid4().hex[:6]}@example.dk")
    headers = {"Idempotency-Key": key} if key else {}
    _, first = api.request("POST", URL, body, headers)
    _, again = api.request("POST", URL, body, headers)
    assert first == again  # the same form sent twice is one request
    form = AdvisoryForm.model_validate(body)
    today = datetime.now(UTC)
    guesses = {_derived(dedup_key(form, key, day))
               for day in (today - timedelta(days=1), today, today + timedelta(days=1))}
    assert first["reference"] not in guesses


@pytest.mark.parametrize("reasons", [["TransactionConflict", "None"],
                                     ["None", "ConditionalCheckFailed"]])
def test_a_conflicting_or_taken_write_is_tried_again_not_a_500(
    store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue,
    monkeypatch: pytest.MonkeyPatch, reasons: list[str]
) -> None:
    """The same form twice at the same moment (DynamoDB cancels one transaction with
    TransactionConflict) or a random reference already taken: drawn again, stored once."""
    client = aws.client("dynamodb")  # the process's client, which the store uses
    real = client.transact_write_items
    calls: list[int] = []

    def once_cancelled(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise client.exceptions.TransactionCanceledException(
                {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                 "CancellationReasons": [{"Code": code} for code in reasons]},
                "TransactWriteItems")
        return real(**kwargs)

    monkeypatch.setattr(client, "transact_write_items", once_cancelled)
    intake = Intake(store, sealer, queue, NoMail(), retention_days=180, secret=lookup_secret())
    reference, created = intake.submit(AdvisoryForm.model_validate(conversation(
        message=f"Dobbeltklik {uuid.uuid4().hex}")))
    assert created and len(calls) == 2 and store.get(reference) is not None


def test_an_erased_senders_new_request_is_stored_anew(
    api: Api, store: DynamoAdvisoryStore, sealer: KmsSealer
) -> None:
    address = f"igen.{uuid.uuid4().hex[:8]}@example.dk"
    body = conversation(email=address, message=f"Samme tekst {uuid.uuid4().hex}")
    _, first = api.request("POST", URL, body)
    assert holder(store, sealer).erase(address, datetime.now(UTC)) == 1
    _, again = api.request("POST", URL, body)
    assert again["reference"] != first["reference"]
    assert store.get(again["reference"]) is not None


# -- 3. found by a keyed hash, with a query -----------------------------------------------------

class CountingSealer:
    def __init__(self, real: KmsSealer) -> None:
        self.real = real
        self.opened: list[str] = []

    def open(self, sealed: str, reference: str) -> dict[str, object]:
        self.opened.append(reference)
        return self.real.open(sealed, reference)


@pytest.fixture
def operations(store: DynamoAdvisoryStore) -> Iterator[list[str]]:
    """Every DynamoDB operation the store's client makes from now on."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    events = aws.client("dynamodb").meta.events  # the client the store uses
    events.register("before-call.dynamodb", record)
    yield seen
    events.unregister("before-call.dynamodb", record)


def test_search_export_and_erase_find_the_person_by_query_and_open_only_theirs(
    api: Api, store: DynamoAdvisoryStore, sealer: KmsSealer, operations: list[str]
) -> None:
    n = uuid.uuid4().hex[:8]
    person = f"Person.{n}@Example.dk"
    mine = {api.request("POST", URL, conversation(email=person, message=f"Min {i} {n}"))[1][
        "reference"] for i in range(2)}
    for i in range(6):  # other senders
        api.request("POST", URL, conversation(email=f"anden.{i}.{n}@example.dk",
                                              message=f"Anden {i} {n}"))
    counting = CountingSealer(sealer)
    found = holder(store, counting)
    operations.clear()
    typed = f"  person.{n}@EXAMPLE.dk "  # as the officer types it
    assert [r["status"] for r in found.held(typed)] == ["waiting", "waiting"]
    exported = found.export(typed)
    assert {r["reference"] for r in exported} == mine
    assert {r["email"] for r in exported} == {person.lower()} or all(
        r["email"].lower() == person.lower() for r in exported)
    assert counting.opened == [r["reference"] for r in exported]  # only theirs opened
    assert found.erase(typed, datetime.now(UTC)) == 2
    assert all(store.get(reference) is None for reference in mine)
    assert "Scan" not in operations  # never the whole table
    assert found.held(typed) == [] and found.erase(typed, datetime.now(UTC)) == 0


def test_requests_stored_before_the_keyed_hash_are_found_after_the_backfill(
    api: Api, emulator: Emulator, store: DynamoAdvisoryStore
) -> None:
    from cli.main import main

    n = uuid.uuid4().hex[:8]
    person = f"gammel.{n}@example.dk"
    _, answer = api.request("POST", URL, conversation(email=person, message=f"Gammel {n}"))
    emulator.client("dynamodb").update_item(  # as stored before the upgrade
        TableName=parameter(PARAM_ADVISORY_TABLE),
        Key={"pk": {"S": f"REQ#{answer['reference']}"}, "sk": {"S": "REQ"}},
        UpdateExpression="REMOVE address_key")
    keyed = AdvisoryHolder(store, object(), partial(address_key, lookup_secret()))  # type: ignore[arg-type]
    assert keyed.held(person) == []
    result = CliRunner().invoke(main, ["consultant", "backfill-addresses"])
    assert result.exit_code == 0, result.output
    assert [h["status"] for h in keyed.held(person)] == ["waiting"]
    again = CliRunner().invoke(main, ["consultant", "backfill-addresses"])
    assert again.output.startswith("0 ")  # safe to repeat: nothing left to do


# -- 9. the requeue racing an erasure -----------------------------------------------------------

class Hooked(DynamoAdvisoryStore):
    """The real store, with a hook called at each step of the requeue."""

    def __init__(self, table: str, hook: Callable[[str], None]) -> None:
        super().__init__(table)
        self.hook = hook

    def open_requests(self) -> list[Any]:
        self.hook("before_list")
        found = super().open_requests()
        self.hook("after_list")
        return found

    def requeued(self, reference: str, now: datetime) -> bool:
        self.hook("before_update")
        done = super().requeued(reference, now)
        self.hook("after_update")
        return done


REQUEUE_STEPS = ("before_list", "after_list", "before_update", "after_update")


@pytest.mark.parametrize("step", REQUEUE_STEPS)
def test_an_erasure_at_any_step_of_the_requeue_leaves_nothing_behind(
    emulator: Emulator, store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue,
    step: str
) -> None:
    empty_desk(emulator, store)
    person = f"slet.{uuid.uuid4().hex[:8]}@example.dk"
    then = datetime.now(UTC) - REQUEUE_AFTER - timedelta(days=1)
    intake = Intake(store, sealer, queue, NoMail(), retention_days=180, secret=lookup_secret(),
                    clock=lambda: then)
    reference, _ = intake.submit(AdvisoryForm.model_validate(conversation(
        email=person, message=f"Gammel sag {uuid.uuid4().hex}")))
    erased: list[int] = []

    def hook(at: str) -> None:
        if at == step:
            erased.append(holder(store, sealer).erase(person, datetime.now(UTC)))

    requeued = Requeue(Hooked(parameter(PARAM_ADVISORY_TABLE), hook), queue).requeue_stale()
    assert erased == [1]
    raw = emulator.client("dynamodb").get_item(
        TableName=parameter(PARAM_ADVISORY_TABLE),
        Key={"pk": {"S": f"REQ#{reference}"}, "sk": {"S": "REQ"}}, ConsistentRead=True)
    assert "Item" not in raw  # no stub written back
    assert requeued == (1 if step == "after_update" else 0)
    assert holder(store, sealer).held(person) == []
    assert Desk(store, sealer, queue, "konsulent").next() is None  # its copy is dropped


@pytest.mark.parametrize("step", ("before_lookup", "after_lookup", "after_forget"))
def test_a_requeue_at_any_step_of_the_erasure_leaves_nothing_behind(
    emulator: Emulator, store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue,
    step: str
) -> None:
    empty_desk(emulator, store)
    person = f"slet2.{uuid.uuid4().hex[:8]}@example.dk"
    then = datetime.now(UTC) - REQUEUE_AFTER - timedelta(days=1)
    Intake(store, sealer, queue, NoMail(), retention_days=180, secret=lookup_secret(),
           clock=lambda: then).submit(AdvisoryForm.model_validate(conversation(
               email=person, message=f"Gammel sag {uuid.uuid4().hex}")))

    class Erasing(DynamoAdvisoryStore):
        """The erasure's steps: the lookup of the address's items, each delete."""

        def _under_address(self, key: str) -> list[dict[str, Any]]:
            if step == "before_lookup":
                Requeue(store, queue).requeue_stale()
            found = super()._under_address(key)
            if step == "after_lookup":
                Requeue(store, queue).requeue_stale()
            return found

        def _delete(self, key: dict[str, Any]) -> None:
            super()._delete(key)
            if step == "after_forget" and key["pk"]["S"].startswith("REQ#"):
                Requeue(store, queue).requeue_stale()

    erasing = Erasing(parameter(PARAM_ADVISORY_TABLE))
    assert holder(erasing, sealer).erase(person, datetime.now(UTC)) == 1
    assert holder(store, sealer).held(person) == []
    assert not [r for r in store.open_requests() if r.queued_at < datetime.now(UTC)
                and r.address_key == address_key(lookup_secret(), person)]
    items = emulator.client("dynamodb").scan(TableName=parameter(PARAM_ADVISORY_TABLE))["Items"]
    assert not [i for i in items if i["sk"]["S"] == "REQ" and "reference" not in i]


def test_a_malformed_item_is_skipped_and_logged_without_personal_data(
    emulator: Emulator, store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue,
    caplog: pytest.LogCaptureFixture
) -> None:
    """A stub as the old requeue left behind (keys, `queued_at`, nothing else), in the open
    index and under a person's address: the queue, the requeue and the person's
    data-protection request all still answer."""
    empty_desk(emulator, store)
    person = f"stub.{uuid.uuid4().hex[:8]}@example.dk"
    reference, _ = Intake(store, sealer, queue, NoMail(), retention_days=180,
                          secret=lookup_secret()).submit(AdvisoryForm.model_validate(
                              conversation(email=person, message="Ægte sag")))
    emulator.client("dynamodb").put_item(TableName=parameter(PARAM_ADVISORY_TABLE), Item={
        "pk": {"S": "REQ#LR-ZZZZ-ZZ"}, "sk": {"S": "REQ"}, "open": {"N": "1"},
        "received_at": {"S": "2020-01-01T00:00:00+00:00"},
        "queued_at": {"S": "2020-01-01T00:00:00+00:00"},
        "address_key": {"S": address_key(lookup_secret(), person)}})
    try:
        desk = Desk(store, sealer, queue, "konsulent")
        assert [w.reference for w in desk.waiting()] == [reference]
        assert desk.counts().waiting_normal == 1
        Requeue(store, queue).requeue_stale()
        found = holder(store, sealer)
        assert [h["status"] for h in found.held(person)] == ["waiting"]
        assert [r["reference"] for r in found.export(person)] == [reference]
        # The erasure deletes every item under the address, the unreadable one too.
        assert found.erase(person, datetime.now(UTC)) == 2
        assert "Item" not in emulator.client("dynamodb").get_item(
            TableName=parameter(PARAM_ADVISORY_TABLE),
            Key={"pk": {"S": "REQ#LR-ZZZZ-ZZ"}, "sk": {"S": "REQ"}})
        logged = [r for r in caplog.records if "skipped" in r.getMessage()]
        assert logged and all(getattr(r, "pk", None) == "REQ#LR-ZZZZ-ZZ" for r in logged)
        text = json.dumps([vars(r) for r in caplog.records], default=str)
        assert person not in text and "Ægte sag" not in text
    finally:
        store.forget("LR-ZZZZ-ZZ")


def test_raw_items_beside_the_requests_hold_nothing_typed(
    api: Api, emulator: Emulator
) -> None:
    """The resubmission record and the receipts' gate: keyed hashes, a reference, times."""
    n = uuid.uuid4().hex[:8]
    body = conversation(email=f"raa.{n}@example.dk", name=f"Rå Navn {n}",
                        message=f"Rå tekst {n}")
    api.request("POST", URL, body)
    items = emulator.client("dynamodb").scan(TableName=parameter(PARAM_ADVISORY_TABLE))["Items"]
    raw = json.dumps(items, ensure_ascii=False)
    for typed in (f"raa.{n}", f"Rå Navn {n}", f"Rå tekst {n}", "+4587654321"):
        assert typed not in raw
