"""Registration on the template's tables in the emulator: seats, waiting list, cancellation."""

from __future__ import annotations

import itertools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.errors import Conflict, DomainError, NotFound
from shared.forums.catalogue import Catalogue
from shared.forums.registration import RegistrationForm, Registrations, Status
from shared.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from shared.tokens import sign

SECRET = b"test-secret"
_ids = itertools.count()


@pytest.fixture(scope="module")
def store(emulator: Emulator) -> DynamoRegistrationStore:
    return DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                   parameter(PARAM_FORUMS_TABLE))


@pytest.fixture(scope="module")
def service(store: DynamoRegistrationStore) -> Registrations:
    return Registrations(store, SECRET)


def new_session(capacity: int, *, audience: str = "leaders_of_leaders", status: str = "open",
                deadline_in: timedelta = timedelta(days=20)) -> str:
    """A fresh session (its own id, so tests do not share seats)."""
    number = next(_ids)
    starts = datetime.now(UTC) + timedelta(days=30)
    Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))).import_file({"forums": [{
        "id": f"test-forum-{number}", "title": "Testforum", "audience": audience,
        "sessions": [{
            "id": f"test-session-{number}", "city": "Vejle", "venue": "Spinderihallerne",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=5)).isoformat(),
            "registration_deadline": (datetime.now(UTC) + deadline_in).isoformat(),
            "capacity": capacity, "status": status,
        }],
    }]})
    return f"test-session-{number}"


def form(session_id: str, who: int | str, role: str = "area_leader") -> RegistrationForm:
    return RegistrationForm(session_id=session_id, name=f"Deltager {who}",
                            email=f"deltager{who}@example.dk", role=role, workplace="Vejle Kommune",
                            member_number="123" if role != "administration" else None,
                            consent=True)


def test_two_hundred_racing_attempts_never_overbook(service: Registrations,
                                                     store: DynamoRegistrationStore) -> None:
    session = new_session(20)
    people = list(range(200))
    attempts = people + people[::7]  # some register twice, racing their first attempt
    with ThreadPoolExecutor(32) as pool:
        outcomes = list(pool.map(lambda who: (who, service.register(form(session, who))),
                                 attempts))

    stored = store.registrations(session)
    assert len(stored) == 200  # each person once
    assert Counter(r.status for r in stored) == {Status.CONFIRMED: 20, Status.WAITLISTED: 180}
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 20
    new = [o for _, o in outcomes if o.created]
    assert len(new) == 200
    positions = sorted(o.answer.waitlist_position for o in new
                       if o.answer.status is Status.WAITLISTED)  # type: ignore[type-var]
    assert positions == list(range(1, 181))  # in arrival order, without gaps
    by_person: dict[int, set[str]] = {}
    for who, outcome in outcomes:
        by_person.setdefault(who, set()).add(outcome.answer.id)
    assert all(len(ids) == 1 for ids in by_person.values())  # a repeat is the same registration


def test_repeat_is_the_same_registration_and_case_of_email_does_not_matter(
    service: Registrations,
) -> None:
    session = new_session(1)
    first = service.register(form(session, "anne"))
    again = service.register(form(session, "anne").model_copy(
        update={"email": "DELTAGERANNE@Example.dk"}))
    assert first.created and not again.created
    assert again.answer == first.answer


@pytest.mark.parametrize(("setup", "role", "error", "code"), [
    (dict(status="closed"), "area_leader", Conflict, "session_closed"),
    (dict(status="cancelled"), "area_leader", Conflict, "session_cancelled"),
    (dict(deadline_in=timedelta(minutes=-1)), "area_leader", Conflict, "deadline_passed"),
    (dict(), "administration", Conflict, "audience_not_admitted"),
    (dict(), "other", Conflict, "audience_not_admitted"),
])
def test_refusals(service: Registrations, store: DynamoRegistrationStore,
                  setup: dict[str, Any], role: str, error: type, code: str) -> None:
    session = new_session(5, **setup)
    with pytest.raises(error) as refused:
        service.register(form(session, "x", role=role))
    assert refused.value.code == code
    assert store.registrations(session) == []  # nothing stored


