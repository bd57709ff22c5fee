"""The privacy officer's console routes against the template's tables, through the emulated
authorizer: every route refuses the other groups before anything is read, changed or audited;
search, export and erasure find an address across forums and newsletter (a seat given up
moves the waiting list up, as the CLI's erasure does), say plainly that advisory requests are
the consultant's to answer, and are safe to repeat; a bad address is a Danish per-field 422
with nothing audited; the audit trail names the officer and never the address; the
function's logs hold no address."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.forums.registration.models import Status
from shared.forums.registration.service import Registrations
from shared.platform.names import PARAM_ADVISORY_TABLE, STAFF_GROUPS
from shared.privacy.models import ADVISORY_BY_CONSULTANT
from tests.integration.conftest import BAD_ADDRESSES, Api, bearer, exported_file, staff_routes
from tests.support.newsletter_emulator import subscribe_confirmed
from tests.support.privacy_emulator import every_item, register, registration_form
from tests.support.registration_emulator import new_session

GROUP = "privacy_officer"
OFFICER = f"{GROUP}@staff.example.dk"
KAREN = {"name": "Karen Konsolsen", "phone": "+4540998877",
         "workplace": "Thisted Kommune", "member_number": "66602", "needs": "Høj stol"}
OLE = {"name": "Ole Ventesen"}
MESSAGE = "Fortroligt: min rolle som klyngeleder."
_people = itertools.count(1)


def privacy_routes(plan: Plan) -> list[tuple[str, str]]:
    return [route for route in staff_routes(plan) if route[1].startswith("/api/staff/privacy/")]


def audit_items(emulator: Emulator, plan: Plan) -> list[dict[str, Any]]:
    [table] = [name for name in every_item(emulator, plan) if "Privacy" in name]
    return every_item(emulator, plan)[table]


def call(api: Api, tokens: dict[str, Any], path: str, body: Any = None,
         group: str = GROUP) -> tuple[int, Any]:
    method = "GET" if path == "audit" else "POST"
    return api.request(method, f"/api/staff/privacy/{path}", body,
                       headers=bearer(tokens[group]["IdToken"]))


@pytest.fixture
def karen(api: Api, emulator: Emulator) -> dict[str, Any]:
    """Karen holds the one seat of a coming session (Ole waits behind her), an unconfirmed
    registration for another, a confirmed newsletter subscription, and a confidential
    conversation request."""
    from cli.resources import newsletter, registration_store

    n = next(_people)  # the emulator lives for the module: a Karen of each test's own
    person = {**KAREN, "name": f"Karen Konsol{n}sen", "email": f"karen.konsol{n}.0@example.dk",
              "phone": f"+45409988{n:02d}", "member_number": f"666{n:02d}",
              "needs": f"Høj stol {n}", "workplace": f"Thisted Kommune, skole {n}"}
    session = new_session(capacity=1)
    registration = register(session, person)
    assert registration["status"] == "confirmed"
    assert register(session, {**OLE, "email": f"ole{n}@example.dk"})["status"] == "waitlisted"
    Registrations(registration_store(), b"privacy-test").submit(
        registration_form(new_session(capacity=1), person))
    assert subscribe_confirmed(newsletter(), 1, f"karen.konsol{n}.") == [person["email"]]
    status, answer = api.request("POST", "/api/advisory-requests", {
        "kind": "conversation", "name": person["name"], "email": person["email"],
        "phone": person["phone"], "message": MESSAGE, "consent": True})
    assert status == 202
    return {"session": session, "registration": registration["id"],
            "reference": answer["reference"], "person": person}


class Calls:
    """Every AWS client asked for while a handler runs (DynamoDB tables and the secret)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from shared.adapters import aws, wiring

        self.services: list[str] = []
        real = aws.client

        def counted(service: str) -> Any:
            self.services.append(service)
            return real(service)

        monkeypatch.setattr(aws, "client", counted)
        monkeypatch.setattr(wiring, "client", counted)
        wiring.signing_secret.cache_clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    yield Calls(monkeypatch)


def test_every_route_refuses_the_other_groups_before_anything_is_read_or_audited(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], karen: dict[str, Any],
    calls: Calls,
) -> None:
    person = karen["person"]
    routes = privacy_routes(plan)
    assert sorted(routes) == [("GET", "/api/staff/privacy/audit"),
                              ("GET", "/api/staff/privacy/cases"),
                              ("GET", "/api/staff/privacy/cases/{case}/answer"),
                              ("POST", "/api/staff/privacy/cases"),
                              ("POST", "/api/staff/privacy/cases/{case}/close"),
                              ("POST", "/api/staff/privacy/cases/{case}/correct"),
                              ("POST", "/api/staff/privacy/erase"),
                              ("POST", "/api/staff/privacy/export"),
                              ("POST", "/api/staff/privacy/search")]
    before = every_item(emulator, plan)
    for method, path in routes:
        for group in STAFF_GROUPS:
            if group == GROUP:
                continue
            status, answer = api.request(method, path, {"email": person["email"], "confirm": True},
                                         headers=bearer(tokens[group]["IdToken"]))
            assert (status, answer["code"]) == (403, "forbidden"), (group, path)
    assert calls.services == []  # nothing read: not a table, not the secret
    assert every_item(emulator, plan) == before  # nothing changed, nothing audited


