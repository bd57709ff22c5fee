"""The consultant's area of the staff console, through the gateway and the Cognito authorizer
as the template defines them, on the template's key, table and queues in the emulator:
every other group refused on every route with nothing changed and nothing opened; a request
from the public form taken, read, noted, finished and found in the history; two consultants
racing for the next request never sharing one; one consultant's lease closed to the other;
repeats answered as the first time; every view audited, and no audit entry holding anything
of the request."""

# The advisory fixtures (store, queue, sealer, opened) come from
# tests/support/advisory_emulator.py.
# ruff: noqa: F811

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cli.staff import add_user, generated_password
from local.authorizer import authorize
from local.emulator import Emulator
from local.functions import LocalContext
from local.plan import Plan
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.sqs_work_queue import SqsWorkQueue
from shared.advisory.models import AuditAction, Status
from shared.advisory.service import audit_trail
from shared.platform.names import (
    PARAM_ADVISORY_TABLE,
    STAFF_GROUPS,
)
from tests.integration.conftest import Api, bearer, pool_and_client, sign_in, staff_routes
from tests.support.advisory_emulator import (  # noqa: F401 (fixtures)
    empty_desk,
    opened,
    queue,
    sealer,
    store,
)
from tests.support.advisory_emulator import submit_through_form as submit
from tests.support.desk_machine import run_desk_machine

BASE = "/api/staff/advisory"
ROUTES = [("GET", BASE), ("POST", f"{BASE}/next"), ("GET", f"{BASE}/history"),
          ("GET", BASE + "/{reference}"), ("POST", BASE + "/{reference}/done"),
          ("POST", BASE + "/{reference}/release"), ("GET", f"{BASE}/mine"),
          ("POST", BASE + "/{reference}/extend"), ("POST", BASE + "/{reference}/waiting"),
          ("POST", BASE + "/{reference}/reopen"), ("POST", BASE + "/{reference}/link"),
          ("GET", BASE + "/{reference}/related")]
NOT_YOURS = "Henvendelsen er ikke reserveret til dig."
SECRETS = ("Kirsten Thorup", "kirsten@example.dk", "+4533123456", "Omstrukturering i området",
           "Min forvaltning vil lægge to klynger sammen")


@pytest.fixture(autouse=True)
def empty(emulator: Emulator, store: DynamoAdvisoryStore) -> None:
    empty_desk(emulator, store)


@pytest.fixture(scope="module")
def second(plan: Plan, emulator: Emulator, tokens: dict[str, dict[str, Any]]) -> str:
    """A second consultant's ID token."""
    pool, client = pool_and_client(plan, emulator)
    email, password = "konsulent.to@staff.example.dk", generated_password()
    add_user(emulator.client("cognito-idp"), pool, email, "consultant", password=password,
             permanent=True, send_invitation=False)
    return str(sign_in(emulator, client, email, password)["IdToken"])


@pytest.fixture
def first(tokens: dict[str, dict[str, Any]]) -> str:
    return str(tokens["consultant"]["IdToken"])


def audit_items(emulator: Emulator) -> list[dict[str, Any]]:
    items = emulator.client("dynamodb").scan(TableName=parameter(PARAM_ADVISORY_TABLE))["Items"]
    return [i for i in items if i["pk"]["S"].startswith("AUDIT#")]


def trail(store: DynamoAdvisoryStore, reference: str) -> list[tuple[str, AuditAction]]:
    today = datetime.now(UTC).date()
    return [(e.by, e.action) for e in audit_trail(store, today - timedelta(days=1), today)
            if e.reference == reference]


# -- refusals -----------------------------------------------------------------------------------

def test_the_template_routes_are_exactly_these(plan: Plan) -> None:
    ours = {(m, p) for m, p in staff_routes(plan)
            if p.startswith(BASE) and not p.startswith(f"{BASE}/privacy/")}  # their own tests
    assert ours == set(ROUTES)


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "consultant"])
def test_every_other_group_gets_403_everywhere_and_nothing_changes_or_is_opened(
        api: Api, emulator: Emulator, store: DynamoAdvisoryStore,
        tokens: dict[str, dict[str, Any]], opened: list[str], group: str) -> None:
    reference = submit(api, message=f"Ikke for {group}")
    audited = len(audit_items(emulator))
    for method, path in ROUTES:
        status, body = api.request(method, path.replace("{reference}", reference),
                                   {"note": "x"} if path.endswith("done") else None,
                                   bearer(tokens[group]["IdToken"]))
        assert (status, body["code"]) == (403, "forbidden"), path
        assert body["message"] == "Du har ikke adgang til denne del af personalesiderne."
    found = store.get(reference)
    assert found is not None and found.status is Status.WAITING and found.leased_by is None
    assert opened == [] and len(audit_items(emulator)) == audited


