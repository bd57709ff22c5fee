"""Data-protection cases in the console, against the template's tables through the emulated
authorizer: the privacy officer opens a case (the same request again meets the same case),
the consultant contributes the advisory part under it, and the officer's answer to the
access request is a Danish page that tells the member everything held about them in plain
words (forums in every state, the newsletter and its consent, the emails sent, the advisory
requests by kind and day, retention, Datatilsynet) and nothing else: no other participant of
the same sessions, no internal id, slug or English code, no request text. A correction
changes every registration and the subscription, sends nothing, keeps the calendar entry,
and changes nothing when repeated; bad fields are Danish 422s with nothing changed. Every
request is audited under its case; every other group is refused before anything is read."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.dynamodb_ledger import DynamoLedger
from shared.adapters.parameters import parameter
from shared.forums.registration.mail import email_kind
from shared.forums.registration.models import CancelledBy, Registration, Status
from shared.forums.registration.service import Registrations, cancel_registration
from shared.platform.names import PARAM_REGISTRATIONS_TABLE, STAFF_GROUPS
from tests.integration.conftest import Api, bearer, concrete_path, staff_routes
from tests.support.newsletter_emulator import subscribe_confirmed
from tests.support.privacy_emulator import (
    every_item,
    forum_session,
    register,
    registration_form,
)

OFFICER = "privacy_officer"
CONSULTANT = "consultant"
MESSAGE = "Fortroligt: min forvaltning vil lægge klyngerne sammen"
CASE_ROUTES = [("GET", "/api/staff/privacy/cases"), ("POST", "/api/staff/privacy/cases"),
               ("GET", "/api/staff/privacy/cases/{case}/answer"),
               ("POST", "/api/staff/privacy/cases/{case}/close"),
               ("POST", "/api/staff/privacy/cases/{case}/correct")]
CONSULTANT_ROUTES = [("GET", "/api/staff/advisory/privacy/cases"),
                     ("POST", "/api/staff/advisory/privacy/cases/{case}/contribute")]
# What the answer must never show: the stored codes of states, roles, causes and emails.
CODES = ("confirmed", "waitlisted", "cancelled", "unconfirmed", "district_leader",
         "area_leader", "participant", "subscribed", "confirmation_link", "conversation")


def ask(api: Api, tokens: dict[str, Any], method: str, path: str, body: Any = None,
        group: str = OFFICER) -> tuple[int, Any]:
    return api.request(method, path, body, headers=bearer(tokens[group]["IdToken"]))


def page(api: Api, tokens: dict[str, Any], case: str) -> str:
    """The answer page as the officer's browser gets it (the handler's own answer)."""
    from tests.integration.conftest import raw

    answer = raw(api, "GET", f"/api/staff/privacy/cases/{case}/answer",
                 bearer(tokens[OFFICER]["IdToken"]))
    assert answer["statusCode"] == 200, answer
    headers = {k.lower(): v[-1] for k, v in answer["multiValueHeaders"].items()}
    assert headers["content-type"].startswith("text/html")
    return str(answer["body"])


@pytest.fixture
def asta(api: Api, emulator: Emulator) -> dict[str, Any]:
    """Asta holds a seat in Odense, waits as nr. 1 in Aarhus (behind Bodil, before Carl),
    cancelled herself in Esbjerg, submitted without confirming in Roskilde; subscribes to
    the newsletter; sent the consultant one request. Others share her sessions."""
    from cli.resources import newsletter, registration_store

    n = uuid.uuid4().hex[:6]
    person = {"name": f"Asta Svarsen {n}", "email": f"asta.{n}.0@example.dk",
              "phone": "+4540556677", "workplace": f"Odsherred Kommune {n}",
              "member_number": f"77{n[:3]}", "needs": f"Vegetar {n}"}
    others = [{"name": f"{who} Andensen {n}", "email": f"{who.lower()}.{n}@example.dk",
               "phone": "+4599887766", "workplace": f"Andet Sted {n}",
               "needs": f"Anden kost {n}"} for who in ("Bodil", "Carl", "Dorte", "Erik")]
    seat = forum_session(f"Ledelse af klynger {n}", "Odense", capacity=2)
    line = forum_session(f"Evalueringskultur {n}", "Aarhus", capacity=1)
    gone = forum_session(f"Skole og fritid {n}", "Esbjerg", capacity=5)
    later = forum_session(f"Ledelseskommissionen {n}", "Roskilde", capacity=5)
    held = register(seat, person)
    assert held["status"] == "confirmed"
    assert register(seat, others[0])["status"] == "confirmed"
    assert register(line, others[0])["status"] == "confirmed"
    assert register(line, person)["status"] == "waitlisted"
    assert register(line, others[1])["status"] == "waitlisted"
    cancelled = register(gone, person)
    assert register(gone, others[2])["status"] == "confirmed"
    store = registration_store()
    mine = store.get(gone, cancelled["id"])
    assert mine is not None
    assert cancel_registration(store, mine, CancelledBy.PARTICIPANT, datetime.now(UTC))
    # The emails the stream's consumer records as sent (it does not run here).
    ledger = DynamoLedger(parameter(PARAM_REGISTRATIONS_TABLE))
    assert ledger.claim(seat, held["id"], "1#confirmation")
    assert ledger.claim(gone, cancelled["id"], "1#cancelled")
    Registrations(store, b"privacy-test").submit(registration_form(later, person))
    Registrations(store, b"privacy-test").submit(registration_form(later, others[3]))
    assert subscribe_confirmed(newsletter(), 1, f"asta.{n}.") == [person["email"]]
    subscribe_confirmed(newsletter(), 1, f"bodil.{n}.")
    for who, text in ((person, MESSAGE), (others[1], "En andens sag")):
        status, _ = api.request("POST", "/api/advisory-requests", {
            "kind": "conversation", "name": who["name"], "email": who["email"],
            "phone": who["phone"], "message": text, "topic": f"Emne {n}", "consent": True})
        assert status == 202
    return {"person": person, "others": others, "sessions": [seat, line, gone, later],
            "n": n}


def open_case(api: Api, tokens: dict[str, Any], email: str, kind: str = "access",
              received_on: str = "2026-12-01") -> tuple[int, dict[str, Any]]:
    status, answer = ask(api, tokens, "POST", "/api/staff/privacy/cases",
                         {"email": email, "kind": kind, "received_on": received_on,
                          "note": "Brev modtaget med posten"})
    return status, answer


def test_the_access_answer_tells_everything_about_the_person_and_nothing_else(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], asta: dict[str, Any],
) -> None:
    person, n = asta["person"], asta["n"]
    status, opened = open_case(api, tokens, person["email"].upper())
    assert status == 201, opened
    case = opened["case"]["case"]
    assert re.fullmatch(r"DB-20[0-9]{2}-[0-9]{4}", case)
    assert opened["case"]["kind_text"] == "Indsigt" and opened["case"]["email"] == person["email"]
    status, again = open_case(api, tokens, person["email"])
    assert (status, again["case"]["case"]) == (200, case)  # the same request: the same case
    status, listed = ask(api, tokens, "GET", "/api/staff/privacy/cases")
    assert [c["case"] for c in listed["cases"]].count(case) == 1

    # The consultant picks the case from the list and contributes the advisory part.
    status, theirs = ask(api, tokens, "GET", "/api/staff/advisory/privacy/cases",
                         group=CONSULTANT)
    assert status == 200 and case in [c["case"] for c in theirs["cases"]]
    status, given = ask(api, tokens, "POST",
                        f"/api/staff/advisory/privacy/cases/{case}/contribute", group=CONSULTANT)
    assert (status, given["requests"]) == (200, 1), given

    shown = page(api, tokens, case)
    text = re.sub(r"<[^>]+>", " ", shown)
    text = re.sub(r"\s+", " ", text)
    for expected in (f"Ledelse af klynger {n}", "Odense", "Tilmeldt: du har en plads",
                     f"Evalueringskultur {n}", "Aarhus", "På venteliste som nr. 1",
                     f"Skole og fritid {n}", "Esbjerg", "Afmeldt af dig",
                     f"Ledelseskommissionen {n}", "Roskilde", "Ikke bekræftet",
                     person["name"], "40 55 66 77", person["workplace"],
                     person["member_number"], person["needs"], "Distriktsleder",
                     "Du modtager nyhedsbrevet.", "Samtykke",
                     "Bekræftelse af tilmeldingen", "Bekræftelse af afmeldingen",
                     "Anmodning om en fortrolig samtale eller sparring", "under behandling",
                     "direkte fra lederkonsulenten", "365 dage", "180 dage",
                     "Datatilsynet", "Carl Jacobsens Vej 35", "www.datatilsynet.dk",
                     "mandag den 8. marts 2027 kl. 09.30–15.30", case, "1. december 2026"):
        assert expected in text, expected
    assert re.search(r"sendt \w+dag den \d+\. \w+ 20\d\d kl\. \d\d\.\d\d", text)
    # Nobody else of the same sessions, no ids, slugs, codes, texts or references.
    for other in asta["others"]:
        assert not [v for v in other.values() if v in shown], other
    for session in asta["sessions"]:
        assert session not in shown and session.rsplit("-", 1)[0] not in shown
    assert not [code for code in CODES if re.search(rf"\b{code}\b", text)]
    assert MESSAGE not in shown and f"Emne {n}" not in shown
    assert not re.search(r"LR-[0-9A-Z]{4}", shown)
    assert not re.search(r"[0-9a-f]{32}", shown)  # no registration id, no audit reference
    assert not re.search(r"\d{4}-\d\d-\d\dT", shown)  # no UTC time stamps
    # Strict CSP: no script, no inline style; the site's stylesheet has the print layout.
    assert "<script" not in shown.lower() and "style=" not in shown.lower()
    assert '<link rel="stylesheet" href="/style.css">' in shown

    # Everything audited under the case; the audit holds no address.
    status, trail = ask(api, tokens, "GET", "/api/staff/privacy/audit")
    under = {r["action"]: r for r in trail["requests"] if r["case"] == case}
    assert set(under) == {"answer", "contribute"}
    assert under["contribute"]["counts"] == {"advisory": 1}
    assert under["answer"]["counts"] == {"forums": 4, "newsletter": 1}
    [table] = [name for name in every_item(emulator, plan) if "Privacy" in name]
    reports = [item for item in every_item(emulator, plan)[table]
               if item["pk"]["S"].startswith("REQUEST#")]
    assert person["email"] not in json.dumps(reports, ensure_ascii=False)


def test_search_export_and_erase_under_a_case_are_audited_under_it(
    api: Api, tokens: dict[str, Any], asta: dict[str, Any],
) -> None:
    person = asta["person"]
    _, opened = open_case(api, tokens, person["email"], kind="erasure")
    case = opened["case"]["case"]
    status, found = ask(api, tokens, "POST", "/api/staff/privacy/search", {"case": case})
    assert status == 200 and {a["area"]: a["count"] for a in found["areas"]} == {
        "forums": 4, "newsletter": 1}
    status, erased = ask(api, tokens, "POST", "/api/staff/privacy/erase",
                         {"case": case, "confirm": True})
    assert status == 200 and erased["erased"] == {"forums": 4, "newsletter": 1}
    status, mine = ask(api, tokens, "POST", "/api/staff/advisory/privacy/erase",
                       {"case": case, "confirm": True}, group=CONSULTANT)
    assert status == 200 and mine["erased"] == {"advisory": 1}
    status, trail = ask(api, tokens, "GET", "/api/staff/privacy/audit")
    assert sorted(r["action"] for r in trail["requests"] if r["case"] == case) == [
        "erase", "erase", "search"]
    status, closed = ask(api, tokens, "POST", f"/api/staff/privacy/cases/{case}/close")
    assert status == 200 and closed["case"]["closed_at"]
    status, _ = ask(api, tokens, "POST", f"/api/staff/privacy/cases/{case}/close")
    assert status == 200  # again: still closed, nothing else
    status, refused = ask(api, tokens, "POST", "/api/staff/privacy/search", {"case": case})
    assert (status, refused["code"]) == (409, "case_closed")
    status, listed = ask(api, tokens, "GET", "/api/staff/privacy/cases")
    assert case not in [c["case"] for c in listed["cases"]]
    status, missing = ask(api, tokens, "GET", "/api/staff/privacy/cases/DB-2026-9999/answer")
    assert (status, missing["code"]) == (404, "case_not_found")


def _registrations(email: str) -> list[Registration]:
    from cli.resources import registration_store

    return sorted(registration_store().with_email(email), key=lambda r: r.session_id)


def test_a_correction_reaches_every_registration_and_the_subscription_and_sends_nothing(
    api: Api, tokens: dict[str, Any], asta: dict[str, Any],
) -> None:
    from cli.resources import newsletter, newsletter_store

    person = asta["person"]
    _, opened = open_case(api, tokens, person["email"], kind="correction")
    case = opened["case"]["case"]
    before = _registrations(person["email"])
    assert len(before) == 3  # seat, waiting, cancelled (the submission is not a registration)
    corrected = {"name": f"Asta Rettet {asta['n']}", "phone": "20 30 40 50",
                 "workplace": "Lejre Kommune", "member_number": "991-22"}
    status, answer = ask(api, tokens, "POST", f"/api/staff/privacy/cases/{case}/correct",
                         corrected)
    assert status == 200, answer
    assert answer["changed"] == 4 and answer["areas"] == {"forums": 3, "newsletter": 1}
    after = _registrations(person["email"])
    for old, new in zip(before, after, strict=True):
        assert (new.name, new.workplace, new.member_number) == (
            corrected["name"], "Lejre Kommune", "991-22")
        assert new.phone and new.phone.replace(" ", "").endswith("20304050")
        # The same calendar entry (UID from the id, SEQUENCE from round and revision), the
        # same state, and no email: the rule the stream's consumer applies calls for none.
        assert (new.id, new.round, new.session_revision, new.status, new.created_at) == (
            old.id, old.round, old.session_revision, old.status, old.created_at)
        assert email_kind(old, new) is None
        assert new.role == old.role and new.needs == old.needs and new.email == old.email
    subscriber = newsletter_store().subscriber(newsletter().subscriber_id(person["email"]))
    assert subscriber is not None and subscriber.name == corrected["name"]
    assert subscriber.status.value == "subscribed" and subscriber.confirmed_at

    status, repeat = ask(api, tokens, "POST", f"/api/staff/privacy/cases/{case}/correct",
                         corrected)
    assert (status, repeat["changed"]) == (200, 0)
    assert _registrations(person["email"]) == after
    status, trail = ask(api, tokens, "GET", "/api/staff/privacy/audit")
    assert [r["counts"] for r in trail["requests"] if r["case"] == case] == [
        {"forums": 0, "newsletter": 0}, {"forums": 3, "newsletter": 1}]
    # Nobody else in the same sessions was touched.
    for other in asta["others"][:3]:
        for registration in _registrations(other["email"]):
            assert registration.name == other["name"]
    assert Status.WAITLISTED in {r.status for r in after}


BAD_FIELDS = st.sampled_from([
    ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": "a" * 201}, "name"),
    ({"name": "To\nlinjer"}, "name"), ({"phone": "ring mig"}, "phone"),
    ({"phone": "12"}, "phone"), ({"workplace": ""}, "workplace"),
    ({"workplace": "x" * 201}, "workplace"), ({"member_number": "12 34"}, "member_number"),
    ({"member_number": "æøå"}, "member_number"), ({"member_number": "1" * 21}, "member_number"),
    ({}, "name"), ({"email": "ny@example.dk"}, "email"), ({"role": "other"}, "role"),
])


@settings(max_examples=14, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=BAD_FIELDS)
def test_a_bad_correction_is_a_danish_field_error_and_changes_nothing(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], bad: Any,
) -> None:
    body, field = bad
    status, opened = open_case(api, tokens, "rettes@example.dk", kind="correction")
    assert status in (200, 201)
    before = every_item(emulator, plan)
    status, answer = ask(api, tokens, "POST",
                         f"/api/staff/privacy/cases/{opened['case']['case']}/correct", body)
    assert status == 422, answer
    assert [e["field"] for e in answer["errors"]] == [field]
    message = answer["errors"][0]["message"]
    assert message and not re.search(r"\b(field|value|string|required)\b", message, re.I)
    assert every_item(emulator, plan) == before


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.sampled_from([
    ({"kind": "access", "received_on": "2026-12-01"}, "email"),
    ({"email": "ikke en adresse", "kind": "access", "received_on": "2026-12-01"}, "email"),
    ({"email": "a@example.dk", "kind": "insight", "received_on": "2026-12-01"}, "kind"),
    ({"email": "a@example.dk", "received_on": "2026-12-01"}, "kind"),
    ({"email": "a@example.dk", "kind": "access", "received_on": "1. december"},
     "received_on"),
    ({"email": "a@example.dk", "kind": "access", "received_on": "2026-02-30"},
     "received_on"),
    ({"email": "a@example.dk", "kind": "access", "received_on": "2999-01-01"},
     "received_on"),
    ({"email": "a@example.dk", "kind": "access", "received_on": "2026-12-01",
      "note": "x" * 301}, "note"),
]))
def test_a_bad_case_is_a_danish_field_error_and_opens_nothing(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any], bad: Any,
) -> None:
    body, field = bad
    before = every_item(emulator, plan)
    status, answer = ask(api, tokens, "POST", "/api/staff/privacy/cases", body)
    assert status == 422, answer
    assert [e["field"] for e in answer["errors"]] == [field]
    assert every_item(emulator, plan) == before


def test_every_case_route_refuses_the_other_groups_before_anything_is_read(
    api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, Any],
) -> None:
    routes = set(staff_routes(plan))
    assert set(CASE_ROUTES) <= routes and set(CONSULTANT_ROUTES) <= routes
    status, opened = open_case(api, tokens, "vagt@example.dk")
    case = opened["case"]["case"]
    before = every_item(emulator, plan)
    for routes_of, owner in ((CASE_ROUTES, OFFICER), (CONSULTANT_ROUTES, CONSULTANT)):
        for method, path in routes_of:
            concrete = concrete_path(path, case)
            for group in STAFF_GROUPS:
                if group == owner:
                    continue
                status, answer = ask(api, tokens, method, concrete,
                                     {"email": "vagt@example.dk", "kind": "access",
                                      "received_on": "2026-12-01", "name": "X"}, group=group)
                assert (status, answer["code"]) == (403, "forbidden"), (group, path)
    assert every_item(emulator, plan) == before


def test_two_opening_the_same_case_at_once_get_one_case(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other officer's open lands between this one's look and its write (forced)."""
    from shared.adapters.dynamodb_privacy import DynamoCaseBook
    from shared.platform.names import PARAM_PRIVACY_AUDIT_TABLE
    from shared.privacy.cases import CaseForm

    book = DynamoCaseBook(parameter(PARAM_PRIVACY_AUDIT_TABLE))
    form = CaseForm.model_validate({"email": f"samtidig.{uuid.uuid4().hex[:6]}@example.dk",
                                    "kind": "erasure", "received_on": "2026-11-30"})
    looked = DynamoCaseBook._claimed
    other: list[Any] = []
    raced: list[bool] = []

    def racing(self: DynamoCaseBook, key: str) -> str | None:
        found = looked(self, key)
        if not raced:  # this officer's first look only: the other officer opens it now
            raced.append(True)
            other.append(DynamoCaseBook(parameter(PARAM_PRIVACY_AUDIT_TABLE)).open(
                form, "anden@example.dk", datetime.now(UTC)))
        return found

    monkeypatch.setattr(DynamoCaseBook, "_claimed", racing)
    mine, created = book.open(form, "en@example.dk", datetime.now(UTC))
    [(theirs, theirs_created)] = other
    assert theirs_created and not created and mine == theirs
    assert [c.number for c in book.open_cases()].count(mine.number) == 1


