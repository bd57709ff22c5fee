"""The advisory capability as a hypothesis state machine, against a model: senders submit
(anonymous or named, urgent or not, every kind, addresses in any case), the consultant takes,
releases and finishes, the daily requeue runs, a data-protection request searches and erases,
time passes. After every step: the queue view is in order (urgent with a way to reach the
person first, then oldest), nothing typed is at rest, a search finds exactly the address's
requests and an erasure all of them, and each address got at most one receipt per interval
(exactly when the gate was open), none with anything typed in it.

One machine for both worlds: tests/unit/test_advisory_rules.py runs it on the in-memory store,
sealer and queues, tests/integration/test_advisory_machine.py on the template's key, table,
secret and queues in the emulator. `ADAPTERS` holds the world's store, sealer, queue, lookup
secret, the clock the queue keeps time by (None for SQS's own), `reset` (an empty desk, or
new adapters) and `raw` (the stored items at the given keys, as text)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import partial
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shared.advisory.lookup import address_key
from shared.advisory.mail import AdvisoryMailer, Consultant
from shared.advisory.models import AdvisoryForm, Kind, Status
from shared.advisory.service import REQUEUE_AFTER, Desk, Intake, Requeue
from shared.forms import normalise_email
from shared.privacy.holders import AdvisoryHolder

ADAPTERS: dict[str, Any] = {}


class _NoClock:
    now: datetime | None = None


INTERVAL = timedelta(minutes=60)
CONSULTANT = "konsulent@forbund.example.dk"


class Outbox:
    sender = "raadgivning@example.dk"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (to, text of the message)

    def send(self, message: EmailMessage, to: str) -> str:
        parts = [str(message["Subject"])]
        parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        self.sent.append((to, "\n".join(parts)))
        return str(len(self.sent))


class Advisory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.requests: dict[str, dict[str, Any]] = {}  # reference -> the model's record
        self.receipts: dict[str, list[datetime]] = {}  # normalised address -> times
        self.typed: list[str] = []
        self.submitted = 0  # every submission's own texts, also after an erasure

    @initialize()
    def start(self) -> None:
        # An empty desk: the emulator's queues drained and its requests done, or a new
        # in-memory world (whose adapters `reset` gives).
        ADAPTERS.update(ADAPTERS["reset"]() or {})
        store = ADAPTERS["store"]
        self.run = uuid.uuid4().hex[:8]
        self.now = datetime.now(UTC)
        self.outbox = Outbox()
        mailer = AdvisoryMailer(self.outbox, Consultant("Kirsten Konsulent", CONSULTANT))
        self.intake = Intake(store, ADAPTERS["sealer"], ADAPTERS["queue"], mailer,
                             retention_days=180, secret=ADAPTERS["secret"],
                             receipt_interval=INTERVAL, clock=lambda: self.now)
        self.desk = Desk(store, ADAPTERS["sealer"], ADAPTERS["queue"], CONSULTANT,
                         clock=lambda: self.now)
        self.holder = AdvisoryHolder(store, ADAPTERS["sealer"],
                                     partial(address_key, ADAPTERS["secret"]))
        self.people = [f"anne.{self.run}@example.dk", f"bo.{self.run}@example.dk"]

    @property
    def now(self) -> datetime:
        """The machine's time, which the in-memory queues keep time by too."""
        moment: datetime = ADAPTERS["clock"].now
        return moment

    @now.setter
    def now(self, moment: datetime) -> None:
        ADAPTERS["clock"].now = moment

    def address(self, person: int, upper: bool) -> str:
        found = self.people[person]
        return found.upper() if upper else found.capitalize()

    # -- the public form --------------------------------------------------------------------

    @rule(kind=st.sampled_from(list(Kind)), urgent=st.booleans(),
          person=st.none() | st.integers(0, 1), upper=st.booleans(), phone=st.booleans())
    def submit(self, kind: Kind, urgent: bool, person: int | None, upper: bool,
               phone: bool) -> None:
        self.now += timedelta(seconds=1)
        n = self.submitted
        self.submitted += 1
        name, text = f"Navn{self.run}x{n}", f"Besked{self.run}x{n} haster"
        email = self.address(person, upper) if person is not None else None
        if kind is Kind.CONVERSATION and not (email or phone):
            phone = True  # the form refuses a conversation with no way to reach its sender
        body: dict[str, Any] = {
            "kind": kind.value, "message": text, "urgent": urgent, "consent": True,
            "topic": f"Emne{self.run}x{n}",
            **({"name": name} if person is not None or kind is Kind.CONVERSATION else {}),
            **({"email": email} if email else {}), **({"phone": "+4520304050"} if phone else {})}
        self.typed += [name, text, f"Emne{self.run}x{n}"] + ([email] if email else [])
        before = len(self.outbox.sent)
        reference, created = self.intake.submit(AdvisoryForm.model_validate(body))
        assert created and reference not in self.requests
        self.requests[reference] = {
            "urgent": urgent and kind is Kind.CONVERSATION, "at": self.now, "seq": n,
            "address": normalise_email(email) if email else None, "status": Status.WAITING,
            "queued": self.now}
        receipts = [normalise_email(to) for to, _ in self.outbox.sent[before:]
                    if to != CONSULTANT]
        if email:
            times = self.receipts.setdefault(normalise_email(email), [])
            gate_open = not times or self.now - times[-1] >= INTERVAL
            assert receipts == ([normalise_email(email)] if gate_open else [])
            if gate_open:
                times.append(self.now)
        else:
            assert receipts == []

    @rule(minutes=st.integers(1, 90))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    # -- the consultant ---------------------------------------------------------------------

    def waiting(self) -> list[str]:
        return [r for r, m in self.requests.items() if m["status"] is Status.WAITING]

    @rule()
    def take(self) -> None:
        leased = self.desk.next()
        if leased is None:
            assert self.waiting() == []
            return
        reference = leased.request.reference
        model = self.requests[reference]
        assert model["status"] in (Status.WAITING, Status.LEASED)  # not done, not erased
        if not model["urgent"]:  # urgent ones first
            assert not [r for r in self.waiting() if self.requests[r]["urgent"]]
        model["status"] = Status.LEASED

    def held(self) -> list[str]:
        return [r for r, m in self.requests.items() if m["status"] is Status.LEASED]

    # The choice is drawn whatever is held (an index into what is), so what is drawn never
    # depends on state a replay may not reproduce (random references, the queue's order).
    @rule(pick=st.integers(0, 7), finish=st.booleans())
    def release_or_finish(self, pick: int, finish: bool) -> None:
        held = sorted(self.held())
        if not held:
            return
        reference = held[pick % len(held)]
        if finish:
            self.desk.done(reference, note=f"Note{self.run}")
            self.requests[reference]["status"] = Status.DONE
        else:
            self.desk.release(reference)
            self.requests[reference]["status"] = Status.WAITING

    @rule()
    def requeue(self) -> None:
        later = self.now + REQUEUE_AFTER
        due = [m for m in self.requests.values()
               if m["status"] is not Status.DONE and m["queued"] <= self.now]
        assert Requeue(ADAPTERS["store"], ADAPTERS["queue"],
                       clock=lambda: later).requeue_stale() == len(due)
        for model in due:
            model["queued"] = later

    # -- data protection --------------------------------------------------------------------

    def of(self, person: int) -> list[str]:
        return [r for r, m in self.requests.items() if m["address"] == self.people[person]]

    @rule(person=st.integers(0, 1), upper=st.booleans())
    def search(self, person: int, upper: bool) -> None:
        found = self.holder.held(f"  {self.address(person, upper)} ")
        assert sorted(r["status"] for r in found) == sorted(
            self.requests[r]["status"].value for r in self.of(person))

    @rule(person=st.integers(0, 1), upper=st.booleans())
    def erase(self, person: int, upper: bool) -> None:
        mine = self.of(person)
        assert self.holder.erase(self.address(person, upper), self.now) == len(mine)
        for reference in mine:
            assert ADAPTERS["store"].get(reference) is None
            del self.requests[reference]
        # The receipts' gate goes with the address (forget_address): the next request from it
        # gets its receipt at once.
        self.receipts.pop(self.people[person], None)
        assert self.holder.held(self.people[person]) == []

    # -- after every step -------------------------------------------------------------------

    @invariant()
    def the_queue_view_is_in_order(self) -> None:
        if not hasattr(self, "desk"):
            return
        ours = [w for w in self.desk.waiting() if w.reference in self.requests]
        expected = sorted((r for r, m in self.requests.items() if m["status"] is not Status.DONE),
                          key=lambda r: (not self.requests[r]["urgent"], self.requests[r]["seq"]))
        assert [w.reference for w in ours] == expected
        assert all(w.urgent is self.requests[w.reference]["urgent"] for w in ours)

    @invariant()
    def nothing_typed_is_at_rest_or_in_a_receipt(self) -> None:
        if not hasattr(self, "desk"):
            return
        keys = [(f"REQ#{r}", "REQ") for r in self.requests]
        keys += [(f"GATE#{address_key(ADAPTERS['secret'], a)}", "GATE") for a in self.people]
        raw = ADAPTERS["raw"](keys).lower()
        mails = " ".join(text for _, text in self.outbox.sent).lower()
        for typed in self.typed:
            assert typed.lower() not in raw
            assert typed.lower() not in mails
        assert self.run not in raw and self.run not in mails


def run_machine(adapters: dict[str, Any], examples: int, steps: int = 10) -> None:
    """Run the machine in the world `adapters` gives; its `reset` may answer new adapters
    (a fresh world for each example)."""
    ADAPTERS.clear()
    ADAPTERS.update({"clock": _NoClock(), **adapters})
    try:
        Advisory.TestCase.settings = settings(
            max_examples=examples, stateful_step_count=steps, deadline=None,
            suppress_health_check=list(HealthCheck))
        Advisory.TestCase().runTest()
    finally:
        ADAPTERS.clear()
