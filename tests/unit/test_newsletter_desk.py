"""An issue's whole life on the editor's desk against the dispatcher and the senders, on the
in-memory store, mail and queues (held to DynamoDB by the store contract): generated sequences
of writing and autosaving, approving for the schedule or a time, withdrawing, "send now"
(clicked twice too), duplicating, deleting, the schedules' runs, the dispatch queue's
requests, copies delivered (and delivered again) and bounces, complaints and unsubscribes
(repeated), in any order. After every step: nobody got an issue twice, a deleted or withdrawn
draft sent nothing, an issue is "sending" only while a copy is left to send, and an issue's
status and statistics are what its ledger holds."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from shared.adapters.wiring import editor_service, newsletter_service
from shared.errors import Conflict, NotFound
from shared.links import Links
from shared.newsletter.models import DeliveryStatus, IssueStatus, SubscriptionForm
from shared.platform.names import JOB_NEWSLETTER_DUE, JOB_NEWSLETTER_SCHEDULED
from shared.roles import Role
from shared.tokens import sign
from tests.support.clock import ManualClock
from tests.support.newsletter import (
    MemoryDispatchRequests,
    MemoryMail,
    MemoryNewsletterStore,
    MemorySendQueue,
)

SECRET = b"unit-newsletter-desk"
PUBLIC = "https://ledere-af-ledere.example.dk"
SCHEDULE = "cron(0 8 ? * TUE *)"
IDS = ["marts", "april", "maj"]
SUBSCRIBERS = [f"leder{i}@example.dk" for i in range(4)]


class Desk(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.store = MemoryNewsletterStore()
        self.mail = MemoryMail()
        self.queue = MemorySendQueue()
        self.requests = MemoryDispatchRequests()
        links = Links(PUBLIC)
        self.service = newsletter_service(self.store, self.mail, self.queue, SECRET, links,
                                          clock=self.clock)
        self.editor = editor_service(self.store, self.mail, links, schedule=SCHEDULE,
                                     clock=self.clock, dispatch=self.requests)
        for address in SUBSCRIBERS:
            self.service.subscribe(SubscriptionForm(name="Leder", email=address,
                                                    role=Role.AREA_LEADER, consent=True))
            self.service.confirm(sign(SECRET, "newsletter-confirm",
                                      {"subscriber": self.service.subscriber_id(address)},
                                      self.clock() + timedelta(days=1)))
        # Issues that were drafts when deleted (and not written again since).
        self.deleted: set[str] = set()

    def _status(self, issue_id: str) -> IssueStatus | None:
        found = self.store.issue(issue_id)
        return found.status if found else None

    # -- the editor ------------------------------------------------------------------------

    @rule(issue_id=st.sampled_from(IDS), text=st.sampled_from(["# Hej", "# Hej\n\nMere."]),
          again=st.booleans())
    def write(self, issue_id: str, text: str, again: bool) -> None:
        """A save, or an autosave repeated (the same request twice)."""
        before = self._status(issue_id)
        for _ in range(2 if again else 1):
            try:
                self.editor.save_draft(issue_id, f"Nummer {issue_id}", text)
            except Conflict:
                assert before not in (None, IssueStatus.DRAFT)
                return
        assert before in (None, IssueStatus.DRAFT)
        self.deleted.discard(issue_id)

    @rule(issue_id=st.sampled_from(IDS), hours=st.sampled_from([None, 1, 30]))
    def approve(self, issue_id: str, hours: int | None) -> None:
        before = self._status(issue_id)
        try:
            self.editor.approve(issue_id, self.clock() + timedelta(hours=hours)
                                if hours else None)
        except NotFound:
            assert before is None
        except Conflict:
            assert before in (IssueStatus.SENDING, IssueStatus.SENT)
        else:
            assert before in (IssueStatus.DRAFT, IssueStatus.APPROVED)

    @rule(issue_id=st.sampled_from(IDS))
    def withdraw(self, issue_id: str) -> None:
        before = self._status(issue_id)
        try:
            self.editor.withdraw(issue_id)
        except (NotFound, Conflict):
            assert before not in (IssueStatus.DRAFT, IssueStatus.APPROVED)

    @rule(issue_id=st.sampled_from(IDS), clicks=st.integers(1, 2))
    def send_now(self, issue_id: str, clicks: int) -> None:
        before = self._status(issue_id)
        for _ in range(clicks):
            try:
                answered = self.editor.send_now(issue_id)
            except NotFound:
                assert before is None
                return
            assert answered.status is not IssueStatus.DRAFT

    @rule(issue_id=st.sampled_from(IDS), copy=st.sampled_from([*IDS, None]))
    def duplicate(self, issue_id: str, copy: str | None) -> None:
        before, taken = self._status(issue_id), self._status(copy) if copy else None
        try:
            made = self.editor.duplicate(issue_id, copy)
        except NotFound:
            assert before is None
            return
        except Conflict:
            assert copy is not None and taken is not None
            return
        assert made.status is IssueStatus.DRAFT and made.copied_from == issue_id
        self.deleted.discard(made.id)

    @rule(issue_id=st.sampled_from(IDS))
    def delete(self, issue_id: str) -> None:
        before = self._status(issue_id)
        try:
            self.editor.delete(issue_id)
        except Conflict:
            assert before not in (None, IssueStatus.DRAFT)
            return
        assert self.store.issue(issue_id) is None
        if before is IssueStatus.DRAFT:
            self.deleted.add(issue_id)

    # -- the schedules, the queues, the senders and SES's feedback ----------------------------

    @rule(hours=st.sampled_from([1, 24, 24 * 8]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @rule(job=st.sampled_from([JOB_NEWSLETTER_DUE, JOB_NEWSLETTER_SCHEDULED]))
    def schedule_fires(self, job: str) -> None:
        self.service.run(job)

    @rule()
    def dispatch_request(self) -> None:
        if self.requests.requested:
            self.service.dispatch_due(self.requests.requested.pop(0))

    @rule(twice=st.booleans())
    def deliver_one_message(self, twice: bool) -> None:
        if not self.queue.messages:
            return
        issue_id, subscribers = self.queue.messages.pop(0)
        for _ in range(2 if twice else 1):  # SQS delivers at least once
            for subscriber_id in subscribers:
                self.service.deliver(issue_id, subscriber_id)

    @rule(n=st.integers(0, 50), kind=st.sampled_from(["bounce", "complaint", "unsubscribe"]),
          again=st.booleans())
    def feedback(self, n: int, kind: str, again: bool) -> None:
        copies = [s for s in self.mail.sent if s.kind == "issue"]
        if not copies:
            return
        copy = copies[n % len(copies)]
        for _ in range(2 if again else 1):  # notifications and clicks come again
            if kind == "unsubscribe":
                token = parse_qs(urlsplit(copy.link).query)["token"][0]
                self.service.unsubscribe(token)
            else:
                self.service.suppress(copy.to, kind, copy.issue)

    # -- what must hold after every step ---------------------------------------------------

    @invariant()
    def nobody_gets_an_issue_twice(self) -> None:
        copies = Counter((s.issue, s.to) for s in self.mail.sent if s.kind == "issue")
        assert all(n == 1 for n in copies.values()), copies

    @invariant()
    def a_draft_or_a_deleted_one_sent_nothing(self) -> None:
        sent_issues = {s.issue for s in self.mail.sent if s.kind == "issue"}
        for issue in self.store.issues():
            if issue.status is IssueStatus.DRAFT:
                assert issue.id not in sent_issues and not self.store.ledger(issue.id)
        for issue_id in self.deleted:
            assert issue_id not in sent_issues and not self.store.ledger(issue_id)

    @invariant()
    def status_and_statistics_are_the_ledgers(self) -> None:
        for issue in self.store.issues():
            ledger = self.store.ledger(issue.id)
            outcomes = Counter(e.status for e in ledger)
            assert issue.sent == outcomes[DeliveryStatus.SENT]
            assert issue.failed == outcomes[DeliveryStatus.FAILED]
            for kind in ("bounced", "complained", "unsubscribed"):
                assert getattr(issue, kind) == sum(1 for e in ledger if kind in e.feedback)
            left = outcomes[DeliveryStatus.QUEUED] + outcomes[DeliveryStatus.SENDING]
            if issue.status is IssueStatus.SENDING and issue.snapshot:
                assert left > 0, "sending with no copy left: not marked sent by the last copy"
            if issue.status is IssueStatus.SENT:
                assert left == 0 and issue.recipients == len(ledger)
            sent_to = {s.to for s in self.mail.sent if s.kind == "issue" and s.issue == issue.id}
            assert len(sent_to) == issue.sent


def test_generated_lives_of_issues_keep_every_promise() -> None:
    run_state_machine_as_test(Desk, settings=settings(
        max_examples=60, stateful_step_count=30, deadline=None,
        suppress_health_check=list(HealthCheck)))


@pytest.mark.parametrize("clicks", [1, 2])
def test_send_now_reaches_every_subscriber_once_without_waiting_for_a_schedule(
        clicks: int) -> None:
    desk = Desk()
    desk.editor.save_draft("marts", "Nummer marts", "# Hej")
    for _ in range(clicks):
        desk.editor.send_now("marts")
    assert desk.requests.requested == ["marts"] * clicks
    while desk.requests.requested:
        desk.service.dispatch_due(desk.requests.requested.pop(0))
    desk.queue.drain(desk.service.deliver, twice=True)
    issue = desk.store.issue("marts")
    assert issue is not None
    assert (issue.status, issue.sent, issue.recipients) == (IssueStatus.SENT, 4, 4)
    assert sorted(s.to for s in desk.mail.sent if s.kind == "issue") == SUBSCRIBERS
    assert desk.editor.send_now("marts").status is IssueStatus.SENT
    assert desk.requests.requested == []  # nothing asked once it was sent


def test_a_send_now_request_for_an_issue_withdrawn_and_approved_for_the_schedule_waits() -> None:
    desk = Desk()
    desk.editor.save_draft("marts", "Nummer marts", "# Hej")
    desk.editor.send_now("marts")
    desk.editor.withdraw("marts")
    desk.editor.approve("marts")  # for the next scheduled send
    desk.service.dispatch_due(desk.requests.requested.pop(0))
    issue = desk.store.issue("marts")
    assert issue is not None and issue.status is IssueStatus.APPROVED
    assert not desk.queue.messages


@pytest.mark.parametrize("shown", [True, False])
def test_every_copy_links_to_its_web_version_unless_left_out_of_the_archive(
        shown: bool) -> None:
    desk = Desk()
    desk.editor.save_draft("marts", "Nummer marts", "# Hej")
    desk.editor.show_in_archive("marts", shown)
    desk.editor.send_now("marts")
    desk.service.dispatch_due("marts")
    desk.queue.drain(desk.service.deliver)
    links = {s.web_version for s in desk.mail.sent if s.kind == "issue"}
    assert links == {f"{PUBLIC}/nyhedsbrev/arkiv/marts" if shown else None}


def test_the_email_says_laes_i_browseren_with_the_link_in_both_parts() -> None:
    from shared.newsletter.editor import draft
    from shared.newsletter.mail import subscriber_copy
    from shared.newsletter.models import Subscriber, SubscriberStatus

    issue = draft("marts", "Nummer marts", "# Hej", True, ManualClock()())
    reader = Subscriber(id="s", email="leder@example.dk", name="Leder", role=Role.AREA_LEADER,
                        status=SubscriberStatus.SUBSCRIBED, created_at=ManualClock()())
    link = f"{PUBLIC}/nyhedsbrev/arkiv/marts"
    copy = subscriber_copy(issue, reader, "https://x/u", "https://x/p", "nyhedsbrev@example.dk",
                           link)
    assert f'<a href="{link}">Læs i browseren</a>' in copy.html
    assert f"Læs i browseren: {link}" in copy.text
    without = subscriber_copy(issue, reader, "https://x/u", "https://x/p",
                              "nyhedsbrev@example.dk")
    assert "Læs i browseren" not in without.html + without.text


@pytest.mark.parametrize("step", ["issue", "put_issue"])
def test_a_save_of_the_draft_on_screen_landing_after_its_delete_does_not_bring_it_back(
        step: str) -> None:
    """The console's autosave sent before "Slet kladde" and arriving after it: the delete
    forced in before each store call of the save. The draft stays deleted (409 `deleted`);
    the first save of a new draft still creates it."""
    desk = Desk()
    desk.editor.save_draft("marts", "Nummer marts", "# Hej")
    real = getattr(desk.store, step)

    def deleted_first(*args: object, **kwargs: object) -> object:
        setattr(desk.store, step, real)
        desk.editor.delete("marts")
        return real(*args, **kwargs)

    setattr(desk.store, step, deleted_first)
    with pytest.raises(Conflict) as refused:
        desk.editor.save_draft("marts", "Nummer marts", "# Hej igen", replace=True)
    assert refused.value.code == "deleted"
    with pytest.raises(NotFound):
        desk.editor.issue("marts")
    assert desk.editor.save_draft("april", "April", "# Ny", replace=False).id == "april"
