"""The consultant's open requests through the gateway and the Cognito authorizer as the template
defines them, on the template's key, table and queues in the emulator: "Mine åbne
henvendelser" from any device with extend and release, "afventer svar" with a follow-up day
(out of the queue, still the consultant's, due on its day), reopen, a follow-up tied to an
earlier request and found with it by reference; each refused to the other consultant (409)
and per field in Danish (422) with nothing changed, each answered the same when repeated; and
the notice that sends the consultant to the console, with nothing typed in it. Every other
group's 403 on these routes is in tests/integration/test_staff_advisory.py."""

# ruff: noqa: F811

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from cli.staff import add_user, generated_password
from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.advisory.models import AuditAction, Status
from shared.advisory.service import audit_trail
from shared.platform.clock import COPENHAGEN, to_copenhagen, utcnow
from shared.platform.names import ENV_PUBLIC_URL
from tests.integration.conftest import Api, bearer, pool_and_client, sign_in
from tests.support.advisory_emulator import (  # noqa: F401 (fixtures)
    empty_desk,
    readable,
    sent,
    store,
)
from tests.support.advisory_emulator import submit_through_form as submit

BASE = "/api/staff/advisory"
ME = "consultant@staff.example.dk"
NOT_YOURS = "Henvendelsen er ikke reserveret til dig."
TYPED = ("Kirsten Thorup", "kirsten@example.dk", "+4533123456", "Omstrukturering i området",
         "Min forvaltning vil lægge to klynger sammen")


@pytest.fixture(autouse=True)
def empty(emulator: Emulator, store: DynamoAdvisoryStore) -> None:
    empty_desk(emulator, store)


@pytest.fixture(scope="module")
def other(plan: Plan, emulator: Emulator, tokens: dict[str, dict[str, Any]]) -> str:
    """Another consultant's ID token."""
    pool, client = pool_and_client(plan, emulator)
    email, password = "konsulent.tre@staff.example.dk", generated_password()
    add_user(emulator.client("cognito-idp"), pool, email, "consultant", password=password,
             permanent=True, send_invitation=False)
    return str(sign_in(emulator, client, email, password)["IdToken"])


@pytest.fixture
def me(tokens: dict[str, dict[str, Any]]) -> dict[str, str]:
    return bearer(tokens["consultant"]["IdToken"])


def today() -> date:
    return to_copenhagen(utcnow()).date()


def take(api: Api, headers: dict[str, str], reference: str) -> dict[str, Any]:
    status, answer = api.request("POST", f"{BASE}/next", headers=headers)
    assert status == 200 and answer["request"]["reference"] == reference
    return dict(answer["request"])


