"""The catalogue file for bulk work, as the secretariat meets it: a field left out of a forum or
session that exists keeps its value (a file without `description` used to blank the public
description), the preview lists exactly what the import then changes, the same file twice
changes nothing the second time, and a new session beside another in the same city on the same
Danish day is refused until the secretariat says it is meant (a mistyped id used to make a
second Kolding session silently)."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.forums.catalogue import Catalogue
from shared.forums.catalogue_file import FORUM_FIELDS, SESSION_FIELDS
from shared.forums.models import TIME_AND_PLACE
from shared.roles import Audience
from tests.support.catalogue_files import (
    catalogue_files,
    partial_files,
)
from tests.support.registration import MemoryCatalogueStore

# Text a person types (no control, format or private-use characters, which fields refuse).














def snapshot(store: MemoryCatalogueStore) -> dict[str, dict[str, Any]]:
    """Every forum and session as stored, with each session's audience."""
    return {**{f"forum {f.id}": f.model_dump() for f in store.forums()},
            **{f"session {s.id}": {**s.model_dump(), "audience": store.audiences[s.id]}
               for s in store.sessions()}}


def changed_fields(before: dict[str, dict[str, Any]],
                   after: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Each item's changed fields (a session's audience follows its forum's, and its revision
    its time and place: neither listed)."""
    return {key: {n for n in value if before[key][n] != value[n]
                  and not (key.startswith("session") and n in ("audience", "revision"))}
            if key in before else {"new"} for key, value in after.items()}


def previewed(plan: Any) -> dict[str, set[str]]:
    return {f"{c.kind} {c.id}": ({"new"} if c.action == "new" else {f.field for f in c.fields})
            for c in plan.changes}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_fields_left_out_keep_their_value_and_the_preview_lists_exactly_what_changes(
        data: st.DataObject) -> None:
    whole = data.draw(catalogue_files())
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    catalogue.import_file(whole)
    partial = data.draw(partial_files(whole))
    before = snapshot(store)
    try:
        plan = catalogue.preview_file(deepcopy(partial))
    except InvalidInput:
        # A change that breaks a rule over several fields (a start after the kept end): the
        # import refuses it too, and nothing is written.
        with pytest.raises(InvalidInput):
            catalogue.import_file(partial)
        assert snapshot(store) == before
        return
    assert snapshot(store) == before  # a preview writes nothing
    catalogue.import_file(partial)
    after = snapshot(store)
    changed = changed_fields(before, after)
    assert previewed(plan) == {key: changed[key] for key in previewed(plan)}
    assert not any(changed[key] for key in changed if key not in previewed(plan))
    given_fields = {f"forum {f['id']}": set(f) & set(FORUM_FIELDS) for f in partial["forums"]}
    given_fields.update({f"session {s['id']}": set(s) & set(SESSION_FIELDS)
                         for f in partial["forums"] for s in f.get("sessions", [])})
    for s in store.sessions():  # registration checks the audience on the session
        assert store.audiences[s.id] == store.forum(s.forum_id).audience
    for key, value in after.items():
        if key.startswith("session") and key in before:
            # A new time or place is the session's next revision (told to everyone).
            moved = bool(changed[key] & set(TIME_AND_PLACE))
            assert value["revision"] == before[key]["revision"] + moved, key
        derived = {"audience", "revision"} if key.startswith("session") else set()
        kept = set(value) - given_fields.get(key, set()) - derived
        assert {n: value[n] for n in kept} == {n: before[key][n] for n in kept}, key


@settings(max_examples=40, deadline=None)
@given(whole=catalogue_files())
def test_the_same_file_twice_the_second_preview_says_nothing_changes(
        whole: dict[str, Any]) -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    first = catalogue.preview_file(whole)
    assert {c.action for c in first.changes} == {"new"}
    assert "Intet ændres." not in first.lines()
    catalogue.import_file(whole)
    stored = snapshot(store)
    again = catalogue.preview_file(whole)
    assert again.changes_nothing
    assert again.lines() == ["Intet ændres."]
    catalogue.import_file(whole)
    assert snapshot(store) == stored


def kolding(**fields: Any) -> dict[str, Any]:
    return {"id": "evalueringskultur-kolding", "city": "Kolding", "venue": "Comwell",
            "starts_at": "2031-03-04T09:30", "ends_at": "2031-03-04T15:30",
            "registration_deadline": "2031-02-25T12:00", "capacity": 30, **fields}


def forum(*sessions: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"forums": [{"id": "evalueringskultur", "title": "Evalueringskultur",
                        "description": "Om data i hverdagen.", "sessions": list(sessions),
                        **fields}]}


def test_a_file_without_the_description_keeps_the_public_description() -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    catalogue.import_file(forum(kolding()))
    catalogue.import_file({"forums": [{"id": "evalueringskultur", "sessions": [
        {"id": "evalueringskultur-kolding", "capacity": 40}]}]})
    assert store.forum("evalueringskultur").description == "Om data i hverdagen."
    session = store.session("evalueringskultur-kolding")
    assert (session.venue, session.capacity) == ("Comwell", 40)


def test_the_preview_names_the_change_in_danish_words() -> None:
    catalogue = Catalogue(MemoryCatalogueStore())
    catalogue.import_file(forum(kolding()))
    plan = catalogue.preview_file({"forums": [{"id": "evalueringskultur", "sessions": [
        {"id": "evalueringskultur-kolding", "capacity": 40,
         "starts_at": "2031-03-04T10:00"}]}]})
    assert plan.lines() == [
        "Ændret: Kolding 4. marts 2031: Start tirsdag den 4. marts 2031 kl. 09.30 → tirsdag den "
        "4. marts 2031 kl. 10.00, Antal pladser 30 → 40 (alle tilmeldte og dem på ventelisten "
        "får besked)", "Uændret: 1 lederforum."]


def test_a_new_session_without_its_required_fields_names_them_in_one_sentence() -> None:
    store = MemoryCatalogueStore()
    with pytest.raises(InvalidInput) as refused:
        Catalogue(store).import_file(forum({"id": "kolding-2027", "venue": "Comwell"}))
    assert [(e.field, e.message) for e in refused.value.errors] == [(
        "forums.0.sessions.0.city",
        "Mødet kolding-2027 findes ikke endnu, så det skal have by, start, slut, "
        "tilmeldingsfrist og antal pladser.")]
    assert store.forums() == []


def test_an_unknown_audience_names_the_forum_the_field_and_the_values_to_write() -> None:
    with pytest.raises(InvalidInput) as refused:
        Catalogue(MemoryCatalogueStore()).import_file(forum(audience="ledere"))
    assert [e.message for e in refused.value.errors] == [
        "Forum evalueringskultur, målgruppe: vælg en af leaders_of_leaders (ledere af "
        "ledere) eller leaders_and_administration (ledere af ledere og ansatte i "
        "forvaltningen)."]


@pytest.mark.parametrize(("stored_start", "new_start", "asks"), [
    ("2031-03-04T09:30", "2031-03-04T18:00", True),
    ("2031-03-04T23:30", "2031-03-04T00:30", True),  # the same Danish day
    ("2031-03-04T23:30", "2031-03-05T00:30+01:00", False),  # 23:30 UTC: the next Danish day
    ("2031-03-04T09:30", "2031-03-05T09:30", False),
])
def test_a_new_session_the_same_danish_day_in_the_same_city_asks_first(
        stored_start: str, new_start: str, asks: bool) -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    start = datetime.fromisoformat(stored_start)
    catalogue.import_file(forum(kolding(
        starts_at=stored_start, ends_at=(start + timedelta(minutes=20)).isoformat())))
    new = datetime.fromisoformat(new_start)
    typo = kolding(id="evalueringskultur-koldng", starts_at=new_start, city=" kolding ",
                   ends_at=(new + timedelta(minutes=20)).isoformat())
    plan = catalogue.preview_file(forum(typo))
    assert [(s.session_id, s.other_id) for s in plan.same_day] == (
        [("evalueringskultur-koldng", "evalueringskultur-kolding")] if asks else [])
    if not asks:
        catalogue.import_file(forum(typo))
        return
    assert plan.lines()[-1].startswith("Obs: Det nye møde evalueringskultur-koldng ligger i "
                                       "kolding samme dag som mødet evalueringskultur-kolding")
    with pytest.raises(InvalidInput) as refused:
        catalogue.import_file(forum(typo))
    (error,) = refused.value.errors
    assert (error.field, error.code) == ("same_day_ok", "same_day")
    assert "evalueringskultur-koldng" in error.message
    assert "evalueringskultur-kolding" in error.message
    assert store.session("evalueringskultur-koldng") is None
    catalogue.import_file(forum(typo), same_day_ok=True)
    assert store.session("evalueringskultur-koldng") is not None


def test_two_new_sessions_of_the_file_on_the_same_day_ask_first_and_a_cancelled_one_does_not(
        ) -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    two = forum(kolding(), kolding(id="evalueringskultur-kolding-eftermiddag",
                                   starts_at="2031-03-04T16:00", ends_at="2031-03-04T18:00"))
    assert [(s.session_id, s.other_id) for s in catalogue.preview_file(two).same_day] == [
        ("evalueringskultur-kolding-eftermiddag", "evalueringskultur-kolding")]
    catalogue.import_file(forum(kolding(status="cancelled")))
    again = forum(kolding(id="evalueringskultur-kolding-ny"))
    assert catalogue.preview_file(again).same_day == []


def test_capacity_below_the_seats_taken_is_refused_naming_the_session_and_nothing_changes(
        ) -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    catalogue.import_file(forum(kolding(), kolding(id="evalueringskultur-ballerup",
                                                    city="Ballerup")))
    store.take_seats("evalueringskultur-kolding", 12)
    before = snapshot(store)
    with pytest.raises(InvalidInput) as refused:
        catalogue.import_file({"forums": [{"id": "evalueringskultur", "title": "Ny titel",
                                           "sessions": [
            {"id": "evalueringskultur-kolding", "capacity": 10},
            {"id": "evalueringskultur-ballerup", "capacity": 5}]}]})
    assert [e.message for e in refused.value.errors] == [
        "Møde evalueringskultur-kolding, antal pladser: kapaciteten er lavere end antallet af "
        "bekræftede deltagere."]
    assert snapshot(store) == before


def test_a_changed_audience_reaches_every_session_of_the_forum_also_those_left_out() -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    catalogue.import_file(forum(kolding(), kolding(id="evalueringskultur-ballerup",
                                                    city="Ballerup")))
    catalogue.import_file({"forums": [{"id": "evalueringskultur",
                                       "audience": "leaders_and_administration"}]})
    assert set(store.audiences.values()) == {Audience.LEADERS_AND_ADMINISTRATION}


def test_a_session_moved_to_another_forum_whose_old_forum_changes_audience_is_written_once(
        ) -> None:
    """DynamoDB refuses a transaction that writes one item twice."""
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    catalogue.import_file({"forums": [
        *forum(kolding())["forums"], {"id": "andet-forum", "title": "Andet forum"}]})
    plan = catalogue.preview_file({"forums": [
        {"id": "evalueringskultur", "audience": "leaders_and_administration"},
        {"id": "andet-forum", "sessions": [{"id": "evalueringskultur-kolding"}]}]})
    written = [w.session.id for w in plan.sessions]
    assert written == ["evalueringskultur-kolding"]
    assert plan.sessions[0].session.forum_id == "andet-forum"