def test_administration_staff_may_join_forums_that_invite_them(service: Registrations) -> None:
    session = new_session(5, audience="leaders_and_administration")
    answer = service.register(form(session, "kim", role="administration")).answer
    assert answer.status == "confirmed"


def test_unknown_session_is_not_found(service: Registrations) -> None:
    with pytest.raises(NotFound):
        service.register(form("findes-ikke", 1))


def test_cancelling_a_seat_promotes_the_first_in_line(service: Registrations,
                                                      store: DynamoRegistrationStore) -> None:
    session = new_session(1)
    holder = service.register(form(session, "a")).answer
    second = service.register(form(session, "b")).answer
    third = service.register(form(session, "c")).answer
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)

    registration = store.get(session, holder.id)
    assert registration is not None
    state = store.session_state(session)
    assert state is not None
    token = service.cancel_token(registration, state.session)
    assert service.cancel_by_token(token) == Status.CANCELLED
    assert service.cancel_by_token(token) == Status.CANCELLED  # again: harmless

    statuses = {r.id: r.status for r in store.registrations(session)}
    assert statuses == {holder.id: Status.CANCELLED, second.id: Status.CONFIRMED,
                        third.id: Status.WAITLISTED}
    assert store.position(session, third.id) == 1
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 1


@pytest.mark.parametrize("tamper", ["purpose", "expired", "signature", "garbage", "foreign"])
def test_bad_tokens_are_refused(service: Registrations, store: DynamoRegistrationStore,
                                tamper: str) -> None:
    session = new_session(2)
    answer = service.register(form(session, "t")).answer
    subject = {"session": session, "registration": answer.id}
    future = datetime.now(UTC) + timedelta(days=1)
    token = {
        "purpose": sign(SECRET, "unsubscribe", subject, future),
        "expired": sign(SECRET, "cancel-registration", subject, datetime.now(UTC) - timedelta(1)),
        "signature": sign(b"another-secret", "cancel-registration", subject, future),
        "garbage": "not.a-token",
        "foreign": sign(SECRET, "cancel-registration",
                        {"session": session, "registration": "someone-else"}, future),
    }[tamper]
    with pytest.raises(DomainError) as refused:
        service.cancel_by_token(token)
    assert refused.value.code == "invalid_token" and refused.value.status == 400
    assert store.get(session, answer.id).status is Status.CONFIRMED  # type: ignore[union-attr]


operations = st.lists(st.tuples(st.sampled_from(["register", "repeat", "cancel"]),
                                st.integers(min_value=0, max_value=5)), min_size=1, max_size=14)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations, capacity=st.integers(min_value=1, max_value=3))
def test_invariants_hold_after_every_step(service: Registrations, store: DynamoRegistrationStore,
                                          steps: list[tuple[str, int]], capacity: int) -> None:
    session = new_session(capacity)
    ids: dict[int, str] = {}
    line: list[str] = []  # the model: who waits, in arrival order
    for operation, who in steps:
        if operation in ("register", "repeat") and (operation == "register" or who in ids):
            outcome = service.register(form(session, who))
            if outcome.created and outcome.answer.status is Status.WAITLISTED:
                line.append(outcome.answer.id)
            ids[who] = outcome.answer.id
        elif operation == "cancel" and who in ids:
            registration = store.get(session, ids[who])
            assert registration is not None
            was = registration.status
            service.cancel_by_secretariat(session, ids[who])
            if was is Status.WAITLISTED:
                line.remove(ids[who])
            elif was is Status.CONFIRMED and line:
                promoted = line.pop(0)  # the first in line, and no one else
                assert store.get(session, promoted).status is Status.CONFIRMED  # type: ignore[union-attr]

        state = store.session_state(session)
        assert state is not None
        stored = {r.id: r.status for r in store.registrations(session)}
        confirmed = sum(1 for s in stored.values() if s is Status.CONFIRMED)
        assert confirmed == state.session.confirmed <= capacity
        assert state.waiting == line
        assert all(stored[i] is Status.WAITLISTED for i in line)
        if line:  # a waiting person exists only while the session is full
            assert confirmed == capacity
