"""The secretariat's session details and change emails at odd but legal moments: Danish
wall-clock times around summer time, a promotion while a change email is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.forums.catalogue_file import SessionDetails
from shared.forums.models import Forum, Session
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.mail import Notifier, NotYetPlaced
from shared.forums.registration.models import CancelledBy, StaffRegistrationForm, Status
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations, cancel_registration
from shared.forums.registration.session_changes import SessionChanges
from shared.links import Links
from shared.roles import Audience
from tests.support.registration import MemoryCatalogueStore, MemoryOutbox, MemoryRegistrationStore

SECRET = b"unit-secret"
STARTS = datetime(2027, 3, 4, 8, 30, tzinfo=UTC)


def last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@given(year=st.integers(2001, 2099), start_minute=st.integers(0, 59),
       end_minute=st.integers(0, 59))
def test_a_session_is_refused_unless_it_ends_after_it_starts_across_summer_time(
        year: int, start_minute: int, end_minute: int) -> None:
    """Start in the hour the clocks skip (02:xx, which does not exist), end just after it
    (03:xx): stored as moments, the end may fall before the start. Such details are refused
    on the end, or stored with the end after the start; never a session ending before it
    begins."""
    day = last_sunday_of_march(year)
    starts = datetime(day.year, day.month, day.day, 2, start_minute)
    ends = datetime(day.year, day.month, day.day, 3, end_minute)
    fields = {"city": "Vejle", "capacity": 10, "starts_at": starts.isoformat(),
              "ends_at": ends.isoformat(),
              "registration_deadline": (starts - timedelta(days=3)).isoformat()}
    try:
        details = SessionDetails.model_validate(fields)
    except ValidationError as refused:
        (error,) = refused.errors()
        assert "Sluttidspunktet skal ligge efter start." in error["msg"]
        return
    assert details.ends_at.astimezone(UTC) > details.starts_at.astimezone(UTC)


@pytest.mark.parametrize("deadline_minute", [31, 59])
def test_a_deadline_after_the_start_is_refused_across_summer_time(deadline_minute: int) -> None:
    """A deadline at 03:xx for a session starting at 02:30 on the night the clocks skip an
    hour: on the wall clock it is after the start, as a moment it is before it."""
    day = last_sunday_of_march(2027)
    starts = datetime(day.year, day.month, day.day, 3, 30)
    deadline = datetime(day.year, day.month, day.day, 2, deadline_minute)
    try:
        details = SessionDetails.model_validate({
            "city": "Vejle", "capacity": 10, "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "registration_deadline": deadline.isoformat()})
    except ValidationError:
        return
    assert details.registration_deadline.astimezone(UTC) <= details.starts_at.astimezone(UTC)



def test_a_waiting_person_promoted_while_their_change_email_is_written_is_not_told_of_a_calendar_file_that_is_not_there(  # noqa: E501
        ) -> None:
    """The stream hands over a waiting person's rewrite for the session's new time; just after
    the notifier sees them still waiting, the seat ahead is cancelled and they are promoted
    (their place in line is gone when the email reads it). The email must not tell them
    their seat is unchanged with an attached calendar file that is not there: the record is
    retried (as the stream retries a failed record) and passed over, and the promotion
    brings the seat and the calendar file."""
    catalogue = MemoryCatalogueStore()
    store = MemoryRegistrationStore(catalogue)
    outbox = MemoryOutbox()
    now = STARTS - timedelta(days=30)
    notifier = Notifier(RegistrationLinks(SECRET, clock=lambda: now), store, catalogue, store,
                        outbox, Links("https://ledere.example.dk"), clock=lambda: now)
    catalogue.put_forum(Forum(id="forum", title="Forum"))
    catalogue.put_session(Session(
        id="kolding", forum_id="forum", city="Kolding", venue="Koldinghus", starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=6), capacity=1,
        registration_deadline=STARTS - timedelta(days=7)), Audience.LEADERS_OF_LEADERS)
    secretariat = Secretariat(store, catalogue, clock=lambda: now,
                              registration_id=Registrations(store, SECRET).registration_id)
    for who in ("plads", "venter"):
        secretariat.register("kolding", StaffRegistrationForm.model_validate({
            "name": f"Deltager {who}", "email": f"{who}@example.dk", "role": "district_leader",
            "workplace": "Vejle Kommune", "member_number": "98765",
            "asked_by": "telefon"}), by="sekretariat@example.dk")
    for change in store.take_changes():
        notifier.on_stored(change.old, change.new)
    outbox.take()
    session = catalogue.session("kolding")
    assert session is not None
    moved = STARTS + timedelta(days=2)
    SessionChanges(store, catalogue, clock=lambda: now).change("kolding", SessionDetails(
        city=session.city, venue=session.venue, starts_at=moved,
        ends_at=moved + timedelta(hours=6), capacity=1,
        registration_deadline=session.registration_deadline))
    records = store.take_changes()
    (seat,) = [r for r in store.registrations("kolding") if r.status is Status.CONFIRMED]
    position = store.position

    def promoted_first(session_id: str, registration_id: str) -> int | None:
        if store.get(session_id, seat.id) == seat:  # once: the seat ahead is given up
            assert cancel_registration(store, seat, CancelledBy.PARTICIPANT, now)
        return position(session_id, registration_id)

    store.position = promoted_first  # type: ignore[method-assign]
    pending = list(records)
    for _ in range(20):  # the stream: a failed record is handed over again, in order
        if not pending:
            break
        record = pending[0]
        try:
            notifier.on_stored(record.old, record.new)
        except NotYetPlaced:
            continue
        pending.pop(0)
        pending.extend(store.take_changes())
    assert not pending
    to_venter = [m for m in outbox.take() if m["To"] == "venter@example.dk"]
    assert to_venter
    for message in to_venter:
        says = message.get_body(preferencelist=("plain",))
        assert says is not None
        if "vedhæftede kalenderfil" in says.get_content():
            assert list(message.iter_attachments()), str(message["Subject"])
