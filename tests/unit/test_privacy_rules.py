"""Data-protection requests on the in-memory stores (tests/support/; each held to its DynamoDB
adapter by a contract suite in tests/integration): every area asked, an area the caller may
not read reported as not searched and left untouched, an erasure that finds nothing the
second time, the audit of each request with counts and never the address, and an advisory
export that audits each request before it is shown."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.wiring import (
    advisory_holder_of,
    intake_service,
    newsletter_holder,
    newsletter_service,
    privacy_service,
)
from shared.advisory.mail import Consultant
from shared.advisory.models import AdvisoryForm
from shared.links import Links
from shared.newsletter.models import SubscriptionForm
from shared.privacy.holders import NotPermitted
from shared.privacy.models import ADVISORY_BY_CONSULTANT, Held
from shared.privacy.service import Privacy
from shared.roles import Role
from shared.tokens import sign
from tests.support.advisory import MemoryAdvisoryStore, MemorySealer, MemoryWorkQueue
from tests.support.clock import ManualClock
from tests.support.newsletter import MemoryMail, MemoryNewsletterStore, MemorySendQueue
from tests.support.privacy import MemoryAuditLog

NEWSLETTER_SECRET = b"unit-newsletter-secret"
LOOKUP_SECRET = b"unit-lookup-secret"
ANNE = "Anne.Privat@Example.dk"


class Outbox:
    sender = "raadgivning@example.dk"

    def send(self, message: Any, to: str) -> str:
        return "sent"


class World:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.newsletter_store = MemoryNewsletterStore()
        self.advisory_store = MemoryAdvisoryStore()
        self.sealer = MemorySealer()
        self.audit = MemoryAuditLog()
        self.exported: list[str] = []
        self.newsletter = newsletter_service(
            self.newsletter_store, MemoryMail(), MemorySendQueue(), NEWSLETTER_SECRET,
            Links("https://ledere-af-ledere.example.dk"), clock=self.clock)
        self.intake = intake_service(
            self.advisory_store, self.sealer, MemoryWorkQueue(self.clock), Outbox(),
            Consultant("Kirsten Konsulent", "konsulent@example.dk"), retention_days=180,
            secret=LOOKUP_SECRET, receipt_interval=timedelta(minutes=60), clock=self.clock)

    def subscribe(self, email: str, *, confirm: bool) -> None:
        self.newsletter.subscribe(SubscriptionForm(name="Anne Privatsen", email=email,
                                                   role=Role.AREA_LEADER, consent=True))
        if confirm:
            self.newsletter.confirm(sign(
                NEWSLETTER_SECRET, "newsletter-confirm",
                {"subscriber": self.newsletter.subscriber_id(email)},
                self.clock() + timedelta(days=1)))

    def ask(self, email: str, message: str = "Fortroligt: min rolle er svær") -> str:
        self.clock.advance(timedelta(seconds=1))
        return self.intake.submit(AdvisoryForm.model_validate({
            "kind": "conversation", "name": "Anne Privatsen", "email": email,
            "phone": "+4540112233", "contact_preference": "phone", "topic": "Min rolle",
            "message": message, "urgent": False, "consent": True, "website": ""}))[0]

    def service(self, advisory: Any = None) -> Privacy:
        holder = advisory or advisory_holder_of(self.advisory_store, self.sealer,
                                                LOOKUP_SECRET, exported=self.exported.append)
        return privacy_service([newsletter_holder(self.newsletter_store, NEWSLETTER_SECRET),
                                holder], self.audit, by="dpo@example.dk", clock=self.clock)


@pytest.fixture
def world() -> World:
    return World()


def test_export_finds_the_subscription_and_the_requests_and_audits_each_request(
        world: World) -> None:
    world.subscribe(ANNE, confirm=True)
    first, second = world.ask(ANNE), world.ask("anne.privat@example.dk", "Anden besked")
    other = world.ask("bent@example.dk")
    data, report = world.service().export("  anne.PRIVAT@example.dk ")
    assert data["email"] == "anne.privat@example.dk" and data["not_searched"] == []
    (subscription,) = data["newsletter"]
    assert subscription["email"].lower() == ANNE.lower() and subscription["status"] == "subscribed"
    assert sorted(r["reference"] for r in data["advisory"]) == sorted([first, second])
    assert {r["message"] for r in data["advisory"]} == {"Fortroligt: min rolle er svær",
                                                        "Anden besked"}
    assert sorted(world.exported) == sorted([first, second])  # audited, not Bent's
    assert other not in world.exported
    assert report.counts == {"newsletter": 1, "advisory": 2}
    assert world.audit.reports(5) == [report]


@settings(max_examples=25, deadline=None)
@given(requests=st.integers(0, 3), subscribed=st.sampled_from([None, False, True]),
       others=st.integers(0, 2))
def test_an_erasure_leaves_nothing_of_the_address_and_finds_nothing_the_second_time(
        requests: int, subscribed: bool | None, others: int) -> None:
    world = World()
    if subscribed is not None:
        world.subscribe(ANNE, confirm=subscribed)
    mine = [world.ask(ANNE, f"Besked {i}") for i in range(requests)]  # each its own
    kept = [world.ask(f"bent{i}@example.dk") for i in range(others)]
    held, _ = world.service().search(ANNE)
    assert held["advisory"] == Held.of([{"status": "waiting"}] * requests)
    assert held["newsletter"].count == (subscribed is not None)

    first = world.service().erase(ANNE)
    assert first.counts == {"newsletter": int(subscribed is not None), "advisory": requests}
    assert all(world.advisory_store.get(reference) is None for reference in mine)
    assert all(world.advisory_store.get(reference) is not None for reference in kept)
    assert world.newsletter_store.subscriber(world.newsletter.subscriber_id(ANNE)) is None
    again = world.service().erase(ANNE)
    assert again.counts == {"newsletter": 0, "advisory": 0}
    audited = json.dumps([r.__dict__ for r in world.audit.reports(10)], default=str).lower()
    assert "anne" not in audited and "privat" not in audited


def test_an_area_the_caller_may_not_read_is_reported_not_searched_and_left_alone(
        world: World) -> None:
    class Denied:
        def open(self, sealed: str, reference: str) -> dict[str, object]:
            raise PermissionError("kms:Decrypt denied")

    def denied(email: str) -> str:
        raise PermissionError("secretsmanager:GetSecretValue denied")

    from shared.privacy.holders import AdvisoryHolder

    world.subscribe(ANNE, confirm=True)
    reference = world.ask(ANNE)
    service = world.service(AdvisoryHolder(world.advisory_store, Denied(), denied))
    data, report = service.export(ANNE)
    assert data["not_searched"] == ["advisory"] and "advisory" not in data
    assert len(data["newsletter"]) == 1
    assert report.skipped == ["advisory"] and world.audit.reports(1) == [report]
    erased = service.erase(ANNE)
    assert erased.skipped == ["advisory"] and erased.counts == {"newsletter": 1}
    assert world.advisory_store.get(reference) is not None  # untouched: it could not be read

    barred = world.service(NotPermitted("advisory", ADVISORY_BY_CONSULTANT))
    data, report = barred.export(ANNE)
    assert data["not_searched"] == ["advisory"]
    assert data["not_searched_why"] == {"advisory": ADVISORY_BY_CONSULTANT}
    assert world.audit.reports(1)[0].why == {}  # the reason is not audited