def test_a_registration_changed_during_a_correction_is_read_again_and_corrected(
    api: Api, tokens: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The owner cancels between the correction's read and its write (forced): the write is
    refused, the registration read again as cancelled and corrected so; nothing is lost."""
    from cli.resources import registration_store
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore

    n = uuid.uuid4().hex[:6]
    person = {"name": f"Rita Racesen {n}", "email": f"rita.{n}@example.dk",
              "workplace": "Ringsted Kommune"}
    session = forum_session(f"Kapløb {n}", "Ringsted", capacity=3)
    assert register(session, person)["status"] == "confirmed"
    _, opened = open_case(api, tokens, person["email"], kind="correction")
    applying = DynamoRegistrationStore.apply
    raced: list[bool] = []

    def owner_cancels_first(self: DynamoRegistrationStore, transition: Any) -> Any:
        if not raced and transition.writes:
            raced.append(True)
            [held] = registration_store().with_email(person["email"])
            assert cancel_registration(registration_store(), held, CancelledBy.PARTICIPANT,
                                       datetime.now(UTC))
        return applying(self, transition)

    monkeypatch.setattr(DynamoRegistrationStore, "apply", owner_cancels_first)
    status, answer = ask(api, tokens, "POST",
                         f"/api/staff/privacy/cases/{opened['case']['case']}/correct",
                         {"workplace": "Sorø Kommune"})
    assert (status, answer["changed"]) == (200, 1), answer
    [after] = registration_store().with_email(person["email"])
    assert after.status is Status.CANCELLED and after.workplace == "Sorø Kommune"
    assert after.name == person["name"]
