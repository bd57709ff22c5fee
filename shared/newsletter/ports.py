"""What the newsletter needs from the world, as protocols the adapters fulfil (DynamoDB, SQS,
SES in AWS and locally; in-memory fakes in unit tests), and the ways sending can fail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.newsletter.models import DeliveryStatus, Issue, Subscriber, SubscriberStatus


class NewsletterStore(Protocol):
    def put_pending(self, subscriber: Subscriber, expires_at: int) -> None:
        """Store a pending subscription unless the address is subscribed or suppressed."""

    def subscriber(self, subscriber_id: str) -> Subscriber | None: ...

    def confirm(self, subscriber_id: str, now: datetime, version: str, source: str) -> bool: ...

    def unsubscribe(self, subscriber_id: str, now: datetime) -> bool: ...

    def suppress(self, subscriber_id: str, reason: str, now: datetime) -> bool:
        """Mark the address suppressed for good; False when it already was."""

    def suppressed(self, subscriber_id: str) -> bool: ...

    def pass_confirmation_gate(self, subscriber_id: str, now: datetime,
                               until: datetime) -> bool:
        """True when a confirmation may be mailed now (then not again before `until`)."""

    def reopen_confirmation_gate(self, subscriber_id: str, until: datetime) -> None: ...

    def claim_invitation(self, subscriber_id: str, now: datetime) -> bool:
        """True once per staff invitation (by hand or an import): its email may go now."""

    def reopen_invitation(self, subscriber_id: str) -> None:
        """The claimed invitation's email did not go out."""

    def active_subscribers(self) -> Iterator[Subscriber]: ...

    def put_issue(self, issue: Issue, replace: bool = False) -> bool:
        """Create the issue, or replace it while it is a draft; False when it is not (with
        `replace`, also when there is none)."""

    def create_issue(self, issue: Issue) -> bool:
        """Create the issue; False when one of its id exists."""

    def delete_draft(self, issue_id: str) -> bool:
        """Delete the issue while it is a draft; False when it is not one (or is gone)."""

    def show_in_archive(self, issue_id: str, shown: bool) -> bool:
        """Whether the issue is shown in the public archive; False when it does not exist."""

    def subscriber_count(self) -> int:
        """How many confirmed subscribers an issue sent now would go to (before the
        suppressions found at its snapshot)."""

    def issue(self, issue_id: str) -> Issue | None: ...

    def issues(self) -> list[Issue]:
        """Every issue, oldest first, found without reading the subscribers or the ledger."""

    def approve(self, issue_id: str, send_at: datetime | None, now: datetime) -> bool:
        """draft or approved -> approved, with its own time or none."""

    def withdraw(self, issue_id: str) -> bool:
        """approved -> draft, unless the dispatcher has claimed it."""

    def start_dispatch(self, issue_id: str, now: datetime) -> bool:
        """approved -> sending, once."""

    def snapshot_taken(self, issue_id: str, copies: int) -> None:
        """Every subscriber has their ledger entry: `copies` are left to send (once: a
        second run's count is not taken)."""

    def fanned_out(self, issue_id: str, now: datetime, recipients: int) -> None: ...

    def finish_dispatch(self, issue_id: str, totals: dict[str, int]) -> None:
        """sending -> sent (an issue sent already stays as it is): no copy is left queued;
        the totals from the ledger."""

    def queue_delivery(self, issue_id: str, subscriber_id: str, expires_at: int) -> bool:
        """The subscriber's entry in the issue's ledger, once; it expires (TTL) at
        `expires_at`."""

    def ledger(self, issue_id: str) -> list[Entry]: ...

    def claim_delivery(self, issue_id: str, subscriber_id: str, now: datetime,
                       claim: str) -> bool:
        """queued -> sending, marked with this claim."""

    def release_delivery(self, issue_id: str, subscriber_id: str, claim: str) -> None:
        """sending -> queued, only if this claim holds it."""

    def finish_delivery(self, issue_id: str, subscriber_id: str, claim: str,
                        status: DeliveryStatus) -> int | None:
        """The outcome of the copy this claim holds (sent, failed, skipped), counted on the
        issue: the copies then left to send; None when the claim no longer holds it."""

    def count(self, issue_id: str, field: str) -> None: ...

    def record_feedback(self, issue_id: str, subscriber_id: str, field: str) -> bool:
        """A bounce, complaint or unsubscribe (`field`, one of models.FEEDBACK) on the
        subscriber's copy, marked on their ledger line and counted on the issue in one
        transaction, once per copy and kind: False when it was already, or the issue sent
        them no copy."""


@dataclass(frozen=True)
class Standing:
    """Where an address stands before staff add it: its subscriber item's status (None: no
    item), and the lasting markers of a suppression, an unsubscribe and a staff invitation
    (and whether that invitation's confirmation request was queued)."""

    status: SubscriberStatus | None = None
    suppressed: bool = False
    left: bool = False
    invited: bool = False
    invitation_queued: bool = False


class SubscriberList(Protocol):
    """The editor's subscriber list (shared.newsletter.subscribers)."""

    def find_subscribers(self, query: str) -> list[Subscriber]: ...

    def subscriber(self, subscriber_id: str) -> Subscriber | None: ...

    def standing(self, subscriber_ids: list[str]) -> dict[str, Standing]: ...

    def add_subscribed(self, subscriber: Subscriber) -> bool:
        """Subscribed with a documented consent, unless suppressed, unsubscribed or subscribed."""

    def add_invited(self, subscriber: Subscriber, expires_at: int) -> bool:
        """Pending with a lasting invitation marker, unless suppressed, unsubscribed,
        subscribed, or invited with its request queued already."""

    def invitation_queued(self, subscriber_id: str, now: datetime) -> None: ...

    def unsubscribe(self, subscriber_id: str, now: datetime) -> bool: ...


class WorkQueue(Protocol):
    def send(self, issue_id: str, subscriber_ids: list[str]) -> None: ...

    def retry_later(self, receipt_handle: str, seconds: int) -> None: ...


class DispatchRequests(Protocol):
    def request(self, issue_id: str) -> None:
        """Ask the dispatcher to start this issue now (the editor's "send now")."""


class ConfirmationRequests(Protocol):
    def request(self, subscriber_id: str) -> None: ...


@dataclass(frozen=True)
class Entry:
    """One line of an issue's ledger."""

    subscriber_id: str
    status: DeliveryStatus
    claimed_at: datetime | None = None
    feedback: frozenset[str] = frozenset()  # of models.FEEDBACK, each once


class Mail(Protocol):
    def confirmation(self, subscriber: Subscriber, link: str) -> None: ...

    def issue(self, issue: Issue, subscriber: Subscriber, unsubscribe_url: str,
              unsubscribe_page: str, web_version: str | None = None) -> str:
        """Send one subscriber their copy (linking to its web version when given); the SES
        message id."""


class Permanent(Exception):
    """SES refused this recipient for good (e.g. a rejected address)."""


class Unsent(Exception):
    """SES did not take the message (sending paused, account suspended, no connection, a
    server error): nothing went out, send it later."""


class Throttled(Unsent):
    """SES asked us to slow down, and kept asking through the retries."""


class Uncertain(Exception):
    """The call may have reached SES and been accepted, but its answer was lost."""
