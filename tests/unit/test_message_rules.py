"""The notifier's rules for what the secretariat sends (shared.forums.registration.messages and
the notifier's part of shared.forums.registration.mail), on the in-memory stores: a message
to a session reaches each confirmed (and, when asked, waiting) person once, however often it
is posted and its changes delivered, and a failed send is made up by the retry alone; a
resend sends the current email once per click; a person moved gets "Flyttet", not
"Afmeldt"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import Conflict
from shared.forums.models import Forum, Session
from shared.forums.registration.email_kinds import EmailKind
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.mail import Notifier, email_kind
from shared.forums.registration.messages import (
    RESEND_INTERVAL,
    MessageForm,
    Messages,
    message_id,
)
from shared.forums.registration.models import (
    AskedBy,
    CancelledBy,
    Registration,
    StaffRegistrationForm,
    Status,
)
from shared.forums.registration.secretariat import Secretariat
from shared.links import Links
from shared.roles import Audience, Role
from tests.support.registration import (
    Item,
    MemoryCatalogueStore,
    MemoryOutbox,
    MemoryRegistrationStore,
    _epoch,
)

NOW = datetime(2027, 1, 16, 6, 0, tzinfo=UTC)
SESSION = Session(id="s-1", forum_id="f-1", city="Kolding", venue="Koldinghus",
                  starts_at=datetime(2027, 3, 4, 8, 30, tzinfo=UTC),
                  ends_at=datetime(2027, 3, 4, 14, 30, tzinfo=UTC), capacity=3,
                  registration_deadline=datetime(2027, 2, 25, 11, tzinfo=UTC))


class FailingOutbox(MemoryOutbox):
    """Refuses the addresses in `failing` (SES throttling one send midway)."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: set[str] = set()

    def send(self, message: EmailMessage, to: str) -> str:
        if to in self.failing:
            raise RuntimeError("Maximum sending rate exceeded")
        return super().send(message, to)


class World:
    """One session with `confirmed` seats taken, `waiting` people in line and `cancelled`
    registrations, placed by the secretariat's rules; the notifier and the secretariat's
    messages over the same in-memory stores."""

    def __init__(self, confirmed: int, waiting: int, cancelled: int = 0) -> None:
        self.clock = NOW - timedelta(days=30)
        self.catalogue = MemoryCatalogueStore()
        self.catalogue.put_forum(Forum(id="f-1", title="Evalueringskultur"))
        self.catalogue.put_session(SESSION.model_copy(update={"capacity": confirmed}),
                                   Audience.LEADERS_OF_LEADERS)
        self.store = MemoryRegistrationStore(self.catalogue)
        self.outbox = FailingOutbox()
        self.notifier = Notifier(RegistrationLinks(b"k"), self.store, self.catalogue,
                                 self.store, self.outbox, Links("https://ledere.example.dk"),
                                 clock=lambda: self.clock)
        self.messages = Messages(self.store, self.store, clock=lambda: self.clock)
        secretariat = Secretariat(self.store, self.catalogue, clock=lambda: self.clock,
                                  registration_id=lambda _, email: email.split("@")[0])
        for label, count in (("cancelled", cancelled), ("confirmed", confirmed),
                             ("waiting", waiting)):
            for i in range(count):
                if label == "cancelled":  # a seat of its own, then cancelled
                    self.catalogue.put_session(SESSION.model_copy(update={
                        "capacity": confirmed + 1}), Audience.LEADERS_OF_LEADERS)
                secretariat.register(SESSION.id, StaffRegistrationForm(
                    name=f"Deltager {i}", email=f"{label}-{i}@example.dk",
                    role=Role.AREA_LEADER, member_number="123", workplace="Kolding Kommune",
                    asked_by=AskedBy.PHONE),
                    by="sekretariat@example.dk")
                if label == "cancelled":
                    secretariat.cancel(SESSION.id, f"cancelled-{i}")
                    self.catalogue.put_session(SESSION.model_copy(update={
                        "capacity": confirmed}), Audience.LEADERS_OF_LEADERS)
        assert [p.registration.status for p in secretariat.participants(SESSION.id)] == (
            [Status.CONFIRMED] * confirmed + [Status.WAITLISTED] * waiting
            + [Status.CANCELLED] * cancelled)
        self.store.take_changes()
        self.clock = NOW

    def deliver(self) -> list[tuple[object, Exception | None]]:
        """Each recorded change to the notifier, as the stream's consumer; the failures."""
        failed = []
        for change in self.store.take_changes():
            try:
                self.notifier.on_stored(change.old, change.new)
            except Exception as error:  # a partial batch failure
                failed.append((change, error))
        return failed

    def retry(self, failed: list[tuple[object, Exception | None]]) -> None:
        for change, _ in failed:
            self.notifier.on_stored(change.old, change.new)  # type: ignore[attr-defined]

    def sent_to(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.outbox.take())


