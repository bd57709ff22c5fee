"""Registration through its functions: the API's answers, the owner's confirmation by mail,
and the emails a participant gets (rendered, sent as MIME through SES, read back and parsed as
a participant's mail program)."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from local.emulator import Emulator
from local.functions import LocalContext
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.parameters import parameter
from shared.danish import danish_date
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from tests.integration.conftest import Api
from tests.support.registration_emulator import (
    CONFIRM,
    RECEIVED,
    REGISTER,
    Mail,
    body,
    deliver,
    new_session,
    text_of,
    token_in,
)
from tests.support.registration_emulator import register_by_link as register


@pytest.fixture
def mail(emulator: Emulator) -> Mail:
    return Mail(emulator)








def where(session_id: str) -> str:
    """The forum and session as a subject names them: the session's Danish day (a session 30
    days ahead of a late evening in UTC is already the next day in Copenhagen)."""
    session = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)).session(session_id)
    assert session is not None
    return f"Testforum – Vejle {danish_date(session.starts_at, weekday=False, year=False)}"


def test_a_submission_is_answered_received_and_the_owner_confirms(api: Api, mail: Mail) -> None:
    session = new_session(1)
    assert api.request("POST", REGISTER, body(session, "anne"),
                       headers={"Idempotency-Key": "form-123"}) == RECEIVED
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    message = mail.take("anne@example.dk", "Bekræft")
    text = text_of(message)
    assert str(message["Subject"]) == f"Bekræft din tilmelding: {where(session)}"
    assert "Vejle" in text and "/bekraeft-tilmelding.html#token=" in text
    for typed in ("Deltager anne", "Vejle Kommune", "Vegetar", "98765"):  # nothing typed
        assert typed not in text and typed not in message.get_body(("html",)).get_content()
    token = token_in(message)
    assert api.request("POST", CONFIRM, {"token": token}) == (200, {"status": "confirmed"})
    assert api.request("POST", CONFIRM, {"token": token}) == (200, {"status": "confirmed"})
    assert register(api, mail, body(session, "bo")) == {"status": "waitlisted",
                                                        "waitlist_position": 1}


def test_one_confirmation_email_per_address_and_interval(api: Api, mail: Mail) -> None:
    session = new_session(2)
    for _ in range(5):
        assert api.request("POST", REGISTER, body(session, "flood")) == RECEIVED
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert len(mail.new_messages()) == 1


def test_a_repeat_after_confirming_points_to_the_registration(
    api: Api, mail: Mail, monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = api.environment  # no interval between two emails to one address, here
    monkeypatch.setattr(api, "environment", lambda logical_id: {
        **template(logical_id), "REGISTRATION_MAIL_INTERVAL_MINUTES": "0"})
    session = new_session(1)
    register(api, mail, body(session, "fast"))
    register(api, mail, body(session, "venter"))
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    mail.new_messages()
    assert api.request("POST", REGISTER, body(session, "venter", name="Andet Navn")) == RECEIVED
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    (note,) = mail.new_messages()
    text = text_of(note)
    assert str(note["Subject"]) == f"Du er allerede tilmeldt: {where(session)}"
    assert "ventelisten som nummer 1" in text and "/afmeld.html#token=" in text
    assert "Andet Navn" not in text
    status, answer = api.request("POST", "/api/registrations/cancel", {"token": token_in(note)})
    assert (status, answer) == (200, {"status": "cancelled"})


def test_the_answer_the_work_and_the_counts_do_not_depend_on_the_address(
    api: Api, mail: Mail,
) -> None:
    """Unknown, pending, confirmed, waiting or cancelled: a stranger sees the same."""
    from shared.adapters.aws import client

    session = new_session(1)
    register(api, mail, body(session, "fuld"))
    register(api, mail, body(session, "venter"))
    register(api, mail, body(session, "afmeldt"))
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    waiting = next(m for m in mail.new_messages() if m["To"] == "afmeldt@example.dk")
    assert api.request("POST", "/api/registrations/cancel",
                       {"token": token_in(waiting)})[0] == 200
    api.request("POST", REGISTER, body(session, "afventer"))
    deliver(api, mail.changes())
    before = _public(api, session)

    calls: list[str] = []

    def count(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])

    dynamodb = client("dynamodb")
    dynamodb.meta.events.register("before-call.dynamodb.*", count)
    seen = {}
    try:
        for who in ("ukendt", "afventer", "fuld", "venter", "afmeldt"):
            calls.clear()
            seen[who] = (api.request("POST", REGISTER, body(session, who)), tuple(calls))
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.*", count)
    assert all(answer == seen["ukendt"] for answer in seen.values()), seen
    assert seen["ukendt"] == (RECEIVED, ("GetItem", "PutItem"))
    assert _public(api, session) == before


def _public(api: Api, session: str) -> dict[str, Any]:
    status, answer = api.request("GET", "/api/forums")
    assert status == 200
    return next(s for f in answer["forums"] for s in f["sessions"] if s["id"] == session)


def test_an_expired_or_forged_confirmation_link_is_400(api: Api) -> None:
    assert api.request("POST", CONFIRM, {"token": "forfalsket.token"}) == (
        400, {"code": "invalid_token", "message": "Linket er ugyldigt eller udløbet."})


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
    assert (status, answer) == RECEIVED
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
    register(api, mail, body(session, "anne"))
    register(api, mail, body(session, "bo"))
    changes = mail.changes()
    assert deliver(api, changes) == {"batchItemFailures": []}
    confirmation, waitlisted = sorted(mail.new_messages(), key=lambda m: str(m["To"]))
    assert deliver(api, changes) == {"batchItemFailures": []}  # delivered again: no new email
    assert mail.new_messages() == []

    assert confirmation["Subject"] == f"Bekræftelse: {where(session)}"
    text = text_of(confirmation)
    assert "Kære Deltager anne" in text and "Vejle, Spinderihallerne" in text
    attachment = next(confirmation.iter_attachments())
    assert attachment.get_filename() == "forum.ics"
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    starts = event.decoded("dtstart")
    assert str(starts.tzinfo) == "Europe/Copenhagen"
    assert str(event["uid"]).endswith("@example.dk")
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
    assert promotion["Subject"] == f"Du har fået en plads: {where(session)}"
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
    register(api, mail, body(session, "klar"))
    register(api, mail, body(session, "venter"))
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
    from shared.platform.names import PARAM_FORUMS_TABLE

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
    from shared.platform.observability import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.name)
    target.addHandler(handler)
    target.setLevel(logging.DEBUG)
    try:
        session = new_session(1)
        register(api, mail, body(session, "hemmelig", name="Hemmelig Person"))
        api.request("POST", REGISTER, body(session, "hemmelig"))
        api.request("POST", REGISTER, body(session, "hemmelig", email="ikke en adresse"))
        deliver(api, mail.changes())
    finally:
        target.removeHandler(handler)
    logged = buffer.getvalue()
    assert '"registration_id"' in logged and "email sent" in logged
    for secret in ("Hemmelig", "hemmelig@example.dk", "+4520304050", "Vegetar",
                   "ikke en adresse"):
        assert secret not in logged
