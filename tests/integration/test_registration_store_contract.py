"""One contract for forum registration's storage, run against the in-memory stores the unit
tests use (tests/fakes.py) and the DynamoDB adapters on the emulator: every method of the
registration store (shared.forums.registration.ports), of the catalogue the service reads and the
secretariat writes, and of the email ledger, with the cases their conditions refuse, what a
refused step leaves (nothing), the waiting list's order and every item's expiry (TTL).

A rule test on the fakes (tests/unit/test_registration_rules.py) proves the rules only as far
as this suite proves the fakes are the adapters."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest

from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_ledger import DynamoLedger
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.errors import Conflict, NotFound
from shared.forums.catalogue import CapacityBelowConfirmed, CatalogueStore
from shared.forums.models import Forum, Session
from shared.forums.registration.models import (
    CancelledBy,
    Confirmed,
    Existing,
    Moved,
    Refused,
    Registration,
    SeatFreed,
    Status,
    Submission,
    Waiting,
)
from shared.forums.registration.ports import (
    Ledger,
    RegistrationStore,
    SessionLookup,
    SessionStatusStore,
)
from shared.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from shared.roles import Audience, Role
from tests.fakes import MemoryCatalogueStore, MemoryRegistrationStore

NOW = datetime.now(UTC).replace(microsecond=123456)
LEADERS = [Audience.LEADERS_OF_LEADERS, Audience.LEADERS_AND_ADMINISTRATION]
ADMINISTRATION = [Audience.LEADERS_AND_ADMINISTRATION]


class Catalogue(CatalogueStore, SessionLookup, SessionStatusStore, Protocol):
    """What registration needs of the catalogue: the store, the notifier's lookups and the
    secretariat's status changes."""


@dataclass
class Stores:
    catalogue: Catalogue
    store: RegistrationStore
    ledger: Ledger
    expiries: Callable[[str], dict[str, int | None]]  # a session's items: sort key -> TTL

    # -- making sessions, submissions and registrations -----------------------------------

    def session(self, capacity: int = 2, *, audience: Audience = Audience.LEADERS_OF_LEADERS,
                deadline: timedelta = timedelta(days=10), closed: bool = False) -> str:
        forum = f"contract-{uuid.uuid4().hex[:10]}"
        starts = NOW + timedelta(days=30)
        self.catalogue.put_forum(Forum(id=forum, title="Kontrakt", audience=audience))
        self.catalogue.put_session(Session(
            id=f"{forum}-s", forum_id=forum, city="Vejle", venue="Spinderihallerne",
            starts_at=starts, ends_at=starts + timedelta(hours=5), capacity=capacity,
            registration_deadline=NOW + deadline, closed=closed), audience)
        return f"{forum}-s"

    def submit(self, session_id: str, who: str, *, registration_id: str | None = None,
               email: str | None = None) -> Submission:
        submission = Submission(
            id=uuid.uuid4().hex, registration_id=registration_id or f"reg-{who}",
            session_id=session_id, name=f"Deltager {who}",
            email=email or f"{who}@example.dk", phone="+4520304050",
            role=Role.AREA_LEADER, workplace="Vejle Kommune", member_number="123", needs=None,
            submitted_at=NOW, expires_at=NOW + timedelta(hours=24))
        self.store.put_submission(submission)
        return submission

    def confirm(self, session_id: str, who: str) -> Registration:
        """Submit, and take a seat (which must be free)."""
        registration = registration_of(self.submit(session_id, who))
        assert self.store.take_seat(registration, LEADERS, NOW, None) == Confirmed()
        return registration

    def wait(self, session_id: str, who: str) -> Registration:
        """Submit, and join the waiting list (the session must be full or have a line)."""
        registration = registration_of(self.submit(session_id, who), Status.WAITLISTED)
        assert self.store.join_waitlist(registration, LEADERS, NOW, None) == Waiting()
        return registration

    def seats(self, session_id: str) -> int:
        state = self.store.session_state(session_id)
        assert state is not None
        return state.session.confirmed


def registration_of(submission: Submission, status: Status = Status.CONFIRMED,
                    round_: int = 1) -> Registration:
    return Registration(
        id=submission.registration_id, session_id=submission.session_id, status=status,
        name=submission.name, email=submission.email, phone=submission.phone,
        role=submission.role, workplace=submission.workplace,
        member_number=submission.member_number, needs=submission.needs, created_at=NOW,
        round=round_, submission=submission.id, expires_at=NOW + timedelta(days=400),
        consent_text_version=submission.consent_text_version,
        consented_at=submission.submitted_at)


