"""Advisory requests on the template's key, table and queues in the emulator: the public form,
what is at rest, the sealing, and the queues' own behaviour (a lease that runs out, a message
SQS dropped). The desk's order and leases are proven on the in-memory adapters too
(tests/unit/test_advisory_rules.py)."""

# The advisory fixtures (store, queue, sealer) come from tests/support/advisory_emulator.py.
# ruff: noqa: F811

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_masking.exceptions import (
    DataMaskingContextMismatchError,
)

from local.emulator import Emulator
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.sqs_work_queue import SqsWorkQueue
from shared.advisory.reference import PATTERN
from shared.advisory.service import Desk, Intake
from shared.platform.names import (
    PARAM_ADVISORY_TABLE,
    PARAM_NORMAL_QUEUE,
    PARAM_URGENT_QUEUE,
)
from shared.privacy_notice import PRIVACY_NOTICE_VERSION
from tests.integration.conftest import Api
from tests.support.advisory_emulator import (  # noqa: F401 (fixtures)
    NoMail,
    conversation,
    drain,
    empty_desk,
    lookup_secret,
    queue,
    readable,
    sealer,
    sent,
    store,
)

URL = "/api/advisory-requests"
SECRETS = ("Karen Blixen", "karen@example.dk", "+4587654321", "Min chef og jeg",
           "Jeg overvejer at sige op")


def desk(store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue,
         who: str = "konsulent", now: datetime | None = None) -> Desk:
    return Desk(store, sealer, queue, who,
                clock=(lambda: now) if now else (lambda: datetime.now(UTC)))


@pytest.fixture(autouse=True)
def empty_queues(emulator: Emulator, store: DynamoAdvisoryStore) -> None:
    empty_desk(emulator, store)  # each test starts with an empty desk


def test_each_kind_gets_a_reference_and_the_sender_a_receipt_without_the_text(
    api: Api, emulator: Emulator
) -> None:
    before = len(sent(emulator))
    references = []
    for body in (conversation(), {"kind": "idea", "message": "Mentorordning for nye ledere",
                                   "consent": True},
                 {"kind": "suggestion", "message": "Netværksmøde i Aalborg",
                  "email": "forslag@example.dk", "consent": True}):
        status, answer = api.request("POST", URL, body)
        assert status == 202 and re.match(PATTERN, answer["reference"])
        references.append(answer["reference"])
    mails = [readable(m.raw_data) for m in sent(emulator)[before:]]
    receipts = [m for m in mails if "Vi har modtaget" in m]
    notices = [m for m in mails if "Ny henvendelse" in m]
    assert len(receipts) == 2 and len(notices) == 3  # the anonymous idea gets no receipt
    texts = ("Min chef og jeg", "Jeg overvejer at sige op", "+4587654321", "Mentorordning",
             "Netværksmøde")
    for receipt in receipts:  # the sender's own receipt: never the text back
        assert not any(text in receipt for text in texts)
    assert "LR-" in receipts[0] and "Lederkonsulenten" in receipts[0]
    for notice in notices:  # the consultant's notice: kind, urgency, reference only
        assert not any(secret in notice for secret in (*SECRETS, *texts))
    for reference in references:
        assert any(reference in notice for notice in notices)


@pytest.mark.parametrize(("body", "field", "code"), [
    (conversation(name=""), "name", "name_required"),
    (conversation(email="", phone=""), "email", "contact_required"),
    (conversation(message="x" * 4001), "message", "too_long"),
    (conversation(message=""), "message", "required"),
    (conversation(email="ikke-en-mail"), "email", "invalid_email"),
    (conversation(kind="klage"), "kind", "invalid_choice"),
    (conversation(topic="linje\r\nBcc: x@example.dk"), "topic", "invalid_characters"),
])
def test_bad_input_is_refused_per_field_and_nothing_is_stored(
    api: Api, store: DynamoAdvisoryStore, body: dict[str, Any], field: str, code: str
) -> None:
    before = len(store.open_requests())
    status, answer = api.request("POST", URL, body)
    assert status == 422
    assert {e["field"]: e["code"] for e in answer["errors"]}[field] == code
    assert len(store.open_requests()) == before