# -- the work -----------------------------------------------------------------------------------

def test_a_request_from_the_form_is_taken_read_noted_finished_and_found_in_the_history(
        api: Api, emulator: Emulator, store: DynamoAdvisoryStore, first: str) -> None:
    old = submit(api, message="Den ældste")
    reference = submit(api, urgent=True)
    status, counts = api.request("GET", BASE, headers=bearer(first))
    assert status == 200
    assert (counts["waiting_urgent"], counts["waiting_normal"], counts["in_progress"]) == \
        (1, 1, 0)
    assert counts["ages"][0] == {"label": "Under 1 døgn", "urgent": 1, "normal": 1}
    shown = json.dumps(counts)
    assert not any(s in shown for s in (*SECRETS, reference, old))  # counts only

    status, taken = api.request("POST", f"{BASE}/next", headers=bearer(first))
    assert status == 200 and \
        taken["message"] == f"{reference} er nu reserveret til dig i 30 minutter."
    request = taken["request"]  # the urgent one first, opened
    assert (request["reference"], request["urgent"], request["status"]) == \
        (reference, True, "leased")
    assert (request["name"], request["email"], request["phone"], request["topic"],
            request["message"]) == SECRETS
    assert request["kind_text"] == "fortrolig samtale / sparring"
    assert api.request("GET", BASE, headers=bearer(first))[1]["in_progress"] == 1

    again = api.request("GET", f"{BASE}/{reference.lower()}", headers=bearer(first))
    assert again[0] == 200 and again[1]["message"] == SECRETS[-1]

    note = "Ringet op 12/3; møde aftalt med forvaltningen"
    done = api.request("POST", f"{BASE}/{reference}/done", {"note": note}, bearer(first))
    assert done == (200, {"reference": reference, "status": "done"})
    assert api.request("POST", f"{BASE}/{reference}/done", {"note": note},
                       bearer(first)) == done  # again: the same answer
    stored = store.get(reference)
    assert stored is not None and stored.status is Status.DONE and stored.sealed_note
    assert note not in stored.sealed_note and stored.done_by == "consultant@staff.example.dk"

    status, history = api.request("GET", f"{BASE}/history", headers=bearer(first))
    assert status == 200
    newest = history["requests"][0]
    assert (newest["reference"], newest["note"], newest["done_by"]) == \
        (reference, note, "consultant@staff.example.dk")
    status, finished = api.request("GET", f"{BASE}/{reference}", headers=bearer(first))
    assert status == 200 and finished["note"] == note and finished["status"] == "done"

    assert [a for _, a in trail(store, reference)] == [
        AuditAction.NEXT, AuditAction.VIEW, AuditAction.DONE, AuditAction.HISTORY,
        AuditAction.VIEW]
    assert {b for b, _ in trail(store, reference)} == {"consultant@staff.example.dk"}
    raw = json.dumps(audit_items(emulator))
    assert reference in raw
    for secret in (*SECRETS, note, "Ringet op"):  # who, when, which, what: nothing of it
        assert secret not in raw


def test_nothing_waiting_is_said_plainly(api: Api, first: str) -> None:
    assert api.request("POST", f"{BASE}/next", headers=bearer(first)) == (
        200, {"request": None, "message": "Der venter ingen henvendelser."})


def test_release_puts_it_back_at_once_and_again_changes_nothing(
        api: Api, store: DynamoAdvisoryStore, first: str, second: str) -> None:
    reference = submit(api)
    assert api.request("POST", f"{BASE}/next", headers=bearer(first))[1]["request"][
        "reference"] == reference
    released = api.request("POST", f"{BASE}/{reference}/release", headers=bearer(first))
    assert released == (200, {"reference": reference, "status": "waiting"})
    assert api.request("POST", f"{BASE}/{reference}/release", headers=bearer(first)) == released
    found = store.get(reference)
    assert found is not None and found.status is Status.WAITING and found.leased_by is None
    taken = api.request("POST", f"{BASE}/next", headers=bearer(second))[1]["request"]
    assert taken["reference"] == reference  # at once, to anyone
    assert [a for _, a in trail(store, reference)] == [
        AuditAction.NEXT, AuditAction.RELEASE, AuditAction.NEXT]