def _item(registration: Registration) -> Item:
    return Item(registration, _epoch(registration.expires_at))


subjects = st.text(min_size=1, max_size=150).filter(lambda s: s.strip() and s.isprintable())
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"),
                min_size=1, max_size=400).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(confirmed=st.integers(0, 5), waiting=st.integers(0, 3), cancelled=st.integers(0, 2),
       include_waiting=st.booleans(), posts=st.integers(1, 3), redeliveries=st.integers(1, 3),
       subject=subjects, text=texts)
def test_a_message_reaches_each_recipient_once_however_often_it_is_posted_and_delivered(
        confirmed: int, waiting: int, cancelled: int, include_waiting: bool, posts: int,
        redeliveries: int, subject: str, text: str) -> None:
    world = World(confirmed, waiting, cancelled)
    form = MessageForm.model_validate({"subject": subject, "text": text,
                                       "include_waiting": include_waiting}) \
        if _legal(subject, text) else None
    if form is None:
        return
    counts = set()
    for _ in range(posts):  # a double click, a retry of the whole call
        counts.add(world.messages.send(SESSION.id, form))
        changes = world.store.take_changes()
        for _ in range(redeliveries):  # the stream delivers at least once
            for change in changes:
                world.notifier.on_stored(change.old, change.new)
    expected = [f"confirmed-{i}@example.dk" for i in range(confirmed)] + (
        [f"waiting-{i}@example.dk" for i in range(waiting)] if include_waiting else [])
    assert counts == {len(expected)}
    messages = world.outbox.take()
    assert sorted(str(m["To"]) for m in messages) == sorted(expected)
    for message in messages:
        assert message["Subject"] == form.subject  # as written
        body = message.get_body(preferencelist=("plain",))
        assert body is not None and form.text in body.get_content()


def _legal(subject: str, text: str) -> bool:
    try:
        MessageForm(subject=subject, text=text)
    except ValueError:
        return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(confirmed=st.integers(2, 6), data=st.data())
def test_a_send_failing_midway_is_made_up_by_the_retry_and_nobody_gets_two(
        confirmed: int, data: st.DataObject) -> None:
    world = World(confirmed, 0)
    failing = data.draw(st.sets(st.integers(0, confirmed - 1), min_size=1))
    world.outbox.failing = {f"confirmed-{i}@example.dk" for i in failing}
    form = MessageForm(subject="Nyt lokale", text="Vi mødes i sal 2.")
    world.messages.send(SESSION.id, form)
    failed = world.deliver()
    assert len(failed) == len(failing)  # each reported as the batch's failure
    first = world.sent_to()
    assert first == sorted(f"confirmed-{i}@example.dk" for i in range(confirmed)
                           if i not in failing)
    world.outbox.failing = set()
    retry_by = data.draw(st.sampled_from(["stream", "post again"]))
    if retry_by == "stream":
        world.retry(failed)
    else:
        world.messages.send(SESSION.id, form)
        assert world.deliver() == []
    assert world.sent_to() == sorted(f"confirmed-{i}@example.dk" for i in failing)


