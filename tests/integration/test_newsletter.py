"""The newsletter on the template's table and queues in the emulator: double opt-in,
one-click unsubscribe, sends that reach everyone exactly once under faults, suppression."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, Emulator
from local.faults import FlakySes
from local.functions import LocalContext
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.parameters import parameter
from shared.adapters.ses_newsletter import SesNewsletterMail
from shared.adapters.sqs_send_queue import SqsSendQueue
from shared.adapters.wiring import signing_secret
from shared.links import Links
from shared.names import PARAM_NEWSLETTER_SETTINGS
from shared.newsletter.editor import draft
from shared.newsletter.models import (
    LEFT_KEPT_DAYS,
    DeliveryStatus,
    SubscriberStatus,
    SubscriptionForm,
)
from shared.newsletter.service import Newsletter
from shared.tokens import sign
from tests.fixtures.links import link_token
from tests.integration.conftest import Api

PUBLIC = "https://ledere-af-ledere.example.dk"


def settings() -> dict[str, str]:
    return dict(json.loads(parameter(PARAM_NEWSLETTER_SETTINGS)))


def parsed(raw: str) -> EmailMessage:
    message = message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def service(emulator: Emulator) -> tuple[Newsletter, DynamoNewsletterStore, FlakySes]:
    values = settings()
    store = DynamoNewsletterStore(values["NEWSLETTER_TABLE_NAME"])
    flaky = FlakySes(emulator.client("sesv2"))
    mail = SesNewsletterMail(values["SENDER_ADDRESS"], None, rate=1000, retries=1, ses=flaky)
    queue = SqsSendQueue(values["NEWSLETTER_SEND_QUEUE_URL"])
    secret = signing_secret(values["SIGNING_SECRET_ARN"])  # the API's own
    return Newsletter(store, mail, queue, secret, Links(PUBLIC)), \
        store, flaky


def inbox(emulator: Emulator, since: int) -> list[EmailMessage]:
    return [parsed(m.raw_data) for m in
            ses_backends[ACCOUNT][emulator.region].sent_messages[since:]]


def sent_count(emulator: Emulator) -> int:
    return len(ses_backends[ACCOUNT][emulator.region].sent_messages)


def drain_send_queue(emulator: Emulator, service: Newsletter, deliver_twice: bool) -> None:
    """Lambda's semantics, by hand: a failed record stays and comes back; with
    deliver_twice every message is also delivered a second time (SQS is at least once)."""
    from shared.newsletter.ports import Throttled

    sqs = emulator.client("sqs")
    url = settings()["NEWSLETTER_SEND_QUEUE_URL"]
    for _ in range(200):
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                    VisibilityTimeout=0).get("Messages", [])
        if not found:
            return
        for message in found:
            work = json.loads(message["Body"])
            try:
                for _ in range(2 if deliver_twice else 1):
                    for subscriber in work["subscribers"]:
                        service.deliver(work["issue"], subscriber)
            except (Throttled, RuntimeError):
                continue  # the record failed: it stays on the queue
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError("the send queue did not drain")


_CONSUMER_SQS: dict[str, Any] = {}  # Lambda's poller: not one of the functions' clients


def consume(api: Api, emulator: Emulator, queue_variable: str, function: str) -> list[Any]:
    """Lambda's SQS event source, by hand: the queue's messages through the real handler
    until it is empty; failed records are made visible again at once (their backoff passed).
    The handler's answers, batch by batch."""
    sqs = _CONSUMER_SQS.get(emulator.endpoint) or _CONSUMER_SQS.setdefault(
        emulator.endpoint, emulator.client("sqs"))
    url = settings()[queue_variable]
    handler = api.handler(next(f for f, s in api.plan.functions.items()
                               if s.handler.startswith(f"functions.{function}.")))
    answers: list[Any] = []
    for _ in range(100):
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                    AttributeNames=["All"]).get("Messages", [])
        if not found:
            return answers
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"], "attributes": m.get("Attributes", {}),
                    "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""),
                    "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-north-1:1:q",
                    "awsRegion": "eu-north-1"} for m in found]
        answer = handler({"Records": records}, LocalContext(function, 512, 60, "eu-north-1"))
        answers.append(answer)
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        for message in found:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(QueueUrl=url, VisibilityTimeout=0,
                                              ReceiptHandle=message["ReceiptHandle"])
            else:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError(f"{function} did not drain its queue")


def confirmations(api: Api, emulator: Emulator) -> list[Any]:
    return consume(api, emulator, "NEWSLETTER_CONFIRM_QUEUE_URL", "newsletter_confirmations")


def subscribe_confirmed(service: Newsletter, count: int, prefix: str) -> list[str]:
    addresses = []
    for i in range(count):
        address = f"{prefix}{i}@example.dk"
        form = SubscriptionForm(name=f"Leder {i}", email=address, role="area_leader",
                                consent=True)
        service.subscribe(form)
        token = sign(signing_secret(settings()["SIGNING_SECRET_ARN"]), "newsletter-confirm",
                     {"subscriber": service.subscriber_id(address)},
                     datetime.now(UTC) + timedelta(days=1))
        service.confirm(token)
        addresses.append(address)
    return addresses


