"""Registration on the template's tables in the emulator: the owner's confirmation, seats,
waiting list, cancellation, and the refusals that come before anything is stored."""

from __future__ import annotations

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
from shared.forums.models import SessionStatus
from shared.forums.registration.models import RegistrationAnswer, Status
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from shared.privacy_notice import PRIVACY_NOTICE_VERSION
from shared.tokens import sign
from tests.support.registration_emulator import SECRET, form, new_session, register
from tests.support.registration_emulator import items as _items


@pytest.fixture(scope="module")
def store(emulator: Emulator) -> DynamoRegistrationStore:
    return DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                   parameter(PARAM_FORUMS_TABLE))


@pytest.fixture(scope="module")
def service(store: DynamoRegistrationStore) -> Registrations:
    return Registrations(store, SECRET)


def secretariat(store: DynamoRegistrationStore) -> Secretariat:
    return Secretariat(store, DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)))








def test_two_hundred_racing_confirmations_never_overbook(service: Registrations,
                                                         store: DynamoRegistrationStore) -> None:
    session = new_session(20)
    people = list(range(200))
    tokens = {who: service.confirm_token(service.submit(form(session, who))) for who in people}
    presses = people + people[::7]  # some press their link twice, racing the first press
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(lambda who: (who, service.confirm_by_token(tokens[who])),
                                presses))

    stored = store.registrations(session)
    assert len(stored) == 200  # each person once
    assert Counter(r.status for r in stored) == {Status.CONFIRMED: 20, Status.WAITLISTED: 180}
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 20
    assert sorted(store.position(session, r.id) or 0 for r in stored
                  if r.status is Status.WAITLISTED) == list(range(1, 181))  # no gaps
    by_person: dict[int, set[str]] = {}
    for who, answer in answers:
        by_person.setdefault(who, set()).add(answer.status)
    assert all(len(statuses) == 1 for statuses in by_person.values())  # a second press: same


def test_a_press_racing_another_press_of_the_same_link_answers_the_same(
    service: Registrations, store: DynamoRegistrationStore,
) -> None:
    """The other press completes right after this press's first read, whichever it is."""
    session = new_session(2)
    token = service.confirm_token(service.submit(form(session, "tvilling")))

    class OtherPressAfterTheFirstRead:
        raced = False

        def __getattr__(self, name: str) -> Any:
            found = getattr(store, name)
            if name not in ("get", "submission") or OtherPressAfterTheFirstRead.raced:
                return found

            def read(*args: Any) -> Any:
                result = found(*args)
                OtherPressAfterTheFirstRead.raced = True
                service.confirm_by_token(token)
                return result
            return read

    racing = Registrations(OtherPressAfterTheFirstRead(), SECRET)  # type: ignore[arg-type]
    assert racing.confirm_by_token(token) == RegistrationAnswer(status=Status.CONFIRMED)


@pytest.mark.parametrize("attempt", range(6))
def test_a_seat_freed_while_a_newcomer_presses_goes_to_the_first_in_line(
    service: Registrations, store: DynamoRegistrationStore, attempt: int,
) -> None:
    """A cancellation and a newcomer's press at the same moment, in threads: whichever the
    store sees first, the freed seat is the first waiting person's, the newcomer waits."""
    session = new_session(1)
    register(service, form(session, f"holder{attempt}"))
    register(service, form(session, f"first{attempt}"))
    newcomer = service.confirm_token(service.submit(form(session, f"new{attempt}")))
    holder, first, new = (service.registration_id(session, f"deltager{w}{attempt}@example.dk")
                          for w in ("holder", "first", "new"))
    with ThreadPoolExecutor(2) as pool:
        pressed = pool.submit(service.confirm_by_token, newcomer)
        pool.submit(secretariat(store).cancel, session, holder).result()
        answer = pressed.result()
    statuses = {r.id: r.status for r in store.registrations(session)}
    assert statuses == {holder: Status.CANCELLED, first: Status.CONFIRMED,
                        new: Status.WAITLISTED}
    assert answer.status is Status.WAITLISTED  # never the freed seat
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 1 and state.waiting == [new]


def test_a_submission_takes_nothing_until_its_owner_confirms(
    service: Registrations, store: DynamoRegistrationStore,
) -> None:
    session = new_session(1)
    service.submit(form(session, "fremmed"))
    service.submit(form(session, "fremmed"))
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 0 and state.waiting == []
    assert store.registrations(session) == []
    assert register(service, form(session, "ejer")).status is Status.CONFIRMED


