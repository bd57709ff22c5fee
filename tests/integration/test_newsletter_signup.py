"""The signup answer and the work behind it do not depend on what is known of the address;
the confirmation email goes out from its queue, at most one per address and interval; a
bounce or complaint suppresses for good, survives erasure, and blocks a later signup.
Through the real API and consumer functions and adapters on the emulator."""

from __future__ import annotations

import html
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from local.emulator import Emulator
from local.functions import LocalContext
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.ses_newsletter import SesNewsletterMail
from shared.adapters.sqs_send_queue import SqsSendQueue
from shared.adapters.wiring import signing_secret
from shared.links import Links
from shared.newsletter.service import Newsletter
from shared.privacy.holders import NewsletterHolder
from shared.tokens import sign
from tests.integration.conftest import Api
from tests.support.newsletter_emulator import (
    PUBLIC,
    confirmations,
    inbox,
    sent_count,
    settings,
    text_of,
)

URL = "/api/newsletter/subscriptions"


class Calls:
    """The AWS calls by kind (service and operation) the functions' clients make."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def __call__(self, event_name: str, **_: Any) -> None:
        self.seen[event_name.split(".", 1)[1]] += 1


@pytest.fixture
def calls(emulator: Emulator) -> Iterator[Calls]:
    counter = Calls()
    clients = [client(name) for name in ("dynamodb", "sqs", "sesv2", "secretsmanager")]
    for aws in clients:
        aws.meta.events.register("before-call.*.*", counter, unique_id="count-calls")
    yield counter
    for aws in clients:
        aws.meta.events.unregister("before-call.*.*", unique_id="count-calls")


def service(at: datetime | None = None) -> Newsletter:
    values = settings()
    return Newsletter(DynamoNewsletterStore(values["NEWSLETTER_TABLE_NAME"]),
                      SesNewsletterMail(values["SENDER_ADDRESS"], None, rate=1000),
                      SqsSendQueue(values["NEWSLETTER_SEND_QUEUE_URL"]),
                      signing_secret(values["SIGNING_SECRET_ARN"]), Links(PUBLIC),
                      clock=(lambda: at) if at else (lambda: datetime.now(UTC)))


def form(email: str) -> dict[str, Any]:
    return {"name": "Inger Christensen", "email": email, "role": "district_leader",
            "consent": True, "website": ""}


def confirm_token(email: str) -> str:
    return sign(signing_secret(settings()["SIGNING_SECRET_ARN"]), "newsletter-confirm",
                {"subscriber": service().subscriber_id(email)},
                datetime.now(UTC) + timedelta(days=1))


def feedback(api: Api, kind: str, email: str) -> None:
    event = {"eventType": kind, "mail": {"tags": {}},
             "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": email}]},
             "complaint": {"complainedRecipients": [{"emailAddress": email}]}}
    record = {"messageId": f"m-{email}", "receiptHandle": "r", "attributes": {},
              "body": json.dumps({"Type": "Notification", "Message": json.dumps(event)}),
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws:sqs:eu-north-1:1:q", "awsRegion": "eu-north-1"}
    handler = api.handler(next(f for f, s in api.plan.functions.items()
                               if s.handler.startswith("functions.newsletter_feedback.")))
    assert handler({"Records": [record]}, LocalContext("feedback", 512, 30, "eu-north-1")) == {
        "batchItemFailures": []}


def known_as(api: Api, state: str, email: str) -> None:
    """Bring the address into `state` by the ways a person or SES would."""
    if state == "new":
        return
    api.request("POST", URL, form(email))
    confirmations(api, api.emulator)
    if state == "pending":
        return
    if state == "pending_complained":
        feedback(api, "Complaint", email)
        return
    assert api.request("POST", "/api/newsletter/confirm", {"token": confirm_token(email)})[0] \
        == 200
    if state == "subscribed":
        return
    if state == "bounced":
        feedback(api, "Bounce", email)
        return
    if state == "unsubscribed":
        service().unsubscribe(sign(signing_secret(settings()["SIGNING_SECRET_ARN"]),
                                   "newsletter-unsubscribe",
                                   {"subscriber": service().subscriber_id(email)},
                                   datetime.now(UTC) + timedelta(days=1)))
        return
    raise AssertionError(state)


STATES = ("new", "pending", "pending_complained", "subscribed", "bounced", "unsubscribed")


def test_the_answer_and_the_work_behind_it_are_the_same_whatever_the_address(
    api: Api, emulator: Emulator, calls: Calls
) -> None:
    seen: dict[str, tuple[Any, Counter[str]]] = {}
    for state in STATES:
        email = f"same-{state}@example.dk"
        known_as(api, state, email)
        api.request("POST", URL, form("warm-up@example.dk"))  # the same container, warm
        calls.seen.clear()
        answer = api.request("POST", URL, form(email))
        seen[state] = (answer, Counter(calls.seen))
    first_answer, first_calls = seen["new"]
    assert first_answer[0] == 202
    assert first_calls == Counter({"dynamodb.PutItem": 1, "sqs.SendMessage": 1})
    for state, (answer, made) in seen.items():
        assert answer == first_answer, state
        assert made == first_calls, state  # no email, no read: nothing to tell them apart


def test_five_signups_send_one_confirmation_and_the_next_after_the_interval(
    api: Api, emulator: Emulator
) -> None:
    email = "five-times@example.dk"
    before = sent_count(emulator)
    for _ in range(5):
        assert api.request("POST", URL, form(email))[0] == 202
    confirmations(api, emulator)
    assert [m["To"] for m in inbox(emulator, before)] == [email]
    interval = int(settings()["NEWSLETTER_CONFIRM_INTERVAL_MINUTES"])
    assert interval == 10  # cdk.json's default
    subscriber_id = service().subscriber_id(email)
    almost = datetime.now(UTC) + timedelta(minutes=interval - 1)
    assert not service(almost).send_confirmation(subscriber_id)
    later = datetime.now(UTC) + timedelta(minutes=interval + 1)
    assert service(later).send_confirmation(subscriber_id)
    assert len(inbox(emulator, before)) == 2


@settings_(max_examples=5, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tags=st.lists(st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True), min_size=2,
                     max_size=6, unique_by=str.lower),
       plain=st.booleans())
def test_the_subaddresses_of_one_mailbox_pass_the_confirmation_gate_once(
    api: Api, emulator: Emulator, tags: list[str], plain: bool
) -> None:
    """`victim+1@…`, `Victim+2@…`, …: one mailbox, so one confirmation in the interval."""
    box = f"postkasse{uuid.uuid4().hex[:8]}"
    addresses = [f"{box}+{tag}@Example.dk" for tag in tags] + ([f"{box}@example.dk"] * plain)
    before = sent_count(emulator)
    for address in addresses:
        assert api.request("POST", URL, form(address))[0] == 202
    confirmations(api, emulator)
    assert len(inbox(emulator, before)) == 1


@pytest.mark.parametrize("kind", ["Bounce", "Complaint"])
@pytest.mark.parametrize("confirmed", [True, False])
def test_suppression_lasts_survives_erasure_and_blocks_a_later_signup(
    api: Api, emulator: Emulator, kind: str, confirmed: bool
) -> None:
    email = f"objects-{kind.lower()}-{confirmed}@example.dk"
    known_as(api, "subscribed" if confirmed else "pending", email)
    feedback(api, kind, email)
    store = DynamoNewsletterStore(settings()["NEWSLETTER_TABLE_NAME"])
    subscriber_id = service().subscriber_id(email)
    assert store.suppressed(subscriber_id)

    holder = NewsletterHolder(store, service().subscriber_id)
    holder.erase(email, datetime.now(UTC))
    items = client("dynamodb").scan(TableName=settings()["NEWSLETTER_TABLE_NAME"])["Items"]
    kept = {i["pk"]["S"].split("#")[0]: i for i in items if subscriber_id in json.dumps(i)}
    # The suppression, and the mark that the address left (staff never add it again): keyed
    # hashes and days only, no TTL: the objection is honoured for good.
    assert set(kept) == {"SUPPRESSED", "LEFT"}
    assert set(kept["SUPPRESSED"]) == {"pk", "sk", "kind", "reason", "suppressed_on"}
    assert set(kept["LEFT"]) == {"pk", "sk", "kind", "left_on"}
    for item in kept.values():
        assert "expires_at" not in item
        assert email not in json.dumps(item) and "Inger" not in json.dumps(item)

    before = sent_count(emulator)
    assert api.request("POST", URL, form(email))[0] == 202  # someone signs them up again
    confirmations(api, emulator)
    assert inbox(emulator, before) == []  # not mailed
    assert api.request("POST", "/api/newsletter/confirm", {"token": confirm_token(email)})[0] \
        == 400
    assert all(s.email != email for s in store.active_subscribers())


# What a stranger might type as the name: a phishing line, markup, and generated text.
TYPED_NAMES = st.one_of(
    st.just("Dit medlemskab er suspenderet - log ind på https://bupl-login.example.net"),
    st.just("<a href='https://evil.example'>Klik</a>"),
    st.text(alphabet=st.characters(categories=("L", "N")), min_size=12, max_size=60),
)


@settings_(max_examples=15, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TYPED_NAMES)
def test_the_confirmation_email_carries_nothing_that_was_typed(
    api: Api, emulator: Emulator, name: str
) -> None:
    """Nobody has confirmed the address yet, so its mail carries no text typed in the form:
    a neutral greeting and the link, whatever the name says."""
    email = f"typed-{uuid.uuid4().hex[:12]}@example.dk"
    before = sent_count(emulator)
    status, _ = api.request("POST", URL, {**form(email), "name": name})
    assert status == 202
    confirmations(api, emulator)
    (mail,) = [m for m in inbox(emulator, before) if m["To"] == email]
    whole = "\n".join(str(part.get_content()) for part in mail.walk()
                      if part.get_content_maintype() == "text")
    assert name.strip() not in whole and html.escape(name.strip()) not in whole
    assert name.strip() not in str(mail["Subject"])
    assert text_of(mail).startswith("Hej\n") and "token=" in text_of(mail)
