"""The import of the union's list, on the template's newsletter table in the emulator, as
generated files meet generated lists: no address twice, no suppressed or unsubscribed address
re-added, all or nothing per file, a preview that says what the import then does, a repeat
that adds nobody and invites nobody; and an import interrupted at any write (before it, or
after it went through with its answer lost) that a retry of the same file completes exactly,
every invited address mailed once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.links import Links
from shared.newsletter.models import Subscriber, SubscriberStatus
from shared.newsletter.service import Newsletter, subscriber_id
from shared.newsletter.subscribers import Subscribers
from shared.roles import Role
from tests.support.newsletter import MemoryMail, MemorySendQueue
from tests.support.newsletter_emulator import PUBLIC
from tests.support.newsletter_emulator import settings as newsletter_settings
from tests.support.subscribers import FaultyClient, Interrupted, Requests, csv_file

SECRET = b"import-tests"
BEFORE = ("none", "pending_form", "subscribed", "unsubscribed", "bounced", "complained",
          "invited_before")
DATES = ("2024-03-15", "15-03-2024", "15.03.2024", "15/03/2024 10:22", "2024-03-15T10:22:00Z")


@dataclass(frozen=True)
class World:
    table: str
    addresses: list[str]


@pytest.fixture(scope="module")
def table(emulator: Emulator) -> str:
    return newsletter_settings()["NEWSLETTER_TABLE_NAME"]


def items(table: str, ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of these addresses (subscriber, gate, markers), read consistently."""
    found = {}
    ddb = client("dynamodb")
    for sid in ids:
        for pk, sk in ((f"SUB#{sid}", "SUB"), (f"SUPPRESSED#{sid}", "SUPPRESSED"),
                       (f"LEFT#{sid}", "LEFT"), (f"INVITED#{sid}", "INVITED")):
            item = ddb.get_item(TableName=table, ConsistentRead=True,
                                Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
            if item:
                found[(pk, sk)] = item
    return found


def desk(table: str, ddb: Any = None, requests: Requests | None = None,
         writers: int = 1) -> tuple[Subscribers, Requests]:
    asked = requests or Requests()
    return Subscribers(DynamoNewsletterStore(table, ddb), asked, SECRET,
                       writers=writers), asked


def prepare(table: str, address: str, before: str) -> None:
    """The address's state before the import."""
    store = DynamoNewsletterStore(table)
    sid = subscriber_id(SECRET, address)
    now = datetime.now(UTC)
    if before == "none":
        return
    if before == "invited_before":
        desk(table)[0].import_file(csv_file([(address, "", "", "", "")]))
        return
    if before in ("bounced", "complained"):
        store.suppress(sid, "bounce" if before == "bounced" else "complaint", now)
        return
    store.put_pending(Subscriber(id=sid, email=address, name="Før", role=Role.AREA_LEADER,
                                 status=SubscriberStatus.PENDING, created_at=now),
                      int((now + timedelta(days=7)).timestamp()))
    if before in ("subscribed", "unsubscribed"):
        store.confirm(sid, now, "privatliv-test", "web")
    if before == "unsubscribed":
        store.unsubscribe(sid, now)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(1, 6))
    befores = draw(st.lists(st.sampled_from(BEFORE), min_size=size, max_size=size))
    picked = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=size + 1))
    rows = [(i, draw(st.booleans()), draw(st.sampled_from(DATES)), draw(st.booleans()))
            for i in picked]
    bad = draw(st.sampled_from([None, None, None, "address", "date", "half", "role"]))
    return {"befores": befores, "rows": rows, "bad": bad,
            "separator": draw(st.sampled_from([";", ","])), "bom": draw(st.booleans()),
            "fail_at": draw(st.one_of(st.none(), st.integers(1, 30))),
            "after": draw(st.booleans()),
            "request_fail_at": draw(st.one_of(st.none(), st.integers(1, 4)))}