def test_a_second_press_and_a_repeat_meet_the_same_registration(service: Registrations) -> None:
    session = new_session(1)
    token = service.confirm_token(service.submit(form(session, "anne")))
    first = service.confirm_by_token(token)
    assert service.confirm_by_token(token) == first
    again = register(service, form(session, "anne").model_copy(
        update={"email": "DELTAGERANNE@Example.dk"}))
    assert again == first == RegistrationAnswer(status=Status.CONFIRMED)


def test_a_cancelled_person_registers_anew_at_the_end_of_the_line(
    service: Registrations, store: DynamoRegistrationStore,
) -> None:
    session = new_session(1)
    assert register(service, form(session, "a")).status is Status.CONFIRMED
    assert register(service, form(session, "b")).waitlist_position == 1
    assert register(service, form(session, "c")).waitlist_position == 2
    b = service.registration_id(session, "deltagerb@example.dk")
    secretariat(store).cancel(session, b)
    assert register(service, form(session, "b")) == RegistrationAnswer(
        status=Status.WAITLISTED, waitlist_position=2)  # behind c, who came first
    registration = store.get(session, b)
    assert registration is not None and registration.round == 2
    assert registration.consent_text_version == PRIVACY_NOTICE_VERSION  # what they were shown
    assert registration.consented_at is not None


def test_an_old_confirmation_link_does_not_undo_a_cancellation(
    service: Registrations, store: DynamoRegistrationStore,
) -> None:
    session = new_session(2)
    token = service.confirm_token(service.submit(form(session, "d")))
    service.confirm_by_token(token)
    secretariat(store).cancel(session, service.registration_id(session, "deltagerd@example.dk"))
    with pytest.raises(Conflict) as refused:
        service.confirm_by_token(token)
    assert refused.value.code == "registration_cancelled"
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 0


@pytest.mark.parametrize(("setup", "role", "error", "code"), [
    (dict(status="closed"), "area_leader", Conflict, "session_closed"),
    (dict(status="cancelled"), "area_leader", Conflict, "session_cancelled"),
    (dict(deadline_in=timedelta(minutes=-1)), "area_leader", Conflict, "deadline_passed"),
    (dict(), "administration", Conflict, "audience_not_admitted"),
    (dict(), "other", Conflict, "audience_not_admitted"),
])
def test_refusals_come_before_anything_is_stored(
    service: Registrations, store: DynamoRegistrationStore, emulator: Emulator,
    setup: dict[str, Any], role: str, error: type, code: str,
) -> None:
    session = new_session(5, **setup)
    with pytest.raises(error) as refused:
        service.submit(form(session, "x", role=role))
    assert refused.value.code == code
    assert _items(emulator, session) == []  # no submission either


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(whole_second=st.booleans(),
       offset=st.one_of(st.integers(-2, 2), st.sampled_from([-1_000_000, 1_000_000])))
def test_registration_is_open_until_its_deadline_and_at_it(
    store: DynamoRegistrationStore, whole_second: bool, offset: int,
) -> None:
    """Around the deadline (to the microsecond, on deadlines with and without a fraction of a
    second): submitting and pressing the link are admitted exactly while the forum list shows
    the session open (until the deadline and at it), and refused after it."""
    session = new_session(5)
    state = store.session_state(session)
    assert state is not None
    listed = state.session
    if whole_second:
        listed = listed.model_copy(update={
            "registration_deadline": listed.registration_deadline.replace(microsecond=0)})
        DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)).put_session(listed, state.audience)
    now = listed.registration_deadline + timedelta(microseconds=offset)
    at_now = Registrations(store, SECRET, clock=lambda: now)
    if listed.status(now) is SessionStatus.CLOSED:
        with pytest.raises(Conflict) as refused:
            at_now.submit(form(session, "frist"))
        assert refused.value.code == "deadline_passed"
    else:
        assert register(at_now, form(session, "frist")).status == Status.CONFIRMED


def test_a_session_closed_before_the_press_is_said_plainly(
    service: Registrations, emulator: Emulator,
) -> None:
    session = new_session(5)
    token = service.confirm_token(service.submit(form(session, "sen")))
    DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)).set_status(session, closed=True)
    with pytest.raises(Conflict) as refused:
        service.confirm_by_token(token)
    assert refused.value.code == "session_closed"


def test_administration_staff_may_join_forums_that_invite_them(service: Registrations) -> None:
    session = new_session(5, audience="leaders_and_administration")
    answer = register(service, form(session, "kim", role="administration"))
    assert answer.status == "confirmed"


def test_unknown_session_is_not_found(service: Registrations) -> None:
    with pytest.raises(NotFound):
        service.submit(form("findes-ikke", 1))


