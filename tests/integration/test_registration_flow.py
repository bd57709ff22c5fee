"""Registration through its functions: the API's answers, and the emails a participant gets
(rendered, sent as MIME through SES, read back and parsed as a participant's mail program)."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar
from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, Emulator
from local.functions import LocalContext
from shared.adapters.parameters import parameter
from shared.names import PARAM_REGISTRATIONS_TABLE
from tests.integration.conftest import Api
from tests.integration.test_registration import new_session

REGISTER = "/api/registrations"


def body(session_id: str, who: str, **changes: Any) -> dict[str, Any]:
    return {"session_id": session_id, "name": f"Deltager {who}", "email": f"{who}@example.dk",
            "phone": "+45 12 34 56 78", "role": "district_leader", "workplace": "Vejle Kommune",
            "member_number": "98765", "needs": "Vegetar", "consent": True, "website": "",
            **changes}


class Mail:
    """The emulator's SES outbox and the registrations stream, read incrementally."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.seen = len(self.sent())
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
        return [message_from_string(m.raw_data, policy=policy.default) for m in fresh]  # type: ignore[misc]


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
    return parse_qs(urlsplit(link.group(0)).query)["token"][0]


@pytest.fixture
def mail(emulator: Emulator) -> Mail:
    return Mail(emulator)


def test_register_answers_201_then_200_with_the_same_body(api: Api) -> None:
    session = new_session(1)
    created = api.request("POST", REGISTER, body(session, "anne"))
    assert created[0] == 201 and created[1]["status"] == "confirmed"
    assert api.request("POST", REGISTER, body(session, "anne")) == (200, created[1])
    waiting = api.request("POST", REGISTER, body(session, "bo"),
                          headers={"Idempotency-Key": "form-123"})
    assert waiting == (201, {"id": waiting[1]["id"], "status": "waitlisted",
                             "waitlist_position": 1})


def test_a_plain_form_post_is_read_like_json(api: Api) -> None:
    session = new_session(3)
    fields = "&".join(f"{k}={v}" for k, v in body(session, "form").items() if k != "consent")
    status, answer = api.request("POST", REGISTER, fields + "&consent=on",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 201 and answer["status"] == "confirmed"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"email": "ikke-en-adresse"}, "email", "invalid_email"),
    ({"name": ""}, "name", "required"),
    ({"name": "Anne\r\nBcc: x@example.dk"}, "name", "invalid_characters"),
    ({"role": "chef"}, "role", "invalid_choice"),
    ({"consent": False}, "consent", "consent_required"),
    ({"member_number": ""}, "member_number", "member_number_required"),
    ({"phone": "12"}, "phone", "invalid_phone"),
    ({"needs": "x" * 501}, "needs", "too_long"),
])
def test_bad_fields_get_danish_errors_and_nothing_is_stored(
    api: Api, emulator: Emulator, change: dict[str, Any], field: str, code: str
) -> None:
    session = new_session(3)
    status, answer = api.request("POST", REGISTER, body(session, "bad", **change))
    assert status == 422
    errors = {e["field"]: e for e in answer["errors"]}
    assert errors[field]["code"] == code and errors[field]["message"]
    assert _stored(emulator, session) == []


def test_filled_honeypot_looks_like_success_and_stores_nothing(api: Api,
                                                               emulator: Emulator) -> None:
    session = new_session(3)
    status, answer = api.request("POST", REGISTER, body(session, "bot", website="http://spam"))
    assert status == 201 and answer["status"] == "confirmed"
    assert _stored(emulator, session) == []


@pytest.mark.parametrize(("setup", "expected"), [
    ({"status": "closed"}, 409), ({"deadline_in": timedelta(hours=-1)}, 409),
])
def test_closed_or_late_is_409(api: Api, setup: dict[str, Any], expected: int) -> None:
    session = new_session(3, **setup)
    status, answer = api.request("POST", REGISTER, body(session, "late"))
    assert status == expected and answer["message"]


def test_unknown_session_is_404_and_malformed_json_400(api: Api) -> None:
    assert api.request("POST", REGISTER, body("findes-ikke", "x"))[0] == 404
    assert api.request("POST", REGISTER, '{"session_id": ')[0] == 400
    assert api.request("POST", "/api/registrations/cancel", {"token": "forfalsket.token"}) == (
        400, {"code": "invalid_token", "message": "Linket er ugyldigt eller udløbet."})


