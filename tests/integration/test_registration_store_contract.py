"""One contract for forum registration's storage, run against the in-memory stores the unit
tests use (tests/support/registration.py) and the DynamoDB adapters on the emulator: every
method of the registration store (shared.forums.registration.ports), of the catalogue the
service reads and the secretariat writes, and of the email ledger, with the cases their
conditions refuse, what a refused step leaves (nothing), the waiting list's order and every
item's expiry (TTL).

A rule test on the fakes (tests/unit/test_registration_rules.py) proves the rules only as far
as this suite proves the fakes are the adapters."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.dynamodb_registrations import registration_key
from shared.adapters.parameters import parameter
from shared.errors import Conflict, NotFound
from shared.forums.catalogue import CapacityBelowConfirmed
from shared.forums.models import Session
from shared.forums.registration import seats
from shared.forums.registration.models import (
    CancelledBy,
    SessionState,
    Status,
)
from shared.forums.registration.service import WaitingList
from shared.forums.registration.transitions import (
    Applied,
    AtRevision,
    Condition,
    Equals,
    InLineAt,
    LineLength,
    NoSeatFree,
    NotBefore,
    NotInLine,
    OneOf,
    Rejected,
    SeatFree,
    SeatTaken,
    SomeoneWaits,
    Transition,
)
from shared.platform.names import PARAM_REGISTRATIONS_TABLE
from shared.roles import Audience, Role
from tests.support.registration_contract import (
    NOW,
    Stores,
    dynamodb_stores,
    epoch,
    registration_of,
    stores,
)

__all__ = ["stores"]  # the fixture, run against both stores

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
    stores.place(submission)
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
    assert not stores.cancel(registration, round_=2)
    assert stores.store.get(session, registration.id).status is Status.CONFIRMED  # type: ignore[union-attr]
    assert stores.cancel(registration, round_=1)
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


def test_a_registration_already_there_is_not_written_over(stores: Stores) -> None:
    session = stores.session(3)
    first = stores.confirm(session, "a")
    again = stores.submit(session, "a")
    held = stores.store.get(session, first.id)
    assert stores.place(again) == Rejected()  # "there is none": there is one
    # Taking up a cancelled round again, when it is not cancelled, is refused as well.
    cancelled = first.model_copy(update={"status": Status.CANCELLED})
    assert stores.place(again, round_=2, replaces=cancelled) == Rejected()
    assert stores.store.get(session, first.id) == held
    assert stores.seats(session) == 1 and stores.store.waiting(session) == []
    assert stores.store.submission(session, again.registration_id, again.id) == again


def test_a_used_or_missing_submission_or_an_erased_registration_writes_nothing(
        stores: Stores) -> None:
    session = stores.session(3)
    never_held = stores.submit(session, "a").model_copy(update={"id": "not-held"})
    taken_up = stores.submit(session, "b")
    gone = registration_of(taken_up).model_copy(update={"status": Status.CANCELLED})
    assert stores.place(never_held) == Rejected()
    assert stores.place(taken_up, round_=2, replaces=gone) == Rejected()  # round 1 is gone
    for rid in ("reg-a", "reg-b"):
        assert stores.store.get(session, rid) is None
    assert stores.seats(session) == 0
    assert stores.store.submission(session, "reg-b", taken_up.id) == taken_up


def _fill(stores: Stores, session_id: str) -> None:
    for i in range(2):
        stores.confirm(session_id, f"f{i}")


CHANGES: dict[str, Callable[[Stores, str], None]] = {
    "closed": lambda s, session: s.catalogue.set_status(session, closed=True),
    "cancelled": lambda s, session: s.catalogue.set_status(session, cancelled=True, reason="x"),
    "full": _fill,
}


@pytest.mark.parametrize("why", [*CHANGES, "deadline", "audience", "unknown"])
def test_a_seat_decided_on_a_session_that_changed_meanwhile_writes_nothing(
        stores: Stores, why: str) -> None:
    """The session read admitted the seat; when it is applied the session refuses it: nothing
    written, and the store says how it found the session (for the rules to decide again)."""
    session = stores.session(2, audience=Audience.LEADERS_AND_ADMINISTRATION)
    submission = stores.submit(session, "a")
    read = stores.state(session)
    if why in CHANGES:
        CHANGES[why](stores, session)
    if why == "deadline":
        read = SessionState(read.session.model_copy(
            update={"registration_deadline": NOW + timedelta(days=-1)}), read.audience, [])
        stores.catalogue.put_session(read.session, read.audience)
    if why == "audience":
        submission = submission.model_copy(update={"role": Role.ADMINISTRATION})
        stores.catalogue.put_session(read.session, Audience.LEADERS_OF_LEADERS)
    if why == "unknown":
        read = SessionState(read.session.model_copy(update={"id": "contract-unknown-s"}),
                            read.audience, [])
        submission = stores.submit("contract-unknown-s", "a")
    seats_before = stores.seats(session)
    decided = seats.place(read, registration_of(submission), None, submission, NOW)
    answer = stores.store.apply(decided)
    target = submission.session_id
    assert answer == Rejected(None if why == "unknown" else stores.state(session),
                              session_failed=True)
    assert stores.store.get(target, submission.registration_id) is None
    assert stores.seats(session) == seats_before and stores.store.waiting(session) == []


@pytest.mark.parametrize("why", ["closed", "cancelled", "deadline", "audience", "freed"])
def test_a_place_in_line_decided_on_a_session_that_changed_meanwhile_writes_nothing(
        stores: Stores, why: str) -> None:
    session = stores.session(1)
    seat = stores.confirm(session, "first")
    submission = stores.submit(session, "a")
    read = stores.state(session)  # full: the rules put "a" in line
    if why in CHANGES:
        CHANGES[why](stores, session)
    if why == "freed":
        assert stores.cancel(seat)
    now = NOW + timedelta(days=11) if why == "deadline" else NOW
    if why == "audience":
        submission = submission.model_copy(update={"role": Role.ADMINISTRATION})
    decided = seats.place(read, registration_of(submission), None, submission, now)
    assert decided.joins == submission.registration_id
    assert stores.store.apply(decided) == Rejected(stores.state(session), session_failed=True)
    assert stores.store.get(session, submission.registration_id) is None
    assert stores.store.waiting(session) == []


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
    before = stores.state(session)  # full, nobody waits yet
    line = [stores.wait(session, who).id for who in ("a", "b")]
    first, second = (stores.store.get(session, rid) for rid in line)
    assert first is not None and second is not None
    assert stores.store.apply(seats.promote_first(stores.state(session), first, NOW)) == \
        Rejected(stores.state(session), session_failed=True)  # no seat yet
    stores.catalogue.put_session(_grown(stores, session, 3), Audience.LEADERS_OF_LEADERS)
    # A newcomer's seat decided before anyone waited is not given while people wait.
    newcomer = stores.submit(session, "n")
    grown = SessionState(_grown(stores, session, 3), before.audience, [])
    assert stores.place(newcomer, state=grown) == Rejected(stores.state(session),
                                                           session_failed=True)
    promote_second = seats.promote_first(stores.state(session), second, NOW)
    assert stores.store.apply(promote_second) == Rejected(stores.state(session),
                                                          session_failed=True)  # not first
    assert WaitingList(stores.store, lambda: NOW).fill(session) == 2
    promoted = stores.store.get(session, line[0])
    assert promoted is not None and promoted.status is Status.CONFIRMED
    assert promoted.promoted_at == NOW
    assert stores.store.waiting(session) == [] and stores.seats(session) == 3
    assert stores.place(newcomer) == Applied()
    assert stores.store.waiting(session) == ["reg-n"]


def test_nobody_is_promoted_into_a_cancelled_session(stores: Stores) -> None:
    session = stores.session(1)
    stores.confirm(session, "first")
    waiting = stores.wait(session, "a")
    stores.catalogue.put_session(_grown(stores, session, 2), Audience.LEADERS_OF_LEADERS)
    read = stores.state(session)
    stores.catalogue.set_status(session, cancelled=True, reason="x")
    first = stores.store.get(session, waiting.id)
    assert first is not None
    assert stores.store.apply(seats.promote_first(read, first, NOW)) == Rejected(
        stores.state(session), session_failed=True)
    assert WaitingList(stores.store, lambda: NOW).fill(session) == 0
    assert stores.store.waiting(session) == [waiting.id]


def _grown(stores: Stores, session_id: str, capacity: int) -> Session:
    session = stores.catalogue.session(session_id)
    assert session is not None
    return session.model_copy(update={"capacity": capacity})


# -- cancelling -------------------------------------------------------------------------------

def test_cancelling_a_seat_nobody_waits_for_frees_it_once(stores: Stores) -> None:
    session = stores.session(2)
    registration = stores.confirm(session, "a")
    later = NOW + timedelta(minutes=5)
    assert stores.cancel(registration, now=later)
    cancelled = stores.store.get(session, registration.id)
    assert cancelled is not None and cancelled.status is Status.CANCELLED
    assert (cancelled.cancelled_at, cancelled.cancelled_by) == (later, CancelledBy.PARTICIPANT)
    assert stores.seats(session) == 0
    assert not stores.cancel(registration, CancelledBy.SECRETARIAT, now=later)
    assert stores.store.get(session, registration.id) == cancelled


def test_a_cancellation_decided_before_someone_joined_the_line_writes_nothing(
        stores: Stores) -> None:
    """A seat given back only while nobody waits: one who joined meanwhile is owed it."""
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    read = stores.state(session)
    held = stores.store.get(session, seat.id)
    assert held is not None
    stores.wait(session, "b")
    decided = seats.cancel(read, held, None, CancelledBy.PARTICIPANT, NOW)
    assert stores.store.apply(decided) == Rejected(stores.state(session), session_failed=True)
    assert stores.store.get(session, seat.id) == held and stores.seats(session) == 1


def test_a_cancelled_seat_passes_to_the_first_in_line_in_the_same_step(stores: Stores) -> None:
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    line = [stores.wait(session, who).id for who in ("b", "c", "d")]
    assert stores.cancel(stores.store.get(session, line[1]))  # type: ignore[arg-type]
    assert stores.store.waiting(session) == [line[0], line[2]]
    assert stores.cancel(seat, CancelledBy.SECRETARIAT)
    assert stores.store.get(session, line[0]).status is Status.CONFIRMED  # type: ignore[union-attr]
    assert stores.store.waiting(session) == [line[2]] and stores.seats(session) == 1
    assert stores.store.position(session, line[2]) == 1


def test_in_a_cancelled_session_a_cancelled_seat_is_only_freed(stores: Stores) -> None:
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    waiting = stores.wait(session, "b")
    stores.catalogue.set_status(session, cancelled=True, reason="Syg")
    assert stores.cancel(seat, CancelledBy.SESSION_CANCELLED)
    assert stores.seats(session) == 0 and stores.store.waiting(session) == [waiting.id]
    assert stores.store.get(session, waiting.id).status is Status.WAITLISTED  # type: ignore[union-attr]


def test_in_a_cancelled_session_a_seat_is_freed_whoever_stands_first_in_line(
        stores: Stores) -> None:
    """The seat goes to nobody, so the first in line is not needed: a place whose
    registration is gone (erased on a data-protection request) does not stop it."""
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    gone = stores.wait(session, "b")
    assert stores.store.forget(gone)
    stores.catalogue.set_status(session, cancelled=True, reason="Syg")
    assert stores.cancel(seat, CancelledBy.SESSION_CANCELLED)
    assert stores.seats(session) == 0 and stores.store.waiting(session) == [gone.id]
    assert stores.store.get(session, seat.id).status is Status.CANCELLED  # type: ignore[union-attr]


def test_a_cancelled_registration_is_taken_up_again_in_a_new_round(stores: Stores) -> None:
    session = stores.session(1)
    first = stores.confirm(session, "a")
    stores.cancel(first)
    cancelled = stores.store.get(session, first.id)
    assert cancelled is not None
    again = stores.submit(session, "a")
    assert stores.place(again, round_=2) == Rejected()  # "there is none": there is one
    assert stores.place(again, round_=2, replaces=cancelled) == Applied()
    stored = stores.store.get(session, first.id)
    assert stored is not None and (stored.status, stored.round) == (Status.CONFIRMED, 2)
    assert (stored.cancelled_at, stored.cancelled_by) == (None, None)  # a new round
    assert stores.store.registrations(session) == [stored]


def test_a_registration_stored_before_registrations_had_rounds_is_round_one(
        request: pytest.FixtureRequest) -> None:
    """An item without `round` (stored before registrations had rounds) is read as round 1
    and written over as round 1: first in line, it gets the seat cancelled ahead of it, and
    it can be cancelled and erased itself (DynamoDB only: the in-memory store has no
    such items)."""
    stores = dynamodb_stores(request)
    client = request.getfixturevalue("emulator").client("dynamodb")
    session = stores.session(1)
    seat = stores.confirm(session, "a")
    legacy = stores.wait(session, "b")

    def without_round() -> None:
        client.update_item(
            TableName=parameter(PARAM_REGISTRATIONS_TABLE),
            Key=registration_key(session, legacy.id),
            UpdateExpression="REMOVE #round", ExpressionAttributeNames={"#round": "round"})

    without_round()
    read = stores.store.get(session, legacy.id)
    assert read is not None and (read.status, read.round) == (Status.WAITLISTED, 1)
    assert stores.cancel(seat)
    promoted = stores.store.get(session, legacy.id)
    assert promoted is not None and (promoted.status, promoted.round) == (Status.CONFIRMED, 1)
    assert stores.store.waiting(session) == [] and stores.seats(session) == 1
    without_round()
    assert stores.cancel(promoted)
    assert stores.seats(session) == 0
    cancelled = stores.store.get(session, legacy.id)
    assert cancelled is not None and cancelled.status is Status.CANCELLED
    without_round()
    assert stores.store.forget(cancelled)
    assert stores.store.get(session, legacy.id) is None


# -- listing and data-protection requests ----------------------------------------------------

def test_registrations_are_listed_in_id_order_whatever_their_status(stores: Stores) -> None:
    session = stores.session(1)
    made = [stores.confirm(session, "m"), stores.wait(session, "b"), stores.wait(session, "x")]
    stores.cancel(made[2])
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
        assert stores.place(stores.store.submission(  # type: ignore[arg-type]
            registration.session_id, registration.id, registration.submission or "")) == \
            Applied()
    pending = stores.submit(one, "p", registration_id="reg-pending", email=email.upper())
    other = stores.confirm(one, "b")
    for rid in (mine[0].id, other.id):
        assert stores.ledger.claim(one, rid, "1#confirmation", expires_at=NOW)
        assert stores.ledger.pass_gate(one, rid, 1, NOW, NOW + timedelta(minutes=10))
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
    assert ledger.pass_gate(session, "reg-a", 1, NOW, until)
    assert not ledger.pass_gate(session, "reg-a", 1, until - timedelta(seconds=1), until)
    assert ledger.pass_gate(session, "reg-a", 2, NOW, until)  # another round
    ledger.reopen_gate(session, "reg-a", 1, until + timedelta(seconds=1))  # not that pass
    assert not ledger.pass_gate(session, "reg-a", 1, NOW, until)
    ledger.reopen_gate(session, "reg-a", 1, until)
    later = until + timedelta(minutes=10)
    assert ledger.pass_gate(session, "reg-a", 1, NOW, later)
    assert ledger.pass_gate(session, "reg-a", 1, later, later + timedelta(minutes=10))
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
    stores.cancel(stores.store.get(session, "reg-a"))  # type: ignore[arg-type]
    stores.ledger.claim(session, "reg-b", "1#promoted", expires_at=NOW + timedelta(days=400))
    expiries: dict[str, Any] = stores.expiries(session)
    assert len(expiries) == 4 and all(expiries.values()), expiries


# -- any transition: both stores apply exactly what its conditions allow ---------------------

LINE = ["reg-w0", "reg-w1", "reg-x"]
FACTS = st.one_of(
    st.builds(Equals, st.sampled_from(["closed", "cancelled"]), st.booleans()),
    st.builds(NotBefore, st.just("registration_deadline"),
              st.sampled_from([NOW - timedelta(days=1), NOW + timedelta(days=20)])),
    st.builds(OneOf, st.just("audience"),
              st.sets(st.sampled_from([a.value for a in Audience])).map(tuple)),
    st.sampled_from([SeatFree(), NoSeatFree(), SeatTaken(), SomeoneWaits()]),
    st.builds(LineLength, st.integers(0, 3)),
    st.builds(NotInLine, st.sampled_from(LINE)),
    st.builds(InLineAt, st.integers(0, 2), st.sampled_from(LINE)),
    st.builds(AtRevision, st.integers(0, 1)),
)


@st.composite
def transitions(draw: st.DrawFn) -> tuple[int, int, int, bool, bool, Transition]:
    capacity, confirmed, waiting = draw(st.integers(1, 3)), draw(st.integers(0, 3)), \
        draw(st.integers(0, 2))
    closed, cancelled = draw(st.booleans()), draw(st.booleans())
    line_change = draw(st.sampled_from(["none", "joins", "leaves"]))
    seats_change = draw(st.integers(-1, 1))
    transition = Transition(
        "drawn", requires=tuple(draw(st.lists(FACTS, max_size=3)))
        + ((SeatTaken(),) if seats_change < 0 else ()),
        seats=seats_change,
        joins=draw(st.sampled_from(LINE)) if line_change == "joins" else None,
        leaves=(draw(st.builds(InLineAt, st.integers(0, 2), st.sampled_from(LINE))),)
        if line_change == "leaves" else ())
    return capacity, confirmed, waiting, closed, cancelled, transition


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=transitions())
def test_a_transition_is_applied_exactly_when_its_conditions_hold(
        stores: Stores, drawn: tuple[int, int, int, bool, bool, Transition]) -> None:
    """On any session (seats, line, status) and any transition: written whole when each of
    its facts `holds` on the session, else nothing and the session as the store found it.
    The in-memory store evaluates `holds`; the adapter its own translation of each fact into
    DynamoDB's condition expressions, proven here to mean the same."""
    capacity, confirmed, waiting, closed, cancelled, drawn_transition = drawn
    session = stores.session(capacity)
    set_up = [Transition(session, seats=confirmed), *(Transition(session, joins=rid)
                                                      for rid in LINE[:waiting])]
    for step in set_up:
        assert stores.store.apply(step) == Applied()
    if closed or cancelled:
        stores.catalogue.set_status(session, closed=closed or None,
                                    cancelled=cancelled or None, reason="x" if cancelled else None)
    transition = Transition(session, **{
        name: getattr(drawn_transition, name) for name in ("requires", "seats", "joins",
                                                            "leaves")})
    before = stores.state(session)
    outcome = stores.store.apply(transition)
    after = stores.state(session)
    if transition.holds(before):
        assert outcome == Applied()
        line = [rid for i, rid in enumerate(before.waiting)
                if all(p.index != i for p in transition.leaves)]
        line += [transition.joins] if transition.joins else []
        assert (after.session.confirmed, after.waiting) == (
            before.session.confirmed + transition.seats, line)
    else:
        assert outcome == Rejected(before, session_failed=True)
        assert after == before


