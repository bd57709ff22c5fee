"""The consultant's half of a data-protection request, in the console: through the gateway
and the Cognito authorizer as the template defines them, on the template's key and tables in
the emulator. Every other group is refused before anything is read, opened or audited; an
address that sent two requests through the public form is searched (counts by status, no
contents), exported (the CLI's file, each request exported audited in the consultant's own
audit) and erased, while another sender's request stays; a repeat is safe; a bad address is a
Danish per-field 422 with nothing audited; each request lands in the privacy officer's audit
trail with the consultant as operator and never the address; the function logs no address
and no text."""

# The consultant's fixtures (store, sealer, opened) come from tests/support/advisory_emulator.py.
# ruff: noqa: F811

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.advisory.models import AuditAction, Status
from shared.advisory.service import audit_trail
from shared.platform.names import PARAM_ADVISORY_TABLE, PARAM_PRIVACY_AUDIT_TABLE, STAFF_GROUPS
from tests.integration.conftest import BAD_ADDRESSES, Api, bearer, exported_file
from tests.support.advisory_emulator import console_conversation as conversation
from tests.support.advisory_emulator import opened, sealer, store  # noqa: F401 (fixtures)
from tests.support.advisory_emulator import submit_through_form as submit

GROUP = "consultant"
CONSULTANT = f"{GROUP}@staff.example.dk"
BASE = "/api/staff/advisory/privacy"
ROUTES = [("POST", f"{BASE}/search"), ("POST", f"{BASE}/export"), ("POST", f"{BASE}/erase"),
          ("GET", f"{BASE}/cases"), ("POST", f"{BASE}/cases/{{case}}/contribute")]
NOTE = "Aftalt opfølgning i uge 12"