def test_honeypot_and_resubmission_store_nothing_new(api: Api, store: DynamoAdvisoryStore,
                                                     emulator: Emulator) -> None:
    before = len(store.open_requests())
    assert api.request("POST", URL, conversation(website="x"))[0] == 202
    assert len(store.open_requests()) == before
    headers = {"Idempotency-Key": "form-7f3a"}
    first = api.request("POST", URL, conversation(), headers=headers)
    mails = len(sent(emulator))
    again = api.request("POST", URL, conversation(), headers=headers)
    assert first == again and len(store.open_requests()) == before + 1
    assert len(sent(emulator)) == mails  # no second receipt
    # The form edited and sent again with the same key (its first answer never came): a
    # request of its own, the edit kept, not answered as a repeat.
    _, edited = api.request("POST", URL, conversation(message="Rettet tekst"), headers=headers)
    assert edited["reference"] != first[1]["reference"]
    assert len(store.open_requests()) == before + 2


def test_raw_table_and_queue_hold_no_plaintext(api: Api, emulator: Emulator) -> None:
    _, answer = api.request("POST", URL, conversation(urgent=True))
    items = emulator.client("dynamodb").scan(TableName=parameter(PARAM_ADVISORY_TABLE))["Items"]
    raw = json.dumps(items)
    assert answer["reference"] in raw
    for secret in SECRETS:
        assert secret not in raw
    messages = emulator.client("sqs").receive_message(
        QueueUrl=parameter(PARAM_URGENT_QUEUE), MaxNumberOfMessages=10,
        VisibilityTimeout=0)["Messages"]
    assert [m["Body"] for m in messages] == [answer["reference"]]


def test_sealed_contents_open_only_with_their_own_context(
    api: Api, store: DynamoAdvisoryStore, sealer: KmsSealer
) -> None:
    _, answer = api.request("POST", URL, conversation(topic="Kontekst"))
    request = store.get(answer["reference"])
    assert request is not None
    assert request.consent_text_version == PRIVACY_NOTICE_VERSION  # the notice the sender saw
    assert sealer.open(request.sealed, request.reference)["topic"] == "Kontekst"
    with pytest.raises(DataMaskingContextMismatchError):
        sealer.open(request.sealed, "LR-2222-22")


def submit(intake: Intake, **changes: Any) -> str:
    from shared.advisory.models import AdvisoryForm

    return intake.submit(AdvisoryForm.model_validate(conversation(**changes)))[0]


def intake_at(store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue,
              when: datetime) -> Intake:
    return Intake(store, sealer, queue, NoMail(), retention_days=180, secret=lookup_secret(),
                  clock=lambda: when)


def test_an_expired_lease_returns_the_request_to_the_queue(
    store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue
) -> None:
    reference = submit(intake_at(store, sealer, queue, datetime.now(UTC)), message="glemt")
    first = desk(store, sealer, queue, "alice").next(timedelta(seconds=1))
    assert first is not None and first.request.reference == reference
    assert desk(store, sealer, queue, "bob").next() is None  # leased: invisible
    time.sleep(1.5)
    later = desk(store, sealer, queue, "bob").next()
    assert later is not None and later.request.reference == reference
    desk(store, sealer, queue, "bob").done(reference)


def test_nothing_is_lost_when_a_request_waits_longer_than_sqs_keeps_it(
    store: DynamoAdvisoryStore, sealer: KmsSealer, queue: SqsWorkQueue, emulator: Emulator
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=20)
    reference = submit(intake_at(store, sealer, queue, long_ago), message="glemt i kø")
    drain(emulator, parameter(PARAM_NORMAL_QUEUE))  # SQS dropped the message
    assert desk(store, sealer, queue).next() is None
    today = intake_at(store, sealer, queue, datetime.now(UTC))
    assert today.requeue_stale() >= 1
    assert today.oldest_waiting_age(datetime.now(UTC)) is not None
    found = desk(store, sealer, queue).next()
    assert found is not None and found.request.reference == reference
    desk(store, sealer, queue).done(reference)
    overview = desk(store, sealer, queue).waiting()
    assert all(reference != o.reference for o in overview)
    assert not any(hasattr(o, "message") or hasattr(o, "name") for o in overview)
