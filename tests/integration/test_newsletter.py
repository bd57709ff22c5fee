"""The newsletter on the template's table and queues in the emulator: double opt-in through
the API, the one-click unsubscribe headers SES sends, suppression by SES's feedback. The rules
(exactly once under faults, a copy delivered again, the mail gate) are proven on the in-memory
adapters (tests/unit/test_newsletter_rules.py)."""

# The `service` fixture comes from tests/support/newsletter_emulator.py.
# ruff: noqa: F811

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.emulator import Emulator
from local.faults import FlakySes
from local.functions import LocalContext
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.wiring import signing_secret
from shared.newsletter.editor import draft
from shared.newsletter.models import (
    LEFT_KEPT_DAYS,
    SubscriberStatus,
)
from shared.newsletter.service import Newsletter
from shared.tokens import sign
from tests.fixtures.links import link_token
from tests.integration.conftest import Api
from tests.support.newsletter_emulator import (  # noqa: F401 (service: a fixture)
    PUBLIC,
    confirmations,
    drain_send_queue,
    inbox,
    sent_count,
    service,
    settings,
    subscribe_confirmed,
    text_of,
)


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
    assert _days_kept(emulator, newsletter.subscriber_id(address)) == LEFT_KEPT_DAYS
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
        assert _days_kept(emulator, newsletter.subscriber_id(address)) == LEFT_KEPT_DAYS


def _days_kept(emulator: Emulator, subscriber_id: str) -> int:
    """In how many days (rounded) the subscriber item is deleted by TTL."""
    item = emulator.client("dynamodb").get_item(
        TableName=settings()["NEWSLETTER_TABLE_NAME"],
        Key={"pk": {"S": f"SUB#{subscriber_id}"}, "sk": {"S": "SUB"}},
        ConsistentRead=True)["Item"]
    return round((int(item["expires_at"]["N"]) - datetime.now(UTC).timestamp()) / 86400)
