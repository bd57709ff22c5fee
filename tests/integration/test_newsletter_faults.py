"""Dispatch and send with one fault injected at each AWS call in turn (every position of a
fault-free run, not a sample), and at the SES call with every class of SES failure: after
the schedules and the queue have done their work, every subscriber got the issue exactly
once, or was refused for good, or is reported uncertain (SES may have accepted, the outcome
was lost), and nobody is left queued.

The faults are raised from botocore's own call events on the clients the functions use:
`before-call` (the request never left: an AWS error or no connection) and `after-call` (the
call took effect, its answer was lost). The sender runs as its real Lambda handler."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from local.emulator import Emulator
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.ses_newsletter import SesNewsletterMail, ses_client
from shared.adapters.sqs_send_queue import SqsSendQueue
from shared.adapters.wiring import signing_secret
from shared.links import Links
from shared.newsletter.editor import draft
from shared.newsletter.models import DeliveryStatus, IssueStatus
from shared.newsletter.service import Newsletter
from tests.integration.conftest import Api
from tests.support.newsletter_emulator import (
    PUBLIC,
    consume,
    inbox,
    sent_count,
    settings,
    subscribe_confirmed,
)

SUBSCRIBERS = 2
BATCH = 1  # two fan-out messages


def _aws_error(code: str, status: int) -> Any:
    answer: Any = {"Error": {"Code": code, "Message": "injected"},
                   "ResponseMetadata": {"HTTPStatusCode": status}}
    return lambda: ClientError(answer, "Call")


# Every way a DynamoDB or SQS call can fail: refused before it took effect, or taken with
# the answer lost.
STORE_FAULTS: dict[str, tuple[str, Any]] = {
    "refused": ("before", _aws_error("InternalServerError", 500)),
    "answer_lost": ("after", lambda: ConnectionClosedError(endpoint_url="https://aws")),
}
# Every class of SES SendEmail failure, and where it leaves the copy.
SES_FAULTS: dict[str, tuple[str, Any]] = {
    "throttled": ("before", _aws_error("TooManyRequestsException", 429)),
    "limit_exceeded": ("before", _aws_error("LimitExceededException", 400)),
    "sending_paused": ("before", _aws_error("SendingPausedException", 400)),
    "account_suspended": ("before", _aws_error("AccountSuspendedException", 400)),
    "mail_from_not_verified": ("before",
                               _aws_error("MailFromDomainNotVerifiedException", 400)),
    "server_error": ("before", _aws_error("InternalFailure", 500)),
    "unavailable": ("before", _aws_error("ServiceUnavailable", 503)),
    "no_connection": ("before", lambda: EndpointConnectionError(endpoint_url="https://ses")),
    "rejected": ("before", _aws_error("MessageRejected", 400)),
    "bad_request": ("before", _aws_error("BadRequestException", 400)),
    "not_found": ("before", _aws_error("NotFoundException", 404)),
    "read_timeout": ("after", lambda: ReadTimeoutError(endpoint_url="https://ses")),
    "answer_lost": ("after", lambda: ConnectionClosedError(endpoint_url="https://ses")),
}
# SES refused this recipient or message for good. Not `not_found`: SendEmail's
# NotFoundException names a resource of ours (a configuration set deleted by hand), and the
# copy must go out once it is back.
PERMANENT = {"rejected", "bad_request"}
SES_MAY_HAVE_ACCEPTED = {"read_timeout", "answer_lost"}


@dataclass
class Injector:
    """Counts the AWS calls of the newsletter's clients and fails the one armed."""

    calls: list[str] = field(default_factory=list)
    position: int | None = None
    fault: tuple[str, Any] | None = None
    fired: str | None = None  # the operation that failed

    def _fire(self, when: str, event_name: str) -> None:
        if self.fault and self.fault[0] == when and len(self.calls) - 1 == self.position:
            self.fired = event_name.split(".", 1)[1]
            fault, self.fault = self.fault[1], None
            raise fault()

    def before(self, event_name: str, **_: Any) -> None:
        self.calls.append(event_name.split(".", 1)[1])
        self._fire("before", event_name)

    def after(self, event_name: str, **_: Any) -> None:
        self._fire("after", event_name)

    def arm(self, position: int | None, fault: tuple[str, Any] | None) -> None:
        self.calls, self.position, self.fault, self.fired = [], position, fault, None


@pytest.fixture(scope="module")
def injector(emulator: Emulator) -> Iterator[Injector]:
    found = Injector()
    clients = [client("dynamodb"), client("sqs"), ses_client()]
    for aws in clients:
        aws.meta.events.register("before-call.*.*", found.before, unique_id="fault-before")
        aws.meta.events.register("after-call.*.*", found.after, unique_id="fault-after")
    yield found
    for aws in clients:
        aws.meta.events.unregister("before-call.*.*", unique_id="fault-before")
        aws.meta.events.unregister("after-call.*.*", unique_id="fault-after")


@pytest.fixture(scope="module")
def world(api: Any, emulator: Emulator) -> tuple[Newsletter, DynamoNewsletterStore, list[str]]:
    values = settings()
    store = DynamoNewsletterStore(values["NEWSLETTER_TABLE_NAME"])
    secret = signing_secret(values["SIGNING_SECRET_ARN"])

    def service(at: datetime | None = None) -> Newsletter:
        return Newsletter(store, SesNewsletterMail(values["SENDER_ADDRESS"], None, rate=1000),
                          SqsSendQueue(values["NEWSLETTER_SEND_QUEUE_URL"]), secret,
                          Links(PUBLIC), clock=(lambda: at) if at else (lambda: datetime.now(UTC)),
                          batch=BATCH)

    addresses = subscribe_confirmed(service(), SUBSCRIBERS, "fault")
    return service(), store, addresses


