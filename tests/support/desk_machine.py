"""The consultant's desk as a hypothesis state machine across two consultants, against a
model: requests are submitted, taken, shown, extended, put on hold ("afventer svar") until a
follow-up day, finished, released and reopened in any order while minutes and days pass.
After every step: the store holds what the model says (status, holder, follow-up day, who
finished it), each request is held by one consultant at most, each consultant's list of open
requests is exactly what they hold (a lease still running, or on hold), and a request on hold
is due in its holder's list from its follow-up day on. The `sweep` rule proves that nothing is
lost: every request not finished comes back through »Tag den næste« once the holders let go.

One machine for both worlds: tests/unit/test_advisory_rules.py runs it on the in-memory
store and queues with the queue keeping the machine's time; the integration test on the
template's table and SQS queues in the emulator, whose queues keep their own time (a lease
the machine's clock has ended may still hide its message there, so only the memory world
asserts that such a request is offered at once). `ADAPTERS`: store, sealer, queue, `reset`,
`clock` (an object whose `now` the queue reads, or None) and `expired_leases_offered`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from shared.advisory.models import AdvisoryForm, Status
from shared.advisory.service import LEASE, Desk, Intake
from shared.errors import Conflict
from shared.platform.clock import to_copenhagen

ADAPTERS: dict[str, Any] = {}
WHO = ("a@konsulent.example.dk", "b@konsulent.example.dk")


class _NoMail:
    def receipt(self, *args: Any) -> None:
        pass

    def notice(self, *args: Any) -> None:
        pass


class _OwnClock:
    now: datetime | None = None


@dataclass
class Model:
    status: Status = Status.WAITING
    holder: str | None = None
    until: datetime | None = None  # the lease's end, while leased
    follow_up: date | None = None  # while on hold
    done_by: str | None = None


def _form(n: int, urgent: bool) -> AdvisoryForm:
    """A request of its own (never the same content as an earlier one: a resubmission)."""
    return AdvisoryForm.model_validate({
        "kind": "conversation", "name": f"Navn {n}", "email": f"p{n}@example.dk",
        "message": f"Sag {n} {uuid.uuid4().hex}", "urgent": urgent, "consent": True,
        "website": ""})


class DeskMachine(RuleBasedStateMachine):
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, Model] = {}

    @initialize()
    def start(self) -> None:
        ADAPTERS.update(ADAPTERS["reset"]() or {})
        self.now = datetime.now(UTC).replace(microsecond=0)

    @property
    def now(self) -> datetime:
        moment: datetime = ADAPTERS["clock"].now
        return moment

    @now.setter
    def now(self, moment: datetime) -> None:
        ADAPTERS["clock"].now = moment

    def today(self) -> date:
        return to_copenhagen(self.now).date()

    def desk(self, who: str) -> Desk:
        return Desk(ADAPTERS["store"], ADAPTERS["sealer"], ADAPTERS["queue"], who,
                    clock=lambda: self.now)

    def running(self, m: Model) -> bool:
        return m.status is Status.LEASED and m.until is not None and m.until > self.now

    def holds(self, who: str, m: Model) -> bool:
        return m.status in (Status.LEASED, Status.ON_HOLD) and m.holder == who

    # -- the rules ---------------------------------------------------------------------------

    @rule(target=requests, urgent=st.booleans())
    def submit(self, urgent: bool) -> str:
        intake = Intake(ADAPTERS["store"], ADAPTERS["sealer"], ADAPTERS["queue"], _NoMail(),
                        retention_days=180, secret=b"desk-machine", clock=lambda: self.now)
        reference, created = intake.submit(_form(len(self.model), urgent))
        assert created
        self.model[reference] = Model()
        return reference

    @rule(who=st.sampled_from(WHO))
    def take(self, who: str) -> None:
        leased = self.desk(who).next()
        waiting = {r for r, m in self.model.items() if m.status is Status.WAITING}
        expired = {r for r, m in self.model.items()
                   if m.status is Status.LEASED and not self.running(m)}
        if leased is None:
            assert waiting == set()
            if ADAPTERS["expired_leases_offered"]:
                assert expired == set()
            return
        reference = leased.request.reference
        # Never one whose lease runs (anyone's), on hold or finished.
        assert reference in waiting | expired, (reference, self.model[reference])
        self.model[reference] = Model(Status.LEASED, who, self.now + LEASE)

    @rule(who=st.sampled_from(WHO), reference=requests)
    def show(self, who: str, reference: str) -> None:
        m = self.model[reference]
        if m.status is Status.DONE or self.holds(who, m):
            assert self.desk(who).show(reference).request.reference == reference
        else:
            with pytest.raises(Conflict):
                self.desk(who).show(reference)

    @rule(who=st.sampled_from(WHO), reference=requests)
    def extend(self, who: str, reference: str) -> None:
        m = self.model[reference]
        if m.status is Status.LEASED and m.holder == who:
            assert self.desk(who).extend(reference) == self.now + LEASE
            m.until = self.now + LEASE
        else:
            with pytest.raises(Conflict):
                self.desk(who).extend(reference)

    @rule(who=st.sampled_from(WHO), reference=requests, days=st.integers(0, 4),
          twice=st.booleans())
    def hold(self, who: str, reference: str, days: int, twice: bool) -> None:
        m = self.model[reference]
        day = self.today() + timedelta(days=days)
        if self.holds(who, m):
            for _ in range(2 if twice else 1):  # the same again: the same answer
                self.desk(who).hold(reference, day, note="Ringet op" if days else None)
            self.model[reference] = Model(Status.ON_HOLD, who, follow_up=day)
        else:
            with pytest.raises(Conflict):
                self.desk(who).hold(reference, day)

    @rule(who=st.sampled_from(WHO), reference=requests)
    def finish(self, who: str, reference: str) -> None:
        m = self.model[reference]
        if (m.status is Status.DONE and m.done_by == who) or self.holds(who, m):
            self.desk(who).done(reference, note="Afsluttet")
            self.model[reference] = Model(Status.DONE, done_by=who)
        else:
            with pytest.raises(Conflict):
                self.desk(who).done(reference)

    @rule(who=st.sampled_from(WHO), reference=requests)
    def release(self, who: str, reference: str) -> None:
        m = self.model[reference]
        if m.status is Status.WAITING or self.holds(who, m):
            self.desk(who).release(reference)
            self.model[reference] = Model()
        else:
            with pytest.raises(Conflict):
                self.desk(who).release(reference)

    @rule(who=st.sampled_from(WHO), reference=requests, twice=st.booleans())
    def reopen(self, who: str, reference: str, twice: bool) -> None:
        m = self.model[reference]
        if self.running(m) and m.holder == who:
            assert self.desk(who).reopen(reference) == m.until  # as it is
        elif m.status is Status.LEASED and m.holder == who:  # ran out: kept from now
            assert self.desk(who).reopen(reference) == self.now + LEASE
            m.until = self.now + LEASE
        elif m.status is Status.DONE or (m.status is Status.ON_HOLD and m.holder == who):
            until = self.desk(who).reopen(reference)
            assert until == self.now + LEASE
            if twice:  # the same again: the same answer
                assert self.desk(who).reopen(reference) == until
            self.model[reference] = Model(Status.LEASED, who, until)
        else:
            with pytest.raises(Conflict):
                self.desk(who).reopen(reference)

    @rule(minutes=st.sampled_from([5, 31]))
    def minutes_pass(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule()
    def a_day_passes(self) -> None:
        self.now += timedelta(days=1)

    @rule()
    def sweep(self) -> None:
        """Nothing is lost: once the holders let go of what they hold, »Tag den næste«
        offers every request not finished, each once, and then says nothing waits."""
        for reference, m in self.model.items():
            if m.status in (Status.LEASED, Status.ON_HOLD):
                assert m.holder is not None
                self.desk(m.holder).release(reference)
                self.model[reference] = Model()
        open_ones = {r for r, m in self.model.items() if m.status is not Status.DONE}
        taken: list[str] = []
        while (leased := self.desk(WHO[0]).next()) is not None:
            taken.append(leased.request.reference)
            assert len(taken) <= len(open_ones)
        assert sorted(taken) == sorted(open_ones)
        for reference in taken:
            self.model[reference] = Model(Status.LEASED, WHO[0], self.now + LEASE)

    # -- after every step --------------------------------------------------------------------

    @invariant()
    def the_store_agrees_and_none_is_held_by_two(self) -> None:
        for reference, m in self.model.items():
            found = ADAPTERS["store"].get(reference)
            assert found is not None  # none lost
            assert found.status is m.status, (reference, found.status, m)
            if m.status in (Status.LEASED, Status.ON_HOLD):
                assert found.leased_by == m.holder
            if m.status is Status.LEASED:
                assert found.leased_until == m.until
            if m.status is Status.ON_HOLD:
                assert found.follow_up_on == m.follow_up and found.leased_until is None
            if m.status is Status.DONE:
                assert found.done_by == m.done_by

    @invariant()
    def each_list_is_what_its_consultant_holds_and_due_on_its_day(self) -> None:
        if not self.model:
            return
        lists = {who: {m.reference: m for m in self.desk(who).mine()} for who in WHO}
        assert not set(lists[WHO[0]]) & set(lists[WHO[1]])
        for who in WHO:
            expected = {r for r, m in self.model.items() if m.holder == who and (
                self.running(m) or m.status is Status.ON_HOLD)}
            assert set(lists[who]) == expected
            for reference in expected:
                m, shown = self.model[reference], lists[who][reference]
                assert shown.due is (m.status is Status.ON_HOLD and m.follow_up is not None
                                     and m.follow_up <= self.today())
            # Due ones head the list.
            dues = [shown.due for shown in lists[who].values()]
            assert dues == sorted(dues, reverse=True)


def run_desk_machine(adapters: dict[str, Any], examples: int, steps: int) -> None:
    ADAPTERS.clear()
    ADAPTERS.update({"clock": _OwnClock(), "expired_leases_offered": False, **adapters})
    try:
        DeskMachine.TestCase.settings = settings(
            max_examples=examples, stateful_step_count=steps, deadline=None,
            suppress_health_check=list(HealthCheck))
        DeskMachine.TestCase().runTest()
    finally:
        ADAPTERS.clear()
