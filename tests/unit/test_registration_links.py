"""The confirm and cancel links (shared.forums.registration.links), which the notifier signs
and the service reads back: one signs what the other reads, in both directions, a link needs
the signing secret, and a link made for one purpose, secret or round does nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidLink
from shared.forums.catalogue import Catalogue
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.models import RegistrationForm, Status
from shared.forums.registration.service import Registrations, WaitingList
from shared.roles import Role
from tests.support.registration import MemoryCatalogueStore, MemoryRegistrationStore
from tests.support.registration_rules import forum_file

SECRET = b"unit-secret"


def world() -> tuple[MemoryRegistrationStore, Registrations]:
    catalogue = MemoryCatalogueStore()
    store = MemoryRegistrationStore(catalogue)
    Catalogue(catalogue, seats=WaitingList(store)).import_file(forum_file("links-session", 5))
    return store, Registrations(store, SECRET)


def form(name: str = "Anne") -> RegistrationForm:
    return RegistrationForm(session_id="links-session", name=name, email="anne@example.dk",
                            role=Role.AREA_LEADER, workplace="Kolding Kommune",
                            member_number="4711", consent=True)


def test_links_refuse_to_be_signed_without_a_secret() -> None:
    with pytest.raises(ValueError):
        RegistrationLinks(b"")


def test_the_registration_service_is_not_made_without_a_secret() -> None:
    """Registration ids and links are keyed by the secret: an empty one would make every
    id derivable and every link forgeable. The secretariat's work has a service of its own
    (shared.forums.registration.secretariat) that needs none."""
    store, _ = world()
    with pytest.raises(ValueError):
        Registrations(store, secret=b"")


def test_a_confirm_link_signed_by_the_links_confirms_in_the_service() -> None:
    _, service = world()
    submission = service.submit(form())
    token = RegistrationLinks(SECRET).confirm_token(submission, 1)
    assert service.confirm_token(submission) == token  # the same link either way
    assert service.confirm_by_token(token).status is Status.CONFIRMED


def test_a_cancel_link_signed_by_the_links_cancels_in_the_service_and_back() -> None:
    store, service = world()
    service.confirm_by_token(service.confirm_token(service.submit(form())))
    (registration,) = store.registrations("links-session")
    state = store.session_state("links-session")
    assert state is not None
    links = RegistrationLinks(SECRET)
    made_by_service = service.cancel_token(registration, state.session)
    read = links.cancel_link(made_by_service)
    assert (read.session_id, read.registration_id, read.round, read.since) == (
        "links-session", registration.id, registration.round, registration.created_at)
    assert service.cancel_link_session(links.cancel_token(registration, state.session)) == \
        "links-session"
    assert service.cancel_by_token(links.cancel_token(registration, state.session)) \
        is Status.CANCELLED
    cancelled = store.get("links-session", registration.id)
    assert cancelled is not None and cancelled.status is Status.CANCELLED


def test_a_link_of_another_secret_or_purpose_is_refused() -> None:
    _, service = world()
    submission = service.submit(form())
    other = RegistrationLinks(b"another-secret")
    with pytest.raises(InvalidLink):
        service.confirm_by_token(other.confirm_token(submission, 1))
    confirm = RegistrationLinks(SECRET).confirm_token(submission, 1)
    with pytest.raises(InvalidLink):
        service.cancel_link_session(confirm)  # a confirm link cancels nothing
    with pytest.raises(InvalidLink):
        service.cancel_by_token(confirm)


@settings(max_examples=100)
@given(round_=st.integers(1, 10_000), hours=st.integers(1, 24 * 365),
       made=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1),
                         timezones=st.just(UTC)))
def test_what_a_link_is_signed_for_is_what_it_reads_back(round_: int, hours: int,
                                                        made: datetime) -> None:
    """For any round and moment: a cancel link names its registration's round and when the
    registration was made, a confirm link its round, until they expire, then neither reads."""
    from shared.forums.models import Session
    from shared.forums.registration.models import Registration, Submission

    now = [datetime.now(UTC)]
    links = RegistrationLinks(SECRET, clock=lambda: now[0])
    person = {"session_id": "s-1", "name": "A", "email": "a@example.dk",
              "role": Role.AREA_LEADER, "workplace": "W"}
    starts = now[0] + timedelta(hours=hours)
    session = Session(id="s-1", forum_id="f-1", city="Vejle", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), capacity=1,
                      registration_deadline=starts)
    registration = Registration(id="r-1", status=Status.CONFIRMED, created_at=made,
                                round=round_, **person)
    submission = Submission(id="x", registration_id="r-1", submitted_at=now[0],
                            expires_at=starts, **person)
    cancel = links.cancel_link(links.cancel_token(registration, session))
    assert (cancel.round, cancel.since, cancel.session_id) == (round_, made, "s-1")
    confirm = links.confirm_link(links.confirm_token(submission, round_))
    assert (confirm.session_id, confirm.registration_id, confirm.round) == ("s-1", "r-1", round_)
    now[0] = starts + timedelta(seconds=1)
    with pytest.raises(InvalidLink):
        links.cancel_link(links.cancel_token(registration, session))
    with pytest.raises(InvalidLink):
        links.confirm_link(links.confirm_token(submission, round_))
    # A registration's cancel link reads until the registration expires (the service refuses
    # it once the session, as it stands when pressed, has started).
    kept = registration.model_copy(update={"expires_at": starts + timedelta(days=30)})
    assert links.cancel_link(links.cancel_token(kept, session)).round == round_
    now[0] = starts + timedelta(days=30, seconds=1)
    with pytest.raises(InvalidLink):
        links.cancel_link(links.cancel_token(kept, session))
