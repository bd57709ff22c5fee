"""What the newsletter modules of tests/integration share on the emulator: the template's
newsletter settings, the service on its table, queue and SES (a fixture), the mail SES took,
Lambda's SQS event source by hand, and confirmed subscribers."""

from __future__ import annotations

import json
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
from shared.newsletter.models import SubscriptionForm
from shared.newsletter.service import Newsletter
from shared.platform.names import PARAM_NEWSLETTER_SETTINGS
from shared.tokens import sign

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


def consume(api: Any, emulator: Emulator, queue_variable: str, function: str) -> list[Any]:
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


def confirmations(api: Any, emulator: Emulator) -> list[Any]:
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