def test_search_export_and_erase_across_forums_and_newsletter(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], karen: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from cli.resources import registration_store

    person = karen["person"]
    advisory_gap = [{"area": "advisory", "reason": ADVISORY_BY_CONSULTANT}]
    status, found = call(api, tokens, "search", {"email": f"  {person['email'].upper()} "})
    assert status == 200
    assert {a["area"]: (a["count"], a["kinds"]) for a in found["areas"]} == {
        "forums": (2, {"confirmed": 1, "unconfirmed": 1}),
        "newsletter": (1, {"subscribed": 1})}
    assert found["not_searched"] == advisory_gap
    assert not [v for v in person.values() if v in json.dumps(found, ensure_ascii=False)]

    exported = exported_file(api, "/api/staff/privacy/export", tokens[GROUP]["IdToken"],
                             {"email": person["email"]})
    registration, submission = exported["forums"]
    assert registration["id"] == karen["registration"] and registration["status"] == "confirmed"
    assert {registration[k] for k in person} == set(person.values())
    assert submission["status"] == "unconfirmed"
    [subscription] = exported["newsletter"]
    assert subscription["email"] == person["email"] and subscription["status"] == "subscribed"
    assert "advisory" not in exported and exported["not_searched"] == ["advisory"]
    assert exported["not_searched_why"] == {"advisory": ADVISORY_BY_CONSULTANT}

    status, erased = call(api, tokens, "erase", {"email": person["email"], "confirm": True})
    assert status == 200
    assert erased["erased"] == {"forums": 2, "newsletter": 1}
    assert erased["not_searched"] == advisory_gap
    # The seat went to the first in line, in the same step, as the CLI's erasure gives it.
    [ole] = registration_store().registrations(karen["session"])
    assert ole.status is Status.CONFIRMED and ole.name == OLE["name"]
    state = registration_store().session_state(karen["session"])
    assert state is not None and state.session.confirmed == 1 and state.waiting == []
    traces = [karen["registration"], *person.values()]
    for table, items in every_item(emulator, plan).items():
        text = json.dumps(items, ensure_ascii=False)
        if "Advisory" in table:
            continue  # sealed, and not this function's to read: the consultant answers it
        assert not [t for t in traces if t in text], f"{table} still holds Karen"
    kept = DynamoAdvisoryStore(parameter(PARAM_ADVISORY_TABLE)).all_requests()
    assert karen["reference"] in {r.reference for r in kept}

    status, again = call(api, tokens, "erase", {"email": person["email"], "confirm": True})
    assert status == 200 and again["erased"] == {"forums": 0, "newsletter": 0}
    assert again["reference"] != erased["reference"]
    status, nothing = call(api, tokens, "search", {"email": person["email"]})
    assert [a["count"] for a in nothing["areas"]] == [0, 0]

    status, trail = call(api, tokens, "audit")
    assert status == 200, trail
    mine = {r["reference"]: r for r in trail["requests"]}
    for reference, action in ((found["reference"], "search"), (erased["reference"], "erase"),
                              (again["reference"], "erase"), (nothing["reference"], "search")):
        assert mine[reference]["action"] == action and mine[reference]["by"] == OFFICER
        assert mine[reference]["not_searched"] == ["advisory"]
    assert mine[erased["reference"]]["counts"] == {"forums": 2, "newsletter": 1}
    assert sorted(r["action"] for r in trail["requests"]
                  if r["by"] == OFFICER).count("export") >= 1
    ats = [r["at"] for r in trail["requests"]]
    assert ats == sorted(ats, reverse=True)  # newest first
    for text in (json.dumps(trail, ensure_ascii=False),
                 json.dumps(audit_items(emulator, plan), ensure_ascii=False)):
        assert not [t for t in traces if t in text]

    # Every record the function logged, with all its fields (what the JSON log line holds).
    logged = [json.dumps(r.__dict__, default=str, ensure_ascii=False) for r in caplog.records]
    assert sum(r.getMessage() == "privacy request" for r in caplog.records) == 5
    assert not [t for t in traces if t in "\n".join(logged)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(BAD_ADDRESSES)
def test_a_bad_address_is_a_danish_field_error_and_nothing_is_audited(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], email: Any,
) -> None:
    before = audit_items(emulator, plan)
    for path, body in (("search", {"email": email}), ("export", {"email": email}),
                       ("erase", {"email": email, "confirm": True})):
        status, answer = call(api, tokens, path, body)
        assert status == 422, (path, email, answer)
        [error] = answer["errors"]
        assert error["field"] == "email" and error["message"]
    assert audit_items(emulator, plan) == before


def test_erase_without_confirming_is_refused_per_field_and_changes_nothing(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], karen: dict[str, Any],
) -> None:
    person = karen["person"]
    before = every_item(emulator, plan)
    for body in ({"email": person["email"]}, {"email": person["email"], "confirm": False}):
        status, answer = call(api, tokens, "erase", body)
        assert status == 422
        assert [(e["field"], e["code"]) for e in answer["errors"]] in (
            [("confirm", "required")], [("confirm", "confirm_required")])
        assert "Bekræft" in answer["errors"][0]["message"] or body.get("confirm") is None
    status, answer = call(api, tokens, "search", {"email": person["email"], "name": "x"})
    assert status == 422 and answer["errors"][0]["field"] == "name"
    assert every_item(emulator, plan) == before