def test_cancelling_a_seat_promotes_the_first_in_line(service: Registrations,
                                                      store: DynamoRegistrationStore) -> None:
    session = new_session(1)
    register(service, form(session, "a"))
    second = register(service, form(session, "b"))
    third = register(service, form(session, "c"))
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)
    a, b, c = (service.registration_id(session, f"deltager{w}@example.dk") for w in "abc")

    registration = store.get(session, a)
    assert registration is not None
    state = store.session_state(session)
    assert state is not None
    token = service.cancel_token(registration, state.session)
    assert service.cancel_by_token(token) == Status.CANCELLED
    assert service.cancel_by_token(token) == Status.CANCELLED  # again: harmless

    statuses = {r.id: r.status for r in store.registrations(session)}
    assert statuses == {a: Status.CANCELLED, b: Status.CONFIRMED, c: Status.WAITLISTED}
    assert store.position(session, c) == 1
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 1


def test_raising_capacity_promotes_in_order_and_newcomers_queue_behind(
    service: Registrations, store: DynamoRegistrationStore,
) -> None:
    session = new_session(1)
    for who in "abcd":
        register(service, form(session, who))
    _reimport(session, capacity=3)
    order = [service.registration_id(session, f"deltager{w}@example.dk") for w in "abcd"]
    statuses = {r.id: r.status for r in store.registrations(session)}
    assert [statuses[i] for i in order] == [Status.CONFIRMED] * 3 + [Status.WAITLISTED]
    assert register(service, form(session, "e")).waitlist_position == 2


@pytest.mark.parametrize("tamper", ["purpose", "expired", "signature", "garbage", "foreign"])
def test_bad_tokens_are_refused(service: Registrations, store: DynamoRegistrationStore,
                                tamper: str) -> None:
    session = new_session(2)
    register(service, form(session, "t"))
    rid = service.registration_id(session, "deltagert@example.dk")
    subject = {"session": session, "registration": rid}
    future = datetime.now(UTC) + timedelta(days=1)
    for purpose in ("cancel-registration", "confirm-registration"):
        token = {
            "purpose": sign(SECRET, "unsubscribe", subject, future),
            "expired": sign(SECRET, purpose, subject, datetime.now(UTC) - timedelta(1)),
            "signature": sign(b"another-secret", purpose, subject, future),
            "garbage": "not.a-token",
            "foreign": sign(SECRET, purpose, {"session": session, "registration": "someone-else",
                                              "submission": "x"}, future),
        }[tamper]
        action = (service.cancel_by_token if purpose.startswith("cancel")
                  else service.confirm_by_token)
        with pytest.raises(DomainError) as refused:
            action(token)
        assert refused.value.code == "invalid_token" and refused.value.status == 400
    assert store.get(session, rid).status is Status.CONFIRMED  # type: ignore[union-attr]


def test_reimport_keeps_the_secretariats_status(service: Registrations) -> None:
    session = new_session(3)
    catalogue = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
    catalogue.set_status(session, cancelled=True, reason="Aflyst")
    _reimport(session, capacity=3)
    with pytest.raises(Conflict) as refused:
        service.submit(form(session, "ny"))
    assert refused.value.code == "session_cancelled"
    with pytest.raises(Conflict):
        catalogue.set_status(session, closed=False)  # a cancelled session stays cancelled
    closed = new_session(3)
    catalogue.set_status(closed, closed=True)
    _reimport(closed, capacity=3)
    with pytest.raises(Conflict):
        service.submit(form(closed, "ny"))
    catalogue.set_status(closed, closed=False)
    _reimport(closed, capacity=3, status="closed")  # the file's status is for creation only
    service.submit(form(closed, "ny"))


def test_everything_personal_expires(service: Registrations, store: DynamoRegistrationStore,
                                     emulator: Emulator) -> None:
    session = new_session(1)
    register(service, form(session, "a"))
    register(service, form(session, "b"))
    service.submit(form(session, "c"))
    secretariat(store).cancel(session, service.registration_id(session,
                                                                   "deltagera@example.dk"))
    items = _items(emulator, session)
    assert {i["sk"]["S"].split("#")[0] for i in items} == {"REG", "SUB"}
    assert all("expires_at" in item for item in items)


def _reimport(session: str, capacity: int, status: str = "open") -> None:
    from shared.forums.registration.service import WaitingList

    number = session.removeprefix("test-session-")
    starts = datetime.now(UTC) + timedelta(days=30)
    store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                    parameter(PARAM_FORUMS_TABLE))
    Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)),
              seats=WaitingList(store)).import_file({"forums": [{
                  "id": f"test-forum-{number}", "title": "Testforum",
                  "sessions": [{
                      "id": session, "city": "Vejle", "venue": "Spinderihallerne",
                      "starts_at": starts.isoformat(),
                      "ends_at": (starts + timedelta(hours=5)).isoformat(),
                      "registration_deadline": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
                      "capacity": capacity, "status": status}]}]})