EVERY_FACT: list[Condition] = [
    *(Equals(name, value) for name in ("closed", "cancelled") for value in (False, True)),
    *(NotBefore("registration_deadline", NOW + timedelta(days=days)) for days in (-1, 10, 20)),
    *(OneOf("audience", values) for values in (
        (), (Audience.LEADERS_OF_LEADERS.value,), (Audience.LEADERS_AND_ADMINISTRATION.value,),
        tuple(a.value for a in Audience))),
    SeatFree(), NoSeatFree(), SeatTaken(), SomeoneWaits(),
    *(LineLength(n) for n in range(4)),
    *(NotInLine(rid) for rid in LINE),
    *(InLineAt(i, rid) for i in range(3) for rid in LINE),
    *(AtRevision(n) for n in range(3)),
]


@pytest.mark.parametrize("confirmed", [0, 2, 3])  # of 2 seats: free, full, over (lowered)
@pytest.mark.parametrize("waiting", [0, "emptied", 1, 2])  # "emptied": one joined and left
@pytest.mark.parametrize("status", ["open", "closed and cancelled", "changed once"])
def test_each_fact_means_in_the_store_what_it_means_in_the_domain(
        stores: Stores, confirmed: int, waiting: int | str, status: str) -> None:
    """Every kind of fact, on either side of its boundary, checked alone (nothing changes):
    the store lets it through exactly when `holds` says so."""
    session = stores.session(2)  # the deadline: NOW + 10 days
    joined = LINE[:1] if waiting == "emptied" else LINE[:int(waiting)]
    for step in [Transition(session, seats=confirmed),
                 *(Transition(session, joins=rid) for rid in joined),
                 *([Transition(session, leaves=(InLineAt(0, LINE[0]),))]
                   if waiting == "emptied" else [])]:
        assert stores.store.apply(step) == Applied()
    if status == "closed and cancelled":
        stores.catalogue.set_status(session, closed=True, cancelled=True, reason="x")
    if status == "changed once":  # a revision stored (before: none, which reads as 0)
        read = stores.state(session).session
        assert stores.catalogue.change_session(read.model_copy(update={
            "revision": 1, "capacity": max(read.confirmed, 2)}), read)
    state = stores.state(session)
    found = {fact: stores.store.apply(Transition(session, requires=(fact,))) == Applied()
             for fact in EVERY_FACT}
    assert found == {fact: fact.holds(state) for fact in EVERY_FACT}
    assert stores.state(session) == state


