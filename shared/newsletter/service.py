"""What happens with the newsletter, from a signup to an issue in every subscriber's inbox.

- Subscribing is double opt-in: nobody gets an issue before confirming the emailed link. The
  answer is the same whatever the address's state, so nobody can learn who subscribes.
- An issue is sent by snapshotting the confirmed, unsuppressed subscribers into a ledger (one
  entry per issue and subscriber, written with a condition) and fanning the entries out
  through a queue. The sender claims an entry before it calls SES and records the outcome
  after: a retry, a redelivered message or a re-fired schedule finds the entry claimed or
  sent and sends nothing; nobody is left out because the snapshot is complete before the
  issue counts as dispatched, and a dispatch that stopped half-way is resumed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Protocol

from shared.clock import Clock, utcnow
from shared.errors import Conflict, InvalidLink, NotFound
from shared.forms import normalise_email
from shared.links import Links
from shared.newsletter.models import (
    CONSENT_TEXT_VERSION,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
    SubscriptionForm,
)
from shared.roles import Role
from shared.tokens import InvalidToken, derive_id, sign, verify

CONFIRM = "newsletter-confirm"
UNSUBSCRIBE = "newsletter-unsubscribe"
CONFIRM_VALID = timedelta(days=7)
UNSUBSCRIBE_VALID = timedelta(days=800)
BATCH = 10  # subscribers per queue message


class NewsletterStore(Protocol):
    def put_pending(self, subscriber: Subscriber, expires_at: int) -> SubscriberStatus | None:
        """Store a pending subscription; the existing status if the address is known."""

    def subscriber(self, subscriber_id: str) -> Subscriber | None: ...

    def confirm(self, subscriber_id: str, now: datetime, version: str, source: str) -> bool: ...

    def unsubscribe(self, subscriber_id: str, now: datetime) -> bool: ...

    def suppress(self, subscriber_id: str, reason: str, now: datetime) -> bool: ...

    def active_subscribers(self) -> Iterator[Subscriber]: ...

    def put_issue(self, issue: Issue) -> None: ...

    def issue(self, issue_id: str) -> Issue | None: ...

    def issues(self) -> list[Issue]: ...

    def approve(self, issue_id: str, send_at: datetime | None, now: datetime) -> bool: ...

    def start_dispatch(self, issue_id: str, now: datetime) -> bool:
        """approved -> sending, once."""

    def finish_dispatch(self, issue_id: str, recipients: int) -> None: ...

    def queue_delivery(self, issue_id: str, subscriber_id: str) -> bool: ...

    def claim_delivery(self, issue_id: str, subscriber_id: str, now: datetime) -> bool: ...

    def release_delivery(self, issue_id: str, subscriber_id: str) -> None: ...

    def finish_delivery(self, issue_id: str, subscriber_id: str,
                        status: DeliveryStatus) -> None: ...

    def count(self, issue_id: str, field: str) -> None: ...


class WorkQueue(Protocol):
    def send(self, issue_id: str, subscriber_ids: list[str]) -> None: ...


class Mail(Protocol):
    def confirmation(self, subscriber: Subscriber, link: str) -> None: ...

    def issue(self, issue: Issue, subscriber: Subscriber, unsubscribe_url: str,
              unsubscribe_page: str) -> str:
        """Send one subscriber their copy; the SES message id."""


class Permanent(Exception):
    """SES refused this recipient for good (e.g. a rejected address)."""


class Throttled(Exception):
    """SES asked us to slow down."""


class Newsletter:
    def __init__(self, store: NewsletterStore, mail: Mail, queue: WorkQueue, secret: bytes,
                 links: Links, clock: Clock = utcnow) -> None:
        self._store = store
        self._mail = mail
        self._queue = queue
        self._secret = secret
        self._links = links
        self._clock = clock

    def subscriber_id(self, email: str) -> str:
        return derive_id(self._secret, "subscriber", normalise_email(email))

    # -- subscribing ------------------------------------------------------------------------

    def subscribe(self, form: SubscriptionForm, source: str = "web") -> None:
        now = self._clock()
        subscriber = Subscriber(id=self.subscriber_id(form.email), email=form.email,
                                name=form.name, role=form.role,
                                status=SubscriberStatus.PENDING, created_at=now,
                                consent_source=source)
        existing = self._store.put_pending(subscriber,
                                           int((now + CONFIRM_VALID).timestamp()))
        if existing in (SubscriberStatus.SUBSCRIBED, SubscriberStatus.SUPPRESSED):
            return  # nothing to confirm; the answer does not tell
        token = sign(self._secret, CONFIRM, {"subscriber": subscriber.id}, now + CONFIRM_VALID)
        self._mail.confirmation(subscriber, self._links.confirm_subscription(token))

    def confirm(self, token: str, source: str = "web") -> SubscriberStatus:
        subject = self._verify(token, CONFIRM)
        if not self._store.confirm(subject["subscriber"], self._clock(), CONSENT_TEXT_VERSION,
                                   source):
            raise InvalidLink()
        return SubscriberStatus.SUBSCRIBED

    def unsubscribe(self, token: str) -> SubscriberStatus:
        """Effective at once; harmless when repeated."""
        subject = self._verify(token, UNSUBSCRIBE)
        if self._store.unsubscribe(subject["subscriber"], self._clock()) and subject.get("issue"):
            self._store.count(subject["issue"], "unsubscribed")
        return SubscriberStatus.UNSUBSCRIBED

    def suppress(self, email: str, reason: str, issue_id: str | None = None) -> bool:
        """A permanent bounce or a complaint: no later issue goes to this address."""
        changed = self._store.suppress(self.subscriber_id(email), reason, self._clock())
        if changed and issue_id:
            self._store.count(issue_id, "bounced" if reason == "bounce" else "complained")
        return changed

    def _verify(self, token: str, purpose: str) -> dict[str, str]:
        try:
            return verify(self._secret, token, purpose, self._clock())
        except InvalidToken as exc:
            raise InvalidLink() from exc

    # -- the editor ------------------------------------------------------------------------

    def approve(self, issue_id: str, send_at: datetime | None = None) -> Issue:
        if not self._store.approve(issue_id, send_at, self._clock()):
            raise Conflict("Kun en kladde kan godkendes.", code="not_a_draft")
        found = self._store.issue(issue_id)
        assert found is not None
        return found

    def send_test(self, issue_id: str, addresses: list[str]) -> None:
        """The issue to editor addresses, marked as a test; its unsubscribe links lead nowhere."""
        issue = self._store.issue(issue_id)
        if issue is None:
            raise NotFound("Nummeret findes ikke.", code="unknown_issue")
        test = issue.model_copy(update={"subject": f"[TEST] {issue.subject}"})
        for address in addresses:
            editor = Subscriber(id="test", email=address, name="Redaktør", role=Role.OTHER,
                                status=SubscriberStatus.SUBSCRIBED, created_at=self._clock())
            self._mail.issue(test, editor, self._links.unsubscribe_api("test"),
                             self._links.unsubscribe_page("test"))

    # -- sending ---------------------------------------------------------------------------

    def dispatch(self, issue_id: str | None = None) -> Issue | None:
        """Send one issue: the given one, else one whose own time has come, else the oldest
        approved one without a time of its own. None when nothing is due."""
        now = self._clock()
        issue = self._store.issue(issue_id) if issue_id else self._due(now)
        if issue is None:
            return None
        if issue.status is IssueStatus.APPROVED and not self._store.start_dispatch(issue.id, now):
            return None  # another run took it
        if issue.status not in (IssueStatus.APPROVED, IssueStatus.SENDING):
            return None
        recipients = 0
        batch: list[str] = []
        for subscriber in self._store.active_subscribers():
            recipients += 1
            if self._store.queue_delivery(issue.id, subscriber.id):
                batch.append(subscriber.id)
            if len(batch) == BATCH:
                self._queue.send(issue.id, batch)
                batch = []
        if batch:
            self._queue.send(issue.id, batch)
        self._store.finish_dispatch(issue.id, recipients)
        return self._store.issue(issue.id)

    def _due(self, now: datetime) -> Issue | None:
        issues = self._store.issues()
        resuming = [i for i in issues if i.status is IssueStatus.SENDING and not i.recipients]
        if resuming:
            return resuming[0]
        approved = sorted((i for i in issues if i.status is IssueStatus.APPROVED),
                          key=lambda i: i.approved_at or i.created_at)
        own_time = [i for i in approved if i.send_at and i.send_at <= now]
        if own_time:
            return own_time[0]
        return next((i for i in approved if i.send_at is None), None)

    def deliver(self, issue_id: str, subscriber_id: str) -> DeliveryStatus:
        """Send this subscriber their copy once. Throttled propagates (retry later)."""
        issue = self._store.issue(issue_id)
        if issue is None:
            raise NotFound("Nummeret findes ikke.", code="unknown_issue")
        if not self._store.claim_delivery(issue_id, subscriber_id, self._clock()):
            return DeliveryStatus.SENT  # sent, being sent, or given up before: never twice
        subscriber = self._store.subscriber(subscriber_id)
        if subscriber is None or subscriber.status is not SubscriberStatus.SUBSCRIBED:
            self._store.finish_delivery(issue_id, subscriber_id, DeliveryStatus.SKIPPED)
            return DeliveryStatus.SKIPPED
        token = sign(self._secret, UNSUBSCRIBE, {"subscriber": subscriber_id, "issue": issue_id},
                     self._clock() + UNSUBSCRIBE_VALID)
        try:
            self._mail.issue(issue, subscriber, self._links.unsubscribe_api(token),
                             self._links.unsubscribe_page(token))
        except Throttled:
            self._store.release_delivery(issue_id, subscriber_id)  # not sent: try again
            raise
        except Permanent:
            self._store.finish_delivery(issue_id, subscriber_id, DeliveryStatus.FAILED)
            self._store.count(issue_id, "failed")
            return DeliveryStatus.FAILED
        self._store.finish_delivery(issue_id, subscriber_id, DeliveryStatus.SENT)
        self._store.count(issue_id, "sent")
        return DeliveryStatus.SENT
