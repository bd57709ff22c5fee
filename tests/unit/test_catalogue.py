"""The forum catalogue as the public and the secretariat see it."""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, date, datetime, timedelta

import pytest

from local import demo
from shared.errors import InvalidInput, NotFound
from shared.forums.catalogue import Catalogue
from tests.support.registration import MemoryCatalogueStore

TODAY = date(2027, 1, 10)
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def make(now: datetime = NOW) -> tuple[Catalogue, MemoryCatalogueStore]:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store, clock=lambda: now)
    catalogue.import_file(demo.catalogue(TODAY))
    return catalogue, store


def test_demo_catalogue_lists_the_three_forums_of_the_source_with_their_cities() -> None:
    catalogue, _ = make()
    listing = catalogue.list_forums()
    titles = {f.title for f in listing.forums}
    assert titles == {
        "Evalueringskultur og datainformeret ledelse",
        "Ledelse af skole-fritidsområdet",
        "Ledelseskommissionens anbefalinger",
    }
    cities = {f.id: [s.city for s in f.sessions] for f in listing.forums}
    assert cities["evalueringskultur"] == ["Kolding", "Ballerup"]
    kommission = next(f for f in listing.forums if f.id == "ledelseskommissionen")
    assert kommission.audience == "leaders_and_administration"


def test_times_are_shown_in_copenhagen_time_with_offset() -> None:
    catalogue, _ = make()
    session = catalogue.get_forum("evalueringskultur").sessions[0]
    assert session.starts_at.endswith("T09:30:00+01:00")  # January: CET
    assert session.status == "open" and session.seats_left == session.capacity


def test_status_follows_seats_deadline_and_secretariat() -> None:
    catalogue, store = make()
    store.take_seats("skole-fritid-odense", 30)
    odense = catalogue.get_forum("skole-fritid").sessions[0]
    assert (odense.status, odense.seats_left) == ("full", 0)

    after_deadline = NOW + timedelta(days=60)
    late, _ = make(after_deadline)
    assert late.get_forum("skole-fritid").sessions[0].status == "closed"

    data = demo.catalogue(TODAY)  # a new session takes the file's status
    data["forums"][1]["sessions"][0]["status"] = "cancelled"
    fresh = Catalogue(MemoryCatalogueStore(), clock=lambda: NOW)
    fresh.import_file(data)
    assert fresh.get_forum("skole-fritid").sessions[0].status == "cancelled"


def test_a_reimport_keeps_the_status_the_secretariat_set() -> None:
    catalogue, _ = make()
    data = demo.catalogue(TODAY)
    data["forums"][1]["sessions"][0]["status"] = "cancelled"
    catalogue.import_file(data)  # the session exists: its status is the secretariat's
    assert catalogue.get_forum("skole-fritid").sessions[0].status == "open"


def test_past_sessions_leave_the_public_list() -> None:
    catalogue, _ = make(NOW + timedelta(days=400))
    assert catalogue.list_forums().forums == []


def test_unknown_forum_is_not_found() -> None:
    catalogue, _ = make()
    with pytest.raises(NotFound):
        catalogue.get_forum("findes-ikke")


def test_import_is_an_upsert_that_keeps_taken_seats() -> None:
    catalogue, store = make()
    store.take_seats("evalueringskultur-kolding", 5)
    data = demo.catalogue(TODAY)
    data["forums"][0]["sessions"][0]["venue"] = "Ny adresse"
    result = catalogue.import_file(data)
    session = catalogue.get_forum("evalueringskultur").sessions[0]
    assert (session.venue, session.seats_left) == ("Ny adresse", 35)
    assert (result.forums, result.sessions) == (3, 5)


def test_capacity_below_taken_seats_is_refused_per_session() -> None:
    catalogue, store = make()
    store.take_seats("evalueringskultur-kolding", 10)
    data = demo.catalogue(TODAY)
    data["forums"][0]["sessions"][0]["capacity"] = 5
    with pytest.raises(InvalidInput) as refused:
        catalogue.import_file(data)
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("sessions.evalueringskultur-kolding.capacity", "capacity_below_confirmed")
    ]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (lambda s: s.update(capacity=0), "forums.0.sessions.0.capacity", "too_small"),
        (lambda s: s.pop("city"), "forums.0.sessions.0.city", "required"),
        (lambda s: s.update(id="Har Mellemrum"), "forums.0.sessions.0.id", "invalid_format"),
        (lambda s: s.update(ends_at=s["starts_at"]), "forums.0.sessions.0.ends_at",
         "ends_before_start"),
        (lambda s: s.update(registration_deadline="2099-01-01T00:00:00+01:00"),
         "forums.0.sessions.0.registration_deadline", "deadline_after_start"),
        (lambda s: s.update(starts_at="i morgen"), "forums.0.sessions.0.starts_at",
         "invalid_datetime"),
        (lambda s: s.update(colour="blue"), "forums.0.sessions.0.colour", "unknown_field"),
    ],
)
def test_import_errors_name_the_field_in_danish_and_store_nothing(change, field, code) -> None:  # type: ignore[no-untyped-def]
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store, clock=lambda: NOW)
    data = deepcopy(demo.catalogue(TODAY))
    change(data["forums"][0]["sessions"][0])
    with pytest.raises(InvalidInput) as refused:
        catalogue.import_file(data)
    errors = {e.field: e for e in refused.value.errors}
    assert field in errors and errors[field].code == code
    assert errors[field].message and errors[field].message[0].isupper()
    assert store.forums() == [] and store.sessions() == []


def test_duplicate_session_ids_are_refused() -> None:
    data = demo.catalogue(TODAY)
    data["forums"][1]["sessions"][0]["id"] = "evalueringskultur-kolding"
    with pytest.raises(InvalidInput) as refused:
        Catalogue(MemoryCatalogueStore()).import_file(data)
    assert refused.value.errors[0].code == "duplicate_session_id"


def test_naive_times_in_the_file_are_danish_wall_clock_times() -> None:
    data = demo.catalogue(TODAY)
    session = data["forums"][0]["sessions"][0]
    session.update(starts_at="2027-06-01T09:30", ends_at="2027-06-01T15:00",
                   registration_deadline="2027-05-20T12:00")
    catalogue = Catalogue(MemoryCatalogueStore(), clock=lambda: NOW)
    catalogue.import_file(data)
    shown = catalogue.get_forum("evalueringskultur").sessions
    assert any(s.starts_at == "2027-06-01T09:30:00+02:00" for s in shown)  # summer: CEST


def test_a_yaml_file_with_anchors_is_refused_before_it_is_expanded() -> None:
    """Nine lines of anchors stand for a billion entries: refused as a whole, at once, and
    nothing stored; the same catalogue written out in full imports."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
        for i in range(8))
    store = MemoryCatalogueStore()
    with pytest.raises(InvalidInput) as refused:
        Catalogue(store).import_text("forums: []\n" + bomb, filename="katalog.yaml")
    assert [(e.field, e.code) for e in refused.value.errors] == [("file", "yaml_alias")]
    assert store.forums() == []
    written_out = ("forums:\n  - id: skrevet-ud\n    title: Skrevet ud\n    sessions: []\n")
    assert Catalogue(store).import_text(written_out, filename="katalog.yml").forums == 1
