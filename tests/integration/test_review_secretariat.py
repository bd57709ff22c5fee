"""The secretariat's changes of a session against what happens around them: a seat passing on,
a person cancelling, while the session's time or place changes (forced interleavings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.forums.catalogue_file import SessionDetails
from shared.forums.models import Session
from shared.forums.registration.models import CancelledBy, Registration, Status
from shared.forums.registration.service import cancel_registration
from shared.forums.registration.session_changes import SessionChanges
from shared.platform import defaults
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from tests.integration.conftest import Api
from tests.support.interleavings import before_write
from tests.support.participants import Tokens, forum, register

RETENTION = timedelta(days=defaults.REGISTRATION_RETENTION_DAYS)


def stores(emulator: Emulator | None = None) -> tuple[DynamoRegistrationStore,
                                                     DynamoCatalogueStore]:
    """The stores, through this process's client, or through another one (`emulator`) whose
    calls the forced interleaving does not catch."""
    extra: dict[str, Any] = {"dynamodb": emulator.client("dynamodb")} if emulator else {}
    tables = parameter(PARAM_REGISTRATIONS_TABLE), parameter(PARAM_FORUMS_TABLE)
    return (DynamoRegistrationStore(*tables, **extra),
            DynamoCatalogueStore(tables[1], **extra))


def stored(session_id: str) -> Session:
    found = stores()[1].session(session_id)
    assert found is not None
    return found


def moved(session: Session, days: int) -> SessionDetails:
    return SessionDetails.model_validate({
        "city": session.city, "venue": session.venue, "capacity": session.capacity,
        "starts_at": (session.starts_at + timedelta(days=days)).isoformat(),
        "ends_at": (session.ends_at + timedelta(days=days)).isoformat(),
        "registration_deadline": session.registration_deadline.isoformat()})


def follows(registration: Registration, session: Session) -> bool:
    return registration.session_revision == session.revision and \
        registration.expires_at is not None and \
        int(registration.expires_at.timestamp()) == int(
            (session.ends_at + RETENTION).timestamp())


def test_a_seat_passing_on_while_the_session_moves_keeps_the_new_time_and_expiry(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    """A participant cancels (their seat passing to the first in line) from what they read
    just before the secretariat moves the session: the change's rewrite of both
    registrations lands first. The cancellation must not put back the old revision and
    expiry: the promoted person would keep the old retention (deleted by TTL as the old
    dates say) and be told of the change again at the next save or import."""
    (session_id,) = forum(1)
    for who in ("plads", "venter"):
        assert register(api, tokens, session_id, who)[0] in (200, 201)
    mine, _ = stores()
    other_registrations, other_catalogue = stores(emulator)
    changes = SessionChanges(other_registrations, other_catalogue)
    before = stored(session_id)
    new = moved(before, days=40)
    (seat,) = [r for r in mine.registrations(session_id) if r.status is Status.CONFIRMED]
    with before_write("TransactWriteItems", lambda: changes.change(session_id, new)) as ran:
        assert cancel_registration(mine, seat, CancelledBy.PARTICIPANT, datetime.now(UTC))
    assert ran
    after = stored(session_id)
    assert after.revision == before.revision + 1
    held = mine.registrations(session_id)
    assert {r.status for r in held} == {Status.CANCELLED, Status.CONFIRMED}
    assert all(follows(r, after) for r in held), [
        (r.status, r.session_revision, r.expires_at) for r in held]
    # Nobody is left to be told again.
    assert changes.change(session_id, new) == 0