def test_signup_is_double_opt_in_and_answers_the_same_whatever_the_address(
    api: Api, emulator: Emulator
) -> None:
    body = {"name": "Søren Kierkegaard", "email": "soren@example.dk", "role": "cluster_leader",
            "consent": True, "website": ""}
    before = sent_count(emulator)
    first = api.request("POST", "/api/newsletter/subscriptions", body)
    assert first[0] == 202
    assert inbox(emulator, before) == []  # the request only stores and queues
    confirmations(api, emulator)
    mails = inbox(emulator, before)
    assert len(mails) == 1 and mails[0]["To"] == "soren@example.dk"
    link = next(w for w in text_of(mails[0]).split() if "token=" in w)
    assert link.startswith(f"{settings()['PUBLIC_URL']}/bekraeft-nyhedsbrev.html#token=")
    token = link_token(link)
    assert api.request("POST", "/api/newsletter/subscriptions", body) == first  # pending
    assert api.request("POST", "/api/newsletter/confirm", {"token": token}) == (
        200, {"status": "subscribed"})
    assert api.request("POST", "/api/newsletter/subscriptions", body) == first  # subscribed
    store = DynamoNewsletterStore(settings()["NEWSLETTER_TABLE_NAME"])
    subscriber = next(s for s in store.active_subscribers() if s.email == "soren@example.dk")
    assert subscriber.confirmed_at and subscriber.consent_text_version and \
        subscriber.consent_source == "web"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"role": "administration"}, "role", "role_not_admitted"),
    ({"role": "other"}, "role", "role_not_admitted"),
    ({"consent": False}, "consent", "consent_required"),
    ({"email": "nej"}, "email", "invalid_email"),
])
def test_only_consenting_leaders_of_leaders_may_subscribe(
    api: Api, change: dict[str, Any], field: str, code: str
) -> None:
    body = {"name": "X", "email": "x@example.dk", "role": "area_leader", "consent": True,
            **change}
    status, answer = api.request("POST", "/api/newsletter/subscriptions", body)
    assert status == 422
    assert {e["field"]: e["code"] for e in answer["errors"]}[field] == code


@pytest.mark.parametrize("kind", ["tampered", "expired", "purpose"])
def test_bad_confirmation_tokens_are_refused(api: Api, kind: str) -> None:
    secret = signing_secret(settings()["SIGNING_SECRET_ARN"])
    subject = {"subscriber": "someone"}
    future = datetime.now(UTC) + timedelta(days=1)
    token = {
        "tampered": sign(secret, "newsletter-confirm", subject, future)[:-3] + "AAA",
        "expired": sign(secret, "newsletter-confirm", subject, datetime.now(UTC) - timedelta(1)),
        "purpose": sign(secret, "newsletter-unsubscribe", subject, future),
    }[kind]
    assert api.request("POST", "/api/newsletter/confirm", {"token": token})[0] == 400


def test_every_subscriber_gets_the_issue_exactly_once_whatever_fails(
    service: tuple[Newsletter, DynamoNewsletterStore, FlakySes], emulator: Emulator
) -> None:
    newsletter, store, flaky = service
    addresses = subscribe_confirmed(newsletter, 25, "faults")
    store.put_issue(draft("faults-1", "Nyt fra ledere af ledere", "# Hej\n\nIndhold.",
                          markdown=True, now=datetime.now(UTC)))
    newsletter.approve("faults-1")
    flaky.throttle = 0.3  # throttling on a share of sends
    flaky.crash_after = {addresses[3], addresses[17]}  # crash after sending, before recording
    before = sent_count(emulator)
    first = newsletter.dispatch("faults-1")
    again = newsletter.dispatch("faults-1")  # the schedule fired twice
    assert first is not None and first.recipients >= 25
    assert again is None or again.recipients == first.recipients
    drain_send_queue(emulator, newsletter, deliver_twice=True)  # duplicate deliveries

    received = Counter(str(m["To"]) for m in inbox(emulator, before)
                       if m["Subject"] == "Nyt fra ledere af ledere")
    assert all(received[a] == 1 for a in addresses), received  # nobody twice, nobody skipped
    ledger = store.deliveries("faults-1")
    assert set(ledger.values()) <= {DeliveryStatus.SENT, DeliveryStatus.SENDING}
    issue = store.issue("faults-1")
    assert issue is not None and issue.sent + 2 == issue.recipients  # two unrecorded crashes