def test_one_consultants_lease_is_closed_to_the_other(
        api: Api, store: DynamoAdvisoryStore, first: str, second: str,
        opened: list[str]) -> None:
    reference = submit(api)
    api.request("POST", f"{BASE}/next", headers=bearer(first))
    before = len(trail(store, reference))
    del opened[:]
    for method, path, body in (("GET", f"{BASE}/{reference}", None),
                               ("POST", f"{BASE}/{reference}/done", {"note": "Ikke min"}),
                               ("POST", f"{BASE}/{reference}/release", None)):
        status, answer = api.request(method, path, body, bearer(second))
        assert (status, answer) == (409, {"code": "leased_by_other", "message": NOT_YOURS})
    found = store.get(reference)
    assert found is not None and found.status is Status.LEASED
    assert found.leased_by == "consultant@staff.example.dk" and found.sealed_note is None
    assert opened == [] and len(trail(store, reference)) == before  # not shown, not audited
    # A request finished by one is history for both; finishing it again is refused to the other.
    assert api.request("POST", f"{BASE}/{reference}/done", {}, bearer(first))[0] == 200
    assert api.request("GET", f"{BASE}/{reference}", headers=bearer(second))[0] == 200
    status, answer = api.request("POST", f"{BASE}/{reference}/done", {}, bearer(second))
    assert (status, answer["code"]) == (409, "already_done")
    status, answer = api.request("POST", f"{BASE}/{reference}/release", None, bearer(first))
    assert (status, answer["code"]) == (409, "already_done")


def test_a_waiting_request_is_not_shown_or_finished_without_taking_it(
        api: Api, store: DynamoAdvisoryStore, first: str, opened: list[str]) -> None:
    reference = submit(api)
    for method, path in (("GET", f"{BASE}/{reference}"), ("POST", f"{BASE}/{reference}/done")):
        status, answer = api.request(method, path, {}, bearer(first))
        assert (status, answer) == (409, {"code": "not_leased", "message": NOT_YOURS})
    found = store.get(reference)
    assert found is not None and found.status is Status.WAITING and opened == []


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/done"),
                                                ("POST", "/release")])
def test_unknown_references_are_404_and_malformed_ones_422(
        api: Api, first: str, method: str, suffix: str) -> None:
    status, answer = api.request(method, f"{BASE}/LR-2222-22{suffix}", {}, bearer(first))
    assert (status, answer["code"]) == (404, "unknown_reference")
    assert answer["message"] == "Henvendelsen findes ikke."
    for bad in ("nogen", "LR-0000-00", "LR-2222-2", "LR-2222-22x"):
        status, answer = api.request(method, f"{BASE}/{bad}{suffix}", {}, bearer(first))
        assert status == 422, bad
        assert answer["errors"] == [{"field": "reference", "code": "invalid_reference",
                                     "message": "Referencen har formen LR-XXXX-XX."}]


@pytest.mark.parametrize(("body", "code"), [
    ({"note": "x" * 4001}, "too_long"),
    ({"note": "linje\u0000skjult"}, "invalid_characters"),
    ({"note": 7}, "invalid_type"),
])
def test_a_bad_note_is_refused_and_the_request_stays_leased_without_one(
        api: Api, store: DynamoAdvisoryStore, first: str, body: dict[str, Any],
        code: str) -> None:
    reference = submit(api)
    api.request("POST", f"{BASE}/next", headers=bearer(first))
    status, answer = api.request("POST", f"{BASE}/{reference}/done", body, bearer(first))
    assert status == 422
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("note", code)]
    found = store.get(reference)
    assert found is not None and found.status is Status.LEASED and found.sealed_note is None


# -- races --------------------------------------------------------------------------------------

def caller(api: Api, token: str) -> Any:
    """One execution environment of the consultant's function, called as the gateway calls
    it, from any thread."""
    match = api.gateway.match("POST", f"{BASE}/next")
    assert match is not None
    handler = api.handler(match.route.function)

    def call(method: str, path: str) -> tuple[int, Any]:
        found = api.gateway.match(method, path)
        assert found is not None
        headers = bearer(token)
        event = api.gateway.event(found, method, path, headers, b"", "127.0.0.1")
        assert authorize(api.authorizers, found.route.authorizer, headers, event)
        result = handler(event, LocalContext(found.route.function, 512, 29, "eu-north-1"))
        return result["statusCode"], json.loads(result["body"])
    return call


