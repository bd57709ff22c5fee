"""The catalogue's writes for the secretariat's forms, one contract for the in-memory store the
unit tests use and the DynamoDB adapter on the emulator: a forum or session created only under
a free id (else the one holding it is answered), a forum's change reaching its sessions'
audience, and a session deleted only while no seat is taken and nobody waits, after which no
registration is admitted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from shared.errors import NotFound
from shared.forums.models import Forum, Session
from shared.forums.registration.transitions import Applied, Rejected, SeatFree, Transition
from shared.roles import Audience
from tests.support.registration_contract import NOW, Stores, stores

__all__ = ["stores"]  # the fixture, run against both stores


def forum() -> Forum:
    return Forum(id=f"form-{uuid.uuid4().hex[:10]}", title="Formularforum",
                 description="Om", audience=Audience.LEADERS_OF_LEADERS)


def session_of(forum_id: str) -> Session:
    starts = NOW + timedelta(days=30)
    return Session(id=f"{forum_id}-kolding-2099-03-04", forum_id=forum_id, city="Kolding",
                   venue="Comwell", starts_at=starts, ends_at=starts + timedelta(hours=5),
                   capacity=2, registration_deadline=NOW + timedelta(days=10))


def test_a_forum_is_added_only_under_a_free_id(stores: Stores) -> None:
    made = forum()
    assert stores.catalogue.add_forum(made) is None
    other = made.model_copy(update={"title": "Noget andet"})
    assert stores.catalogue.add_forum(other) == made
    assert stores.catalogue.forum(made.id) == made


def test_a_session_is_added_open_and_empty_only_under_a_free_id(stores: Stores) -> None:
    made = forum()
    stores.catalogue.put_forum(made)
    session = session_of(made.id)
    assert stores.catalogue.add_session(session, Audience.LEADERS_AND_ADMINISTRATION) is None
    holder = stores.catalogue.add_session(session.model_copy(update={"venue": "Andet"}),
                                          Audience.LEADERS_OF_LEADERS)
    assert holder == session
    state = stores.state(session.id)
    assert (state.session.confirmed, state.waiting, state.audience) == (
        0, [], Audience.LEADERS_AND_ADMINISTRATION)
    assert not state.session.closed and not state.session.cancelled


def test_a_forums_change_reaches_its_sessions_audience(stores: Stores) -> None:
    made = forum()
    stores.catalogue.put_forum(made)
    session = session_of(made.id)
    stores.catalogue.add_session(session, made.audience)
    changed = made.model_copy(update={"title": "Nyt", "audience":
                                      Audience.LEADERS_AND_ADMINISTRATION})
    # A session id that is gone (deleted meanwhile) is left out, the rest written.
    assert stores.catalogue.change_forum(changed, [session.id, f"{made.id}-gone"])
    assert stores.catalogue.forum(made.id) == changed
    assert stores.state(session.id).audience == Audience.LEADERS_AND_ADMINISTRATION
    assert stores.catalogue.session(f"{made.id}-gone") is None
    assert not stores.catalogue.change_forum(forum(), [])


def test_a_session_is_deleted_only_while_no_seat_is_taken_and_nobody_waits(
        stores: Stores) -> None:
    made = forum()
    stores.catalogue.put_forum(made)
    with pytest.raises(NotFound):
        stores.catalogue.delete_session(f"{made.id}-unknown")
    session = session_of(made.id)
    stores.catalogue.add_session(session, made.audience)
    people = [stores.confirm(session.id, "a"), stores.confirm(session.id, "b")]
    people.append(stores.wait(session.id, "c"))
    for person in people:  # a seat, or someone in line, until everyone has cancelled
        assert not stores.catalogue.delete_session(session.id)
        assert stores.catalogue.session(session.id) is not None
        current = stores.store.get(session.id, person.id)
        assert current is not None
        stores.cancel(current)
    state = stores.state(session.id)
    assert (state.session.confirmed, state.waiting) == (0, [])
    # The store looks at the counters only; the registrations are the domain's to check.
    assert stores.catalogue.delete_session(session.id)
    assert stores.catalogue.session(session.id) is None


def test_once_deleted_no_registration_is_admitted_and_nothing_is_stored(
        stores: Stores) -> None:
    made = forum()
    stores.catalogue.put_forum(made)
    session = session_of(made.id)
    stores.catalogue.add_session(session, made.audience)
    submission = stores.submit(session.id, "sen")
    state = stores.state(session.id)  # read before the delete
    assert stores.catalogue.delete_session(session.id)
    assert stores.store.session_state(session.id) is None
    refused = stores.place(submission, state=state)
    assert isinstance(refused, Rejected) and refused.state is None
    assert stores.store.registrations(session.id) == []
    assert stores.store.apply(Transition(session.id, requires=(SeatFree(),), seats=1)) != \
        Applied()