@pytest.fixture(scope="module")
def api(plan: Any, emulator: Emulator) -> Api:
    return Api(plan, emulator)


def _issue(store: DynamoNewsletterStore, service: Newsletter, issue_id: str) -> None:
    store.put_issue(draft(issue_id, f"Nummer {issue_id}", "<p>Hej</p>", markdown=False,
                          now=datetime.now(UTC)))
    service.approve(issue_id)


def _at(moment: datetime) -> datetime:
    return moment


def _send(api: Api, emulator: Emulator, store: DynamoNewsletterStore, issue_id: str) -> None:
    """The schedule fires; the sender works the queue; later the hourly schedule carries on
    (an hour on, and later still) until the issue is sent."""
    values = settings()
    secret = signing_secret(values["SIGNING_SECRET_ARN"])
    for hours in (0, 2, 4, 6):
        at = datetime.now(UTC) + timedelta(hours=hours)
        hourly = Newsletter(store, SesNewsletterMail(values["SENDER_ADDRESS"], None, rate=1000),
                            SqsSendQueue(values["NEWSLETTER_SEND_QUEUE_URL"]), secret,
                            Links(PUBLIC), clock=partial(_at, at), batch=BATCH)
        with contextlib.suppress(Exception):  # the dispatcher died; the next run carries on
            hourly.dispatch(issue_id)
        consume(api, emulator, "NEWSLETTER_SEND_QUEUE_URL", "newsletter_sender")
        issue = _observer(emulator).issue(issue_id)  # the test's look, not a counted call
        if issue is not None and issue.status is IssueStatus.SENT:
            return


def _observer(emulator: Emulator) -> DynamoNewsletterStore:
    return DynamoNewsletterStore(settings()["NEWSLETTER_TABLE_NAME"],
                                 dynamodb=_OBSERVER.setdefault("ddb", emulator.client("dynamodb")))


_OBSERVER: dict[str, Any] = {}


def _scenarios(reference: list[str]) -> Iterator[tuple[int, str, str, tuple[str, Any]]]:
    for position, call in enumerate(reference):
        faults = SES_FAULTS if call.startswith("sesv2.") else STORE_FAULTS
        for name, fault in faults.items():
            yield position, call, name, fault


def test_a_fault_at_every_aws_call_leaves_nobody_queued_and_nobody_twice(
    api: Api, emulator: Emulator, injector: Injector,
    world: tuple[Newsletter, DynamoNewsletterStore, list[str]],
) -> None:
    service, store, addresses = world
    _issue(store, service, "ref")
    injector.arm(None, None)
    _send(api, emulator, store, "ref")
    reference = list(injector.calls)
    assert any(c.startswith("sesv2.SendEmail") for c in reference)
    assert sum(1 for c in reference if c.startswith("sesv2.")) == SUBSCRIBERS

    checked = Counter[str]()
    for number, (position, call, name, fault) in enumerate(_scenarios(reference)):
        issue_id = f"f{number}"
        _issue(store, service, issue_id)
        before = sent_count(emulator)
        injector.arm(position, fault)
        _send(api, emulator, store, issue_id)
        fired = injector.fired
        injector.arm(None, None)
        what = f"{name} at call {position} ({call})"
        assert fired == call, f"{what}: the run took another path ({fired})"

        issue = _observer(emulator).issue(issue_id)
        assert issue is not None and issue.status is IssueStatus.SENT, what
        ledger = _observer(emulator).deliveries(issue_id)
        subject = f"Nummer {issue_id}"
        copies = Counter(str(m["To"]) for m in inbox(emulator, before) if m["Subject"] == subject)
        by_address = {a: ledger[service.subscriber_id(a)] for a in addresses}
        assert DeliveryStatus.QUEUED not in by_address.values(), what  # nobody left waiting
        for address, status in by_address.items():
            if status is DeliveryStatus.SENT:
                assert copies[address] == 1, what
            elif status is DeliveryStatus.FAILED:  # refused for good: only that subscriber
                assert copies[address] == 0 and name in PERMANENT, what
            else:  # uncertain: SES may have accepted it, the outcome was not recorded
                assert status is DeliveryStatus.SENDING and copies[address] <= 1, what
                lost_at_ses = call.startswith("sesv2.") and name in SES_MAY_HAVE_ACCEPTED
                lost_after_ses = reference[position - 1].startswith("sesv2.")
                assert lost_at_ses or lost_after_ses, what
        statuses = Counter(by_address.values())
        assert issue.uncertain == statuses[DeliveryStatus.SENDING], what  # the editor sees it
        assert issue.sent == statuses[DeliveryStatus.SENT], what
        assert issue.failed == statuses[DeliveryStatus.FAILED], what
        assert statuses[DeliveryStatus.SENDING] + statuses[DeliveryStatus.FAILED] <= 1, what
        checked[call.split(".")[0]] += 1
    assert checked["sesv2"] == SUBSCRIBERS * len(SES_FAULTS)
    assert checked["dynamodb"] and checked["sqs"]