@pytest.fixture
def senders(api: Api, store: DynamoAdvisoryStore, sealer: KmsSealer) -> dict[str, Any]:
    """Birthe sent two requests (one urgent and waiting, one finished with the consultant's
    note); Carsten sent one. Each test has its own two people (the emulator lives for the
    module)."""
    n = uuid.uuid4().hex[:8]
    birthe = {"name": f"Birthe Databeskyt {n}", "email": f"birthe.{n}@example.dk",
              "phone": "+4540123456"}
    carsten = {"name": f"Carsten Bliver {n}", "email": f"carsten.{n}@example.dk",
               "phone": "+4560123456"}
    texts = [f"Min leder presser mig {n}", f"Vi skal omorganisere {n}", f"Ny rolle {n}"]
    waiting = submit(api, **birthe, message=texts[0], urgent=True)  # through the public form
    finished = submit(api, **birthe, message=texts[1])
    assert store.finish(finished, sealer.seal({"note": NOTE}, f"{finished}:note"),
                        datetime.now(UTC))
    other = submit(api, **carsten, message=texts[2])
    return {"birthe": birthe, "carsten": carsten, "texts": texts, "waiting": waiting,
            "finished": finished, "other": other}


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every AWS client asked for while a handler runs."""
    from shared.adapters import aws, wiring

    asked: list[str] = []
    real = aws.client

    def counted(service: str) -> Any:
        asked.append(service)
        return real(service)

    monkeypatch.setattr(aws, "client", counted)
    monkeypatch.setattr(wiring, "client", counted)
    yield asked


def privacy_audit(emulator: Emulator) -> list[dict[str, Any]]:
    ddb = emulator.client("dynamodb")
    return [item for page in ddb.get_paginator("scan").paginate(
        TableName=parameter(PARAM_PRIVACY_AUDIT_TABLE)) for item in page["Items"]]


def advisory_items(emulator: Emulator) -> list[dict[str, Any]]:
    ddb = emulator.client("dynamodb")
    return [item for page in ddb.get_paginator("scan").paginate(
        TableName=parameter(PARAM_ADVISORY_TABLE)) for item in page["Items"]]


def call(api: Api, tokens: dict[str, Any], path: str, body: Any,
         group: str = GROUP) -> tuple[int, Any]:
    return api.request("POST", f"{BASE}/{path}", body, bearer(tokens[group]["IdToken"]))


def traces(senders: dict[str, Any]) -> list[str]:
    """What may never appear in an audit or a log line: the people and their texts."""
    return [*senders["birthe"].values(), *senders["carsten"].values(), *senders["texts"],
            NOTE, conversation()["topic"]]


# -- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != GROUP])
def test_every_other_group_gets_403_and_nothing_is_read_opened_or_audited(
        api: Api, emulator: Emulator, tokens: dict[str, Any], senders: dict[str, Any],
        opened: list[str], clients: list[str], group: str) -> None:
    routes = {(r.method, r.path) for r in api.plan.routes if r.path.startswith(f"{BASE}/")}
    assert routes == set(ROUTES)
    before = (advisory_items(emulator), privacy_audit(emulator))
    for method, path in ROUTES:
        status, answer = api.request(method, path, {"email": senders["birthe"]["email"],
                                                    "confirm": True},
                                     bearer(tokens[group]["IdToken"]))
        assert (status, answer["code"]) == (403, "forbidden"), path
    assert clients == [] and opened == []  # not a table read, not a request decrypted
    assert (advisory_items(emulator), privacy_audit(emulator)) == before


# -- the work -----------------------------------------------------------------------------------

def test_search_export_and_erase_an_address_while_another_senders_request_stays(
        api: Api, emulator: Emulator, store: DynamoAdvisoryStore, sealer: KmsSealer,
        tokens: dict[str, Any], senders: dict[str, Any],
        caplog: pytest.LogCaptureFixture) -> None:
    from cli.resources import privacy as cli_privacy

    birthe, mine = senders["birthe"], {senders["waiting"], senders["finished"]}
    status, found = call(api, tokens, "search", {"email": f"  {birthe['email'].upper()} "})
    assert status == 200
    assert found["areas"] == [{"area": "advisory", "count": 2,
                               "kinds": {Status.WAITING.value: 1, Status.DONE.value: 1}}]
    assert found["not_searched"] == []
    assert not [t for t in traces(senders) if t in json.dumps(found, ensure_ascii=False)]
    assert not [r for r in mine if r in json.dumps(found)]  # counts only, not even references

    exported = exported_file(api, f"{BASE}/export", tokens[GROUP]["IdToken"],
                             {"email": birthe["email"]})
    assert {r["reference"] for r in exported["advisory"]} == mine
    by_reference = {r["reference"]: r for r in exported["advisory"]}
    waiting, finished = by_reference[senders["waiting"]], by_reference[senders["finished"]]
    assert (waiting["message"], waiting["urgent"], waiting["status"]) == \
        (senders["texts"][0], True, "waiting")
    assert (finished["message"], finished["consultant_note"], finished["status"]) == \
        (senders["texts"][1], NOTE, "done")
    assert {waiting["name"], waiting["email"], waiting["phone"]} == set(birthe.values())
    # Each request with the consultant's audit of it (here: this export, by the consultant).
    assert [(e["by"], e["action"]) for e in finished["audit"]] == [(CONSULTANT, "export")]
    # The file the CLI writes (`leaders privacy export EMAIL --area advisory`), alike but for
    # when it was made (and the audit, where the CLI's own export is one entry more).
    cli_data, _ = cli_privacy(("advisory",)).export(birthe["email"])

    def unaudited(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "exported_at": None,
                "advisory": [{**r, "audit": None} for r in data["advisory"]]}
    assert unaudited(exported) == unaudited(cli_data)
    assert len(cli_data["advisory"][0]["audit"]) == len(exported["advisory"][0]["audit"]) + 1
    today = datetime.now(UTC).date()
    trail = [e for e in audit_trail(store, today - timedelta(days=1), today)
             if e.reference in mine and e.action is AuditAction.EXPORT]
    # Each request exported, once by the console (as its user) and once by the CLI (as the
    # caller's AWS identity).
    console = [e for e in trail if e.by == CONSULTANT]
    assert sorted(e.reference for e in console) == sorted(mine)
    assert sorted(e.reference for e in trail if e.by != CONSULTANT) == sorted(mine)

    status, erased = call(api, tokens, "erase", {"email": birthe["email"], "confirm": True})
    assert status == 200
    assert (erased["erased"], erased["not_searched"]) == ({"advisory": 2}, [])
    assert all(store.get(reference) is None for reference in mine)
    kept = store.get(senders["other"])  # Carsten's request stays, whole
    assert kept is not None and kept.status is Status.WAITING
    assert sealer.open(kept.sealed, kept.reference)["email"] == senders["carsten"]["email"]
    requests = [i for i in advisory_items(emulator) if i["sk"]["S"] == "REQ"]
    assert not mine & {i["reference"]["S"] for i in requests}

    status, again = call(api, tokens, "erase", {"email": birthe["email"], "confirm": True})
    assert status == 200 and again["erased"] == {"advisory": 0}
    assert again["reference"] != erased["reference"]
    status, nothing = call(api, tokens, "search", {"email": birthe["email"]})
    assert status == 200 and nothing["areas"] == [{"area": "advisory", "count": 0, "kinds": {}}]

    # One audit trail: the privacy officer's, with the consultant as operator.
    ours = {found["reference"]: "search", erased["reference"]: "erase",
            again["reference"]: "erase", nothing["reference"]: "search"}
    records = {i["pk"]["S"].removeprefix("REQUEST#"): i for i in privacy_audit(emulator)}
    for reference, action in ours.items():
        assert records[reference]["sk"]["S"] == action
        assert records[reference]["by"]["S"] == CONSULTANT
    exports = [i for i in records.values()
               if i["sk"]["S"] == "export" and i["by"]["S"] == CONSULTANT]
    assert exports and all(i["counts"]["M"]["advisory"]["N"] in ("0", "2") for i in exports)
    assert records[erased["reference"]]["counts"]["M"] == {"advisory": {"N": "2"}}
    status, officer_trail = api.request("GET", "/api/staff/privacy/audit",
                                        headers=bearer(tokens["privacy_officer"]["IdToken"]))
    assert status == 200
    seen = {r["reference"]: r for r in officer_trail["requests"]}
    assert {r: seen[r]["by"] for r in ours} == dict.fromkeys(ours, CONSULTANT)
    for text in (json.dumps(privacy_audit(emulator), ensure_ascii=False),
                 json.dumps(officer_trail, ensure_ascii=False),
                 json.dumps([i for i in advisory_items(emulator)
                             if i["pk"]["S"].startswith("AUDIT#")], ensure_ascii=False)):
        assert not [t for t in traces(senders) if t in text]

    # Every record the function logged, with all its fields (what the JSON log line holds).
    logged = "\n".join(json.dumps(r.__dict__, default=str, ensure_ascii=False)
                       for r in caplog.records)
    assert sum(r.getMessage() == "privacy request" for r in caplog.records) >= 5
    assert not [t for t in traces(senders) if t in logged]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["search", "export", "erase"]), email=BAD_ADDRESSES)
def test_a_bad_address_is_a_danish_field_error_with_nothing_opened_or_audited(
        api: Api, emulator: Emulator, tokens: dict[str, Any], opened: list[str],
        route: str, email: Any) -> None:
    before = (privacy_audit(emulator), len(advisory_items(emulator)))
    status, answer = call(api, tokens, route, {"email": email, "confirm": True}
                          if route == "erase" else {"email": email})
    assert status == 422, (route, email, answer)
    assert [e["field"] for e in answer["errors"]] == ["email"]
    assert answer["errors"][0]["message"]  # in Danish, from the shared address type
    assert (privacy_audit(emulator), len(advisory_items(emulator))) == before
    assert opened == []


def test_erase_without_confirming_is_refused_on_the_field_and_nothing_goes(
        api: Api, emulator: Emulator, tokens: dict[str, Any], senders: dict[str, Any],
        store: DynamoAdvisoryStore) -> None:
    email = senders["birthe"]["email"]
    before = privacy_audit(emulator)
    for body in ({"email": email}, {"email": email, "confirm": False}):
        status, answer = call(api, tokens, "erase", body)
        assert status == 422
        [error] = answer["errors"]
        assert error["field"] == "confirm" and error["message"]
    status, answer = call(api, tokens, "erase", {"email": email, "confirm": False})
    assert answer["errors"][0]["message"] == \
        "Bekræft, at alle oplysninger om adressen skal slettes."
    assert privacy_audit(emulator) == before
    assert store.get(senders["waiting"]) is not None
    assert store.get(senders["finished"]) is not None
