"""The secretariat's catalogue import on the emulator: a time outside the years 2000-2100 is a
Danish 422 on its field (it used to overflow into a 500 after the forum was written, or to
import and then fail every confirmation), and an import is all or nothing: a refusal, or a
failure at any write of it, leaves the catalogue exactly as it was."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.errors import InvalidInput
from shared.forums.catalogue import Catalogue
from shared.forums.registration.models import RegistrationForm
from shared.forums.registration.service import Registrations
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE
from tests.integration.conftest import Api, bearer
from tests.support.catalogue_files import table_items

WRITES = {"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"}
TIMES = ("starts_at", "ends_at", "registration_deadline")


class FailingAt:
    """A DynamoDB client whose n-th write fails before it reaches the table (a crash, a
    throttle or a lost connection at that step); every other call goes through."""

    def __init__(self, real: Any, n: int) -> None:
        self.real, self.n, self.writes = real, n, 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.real, name)
        if name not in WRITES:
            return attribute

        def write(**args: Any) -> Any:
            self.writes += 1
            if self.writes == self.n:
                raise ConnectionError(f"write {self.n} ({name}) failed")
            return attribute(**args)
        return write




def catalogue_file(prefix: str, *, title: str = "Forum", capacity: int = 10,
                   sessions: int = 2, forums: int = 2) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    return {"forums": [{
        "id": f"{prefix}-f{f}", "title": f"{title} {f}",
        "sessions": [{  # one a day: a second one in a city the same day asks first
            "id": f"{prefix}-f{f}-s{s}", "city": "Kolding", "venue": "Comwell",
            "starts_at": (starts + timedelta(days=s)).isoformat(),
            "ends_at": (starts + timedelta(days=s, hours=6)).isoformat(),
            "registration_deadline": (starts - timedelta(days=7)).isoformat(),
            "capacity": capacity} for s in range(sessions)]} for f in range(forums)]}


def test_year_one_through_the_console_is_a_field_error_and_writes_nothing(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]]) -> None:
    table = parameter(PARAM_FORUMS_TABLE)
    before = table_items(emulator, table)
    text = ("forums:\n  - id: aar-et\n    title: År et\n    sessions:\n"
            "      - id: aar-et-kolding\n        city: Kolding\n"
            "        starts_at: 0001-01-01T00:30\n        ends_at: 0001-01-01T02:30\n"
            "        registration_deadline: 0001-01-01T00:00\n        capacity: 5\n")
    status, answer = api.request("POST", "/api/staff/forums/import",
                                 {"filename": "forums.yaml", "text": text},
                                 bearer(tokens["secretariat"]["IdToken"]))
    assert status == 422, answer
    assert {e["field"] for e in answer["errors"]} == {
        f"forums.0.sessions.0.{name}" for name in TIMES}
    assert {e["message"] for e in answer["errors"]} == {
        f"Møde aar-et-kolding, {label}: datoen skal ligge mellem år 2000 og 2100."
        for label in ("start", "slut", "tilmeldingsfrist")}
    assert table_items(emulator, table) == before


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.one_of(st.integers(1, 1999), st.integers(2101, 9999)),
       field=st.sampled_from(TIMES), offset=st.sampled_from(["", "+01:00", "-12:00", "Z"]))
def test_a_time_outside_2000_2100_is_refused_on_its_field(
        emulator: Emulator, year: int, field: str, offset: str) -> None:
    table = parameter(PARAM_FORUMS_TABLE)
    before = table_items(emulator, table)
    data = catalogue_file(f"aar-{year}", forums=1, sessions=1)
    data["forums"][0]["sessions"][0][field] = f"{year:04d}-06-01T10:00{offset}"
    with pytest.raises(InvalidInput) as refused:
        Catalogue(DynamoCatalogueStore(table)).import_file(data)
    fields = {e.field: e.message for e in refused.value.errors}
    label = {"starts_at": "start", "ends_at": "slut", "registration_deadline": "tilmeldingsfrist"}
    assert fields == {f"forums.0.sessions.0.{field}":
                      f"Møde aar-{year}-f0-s0, {label[field]}: datoen skal ligge mellem år 2000 "
                      "og 2100."}
    assert table_items(emulator, table) == before


def test_a_failure_at_any_write_of_an_import_leaves_the_catalogue_as_it_was(
        emulator: Emulator) -> None:
    table = parameter(PARAM_FORUMS_TABLE)
    client = emulator.client("dynamodb")
    prefix = f"fejl-{time.monotonic_ns()}"
    Catalogue(DynamoCatalogueStore(table)).import_file(catalogue_file(prefix))
    changed = catalogue_file(prefix, title="Nyt navn", capacity=20, sessions=3, forums=3)
    steps = 0
    for n in itertools.count(1):
        before = table_items(emulator, table)
        failing = FailingAt(client, n)
        try:
            Catalogue(DynamoCatalogueStore(table, failing)).import_file(changed)
        except ConnectionError:
            assert table_items(emulator, table) == before, f"write {n} left a part behind"
            steps = n
            continue
        break
    assert steps >= 1  # the import writes, and each of its writes was made to fail
    listed = {f.id: f.title for f in DynamoCatalogueStore(table).forums()
              if f.id.startswith(prefix)}
    assert listed == {f"{prefix}-f{f}": f"Nyt navn {f}" for f in range(3)}


def test_a_capacity_below_the_seats_taken_refuses_the_whole_file(emulator: Emulator) -> None:
    table = parameter(PARAM_FORUMS_TABLE)
    prefix = f"kap-{time.monotonic_ns()}"
    Catalogue(DynamoCatalogueStore(table)).import_file(catalogue_file(prefix, capacity=3))
    service = Registrations(DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                                    table), b"secret")
    for who in range(2):
        form = RegistrationForm.model_validate(dict(
            session_id=f"{prefix}-f1-s1", name=f"Deltager {who}", email=f"d{who}@example.dk",
            role="area_leader", workplace="Vejle Kommune", member_number="123", consent=True))
        service.confirm_by_token(service.confirm_token(service.submit(form)))
    before = table_items(emulator, table)
    shrunk = catalogue_file(prefix, title="Nyt navn", capacity=1)
    with pytest.raises(InvalidInput) as refused:
        Catalogue(DynamoCatalogueStore(table)).import_file(shrunk)
    assert [(e.field, e.code) for e in refused.value.errors] == [
        (f"sessions.{prefix}-f1-s1.capacity", "capacity_below_confirmed")]
    assert table_items(emulator, table) == before  # not even the other forum's new title
