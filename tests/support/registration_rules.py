"""The registration rules under sequences nobody planned: one hypothesis state machine, run on
two worlds. It drives the service, the catalogue import and the email notifier: submit, confirm
(again, or an older link), several owners pressing at once, cancel, register again, erase,
change capacity, close, reopen, cancel the session, re-import, the secretariat registering
someone who phoned, and the secretariat changing the session's time or capacity.

- tests/unit/test_registration_rules.py runs it on the in-memory stores
  (tests/support/registration.py), the notifier fed by the fake's stream: many sequences,
  in seconds. This is where the rules are proven.
- tests/integration/test_registration_rules.py runs it through the API and email functions on
  the emulator, the stream read from DynamoDB Streams and the mail from SES: few sequences, for
  what only the adapters and the handlers can get wrong (expressions, serialisation, the
  stream's records, the handlers' routing).
The contract suite (tests/integration/test_registration_store_contract.py) keeps the two
stores the same.

After every step, against the stored data and the mail sent:
- confirmed <= capacity, and the session's count is the number of confirmed registrations;
- the waiting list is the model's, in arrival order, and exists only while every seat is taken
  (nobody waits while a seat is free);
- a cancelled session stays cancelled;
- every person has exactly the emails their history calls for;
- every registration expires after the session's end as it stands, and everyone not cancelled
  was told of its time and place as they stand;
- every personal item has an expiry."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import unquote

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from shared.errors import Conflict, DomainError, InvalidInput
from shared.forums.catalogue import Catalogue, CatalogueStore
from shared.forums.catalogue_file import SessionDetails
from shared.forums.registration.models import StaffRegistrationForm, Status
from shared.forums.registration.ports import RegistrationStore, SessionStatusStore
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations, WaitingList
from shared.forums.registration.session_changes import ChangeableSessions, SessionChanges
from shared.platform.defaults import REGISTRATION_RETENTION_DAYS
from shared.privacy.holders import ForumsHolder

PEOPLE = [f"p{i}" for i in range(5)]
CONFIRM_LINK = "Bekræft din tilmelding"
ALREADY = "Du er allerede tilmeldt"
SEAT = "Bekræftelse"
WAITING = "Venteliste"
PROMOTED = "Du har fået en plads"
CANCELLED = "Afmeldt"
SESSION_CANCELLED = "Aflyst"
CHANGED = "Ændret"


class Sessions(CatalogueStore, SessionStatusStore, ChangeableSessions, Protocol):
    """The catalogue as the secretariat uses it here: import, change, close, reopen,
    cancel."""


def forum_file(session_id: str, capacity: int, status: str = "open",
               starts: datetime | None = None) -> dict[str, Any]:
    """The secretariat's file with one forum and this one session, 30 days ahead (or at
    `starts`)."""
    starts = starts or datetime.now(UTC) + timedelta(days=30)
    return {"forums": [{
        "id": f"{session_id}-forum", "title": "Testforum",
        "sessions": [{
            "id": session_id, "city": "Vejle", "venue": "Spinderihallerne",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=5)).isoformat(),
            "registration_deadline": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
            "capacity": capacity, "status": status}]}]}


def link_token(message: EmailMessage) -> str:
    """The token of the link in the message's plain text."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    found = re.search(r"https?://\S+[?&#]token=([^&\s]+)", str(part.get_content()))
    assert found is not None
    return unquote(found.group(1))


@dataclass
class Person:
    status: Status | None = None
    round: int = 0
    gates: set[int] = field(default_factory=set)  # the gate rounds that have let a link out
    tokens: list[tuple[str, int]] = field(default_factory=list)  # (token, the round it is for)
    coming: list[int] = field(default_factory=list)  # the rounds of links mailed, not yet read
    pending: int = 0  # submissions held, waiting for a press (the newest is confirmed)
    mails: list[str] = field(default_factory=list)


