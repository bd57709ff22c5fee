"""The newsletter's storage in memory (shared.newsletter.ports.NewsletterStore, and what the
privacy holder reads), item for item as DynamoNewsletterStore keeps it: the same keys, the
same conditions, the same attributes written and removed, the same expiry (TTL, whole
seconds), under one lock. tests/integration/test_newsletter_store_contract.py holds the two
to one suite."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.newsletter.models import (
    FEEDBACK,
    LEFT_KEPT_DAYS,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from shared.newsletter.ports import Entry, Throttled, Unsent
from shared.roles import Role
from tests.support.items import Items, Key, iso, moment


def _sub(subscriber_id: str) -> Key:
    return f"SUB#{subscriber_id}", "SUB"


def _gate(subscriber_id: str) -> Key:
    return f"SUB#{subscriber_id}", "GATE"


def _issue_key(issue_id: str) -> Key:
    return f"ISSUE#{issue_id}", "ISSUE"


def _suppressed(subscriber_id: str) -> Key:
    return f"SUPPRESSED#{subscriber_id}", "SUPPRESSED"


def _line(issue_id: str, subscriber_id: str) -> Key:
    return f"ISSUE#{issue_id}", f"TO#{subscriber_id}"


def _subscriber(item: dict[str, Any]) -> Subscriber:
    return Subscriber(
        id=item["subscriber_id"], email=item["email"], name=item["name"],
        role=Role(item["role"]), status=SubscriberStatus(item["status"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        confirmed_at=moment(item, "confirmed_at"),
        consent_text_version=item.get("consent_text_version"),
        consent_source=item.get("consent_source"),
        unsubscribed_at=moment(item, "unsubscribed_at"),
        suppressed_reason=item.get("suppressed_reason"))


def _issue(item: dict[str, Any]) -> Issue:
    return Issue(
        id=item["issue_id"], subject=item["subject"], html=item["html"], text=item["text"],
        status=IssueStatus(item["status"]), created_at=datetime.fromisoformat(item["created_at"]),
        send_at=moment(item, "send_at"), approved_at=moment(item, "approved_at"),
        dispatched_at=moment(item, "dispatched_at"), snapshot="snapshot_taken" in item,
        fanned_out_at=moment(item, "fanned_out_at"),
        **{name: int(item.get(name, 0)) for name in (
            "recipients", "uncertain", "sent", "failed", "bounced", "complained",
            "unsubscribed")},
        source=item.get("source"), source_format=item.get("source_format") or "html",
        in_archive="hidden_from_archive" not in item, copied_from=item.get("copied_from"))


def _issue_item(issue: Issue) -> dict[str, Any]:
    item = {"kind": "issue", "issue_id": issue.id, "subject": issue.subject,
            "html": issue.html, "text": issue.text, "status": issue.status.value,
            "created_at": iso(issue.created_at), "issue_list": "ISSUES"}
    if issue.source is not None:
        item |= {"source": issue.source, "source_format": issue.source_format}
    if not issue.in_archive:
        item["hidden_from_archive"] = 1
    if issue.copied_from:
        item["copied_from"] = issue.copied_from
    return item


class MemoryNewsletterStore:
    def __init__(self) -> None:
        self.items = Items()

    # -- subscribers ------------------------------------------------------------------------

    def put_pending(self, subscriber: Subscriber, expires_at: int) -> None:
        with self.items.lock:
            held = self.items.get(_sub(subscriber.id))
            if held is not None and held.get("status") not in (
                    SubscriberStatus.PENDING.value, SubscriberStatus.UNSUBSCRIBED.value):
                return  # subscribed or suppressed: as it is
            self.items.put(_sub(subscriber.id), {
                "kind": "subscriber", "subscriber_id": subscriber.id, "email": subscriber.email,
                "name": subscriber.name, "role": subscriber.role.value,
                "status": SubscriberStatus.PENDING.value,
                "created_at": iso(subscriber.created_at),
                "consent_source": subscriber.consent_source or "web", "expires_at": expires_at})

    def pass_confirmation_gate(self, subscriber_id: str, now: datetime,
                               until: datetime) -> bool:
        with self.items.lock:
            held = self.items.get(_gate(subscriber_id))
            if held is not None and not held["until"] <= iso(now):
                return False
            self.items.put(_gate(subscriber_id), {"kind": "gate", "until": iso(until),
                                                  "expires_at": int(until.timestamp())})
            return True

    def reopen_confirmation_gate(self, subscriber_id: str, until: datetime) -> None:
        with self.items.lock:
            held = self.items.get(_gate(subscriber_id))
            if held is not None and held.get("until") == iso(until):
                self.items.delete(_gate(subscriber_id))

    def claim_invitation(self, subscriber_id: str, now: datetime) -> bool:
        with self.items.lock:
            held = self.items.get(("INVITED#" + subscriber_id, "INVITED"))
            if held is None or "mailed_at" in held:
                return False
            self.items.update(("INVITED#" + subscriber_id, "INVITED"), {"mailed_at": iso(now)})
            return True

    def reopen_invitation(self, subscriber_id: str) -> None:
        with self.items.lock:
            if self.items.get(("INVITED#" + subscriber_id, "INVITED")) is not None:
                self.items.update(("INVITED#" + subscriber_id, "INVITED"), {},
                                  remove=("mailed_at",))

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        with self.items.lock:
            item = self.items.get(_sub(subscriber_id))
        return _subscriber(item) if item else None

    def confirm(self, subscriber_id: str, now: datetime, version: str, source: str) -> bool:
        with self.items.lock:
            held = self.items.get(_sub(subscriber_id))
            if held is None or held.get("status") not in (SubscriberStatus.PENDING.value,
                                                          SubscriberStatus.SUBSCRIBED.value):
                return False
            self.items.update(_sub(subscriber_id), {
                "status": SubscriberStatus.SUBSCRIBED.value,
                "confirmed_at": held.get("confirmed_at", iso(now)),
                "consent_text_version": version,
                "consent_source": held.get("consent_source", source), "active": 1},
                remove=("expires_at",))
            return True

    def _leave(self, subscriber_id: str, status: SubscriberStatus, now: datetime,
               changes: dict[str, Any]) -> bool:
        held = self.items.get(_sub(subscriber_id))
        if held is None or held.get("status") == status.value:
            return False
        forget = int((now + timedelta(days=LEFT_KEPT_DAYS)).timestamp())
        self.items.update(_sub(subscriber_id), {"status": status.value, "expires_at": forget,
                                                **changes}, remove=("active",))
        return True

    def unsubscribe(self, subscriber_id: str, now: datetime) -> bool:
        with self.items.lock:
            self.items.put((f"LEFT#{subscriber_id}", "LEFT"),
                           {"kind": "left", "left_on": now.date().isoformat()})
            return self._leave(subscriber_id, SubscriberStatus.UNSUBSCRIBED, now,
                               {"unsubscribed_at": iso(now)})

    def suppress(self, subscriber_id: str, reason: str, now: datetime) -> bool:
        with self.items.lock:
            new = self.items.get(_suppressed(subscriber_id)) is None
            if new:
                self.items.put(_suppressed(subscriber_id), {
                    "kind": "suppression", "reason": reason,
                    "suppressed_on": now.date().isoformat()})
            self._leave(subscriber_id, SubscriberStatus.SUPPRESSED, now,
                        {"suppressed_reason": reason, "suppressed_at": iso(now)})
            return new

    def suppressed(self, subscriber_id: str) -> bool:
        with self.items.lock:
            return self.items.get(_suppressed(subscriber_id)) is not None

    def active_subscribers(self) -> Iterator[Subscriber]:
        """The Active index: by subscriber id."""
        with self.items.lock:
            found = sorted(((item["subscriber_id"], item)
                            for _, item in self.items.having("active", 1)),
                           key=lambda pair: pair[0])
        for _, item in found:
            yield _subscriber(item)

    # -- issues -----------------------------------------------------------------------------

    def put_issue(self, issue: Issue, replace: bool = False) -> bool:
        with self.items.lock:
            held = self.items.get(_issue_key(issue.id))
            if (held is None and replace) or \
                    (held is not None and held.get("status") != IssueStatus.DRAFT.value):
                return False
            self.items.put(_issue_key(issue.id), _issue_item(issue))
            return True

    def create_issue(self, issue: Issue) -> bool:
        with self.items.lock:
            if self.items.get(_issue_key(issue.id)) is not None:
                return False
            self.items.put(_issue_key(issue.id), _issue_item(issue))
            return True

    def delete_draft(self, issue_id: str) -> bool:
        with self.items.lock:
            if not self._status_is(_issue_key(issue_id), IssueStatus.DRAFT.value):
                return False
            self.items.delete(_issue_key(issue_id))
            return True

    def show_in_archive(self, issue_id: str, shown: bool) -> bool:
        with self.items.lock:
            if self.items.get(_issue_key(issue_id)) is None:
                return False
            if shown:
                self.items.update(_issue_key(issue_id), {}, remove=("hidden_from_archive",))
            else:
                self.items.update(_issue_key(issue_id), {"hidden_from_archive": 1})
            return True

    def subscriber_count(self) -> int:
        with self.items.lock:
            return len(self.items.having("active", 1))

    def issue(self, issue_id: str) -> Issue | None:
        with self.items.lock:
            item = self.items.get(_issue_key(issue_id))
        return _issue(item) if item else None

    def issues(self) -> list[Issue]:
        with self.items.lock:
            found = [_issue(item) for _, item in self.items.having("issue_list")]
        return sorted(found, key=lambda i: (i.created_at, i.id))

    def _status_is(self, key: Key, *statuses: str) -> bool:
        held = self.items.get(key)
        return held is not None and held.get("status") in statuses

    def approve(self, issue_id: str, send_at: datetime | None, now: datetime) -> bool:
        with self.items.lock:
            key = _issue_key(issue_id)
            if not self._status_is(key, IssueStatus.DRAFT.value, IssueStatus.APPROVED.value):
                return False
            held = self.items.get(key) or {}
            changes = {"status": IssueStatus.APPROVED.value,
                       "approved_at": held.get("approved_at", iso(now))}
            if send_at:
                self.items.update(key, changes | {"send_at": iso(send_at)})
            else:
                self.items.update(key, changes, remove=("send_at",))
            return True

    def withdraw(self, issue_id: str) -> bool:
        with self.items.lock:
            key = _issue_key(issue_id)
            if not self._status_is(key, IssueStatus.APPROVED.value):
                return False
            self.items.update(key, {"status": IssueStatus.DRAFT.value},
                              remove=("approved_at", "send_at"))
            return True

    def start_dispatch(self, issue_id: str, now: datetime) -> bool:
        with self.items.lock:
            key = _issue_key(issue_id)
            if not self._status_is(key, IssueStatus.APPROVED.value):
                return False
            self.items.update(key, {"status": IssueStatus.SENDING.value,
                                    "dispatched_at": iso(now)})
            return True

    def snapshot_taken(self, issue_id: str, copies: int) -> None:
        with self.items.lock:
            held = self.items.get(_issue_key(issue_id))
            if held is None or "snapshot_taken" not in held:
                self.items.update(_issue_key(issue_id), {"snapshot_taken": 1,
                                                         "remaining": copies})

    def fanned_out(self, issue_id: str, now: datetime, recipients: int) -> None:
        with self.items.lock:
            self.items.update(_issue_key(issue_id), {"fanned_out_at": iso(now),
                                                     "recipients": recipients})

    def finish_dispatch(self, issue_id: str, totals: dict[str, int]) -> None:
        with self.items.lock:
            if self._status_is(_issue_key(issue_id), IssueStatus.SENDING.value):
                self.items.update(_issue_key(issue_id),
                                  {"status": IssueStatus.SENT.value, **totals})

    def count(self, issue_id: str, field: str) -> None:
        with self.items.lock:
            self.items.add(_issue_key(issue_id), field, 1)

    # -- the ledger -------------------------------------------------------------------------

    def queue_delivery(self, issue_id: str, subscriber_id: str, expires_at: int) -> bool:
        with self.items.lock:
            if self.items.get(_line(issue_id, subscriber_id)) is not None:
                return False
            self.items.put(_line(issue_id, subscriber_id), {
                "kind": "delivery", "status": DeliveryStatus.QUEUED.value,
                "expires_at": expires_at})
            return True

    def claim_delivery(self, issue_id: str, subscriber_id: str, now: datetime,
                       claim: str) -> bool:
        with self.items.lock:
            key = _line(issue_id, subscriber_id)
            if not self._status_is(key, DeliveryStatus.QUEUED.value):
                return False
            self.items.update(key, {"status": DeliveryStatus.SENDING.value,
                                    "claimed_at": iso(now), "claim": claim})
            return True

    def _claimed(self, key: Key, claim: str) -> bool:
        held = self.items.get(key)
        return (held is not None and held.get("status") == DeliveryStatus.SENDING.value
                and held.get("claim") == claim)

    def release_delivery(self, issue_id: str, subscriber_id: str, claim: str) -> None:
        with self.items.lock:
            key = _line(issue_id, subscriber_id)
            if self._claimed(key, claim):
                self.items.update(key, {"status": DeliveryStatus.QUEUED.value},
                                  remove=("claim", "claimed_at"))

    def finish_delivery(self, issue_id: str, subscriber_id: str, claim: str,
                        status: DeliveryStatus) -> int | None:
        with self.items.lock:
            key = _line(issue_id, subscriber_id)
            if not self._claimed(key, claim):
                return None
            if self.items.get(_issue_key(issue_id)) is None:
                return None
            self.items.update(key, {"status": status.value})
            counted = {DeliveryStatus.SENT: "sent", DeliveryStatus.FAILED: "failed"}.get(status)
            if counted:
                self.items.add(_issue_key(issue_id), counted, 1)
            return self.items.add(_issue_key(issue_id), "remaining", -1)

    def record_feedback(self, issue_id: str, subscriber_id: str, field: str) -> bool:
        if field not in FEEDBACK:
            raise ValueError(f"unknown feedback {field!r}")
        with self.items.lock:
            line = self.items.get(_line(issue_id, subscriber_id))
            if line is None or f"feedback_{field}" in line or \
                    self.items.get(_issue_key(issue_id)) is None:
                return False
            self.items.update(_line(issue_id, subscriber_id), {f"feedback_{field}": 1})
            self.items.add(_issue_key(issue_id), field, 1)
            return True

    def ledger(self, issue_id: str) -> list[Entry]:
        with self.items.lock:
            lines = self.items.partition(f"ISSUE#{issue_id}", "TO#")
        return [Entry(sk[3:], DeliveryStatus(item["status"]), moment(item, "claimed_at"),
                      frozenset(f for f in FEEDBACK if f"feedback_{f}" in item))
                for sk, item in lines]

    def deliveries(self, issue_id: str) -> dict[str, DeliveryStatus]:
        return {entry.subscriber_id: entry.status for entry in self.ledger(issue_id)}

    def delivery(self, issue_id: str, subscriber_id: str) -> DeliveryStatus | None:
        with self.items.lock:
            item = self.items.get(_line(issue_id, subscriber_id))
        return DeliveryStatus(item["status"]) if item else None

    def rename(self, subscriber_id: str, name: str) -> bool:
        with self.items.lock:
            item = self.items.get(_sub(subscriber_id))
            if item is None or item.get("name") == name:
                return False
            self.items.put(_sub(subscriber_id), {**item, "name": name})
            return True

    def forget(self, subscriber_id: str) -> None:
        with self.items.lock:
            if self.items.get(_sub(subscriber_id)) is not None:
                self.items.put((f"LEFT#{subscriber_id}", "LEFT"),
                               {"kind": "left", "left_on": datetime.now(UTC).date().isoformat()})
            self.items.delete(_sub(subscriber_id))
            self.items.delete(_gate(subscriber_id))
            for issue in self.issues():
                self.items.delete(_line(issue.id, subscriber_id))

    # -- what a test reads of the table -----------------------------------------------------

    def expires_at(self, subscriber_id: str) -> int | None:
        """The subscriber item's TTL attribute."""
        with self.items.lock:
            return self.items.expires_at(_sub(subscriber_id))