def _dynamodb(request: pytest.FixtureRequest) -> Stores:
    emulator = request.getfixturevalue("emulator")
    table, forums = parameter(PARAM_REGISTRATIONS_TABLE), parameter(PARAM_FORUMS_TABLE)

    def expiries(session_id: str) -> dict[str, int | None]:
        items = emulator.client("dynamodb").query(
            TableName=table, ConsistentRead=True, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"SESSION#{session_id}"}})["Items"]
        return {i["sk"]["S"]: int(i["expires_at"]["N"]) if "expires_at" in i else None
                for i in items}

    return Stores(DynamoCatalogueStore(forums), DynamoRegistrationStore(table, forums),
                  DynamoLedger(table), expiries)


def _memory(request: pytest.FixtureRequest) -> Stores:
    catalogue = MemoryCatalogueStore()
    store = MemoryRegistrationStore(catalogue)
    return Stores(catalogue, store, store, store.expiries)


@pytest.fixture(params=[_memory, _dynamodb], ids=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Stores:
    build: Callable[[pytest.FixtureRequest], Stores] = request.param
    return build(request)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# -- the session as registration reads it ---------------------------------------------------

def test_an_unknown_session_has_no_state_and_nobody(stores: Stores) -> None:
    store = stores.store
    assert store.session_state("contract-none") is None
    assert store.waiting("contract-none") == []
    assert store.position("contract-none", "reg-a") is None
    assert store.get("contract-none", "reg-a") is None
    assert store.registrations("contract-none") == []
    assert store.submission("contract-none", "reg-a", "x") is None


def test_the_state_is_the_session_its_audience_and_its_line(stores: Stores) -> None:
    session = stores.session(3, audience=Audience.LEADERS_AND_ADMINISTRATION)
    state = stores.store.session_state(session)
    assert state is not None
    assert state.session == stores.catalogue.session(session)
    assert (state.session.capacity, state.session.confirmed) == (3, 0)
    assert state.audience is Audience.LEADERS_AND_ADMINISTRATION and state.waiting == []


# -- submissions ------------------------------------------------------------------------------

def test_a_submission_is_held_as_given_until_a_placing_step_uses_it(stores: Stores) -> None:
    session = stores.session()
    submission = stores.submit(session, "a", email="Anne.A@Example.dk")
    stores.store.put_submission(submission)  # a resubmitted form: the same item
    held = stores.store.submission(session, submission.registration_id, submission.id)
    assert held == submission
    assert stores.store.submissions_with_email("anne.a@example.DK") == [submission]
    assert stores.expiries(session) == {
        f"SUB#{submission.registration_id}#{submission.id}": epoch(submission.expires_at)}
    stores.store.take_seat(registration_of(submission), LEADERS, NOW, None)
    assert stores.store.submission(session, submission.registration_id, submission.id) is None
    assert stores.store.submissions_with_email("anne.a@example.dk") == []


def test_the_submissions_of_one_registration_are_listed_and_discarded_one_by_one(
        stores: Stores) -> None:
    session = stores.session()
    first, second = (stores.submit(session, "a") for _ in range(2))
    other = stores.submit(session, "b")  # another registration: not listed, not discarded
    assert sorted(s.id for s in stores.store.submissions(session, "reg-a")) == sorted(
        [first.id, second.id])
    assert stores.store.submissions(session, "reg-a")[0] in (first, second)
    stores.store.discard_submission(session, "reg-a", first.id)
    stores.store.discard_submission(session, "reg-a", first.id)  # gone already: nothing
    assert stores.store.submissions(session, "reg-a") == [second]
    assert stores.store.submissions(session, "reg-b") == [other]
    assert stores.store.submissions(session, "reg-c") == []


def test_a_cancellation_for_a_round_leaves_a_registration_in_another_round(
        stores: Stores) -> None:
    session = stores.session(2)
    registration = stores.confirm(session, "a")
    assert not stores.store.cancel(registration, CancelledBy.PARTICIPANT, NOW, round_=2)
    assert stores.store.get(session, registration.id).status is Status.CONFIRMED  # type: ignore[union-attr]
    assert stores.store.cancel(registration, CancelledBy.PARTICIPANT, NOW, round_=1)
    assert stores.seats(session) == 0


# -- a seat -----------------------------------------------------------------------------------

def test_a_seat_stores_the_registration_counts_it_and_uses_the_submission(
        stores: Stores) -> None:
    session = stores.session(2)
    registration = stores.confirm(session, "a")
    stored = stores.store.get(session, registration.id)
    # The expiry is DynamoDB's TTL attribute: whole seconds.
    assert stored == registration.model_copy(update={
        "expires_at": datetime.fromtimestamp(epoch(registration.expires_at or NOW), UTC)})
    assert stores.seats(session) == 1
    assert stores.expiries(session) == {f"REG#{registration.id}": epoch(
        registration.expires_at or NOW)}


def test_a_registration_already_there_is_met_and_nothing_is_written(stores: Stores) -> None:
    session = stores.session(3)
    first = stores.confirm(session, "a")
    again = stores.submit(session, "a")
    for step in (stores.store.take_seat, stores.store.join_waitlist):
        answer = step(registration_of(again), LEADERS, NOW, None)
        assert isinstance(answer, Existing) and answer.registration.id == first.id
        assert answer.registration.submission == first.submission
        # A round that is not the cancelled one meets the registration as well.
        answer = step(registration_of(again, round_=2), LEADERS, NOW, 1)
        assert isinstance(answer, Existing)
    assert stores.seats(session) == 1 and stores.store.waiting(session) == []
    assert stores.store.submission(session, again.registration_id, again.id) == again


def test_a_used_or_missing_submission_or_an_erased_registration_moves(stores: Stores) -> None:
    session = stores.session(3)
    never_held = registration_of(stores.submit(session, "a")).model_copy(
        update={"submission": "not-held"})
    taken_up = registration_of(stores.submit(session, "b"), round_=2)  # round 1 is gone
    for registration, previous in ((never_held, None), (taken_up, 1)):
        assert stores.store.take_seat(registration, LEADERS, NOW, previous) == Moved()
        waiting = registration.model_copy(update={"status": Status.WAITLISTED})
        assert stores.store.join_waitlist(waiting, LEADERS, NOW, previous) == Moved()
        assert stores.store.get(session, registration.id) is None
    assert stores.seats(session) == 0
    assert stores.store.submission(session, "reg-b", taken_up.submission or "") is not None


def _fill(stores: Stores, session_id: str) -> None:
    for i in range(2):
        stores.confirm(session_id, f"f{i}")


REFUSALS: dict[str, Callable[[Stores, str], None]] = {
    "closed": lambda s, session: s.catalogue.set_status(session, closed=True),
    "cancelled": lambda s, session: s.catalogue.set_status(session, cancelled=True, reason="x"),
    "full": _fill,
}


@pytest.mark.parametrize("why", [*REFUSALS, "deadline", "audience", "unknown"])
def test_a_session_that_refuses_a_seat_gets_nothing_written(stores: Stores, why: str) -> None:
    session = stores.session(2, deadline=timedelta(days=-1) if why == "deadline"
                             else timedelta(days=10))
    if why in REFUSALS:
        REFUSALS[why](stores, session)
    target = "contract-unknown-s" if why == "unknown" else session
    submission = stores.submit(target, "a")
    seats = stores.seats(session)
    admitted = ADMINISTRATION if why == "audience" else LEADERS
    answer = stores.store.take_seat(registration_of(submission), admitted, NOW, None)
    assert isinstance(answer, Refused)
    assert answer.state == (None if why == "unknown" else stores.store.session_state(session))
    assert stores.store.get(target, submission.registration_id) is None
    assert stores.store.submission(target, submission.registration_id, submission.id)
    assert stores.seats(session) == seats


@pytest.mark.parametrize("why", ["closed", "cancelled", "deadline", "audience", "unknown"])
def test_a_session_that_refuses_a_place_in_line_gets_nothing_written(stores: Stores,
                                                                    why: str) -> None:
    session = stores.session(1)
    stores.confirm(session, "first")
    if why in REFUSALS:
        REFUSALS[why](stores, session)
    target = "contract-unknown-s" if why == "unknown" else session
    submission = stores.submit(target, "a")
    registration = registration_of(submission, Status.WAITLISTED)
    now = NOW + timedelta(days=11) if why == "deadline" else NOW
    admitted = ADMINISTRATION if why == "audience" else LEADERS
    answer = stores.store.join_waitlist(registration, admitted, now, None)
    assert isinstance(answer, Refused)
    assert answer.state == (None if why == "unknown" else stores.store.session_state(session))
    assert stores.store.get(target, submission.registration_id) is None
    assert stores.store.waiting(session) == []


def test_a_free_seat_while_nobody_waits_is_no_place_in_line(stores: Stores) -> None:
    session = stores.session(2)
    stores.confirm(session, "first")
    submission = stores.submit(session, "a")
    registration = registration_of(submission, Status.WAITLISTED)
    assert stores.store.join_waitlist(registration, LEADERS, NOW, None) == SeatFreed()
    assert stores.store.waiting(session) == []
    assert stores.store.get(session, registration.id) is None


# -- the waiting list -------------------------------------------------------------------------

def test_the_waiting_list_keeps_arrival_order(stores: Stores) -> None:
    session = stores.session(1)
    stores.confirm(session, "first")
    line = [stores.wait(session, who).id for who in ("c", "a", "b")]
    assert stores.store.waiting(session) == line
    assert [stores.store.position(session, rid) for rid in line] == [1, 2, 3]
    assert stores.store.position(session, "reg-first") is None
    assert stores.store.get(session, line[0]).status is Status.WAITLISTED  # type: ignore[union-attr]
    assert stores.seats(session) == 1


def test_a_seat_free_while_people_wait_is_the_first_ones(stores: Stores) -> None:
    session = stores.session(1)
    stores.confirm(session, "first")
    line = [stores.wait(session, who).id for who in ("a", "b")]
    assert not stores.store.promote_first(session, line[0], NOW)  # no seat yet
    stores.catalogue.put_session(_grown(stores, session, 3), Audience.LEADERS_OF_LEADERS)
    # A newcomer neither takes the seat nor jumps the line.
    newcomer = stores.submit(session, "n")
    assert isinstance(stores.store.take_seat(registration_of(newcomer), LEADERS, NOW, None),
                      Refused)
    assert not stores.store.promote_first(session, line[1], NOW)  # not first
    assert stores.store.promote_first(session, line[0], NOW)
    promoted = stores.store.get(session, line[0])
    assert promoted is not None and promoted.status is Status.CONFIRMED
    assert promoted.promoted_at == NOW
    assert stores.store.waiting(session) == [line[1]] and stores.seats(session) == 2
    assert stores.store.join_waitlist(registration_of(newcomer, Status.WAITLISTED), LEADERS,
                                      NOW, None) == Waiting()
    assert stores.store.waiting(session) == [line[1], "reg-n"]
    stores.catalogue.set_status(session, cancelled=True, reason="x")
    assert not stores.store.promote_first(session, line[1], NOW)  # never into a cancelled one


def _grown(stores: Stores, session_id: str, capacity: int) -> Session:
    session = stores.catalogue.session(session_id)
    assert session is not None
    return session.model_copy(update={"capacity": capacity})


# -- cancelling -------------------------------------------------------------------------------

def test_cancelling_a_seat_nobody_waits_for_frees_it_once(stores: Stores) -> None:
    session = stores.session(2)
    registration = stores.confirm(session, "a")
    later = NOW + timedelta(minutes=5)
    assert stores.store.cancel(registration, CancelledBy.PARTICIPANT, later)
    cancelled = stores.store.get(session, registration.id)
    assert cancelled is not None and cancelled.status is Status.CANCELLED
    assert (cancelled.cancelled_at, cancelled.cancelled_by) == (later, CancelledBy.PARTICIPANT)
    assert stores.seats(session) == 0
    assert not stores.store.cancel(registration, CancelledBy.SECRETARIAT, later)
    assert stores.store.get(session, registration.id) == cancelled


def test_a_cancelled_seat_passes_to_the_first_in_line_in_the_same_step(stores: Stores) -> None:
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    line = [stores.wait(session, who).id for who in ("b", "c", "d")]
    assert stores.store.cancel(stores.store.get(session, line[1]),  # type: ignore[arg-type]
                               CancelledBy.PARTICIPANT, NOW)
    assert stores.store.waiting(session) == [line[0], line[2]]
    assert stores.store.cancel(seat, CancelledBy.SECRETARIAT, NOW)
    assert stores.store.get(session, line[0]).status is Status.CONFIRMED  # type: ignore[union-attr]
    assert stores.store.waiting(session) == [line[2]] and stores.seats(session) == 1
    assert stores.store.position(session, line[2]) == 1


def test_in_a_cancelled_session_a_cancelled_seat_is_only_freed(stores: Stores) -> None:
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    waiting = stores.wait(session, "b")
    stores.catalogue.set_status(session, cancelled=True, reason="Syg")
    assert stores.store.cancel(seat, CancelledBy.SESSION_CANCELLED, NOW)
    assert stores.seats(session) == 0 and stores.store.waiting(session) == [waiting.id]
    assert stores.store.get(session, waiting.id).status is Status.WAITLISTED  # type: ignore[union-attr]


def test_a_cancelled_registration_is_taken_up_again_in_a_new_round(stores: Stores) -> None:
    session = stores.session(1)
    first = stores.confirm(session, "a")
    stores.store.cancel(first, CancelledBy.PARTICIPANT, NOW)
    again = registration_of(stores.submit(session, "a"), round_=2)
    assert isinstance(stores.store.take_seat(again, LEADERS, NOW, 2), Existing)  # wrong round
    assert stores.store.take_seat(again, LEADERS, NOW, 1) == Confirmed()
    stored = stores.store.get(session, first.id)
    assert stored is not None and (stored.status, stored.round) == (Status.CONFIRMED, 2)
    assert (stored.cancelled_at, stored.cancelled_by) == (None, None)  # a new round
    assert stores.store.registrations(session) == [stored]


# -- listing and data-protection requests ----------------------------------------------------

def test_registrations_are_listed_in_id_order_whatever_their_status(stores: Stores) -> None:
    session = stores.session(1)
    made = [stores.confirm(session, "m"), stores.wait(session, "b"), stores.wait(session, "x")]
    stores.store.cancel(made[2], CancelledBy.PARTICIPANT, NOW)
    listed = stores.store.registrations(session)
    assert [r.id for r in listed] == sorted(r.id for r in made)
    assert [r.status for r in listed] == [Status.WAITLISTED, Status.CONFIRMED, Status.CANCELLED]


def test_an_address_is_found_in_every_session_and_forgotten_with_its_emails(
        stores: Stores) -> None:
    email = f"{uuid.uuid4().hex[:8]}@Example.dk"
    one, two = stores.session(), stores.session()
    mine = [registration_of(stores.submit(s, "a", registration_id=f"reg-{s}", email=email))
            for s in (one, two)]
    for registration in mine:
        assert stores.store.take_seat(registration, LEADERS, NOW, None) == Confirmed()
    pending = stores.submit(one, "p", registration_id="reg-pending", email=email.upper())
    other = stores.confirm(one, "b")
    for rid in (mine[0].id, other.id):
        assert stores.ledger.claim(one, rid, "1#confirmation", expires_at=NOW)
        assert stores.ledger.pass_gate(one, f"{rid}#1", NOW, NOW + timedelta(minutes=10))
    assert {r.id for r in stores.store.with_email(email.lower())} == {r.id for r in mine}
    assert stores.store.submissions_with_email(email) == [pending]

    stores.store.forget(mine[0])
    stores.store.forget_submissions(one, "reg-pending")
    assert stores.store.with_email(email) == [stores.store.get(two, mine[1].id)]
    assert stores.store.submissions_with_email(email) == []
    assert sorted(stores.expiries(one)) == [f"GATE#{other.id}#1", f"MAIL#{other.id}#1#confirmation",
                                            f"REG#{other.id}"]
    assert stores.seats(one) == 2  # forgetting is not cancelling: the count is kept


# -- the email ledger and the gate -----------------------------------------------------------

def test_each_email_is_claimed_once_until_released(stores: Stores) -> None:
    session = stores.session()
    ledger = stores.ledger
    assert ledger.claim(session, "reg-a", "1#confirmation", expires_at=NOW)
    assert not ledger.claim(session, "reg-a", "1#confirmation", expires_at=NOW)
    assert ledger.claim(session, "reg-a", "1#cancelled")
    ledger.release(session, "reg-a", "1#confirmation")
    assert ledger.claim(session, "reg-a", "1#confirmation", expires_at=NOW)
    assert stores.expiries(session) == {"MAIL#reg-a#1#confirmation": epoch(NOW),
                                        "MAIL#reg-a#1#cancelled": None}


def test_the_gate_lets_one_email_out_per_interval(stores: Stores) -> None:
    session = stores.session()
    ledger = stores.ledger
    until = NOW + timedelta(minutes=10)
    assert ledger.pass_gate(session, "reg-a#1", NOW, until)
    assert not ledger.pass_gate(session, "reg-a#1", until - timedelta(seconds=1), until)
    assert ledger.pass_gate(session, "reg-a#2", NOW, until)  # another round
    ledger.reopen_gate(session, "reg-a#1", until + timedelta(seconds=1))  # not that pass
    assert not ledger.pass_gate(session, "reg-a#1", NOW, until)
    ledger.reopen_gate(session, "reg-a#1", until)
    later = until + timedelta(minutes=10)
    assert ledger.pass_gate(session, "reg-a#1", NOW, later)
    assert ledger.pass_gate(session, "reg-a#1", later, later + timedelta(minutes=10))
    assert stores.expiries(session)["GATE#reg-a#1"] == epoch(later + timedelta(minutes=10))


# -- the catalogue ----------------------------------------------------------------------------

def test_the_catalogue_keeps_forums_and_sessions(stores: Stores) -> None:
    session_id = stores.session(4, closed=True)
    session = stores.catalogue.session(session_id)
    assert session is not None and session.closed and session.confirmed == 0
    forum = stores.catalogue.forum(session.forum_id)
    assert forum is not None and forum.title == "Kontrakt"
    assert forum in stores.catalogue.forums()
    assert stores.catalogue.sessions(session.forum_id) == [session]
    assert session in stores.catalogue.sessions()
    assert stores.catalogue.forum("contract-none") is None
    assert stores.catalogue.session("contract-none") is None


def test_an_import_keeps_the_seats_and_the_secretariats_status(stores: Stores) -> None:
    session_id = stores.session(2)
    stores.confirm(session_id, "a")
    stores.confirm(session_id, "b")
    stores.catalogue.set_status(session_id, closed=True)
    grown = _grown(stores, session_id, 3).model_copy(update={"closed": False, "confirmed": 0,
                                                              "city": "Kolding"})
    stores.catalogue.put_session(grown, Audience.LEADERS_AND_ADMINISTRATION)
    state = stores.store.session_state(session_id)
    assert state is not None and state.audience is Audience.LEADERS_AND_ADMINISTRATION
    assert (state.session.city, state.session.capacity) == ("Kolding", 3)
    assert (state.session.confirmed, state.session.closed) == (2, True)
    with pytest.raises(CapacityBelowConfirmed):
        stores.catalogue.put_session(_grown(stores, session_id, 1), state.audience)
    assert stores.seats(session_id) == 2


def test_a_cancelled_session_stays_cancelled(stores: Stores) -> None:
    session_id = stores.session()
    catalogue = stores.catalogue
    catalogue.set_status(session_id, closed=True)
    catalogue.set_status(session_id, closed=False)
    assert catalogue.cancel_reason(session_id) is None
    catalogue.set_status(session_id, cancelled=True, reason="Oplægsholderen er syg.")
    with pytest.raises(Conflict):
        catalogue.set_status(session_id, closed=False)
    with pytest.raises(Conflict):
        catalogue.set_status(session_id, cancelled=False)
    catalogue.set_status(session_id, closed=True)  # closing it as well is harmless
    session = catalogue.session(session_id)
    assert session is not None and session.cancelled and session.closed
    assert catalogue.cancel_reason(session_id) == "Oplægsholderen er syg."
    with pytest.raises(NotFound):
        catalogue.set_status("contract-none", closed=True)


def test_every_personal_item_expires(stores: Stores) -> None:
    session = stores.session(1)
    stores.confirm(session, "a")
    stores.wait(session, "b")
    stores.submit(session, "c")
    stores.store.cancel(stores.store.get(session, "reg-a"),  # type: ignore[arg-type]
                        CancelledBy.PARTICIPANT, NOW)
    stores.ledger.claim(session, "reg-b", "1#promoted", expires_at=NOW + timedelta(days=400))
    expiries: dict[str, Any] = stores.expiries(session)
    assert len(expiries) == 4 and all(expiries.values()), expiries
