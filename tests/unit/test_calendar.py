"""A confirmation puts the forum in the member's calendar; a cancellation (by the member,
the secretariat or a cancelled session) takes it out again: the same UID with METHOD:CANCEL,
read here by the icalendar library from the MIME message as a mail program receives it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from shared.forums.models import Forum, Session
from shared.forums.registration.mail import Notifier
from shared.forums.registration.models import CancelledBy, Registration, Status
from shared.roles import Audience

SESSION = Session(id="s-1", forum_id="f-1", city="Kolding", venue="Koldinghus",
                  starts_at=datetime(2027, 3, 4, 8, 30, tzinfo=UTC),
                  ends_at=datetime(2027, 3, 4, 14, 30, tzinfo=UTC), capacity=10,
                  registration_deadline=datetime(2027, 2, 25, 11, tzinfo=UTC))
FORUM = Forum(id="f-1", title="Ledelse af skole-fritidsområdet", description="…",
              audience=Audience.LEADERS_OF_LEADERS)


class Outbox:
    sender = "ledere-af-ledere@example.dk"

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage, to: str) -> str:
        parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
        self.sent.append(parsed)  # type: ignore[arg-type]
        return str(len(self.sent))


class OneSession:
    """The session lookup of one session of one forum, cancelled with a reason."""

    def __init__(self, session: Session = SESSION) -> None:
        self.held = session

    def session(self, session_id: str) -> Session | None:
        return self.held

    def forum(self, forum_id: str) -> Forum | None:
        return FORUM

    def cancel_reason(self, session_id: str) -> str | None:
        return "Oplægsholderen er blevet syg."


class Ledger:
    def claim(self, *args: object, **kwargs: object) -> bool:
        return True

    def release(self, *args: object) -> None: ...


class Registrations:
    def cancel_token(self, registration: Registration, session: Session) -> str:
        return "token"


class Links:
    def cancel_registration(self, token: str) -> str:
        return f"https://ledere.example.dk/afmeld.html?token={token}"


def registration(**changes: object) -> Registration:
    values: dict[str, object] = {
        "id": "reg-1", "session_id": "s-1", "status": Status.CONFIRMED, "name": "Anne",
        "email": "anne@example.dk", "role": "area_leader", "workplace": "Kolding Kommune",
        "created_at": datetime(2027, 1, 1, tzinfo=UTC)}
    return Registration.model_validate({**values, **changes})


def sent(kind: str, who: Registration, session: Session = SESSION) -> EmailMessage:
    outbox = Outbox()
    notifier = Notifier(Registrations(), None, OneSession(session),  # type: ignore[arg-type]
                        Ledger(),
                        outbox, Links(),  # type: ignore[arg-type]
                        clock=lambda: datetime(2027, 1, 2, tzinfo=UTC))
    assert notifier.send(kind, who)
    return outbox.sent[0]


def calendar_of(message: EmailMessage) -> tuple[EmailMessage, Calendar]:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0], Calendar.from_ical(parts[0].get_content())


@pytest.mark.parametrize("by", [CancelledBy.PARTICIPANT, CancelledBy.SECRETARIAT,
                                CancelledBy.SESSION_CANCELLED])
def test_a_cancellation_removes_the_confirmed_event(by: CancelledBy) -> None:
    confirmed = registration()
    _, published = calendar_of(sent("confirmation", confirmed))
    part, cancelled = calendar_of(sent("cancelled", registration(
        status=Status.CANCELLED, cancelled_by=by)))
    assert str(published["method"]) == "PUBLISH" and str(cancelled["method"]) == "CANCEL"
    event, removal = published.walk("VEVENT")[0], cancelled.walk("VEVENT")[0]
    assert str(removal["uid"]) == str(event["uid"])
    assert int(str(removal["sequence"])) > int(str(event["sequence"]))
    assert str(removal["status"]) == "CANCELLED"
    assert removal.decoded("dtstart") == event.decoded("dtstart")
    assert str(removal["organizer"]) == "mailto:ledere-af-ledere@example.dk"
    assert part.get_param("method") == "CANCEL" and part.get_filename() == "aflysning.ics"


def test_taken_up_again_after_a_cancellation_the_event_returns_with_a_higher_sequence() -> None:
    _, cancelled = calendar_of(sent("cancelled", registration(
        status=Status.CANCELLED, cancelled_by=CancelledBy.PARTICIPANT)))
    _, again = calendar_of(sent("confirmation", registration(round=2)))
    assert str(again.walk("VEVENT")[0]["uid"]) == str(cancelled.walk("VEVENT")[0]["uid"])
    assert int(str(again.walk("VEVENT")[0]["sequence"])) > \
        int(str(cancelled.walk("VEVENT")[0]["sequence"]))


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(st.sampled_from(["changed", "cancelled and taken up again"]),
                      max_size=6))
def test_every_calendar_file_sent_has_a_higher_sequence_than_the_one_before(
        steps: list[str]) -> None:
    """Whatever happens in whichever order (the session's time changed, the registration
    cancelled and taken up again), each version of the event has a higher SEQUENCE than the
    one before it, with the same UID, so a calendar always keeps the newest; a change is a
    REQUEST with the new time and the person as its attendee."""
    session, round_ = SESSION, 1
    _, first = calendar_of(sent("confirmation", registration(), session))
    uid, sequence = str(first.walk("VEVENT")[0]["uid"]), int(first.walk("VEVENT")[0]["sequence"])
    for step in steps:
        if step == "changed":
            session = session.model_copy(update={
                "revision": session.revision + 1,
                "starts_at": session.starts_at + timedelta(days=1),
                "ends_at": session.ends_at + timedelta(days=1)})
            versions = [sent("session_changed", registration(round=round_), session)]
        else:
            versions = [sent("cancelled", registration(
                status=Status.CANCELLED, cancelled_by=CancelledBy.PARTICIPANT, round=round_),
                session)]
            round_ += 1
            versions.append(sent("confirmation", registration(round=round_), session))
        for message in versions:
            part, calendar = calendar_of(message)
            event = calendar.walk("VEVENT")[0]
            assert str(event["uid"]) == uid and int(event["sequence"]) > sequence
            sequence = int(event["sequence"])
            assert event.decoded("dtstart") == session.starts_at
            if step == "changed":
                assert str(calendar["method"]) == part.get_param("method") == "REQUEST"
                assert str(event["attendee"]) == "mailto:anne@example.dk"
                assert event["attendee"].params["PARTSTAT"] == "ACCEPTED"


@pytest.mark.parametrize("kind", ["confirmation", "promoted", "reminder", "cancelled"])
def test_every_calendar_part_names_its_charset_and_keeps_danish_letters(kind: str) -> None:
    who = registration(status=Status.CANCELLED, cancelled_by=CancelledBy.PARTICIPANT) \
        if kind == "cancelled" else registration()
    part, calendar = calendar_of(sent(kind, who))
    assert part.get_content_charset() == "utf-8"
    assert "skole-fritidsområdet" in str(calendar.walk("VEVENT")[0]["summary"])


def test_the_session_cancelled_email_lets_the_reason_stand_alone() -> None:
    message = sent("cancelled", registration(status=Status.CANCELLED,
                                             cancelled_by=CancelledBy.SESSION_CANCELLED))
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert message["Subject"] == "Aflyst: Ledelse af skole-fritidsområdet – Kolding 4. marts"
    assert "Oplægsholderen er blevet syg." in text
    assert "ny dato" not in text and "Begrundelse" not in text