def file_of(case: dict[str, Any], addresses: list[str]) -> str:
    rows = []
    for index, consent, day, upper in case["rows"]:
        address = addresses[index].upper() if upper else addresses[index]
        rows.append((address, f"Person {index}", "Områdeleder",
                     day if consent else "", "Medlemssystemet" if consent else ""))
    bad = {"address": ("ikke-en-adresse", "", "", "", ""),
           "date": (f"fremtid.{uuid.uuid4().hex[:6]}@example.dk", "", "",
                    "2999-01-01", "Formular"),
           "half": (f"halv.{uuid.uuid4().hex[:6]}@example.dk", "", "", "2024-01-01", ""),
           "role": (f"rolle.{uuid.uuid4().hex[:6]}@example.dk", "", "Ansat i forvaltningen",
                    "", "")}.get(case["bad"])
    if bad:
        rows.insert(len(rows) // 2, bad)
    return csv_file(rows, separator=case["separator"], bom=case["bom"])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_an_import_is_all_or_nothing_completes_on_retry_and_adds_nobody_twice(
        table: str, case: dict[str, Any]) -> None:
    tag = uuid.uuid4().hex[:8]
    addresses = [f"p{i}.{tag}@example.dk" for i in range(len(case["befores"]))]
    for address, before in zip(addresses, case["befores"], strict=True):
        prepare(table, address, before)
    ids = [subscriber_id(SECRET, a) for a in addresses]
    start = items(table, ids)
    text = file_of(case, addresses)
    picked = [i for i, *_ in case["rows"]]
    duplicates = len(set(picked)) < len(picked)

    preview = desk(table)[0].import_file(text, preview=True)
    assert items(table, ids) == start  # a preview writes nothing

    if case["bad"] or duplicates:  # one refused line refuses the file, whatever the faults
        faulty = FaultyClient(client("dynamodb"), case["fail_at"], case["after"])
        result, asked = desk(table, faulty)
        answer = result.import_file(text)
        assert answer.refused and not answer.imported
        assert (answer.subscribed, answer.invited) == (0, 0)
        assert preview.refused == answer.refused
        assert items(table, ids) == start and asked.requested == [] and faulty.writes == 0
        return

    # Interrupted at a write (or at queueing an invitation), then the same file again.
    faulty = FaultyClient(client("dynamodb"), case["fail_at"], case["after"])
    requests = Requests(case["request_fail_at"])
    first, _ = desk(table, faulty, requests)
    try:
        done = first.import_file(text)
        interrupted = False
    except Interrupted:
        interrupted = True
    requests.fail_at = None
    retry, _ = desk(table, None, requests)
    again = retry.import_file(text)
    if not interrupted:
        assert (done.subscribed, done.invited, done.skipped) == (
            preview.subscribed, preview.invited, preview.skipped)
        assert (again.subscribed, again.invited) == (0, 0)  # a repeat adds nobody
    assert again.imported and again.skipped + again.subscribed + again.invited == len(picked)

    after = items(table, ids)
    consent = {i: c for i, c, *_ in case["rows"]}
    for index, (sid, before) in enumerate(zip(ids, case["befores"], strict=True)):
        mine = {k: v for k, v in after.items() if sid in k[0]}
        was = {k: v for k, v in start.items() if sid in k[0]}
        if index not in consent or before in ("subscribed", "unsubscribed", "bounced",
                                              "complained"):
            assert mine == was, (before, index in consent)  # left exactly as it was
            continue
        sub = mine[(f"SUB#{sid}", "SUB")]
        if consent[index]:
            assert sub["status"]["S"] == "subscribed"
            assert sub["consent_source"]["S"] == "import"
            assert sub["consent_note"]["S"] == "Medlemssystemet"
            assert sub["confirmed_at"]["S"].startswith("2024-03-1")
            assert sub["email"]["S"].lower() == addresses[index]
        elif before == "invited_before":
            assert mine == was
        else:
            assert sub["status"]["S"] == "pending" and sub["consent_source"]["S"] == "import"
            assert "queued_at" in mine[(f"INVITED#{sid}", "INVITED")]

    # The confirmation consumer, an hour apart each time (past every gate), mails each
    # address invited by this import once, however often its request was queued.
    clock = iter(datetime.now(UTC) + timedelta(hours=h) for h in range(1, 1000))
    mail = MemoryMail()
    consumer = Newsletter(DynamoNewsletterStore(table), mail, MemorySendQueue(), SECRET,
                          Links(PUBLIC), clock=lambda: next(clock))
    for sid in requests.requested:
        consumer.send_confirmation(sid)
    invited_now = {addresses[i].lower() for i, c, *_ in case["rows"] if not c
                   and case["befores"][i] in ("none", "pending_form")}
    mailed = [s.to.lower() for s in mail.sent]
    assert sorted(mailed) == sorted(invited_now)

    # Imported again: nobody subscribed, invited or mailed again.
    settled, queued = items(table, ids), len(requests.requested)
    repeat = retry.import_file(text)
    assert (repeat.subscribed, repeat.invited) == (0, 0)
    assert len(requests.requested) == queued
    assert items(table, ids) == settled


def test_the_writes_run_side_by_side_and_add_the_same(table: str) -> None:
    """Eight writers at once (as in the console's function) reach what one reaches."""
    tag = uuid.uuid4().hex[:8]
    rows = [(f"w{i}.{tag}@example.dk", "", "", "2024-01-02" if i % 2 else "",
             "Medlemssystemet" if i % 2 else "") for i in range(40)]
    result, asked = desk(table, writers=8)
    done = result.import_file(csv_file(rows))
    assert (done.subscribed, done.invited, done.skipped) == (20, 20, 0)
    assert sorted(asked.requested) == sorted(subscriber_id(SECRET, r[0])
                                             for r in rows[0::2])


def test_an_import_interrupted_at_every_write_completes_exactly_on_retry(table: str) -> None:
    """A file of every kind of row, interrupted at each of its writes in turn (before the
    write, and after it with its answer lost) and at queueing its invitation: the same file
    again leaves what one uninterrupted import leaves, and every invited address is mailed
    once, however often its request was queued."""
    def world() -> tuple[list[str], str]:
        tag = uuid.uuid4().hex[:8]
        found = [f"{kind}.{tag}@example.dk" for kind in ("ny", "samtykke", "afmeldt", "ny2")]
        prepare(table, found[2], "unsubscribed")
        return found, csv_file([(found[0], "", "", "", ""),
                                (found[1], "", "", "2024-03-15", "Formular"),
                                (found[2], "", "", "", ""), (found[3], "", "", "", "")])

    def shape(addresses: list[str]) -> list[tuple[str, str | None, bool]]:
        """Each address's status, its consent's source and whether its invitation was
        queued: what an import decides, without the moments."""
        got = items(table, [subscriber_id(SECRET, a) for a in addresses])
        return [(got.get((f"SUB#{sid}", "SUB"), {}).get("status", {}).get("S", "-"),
                 got.get((f"SUB#{sid}", "SUB"), {}).get("consent_source", {}).get("S"),
                 "queued_at" in got.get((f"INVITED#{sid}", "INVITED"), {}))
                for sid in (subscriber_id(SECRET, a) for a in addresses)]

    addresses, text = world()
    counter = FaultyClient(client("dynamodb"))
    desk(table, counter)[0].import_file(text)
    expected, writes = shape(addresses), counter.writes
    assert writes == 5  # a transaction per added address, a mark per invitation
    faults = [(at, after, None) for at in range(1, writes + 1) for after in (False, True)]
    faults += [(None, False, at) for at in (1, 2)]
    for fail_at, after, request_fail_at in faults:
        addresses, text = world()
        requests = Requests(request_fail_at)
        with pytest.raises(Interrupted):
            desk(table, FaultyClient(client("dynamodb"), fail_at, after),
                 requests)[0].import_file(text)
        requests.fail_at = None
        desk(table, None, requests)[0].import_file(text)
        assert shape(addresses) == expected, (fail_at, after, request_fail_at)
        clock = iter(datetime.now(UTC) + timedelta(hours=h) for h in range(1, 100))
        mail = MemoryMail()
        consumer = Newsletter(DynamoNewsletterStore(table), mail, MemorySendQueue(), SECRET,
                              Links(PUBLIC), clock=lambda: next(clock))  # noqa: B023
        for sid in requests.requested:
            consumer.send_confirmation(sid)
        assert sorted(s.to for s in mail.sent) == sorted([addresses[0], addresses[3]]), (
            fail_at, after, request_fail_at)


def test_an_erased_subscriber_is_not_put_back_by_the_same_import(table: str) -> None:
    """Art. 17: the union's list imported again after an erasure subscribes (documented
    consent) or invites (none) nobody erased; the owner may still sign up through the form."""
    from shared.privacy.holders import NewsletterHolder

    tag = uuid.uuid4().hex[:8]
    rows = [(f"samtykke.{tag}@example.dk", "Anne", "", "2024-01-02", "Medlemssystemet"),
            (f"Inviteret.{tag}@Example.dk", "Bent", "", "", "")]
    imports, asked = desk(table)
    assert imports.import_file(csv_file(rows)).imported
    holder = NewsletterHolder(DynamoNewsletterStore(table), lambda e: subscriber_id(SECRET, e))
    now = datetime.now(UTC)
    assert [holder.erase(r[0], now) for r in rows] == [1, 1]
    again = imports.import_file(csv_file([(r[0].upper(), *r[1:]) for r in rows]))
    assert (again.subscribed, again.invited, again.skipped) == (0, 0, 2)
    assert len(asked.requested) == 1
    assert all(DynamoNewsletterStore(table).subscriber(subscriber_id(SECRET, r[0])) is None
               for r in rows)