# -- the secretariat's change of a session's details ------------------------------------------

def test_a_change_of_a_session_is_written_only_while_it_is_as_read(stores: Stores) -> None:
    """Its details and revision are written while the session's revision is the one read;
    the seats taken, the line and the status stay as they are. Another change first: False,
    nothing written. Fewer seats than taken: CapacityBelowConfirmed. A cancelled session:
    Conflict; none: NotFound."""
    session_id = stores.session(2)
    stores.confirm(session_id, "a")
    stores.confirm(session_id, "b")
    stores.wait(session_id, "c")
    stores.catalogue.set_status(session_id, closed=True)
    read = stores.state(session_id).session
    moved = read.model_copy(update={
        "city": "Aarhus", "venue": "", "capacity": 3, "revision": 1,
        "starts_at": read.starts_at + timedelta(days=1),
        "ends_at": read.ends_at + timedelta(days=1, hours=1),
        "registration_deadline": read.registration_deadline + timedelta(hours=2)})
    assert stores.catalogue.change_session(moved, read)
    after = stores.state(session_id)
    assert after.session == moved  # seats taken and status as they were
    assert after.waiting == ["reg-c"]
    # Made from what was read before that change: refused, nothing written.
    assert not stores.catalogue.change_session(moved.model_copy(update={
        "city": "Odense", "revision": 1}), read)
    assert not stores.catalogue.change_session(moved.model_copy(update={"revision": 2}), read)
    assert stores.state(session_id).session == moved
    with pytest.raises(CapacityBelowConfirmed):
        stores.catalogue.change_session(moved.model_copy(update={"capacity": 1}), moved)
    assert stores.state(session_id).session == moved
    stores.catalogue.set_status(session_id, cancelled=True, reason="x")
    with pytest.raises(Conflict):
        stores.catalogue.change_session(moved.model_copy(update={"revision": 2}), moved)
    with pytest.raises(NotFound):
        stores.catalogue.change_session(moved.model_copy(update={"id": "contract-none"}), read)
