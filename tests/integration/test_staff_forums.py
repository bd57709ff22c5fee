"""Forums and sessions in the secretariat's forms, through the staff API on the emulator:
created with ids made from what is written, the same form sent again answered with the same
id, per-field Danish errors with nothing stored, a forum's changes reaching its sessions, a
session deleted only when it never had a registration (also when one is confirmed while the
delete runs), and every route refused to every other group."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.errors import NotFound
from shared.forums.registration.models import RegistrationForm
from shared.forums.registration.service import Registrations
from shared.platform.clock import COPENHAGEN
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE, STAFF_GROUPS
from tests.integration.conftest import Api, bearer
from tests.support.interleavings import before_write

Tokens = dict[str, dict[str, Any]]
FORMS = settings(max_examples=12, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def catalogue() -> DynamoCatalogueStore:
    return DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))


def registrations() -> DynamoRegistrationStore:
    return DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                   parameter(PARAM_FORUMS_TABLE))


def as_group(tokens: Tokens, group: str = "secretariat") -> dict[str, str]:
    return bearer(tokens[group]["IdToken"])


def unique(title: str) -> str:
    return f"{title} {time.monotonic_ns()}"


def new_forum(api: Api, tokens: Tokens, title: str = "Evalueringskultur") -> str:
    status, body = api.request("POST", "/api/staff/forums", {
        "title": unique(title), "description": "Om data i hverdagen",
        "audience": "leaders_of_leaders"}, as_group(tokens))
    assert status == 201, body
    return str(body["id"])


def session_body(day: int = 40, **changes: Any) -> dict[str, Any]:
    """A session `day` days ahead, in Danish time without an offset, as the form sends it."""
    starts = (datetime.now(COPENHAGEN) + timedelta(days=day)).replace(
        hour=9, minute=30, second=0, microsecond=0, tzinfo=None)
    return {"city": "Kolding", "venue": "Comwell", "starts_at": starts.isoformat(),
            "ends_at": starts.replace(hour=15).isoformat(),
            "registration_deadline": (starts - timedelta(days=7)).isoformat(),
            "capacity": 2, **changes}


def new_session(api: Api, tokens: Tokens, forum_id: str, **changes: Any) -> str:
    status, body = api.request("POST", f"/api/staff/forums/{forum_id}/sessions",
                               session_body(**changes), as_group(tokens))
    assert status == 201, body
    return str(body["id"])


def register(session_id: str, who: str) -> None:
    service = Registrations(registrations(), b"secret")
    form = RegistrationForm(session_id=session_id, name=f"Deltager {who}",
                            email=f"{who}@example.dk", role="area_leader",
                            workplace="Vejle Kommune", member_number="123", consent=True)
    service.confirm_by_token(service.confirm_token(service.submit(form)))


# -- forums -------------------------------------------------------------------------------------

def test_a_forum_is_created_with_an_id_from_its_title_once_however_often_it_is_sent(
        api: Api, tokens: Tokens) -> None:
    title = unique("Ledelse af skole-fritidsområdet")
    sent = {"title": title, "description": "Ét forum", "audience": "leaders_and_administration"}
    status, body = api.request("POST", "/api/staff/forums", sent, as_group(tokens))
    assert status == 201
    forum_id = body["id"]
    assert forum_id.startswith("ledelse-af-skole-fritidsomraadet-")
    assert api.request("POST", "/api/staff/forums", sent, as_group(tokens)) == \
        (200, {"id": forum_id})
    stored = catalogue().forum(forum_id)
    assert stored is not None
    assert (stored.title, stored.description, stored.audience) == (
        title, "Ét forum", "leaders_and_administration")
    # Another forum whose title makes the same id: the next free one.
    status, other = api.request("POST", "/api/staff/forums", {**sent, "description": "Andet"},
                                as_group(tokens))
    assert (status, other) == (201, {"id": f"{forum_id}-2"})
    _, listed = api.request("GET", "/api/staff/forums", headers=as_group(tokens))
    shown = next(f for f in listed["forums"] if f["id"] == forum_id)
    assert shown["description"] == "Ét forum"


LETTERS = st.characters(categories=["L", "N"])
# The longest description in letters JSON sends as one byte each: within a request's 16 KB
# (beyond it the resolver answers 413 before any field is read).
ASCII = st.characters(min_codepoint=ord("a"), max_codepoint=ord("z"))
AUDIENCE_REFUSED = "Vælg en af: ledere af ledere, ledere af ledere og ansatte i forvaltningen."
BAD_FORUM = st.one_of(
    st.just(("title", "", "Feltet skal udfyldes.")),
    st.text(LETTERS, min_size=201, max_size=400).map(
        lambda t: ("title", t, "Teksten er for lang (højst 200 tegn).")),
    st.tuples(st.text(LETTERS, min_size=1, max_size=20), st.sampled_from(["\n", "\r", "\u2028"]),
              st.text(LETTERS, min_size=1, max_size=20)).map(
        lambda p: ("title", "".join(p), "Feltet må kun være én linje tekst.")),
    st.text(ASCII, min_size=4001, max_size=4100).map(
        lambda t: ("description", t, "Teksten er for lang (højst 4000 tegn).")),
    st.text(max_size=30).filter(lambda t: t not in ("leaders_of_leaders",
                                                     "leaders_and_administration")).map(
        lambda t: ("audience", t, AUDIENCE_REFUSED)),
    st.just(("audience", 3, None)),
)


@FORMS
@given(bad=BAD_FORUM, put=st.booleans())
def test_a_forum_form_in_error_answers_each_field_in_danish_and_stores_nothing(
        api: Api, tokens: Tokens, bad: tuple[str, Any, str | None], put: bool) -> None:
    field, value, message = bad
    before = catalogue().forums()
    target = f"/api/staff/forums/{before[0].id}" if put and before else "/api/staff/forums"
    status, body = api.request("PUT" if put and before else "POST", target, {
        "title": "Et forum", "description": "", "audience": "leaders_of_leaders",
        field: value}, as_group(tokens))
    assert status == 422, body
    (error,) = body["errors"]
    assert error["field"] == field
    assert message is None or error["message"] == message
    assert "forums." not in error["message"] and error["message"].endswith(".")
    assert catalogue().forums() == before


def test_a_forum_changed_keeps_its_id_and_its_sessions_take_the_new_audience(
        api: Api, tokens: Tokens) -> None:
    forum_id = new_forum(api, tokens)
    session_id = new_session(api, tokens, forum_id)
    changed = {"title": "Nyt navn", "description": "Ny tekst",
               "audience": "leaders_and_administration"}
    status, body = api.request("PUT", f"/api/staff/forums/{forum_id}", changed,
                               as_group(tokens))
    assert (status, body) == (200, {"id": forum_id})
    assert api.request("PUT", f"/api/staff/forums/{forum_id}", changed,
                       as_group(tokens)) == (200, {"id": forum_id})
    stored = catalogue().forum(forum_id)
    assert stored is not None and (stored.title, stored.description) == ("Nyt navn",
                                                                         "Ny tekst")
    state = registrations().session_state(session_id)
    assert state is not None and state.audience == "leaders_and_administration"
    for missing in ("findes-ikke", "IKKE_ET_ID"):
        status, body = api.request("PUT", f"/api/staff/forums/{missing}", changed,
                                   as_group(tokens))
        assert (status, body["code"]) == (404, "forum_not_found")
    assert catalogue().forum("findes-ikke") is None


# -- sessions -----------------------------------------------------------------------------------

def test_a_session_is_created_open_with_an_id_from_city_and_danish_date_once(
        api: Api, tokens: Tokens) -> None:
    forum_id = new_forum(api, tokens)
    sent = session_body(city="Århus", day=41)
    day = sent["starts_at"][:10]
    path = f"/api/staff/forums/{forum_id}/sessions"
    status, body = api.request("POST", path, sent, as_group(tokens))
    first = body["id"]
    assert status == 201 and first in (f"aarhus-{day}", *(f"aarhus-{day}-{n}" for n in
                                                          range(2, 99))), body
    assert api.request("POST", path, sent, as_group(tokens)) == (200, {"id": first})
    stored = catalogue().session(first)
    assert stored is not None and stored.forum_id == forum_id
    assert stored.starts_at == datetime.fromisoformat(sent["starts_at"]).replace(
        tzinfo=COPENHAGEN)
    assert stored.status(datetime.now(UTC)) == "open" and stored.capacity == 2
    # The same city the same day: asked first, nothing stored.
    afternoon = {**sent, "venue": "Hallen", "starts_at": sent["starts_at"][:10] + "T16:00",
                 "ends_at": sent["starts_at"][:10] + "T18:00"}
    status, body = api.request("POST", path, afternoon, as_group(tokens))
    assert (status, body["code"]) == (409, "same_city_and_day")
    assert body["message"].startswith("Der er allerede et møde i Århus den dag.")
    assert [s.id for s in catalogue().sessions(forum_id)] == [first]
    status, body = api.request("POST", path, {**afternoon, "same_day_ok": True},
                               as_group(tokens))
    assert status == 201 and body["id"].startswith(f"aarhus-{day}-")
    assert api.request("POST", path, {**afternoon, "same_day_ok": True},
                       as_group(tokens)) == (200, body)
    assert len(catalogue().sessions(forum_id)) == 2
    status, body = api.request("POST", "/api/staff/forums/findes-ikke/sessions", sent,
                               as_group(tokens))
    assert (status, body["code"]) == (404, "forum_not_found")


BAD_SESSION = st.sampled_from([
    ("city", "", "city", "Feltet skal udfyldes."),
    ("capacity", 0, "capacity", "Tallet skal være mindst 1."),
    ("capacity", "mange", "capacity", "Feltet skal være et helt tal."),
    ("starts_at", "i morgen", "starts_at", None),
    ("starts_at", "1999-01-01T10:00", "starts_at", None),
    ("ends_at", "2000-01-01T10:00", "ends_at", "Sluttidspunktet skal ligge efter start."),
    ("registration_deadline", "2100-12-01T10:00", "registration_deadline",
     "Tilmeldingsfristen skal ligge før mødets start."),
    ("id", "kolding-1", "id", "Feltet kendes ikke."),
])


@FORMS
@given(bad=BAD_SESSION)
def test_a_session_form_in_error_answers_the_field_in_danish_and_stores_nothing(
        api: Api, tokens: Tokens, bad: tuple[str, Any, str, str | None]) -> None:
    forum_id = catalogue().forums()[0].id if catalogue().forums() else new_forum(api, tokens)
    field, value, named, message = bad
    before = catalogue().sessions(forum_id)
    status, body = api.request("POST", f"/api/staff/forums/{forum_id}/sessions",
                               {**session_body(), field: value}, as_group(tokens))
    assert status == 422, body
    (error,) = body["errors"]
    assert error["field"] == named
    assert message is None or error["message"] == message
    assert catalogue().sessions(forum_id) == before


# -- deleting a session -------------------------------------------------------------------------

def test_a_session_nobody_registered_for_is_deleted_and_then_is_gone(
        api: Api, tokens: Tokens) -> None:
    forum_id = new_forum(api, tokens)
    session_id = new_session(api, tokens, forum_id)
    _, listed = api.request("GET", "/api/staff/forums", headers=as_group(tokens))
    (shown,) = next(f for f in listed["forums"] if f["id"] == forum_id)["sessions"]
    assert shown["deletable"] is True
    assert api.request("DELETE", f"/api/staff/sessions/{session_id}",
                       headers=as_group(tokens)) == (204, None)
    assert catalogue().session(session_id) is None
    status, body = api.request("DELETE", f"/api/staff/sessions/{session_id}",
                               headers=as_group(tokens))
    assert (status, body["code"]) == (404, "session_not_found")


def test_a_session_that_had_a_registration_is_refused_even_when_all_are_cancelled(
        api: Api, tokens: Tokens) -> None:
    forum_id = new_forum(api, tokens)
    session_id = new_session(api, tokens, forum_id)
    register(session_id, f"a{time.monotonic_ns()}")
    register(session_id, f"b{time.monotonic_ns()}")  # waiting: two seats, so a third
    register(session_id, f"c{time.monotonic_ns()}")
    people = registrations().registrations(session_id)
    for person in people:
        status, body = api.request("DELETE", f"/api/staff/sessions/{session_id}",
                                   headers=as_group(tokens))
        assert (status, body["code"]) == (409, "session_had_registrations")
        assert "Aflys det i stedet" in body["message"]
        assert api.request("POST", f"/api/staff/registrations/{session_id}~{person.id}/cancel",
                           headers=as_group(tokens))[0] == 200
    state = registrations().session_state(session_id)
    assert state is not None and state.session.confirmed == 0 and state.waiting == []
    status, body = api.request("DELETE", f"/api/staff/sessions/{session_id}",
                               headers=as_group(tokens))
    assert (status, body["code"]) == (409, "session_had_registrations")
    assert catalogue().session(session_id) is not None
    _, listed = api.request("GET", "/api/staff/forums", headers=as_group(tokens))
    (shown,) = next(f for f in listed["forums"] if f["id"] == forum_id)["sessions"]
    assert shown["deletable"] is False


def test_a_registration_confirmed_while_the_delete_runs_makes_the_delete_refuse(
        api: Api, tokens: Tokens) -> None:
    """The registrations are read (none), then someone confirms, then the delete: it finds a
    seat taken and refuses; the session and the seat stay."""
    forum_id = new_forum(api, tokens)
    session_id = new_session(api, tokens, forum_id)
    who = f"midt{time.monotonic_ns()}"
    with before_write("DeleteItem", lambda: register(session_id, who)) as done:
        status, body = api.request("DELETE", f"/api/staff/sessions/{session_id}",
                                   headers=as_group(tokens))
    assert done == ["DeleteItem"]
    assert (status, body["code"]) == (409, "session_had_registrations")
    session = catalogue().session(session_id)
    assert session is not None and session.confirmed == 1
    assert [r.email for r in registrations().registrations(session_id)] == [f"{who}@example.dk"]


def test_a_registration_confirmed_after_the_delete_finds_no_session_and_stores_nothing(
        api: Api, tokens: Tokens) -> None:
    """The other order: the person's confirmation reads the session, the delete runs before
    its transaction, which conditions on the session item existing: refused, nothing kept."""
    forum_id = new_forum(api, tokens)
    session_id = new_session(api, tokens, forum_id)
    service = Registrations(registrations(), b"secret")
    token = service.confirm_token(service.submit(RegistrationForm(
        session_id=session_id, name="Deltager", email=f"sen{time.monotonic_ns()}@example.dk",
        role="area_leader", workplace="Vejle Kommune", member_number="123", consent=True)))

    def delete() -> None:
        assert api.request("DELETE", f"/api/staff/sessions/{session_id}",
                           headers=as_group(tokens)) == (204, None)

    with before_write("TransactWriteItems", delete) as done, pytest.raises(NotFound) as refused:
        service.confirm_by_token(token)
    assert done == ["TransactWriteItems"]
    assert refused.value.code == "session_not_found"
    assert catalogue().session(session_id) is None
    assert registrations().registrations(session_id) == []


# -- other groups ------------------------------------------------------------------------------

@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "secretariat"])
def test_every_other_group_gets_403_on_the_forms_routes_and_nothing_changes(
        api: Api, tokens: Tokens, emulator: Emulator, group: str) -> None:
    forum_id = new_forum(api, tokens)
    session_id = new_session(api, tokens, forum_id)
    forums, sessions = catalogue().forums(), catalogue().sessions()
    forum_body = {"title": "Andet", "description": "", "audience": "leaders_of_leaders"}
    for method, path, body in (
            ("POST", "/api/staff/forums", forum_body),
            ("PUT", f"/api/staff/forums/{forum_id}", forum_body),
            ("POST", f"/api/staff/forums/{forum_id}/sessions", session_body(day=50)),
            ("DELETE", f"/api/staff/sessions/{session_id}", None)):
        status, answer = api.request(method, path, body, as_group(tokens, group))
        assert (status, answer["code"]) == (403, "forbidden"), (method, path)
    assert catalogue().forums() == forums
    assert catalogue().sessions() == sessions