def test_two_consultants_racing_for_the_next_request_never_get_the_same(
        api: Api, first: str, second: str) -> None:
    references = {submit(api, message=f"Sag nummer {i}", urgent=i % 3 == 0) for i in range(8)}
    callers = [caller(api, first), caller(api, second)]

    def pull(call: Any) -> list[str]:
        got = []
        for _ in range(5):
            status, answer = call("POST", f"{BASE}/next")
            assert status == 200
            if answer["request"]:
                got.append(answer["request"]["reference"])
        return got

    with ThreadPoolExecutor(2) as pool:
        pulled = list(pool.map(pull, callers))
    together = pulled[0] + pulled[1]
    assert len(together) == len(set(together)) == 8 and set(together) == references
    assert not set(pulled[0]) & set(pulled[1])


# -- the lease rules as a state machine across two consultants ----------------------------------

def test_the_lease_rules_hold_for_two_consultants_in_any_order(
        emulator: Emulator, store: DynamoAdvisoryStore, sealer: KmsSealer,
        queue: SqsWorkQueue) -> None:
    """tests/support/desk_machine.py on the template's table, key and queues: take, show,
    extend, hold until a follow-up day, finish, release, reopen, with minutes and days
    passing; nothing lost, none held by two, a request on hold due on its day."""
    run_desk_machine({"store": store, "sealer": sealer, "queue": queue,
                      "reset": lambda: empty_desk(emulator, store)}, examples=8, steps=14)


def test_the_audit_trail_reads_by_day(store: DynamoAdvisoryStore) -> None:
    """Entries are found by the day they were made, in time order, and only there."""
    from shared.advisory.models import AuditEntry

    day = date(2031, 5, 6)
    moments = [datetime(2031, 5, 6, 23, 59, tzinfo=UTC), datetime(2031, 5, 6, 0, 1, tzinfo=UTC),
               datetime(2031, 5, 7, 0, 0, tzinfo=UTC)]
    for moment in moments:
        store.record(AuditEntry(at=moment, by="a", reference="LR-2222-22",
                                action=AuditAction.VIEW), expires_at=0)
    assert [e.at for e in audit_trail(store, day, day)] == sorted(moments[:2])
    assert len(audit_trail(store, day, day + timedelta(days=1))) == 3


# -- the CLI on the same desk ------------------------------------------------------------------

def test_the_cli_keeps_the_console_users_lease_and_reads_the_audit(
        api: Api, emulator: Emulator, store: DynamoAdvisoryStore, first: str) -> None:
    """A request taken in the browser is not the CLI caller's (their AWS identity) unless
    they act as that consultant (`--by`); `audit` tells who did what, and nothing of it."""
    from click.testing import CliRunner

    from cli.main import main

    reference = submit(api)
    api.request("POST", f"{BASE}/next", headers=bearer(first))
    runner = CliRunner()
    refused = runner.invoke(main, ["consultant", "done", reference])
    assert refused.exit_code == 1 and NOT_YOURS in refused.output
    done = runner.invoke(main, ["consultant", "--by", "Consultant@staff.example.dk", "done",
                                reference, "--note", "Aftalt via telefon"])
    assert done.exit_code == 0 and f"{reference} er afsluttet." in done.output, done.output
    history = runner.invoke(main, ["consultant", "history", "--limit", "5"])
    assert history.exit_code == 0 and "Note: Aftalt via telefon" in history.output
    audit = runner.invoke(main, ["consultant", "audit", "--days", "2", "--reference",
                                 reference.lower()])
    assert audit.exit_code == 0
    lines = audit.output.strip().splitlines()
    assert [line.split()[-2:] for line in lines[:2]] == [
        ["next", "consultant@staff.example.dk"], ["done", "consultant@staff.example.dk"]]
    action, who = lines[2].split()[-2:]  # the history, read as the CLI caller's identity
    assert len(lines) == 3 and action == "history" and who.startswith("arn:aws:")
    for secret in (*SECRETS, "Aftalt via telefon"):
        assert secret not in audit.output
