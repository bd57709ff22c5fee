"""Forums and sessions made in the secretariat's forms: ids made from what is written (never
typed), the same form sent again answered with the same id, a second session in the same city
on the same day asked about first, and a session deleted only when it never had a
registration. On the in-memory stores; tests/integration/test_staff_forums.py runs the routes
on the emulator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import Conflict, NotFound
from shared.forums.catalogue import (
    Catalogue,
    candidate_ids,
    forum_id_of,
    session_id_of,
)
from shared.forums.catalogue_file import ForumDetails, SessionDetails
from shared.forums.models import SLUG
from shared.forums.registration.models import RegistrationForm
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations
from shared.platform.clock import COPENHAGEN
from shared.roles import Audience, Role
from tests.support.registration import MemoryCatalogueStore, MemoryRegistrationStore

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30),
                       timezones=st.just(UTC))


@given(TEXT)
def test_every_title_makes_a_valid_id_and_so_does_every_free_one_after_it(title: str) -> None:
    base = forum_id_of(title)
    assert all(re.fullmatch(SLUG, candidate) for candidate in candidate_ids(base))


@given(TEXT, MOMENTS)
def test_every_city_and_time_make_a_valid_id_ending_in_the_danish_date(
        city: str, starts: datetime) -> None:
    session_id = session_id_of(city, starts)
    assert all(re.fullmatch(SLUG, candidate) for candidate in candidate_ids(session_id))
    assert session_id.endswith("-" + starts.astimezone(COPENHAGEN).date().isoformat())


@given(st.lists(st.sampled_from(["æ", "ø", "å", "Æ", "Ø", "Å", "a", "b", " ", "-", "é"]),
                min_size=1, max_size=40))
def test_danish_letters_are_written_out_as_danes_do(letters: list[str]) -> None:
    title = "Ledelse " + "".join(letters)
    expected = "".join({"æ": "ae", "ø": "oe", "å": "aa", "é": "e"}.get(c.lower(), c.lower())
                       for c in letters)
    words = re.findall(r"[a-z0-9]+", "ledelse " + expected.replace("-", " "))
    assert forum_id_of(title) == "-".join(words)[:59].rstrip("-")


def test_the_ids_of_the_source_read_as_the_titles_and_cities() -> None:
    assert forum_id_of("Ledelse af skole-fritidsområdet") == "ledelse-af-skole-fritidsomraadet"
    assert forum_id_of("Ærø og Søllerød") == "aeroe-og-soelleroed"
    assert forum_id_of("!!!") == "forum"
    assert session_id_of("Kolding", datetime(2027, 3, 4, 9, 30, tzinfo=COPENHAGEN)) == \
        "kolding-2027-03-04"
    # 23.30 UTC on 3 March is 4 March in Denmark: the Danish day names the session.
    assert session_id_of("Århus C", datetime(2027, 3, 3, 23, 30, tzinfo=UTC)) == \
        "aarhus-c-2027-03-04"


# -- the forms on the in-memory catalogue -----------------------------------------------------

def details(**changes: object) -> SessionDetails:
    fields: dict[str, object] = {
        "city": "Kolding", "venue": "Comwell", "starts_at": "2099-03-04T09:30",
        "ends_at": "2099-03-04T15:30", "registration_deadline": "2099-02-25T12:00",
        "capacity": 30}
    return SessionDetails.model_validate(fields | changes)


def forum(catalogue: Catalogue, title: str = "Evalueringskultur",
          audience: Audience = Audience.LEADERS_OF_LEADERS) -> str:
    forum_id, _ = catalogue.create_forum(ForumDetails(title=title, description="Om data",
                                                      audience=audience))
    return forum_id


@given(TEXT.filter(lambda t: t.strip() != ""), TEXT)
def test_a_forum_sent_twice_is_made_once_and_another_of_the_same_id_gets_the_next(
        title: str, description: str) -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    try:
        sent = ForumDetails(title=title, description=description)
    except ValueError:
        return  # refused by the form's rules (a line break in the title, say)
    first, created = catalogue.create_forum(sent)
    assert created and re.fullmatch(SLUG, first)
    assert catalogue.create_forum(sent) == (first, False)
    assert len(store.forums()) == 1
    other = sent.model_copy(update={"description": description + " (ny)"})
    assert catalogue.create_forum(other) == (f"{first}-2", True)
    assert catalogue.create_forum(other) == (f"{first}-2", False)
    assert store.forum(first) == store.forum(first).model_copy(  # type: ignore[union-attr]
        update={"title": sent.title, "description": sent.description})


def test_changing_a_forum_changes_its_sessions_audience_and_keeps_its_id() -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    forum_id = forum(catalogue)
    session_id, _ = catalogue.create_session(forum_id, details())
    changed = ForumDetails(title="Nyt navn", description="Ny tekst",
                           audience=Audience.LEADERS_AND_ADMINISTRATION)
    catalogue.change_forum(forum_id, changed)
    assert store.forum(forum_id) is not None
    assert (store.forum(forum_id).title, store.audiences[session_id]) == (  # type: ignore[union-attr]
        "Nyt navn", Audience.LEADERS_AND_ADMINISTRATION)
    with pytest.raises(NotFound):
        catalogue.change_forum("findes-ikke", changed)


def test_a_session_sent_twice_is_made_once_and_a_second_the_same_day_is_asked_about() -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    forum_id = forum(catalogue)
    assert catalogue.create_session(forum_id, details()) == ("kolding-2099-03-04", True)
    assert catalogue.create_session(forum_id, details()) == ("kolding-2099-03-04", False)
    afternoon = details(venue="Kolding Hallerne", starts_at="2099-03-04T16:00",
                        ends_at="2099-03-04T19:00")
    with pytest.raises(Conflict) as asked:
        catalogue.create_session(forum_id, afternoon)
    assert asked.value.code == "same_city_and_day"
    assert "Kolding" in asked.value.message
    assert [s.id for s in store.sessions()] == ["kolding-2099-03-04"]
    assert catalogue.create_session(forum_id, afternoon, same_day_ok=True) == \
        ("kolding-2099-03-04-2", True)
    assert catalogue.create_session(forum_id, afternoon, same_day_ok=True) == \
        ("kolding-2099-03-04-2", False)
    # Another day, another city: no question.
    assert catalogue.create_session(forum_id, details(starts_at="2099-03-05T09:30",
                                                      ends_at="2099-03-05T15:30")) == \
        ("kolding-2099-03-05", True)
    # Another forum's session holds the id: the next free one, without asking.
    other = forum(catalogue, "Skole og fritid")
    assert catalogue.create_session(other, details()) == ("kolding-2099-03-04-3", True)
    session = store.session("kolding-2099-03-04-3")
    assert session is not None and session.forum_id == other
    assert session.status(datetime.now(UTC)).value == "open"
    with pytest.raises(NotFound):
        catalogue.create_session("findes-ikke", details())


def test_a_cancelled_session_the_same_day_is_not_asked_about() -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    forum_id = forum(catalogue)
    catalogue.create_session(forum_id, details())
    store.set_status("kolding-2099-03-04", cancelled=True)
    assert catalogue.create_session(forum_id, details(venue="Ny sal")) == \
        ("kolding-2099-03-04-2", True)


# -- deleting ----------------------------------------------------------------------------------

def registered(store: MemoryRegistrationStore, session_id: str, who: str) -> Registrations:
    service = Registrations(store, b"unit-secret")
    form = RegistrationForm(session_id=session_id, name="Deltager", email=f"{who}@example.dk",
                            role=Role.DISTRICT_LEADER, workplace="Vejle Kommune",
                            member_number="98765", consent=True)
    service.confirm_by_token(service.confirm_token(service.submit(form)))
    return service


def near(catalogue: Catalogue, forum_id: str) -> str:
    starts = datetime.now(COPENHAGEN) + timedelta(days=30)
    session_id, _ = catalogue.create_session(forum_id, SessionDetails(
        city="Vejle", starts_at=starts, ends_at=starts + timedelta(hours=4),
        registration_deadline=starts - timedelta(days=5), capacity=1))
    return session_id


def test_only_a_session_that_never_had_a_registration_is_deleted() -> None:
    sessions = MemoryCatalogueStore()
    store = MemoryRegistrationStore(sessions)
    catalogue, secretariat = Catalogue(sessions), Secretariat(store, sessions)
    forum_id = forum(catalogue)
    empty = near(catalogue, forum_id)
    secretariat.delete_session(empty)
    assert sessions.session(empty) is None
    with pytest.raises(NotFound):
        secretariat.delete_session(empty)

    used = near(catalogue, forum_id)
    registered(store, used, "a")
    registered(store, used, "b")  # waiting
    for registration in store.registrations(used):
        with pytest.raises(Conflict) as refused:
            secretariat.delete_session(used)
        assert refused.value.code == "session_had_registrations"
        secretariat.cancel(used, registration.id)
    # Everyone cancelled: no seat taken, nobody waiting, and still refused.
    state = store.session_state(used)
    assert state is not None and state.session.confirmed == 0 and not state.waiting
    with pytest.raises(Conflict):
        secretariat.delete_session(used)
    assert sessions.session(used) is not None


def test_a_registration_confirmed_after_the_session_is_deleted_is_refused_and_stores_nothing(
        ) -> None:
    sessions = MemoryCatalogueStore()
    store = MemoryRegistrationStore(sessions)
    catalogue = Catalogue(sessions)
    session_id = near(catalogue, forum(catalogue))
    service = Registrations(store, b"unit-secret")
    token = service.confirm_token(service.submit(RegistrationForm(
        session_id=session_id, name="Deltager", email="sen@example.dk",
        role=Role.DISTRICT_LEADER, workplace="Vejle", member_number="1", consent=True)))
    Secretariat(store, sessions).delete_session(session_id)
    with pytest.raises(NotFound) as refused:
        service.confirm_by_token(token)
    assert refused.value.code == "session_not_found"
    assert store.registrations(session_id) == []
