"""A data-protection case once closed: the same address, kind and day asked again is a new
case (the member wrote again, or the officer closed it too soon), never the closed one that
refuses everything with "åbn en ny sag"; and the closing leaves nothing in the table that is
derived from the address without a secret (the key that made a repeat meet the case). And
the letter answering a request for access is given for a case of access only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from local.emulator import Emulator
from shared.adapters.parameters import parameter
from shared.platform.names import PARAM_PRIVACY_AUDIT_TABLE
from shared.privacy.cases import CaseForm, case_key
from tests.integration.conftest import Api, bearer

OFFICER = "privacy_officer"


def ask(api: Api, tokens: dict[str, Any], method: str, path: str,
        body: Any = None) -> tuple[int, Any]:
    return api.request(method, path, body, headers=bearer(tokens[OFFICER]["IdToken"]))


def case_keys(emulator: Emulator, email: str, kind: str, day: str) -> list[dict[str, Any]]:
    form = CaseForm.model_validate({"email": email, "kind": kind, "received_on": day})
    found = emulator.client("dynamodb").get_item(
        TableName=parameter(PARAM_PRIVACY_AUDIT_TABLE), ConsistentRead=True,
        Key={"pk": {"S": f"CASEKEY#{case_key(form.email, form.kind, form.received_on)}"},
             "sk": {"S": "case"}}).get("Item")
    return [found] if found else []


@pytest.mark.parametrize("kind", ["access", "correction"])
def test_the_same_request_after_its_case_was_closed_is_a_new_open_case(
    api: Api, emulator: Emulator, tokens: dict[str, Any], kind: str,
) -> None:
    email = f"Igen.{uuid.uuid4().hex[:6]}@Example.dk"
    body = {"email": email, "kind": kind, "received_on": "2026-12-01"}
    status, first = ask(api, tokens, "POST", "/api/staff/privacy/cases", body)
    assert status == 201
    number = first["case"]["case"]
    status, _ = ask(api, tokens, "POST", f"/api/staff/privacy/cases/{number}/close")
    assert status == 200
    assert case_keys(emulator, email, kind, "2026-12-01") == []

    status, again = ask(api, tokens, "POST", "/api/staff/privacy/cases",
                        {**body, "email": email.lower()})
    assert status == 201, again
    assert again["case"]["case"] != number and again["case"]["closed_at"] is None
    status, repeat = ask(api, tokens, "POST", "/api/staff/privacy/cases", body)
    assert (status, repeat["case"]["case"]) == (200, again["case"]["case"])
    status, found = ask(api, tokens, "POST", "/api/staff/privacy/search",
                        {"case": again["case"]["case"]})
    assert status == 200, found
    status, closed = ask(api, tokens, "POST", "/api/staff/privacy/search", {"case": number})
    assert (status, closed["code"]) == (409, "case_closed")


def test_a_key_left_by_a_case_closed_before_is_taken_over(emulator: Emulator) -> None:
    """A table written before the closing removed the key (or a case gone by TTL before its
    key): the same request opens a new case instead of meeting the closed or missing one."""
    from shared.adapters.dynamodb_privacy import DynamoCaseBook

    table = parameter(PARAM_PRIVACY_AUDIT_TABLE)
    book = DynamoCaseBook(table)
    form = CaseForm.model_validate({"email": f"gammel.{uuid.uuid4().hex[:6]}@example.dk",
                                    "kind": "erasure", "received_on": "2026-11-30"})
    now = datetime.now(UTC)
    old, _ = book.open(form, "en@example.dk", now)
    key = {"pk": {"S": f"CASEKEY#{case_key(form.email, form.kind, form.received_on)}"},
           "sk": {"S": "case"}, "number": {"S": old.number}}
    assert book.close(old.number, "en@example.dk", now) is not None
    client = emulator.client("dynamodb")
    client.put_item(TableName=table, Item=key)  # as the closing used to leave it
    new, created = book.open(form, "en@example.dk", now)
    assert created and new.number != old.number and new.closed_at is None
    client.delete_item(TableName=table, Key={"pk": {"S": f"CASE#{new.number}"},
                                             "sk": {"S": "case"}})  # gone by TTL
    newer, created = book.open(form, "en@example.dk", now)
    assert created and newer.number not in {old.number, new.number}


@pytest.mark.parametrize("kind", ["erasure", "correction"])
def test_a_case_that_is_not_about_access_gets_no_letter_about_access(
    api: Api, tokens: dict[str, Any], kind: str,
) -> None:
    """The letter opens "Svar på din anmodning om indsigt … Du bad os … om at få at vide":
    a member who asked for erasure or correction must never be sent it; nothing is read."""
    from tests.integration.conftest import raw

    status, opened = ask(api, tokens, "POST", "/api/staff/privacy/cases", {
        "email": f"sletning.{uuid.uuid4().hex[:6]}@example.dk", "kind": kind,
        "received_on": "2026-12-01"})
    assert status == 201
    number = opened["case"]["case"]
    answer = raw(api, "GET", f"/api/staff/privacy/cases/{number}/answer",
                 bearer(tokens[OFFICER]["IdToken"]))
    assert answer["statusCode"] == 409, answer
    assert '"not_access"' in answer["body"] and "sag om indsigt" in answer["body"]
    status, trail = ask(api, tokens, "GET", "/api/staff/privacy/audit")
    assert status == 200 and number not in {entry["case"] for entry in trail["requests"]}


def test_an_erasure_landing_inside_a_correction_is_not_undone(
    api: Api, tokens: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The address is erased between the correction's read and its write (forced, at the
    write of each registration): the correction writes nothing back, so no erased
    registration reappears with the corrected details."""
    from cli.resources import registration_store
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.privacy.holders import ForumsHolder
    from tests.support.privacy_emulator import forum_session, register

    n = uuid.uuid4().hex[:6]
    person = {"name": f"Ester Slettesen {n}", "email": f"ester.{n}@example.dk",
              "workplace": "Faxe Kommune"}
    for city in ("Faxe", "Køge"):
        assert register(forum_session(f"Kapløb {city} {n}", city, capacity=3),
                        person)["status"] == "confirmed"
    status, opened = ask(api, tokens, "POST", "/api/staff/privacy/cases", {
        "email": person["email"], "kind": "correction", "received_on": "2026-12-01"})
    assert status == 201
    applying = DynamoRegistrationStore.apply
    erased: list[int] = []
    raced: list[bool] = []

    def erasure_first(self: DynamoRegistrationStore, transition: Any) -> Any:
        if not raced and any(write.replaces for write in transition.writes):
            raced.append(True)  # the erasure's own writes pass straight through
            erased.append(ForumsHolder(registration_store()).erase(person["email"],
                                                                     datetime.now(UTC)))
        return applying(self, transition)

    monkeypatch.setattr(DynamoRegistrationStore, "apply", erasure_first)
    status, answer = ask(api, tokens, "POST",
                         f"/api/staff/privacy/cases/{opened['case']['case']}/correct",
                         {"workplace": "Stevns Kommune", "name": f"Ester Rettet {n}"})
    assert status == 200, answer
    assert erased == [2]
    assert registration_store().with_email(person["email"]) == []
    assert answer["areas"]["forums"] == 0


