"""The registration rules (tests/support/registration_rules.py) on the in-memory stores: the
service, the catalogue import and the email notifier as the functions build them, over stores the
contract suite proves equal to the DynamoDB adapters. Many sequences, in seconds; the emulator
runs a few through the functions themselves (tests/integration/test_registration_rules.py)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from shared.errors import DomainError
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.mail import Notifier
from shared.forums.registration.models import RegistrationForm
from shared.forums.registration.service import Registrations
from shared.links import Links
from shared.roles import Role
from tests.support.registration import MemoryCatalogueStore, MemoryOutbox, MemoryRegistrationStore
from tests.support.registration_rules import RegistrationRules

SECRET = b"unit-secret"


class MemoryRules(RegistrationRules):
    def __init__(self) -> None:
        self.catalogue = self.sessions = MemoryCatalogueStore()
        self.store = self.memory = MemoryRegistrationStore(self.sessions)
        self.service = Registrations(self.store, SECRET)
        self.outbox = MemoryOutbox()
        self.notifier = Notifier(tokens=RegistrationLinks(SECRET), positions=self.memory,
                                 catalogue=self.sessions, ledger=self.memory, sender=self.outbox,
                                 links=Links("https://ledere.example.dk"))
        super().__init__()

    def post_form(self, email: str) -> tuple[int, dict[str, Any]]:
        form = RegistrationForm(session_id=self.session, name="Deltager", email=email,
                                role=Role.DISTRICT_LEADER, workplace="Vejle Kommune",
                                member_number="98765", consent=True)
        try:
            self.service.submit(form)
        except DomainError as refused:
            return refused.status, {"code": refused.code}
        return 202, {"status": "received"}

    def press(self, token: str) -> tuple[int, dict[str, Any]]:
        try:
            answer = self.service.confirm_by_token(token)
        except DomainError as refused:
            return refused.status, {"code": refused.code}
        return 200, answer.model_dump(exclude_none=True)

    def delivered(self) -> list[EmailMessage]:
        """Each change the fake's stream recorded, handed to the domain as the stream's
        consumer hands it."""
        for change in self.memory.take_changes():
            self.notifier.on_stored(change.old, change.new)
        return self.outbox.take()

    def expiries(self) -> dict[str, int | None]:
        return self.memory.expiries(self.session)


def test_registration_rules_hold_under_generated_sequences() -> None:
    run_state_machine_as_test(MemoryRules, settings=settings(
        max_examples=200, stateful_step_count=30, deadline=None,
        suppress_health_check=list(HealthCheck)))