@dataclass(frozen=True)
class Sent:
    to: str
    kind: str  # confirmation | issue
    issue: str | None
    link: str  # the confirmation link, or the copy's one-click unsubscribe URL
    web_version: str | None = None  # the copy's "Læs i browseren" link


class MemoryMail:
    """The newsletter's mail port as SesNewsletterMail answers it, with faults: a share of
    sends throttled (Throttled, what the adapter raises once its retries are spent), and sends
    to given addresses that fail right after they went out (as if the process died before
    recording them). Every message that went out is in `sent`."""

    def __init__(self, throttle: float = 0.0, crash_after: set[str] | None = None,
                 seed: int = 3) -> None:
        self.throttle = throttle
        self.crash_after = set(crash_after or ())
        self.sent: list[Sent] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def _send(self, sent: Sent) -> str:
        with self._lock:
            if self._random.random() < self.throttle:
                raise Throttled("TooManyRequestsException")
            self.sent.append(sent)
            crash = sent.to in self.crash_after
            self.crash_after.discard(sent.to)
            number = len(self.sent)
        if crash:
            raise RuntimeError("the process died after SES accepted the message")
        return f"message-{number}"

    def confirmation(self, subscriber: Subscriber, link: str) -> None:
        self._send(Sent(subscriber.email, "confirmation", None, link))

    def issue(self, issue: Issue, subscriber: Subscriber, unsubscribe_url: str,
              unsubscribe_page: str, web_version: str | None = None) -> str:
        return self._send(Sent(subscriber.email, "issue", issue.id, unsubscribe_url,
                               web_version))


