"""The secretariat's change of a session, on the in-memory stores: the preview says what
saving does (fields, who is told, who is promoted) and saving does exactly that; the Danish
sentence reads right for any count; an email delivered late is still sent, with the session
as it stands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from shared.errors import InvalidInput
from shared.forums.catalogue_file import SessionDetails
from shared.forums.models import Forum, Session
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.mail import Notifier
from shared.forums.registration.models import StaffRegistrationForm, Status
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations
from shared.forums.registration.session_changes import SessionChange, SessionChanges
from shared.links import Links
from shared.roles import Audience
from tests.support.registration import MemoryCatalogueStore, MemoryOutbox, MemoryRegistrationStore

SECRET = b"unit-secret"
STARTS = datetime(2027, 3, 4, 8, 30, tzinfo=UTC)


class World:
    def __init__(self, capacity: int) -> None:
        self.catalogue = MemoryCatalogueStore()
        self.store = MemoryRegistrationStore(self.catalogue)
        self.outbox = MemoryOutbox()
        self.now = STARTS - timedelta(days=30)
        self.notifier = Notifier(RegistrationLinks(SECRET, clock=lambda: self.now), self.store,
                                 self.catalogue, self.store, self.outbox,
                                 Links("https://ledere.example.dk"), clock=lambda: self.now)
        self.catalogue.put_forum(Forum(id="forum", title="Forum"))
        self.catalogue.put_session(Session(
            id="kolding", forum_id="forum", city="Kolding", venue="Koldinghus",
            starts_at=STARTS, ends_at=STARTS + timedelta(hours=6), capacity=capacity,
            registration_deadline=STARTS - timedelta(days=7)), Audience.LEADERS_OF_LEADERS)
        self.secretariat = Secretariat(
            self.store, self.catalogue, clock=lambda: self.now,
            registration_id=Registrations(self.store, SECRET).registration_id)
        self.changes = SessionChanges(self.store, self.catalogue, clock=lambda: self.now)

    def register(self, who: str) -> None:
        self.secretariat.register("kolding", StaffRegistrationForm.model_validate({
            "name": f"Deltager {who}", "email": f"{who}@example.dk", "role": "district_leader",
            "workplace": "Vejle Kommune", "member_number": "98765", "asked_by": "telefon"}),
            by="sekretariat@example.dk")

    def deliver(self) -> list[EmailMessage]:
        for change in self.store.take_changes():
            self.notifier.on_stored(change.old, change.new)
        return self.outbox.take()

    def details(self, **changes: object) -> SessionDetails:
        session = self.catalogue.session("kolding")
        assert session is not None
        return SessionDetails.model_validate({
            name: getattr(session, name) for name in SessionDetails.model_fields} | changes)


def test_a_confirmation_delivered_after_the_session_changed_goes_out_with_the_new_time() -> None:
    """The stream hands the consumer the new registration only after the session moved: the
    confirmation still goes out (it is not passed over for the change), written from the
    session as it stands, and the change is told once as well."""
    world = World(capacity=2)
    world.register("sen")
    moved = STARTS + timedelta(days=2)
    assert world.changes.change("kolding", world.details(
        starts_at=moved, ends_at=moved + timedelta(hours=6))) == 1
    mails = world.deliver()
    assert sorted(str(m["Subject"]).split(":")[0] for m in mails) == ["Bekræftelse", "Ændret"]
    for message in mails:
        (part,) = list(message.iter_attachments())
        event = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
        assert event.decoded("dtstart") == moved
    world.changes.change("kolding", world.details(
        starts_at=moved, ends_at=moved + timedelta(hours=6)))
    assert world.deliver() == []


@given(confirmed=st.integers(0, 60), waiting=st.integers(0, 60), promoted=st.integers(0, 5),
       told=st.booleans())
def test_the_sentence_on_who_is_told_reads_as_danish_for_any_count(
        confirmed: int, waiting: int, promoted: int, told: bool) -> None:
    summary = SessionChange(changes=(object(),), confirmed=confirmed,  # type: ignore[arg-type]
                            waiting=waiting, told=told, promoted=promoted).summary
    assert summary.endswith(".") and "  " not in summary
    assert " 0 " not in f" {summary}"
    if told and (confirmed or waiting):
        assert ("1 tilmeldt " in summary) == (confirmed == 1)
        assert (f"{confirmed} tilmeldte" in summary) == (confirmed > 1)
        assert (" og " in summary.split(" får ")[0]) == bool(confirmed and waiting)
        assert (f"{waiting} på venteliste" in summary) == bool(waiting)
    if promoted:
        assert ("1 person på ventelisten" in summary) == (promoted == 1)
    assert SessionChange(changes=(), confirmed=confirmed, waiting=waiting, told=told,
                         promoted=promoted).summary == "Intet er ændret."


@settings(max_examples=40, deadline=None)
@given(capacity=st.integers(1, 4), people=st.integers(0, 6), new_capacity=st.integers(1, 6),
       days=st.integers(-1, 2), venue=st.sampled_from(["Koldinghus", "Comwell"]))
def test_saving_does_what_the_preview_said(capacity: int, people: int, new_capacity: int,
                                           days: int, venue: str) -> None:
    world = World(capacity)
    for i in range(people):
        world.register(f"p{i}")
    world.deliver()
    before = world.catalogue.session("kolding")
    assert before is not None
    details = world.details(capacity=new_capacity, venue=venue,
                            starts_at=STARTS + timedelta(days=days),
                            ends_at=STARTS + timedelta(days=days, hours=6))
    if new_capacity < before.confirmed:
        for attempt in (world.changes.preview, world.changes.change):
            with pytest.raises(InvalidInput) as refused:
                attempt("kolding", details)
            assert [e.field for e in refused.value.errors] == ["capacity"]
        assert world.catalogue.session("kolding") == before
        return
    shown = world.changes.preview("kolding", details)
    assert world.catalogue.session("kolding") == before
    waiting_before = list(world.store.waiting("kolding"))
    told = world.changes.change("kolding", details)
    after = world.catalogue.session("kolding")
    assert after is not None
    assert {c.field for c in shown.changes} == {
        name for name in SessionDetails.model_fields
        if getattr(before, name) != getattr(after, name)}
    assert told == (shown.confirmed + shown.waiting if shown.told else 0)
    assert after.revision == before.revision + (1 if shown.told else 0)
    promoted = [rid for rid in waiting_before if world.store.get("kolding", rid) is not None
                and world.store.get("kolding", rid).status is Status.CONFIRMED]  # type: ignore[union-attr]
    assert len(promoted) == shown.promoted
    subjects = [str(m["Subject"]).split(":")[0] for m in world.deliver()]
    assert subjects.count("Du har fået en plads") == shown.promoted
    assert subjects.count("Ændret") == (told - shown.promoted if shown.told else 0)
