"""The secretariat's work on one participant through the staff API: registering someone who
phoned or wrote (and the email they get), cancelling one, moving one to another session of
the forum, each route refused to every other group."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.forums.registration.models import StaffRegistrationForm, Status
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE, STAFF_GROUPS
from tests.integration.conftest import Api, bearer
from tests.support.interleavings import before_write
from tests.support.participants import Tokens, forum, listed, person, register, seats, secretariat
from tests.support.registration_emulator import SECRET, Mail, deliver, form, text_of, token_in


def test_a_person_who_phoned_is_registered_at_once_and_gets_the_confirmation_email(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    (session,) = forum(1)
    mail = Mail(emulator)
    status, answer = register(api, tokens, session, "telefon")
    assert status == 201 and answer["status"] == "confirmed"
    assert "waitlist_position" not in answer or answer["waitlist_position"] is None
    (row,) = listed(api, tokens, session)
    assert row["id"] == answer["id"] and row["id"].startswith(f"{session}~")
    assert (row["name"], row["status"], row["needs"]) == ("Deltager telefon", "confirmed",
                                                          "Vegetar")
    assert seats(session) == 1
    store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                    parameter(PARAM_FORUMS_TABLE))
    stored = store.get(session, answer["id"].split("~")[1])
    assert stored is not None and stored.entered_by == "secretariat@staff.example.dk"
    assert stored.asked_by == "telefon" and stored.submission is None

    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    confirmation = mail.take("telefon@example.dk", "Bekræftelse")
    assert "Kære Deltager telefon" in text_of(confirmation)
    attachment = next(confirmation.iter_attachments())
    assert attachment.get_filename() == "forum.ics"
    assert "Vejle" in str(Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0][
        "location"])
    # The cancel link in it works as any participant's does.
    assert api.request("POST", "/api/registrations/cancel",
                       {"token": token_in(confirmation)}) == (200, {"status": "cancelled"})
    assert seats(session) == 0


def test_a_full_session_puts_them_on_the_waiting_list_and_a_repeat_changes_nothing(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    (session,) = forum(1)
    assert register(api, tokens, session, "foerst")[0] == 201
    mail = Mail(emulator)
    status, answer = register(api, tokens, session, "venter", asked_by="e-mail")
    assert (status, answer["status"], answer["waitlist_position"]) == (201, "waitlisted", 1)
    # The same person again (another case, another staff member typing): the same
    # registration, answered as it stands, nothing stored twice.
    again = register(api, tokens, session, "venter", email="VENTER@example.dk", name="Anden")
    assert again == (200, answer)
    assert [p["name"] for p in listed(api, tokens, session)] == ["Deltager foerst",
                                                                 "Deltager venter"]
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    (waiting,) = mail.new_messages()
    assert waiting["To"] == "venter@example.dk" and "nummer 1" in text_of(waiting)


BAD = {
    "name": ["", "x" * 201, "Anne\x1b[31m", None],
    "email": ["", "ikke@", "anne@@example.dk", None],
    "phone": ["ikke et nummer", "1" * 40],
    "role": ["", "direktør", None],
    "workplace": ["", "x" * 201, None],
    "member_number": ["", "12 34!", "x" * 21, None],  # a leader of leaders gives theirs
    "needs": ["x" * 501],
    "asked_by": ["", "brev", None],
}


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.sampled_from([(f, v) for f, values in BAD.items() for v in values]))
def test_bad_input_is_refused_per_field_in_danish_and_nothing_is_stored(
        api: Api, tokens: Tokens, bad: tuple[str, Any]) -> None:
    (session,) = forum(2)
    field, value = bad
    status, answer = api.request("POST", f"/api/staff/sessions/{session}/registrations",
                                 person("forkert") | {field: value}, secretariat(tokens))
    assert status == 422, bad
    assert field in {e["field"] for e in answer["errors"]}
    assert all(e["message"] for e in answer["errors"])
    assert listed(api, tokens, session) == [] and seats(session) == 0


def test_a_closed_session_or_another_audience_refuses_as_the_form_does(
        api: Api, tokens: Tokens) -> None:
    (session,) = forum(2)
    status, answer = register(api, tokens, session, "ukendt", role="administration")
    assert status == 409 and answer["code"] == "audience_not_admitted"
    api.request("POST", f"/api/staff/sessions/{session}/close", headers=secretariat(tokens))
    status, answer = register(api, tokens, session, "lukket")
    assert (status, answer["code"]) == (409, "session_closed")
    assert register(api, tokens, "findes-ikke", "x")[0] == 404
    assert listed(api, tokens, session) == []


def test_cancelling_one_gives_the_seat_to_the_first_waiting_who_is_told(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    (session,) = forum(1)
    first = register(api, tokens, session, "afmeldes")[1]["id"]
    register(api, tokens, session, "rykker")
    mail = Mail(emulator)
    path = f"/api/staff/registrations/{first}/cancel"
    assert api.request("POST", path, headers=secretariat(tokens)) == (
        200, {"status": "cancelled"})
    assert api.request("POST", path, headers=secretariat(tokens)) == (
        200, {"status": "cancelled"})  # again: nothing more happens
    assert [(p["name"], p["status"]) for p in listed(api, tokens, session)] == [
        ("Deltager rykker", "confirmed"), ("Deltager afmeldes", "cancelled")]
    assert seats(session) == 1
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert mail.take("rykker@example.dk", "Du har fået en plads")
    assert mail.take("afmeldes@example.dk", "Afmeldt")


@pytest.mark.parametrize("action", ["cancel", "move"])
def test_a_malformed_id_is_422_and_an_unknown_one_404(api: Api, tokens: Tokens,
                                                      action: str) -> None:
    (session,) = forum(1)
    for bad in ("nogen", f"{session}~", "STOR~aaaaaaaaaaaaaaaaaaaa", f"{session}~{'a' * 21}"):
        status, answer = api.request("POST", f"/api/staff/registrations/{bad}/{action}",
                                     {"session_id": session}, secretariat(tokens))
        assert status == 422, bad
        assert answer["errors"][0]["message"] == "Tilmeldingens id er ugyldigt."
    status, answer = api.request(
        "POST", f"/api/staff/registrations/{session}~{'a' * 20}/{action}",
        {"session_id": session}, secretariat(tokens))
    assert (status, answer["code"]) == (404, "registration_not_found")


def test_moving_one_takes_a_seat_there_and_gives_theirs_to_the_first_in_line_here(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    here, there = forum(1, 1)
    moving = register(api, tokens, here, "flytter")[1]["id"]
    register(api, tokens, here, "venter")
    mail = Mail(emulator)
    path = f"/api/staff/registrations/{moving}/move"
    assert api.request("POST", path, {"session_id": there}, secretariat(tokens)) == (
        200, {"status": "confirmed", "waitlist_position": None})
    # Repeated: the move is done, answered the same, nothing changes.
    assert api.request("POST", path, {"session_id": there}, secretariat(tokens)) == (
        200, {"status": "confirmed", "waitlist_position": None})
    assert [(p["name"], p["status"]) for p in listed(api, tokens, here)] == [
        ("Deltager venter", "confirmed"), ("Deltager flytter", "cancelled")]
    (moved,) = listed(api, tokens, there)
    assert (moved["name"], moved["needs"], moved["status"]) == ("Deltager flytter", "Vegetar",
                                                                "confirmed")
    assert (seats(here), seats(there)) == (1, 1)
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert "Aarhus" in text_of(mail.take("flytter@example.dk", "Bekræftelse"))
    assert mail.take("venter@example.dk", "Du har fået en plads")

    # Into a full session: the end of its line.
    other = register(api, tokens, here, "anden")[1]["id"]
    status, answer = api.request("POST", f"/api/staff/registrations/{other}/move",
                                 {"session_id": there}, secretariat(tokens))
    assert (status, answer) == (200, {"status": "waitlisted", "waitlist_position": 1})


def test_a_move_interrupted_after_its_first_step_is_finished_by_repeating_it(
        api: Api, tokens: Tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    here, there = forum(2, 2)
    moving = register(api, tokens, here, "afbrudt")[1]["id"]

    def fails(*_: Any, **__: Any) -> bool:
        raise RuntimeError("the second step failed")

    path = f"/api/staff/registrations/{moving}/move"
    with monkeypatch.context() as patched:
        patched.setattr(Secretariat, "cancel", fails)
        assert api.request("POST", path, {"session_id": there},
                           secretariat(tokens))[0] == 500
    # Never without a seat: both held for the moment.
    assert (seats(here), seats(there)) == (1, 1)
    assert api.request("POST", path, {"session_id": there}, secretariat(tokens)) == (
        200, {"status": "confirmed", "waitlist_position": None})
    assert (seats(here), seats(there)) == (0, 1)
    assert [p["status"] for p in listed(api, tokens, here)] == ["cancelled"]


def test_a_move_is_refused_to_another_forum_the_same_session_a_closed_one_and_a_double(
        api: Api, tokens: Tokens) -> None:
    here, there, closed = forum(2, 2, 2)
    (elsewhere,) = forum(2)
    moving = register(api, tokens, here, "blive")[1]["id"]
    register(api, tokens, there, "blive")  # already registered there
    api.request("POST", f"/api/staff/sessions/{closed}/close", headers=secretariat(tokens))
    path = f"/api/staff/registrations/{moving}/move"
    for target, code in ((elsewhere, "other_forum"), (here, "same_session"),
                         (there, "already_registered"), (closed, "session_closed")):
        status, answer = api.request("POST", path, {"session_id": target}, secretariat(tokens))
        assert (status, answer["code"]) == (409, code), target
        assert answer["message"].endswith(".")  # told in a sentence
    assert api.request("POST", path, {"session_id": "findes-ikke"},
                       secretariat(tokens))[0] == 404
    assert api.request("POST", path, {"session_id": "IKKE GYLDIG"},
                       secretariat(tokens))[0] == 422
    assert [p["status"] for p in listed(api, tokens, here)] == ["confirmed"]
    api.request("POST", f"/api/staff/registrations/{moving}/cancel",
                headers=secretariat(tokens))
    status, answer = api.request("POST", path, {"session_id": closed}, secretariat(tokens))
    assert (status, answer["code"]) == (409, "registration_cancelled")


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "secretariat"])
def test_every_other_group_is_refused_and_nothing_changes(api: Api, tokens: Tokens,
                                                          group: str) -> None:
    here, there = forum(1, 1)
    moving = register(api, tokens, here, "bliver")[1]["id"]
    theirs = bearer(tokens[group]["IdToken"])
    for path, body in ((f"/api/staff/sessions/{here}/registrations", person("fremmed")),
                       (f"/api/staff/registrations/{moving}/cancel", None),
                       (f"/api/staff/registrations/{moving}/move", {"session_id": there})):
        status, answer = api.request("POST", path, body, theirs)
        assert (status, answer["code"]) == (403, "forbidden"), path
    assert [(p["name"], p["status"]) for p in listed(api, tokens, here)] == [
        ("Deltager bliver", "confirmed")]
    assert listed(api, tokens, there) == []


# -- interleavings: another step lands between the secretariat's reads and its write --------

def _stores(emulator: Emulator) -> tuple[DynamoRegistrationStore, DynamoRegistrationStore]:
    """The store this process hooks, and the store as another process sees it."""
    tables = parameter(PARAM_REGISTRATIONS_TABLE), parameter(PARAM_FORUMS_TABLE)
    return (DynamoRegistrationStore(*tables),
            DynamoRegistrationStore(*tables, dynamodb=emulator.client("dynamodb")))


def _secretariat(store: DynamoRegistrationStore) -> Secretariat:
    return Secretariat(store, DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)),
                       registration_id=Registrations(store, SECRET).registration_id)


def test_the_owner_confirming_while_the_secretariat_registers_them_makes_one_registration(
        emulator: Emulator) -> None:
    (session,) = forum(2)
    store, other = _stores(emulator)
    owner = Registrations(other, SECRET)
    token = owner.confirm_token(owner.submit(form(session, "begge")))
    staff = StaffRegistrationForm.model_validate(
        {**person("x"), "email": "deltagerbegge@example.dk", "role": "area_leader"})
    with before_write("TransactWriteItems", lambda: owner.confirm_by_token(token)) as ran:
        placed = _secretariat(store).register(session, staff, by="sekretariat@example.dk")
    assert ran
    assert not placed.created and placed.answer.status is Status.CONFIRMED
    assert placed.registration.entered_by is None  # the owner's own, left as it was
    assert [r.status for r in store.registrations(session)] == [Status.CONFIRMED]
    assert seats(session) == 1


def test_a_move_whose_last_seat_is_taken_meanwhile_joins_the_line_there(
        emulator: Emulator) -> None:
    here, there = forum(1, 1)
    store, other = _stores(emulator)
    moving = _secretariat(store).register(
        here, StaffRegistrationForm.model_validate(person("flyttes")), by="s@example.dk")
    quick = Registrations(other, SECRET)
    token = quick.confirm_token(quick.submit(form(there, "hurtig")))
    with before_write("TransactWriteItems", lambda: quick.confirm_by_token(token)) as ran:
        placed = _secretariat(store).move(here, moving.registration.id, there, by="s@example.dk")
    assert ran
    assert (placed.answer.status, placed.answer.waitlist_position) == (Status.WAITLISTED, 1)
    assert (seats(here), seats(there)) == (0, 1)
    assert store.waiting(there) == [placed.registration.id]