def test_each_copy_carries_one_click_unsubscribe_that_works_at_once(
    service: tuple[Newsletter, DynamoNewsletterStore, FlakySes], emulator: Emulator, api: Api
) -> None:
    newsletter, store, _ = service
    (address,) = subscribe_confirmed(newsletter, 1, "oneclick")
    store.put_issue(draft("oneclick-1", "Nummer med afmelding",
                          "<p>Hej <a href='https://bupl.dk'>BUPL</a></p>", markdown=False,
                          now=datetime.now(UTC)))
    newsletter.approve("oneclick-1")
    before = sent_count(emulator)
    newsletter.dispatch("oneclick-1")
    drain_send_queue(emulator, newsletter, deliver_twice=False)
    copy = next(m for m in inbox(emulator, before) if m["To"] == address)
    assert copy["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [part.strip(" <>") for part in str(copy["List-Unsubscribe"]).split(",")]
    assert https.startswith(f"{PUBLIC}/api/newsletter/unsubscribe?token=")
    assert mailto.startswith("mailto:")
    text = text_of(copy)
    assert "Hej BUPL (https://bupl.dk)" in text and "afmeld-nyhedsbrev.html#token=" in text

    path = https[len(PUBLIC):]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert api.request("POST", path, "List-Unsubscribe=One-Click", headers=headers) == (
        200, {"status": "unsubscribed"})
    assert api.request("POST", path, "List-Unsubscribe=One-Click", headers=headers)[0] == 200
    subscriber = store.subscriber(newsletter.subscriber_id(address))
    assert subscriber is not None and subscriber.status is SubscriberStatus.UNSUBSCRIBED
    assert all(s.email != address for s in store.active_subscribers())
    assert _days_kept(emulator, store, newsletter.subscriber_id(address)) == LEFT_KEPT_DAYS
    issue = store.issue("oneclick-1")
    assert issue is not None and issue.unsubscribed == 1


def test_permanent_bounces_and_complaints_suppress_at_once(
    service: tuple[Newsletter, DynamoNewsletterStore, FlakySes], emulator: Emulator, api: Api
) -> None:
    newsletter, store, _ = service
    bounced, complaining, transient = subscribe_confirmed(newsletter, 3, "feedback")
    feedback = api.handler(next(f for f, s in api.plan.functions.items()
                                if s.handler.startswith("functions.newsletter_feedback")))

    def sns(event: dict[str, Any]) -> dict[str, Any]:
        return {"messageId": f"m-{random.random()}", "receiptHandle": "r",
                "body": json.dumps({"Type": "Notification", "Message": json.dumps(event)}),
                "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-north-1:1:q",
                "awsRegion": "eu-north-1"}

    records = [
        sns({"eventType": "Bounce", "mail": {"tags": {"issue": ["fb-1"]}},
             "bounce": {"bounceType": "Permanent",
                        "bouncedRecipients": [{"emailAddress": bounced}]}}),
        sns({"eventType": "Complaint", "mail": {"tags": {}},
             "complaint": {"complainedRecipients": [{"emailAddress": complaining}]}}),
        sns({"eventType": "Bounce", "mail": {"tags": {}},
             "bounce": {"bounceType": "Transient",
                        "bouncedRecipients": [{"emailAddress": transient}]}}),
    ]
    answer = feedback({"Records": records}, LocalContext("feedback", 512, 30, "eu-north-1"))
    assert answer == {"batchItemFailures": []}
    active = {s.email for s in store.active_subscribers()}
    assert bounced not in active and complaining not in active and transient in active
    found = store.subscriber(newsletter.subscriber_id(bounced))
    assert found is not None and found.status is SubscriberStatus.SUPPRESSED
    for address in (bounced, complaining):  # the marker alone is kept for good
        assert _days_kept(emulator, store, newsletter.subscriber_id(address)) == LEFT_KEPT_DAYS


def _days_kept(emulator: Emulator, store: DynamoNewsletterStore, subscriber_id: str) -> int:
    """In how many days (rounded) the subscriber item is deleted by TTL."""
    item = emulator.client("dynamodb").get_item(
        TableName=store._table, Key={"pk": {"S": f"SUB#{subscriber_id}"}, "sk": {"S": "SUB"}},
        ConsistentRead=True)["Item"]
    return round((int(item["expires_at"]["N"]) - datetime.now(UTC).timestamp()) / 86400)


def test_a_copy_delivered_again_is_answered_already_handled_and_not_counted_as_sent(
    service: tuple[Newsletter, DynamoNewsletterStore, FlakySes], emulator: Emulator
) -> None:
    newsletter, store, _ = service
    addresses = subscribe_confirmed(newsletter, 2, "again")
    store.put_issue(draft("again-1", "Igen", "# Hej", markdown=True, now=datetime.now(UTC)))
    newsletter.approve("again-1")
    assert newsletter.dispatch("again-1") is not None
    subscriber = newsletter.subscriber_id(addresses[0])
    before = sent_count(emulator)
    assert newsletter.deliver("again-1", subscriber) is DeliveryStatus.SENT
    # SQS delivers at least once: the same copy again sends nothing and says so, so the
    # NewsletterSent metric (the sender counts SENT answers) counts one send.
    assert newsletter.deliver("again-1", subscriber) is DeliveryStatus.ALREADY_HANDLED
    assert sent_count(emulator) == before + 1
    assert store.deliveries("again-1")[subscriber] is DeliveryStatus.SENT