class RegistrationRules(RuleBasedStateMachine):
    """The model and the rules; a world gives the stores and how a person acts and reads mail."""

    store: RegistrationStore
    catalogue: Sessions
    service: Registrations

    # -- what a world provides ----------------------------------------------------------------

    def post_form(self, email: str) -> tuple[int, dict[str, Any]]:
        """Submit the registration form for this address: the API's status and answer."""
        raise NotImplementedError

    def press(self, token: str) -> tuple[int, dict[str, Any]]:
        """Press a confirmation link's button: the API's status and answer."""
        raise NotImplementedError

    def delivered(self) -> list[EmailMessage]:
        """Hand the store's changes since the last call to the email consumer; the mail sent."""
        raise NotImplementedError

    def expiries(self) -> dict[str, int | None]:
        """Every item held for the session, with its expiry (None: none)."""
        raise NotImplementedError

    # -- the model ------------------------------------------------------------------------

    def __init__(self) -> None:
        super().__init__()
        self.capacity = 1
        # Ids and addresses of their own per example: an erasure reaches every session of an
        # address, and the emulator's tables outlive an example.
        self.tag = uuid.uuid4().hex[:10]
        self.session = f"rules-{self.tag}"
        self.starts = datetime.now(UTC) + timedelta(days=30)  # as the secretariat last set it
        self.import_session(self.capacity)
        self.people = {who: Person() for who in PEOPLE}
        self.line: list[str] = []
        self.closed = False
        self.cancelled = False

    def import_session(self, capacity: int, status: str = "open") -> None:
        Catalogue(self.catalogue, seats=WaitingList(self.store),
                  participants=SessionChanges(self.store, self.catalogue)).import_file(
            forum_file(self.session, capacity, status, self.starts))

    def seats_taken(self) -> int:
        return sum(1 for p in self.people.values() if p.status is Status.CONFIRMED)

    def promote(self) -> None:
        while self.line and self.seats_taken() < self.capacity and not self.cancelled:
            first = self.people[self.line.pop(0)]
            first.status = Status.CONFIRMED
            first.mails.append(PROMOTED)

    def placed(self, who: str) -> None:
        """The model of a new registration under the rules: a seat while one is free and
        nobody waits, else the end of the line; each with its email."""
        person = self.people[who]
        if self.seats_taken() < self.capacity and not self.line:
            person.status = Status.CONFIRMED
            person.mails.append(SEAT)
        else:
            person.status = Status.WAITLISTED
            self.line.append(who)
            person.mails.append(WAITING)

    def gate_round(self, person: Person) -> int:
        return person.round + 1 if person.status in (None, Status.CANCELLED) else person.round

    def email(self, who: str) -> str:
        return f"{who}-{self.tag}@example.dk"

    def deliver(self) -> None:
        """The store's changes to the email consumer; the new mail read per person."""
        for message in self.delivered():
            who, _, tag = str(message["To"]).split("@")[0].partition("-")
            assert tag == self.tag, message["To"]  # nobody of another example is mailed here
            subject = str(message["Subject"]).split(":")[0]
            self.people[who].mails.append(f"got:{subject}")
            if subject == CONFIRM_LINK:
                person = self.people[who]
                person.tokens.append((link_token(message), person.coming.pop(0)))

    # -- what people and the secretariat do -----------------------------------------------

    @rule(who=st.sampled_from(PEOPLE))
    def submit(self, who: str) -> None:
        person = self.people[who]
        status, answer = self.post_form(self.email(who))
        if self.cancelled or self.closed:
            assert status == 409, answer
        else:
            assert (status, answer) == (202, {"status": "received"})
            person.pending += 1
            gate = self.gate_round(person)
            if gate not in person.gates:
                person.gates.add(gate)
                held = person.status in (Status.CONFIRMED, Status.WAITLISTED)
                person.mails.append(ALREADY if held else CONFIRM_LINK)
                if not held:
                    person.coming.append(gate)
        self.deliver()

    @rule(who=st.sampled_from(PEOPLE))
    def register(self, who: str) -> None:
        """The common path: submit, then press the newest link (if one came)."""
        self.submit(who)
        if self.people[who].tokens:
            self.confirm(who, 0)

    def expected_confirm(self, who: str, round_: int) -> tuple[int, dict[str, Any]]:
        """A link is for a round (the one its mail's gate let out): it confirms the newest
        submission held, once; after that, and for a registration held, it answers how the
        registration stands."""
        person = self.people[who]
        if person.status in (Status.CONFIRMED, Status.WAITLISTED):
            return 200, self.answer(who)
        if person.status is Status.CANCELLED and person.round >= round_:
            return 409, {"code": "registration_cancelled"}
        if person.round != round_ - 1 or not person.pending:
            return 400, {"code": "invalid_token"}
        if self.cancelled:
            return 409, {"code": "session_cancelled"}
        if self.closed:
            return 409, {"code": "session_closed"}
        person.round += 1
        person.pending = 0  # the newest is confirmed, the ones it superseded deleted
        self.placed(who)
        return 200, self.answer(who)

    def answer(self, who: str) -> dict[str, Any]:
        status = self.people[who].status
        assert status is not None
        if status is Status.WAITLISTED:
            return {"status": "waitlisted", "waitlist_position": self.line.index(who) + 1}
        return {"status": status.value}

    @rule(who=st.sampled_from(PEOPLE), which=st.integers(min_value=0, max_value=3))
    def confirm(self, who: str, which: int) -> None:
        person = self.people[who]
        if not person.tokens:
            return
        token, round_ = person.tokens[-1 - which % len(person.tokens)]  # often the newest
        expected = self.expected_confirm(who, round_)
        status, answer = self.press(token)
        assert status == expected[0], (answer, expected)
        if status == 200:
            assert answer == expected[1]
        else:
            assert answer["code"] == expected[1]["code"]
        self.deliver()

    @rule(whos=st.lists(st.sampled_from(PEOPLE), min_size=2, max_size=4, unique=True))
    def press_at_once(self, whos: list[str]) -> None:
        """Owners press their newest links at the same moment."""
        pressing = [(w, *self.people[w].tokens[-1]) for w in whos if self.people[w].tokens]
        with ThreadPoolExecutor(len(whos)) as pool:
            answers = dict(pool.map(lambda wt: (wt[0], self.service.confirm_by_token(wt[1])
                                                if self._placeable(wt[0], wt[2]) else None),
                                    pressing))
        newly = {w: a for w, a in answers.items() if a is not None}
        # The store decided the order among the racers: take it into the model.
        racers_in_line = sorted((a.waitlist_position or 0, w) for w, a in newly.items()
                                if a.status is Status.WAITLISTED)
        for who, answer in newly.items():
            person = self.people[who]
            person.round += 1
            person.pending = 0
            person.status = answer.status
            if answer.status is Status.CONFIRMED:
                person.mails.append(SEAT)
        for _, who in racers_in_line:
            self.line.append(who)
            self.people[who].mails.append(WAITING)
        assert self.seats_taken() <= self.capacity
        self.deliver()

    def _placeable(self, who: str, round_: int) -> bool:
        """Whether pressing a link of this round now takes a seat or a place (else it is not
        pressed)."""
        person = self.people[who]
        return (person.status in (None, Status.CANCELLED) and person.round == round_ - 1
                and person.pending > 0 and not self.cancelled and not self.closed)

    @rule(who=st.sampled_from(PEOPLE))
    def cancel(self, who: str) -> None:
        person = self.people[who]
        if person.status is None:
            return
        rid = self.service.registration_id(self.session, self.email(who))
        changed = Secretariat(self.store, self.catalogue).cancel(self.session, rid)
        assert changed == (person.status is not Status.CANCELLED)
        if changed:
            if person.status is Status.WAITLISTED:
                self.line.remove(who)
            person.status = Status.CANCELLED
            person.mails.append(CANCELLED)
            self.promote()
        self.deliver()

    @rule(who=st.sampled_from(PEOPLE))
    def staff_register(self, who: str) -> None:
        """The secretariat registers someone who phoned: placed at once under the same rules,
        no submission used up and no link; a person registered already is answered as they
        stand, nothing changed."""
        person = self.people[who]
        form = StaffRegistrationForm(name="Deltager", email=self.email(who),
                                     role="district_leader", workplace="Vejle Kommune",
                                     member_number="98765", asked_by="telefon")
        secretariat = Secretariat(self.store, self.catalogue,
                                  registration_id=self.service.registration_id)
        try:
            placed = secretariat.register(self.session, form, by="sekretariat@example.dk")
        except DomainError as refused:
            held = person.status in (Status.CONFIRMED, Status.WAITLISTED)
            assert not held and refused.code == (
                "session_cancelled" if self.cancelled else "session_closed"), refused.code
            assert self.cancelled or self.closed
            return
        if person.status in (Status.CONFIRMED, Status.WAITLISTED):
            assert not placed.created
        else:
            assert placed.created and not (self.cancelled or self.closed)
            person.round += 1
            self.placed(who)
        assert placed.answer.model_dump(exclude_none=True) == self.answer(who)
        self.deliver()

    @rule(who=st.sampled_from(PEOPLE))
    def erase(self, who: str) -> None:
        person = self.people[who]
        ForumsHolder(self.store).erase(self.email(who), datetime.now(UTC))
        if person.status is Status.WAITLISTED:
            self.line.remove(who)
        was = person.status
        self.people[who] = Person(mails=person.mails)  # everything held is gone
        if was is Status.CONFIRMED:
            self.promote()
        self.deliver()

    @rule(capacity=st.integers(min_value=1, max_value=4))
    def change_capacity(self, capacity: int) -> None:
        if self.cancelled:
            return
        try:
            self.import_session(capacity)
        except InvalidInput:
            assert capacity < self.seats_taken()
            return
        self.capacity = capacity
        self.promote()
        self.deliver()

    @rule(capacity=st.integers(min_value=1, max_value=4), days=st.integers(0, 2))
    def change_session(self, capacity: int, days: int) -> None:
        """The secretariat changes the session in the console's form: a new time is emailed
        once to everyone confirmed or waiting (one promoted by the new capacity in the same
        step is told by the promotion, which follows what is held now), seats added go to
        the waiting list first."""
        session = self.catalogue.session(self.session)
        assert session is not None
        new = SessionDetails(
            city=session.city, venue=session.venue, capacity=capacity,
            starts_at=session.starts_at + timedelta(days=days),
            ends_at=session.ends_at + timedelta(days=days),
            registration_deadline=session.registration_deadline)
        told = [p for p in self.people.values()
                if days and p.status in (Status.CONFIRMED, Status.WAITLISTED)]
        try:
            assert SessionChanges(self.store, self.catalogue).change(self.session, new) == \
                len(told)
        except Conflict as refused:
            assert self.cancelled and refused.code == "session_cancelled"
            return
        except InvalidInput:
            assert capacity < self.seats_taken()
            return
        self.moved(days, capacity, told)

    def moved(self, days: int, capacity: int, told: list[Person]) -> None:
        """The model after the session moved `days` and got `capacity` seats: those told of
        the new time are emailed it, but one promoted in the same step is told by the
        promotion (the email follows what is held now)."""
        self.starts += timedelta(days=days)
        self.capacity = capacity
        waiting = [self.people[who] for who in self.line]
        self.promote()
        for person in told:
            if not (person in waiting and person.status is Status.CONFIRMED):
                person.mails.append(CHANGED)
        self.deliver()

    @rule(days=st.integers(1, 2))
    def import_moved(self, days: int) -> None:
        """The secretariat's file moves the session: told as a change in the console is, to
        everyone confirmed or waiting, once (a cancelled session is moved and tells nobody)."""
        told = [p for p in self.people.values()
                if p.status in (Status.CONFIRMED, Status.WAITLISTED)]
        Catalogue(self.catalogue, seats=WaitingList(self.store),
                  participants=SessionChanges(self.store, self.catalogue)).import_file(
            forum_file(self.session, self.capacity, "open", self.starts + timedelta(days=days)))
        self.moved(days, self.capacity, told)

    @rule()
    def reimport(self) -> None:
        self.import_session(self.capacity, status="open")
        self.promote()
        self.deliver()

    @rule(closed=st.booleans())
    def close_or_reopen(self, closed: bool) -> None:
        try:
            self.catalogue.set_status(self.session, closed=closed)
        except Conflict:
            assert self.cancelled and not closed
            return
        self.closed = closed

    @rule()
    def cancel_session(self) -> None:
        """As the secretariat does: the session is cancelled, then everyone is told."""
        told = sum(1 for p in self.people.values()
                   if p.status in (Status.CONFIRMED, Status.WAITLISTED))
        assert Secretariat(self.store, self.catalogue).cancel_session(
            self.session, "Underviseren er syg.") == told
        self.cancelled = True
        for person in self.people.values():
            if person.status in (Status.CONFIRMED, Status.WAITLISTED):
                person.status = Status.CANCELLED
                person.mails.append(SESSION_CANCELLED)
        self.line.clear()
        self.deliver()

    # -- after every step -----------------------------------------------------------------

    @invariant()
    def seats_and_line_match_the_rules(self) -> None:
        state = self.store.session_state(self.session)
        assert state is not None
        stored = {r.id: r for r in self.store.registrations(self.session)}
        confirmed = sum(1 for r in stored.values() if r.status is Status.CONFIRMED)
        assert confirmed == state.session.confirmed <= state.session.capacity
        assert state.session.cancelled == self.cancelled
        ids = {self.service.registration_id(self.session, self.email(w)): w for w in PEOPLE}
        assert [ids[i] for i in state.waiting] == self.line
        assert all(stored[i].status is Status.WAITLISTED for i in state.waiting)
        if state.waiting:  # nobody waits while a seat is free
            assert confirmed == state.session.capacity
        for rid, who in ids.items():
            expected = self.people[who].status
            assert (stored[rid].status if rid in stored else None) == expected, who

    @invariant()
    def everyone_has_the_emails_their_history_calls_for(self) -> None:
        for who, person in self.people.items():
            expected = [m for m in person.mails if not m.startswith("got:")]
            got = [m.removeprefix("got:") for m in person.mails if m.startswith("got:")]
            assert sorted(got) == sorted(expected), who

    @invariant()
    def registrations_follow_the_session(self) -> None:
        """Every registration expires the retention period after the session's end as it
        stands, and everyone not cancelled was told of its time and place as they stand."""
        session = self.catalogue.session(self.session)
        assert session is not None
        ends = int((session.ends_at + timedelta(days=REGISTRATION_RETENTION_DAYS)).timestamp())
        for registration in self.store.registrations(self.session):
            assert registration.expires_at is not None
            assert int(registration.expires_at.timestamp()) == ends
            if registration.status is not Status.CANCELLED:
                assert registration.session_revision == session.revision

    @invariant()
    def every_personal_item_expires(self) -> None:
        expiries = self.expiries()
        assert all(expiries.values()), expiries