def test_confirmation_waitlist_cancel_and_promotion_emails(api: Api, mail: Mail) -> None:
    session = new_session(1)
    first = api.request("POST", REGISTER, body(session, "anne"))[1]
    api.request("POST", REGISTER, body(session, "bo"))
    changes = mail.changes()
    assert deliver(api, changes) == {"batchItemFailures": []}
    confirmation, waitlisted = sorted(mail.new_messages(), key=lambda m: str(m["To"]))
    assert deliver(api, changes) == {"batchItemFailures": []}  # delivered again: no new email
    assert mail.new_messages() == []

    assert confirmation["Subject"] == "Bekræftelse: Testforum"
    text = text_of(confirmation)
    assert "Kære Deltager anne" in text and "Vejle, Spinderihallerne" in text
    attachment = next(confirmation.iter_attachments())
    assert attachment.get_filename() == "forum.ics"
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    starts = event.decoded("dtstart")
    assert str(starts.tzinfo) == "Europe/Copenhagen"
    assert event["uid"].startswith(first["id"])
    assert "Vejle" in str(event["location"])
    when = starts.strftime("%H.%M")
    assert f"kl. {when}" in text  # the same time in the text and the calendar

    assert "nummer 1" in text_of(waitlisted)

    status, answer = api.request("POST", "/api/registrations/cancel",
                                 {"token": token_in(confirmation)})
    assert (status, answer) == (200, {"status": "cancelled"})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    receipt, promotion = sorted(mail.new_messages(), key=lambda m: str(m["To"]))
    assert receipt["To"] == "anne@example.dk" and receipt["Subject"].startswith("Afmeldt")
    assert promotion["To"] == "bo@example.dk"
    assert promotion["Subject"] == "Du har fået en plads: Testforum"
    assert next(promotion.iter_attachments()).get_filename() == "forum.ics"
    # The token of the cancelled registration cannot cancel anyone else.
    assert api.request("POST", "/api/registrations/cancel",
                       {"token": token_in(confirmation)})[0] == 200
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert mail.new_messages() == []


def test_reminders_go_once_to_confirmed_participants(api: Api, mail: Mail,
                                                     emulator: Emulator) -> None:
    session = new_session(1)
    starts = datetime.now(UTC) + timedelta(days=1)
    _move(emulator, session, starts)
    api.request("POST", REGISTER, body(session, "klar"))
    api.request("POST", REGISTER, body(session, "venter"))
    deliver(api, mail.changes())
    mail.new_messages()
    reminders = api.handler(next(f for f, s in api.plan.functions.items()
                                 if s.handler.startswith("functions.reminders")))
    context = LocalContext("reminders", 512, 300, "eu-north-1")
    first_run = reminders({}, context)
    second_run = reminders({}, context)  # the schedule fired again, or retried
    sent = [m for m in mail.new_messages() if str(m["Subject"]).startswith("Påmindelse")]
    assert [str(m["To"]) for m in sent] == ["klar@example.dk"]
    assert first_run["sent"] >= 1 and second_run == {"sent": 0}


def _move(emulator: Emulator, session: str, starts: datetime) -> None:
    from shared.names import PARAM_FORUMS_TABLE

    emulator.client("dynamodb").update_item(
        TableName=parameter(PARAM_FORUMS_TABLE),
        Key={"pk": {"S": f"SESSION#{session}"}, "sk": {"S": "SESSION"}},
        UpdateExpression="SET starts_at = :s, ends_at = :e",
        ExpressionAttributeValues={":s": {"S": starts.isoformat()},
                                   ":e": {"S": (starts + timedelta(hours=4)).isoformat()}},
    )


def _stored(emulator: Emulator, session: str) -> list[Any]:
    found = emulator.client("dynamodb").query(
        TableName=parameter(PARAM_REGISTRATIONS_TABLE),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"SESSION#{session}"}},
    )
    return list(found["Items"])


def test_logs_of_the_flow_hold_no_personal_data(api: Api, mail: Mail) -> None:
    from shared.observability import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.name)
    target.addHandler(handler)
    target.setLevel(logging.DEBUG)
    try:
        session = new_session(1)
        api.request("POST", REGISTER, body(session, "hemmelig", name="Hemmelig Person"))
        api.request("POST", REGISTER, body(session, "hemmelig"))
        api.request("POST", REGISTER, body(session, "hemmelig", email="ikke en adresse"))
        deliver(api, mail.changes())
    finally:
        target.removeHandler(handler)
    logged = buffer.getvalue()
    assert '"registration_id"' in logged and "email sent" in logged
    for secret in ("Hemmelig", "hemmelig@example.dk", "+45 12 34 56 78", "Vegetar",
                   "ikke en adresse"):
        assert secret not in logged
