"""The newsletter's rules on the in-memory store, mail and queues (tests/support/newsletter.py;
the store is held to DynamoNewsletterStore by
tests/integration/test_newsletter_store_contract.py): double opt-in and its mail gate, sends
that reach every subscriber exactly once whatever fails, a copy delivered again, and
suppression that outlasts an erasure."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.wiring import newsletter_holder, newsletter_service
from shared.errors import InvalidLink
from shared.links import Links
from shared.newsletter.editor import draft
from shared.newsletter.models import DeliveryStatus, SubscriberStatus, SubscriptionForm
from shared.newsletter.service import Newsletter
from shared.roles import Role
from shared.tokens import sign
from tests.support.clock import ManualClock
from tests.support.newsletter import MemoryMail, MemoryNewsletterStore, MemorySendQueue

SECRET = b"unit-newsletter-secret"
PUBLIC = "https://ledere-af-ledere.example.dk"
INTERVAL = timedelta(minutes=10)


class World:
    def __init__(self, mail: MemoryMail | None = None) -> None:
        self.clock = ManualClock()
        self.store = MemoryNewsletterStore()
        self.mail = mail or MemoryMail()
        self.queue = MemorySendQueue()
        self.service: Newsletter = newsletter_service(
            self.store, self.mail, self.queue, SECRET, Links(PUBLIC),
            confirmation_interval=INTERVAL, clock=self.clock)

    def token(self, email: str, purpose: str = "newsletter-confirm") -> str:
        return sign(SECRET, purpose, {"subscriber": self.service.subscriber_id(email)},
                    self.clock() + timedelta(days=1))

    def subscribe(self, email: str) -> None:
        self.service.subscribe(SubscriptionForm(name="Leder", email=email, role=Role.AREA_LEADER,
                                                consent=True))

    def subscribe_confirmed(self, count: int, prefix: str) -> list[str]:
        addresses = []
        for i in range(count):
            address = f"{prefix}{i}@example.dk"
            self.subscribe(address)
            self.service.confirm(self.token(address))
            addresses.append(address)
        return addresses

    def issue(self, issue_id: str, subject: str = "Nyt fra ledere af ledere") -> None:
        self.store.put_issue(draft(issue_id, subject, "# Hej\n\nIndhold.", markdown=True,
                                   now=self.clock()))
        self.service.approve(issue_id)


def test_every_subscriber_gets_the_issue_exactly_once_whatever_fails() -> None:
    world = World()
    addresses = world.subscribe_confirmed(25, "faults")
    world.issue("faults-1")
    world.mail.throttle = 0.3  # throttling on a share of sends
    world.mail.crash_after = {addresses[3], addresses[17]}  # crash after sending, unrecorded
    before = len(world.mail.sent)
    first = world.service.dispatch("faults-1")
    again = world.service.dispatch("faults-1")  # the schedule fired twice
    assert first is not None and first.recipients == 25
    assert again is None or again.recipients == first.recipients
    world.queue.drain(world.service.deliver, twice=True)  # duplicate deliveries

    received = Counter(s.to for s in world.mail.sent[before:] if s.issue == "faults-1")
    assert all(received[a] == 1 for a in addresses), received  # nobody twice, nobody skipped
    ledger = world.store.deliveries("faults-1")
    assert set(ledger.values()) <= {DeliveryStatus.SENT, DeliveryStatus.SENDING}
    issue = world.store.issue("faults-1")
    assert issue is not None and issue.sent + 2 == issue.recipients  # two unrecorded crashes


def test_a_copy_delivered_again_is_answered_already_handled_and_not_counted_as_sent() -> None:
    world = World()
    addresses = world.subscribe_confirmed(2, "again")
    world.issue("again-1", "Igen")
    assert world.service.dispatch("again-1") is not None
    subscriber = world.service.subscriber_id(addresses[0])
    before = len(world.mail.sent)
    assert world.service.deliver("again-1", subscriber) is DeliveryStatus.SENT
    # SQS delivers at least once: the same copy again sends nothing and says so, so the
    # NewsletterSent metric (the sender counts SENT answers) counts one send.
    assert world.service.deliver("again-1", subscriber) is DeliveryStatus.ALREADY_HANDLED
    assert len(world.mail.sent) == before + 1
    assert world.store.deliveries("again-1")[subscriber] is DeliveryStatus.SENT


def test_the_one_click_unsubscribe_works_at_once_and_counts_on_the_issue() -> None:
    world = World()
    (address,) = world.subscribe_confirmed(1, "oneclick")
    world.issue("oneclick-1")
    world.service.dispatch("oneclick-1")
    world.queue.drain(world.service.deliver)
    (copy,) = [s for s in world.mail.sent if s.issue == "oneclick-1"]
    assert copy.link.startswith(f"{PUBLIC}/api/newsletter/unsubscribe?token=")
    token = copy.link.split("token=", 1)[1]
    assert world.service.unsubscribe(token) is SubscriberStatus.UNSUBSCRIBED
    assert world.service.unsubscribe(token) is SubscriberStatus.UNSUBSCRIBED  # harmless again
    held = world.store.subscriber(world.service.subscriber_id(address))
    assert held is not None and held.status is SubscriberStatus.UNSUBSCRIBED
    assert all(s.email != address for s in world.store.active_subscribers())
    issue = world.store.issue("oneclick-1")
    assert issue is not None and issue.unsubscribed == 1


@settings(max_examples=25, deadline=None)
@given(signups=st.integers(1, 6), wait=st.integers(0, 20))
def test_signups_mail_one_confirmation_per_interval(signups: int, wait: int) -> None:
    world = World()
    email = "mange-gange@example.dk"
    for _ in range(signups):
        world.subscribe(email)
    assert [s.to for s in world.mail.sent] == [email]
    world.clock.advance(timedelta(minutes=wait))
    world.subscribe(email)
    expected = 2 if timedelta(minutes=wait) >= INTERVAL else 1
    assert [s.to for s in world.mail.sent] == [email] * expected


@pytest.mark.parametrize("confirmed", [True, False])
def test_suppression_lasts_survives_erasure_and_blocks_a_later_signup(confirmed: bool) -> None:
    world = World()
    email = f"objects-{confirmed}@example.dk"
    world.subscribe(email)
    if confirmed:
        world.service.confirm(world.token(email))
    assert world.service.suppress(email, "complaint")
    subscriber_id = world.service.subscriber_id(email)
    assert world.store.suppressed(subscriber_id)

    newsletter_holder(world.store, SECRET).erase(email, world.clock())
    assert world.store.subscriber(subscriber_id) is None
    assert world.store.suppressed(subscriber_id)  # the objection is honoured for good

    before = len(world.mail.sent)
    world.clock.advance(INTERVAL)
    world.subscribe(email)  # someone signs them up again
    assert world.mail.sent[before:] == []  # not mailed
    with pytest.raises(InvalidLink):
        world.service.confirm(world.token(email))
    assert all(s.email != email for s in world.store.active_subscribers())