class MemorySendQueue:
    """The fan-out queue: each message an issue and a batch of subscribers, kept until
    delivered (`drain`)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str]]] = []
        self.retried: list[tuple[str, int]] = []

    def send(self, issue_id: str, subscriber_ids: list[str]) -> None:
        self.messages.append((issue_id, list(subscriber_ids)))

    def retry_later(self, receipt_handle: str, seconds: int) -> None:
        self.retried.append((receipt_handle, seconds))

    def drain(self, deliver: Callable[[str, str], object], *, twice: bool = False) -> None:
        """Lambda's semantics by hand: a message whose delivery raised Unsent (or died) stays
        and comes back; with `twice` every message is also delivered a second time (SQS is at
        least once)."""
        for _ in range(200):
            if not self.messages:
                return
            issue_id, subscribers = self.messages.pop(0)
            try:
                for _ in range(2 if twice else 1):
                    for subscriber_id in subscribers:
                        deliver(issue_id, subscriber_id)
            except (Unsent, RuntimeError):
                self.messages.append((issue_id, subscribers))
        raise AssertionError("the send queue did not drain")


class MemoryDispatchRequests:
    """The editor's "send now" requests, kept until the dispatcher takes them."""

    def __init__(self) -> None:
        self.requested: list[str] = []

    def request(self, issue_id: str) -> None:
        self.requested.append(issue_id)


class MemoryConfirmationRequests:
    def __init__(self) -> None:
        self.requested: list[str] = []

    def request(self, subscriber_id: str) -> None:
        self.requested.append(subscriber_id)
