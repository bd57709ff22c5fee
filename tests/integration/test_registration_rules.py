"""The registration rules (tests/support/registration_rules.py) through the functions on the
emulator: the form and the confirmation through the API's handler, every change read back from the
registrations table's stream and handed to the email function, every email read from SES.

Which does what: the rules themselves are proven on the in-memory stores in
tests/unit/test_registration_rules.py (hundreds of sequences in seconds), whose stores the
contract suite (test_registration_store_contract.py) holds to the DynamoDB adapters. This run
keeps a few sequences for what only the real parts can get wrong: the adapters' expressions
and serialisation on DynamoDB's semantics, the stream's records and the email function's
routing of them (stale records, filters), the API's answers and MIME through SES."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.forums.registration.service import Registrations
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from tests.integration.conftest import Api
from tests.support.registration_emulator import CONFIRM, REGISTER, Mail, body, deliver
from tests.support.registration_emulator import items as _items
from tests.support.registration_rules import RegistrationRules


class EmulatorRules(RegistrationRules):
    api: Api
    mail: Mail
    emulator: Emulator
    secret: bytes

    def __init__(self) -> None:
        self.store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                             parameter(PARAM_FORUMS_TABLE))
        self.catalogue = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
        self.service = Registrations(self.store, self.secret)
        self.mail.changes()
        self.mail.new_messages()
        super().__init__()

    def post_form(self, email: str) -> tuple[int, dict[str, Any]]:
        status, answer = self.api.request("POST", REGISTER,
                                          body(self.session, email.split("@")[0]))
        return status, dict(answer)

    def press(self, token: str) -> tuple[int, dict[str, Any]]:
        status, answer = self.api.request("POST", CONFIRM, {"token": token})
        return status, dict(answer)

    def delivered(self) -> list[EmailMessage]:
        changes = self.mail.changes()
        if changes:
            assert deliver(self.api, changes) == {"batchItemFailures": []}
        return self.mail.new_messages()

    def expiries(self) -> dict[str, int | None]:
        return {item["sk"]["S"]: int(item["expires_at"]["N"]) if "expires_at" in item else None
                for item in _items(self.emulator, self.session)}


def test_registration_rules_hold_under_generated_sequences(api: Api, emulator: Emulator) -> None:
    arn = api.environment(next(f for f, s in api.plan.functions.items()
                               if s.handler.startswith("functions.registrations_api")))[
        "SIGNING_SECRET_ARN"]
    EmulatorRules.api = api
    EmulatorRules.mail = Mail(emulator)
    EmulatorRules.emulator = emulator
    EmulatorRules.secret = emulator.client("secretsmanager").get_secret_value(
        SecretId=arn)["SecretString"].encode()
    run_state_machine_as_test(EmulatorRules, settings=settings(
        max_examples=4, stateful_step_count=18, deadline=None,
        suppress_health_check=list(HealthCheck)))
