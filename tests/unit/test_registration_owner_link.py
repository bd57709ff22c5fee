"""The mail gate lets one confirmation link out per address and round in each interval,
whoever submits. Over two days of a stranger submitting a member's address at any moments,
the member who submits always holds a link that has not expired and that confirms their own
submission (the newest), never the stranger's: in-memory stores, a clock of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.forums.catalogue import Catalogue
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.mail import Notifier
from shared.forums.registration.models import RegistrationForm, Status
from shared.forums.registration.service import Registrations, WaitingList
from shared.links import Links
from shared.roles import Role
from tests.support.registration import MemoryCatalogueStore, MemoryOutbox, MemoryRegistrationStore
from tests.support.registration_rules import forum_file, link_token

SECRET = b"unit-secret"
OWNER = "medlem@example.dk"
TWO_DAYS = 48 * 60


def form(name: str, needs: str | None = None) -> RegistrationForm:
    return RegistrationForm(session_id="gate-session", name=name, email=OWNER,
                            role=Role.AREA_LEADER, workplace="Et sted", member_number="4711",
                            needs=needs, consent=True)


@settings(max_examples=150, deadline=None)
@given(strangers=st.lists(st.integers(0, TWO_DAYS), max_size=40),
       owner_at=st.integers(0, TWO_DAYS), owner_waits=st.integers(0, 30))
def test_the_owner_always_holds_a_usable_link_to_their_own_submission(
    strangers: list[int], owner_at: int, owner_waits: int,
) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    now = [start]
    catalogue = MemoryCatalogueStore()
    store = MemoryRegistrationStore(catalogue)
    Catalogue(catalogue, seats=WaitingList(store)).import_file(forum_file("gate-session", 5))
    service = Registrations(store, SECRET, clock=lambda: now[0])
    outbox = MemoryOutbox()
    notifier = Notifier(tokens=RegistrationLinks(SECRET), positions=store, catalogue=catalogue,
                        ledger=store, sender=outbox, links=Links("https://ledere.example.dk"),
                        clock=lambda: now[0])
    # The stranger has kept submitting until the owner submits (one in the moments between
    # the owner's submission and their press would be the newest: the page shows it, for the
    # owner to type over or discard; tests/integration/test_registration_owner.py).
    events = sorted([(m, "stranger") for m in strangers if m < owner_at] + [(owner_at, "owner")])
    links: list[str] = []
    for minute, who in events:
        now[0] = start + timedelta(minutes=minute)
        service.submit(form("Medlemmet") if who == "owner"
                       else form(f"Fremmed {minute}", "Diabetes, insulin"))
        for change in store.take_changes():
            notifier.on_stored(change.old, change.new)
        links += [link_token(m) for m in outbox.take()]
    now[0] = start + timedelta(minutes=owner_at + owner_waits)
    assert links, "the gate let a link out"
    session_id, shown = service.pending(links[-1])  # not expired, and shows the owner's
    assert getattr(shown, "name", None) == "Medlemmet"
    assert service.confirm_by_token(links[-1]).status is Status.CONFIRMED
    (registered,) = store.registrations(session_id)
    assert (registered.name, registered.needs) == ("Medlemmet", None)


def test_a_link_mailed_before_links_had_a_round_confirms_the_newest_submission_too() -> None:
    """Links already in mailboxes name the submission that let them out: they, too, confirm
    the address's newest submission, and answer a registration held as it stands."""
    from shared.forums.registration.links import CONFIRM_PURPOSE
    from shared.tokens import sign

    catalogue = MemoryCatalogueStore()
    store = MemoryRegistrationStore(catalogue)
    Catalogue(catalogue, seats=WaitingList(store)).import_file(forum_file("gate-session", 5))
    service = Registrations(store, SECRET)
    stranger = service.submit(form("Fremmed", "Diabetes, insulin"))
    old_link = sign(SECRET, CONFIRM_PURPOSE, {
        "session": stranger.session_id, "registration": stranger.registration_id,
        "submission": stranger.id}, expires=stranger.expires_at)
    service.submit(form("Medlemmet"))
    assert getattr(service.pending(old_link)[1], "name", None) == "Medlemmet"
    assert service.confirm_by_token(old_link).status is Status.CONFIRMED
    assert service.confirm_by_token(old_link).status is Status.CONFIRMED  # as it stands
    (registered,) = store.registrations("gate-session")
    assert (registered.name, registered.needs) == ("Medlemmet", None)
