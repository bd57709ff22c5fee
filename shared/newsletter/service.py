"""What happens with the newsletter, from a signup to an issue in every subscriber's inbox.

- Subscribing is double opt-in: nobody gets an issue before confirming the emailed link. The
  answer is the same whatever the address's state, so nobody can learn who subscribes.
- An issue is sent by snapshotting the confirmed, unsuppressed subscribers into a ledger (one
  entry per issue and subscriber, written with a condition) and fanning the entries out
  through a queue. The sender claims an entry before it calls SES and records the outcome
  after: a retry, a redelivered message or a re-fired schedule finds the entry claimed or
  sent and sends nothing. The issue stays `sending` until no copy is left queued: every run
  of the dispatcher (the hourly schedule) completes the snapshot if it stopped half-way and
  queues again every entry still queued, so a dispatch that died at any step, or a message
  that ended in the dead-letter queue, leaves nobody waiting.
- SES failures: a permanent refusal marks the copy failed; every failure that means SES did
  not take the message (throttling, sending paused, account suspended, no connection, a
  server error) gives the copy back to be sent later, with backoff. Only a copy whose SES
  call may have been accepted without its outcome being recorded (the answer lost, the
  process gone) stays claimed: `uncertain`, counted on the issue, never sent twice.
- Suppression lasts: a permanent bounce or a complaint writes a marker keyed by the keyed
  hash of the address (no other personal data, no expiry), which erasure leaves in place and
  which stops every later newsletter email to the address, a new signup's included.
- The signup request only stores the pending subscription and queues a confirmation
  request, the same calls whatever the address's state; the confirmation email goes out
  from the queue's consumer, at most one per address per interval."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.email import through_gate
from shared.errors import InvalidLink, NotFound
from shared.forms import mailbox_key, normalise_email
from shared.links import Links
from shared.newsletter.models import (
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
    SubscriptionForm,
)
from shared.newsletter.ports import (
    ConfirmationRequests,
    Entry,
    Mail,
    NewsletterStore,
    Permanent,
    Uncertain,
    Unsent,
    WorkQueue,
)
from shared.newsletter.schedule import due_by_own_time, waiting_for_schedule
from shared.platform.clock import Clock, utcnow
from shared.platform.names import JOB_NEWSLETTER_DUE, JOB_NEWSLETTER_SCHEDULED
from shared.platform.observability import logger
from shared.privacy_notice import PRIVACY_NOTICE_VERSION as CONSENT_TEXT_VERSION
from shared.tokens import InvalidToken, derive_id, sign, verify

CONFIRM = "newsletter-confirm"
# How a subscription came (Subscriber.consent_source): the form, the editor, an import.
FROM_FORM, FROM_STAFF, FROM_IMPORT = "web", "staff", "import"
STAFF_SOURCES = (FROM_STAFF, FROM_IMPORT)
UNSUBSCRIBE = "newsletter-unsubscribe"
CONFIRM_VALID = timedelta(days=7)
UNSUBSCRIBE_VALID = timedelta(days=800)
BATCH = 10  # subscribers per queue message
# Entries still queued this long after the last fan-out are queued again: longer than the
# send queue's retries with backoff take, so a copy is normally queued once.
REQUEUE_AFTER = timedelta(hours=1)
# A claim older than this without an outcome is uncertain (the sender's timeout is 2 minutes).
UNCERTAIN_AFTER = timedelta(minutes=15)
# How long an issue's ledger (which subscriber got it, and how it went) is kept after its
# sending began (TTL): long past the send, which takes hours, and the questions after it.
LEDGER_KEPT = timedelta(days=90)


def retry_delay(receives: int) -> int:
    """Seconds before a send that SES did not take is tried again: 30 s, doubling per
    attempt, at most 15 minutes."""
    return int(min(30 * 2 ** max(receives - 1, 0), 900))


def mailbox_gate(secret: bytes, email: str) -> str:
    """The key of the confirmation mails' gate: the subscriber id of the address's mailbox."""
    return subscriber_id(secret, mailbox_key(email))


def subscriber_id(secret: bytes, email: str) -> str:
    """A subscriber's id: a keyed hash of the address, so the table holds no address as a key
    and whoever holds the secret finds the subscriber (a data-protection request too)."""
    return derive_id(secret, "subscriber", normalise_email(email))


class Newsletter:
    def __init__(self, store: NewsletterStore, mail: Mail, queue: WorkQueue, secret: bytes,
                 links: Links, clock: Clock = utcnow,
                 confirmations: ConfirmationRequests | None = None,
                 confirmation_interval: timedelta = timedelta(minutes=10),
                 batch: int = BATCH) -> None:
        self._store = store
        self._mail = mail
        self._queue = queue
        self._confirmations = confirmations
        self._interval = confirmation_interval
        self._batch = batch
        self._secret = secret
        self._links = links
        self._clock = clock

    def subscriber_id(self, email: str) -> str:
        return subscriber_id(self._secret, email)

    # -- subscribing ------------------------------------------------------------------------

    def subscribe(self, form: SubscriptionForm, source: str = "web") -> None:
        """Store the signup (unless the address is subscribed or suppressed) and ask for its
        confirmation email: the same two calls whatever the address's state, so neither the
        answer nor its timing tells who subscribes."""
        now = self._clock()
        subscriber = Subscriber(id=self.subscriber_id(form.email), email=form.email,
                                name=form.name, role=form.role,
                                status=SubscriberStatus.PENDING, created_at=now,
                                consent_source=source)
        self._store.put_pending(subscriber, int((now + CONFIRM_VALID).timestamp()))
        if self._confirmations is None:
            self.send_confirmation(subscriber.id)
        else:
            self._confirmations.request(subscriber.id)

    def send_confirmation(self, subscriber_id: str) -> bool:
        """The confirmation email of a pending signup, at most one per address and interval,
        never to a suppressed address. True when one was sent. Unsent propagates (later)."""
        subscriber = self._store.subscriber(subscriber_id)
        if subscriber is None or subscriber.status is not SubscriberStatus.PENDING:
            return False
        if self._store.suppressed(subscriber_id):
            return False
        now = self._clock()
        until = now + self._interval
        # The gate counts the mailbox: `anne+1@…`, `anne+2@…` and `anne@…` pass it once (for a
        # plain address its key is the subscriber's id).
        gate = mailbox_gate(self._secret, subscriber.email)
        token = sign(self._secret, CONFIRM, {"subscriber": subscriber_id}, now + CONFIRM_VALID)

        def send() -> bool:
            try:
                self._mail.confirmation(subscriber, self._links.confirm_subscription(token))
            except Permanent:
                return False  # the address is refused: no later attempt either
            except Uncertain:
                return True  # may have gone out: the gate stays closed for the interval
            return True

        # An invitation staff asked for (by hand or an import) goes once, ever: a request
        # queued again by a retried import finds it claimed.
        invited = subscriber.consent_source in STAFF_SOURCES
        if invited and not self._store.claim_invitation(subscriber_id, now):
            return False
        try:
            sent = through_gate(lambda: self._store.pass_confirmation_gate(gate, now, until),
                                send, lambda: self._store.reopen_confirmation_gate(gate, until))
        except Exception:
            if invited:
                self._store.reopen_invitation(subscriber_id)
            raise
        return bool(sent)

    def confirm(self, token: str, source: str = "web") -> SubscriberStatus:
        subject = self._verify(token, CONFIRM)
        if self._store.suppressed(subject["subscriber"]):
            raise InvalidLink()  # the address bounced or complained: never mailed again
        if not self._store.confirm(subject["subscriber"], self._clock(), CONSENT_TEXT_VERSION,
                                   source):
            raise InvalidLink()
        return SubscriberStatus.SUBSCRIBED

    def unsubscribe(self, token: str) -> SubscriberStatus:
        """Effective at once; harmless when repeated."""
        subject = self._verify(token, UNSUBSCRIBE)
        if self._store.unsubscribe(subject["subscriber"], self._clock()) and subject.get("issue"):
            self._store.record_feedback(subject["issue"], subject["subscriber"], "unsubscribed")
        return SubscriberStatus.UNSUBSCRIBED

    def suppress(self, email: str, reason: str, issue_id: str | None = None) -> bool:
        """A permanent bounce or a complaint: no later issue goes to this address."""
        subscriber = self.subscriber_id(email)
        changed = self._store.suppress(subscriber, reason, self._clock())
        if issue_id:
            # On the copy's ledger line and the issue's count at once, once per copy: a
            # repeated notification (SNS and SQS deliver at least once) counts nothing again.
            self._store.record_feedback(issue_id, subscriber,
                                        "bounced" if reason == "bounce" else "complained")
        return changed

    def _verify(self, token: str, purpose: str) -> dict[str, str]:
        try:
            return verify(self._secret, token, purpose, self._clock())
        except InvalidToken as exc:
            raise InvalidLink() from exc

    # -- the editor ------------------------------------------------------------------------

    def approve(self, issue_id: str, send_at: datetime | None = None) -> Issue:
        """The editor's approval (shared.newsletter.editor.Editor.approve)."""
        from shared.newsletter.editor import Editor

        return Editor(self._store, self._mail, self._links, self._clock).approve(issue_id,
                                                                                 send_at)

    # -- sending ---------------------------------------------------------------------------

    def run(self, job: str) -> DispatchRun:
        """A schedule's run. Both carry on every issue still being sent; the recurring
        schedule's (JOB_NEWSLETTER_SCHEDULED) then starts the next issue approved for it, the
        hourly one (JOB_NEWSLETTER_DUE) every approved issue whose own time has come. Neither
        starts an issue that waits for the other. Safe to run again at any time, also after
        dying at any step."""
        if job not in (JOB_NEWSLETTER_SCHEDULED, JOB_NEWSLETTER_DUE):
            raise ValueError(f"unknown newsletter job {job!r}")
        now = self._clock()
        issues = self._store.issues()
        carried_on = [done for issue in issues if issue.status is IssueStatus.SENDING
                      if (done := self.send_as_read(issue, now)) is not None]
        if job == JOB_NEWSLETTER_SCHEDULED:
            candidates = [] if self._firing_taken(issues) else \
                waiting_for_schedule(issues)[:1]
        else:
            candidates = due_by_own_time(issues, now)
        started = [done for issue in candidates
                   if (done := self.send_as_read(issue, now)) is not None]
        return DispatchRun(started=started, carried_on=carried_on)

    @staticmethod
    def _firing_taken(issues: list[Issue]) -> bool:
        """An issue for the schedule is still being sent: this run is most likely a retry of
        the firing that started it (EventBridge Scheduler's, or Lambda's after a run that
        failed part-way), and a firing sends one issue, so it starts no other."""
        return any(i.status is IssueStatus.SENDING and i.send_at is None for i in issues)

    def dispatch_due(self, issue_id: str) -> Issue | None:
        """The editor's "send now" (a request on the dispatch queue): start the issue if it
        is approved and its own time has come, or carry it on if it is being sent. An issue
        withdrawn since, or approved again for the schedule, is left alone."""
        issue = self._store.issue(issue_id)
        if issue is None:
            return None
        now = self._clock()
        if issue.status is IssueStatus.APPROVED and (issue.send_at is None
                                                     or issue.send_at > now):
            return None
        return self.send_as_read(issue, now)

    def dispatch(self, issue_id: str) -> Issue | None:
        """Send this issue now if it is approved (whatever its time), or carry it on if it is
        being sent; None when there was nothing to do."""
        issue = self._store.issue(issue_id)
        return self.send_as_read(issue, self._clock()) if issue else None

    def send_as_read(self, issue: Issue, now: datetime) -> Issue | None:
        """One run's step for the issue as that run read it (a run reads every issue first,
        then takes them one by one, so what it holds may be stale by then): start it when it
        is approved (only one run takes it), queue a copy per subscriber once, and hand the
        count of copies to the senders. None when there was nothing to do."""
        if issue.status is IssueStatus.APPROVED:
            if not self._store.start_dispatch(issue.id, now):
                return None  # another run took it
        elif issue.status is not IssueStatus.SENDING:
            return None
        if not issue.snapshot:  # (again, after a run that died while taking it)
            for subscriber in self._store.active_subscribers():
                self._store.queue_delivery(issue.id, subscriber.id,
                                           int((now + LEDGER_KEPT).timestamp()))
            # Copies left to send: every sender's outcome counts one down, and the last
            # marks the issue sent.
            self._store.snapshot_taken(issue.id, len(self._store.ledger(issue.id)))
        ledger = self._store.ledger(issue.id)
        queued = [e.subscriber_id for e in ledger if e.status is DeliveryStatus.QUEUED]
        in_flight = [e for e in ledger if e.status is DeliveryStatus.SENDING
                     and e.claimed_at is not None and now - e.claimed_at < UNCERTAIN_AFTER]
        if queued and (issue.fanned_out_at is None
                       or now - issue.fanned_out_at >= REQUEUE_AFTER):
            for start in range(0, len(queued), self._batch):
                self._queue.send(issue.id, queued[start:start + self._batch])
            self._store.fanned_out(issue.id, now, len(ledger))
        elif not queued and not in_flight:
            self._store.finish_dispatch(issue.id, _totals(ledger))
        return self._store.issue(issue.id)

    def send_later(self, receipt_handle: str, receives: int) -> None:
        """A fan-out message whose send SES did not take comes back with backoff."""
        self._queue.retry_later(receipt_handle, retry_delay(receives))

    def deliver(self, issue_id: str, subscriber_id: str) -> DeliveryStatus:
        """Send this subscriber their copy once. Unsent propagates after the copy was given
        back (the message is retried later); an uncertain send stays claimed."""
        issue = self._store.issue(issue_id)
        if issue is None:
            raise NotFound("Nummeret findes ikke.", code="unknown_issue")
        claim = uuid.uuid4().hex
        try:
            if not self._store.claim_delivery(issue_id, subscriber_id, self._clock(), claim):
                return DeliveryStatus.ALREADY_HANDLED  # never twice
            subscriber = self._store.subscriber(subscriber_id)
            if subscriber is None or subscriber.status is not SubscriberStatus.SUBSCRIBED:
                return self._record(issue_id, subscriber_id, claim, DeliveryStatus.SKIPPED)
            token = sign(self._secret, UNSUBSCRIBE,
                         {"subscriber": subscriber_id, "issue": issue_id},
                         self._clock() + UNSUBSCRIBE_VALID)
        except Exception:
            # Before any SES call: the copy goes back to the queue if this run claimed it
            # (also when the claim's answer was lost).
            self._store.release_delivery(issue_id, subscriber_id, claim)
            raise
        try:
            self._mail.issue(issue, subscriber, self._links.unsubscribe_api(token),
                             self._links.unsubscribe_page(token),
                             self._links.archive_issue(issue_id) if issue.in_archive else None)
        except Permanent:
            return self._record(issue_id, subscriber_id, claim, DeliveryStatus.FAILED)
        except Unsent:
            self._store.release_delivery(issue_id, subscriber_id, claim)  # SES did not take it
            raise
        except Uncertain:
            return DeliveryStatus.SENDING  # may have been accepted: never sent again
        # Anything else after the SES call began leaves the copy claimed (uncertain).
        return self._record(issue_id, subscriber_id, claim, DeliveryStatus.SENT)

    def _record(self, issue_id: str, subscriber_id: str, claim: str,
                status: DeliveryStatus) -> DeliveryStatus:
        """The copy's outcome, counted on the issue; the last copy marks the issue sent, so
        the next run of the dispatcher finds nothing left of it. Should marking it fail, the
        dispatcher's next run marks it (the copy's outcome is recorded either way)."""
        left = self._store.finish_delivery(issue_id, subscriber_id, claim, status)
        if left == 0:
            try:
                self._store.finish_dispatch(issue_id, _totals(self._store.ledger(issue_id)))
            except Exception:
                logger.warning("issue not marked sent after its last copy",
                               extra={"issue": issue_id}, exc_info=True)
        return status


@dataclass(frozen=True)
class DispatchRun:
    """What one run of the dispatcher did: the issues whose sending it began, and those
    already being sent that it carried on (queued again, or marked sent)."""

    started: list[Issue]
    carried_on: list[Issue]


def _totals(ledger: list[Entry]) -> dict[str, int]:
    """An issue's totals from its ledger: recipients, sent, failed, and uncertain (claimed,
    SES may have accepted, the outcome never recorded)."""
    return {"recipients": len(ledger),
            "sent": sum(1 for e in ledger if e.status is DeliveryStatus.SENT),
            "failed": sum(1 for e in ledger if e.status is DeliveryStatus.FAILED),
            "uncertain": sum(1 for e in ledger if e.status is DeliveryStatus.SENDING)}
