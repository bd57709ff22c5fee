"""The staff API behind the Cognito authorizer, as the template defines both: tokens from the
emulator's user pool (signed in as the pages sign in), the gateway's 401 for every token it
must refuse, the handler's 403 for every wrong group, and the secretariat's work."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from cli.staff import add_user, generated_password
from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.forums.registration.models import RegistrationForm
from shared.forums.registration.service import Registrations
from shared.forums.spreadsheet import BOM, HEADINGS
from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE, STAFF_GROUPS
from tests.integration.conftest import (
    Api,
    bearer,
    concrete_path,
    moto_private_key,
    raw,
    sign_in,
    staff_routes,
)
from tests.support.registration_emulator import session_fixture

SECRETARIAT_ROUTES = [("GET", "/api/staff/forums"),
                      ("GET", "/api/staff/sessions/{id}/participants"),
                      ("POST", "/api/staff/sessions/{id}/close"),
                      ("POST", "/api/staff/sessions/{id}/reopen"),
                      ("POST", "/api/staff/sessions/{id}/cancel"),
                      ("POST", "/api/staff/sessions/{id}/cancel/preview"),
                      ("POST", "/api/staff/forums/import"),
                      ("POST", "/api/staff/forums/import/preview"),
                      ("GET", "/api/staff/forums/import/template")]




@pytest.fixture
def session(emulator: Emulator) -> Iterator[str]:
    """A session of two seats: two confirmed (one with a cell a spreadsheet would run) and
    one waiting."""
    session_id = session_fixture()
    service = Registrations(DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                                    parameter(PARAM_FORUMS_TABLE)), b"secret")
    for who, needs in (("a", "=HYPERLINK(\"x\")"), ("b", None), ("c", "Vegetar")):
        form = RegistrationForm.model_validate(dict(session_id=session_id, name=f"Deltager {who}",
                                email=f"deltager-{who}@example.dk", role="area_leader",
                                workplace="Vejle Kommune", member_number="123", needs=needs,
                                consent=True))
        service.confirm_by_token(service.confirm_token(service.submit(form)))
    yield session_id


def test_every_staff_route_is_behind_the_authorizer_and_answers_401_without_a_token(
        api: Api, plan: Plan) -> None:
    routes = staff_routes(plan)
    assert {("GET", "/api/staff/me"), *((m, p.replace("{id}", "{session_id}"))
                                         for m, p in SECRETARIAT_ROUTES)} <= set(routes)
    for method, path in routes:
        concrete = concrete_path(path)
        for headers in ({}, {"Authorization": ""}, {"Authorization": "Bearer"},
                        {"Authorization": "Bearer ikke.et.token"}):
            assert api.request(method, concrete, {"reason": "Aflyst"}, headers) == (
                401, {"code": "unauthorized", "message": "Log ind for at fortsætte."})


def test_expired_tampered_access_and_foreign_pool_tokens_are_refused(
        api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, dict[str, Any]]) -> None:
    good = tokens["secretariat"]["IdToken"]
    assert api.request("GET", "/api/staff/me", headers=bearer(good))[0] == 200
    claims = jwt.decode(good, options={"verify_signature": False})
    key = moto_private_key()
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, key, algorithm="RS256",
                         headers={"kid": "dummy"})
    assert jwt.decode(expired, key.public_key(), algorithms=["RS256"],  # signature is valid
                      options={"verify_exp": False, "verify_aud": False})
    # An editor's token with the groups claim changed: the signature no longer matches.
    head, body, signature = tokens["editor"]["IdToken"].split(".")
    payload = json.loads(jwt.utils.base64url_decode(body))
    payload["cognito:groups"] = ["secretariat"]
    forged = ".".join([head, jwt.utils.base64url_encode(
        json.dumps(payload).encode()).decode(), signature])
    # A token of another pool of the same emulator (same signing key, other issuer).
    idp = emulator.client("cognito-idp")
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    other_client = idp.create_user_pool_client(
        UserPoolId=other, ClientName="x",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    password = generated_password()
    idp.create_group(UserPoolId=other, GroupName="secretariat")
    add_user(idp, other, "secretariat@staff.example.dk", "secretariat", password=password,
             permanent=True, send_invitation=False)
    foreign = sign_in(emulator, other_client, "secretariat@staff.example.dk", password)
    wrong_audience = jwt.encode({**claims, "aud": "another-client"}, key, algorithm="RS256",
                                headers={"kid": "dummy"})
    for refused in (expired, forged, foreign["IdToken"], wrong_audience,
                    tokens["secretariat"]["AccessToken"], good + "x", good.replace(".", "", 1)):
        for method, path in staff_routes(plan):
            status, _ = api.request(method, concrete_path(path), None,
                                    bearer(refused))
            assert status == 401, (path, refused[:20])


# -- the handler: 403 -----------------------------------------------------------------------

def test_me_tells_the_email_and_groups(api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    for group in STAFF_GROUPS:
        status, body = api.request("GET", "/api/staff/me",
                                   headers=bearer(tokens[group]["IdToken"]))
        assert (status, body) == (200, {"email": f"{group}@staff.example.dk",
                                        "groups": [group]})


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "secretariat"])
def test_every_other_group_gets_403_on_the_secretariats_routes_and_nothing_changes(
        api: Api, tokens: dict[str, dict[str, Any]], session: str, group: str) -> None:
    for method, path in SECRETARIAT_ROUTES:
        status, body = api.request(method, path.replace("{id}", session),
                                   {"reason": "Aflyst"}, bearer(tokens[group]["IdToken"]))
        assert (status, body["code"]) == (403, "forbidden"), path
        assert body["message"] == "Du har ikke adgang til denne del af personalesiderne."
    seen = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)).session(session)
    assert seen is not None and not seen.closed and not seen.cancelled


# -- the secretariat's work -----------------------------------------------------------------

def test_forums_show_seats_taken_waiting_and_left(
        api: Api, tokens: dict[str, dict[str, Any]], session: str) -> None:
    status, body = api.request("GET", "/api/staff/forums",
                               headers=bearer(tokens["secretariat"]["IdToken"]))
    assert status == 200
    found = [s for f in body["forums"] for s in f["sessions"] if s["id"] == session]
    assert len(found) == 1
    assert {k: found[0][k] for k in ("capacity", "seats_taken", "waiting", "seats_left",
                                     "status")} == {
        "capacity": 2, "seats_taken": 2, "waiting": 1, "seats_left": 0, "status": "full"}


def test_participants_as_json_and_as_the_clis_spreadsheet(
        api: Api, tokens: dict[str, dict[str, Any]], session: str) -> None:
    headers = bearer(tokens["secretariat"]["IdToken"])
    status, body = api.request("GET", f"/api/staff/sessions/{session}/participants",
                               headers=headers)
    assert status == 200
    people = body["participants"]
    assert [(p["email"], p["status"], p["waitlist_position"]) for p in people] == [
        ("deltager-a@example.dk", "confirmed", None), ("deltager-b@example.dk", "confirmed",
                                                       None),
        ("deltager-c@example.dk", "waitlisted", 1)]
    assert people[2]["needs"] == "Vegetar"
    answer = raw(api, "GET", f"/api/staff/sessions/{session}/participants?format=csv",
                 headers)
    assert answer["statusCode"] == 200
    headers_given = {k: v[-1] for k, v in answer["multiValueHeaders"].items()}
    assert headers_given["Content-Type"] == "text/csv; charset=utf-8"
    assert headers_given["Content-Disposition"] == (
        f'attachment; filename="deltagere-{session}.csv"')
    text = answer["body"]
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == HEADINGS and len(rows) == 4
    assert rows[1][8] == "'=HYPERLINK(\"x\")"  # neutralised, as the CLI writes it
    status, body = api.request("GET", f"/api/staff/sessions/{session}/participants?format=pdf",
                               headers=headers)
    assert status == 422


def test_close_reopen_cancel_and_a_cancelled_session_stays_cancelled(
        api: Api, tokens: dict[str, dict[str, Any]], session: str) -> None:
    headers = bearer(tokens["secretariat"]["IdToken"])
    base = f"/api/staff/sessions/{session}"
    status, body = api.request("POST", f"{base}/close", headers=headers)
    assert (status, body["status"]) == (200, "closed")
    assert api.request("POST", f"{base}/close", headers=headers)[1]["status"] == "closed"
    status, body = api.request("POST", f"{base}/reopen", headers=headers)
    assert (status, body["status"]) == (200, "full")
    status, body = api.request("POST", f"{base}/cancel", {"reason": ""}, headers)
    assert status == 422 and body["errors"][0]["field"] == "reason"
    # A reason the cancel would refuse is refused by its preview too.
    status, body = api.request("POST", f"{base}/cancel/preview", {"reason": "Syg\x1b[31m"},
                               headers)
    assert status == 422 and body["errors"][0]["field"] == "reason"
    # The email the participants will get, shown first; nothing changes.
    status, mail = api.request("POST", f"{base}/cancel/preview",
                               {"reason": "Oplægsholderen er syg."}, headers)
    assert status == 200 and mail["subject"].startswith("Aflyst: Personaleforum – Vejle ")
    assert mail["text"].startswith(
        "Kære [deltagerens navn]\n\nVi må desværre aflyse:\n\nPersonaleforum\n")
    assert "\nOplægsholderen er syg.\n\nVi beklager." in mail["text"]
    assert api.request("GET", f"{base}/participants", headers=headers)[1]["participants"][0][
        "status"] != "cancelled"
    status, body = api.request("POST", f"{base}/cancel", {"reason": "Oplægsholderen er syg."},
                               headers)
    assert (status, body) == (200, {"status": "cancelled", "cancelled": 3})
    assert api.request("POST", f"{base}/cancel", {"reason": "Igen."}, headers)[1] == {
        "status": "cancelled", "cancelled": 0}  # nobody is cancelled (or emailed) twice
    status, body = api.request("POST", f"{base}/reopen", headers=headers)
    assert (status, body["code"]) == (409, "session_cancelled")
    people = api.request("GET", f"{base}/participants", headers=headers)[1]["participants"]
    assert {p["status"] for p in people} == {"cancelled"}


@pytest.mark.parametrize("method,path", [r for r in SECRETARIAT_ROUTES if "{id}" in r[1]])
def test_an_unknown_session_is_a_404(api: Api, tokens: dict[str, dict[str, Any]], method: str,
                                     path: str) -> None:
    for session_id in ("findes-ikke", "STORE", "x" * 300):
        status, body = api.request(method, path.replace("{id}", session_id),
                                   {"reason": "Aflyst"},
                                   bearer(tokens["secretariat"]["IdToken"]))
        assert (status, body["code"]) == (404, "session_not_found")


# -- the catalogue file, as the CLI imports it ------------------------------------------------

def _catalogue_yaml(number: int, capacity: int = 4) -> str:
    return f"""forums:
  - id: import-forum-{number}
    title: "Forum om ledelse af ledere"
    audience: leaders_of_leaders
    sessions:
      - id: import-aarhus-{number}
        city: Aarhus
        venue: "Scandinavian Congress Center"
        starts_at: "2099-03-02T09:00"
        ends_at: "2099-03-02T15:00"
        registration_deadline: "2099-02-20T12:00"
        capacity: {capacity}
