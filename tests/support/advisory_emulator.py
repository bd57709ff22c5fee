"""What the advisory modules of tests/integration share on the emulator: the template's table,
queues and key as fixtures (one copy: a module imports the ones it uses), an empty desk, the
lookup secret, the form's bodies and the mail SES took."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest
from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, Emulator
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.sqs_work_queue import SqsWorkQueue
from shared.platform.names import (
    PARAM_ADVISORY_KEY,
    PARAM_ADVISORY_LOOKUP_SECRET,
    PARAM_ADVISORY_TABLE,
    PARAM_NORMAL_QUEUE,
    PARAM_URGENT_QUEUE,
)

URL = "/api/advisory-requests"


@pytest.fixture(scope="module")
def store(emulator: Emulator) -> DynamoAdvisoryStore:
    return DynamoAdvisoryStore(parameter(PARAM_ADVISORY_TABLE))


@pytest.fixture(scope="module")
def queue(emulator: Emulator) -> SqsWorkQueue:
    return SqsWorkQueue(parameter(PARAM_URGENT_QUEUE), parameter(PARAM_NORMAL_QUEUE))


@pytest.fixture(scope="module")
def sealer(emulator: Emulator) -> KmsSealer:
    return KmsSealer(parameter(PARAM_ADVISORY_KEY))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The context of every sealed value opened in this process, from now on."""
    seen: list[str] = []
    original = KmsSealer.open

    def spy(self: KmsSealer, sealed: str, reference: str) -> dict[str, object]:
        seen.append(reference)
        return original(self, sealed, reference)

    monkeypatch.setattr(KmsSealer, "open", spy)
    return seen


def drain(emulator: Emulator, url: str) -> None:
    """Empty a queue now (SQS allows one purge a minute)."""
    sqs = emulator.client("sqs")
    while found := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       VisibilityTimeout=60).get("Messages", []):
        for message in found:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def empty_desk(emulator: Emulator, store: DynamoAdvisoryStore) -> None:
    """No message in either queue and no request open: each test starts with an empty desk."""
    for url in (parameter(PARAM_URGENT_QUEUE), parameter(PARAM_NORMAL_QUEUE)):
        drain(emulator, url)
    for request in store.open_requests():
        store.finish(request.reference, None, datetime.now(UTC))


def lookup_secret() -> bytes:
    """The secret the template's functions key addresses and resubmissions with."""
    from shared.adapters.wiring import signing_secret

    return signing_secret(parameter(PARAM_ADVISORY_LOOKUP_SECRET))


def conversation(**changes: Any) -> dict[str, Any]:
    """A conversation request as the public form sends it."""
    return {"kind": "conversation", "name": "Karen Blixen", "email": "karen@example.dk",
            "phone": "+4587654321", "contact_preference": "phone",
            "topic": "Min chef og jeg", "message": "Jeg overvejer at sige op", "urgent": False,
            "consent": True, "website": "", **changes}


class NoMail:
    def receipt(self, *args: Any) -> None:
        pass

    def notice(self, *args: Any) -> None:
        pass


def readable(raw: str) -> str:
    """Headers and decoded text parts, as a mail program shows them."""
    message = message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=policy.default)
    parts = [str(message["Subject"]), str(message["To"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def sent(emulator: Emulator) -> list[Any]:
    return list(ses_backends[ACCOUNT][emulator.region].sent_messages)


def console_conversation(**changes: Any) -> dict[str, Any]:
    """The request the console's tests send through the public form."""
    return {"kind": "conversation", "name": "Kirsten Thorup", "email": "kirsten@example.dk",
            "phone": "+4533123456", "contact_preference": "email",
            "topic": "Omstrukturering i området",
            "message": "Min forvaltning vil lægge to klynger sammen", "urgent": False,
            "consent": True, "website": "", **changes}


def submit_through_form(api: Any, **changes: Any) -> str:
    """A new request through the public form (a key of its own: never a repeat)."""
    status, answer = api.request("POST", URL, console_conversation(**changes),
                                 {"Idempotency-Key": uuid.uuid4().hex})
    assert status == 202
    return str(answer["reference"])
