"""Registration steps interleaved with the secretariat's and the privacy officer's, at the
exact moment between a step's reads and its write (botocore's `before-call` event of the write
runs the other step): an erasure that lands while the owner presses the link or before the
link's email goes out, a session cancelled while a participant cancels.

Each test holds a rule of the domain, not of one call site:
- nothing of an erased address is written again, and no email goes to it afterwards;
- nobody is promoted into a cancelled session;
- a transaction DynamoDB cancels because another one was in flight on the same items (its
  `TransactionConflict`, or throttling; the local emulator runs requests one at a time and
  never gives these) is decided again, never answered with an error."""

from __future__ import annotations

from typing import Any

import pytest

from local.emulator import Emulator
from shared.adapters.aws import client
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.errors import InvalidLink
from shared.forums.registration.models import CancelledBy, Status
from shared.forums.registration.secretariat import Secretariat
from shared.forums.registration.service import Registrations, WaitingList
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from shared.privacy.holders import ForumsHolder
from tests.integration.conftest import Api
from tests.support.interleavings import before_write
from tests.support.registration_emulator import (
    REGISTER,
    SECRET,
    Mail,
    body,
    deliver,
    form,
    new_session,
    register,
)


@pytest.fixture(scope="module")
def store(emulator: Emulator) -> DynamoRegistrationStore:
    return DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                   parameter(PARAM_FORUMS_TABLE))


@pytest.fixture(scope="module")
def other(emulator: Emulator) -> DynamoRegistrationStore:
    """The store as another process sees it (its own client, untouched by the hooks)."""
    return DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                   parameter(PARAM_FORUMS_TABLE),
                                   dynamodb=emulator.client("dynamodb"))


@pytest.fixture(scope="module")
def service(store: DynamoRegistrationStore) -> Registrations:
    return Registrations(store, SECRET)




@pytest.mark.parametrize("code", ["TransactionConflict", "ThrottlingError"])
@pytest.mark.parametrize("full", [False, True], ids=["seat", "waiting list"])
def test_a_press_meeting_a_concurrent_transaction_is_decided_again(
    service: Registrations, store: DynamoRegistrationStore, code: str, full: bool,
) -> None:
    session = new_session(1)
    if full:
        register(service, form(session, "foerst"))
    token = service.confirm_token(service.submit(form(session, "konflikt")))
    dynamodb = client("dynamodb")

    def conflict() -> None:
        raise dynamodb.exceptions.TransactionCanceledException({
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": "None"}, {"Code": "None"}, {"Code": code}],
        }, "TransactWriteItems")

    with before_write("TransactWriteItems", conflict) as done:
        answer = service.confirm_by_token(token)
    assert done
    assert answer.status is (Status.WAITLISTED if full else Status.CONFIRMED)
    state = store.session_state(session)
    assert state is not None and state.session.confirmed == 1
    assert len(state.waiting) == (1 if full else 0)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)



def test_a_press_racing_an_erasure_writes_nothing_back(
    service: Registrations, other: DynamoRegistrationStore,
) -> None:
    session = new_session(2)
    submission = service.submit(form(session, "slettes"))
    token = service.confirm_token(submission)
    erase = lambda: ForumsHolder(other).erase(  # noqa: E731
        "deltagerslettes@example.dk", submission.submitted_at)
    with before_write("TransactWriteItems", erase) as done, pytest.raises(InvalidLink):
        service.confirm_by_token(token)
    assert done
    assert other.with_email("deltagerslettes@example.dk") == []
    state = other.session_state(session)
    assert state is not None and state.session.confirmed == 0 and state.waiting == []


def test_no_confirmation_link_goes_to_an_address_erased_before_it_was_mailed(
    api: Api, emulator: Emulator, store: DynamoRegistrationStore,
) -> None:
    mail = Mail(emulator)
    session = new_session(1)
    assert api.request("POST", REGISTER, body(session, "glemt"))[0] == 202
    ForumsHolder(store).erase("glemt@example.dk", _now())
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert [m["To"] for m in mail.new_messages()] == []


def test_nobody_is_promoted_into_a_session_cancelled_while_a_seat_is_given_up(
    service: Registrations, store: DynamoRegistrationStore, emulator: Emulator,
) -> None:
    session = new_session(1)
    register(service, form(session, "fast"))
    register(service, form(session, "venter"))
    seated = service.registration_id(session, "deltagerfast@example.dk")
    waiting = service.registration_id(session, "deltagerventer@example.dk")
    catalogue = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE),
                                     dynamodb=emulator.client("dynamodb"))
    with before_write("TransactWriteItems", lambda: catalogue.set_status(
            session, cancelled=True, reason="Oplægsholderen er syg.")) as done:
        assert Secretariat(store, catalogue).cancel(session, seated, CancelledBy.PARTICIPANT)
    assert done
    after = store.get(session, waiting)
    assert after is not None and after.status is Status.WAITLISTED  # not given a seat
    state = store.session_state(session)
    assert state is not None and state.session.cancelled and state.session.confirmed == 0


@pytest.mark.parametrize("meanwhile", ["the first cancels", "a seat passes to the first"])
def test_seats_added_go_to_the_line_when_its_first_moves_while_they_are_given(
    service: Registrations, store: DynamoRegistrationStore, other: DynamoRegistrationStore,
    emulator: Emulator, meanwhile: str,
) -> None:
    """A seat is added while two wait; between the read of the line and the read of the first
    one's registration, the first leaves the line (cancels, or gets a seat another participant
    gives up). The added seat still goes to whoever is first in line by then."""
    session = new_session(2)
    people = ("en", "to", "foerste", "anden")  # two seats, then two in line
    for who in people:
        register(service, form(session, who))
    ids = {who: service.registration_id(session, f"deltager{who}@example.dk") for who in people}
    catalogue = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE),
                                     dynamodb=emulator.client("dynamodb"))
    state = store.session_state(session)
    assert state is not None and state.waiting == [ids["foerste"], ids["anden"]]
    catalogue.put_session(state.session.model_copy(update={"capacity": 3}), state.audience)
    leaves = ids["foerste"] if meanwhile == "the first cancels" else ids["en"]

    class FirstMovesMeanwhile:
        moved = False

        def __getattr__(self, name: str) -> Any:
            found = getattr(store, name)
            if name != "get" or FirstMovesMeanwhile.moved:
                return found

            def read(*args: Any) -> Any:
                FirstMovesMeanwhile.moved = True
                Secretariat(other, catalogue).cancel(session, leaves, CancelledBy.PARTICIPANT)
                return found(*args)
            return read

    assert WaitingList(FirstMovesMeanwhile()).fill(session) == 1  # type: ignore[arg-type]
    assert FirstMovesMeanwhile.moved
    after = store.get(session, ids["anden"])
    assert after is not None and after.status is Status.CONFIRMED
    state = store.session_state(session)
    assert state is not None and state.waiting == [] and state.session.confirmed == 3
