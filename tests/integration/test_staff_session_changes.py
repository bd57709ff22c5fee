"""The secretariat changes a session through the staff API: what the form shows before
saving (what changes, who will be told), the email and updated calendar file everyone
registered gets once, expiry following the new dates, capacity lowered or raised, a change
interrupted and saved again, a registration placed while the session changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.forums.catalogue_file import SessionDetails
from shared.forums.models import Session
from shared.forums.registration.models import Registration
from shared.forums.registration.service import Registrations
from shared.forums.registration.session_changes import SessionChanges
from shared.platform import defaults
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE, STAFF_GROUPS
from tests.integration.conftest import Api, bearer
from tests.support.interleavings import before_write
from tests.support.participants import Tokens, forum, listed, register, secretariat
from tests.support.registration_emulator import SECRET, Mail, deliver, form, text_of, token_in

RETENTION = timedelta(days=defaults.REGISTRATION_RETENTION_DAYS)


def catalogue() -> DynamoCatalogueStore:
    return DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))


def stored(session_id: str) -> Session:
    found = catalogue().session(session_id)
    assert found is not None
    return found


def registrations(session_id: str) -> list[Registration]:
    store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                    parameter(PARAM_FORUMS_TABLE))
    return store.registrations(session_id)


def details(session: Session, **changes: Any) -> dict[str, Any]:
    """The session's fields as the console's form sends them (Danish local times)."""
    fields: dict[str, Any] = {
        "city": session.city, "venue": session.venue, "capacity": session.capacity,
        **{name: getattr(session, name).isoformat() for name in (
            "starts_at", "ends_at", "registration_deadline")}}
    return {**fields, **{k: v.isoformat() if isinstance(v, datetime) else v
                         for k, v in changes.items()}}


def later(session: Session, days: int = 7) -> dict[str, Any]:
    return details(session, starts_at=session.starts_at + timedelta(days=days),
                   ends_at=session.ends_at + timedelta(days=days, hours=1))


def put(api: Api, tokens: Tokens, session_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    return api.request("PUT", f"/api/staff/sessions/{session_id}", body, secretariat(tokens))


def preview(api: Api, tokens: Tokens, session_id: str,
            body: dict[str, Any]) -> tuple[int, Any]:
    return api.request("POST", f"/api/staff/sessions/{session_id}/changes/preview", body,
                       secretariat(tokens))


def event(message: Any) -> Any:
    (attachment,) = list(message.iter_attachments())
    calendar = Calendar.from_ical(attachment.get_content())
    return calendar, calendar.walk("VEVENT")[0]


def test_a_new_time_is_shown_first_then_told_once_to_everyone_with_the_calendar_moved(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    (session_id,) = forum(2)
    mail = Mail(emulator)
    for who in ("en", "to", "tre", "fire"):
        register(api, tokens, session_id, who)
    gone = next(p for p in listed(api, tokens, session_id) if p["name"] == "Deltager fire")
    gone_is_waiting = api.request("POST", f"/api/staff/registrations/{gone['id']}/cancel",
                                  headers=secretariat(tokens))
    assert gone_is_waiting[0] == 200
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    _, first = event(mail.take("en@example.dk", "Bekræftelse"))
    mail.new_messages()
    before = stored(session_id)

    status, shown = preview(api, tokens, session_id, later(before))
    assert status == 200
    assert shown["summary"] == "2 tilmeldte og 1 på venteliste får besked med de nye oplysninger."
    assert (shown["told"], shown["confirmed"], shown["waiting"]) == (True, 2, 1)
    assert [(c["field"], c["label"]) for c in shown["changes"]] == [
        ("starts_at", "Start"), ("ends_at", "Slut")]
    assert " kl. " in shown["changes"][0]["before"] and "T" not in shown["changes"][0]["after"]
    assert stored(session_id) == before  # a preview changes nothing

    assert put(api, tokens, session_id, later(before)) == (200, {"told": 3})
    after = stored(session_id)
    assert after.starts_at == before.starts_at + timedelta(days=7)
    assert after.revision == before.revision + 1
    # Retention follows the new end, for the cancelled too.
    assert {int(r.expires_at.timestamp()) for r in registrations(session_id)
            if r.expires_at} == {int((after.ends_at + RETENTION).timestamp())}

    records = mail.changes()
    assert deliver(api, records) == {"batchItemFailures": []}
    messages = mail.new_messages()
    # The same records again (the stream retries a batch): nobody gets a second copy.
    assert deliver(api, records) == {"batchItemFailures": []}
    assert mail.new_messages() == []
    assert sorted(m["To"] for m in messages) == ["en@example.dk", "to@example.dk",
                                                 "tre@example.dk"]
    assert {str(m["Subject"]).split(":")[0] for m in messages} == {"Ændret"}
    en = next(m for m in messages if m["To"] == "en@example.dk")
    calendar, changed = event(en)
    assert calendar["method"] == "REQUEST"
    assert changed["uid"] == first["uid"] and changed["sequence"] > first["sequence"]
    assert changed.decoded("dtstart") == after.starts_at.replace(microsecond=0)
    assert "en@example.dk" in str(changed["attendee"])
    waiting = next(m for m in messages if m["To"] == "tre@example.dk")
    assert not list(waiting.iter_attachments()) and "nummer 1" in text_of(waiting)

    # Saved again (a double click, a retry): nothing changes, nobody is told twice.
    assert put(api, tokens, session_id, later(before)) == (200, {"told": 0})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert mail.new_messages() == []
    assert stored(session_id).revision == after.revision


def test_capacity_below_the_seats_taken_is_refused_with_the_count_and_more_seats_promote(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    (session_id,) = forum(3)
    for who in ("a", "b", "c", "d", "e"):
        register(api, tokens, session_id, who)
    before = stored(session_id)
    for call in (preview, put):
        status, refused = call(api, tokens, session_id, details(before, capacity=2))
        assert status == 422
        (error,) = refused["errors"]
        assert error["field"] == "capacity"
        assert error["message"] == ("Der er 3 bekræftede deltagere, så mødet skal have mindst "
                                    "3 pladser.")
    assert stored(session_id) == before

    mail = Mail(emulator)
    status, shown = preview(api, tokens, session_id, details(before, capacity=4))
    assert status == 200 and shown["told"] is False and shown["promoted"] == 1
    assert shown["summary"] == ("Ingen får besked om ændringen. 1 person på ventelisten får "
                                "en plads og besked om det.")
    assert put(api, tokens, session_id, details(before, capacity=4)) == (200, {"told": 0})
    assert [(p["name"], p["status"]) for p in listed(api, tokens, session_id)] == [
        ("Deltager a", "confirmed"), ("Deltager b", "confirmed"), ("Deltager c", "confirmed"),
        ("Deltager d", "confirmed"), ("Deltager e", "waitlisted")]
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    (promoted,) = mail.new_messages()
    assert promoted["To"] == "d@example.dk"
    assert str(promoted["Subject"]).startswith("Du har fået en plads")


def test_a_new_deadline_tells_nobody(api: Api, tokens: Tokens, emulator: Emulator) -> None:
    (session_id,) = forum(2)
    register(api, tokens, session_id, "frist")
    before = stored(session_id)
    mail = Mail(emulator)
    body = details(before, registration_deadline=before.registration_deadline
                   + timedelta(days=1))
    assert preview(api, tokens, session_id, body)[1]["summary"] == \
        "Ingen får besked om ændringen."
    assert put(api, tokens, session_id, body) == (200, {"told": 0})
    assert stored(session_id).revision == before.revision
    assert mail.changes() == []  # no registration was rewritten: no email can follow


def test_a_change_interrupted_before_anyone_was_told_is_finished_by_saving_it_again(
        api: Api, tokens: Tokens, emulator: Emulator,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (session_id,) = forum(2)
    register(api, tokens, session_id, "afbrudt")
    before = stored(session_id)
    mail = Mail(emulator)

    def fails(*_: Any, **__: Any) -> int:
        raise RuntimeError("the telling step failed")

    with monkeypatch.context() as patched:
        patched.setattr(SessionChanges, "tell", fails)
        assert put(api, tokens, session_id, later(before))[0] == 500
    assert stored(session_id).revision == before.revision + 1  # the session was written
    assert put(api, tokens, session_id, later(before)) == (200, {"told": 1})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    (told,) = mail.new_messages()
    assert str(told["Subject"]).startswith("Ændret")


def test_someone_registering_while_the_session_changes_is_placed_under_the_new_details(
        emulator: Emulator) -> None:
    """The owner confirms just before the change's write lands: their admission relied on
    the revision it read, is refused, and is decided again under the new one; saving the
    change again tells nobody (they were placed under it)."""
    (session_id,) = forum(2)
    tables = parameter(PARAM_REGISTRATIONS_TABLE), parameter(PARAM_FORUMS_TABLE)
    mine = DynamoRegistrationStore(*tables)
    other = DynamoRegistrationStore(*tables, dynamodb=emulator.client("dynamodb"))
    owner = Registrations(mine, SECRET)
    token = owner.confirm_token(owner.submit(form(session_id, "samtidig")))
    before = stored(session_id)
    changes = SessionChanges(other, DynamoCatalogueStore(
        tables[1], dynamodb=emulator.client("dynamodb")))
    new = SessionDetails.model_validate(later(before))
    with before_write("TransactWriteItems", lambda: changes.change(session_id, new)) as ran:
        owner.confirm_by_token(token)
    assert ran
    after = stored(session_id)
    (placed,) = registrations(session_id)
    assert placed.session_revision == after.revision == before.revision + 1
    assert placed.expires_at is not None
    assert int(placed.expires_at.timestamp()) == int((after.ends_at + RETENTION).timestamp())
    assert changes.change(session_id, new) == 0


def test_a_cancelled_session_cannot_be_changed(api: Api, tokens: Tokens) -> None:
    (session_id,) = forum(2)
    before = stored(session_id)
    api.request("POST", f"/api/staff/sessions/{session_id}/cancel",
                {"reason": "Oplægsholderen er syg."}, secretariat(tokens))
    for call in (preview, put):
        status, answer = call(api, tokens, session_id, later(before))
        assert (status, answer["code"]) == (409, "session_cancelled")
    assert put(api, tokens, "findes-ikke", later(before))[0] == 404


BAD = {
    "city": ["", "x" * 101, "Kol\nding", None],
    "capacity": [0, -1, 2001, "mange", None],
    "starts_at": ["", "i morgen", "0001-01-01T10:00", None],
    "venue": ["x" * 301, "Sal\r2"],
}


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.sampled_from([(f, v) for f, values in BAD.items() for v in values]))
def test_bad_details_are_refused_per_field_in_danish_and_nothing_changes(
        api: Api, tokens: Tokens, bad: tuple[str, Any]) -> None:
    (session_id,) = forum(2)
    before = stored(session_id)
    field, value = bad
    body = {**later(before), field: value}
    if value is None:
        del body[field]
    status, answer = put(api, tokens, session_id, body)
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == [field]
    assert all(e["message"].endswith(".") for e in answer["errors"])
    assert stored(session_id) == before


def test_the_times_must_be_in_order(api: Api, tokens: Tokens) -> None:
    (session_id,) = forum(2)
    before = stored(session_id)
    status, answer = put(api, tokens, session_id, details(
        before, ends_at=before.starts_at - timedelta(hours=1)))
    assert status == 422
    assert "Sluttidspunktet skal ligge efter start." in [e["message"] for e in answer["errors"]]
    assert stored(session_id) == before


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "secretariat"])
def test_every_other_group_is_refused_and_nothing_changes(api: Api, tokens: Tokens,
                                                          group: str) -> None:
    (session_id,) = forum(2)
    before = stored(session_id)
    theirs = bearer(tokens[group]["IdToken"])
    for method, path in (("PUT", f"/api/staff/sessions/{session_id}"),
                         ("POST", f"/api/staff/sessions/{session_id}/changes/preview")):
        status, answer = api.request(method, path, later(before), theirs)
        assert (status, answer["code"]) == (403, "forbidden"), path
    assert stored(session_id) == before


def test_a_cancel_link_works_until_the_session_starts_as_it_stands_when_pressed(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    """A link mailed before the session moved: later, it still works until the new start;
    earlier, it stops at the new start (it does not live on to the old one)."""
    (session_id,) = forum(2)
    mail = Mail(emulator)
    register(api, tokens, session_id, "link")
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    token = token_in(mail.take("link@example.dk", "Bekræftelse"))
    before = stored(session_id)
    assert put(api, tokens, session_id, later(before, days=40))[0] == 200
    assert api.request("GET", f"/api/registrations/cancel?token={token}")[0] == 200
    started = datetime.now(before.starts_at.tzinfo) - timedelta(hours=1)
    assert put(api, tokens, session_id, details(
        before, starts_at=started, ends_at=started + timedelta(hours=5),
        registration_deadline=started - timedelta(days=1)))[0] == 200
    for method, body in (("GET", None), ("POST", {"token": token})):
        path = "/api/registrations/cancel" + (f"?token={token}" if method == "GET" else "")
        status, answer = api.request(method, path, body)
        assert (status, answer["code"]) == (400, "invalid_token"), method
    assert [p["status"] for p in listed(api, tokens, session_id)] == ["confirmed"]