def test_a_phone_number_that_is_not_the_persons_is_removed_not_replaced(
    api: Api, tokens: dict[str, Any],
) -> None:
    """The member writes "that number is not mine": the phone sent empty removes it from
    every registration (once: again changes nothing); the other details stay; a null name
    beside it changes no name."""
    from cli.resources import registration_store
    from tests.support.privacy_emulator import forum_session, register

    n = uuid.uuid4().hex[:6]
    person = {"name": f"Per Fejlnummer {n}", "email": f"per.{n}@example.dk",
              "phone": "+4520112233", "workplace": "Vejle Kommune"}
    for city in ("Vejle", "Horsens"):
        register(forum_session(f"Nummer {city} {n}", city, capacity=3), person)
    status, opened = ask(api, tokens, "POST", "/api/staff/privacy/cases", {
        "email": person["email"], "kind": "correction", "received_on": "2026-12-01"})
    assert status == 201
    path = f"/api/staff/privacy/cases/{opened['case']['case']}/correct"
    for body, changed in (({"phone": ""}, 2), ({"phone": None, "name": None}, 0)):
        status, answer = ask(api, tokens, "POST", path, body)
        assert (status, answer.get("changed")) == (200, changed), answer
    held = registration_store().with_email(person["email"])
    assert [(r.phone, r.name, r.workplace) for r in held] == [
        (None, person["name"], "Vejle Kommune")] * 2
    status, refused = ask(api, tokens, "POST", path, {"name": None})
    assert status == 422, refused
    assert "Skriv mindst én oplysning, der skal rettes." in str(refused)