def mine(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    status, answer = api.request("GET", f"{BASE}/mine", headers=headers)
    assert status == 200
    return list(answer["requests"])


def actions(store: DynamoAdvisoryStore, reference: str) -> list[AuditAction]:
    day = utcnow().date()
    return [e.action for e in audit_trail(store, day - timedelta(days=1), day)
            if e.reference == reference]


def test_my_open_requests_are_listed_from_any_device_and_extended_or_released(
        api: Api, store: DynamoAdvisoryStore, me: dict[str, str], other: str) -> None:
    reference = submit(api)
    assert mine(api, me) == []
    take(api, me, reference)
    listed = mine(api, me)  # as a reload (or another browser) asks
    assert [(r["reference"], r["status"], r["due"]) for r in listed] == \
        [(reference, "leased", False)]
    until = datetime.fromisoformat(listed[0]["leased_until"])
    assert until.utcoffset() == until.astimezone(COPENHAGEN).utcoffset()  # Danish time
    assert not any(text in str(listed) for text in TYPED)  # no texts, no names
    assert mine(api, bearer(other)) == []
    # The list opens it again (audited), as the page does after a reload.
    status, shown = api.request("GET", f"{BASE}/{reference}", headers=me)
    assert status == 200 and shown["message"] == TYPED[-1]

    status, extended = api.request("POST", f"{BASE}/{reference}/extend", headers=me)
    assert status == 200 and extended["reference"] == reference
    assert datetime.fromisoformat(extended["leased_until"]) >= until
    stored = store.get(reference)
    assert stored is not None and stored.leased_until == \
        datetime.fromisoformat(extended["leased_until"])
    status, refused = api.request("POST", f"{BASE}/{reference}/extend",
                                  headers=bearer(other))
    assert (status, refused) == (409, {"code": "leased_by_other", "message": NOT_YOURS})

    assert api.request("POST", f"{BASE}/{reference}/release", headers=me)[0] == 200
    assert mine(api, me) == []
    status, refused = api.request("POST", f"{BASE}/{reference}/extend", headers=me)
    assert (status, refused["code"]) == (409, "not_leased")
    take(api, bearer(other), reference)  # back in the queue at once
    assert actions(store, reference) == [AuditAction.NEXT, AuditAction.VIEW,
                                         AuditAction.EXTEND, AuditAction.RELEASE,
                                         AuditAction.NEXT]


def test_waiting_for_an_answer_leaves_the_queue_stays_mine_and_is_due_on_its_day(
        api: Api, store: DynamoAdvisoryStore, me: dict[str, str], other: str) -> None:
    later, now = submit(api, message="Vent til næste uge"), submit(api, message="Svar i dag")
    for reference, days in ((later, 7), (now, 0)):
        take(api, me, reference)
        day = (today() + timedelta(days=days)).isoformat()
        body = {"follow_up_on": day, "note": "Ringet op; venter på svar fra forvaltningen"}
        answer = (200, {"reference": reference, "status": "on_hold", "follow_up_on": day})
        assert api.request("POST", f"{BASE}/{reference}/waiting", body, me) == answer
        assert api.request("POST", f"{BASE}/{reference}/waiting", body, me) == answer
    assert api.request("POST", f"{BASE}/next", headers=bearer(other))[1]["request"] is None
    listed = mine(api, me)
    assert [(r["reference"], r["status"], r["due"], r["leased_until"]) for r in listed] == [
        (now, "on_hold", True, None), (later, "on_hold", False, None)]  # due first
    assert listed[1]["follow_up_on"] == (today() + timedelta(days=7)).isoformat()
    counts = api.request("GET", BASE, headers=me)[1]
    assert (counts["on_hold"], counts["due"], counts["waiting_normal"]) == (2, 1, 0)
    # Still mine: the other consultant can neither see nor change it.
    for method, suffix in (("GET", ""), ("POST", "/done"), ("POST", "/release"),
                           ("POST", "/reopen")):
        status, refused = api.request(method, f"{BASE}/{later}{suffix}", {},
                                      bearer(other))
        assert (status, refused["code"]) == (409, "leased_by_other"), suffix
    status, shown = api.request("GET", f"{BASE}/{now}", headers=me)
    assert status == 200 and shown["status"] == "on_hold"
    assert shown["note"] == "Ringet op; venter på svar fra forvaltningen"  # sealed, mine
    stored = store.get(now)
    assert stored is not None and stored.sealed_note and "Ringet" not in stored.sealed_note
    # Taken up again: leased to me, and back in the queue when I let go.
    status, reopened = api.request("POST", f"{BASE}/{now}/reopen", headers=me)
    assert status == 200 and reopened["status"] == "leased"
    assert api.request("POST", f"{BASE}/{later}/release", headers=me)[0] == 200
    assert take(api, bearer(other), later)["status"] == "leased"


@pytest.mark.parametrize(("body", "code", "message"), [
    ({"follow_up_on": "yesterday"}, "in_the_past", "Vælg en dato fra i dag og frem."),
    ({"follow_up_on": "i morgen"}, "invalid_date", "Angiv en dato (ÅÅÅÅ-MM-DD)."),
    ({"follow_up_on": "2027-02-30"}, "invalid_date", "Angiv en dato (ÅÅÅÅ-MM-DD)."),
    ({}, "required", "Feltet skal udfyldes."),
    ({"follow_up_on": "far"}, "after_retention",
     "Henvendelsen slettes før den dato. Vælg en tidligere dato."),
])
def test_a_bad_follow_up_day_is_refused_per_field_and_nothing_changes(
        api: Api, store: DynamoAdvisoryStore, me: dict[str, str], body: dict[str, Any],
        code: str, message: str) -> None:
    reference = submit(api)
    take(api, me, reference)
    named = {"yesterday": (today() - timedelta(days=1)).isoformat(),
             "far": (today() + timedelta(days=400)).isoformat()}
    if body.get("follow_up_on") in named:
        body = {"follow_up_on": named[body["follow_up_on"]]}
    status, answer = api.request("POST", f"{BASE}/{reference}/waiting", body, me)
    assert status == 422
    assert answer["errors"] == [{"field": "follow_up_on", "code": code, "message": message}]
    stored = store.get(reference)
    assert stored is not None and stored.status is Status.LEASED
    assert stored.follow_up_on is None


def test_a_finished_request_is_reopened_to_the_caller_and_again_answers_the_same(
        api: Api, store: DynamoAdvisoryStore, me: dict[str, str], other: str) -> None:
    reference = submit(api)
    take(api, me, reference)
    status, refused = api.request("POST", f"{BASE}/{reference}/reopen", headers=bearer(other))
    assert (status, refused["code"]) == (409, "leased_by_other")
    assert api.request("POST", f"{BASE}/{reference}/done", {"note": "Klaret"}, me)[0] == 200
    first = api.request("POST", f"{BASE}/{reference}/reopen", headers=bearer(other))
    assert first[0] == 200 and first[1]["status"] == "leased"
    assert api.request("POST", f"{BASE}/{reference}/reopen", headers=bearer(other)) == first
    stored = store.get(reference)
    assert stored is not None and stored.status is Status.LEASED
    assert stored.leased_by == "konsulent.tre@staff.example.dk" and stored.done_at is None
    assert [r["reference"] for r in mine(api, bearer(other))] == [reference]
    history = api.request("GET", f"{BASE}/history", headers=me)[1]["requests"]
    assert reference not in [r["reference"] for r in history]
    status, refused = api.request("POST", f"{BASE}/{reference}/reopen", headers=me)
    assert (status, refused["code"]) == (409, "leased_by_other")
    waiting = submit(api)
    status, refused = api.request("POST", f"{BASE}/{waiting}/reopen", headers=me)
    assert (status, refused["code"]) == (409, "not_leased")


def test_a_follow_up_is_tied_to_the_earlier_request_and_found_with_it_by_reference(
        api: Api, store: DynamoAdvisoryStore, me: dict[str, str], other: str) -> None:
    earlier = submit(api, message="Første gang")
    take(api, me, earlier)
    api.request("POST", f"{BASE}/{earlier}/done", {}, me)
    later = submit(api, message="Igen om det samme")
    take(api, me, later)
    for bad, code in (("LR-2222-22", "unknown_reference"), (later, "same_request"),
                      ("nogen", "invalid_reference")):
        status, answer = api.request("POST", f"{BASE}/{later}/link", {"earlier": bad}, me)
        assert (status, [e["code"] for e in answer["errors"]]) == (422, [code]), bad
        assert answer["errors"][0]["field"] == "earlier"
    tied = (200, {"reference": later, "follow_up_of": earlier})
    assert api.request("POST", f"{BASE}/{later}/link", {"earlier": earlier.lower()}, me) == tied
    assert api.request("POST", f"{BASE}/{later}/link", {"earlier": earlier}, me) == tied
    status, refused = api.request("POST", f"{BASE}/{later}/link", {"earlier": earlier},
                                  bearer(other))
    assert (status, refused["code"]) == (409, "leased_by_other")

    shown = api.request("GET", f"{BASE}/{later}", headers=me)[1]
    assert shown["follow_up_of"] == earlier
    assert api.request("GET", f"{BASE}/{earlier}", headers=me)[1]["follow_ups"] == [later]
    for searched in (earlier, later):  # either reference finds both, nothing opened
        status, found = api.request("GET", f"{BASE}/{searched}/related", headers=me)
        assert status == 200
        assert sorted(r["reference"] for r in found["requests"]) == sorted([earlier, later])
        assert found["requests"][0]["reference"] == searched
        assert not any(text in str(found) for text in (*TYPED, "Første gang"))
    status, answer = api.request("GET", f"{BASE}/LR-2222-22/related", headers=me)
    assert (status, answer["code"]) == (404, "unknown_reference")
    assert AuditAction.LINK in actions(store, later)


def test_the_notice_sends_the_consultant_to_the_console_with_nothing_typed(
        api: Api, plan: Plan, emulator: Emulator) -> None:
    before = len(sent(emulator))
    reference = submit(api)
    notices = [readable(m.raw_data) for m in sent(emulator)[before:]]
    notices = [n for n in notices if "Ny henvendelse" in n]
    assert len(notices) == 1 and reference in notices[0]
    bases = {api.environment(name)[ENV_PUBLIC_URL] for name, f in plan.functions.items()
             if ENV_PUBLIC_URL in f.environment}
    assert len(bases) == 1  # the base every emailed link starts with
    text = re.sub(r"\s+", " ", notices[0])
    assert "Log ind på personalesiderne og tryk »Tag den næste«" in text
    assert f"{bases.pop().rstrip('/')}/personale/" in text
    assert "leaders consultant" not in text
    for typed in TYPED:
        assert typed not in notices[0]


def test_the_cli_holds_lists_and_reopens_through_the_same_desk(
        api: Api, me: dict[str, str]) -> None:
    from click.testing import CliRunner

    from cli.main import main

    reference = submit(api)
    take(api, me, reference)
    runner = CliRunner()
    as_me = ["consultant", "--by", ME]
    day = (today() + timedelta(days=2)).isoformat()
    past = runner.invoke(main, [*as_me, "hold", reference, "--until", "2020-01-01"])
    assert past.exit_code == 1 and "Vælg en dato fra i dag og frem." in past.output
    held = runner.invoke(main, [*as_me, "hold", reference, "--until", day])
    assert held.exit_code == 0 and f"{reference} afventer svar. Fra " in held.output
    assert [(r["reference"], r["status"]) for r in mine(api, me)] == [(reference, "on_hold")]
    listed = runner.invoke(main, [*as_me, "mine"])
    assert listed.exit_code == 0 and reference in listed.output
    assert "afventer svar, opfølgning " in listed.output
    reopened = runner.invoke(main, [*as_me, "reopen", reference])
    assert reopened.exit_code == 0 and "er reserveret til dig indtil" in reopened.output
    assert [(r["reference"], r["status"]) for r in mine(api, me)] == [(reference, "leased")]