"""


def test_the_secretariat_imports_a_catalogue_file_and_again_changes_nothing(
        api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    headers = bearer(tokens["secretariat"]["IdToken"])
    number = time.monotonic_ns()
    text = _catalogue_yaml(number)
    for _ in range(2):
        status, body = api.request("POST", "/api/staff/forums/import",
                                   {"filename": "katalog.yaml", "text": text}, headers)
        assert (status, body) == (200, {"forums": 1, "sessions": 1, "told": 0})
        listed = [s for f in api.request("GET", "/api/staff/forums", headers=headers)[1]["forums"]
                  if f["id"] == f"import-forum-{number}" for s in f["sessions"]]
        assert [(s["id"], s["capacity"], s["seats_taken"], s["status"]) for s in listed] == [
            (f"import-aarhus-{number}", 4, 0, "open")]
    as_json = json.dumps({"forums": [{
        "id": f"import-json-{number}", "title": "Forum i JSON",
        "sessions": [{"id": f"import-json-odense-{number}", "city": "Odense",
                      "starts_at": "2099-04-02T09:00", "ends_at": "2099-04-02T15:00",
                      "registration_deadline": "2099-03-20T12:00", "capacity": 10}]}]})
    assert api.request("POST", "/api/staff/forums/import",
                       {"filename": "KATALOG.JSON", "text": as_json}, headers) == (
        200, {"forums": 1, "sessions": 1, "told": 0})


@pytest.mark.parametrize(("filename", "text", "fields"), [
    ("katalog.yaml", "forums: [", ["file"]),                      # not YAML
    ("katalog.json", "forums:\n  - id: x", ["file"]),              # YAML named .json
    ("katalog.yaml", "- bare en liste", ["file"]),                 # no forums: at the top
    ("katalog.yaml", "", ["text"]),
    ("katalog.yaml", "x" * 16_001, ["text"]),
    ("", "forums: []", ["filename"]),
])
def test_a_file_that_cannot_be_read_is_refused_per_field(
        api: Api, tokens: dict[str, dict[str, Any]], filename: str, text: str,
        fields: list[str]) -> None:
    status, body = api.request("POST", "/api/staff/forums/import",
                               {"filename": filename, "text": text},
                               bearer(tokens["secretariat"]["IdToken"]))
    assert status in (413, 422), body
    if status == 422:
        assert [e["field"] for e in body["errors"]] == fields
        assert all(e["message"] for e in body["errors"])


def test_an_invalid_catalogue_stores_nothing_and_names_every_field(
        api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    headers = bearer(tokens["secretariat"]["IdToken"])
    number = time.monotonic_ns()
    text = _catalogue_yaml(number, capacity=0) + "        colour: blue\n"
    status, body = api.request("POST", "/api/staff/forums/import",
                               {"filename": "katalog.yml", "text": text}, headers)
    assert status == 422
    named = {e["field"] for e in body["errors"]}
    assert any(f.endswith("capacity") for f in named) and any(f.endswith("colour")
                                                               for f in named)
    forums = api.request("GET", "/api/staff/forums", headers=headers)[1]["forums"]
    assert not [f for f in forums if f["id"] == f"import-forum-{number}"]


def test_an_import_that_adds_seats_gives_them_to_the_waiting_list_in_order(
        api: Api, tokens: dict[str, dict[str, Any]], session: str) -> None:
    headers = bearer(tokens["secretariat"]["IdToken"])
    stored = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)).session(session)
    assert stored is not None
    entry = {"id": session, "city": stored.city, "venue": stored.venue,
             "starts_at": stored.starts_at.isoformat(), "ends_at": stored.ends_at.isoformat(),
             "registration_deadline": stored.registration_deadline.isoformat(), "capacity": 3}
    text = json.dumps({"forums": [{"id": stored.forum_id, "title": "Personaleforum",
                                   "sessions": [entry]}]})
    assert api.request("POST", "/api/staff/forums/import",
                       {"filename": "katalog.json", "text": text}, headers)[0] == 200
    people = api.request("GET", f"/api/staff/sessions/{session}/participants",
                         headers=headers)[1]["participants"]
    assert [(p["email"], p["status"]) for p in people] == [
        ("deltager-a@example.dk", "confirmed"), ("deltager-b@example.dk", "confirmed"),
        ("deltager-c@example.dk", "confirmed")]
    # A capacity below the seats taken refuses that session and names it.
    entry["capacity"] = 1
    status, body = api.request("POST", "/api/staff/forums/import", {
        "filename": "katalog.json", "text": json.dumps({"forums": [{
            "id": stored.forum_id, "title": "Personaleforum", "sessions": [entry]}]})},
        headers)
    assert (status, [e["code"] for e in body["errors"]]) == (422, ["capacity_below_confirmed"])