def test_the_same_message_is_one_whatever_the_order_but_another_text_is_another() -> None:
    assert message_id("s-1", "Emne", "Tekst") == message_id("s-1", "Emne", "Tekst")
    assert len({message_id("s-1", "Emne", "Tekst"), message_id("s-2", "Emne", "Tekst"),
                message_id("s-1", "Emne 2", "Tekst"), message_id("s-1", "Emne", "Tekst 2"),
                message_id("s-1", "Emne\x00", "Tekst"), message_id("s-1", "Emne", "\x00Tekst")}
               ) == 6
    # The text as the form keeps it: a textarea's CRLF and the trimmed ends are the same text.
    assert MessageForm(subject=" Emne ", text="a\r\nb\n").text == MessageForm(
        subject="Emne", text="a\nb").text


def test_someone_cancelled_after_the_message_was_posted_is_not_written_to() -> None:
    world = World(2, 0)
    world.messages.send(SESSION.id, MessageForm(subject="Emne", text="Tekst"))
    changes = world.store.take_changes()
    gone = world.store.get(SESSION.id, "confirmed-1")
    assert gone is not None
    with world.store.lock:
        world.store._write(SESSION.id, "REG#confirmed-1", _item(gone.model_copy(update={
            "status": Status.CANCELLED, "cancelled_by": CancelledBy.PARTICIPANT})))
    for change in changes:
        world.notifier.on_stored(change.old, change.new)
    assert world.sent_to() == ["confirmed-0@example.dk"]


@pytest.mark.parametrize(("who", "subject", "attachment"), [
    ("confirmed-0", "Bekræftelse", "forum.ics"), ("waiting-0", "Venteliste", None)])
def test_a_resend_sends_the_current_email_once_per_click(who: str, subject: str,
                                                         attachment: str | None) -> None:
    world = World(1, 1)
    assert world.messages.resend(SESSION.id, who)
    assert not world.messages.resend(SESSION.id, who)  # a double click: nothing more
    changes = world.store.take_changes()
    for _ in range(3):  # redelivered by the stream
        for change in changes:
            world.notifier.on_stored(change.old, change.new)
    (message,) = world.outbox.take()
    assert message["To"] == f"{who}@example.dk"
    assert str(message["Subject"]).startswith(f"{subject}: Evalueringskultur – Kolding")
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    content = text.get_content()
    assert "igen" in content and "token=" in content
    assert [a.get_filename() for a in message.iter_attachments()] == (
        [attachment] if attachment else [])
    if who.startswith("waiting"):
        assert "nummer 1" in content
    # A later click (after the interval) is a new request: one more email.
    world.clock = NOW + RESEND_INTERVAL
    assert world.messages.resend(SESSION.id, who)
    assert world.deliver() == []
    assert world.sent_to() == [f"{who}@example.dk"]


def test_a_cancelled_registration_has_nothing_to_resend() -> None:
    world = World(0, 0, cancelled=1)
    with pytest.raises(Conflict) as refused:
        world.messages.resend(SESSION.id, "cancelled-0")
    assert refused.value.code == "registration_cancelled"
    assert world.store.take_changes() == []


def _registration(status: Status, by: CancelledBy | None = None, **more: object) -> Registration:
    return Registration.model_validate({
        "id": "r-1", "session_id": "s-1", "status": status, "name": "Anne",
        "email": "anne@example.dk", "role": "area_leader", "workplace": "Kolding Kommune",
        "created_at": NOW, "cancelled_by": by, **more})


@pytest.mark.parametrize("before", [Status.CONFIRMED, Status.WAITLISTED])
def test_a_move_is_told_as_a_move_and_every_other_cancellation_as_before(
        before: Status) -> None:
    old = _registration(before)
    assert email_kind(old, _registration(Status.CANCELLED, CancelledBy.MOVED,
                                         moved_to="s-2")) is EmailKind.MOVED
    for by, kind in ((CancelledBy.PARTICIPANT, EmailKind.CANCELLED),
                     (CancelledBy.SECRETARIAT, EmailKind.CANCELLED),
                     (CancelledBy.SESSION_CANCELLED, EmailKind.CANCELLED),
                     (CancelledBy.ERASURE, None)):
        assert email_kind(old, _registration(Status.CANCELLED, by)) is kind
