"""The registration store contract's two worlds, the in-memory stores and the DynamoDB adapters
on the emulator, as one `stores` fixture (each test runs in both), and what its tests share."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest

from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_ledger import DynamoLedger
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.forums.catalogue import CatalogueStore
from shared.forums.models import Forum, Session
from shared.forums.registration import seats
from shared.forums.registration.models import (
    CancelledBy,
    Registration,
    SessionState,
    Status,
    Submission,
)
from shared.forums.registration.ports import (
    Ledger,
    RegistrationStore,
    SessionLookup,
    SessionStatusStore,
)
from shared.forums.registration.service import cancel_registration
from shared.forums.registration.session_changes import ChangeableSessions
from shared.forums.registration.transitions import (
    Applied,
    Rejected,
)
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from shared.roles import Audience, Role
from tests.support.registration import MemoryCatalogueStore, MemoryRegistrationStore

NOW = datetime.now(UTC).replace(microsecond=123456)


class Catalogue(CatalogueStore, SessionLookup, SessionStatusStore, ChangeableSessions,
                Protocol):
    """What registration needs of the catalogue: the store, the notifier's lookups and the
    secretariat's status changes and changes of a session's details."""


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

    def state(self, session_id: str) -> SessionState:
        state = self.store.session_state(session_id)
        assert state is not None
        return state

    def place(self, submission: Submission, *, round_: int = 1,
              replaces: Registration | None = None,
              state: SessionState | None = None) -> Applied | Rejected:
        """What the rules decide for the submission on the session as read now (or on
        `state`, read earlier), applied."""
        decided = seats.place(state or self.state(submission.session_id),
                              registration_of(submission, round_=round_), replaces,
                              submission, NOW)
        return self.store.apply(decided)

    def confirm(self, session_id: str, who: str) -> Registration:
        """Submit, and take a seat (which must be free)."""
        submission = self.submit(session_id, who)
        assert self.place(submission) == Applied()
        return registration_of(submission)

    def wait(self, session_id: str, who: str) -> Registration:
        """Submit, and join the waiting list (the session must be full or have a line)."""
        submission = self.submit(session_id, who)
        assert self.place(submission) == Applied()
        return registration_of(submission, Status.WAITLISTED)

    def cancel(self, registration: Registration, by: CancelledBy = CancelledBy.PARTICIPANT,
               round_: int | None = None, now: datetime = NOW) -> bool:
        return cancel_registration(self.store, registration, by, now, round_)

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


def dynamodb_stores(request: pytest.FixtureRequest) -> Stores:
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


def memory_stores(request: pytest.FixtureRequest) -> Stores:
    catalogue = MemoryCatalogueStore()
    store = MemoryRegistrationStore(catalogue)
    return Stores(catalogue, store, store, store.expiries)


@pytest.fixture(params=[memory_stores, dynamodb_stores], ids=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Stores:
    build: Callable[[pytest.FixtureRequest], Stores] = request.param
    return build(request)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())
