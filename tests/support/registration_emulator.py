"""Builders the registration tests on the emulator share: sessions, forms, presses, mails."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, Emulator
from local.functions import LocalContext
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.parameters import parameter
from shared.forums.catalogue import Catalogue
from shared.forums.registration.models import RegistrationAnswer, RegistrationForm
from shared.forums.registration.service import Registrations
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from tests.fixtures.links import link_token
from tests.integration.conftest import (
    Api,
)


def session_fixture(capacity: int = 2) -> str:
    number = time.monotonic_ns()
    starts = datetime.now(UTC) + timedelta(days=30)
    Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))).import_file({"forums": [{
        "id": f"staff-forum-{number}", "title": "Personaleforum",
        "sessions": [{
            "id": f"staff-session-{number}", "city": "Vejle", "venue": "Spinderihallerne",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=5)).isoformat(),
            "registration_deadline": (starts - timedelta(days=5)).isoformat(),
            "capacity": capacity, "status": "open"}]}]})
    return f"staff-session-{number}"


REGISTER = "/api/registrations"


CONFIRM = "/api/registrations/confirm"


def body(session_id: str, who: str, **changes: Any) -> dict[str, Any]:
    return {"session_id": session_id, "name": f"Deltager {who}", "email": f"{who}@example.dk",
            "phone": "+4520304050", "role": "district_leader", "workplace": "Vejle Kommune",
            "member_number": "98765", "needs": "Vegetar", "consent": True, "website": "",
            **changes}


class Mail:
    """The emulator's SES outbox and the registrations stream, read incrementally."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.seen = len(self.sent())
        self.held: list[EmailMessage] = []
        streams = emulator.client("dynamodbstreams")
        table = parameter(PARAM_REGISTRATIONS_TABLE)
        arn = emulator.client("dynamodb").describe_table(TableName=table)["Table"][
            "LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        self.iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                                   ShardIteratorType="LATEST")["ShardIterator"]
        self.streams = streams
        self.arn = arn

    def sent(self) -> list[Any]:
        return list(ses_backends[ACCOUNT][self.emulator.region].sent_messages)

    def changes(self) -> list[dict[str, Any]]:
        page = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = page["NextShardIterator"]
        return [{**r, "eventSourceARN": self.arn} for r in page["Records"]]

    def new_messages(self) -> list[EmailMessage]:
        sent = self.sent()
        fresh, self.seen = sent[self.seen:], len(sent)
        held, self.held = self.held, []
        return held + [message_from_string(m.raw_data, policy=policy.default)  # type: ignore[misc]
                       for m in fresh]

    def take(self, to: str, subject: str) -> EmailMessage:
        """The one new message to `to` whose subject starts so; the others stay new."""
        messages = self.new_messages()
        (found,) = [m for m in messages
                    if m["To"] == to and str(m["Subject"]).startswith(subject)]
        self.held = [m for m in messages if m is not found]
        return found


def deliver(api: Api, records: list[dict[str, Any]]) -> dict[str, Any]:
    events = api.handler(next(f for f, s in api.plan.functions.items()
                              if s.handler.startswith("functions.registration_events")))
    return dict(events({"Records": records}, LocalContext("events", 512, 30, "eu-north-1")))


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def token_in(message: EmailMessage) -> str:
    link = re.search(r"https?://\S+token=\S+", text_of(message))
    assert link is not None
    return link_token(link.group(0))


RECEIVED = (202, {"status": "received"})


def confirm_link(api: Api, mail: Mail, to: str) -> str:
    """Deliver the stream to the email consumer; the token of the confirmation link sent."""
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    return token_in(mail.take(to, "Bekræft din tilmelding"))


def register_by_link(api: Api, mail: Mail, registration: dict[str, Any]) -> dict[str, Any]:
    """Submit, then press the link from the email as the owner does."""
    assert api.request("POST", REGISTER, registration) == RECEIVED
    token = confirm_link(api, mail, registration["email"])
    status, answer = api.request("POST", CONFIRM, {"token": token})
    assert status == 200
    return dict(answer)


SECRET = b"test-secret"


_ids = itertools.count()


def register(service: Registrations, registration_form: RegistrationForm,
             key: str | None = None) -> RegistrationAnswer:
    """Submit the form and press the link the owner was mailed."""
    return service.confirm_by_token(
        service.confirm_token(service.submit(registration_form, key)))


def new_session(capacity: int, *, audience: str = "leaders_of_leaders", status: str = "open",
                deadline_in: timedelta = timedelta(days=20)) -> str:
    """A fresh session (its own id, so tests do not share seats)."""
    number = next(_ids)
    starts = datetime.now(UTC) + timedelta(days=30)
    Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))).import_file({"forums": [{
        "id": f"test-forum-{number}", "title": "Testforum", "audience": audience,
        "sessions": [{
            "id": f"test-session-{number}", "city": "Vejle", "venue": "Spinderihallerne",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=5)).isoformat(),
            "registration_deadline": (datetime.now(UTC) + deadline_in).isoformat(),
            "capacity": capacity, "status": status,
        }],
    }]})
    return f"test-session-{number}"


def form(session_id: str, who: int | str, role: str = "area_leader") -> RegistrationForm:
    return RegistrationForm(session_id=session_id, name=f"Deltager {who}",
                            email=f"deltager{who}@example.dk", role=role, workplace="Vejle Kommune",
                            member_number="123" if role != "administration" else None,
                            consent=True)


def items(emulator: Emulator, session: str) -> list[dict[str, Any]]:
    found = emulator.client("dynamodb").query(
        TableName=parameter(PARAM_REGISTRATIONS_TABLE), ConsistentRead=True,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"SESSION#{session}"}})
    return list(found["Items"])
