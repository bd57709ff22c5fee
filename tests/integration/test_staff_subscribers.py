"""The editor's subscriber list through the template's API on the emulator: every route
refuses the other groups (and changes nothing); search by part of an address in any case,
with status and consent in Danish; one address added by hand gets the double opt-in request
(nothing subscribed before its owner confirms) unless its consent is documented; a
suppressed or unsubscribed address is never added again; one unsubscribed; the union's file
imported whole (over the 16 KB other routes take), previewed first, a refused line keeping
the whole file out; 422 per field in Danish."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.wiring import signing_secret
from shared.newsletter.service import subscriber_id
from shared.platform.names import STAFF_GROUPS
from tests.integration.conftest import Api, bearer, staff_routes
from tests.support.newsletter_emulator import settings as newsletter_settings
from tests.support.subscribers import SUBSCRIBER_ROUTES, csv_file

BASE = "/api/staff/newsletter/subscribers"


@pytest.fixture
def store(emulator: Emulator) -> DynamoNewsletterStore:
    return DynamoNewsletterStore(newsletter_settings()["NEWSLETTER_TABLE_NAME"])


def secret() -> bytes:
    return signing_secret(newsletter_settings()["SIGNING_SECRET_ARN"])


def as_editor(tokens: dict[str, dict[str, Any]]) -> dict[str, str]:
    return bearer(tokens["editor"]["IdToken"])


def everything() -> list[dict[str, Any]]:
    table = newsletter_settings()["NEWSLETTER_TABLE_NAME"]
    found = []
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=table,
                                                                  ConsistentRead=True):
        found.extend(page["Items"])
    return sorted(found, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def requests_queued() -> list[str]:
    """The confirmation requests on the queue (each names a subscriber id), left there."""
    url = newsletter_settings()["NEWSLETTER_CONFIRM_QUEUE_URL"]
    sqs = client("sqs")
    found: list[str] = []
    for _ in range(50):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  VisibilityTimeout=0).get("Messages", [])
        if not got:
            break
        for message in got:
            found.append(json.loads(message["Body"])["subscriber"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def address(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.dk"


def test_the_subscriber_routes_are_the_templates(plan: Plan) -> None:
    mine = [(m, p) for m, p in staff_routes(plan) if "/subscribers" in p]
    assert sorted(mine) == sorted(SUBSCRIBER_ROUTES)
    functions = {r.function for r in plan.routes if "/subscribers" in r.path}
    assert len(functions) == 1
    assert plan.functions[functions.pop()].handler == \
        "functions.staff_newsletter.handler.lambda_handler"


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "editor"])
def test_every_other_group_gets_403_and_nothing_changes(
        api: Api, tokens: dict[str, dict[str, Any]], group: str) -> None:
    someone = address("forbudt")
    before, queued = everything(), requests_queued()
    bodies = {f"{BASE}": {"email": someone, "name": "Anne"},
              f"{BASE}/unsubscribe": {"email": someone},
              f"{BASE}/import": {"filename": "liste.csv",
                                 "text": csv_file([(someone, "", "", "", "")])}}
    for method, path in SUBSCRIBER_ROUTES:
        status, answer = api.request(method, path + ("?q=a" if method == "GET" else ""),
                                     bodies.get(path), bearer(tokens[group]["IdToken"]))
        assert (status, answer["code"]) == (403, "forbidden"), path
    assert everything() == before and requests_queued() == [] and queued == []


def test_add_by_hand_search_and_unsubscribe(
        api: Api, tokens: dict[str, dict[str, Any]], store: DynamoNewsletterStore) -> None:
    headers = as_editor(tokens)
    typed = address("Anne.Hansen").replace("anne.hansen", "Anne.Hansen")
    requests_queued()
    status, added = api.request("POST", BASE, {"email": typed, "name": "Anne Hansen",
                                               "role": "area_leader"}, headers)
    assert status == 200, added
    assert added["outcome"] == "invited"
    assert added["subscriber"]["status"] == "pending"
    assert added["subscriber"]["status_text"] == "Afventer bekræftelse"
    assert added["subscriber"]["consent"]["how_text"] == "tilføjet af personalet"
    sid = subscriber_id(secret(), typed)
    assert requests_queued() == [sid]  # the opt-in email goes from the confirmation queue
    # Not on the send list before the owner confirms.
    assert sid not in {s.id for s in store.active_subscribers()}
    # Again: left as it is, no second request.
    status, again = api.request("POST", BASE, {"email": typed.lower()}, headers)
    assert (status, again["outcome"]) == (200, "already_invited")
    assert requests_queued() == []

    # Found by part of the address in any case.
    part = typed.split("@")[0][5:].upper()
    status, found = api.request("GET", f"{BASE}?q={part}", headers=headers)
    assert status == 200 and found["count"] == 1
    assert found["subscribers"][0]["email"] == typed

    # Documented consent: subscribed at once, the consent recorded.
    other = address("dokumenteret")
    status, added = api.request("POST", BASE, {
        "email": other, "name": "Bo", "consent_date": "2024-05-01",
        "consent_source": "Tilmeldt på årsmødet"}, headers)
    assert (status, added["outcome"], added["subscriber"]["status_text"]) == (
        200, "subscribed", "Bekræftet")
    consent = added["subscriber"]["consent"]
    assert consent["at"].startswith("2024-05-01T00:00:00+02:00")
    assert (consent["source"], consent["confirmed_by_owner"]) == ("Tilmeldt på årsmødet",
                                                                  False)
    assert requests_queued() == []
    assert subscriber_id(secret(), other) in {s.id for s in store.active_subscribers()}

    # Unsubscribed by the editor: off the list at once, and never added by staff again.
    status, gone = api.request("POST", f"{BASE}/unsubscribe", {"email": other.upper()}, headers)
    assert (status, gone["status"], gone["status_text"]) == (200, "unsubscribed", "Afmeldt")
    assert subscriber_id(secret(), other) not in {s.id for s in store.active_subscribers()}
    assert api.request("POST", f"{BASE}/unsubscribe", {"email": other}, headers)[0] == 200
    status, refused = api.request("POST", BASE, {"email": other}, headers)
    assert (status, refused["code"]) == (409, "address_left")
    assert "afmeldt" in refused["message"]
    status, unknown = api.request("POST", f"{BASE}/unsubscribe", {"email": address("ingen")},
                                  headers)
    assert (status, unknown["code"]) == (404, "unknown_subscriber")


def test_suppressed_addresses_are_never_added_again(
        api: Api, tokens: dict[str, dict[str, Any]], store: DynamoNewsletterStore) -> None:
    headers = as_editor(tokens)
    for reason, text in (("bounce", "Afvist"), ("complaint", "Spamklage")):
        someone = address(reason)
        api.request("POST", BASE, {"email": someone}, headers)
        requests_queued()
        store.suppress(subscriber_id(secret(), someone), reason, datetime.now(UTC))
        found = api.request("GET", f"{BASE}?q={someone}", headers=headers)[1]
        assert found["subscribers"][0]["status_text"] == text
        before = everything()
        for body in ({"email": someone},
                     {"email": someone, "consent_date": "2024-01-01", "consent_source": "X"}):
            status, refused = api.request("POST", BASE, body, headers)
            assert (status, refused["code"]) == (409, "address_suppressed")
        status, done = api.request("POST", f"{BASE}/import", {
            "filename": "liste.csv",
            "text": csv_file([(someone, "", "", "2024-01-01", "Formular")])}, headers)
        assert (status, done["subscribed"], done["skipped_because"]) == (
            200, 0, {"suppressed": 1})
        assert everything() == before and requests_queued() == []


def test_a_whole_file_is_previewed_then_imported_and_a_repeat_adds_nobody(
        api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    headers = as_editor(tokens)
    tag = uuid.uuid4().hex[:8]
    rows = [(f"medlem{i}.{tag}@example.dk", f"Medlem {i}", "Områdeleder",
             "01-02-2024" if i % 3 else "", "Medlemssystemet" if i % 3 else "")
            for i in range(400)]
    text = csv_file(rows, separator=",", bom=True)
    assert len(text.encode()) > 16 * 1024  # larger than any other route takes
    bad = csv_file([*rows[:5], ("ikke en adresse", "", "", "", ""),
                    (rows[1][0], "", "", "", ""), ("x@example.dk", "", "Forvaltning", "", ""),
                    ("y@example.dk", "", "", "2099-01-01", "Formular"),
                    ("z@example.dk", "", "", "2024-01-01", "")])
    before = everything()
    status, refused = api.request("POST", f"{BASE}/import", {"filename": "liste.csv",
                                                             "text": bad}, headers)
    assert status == 200 and not refused["imported"]
    assert (refused["subscribed"], refused["invited"]) == (0, 0)
    assert [r["line"] for r in refused["refused"]] == [7, 8, 9, 10, 11]
    messages = [r["message"] for r in refused["refused"]]
    assert messages[0] == "»ikke en adresse« er ikke en gyldig e-mailadresse."
    assert messages[1] == "Adressen står også på linje 3."
    assert messages[2] == ("Nyhedsbrevet er kun for ledere af ledere, ikke »Forvaltning«.")
    assert messages[3] == "Samtykkedatoen »2099-01-01« ligger ud i fremtiden."
    assert messages[4].startswith("Der er en samtykkedato, men ingen samtykkekilde")
    assert everything() == before and requests_queued() == []

    status, preview = api.request("POST", f"{BASE}/import", {
        "filename": "liste.csv", "text": text, "preview": True}, headers)
    assert (status, preview["subscribed"], preview["invited"], preview["imported"]) == (
        200, 266, 134, False)
    assert everything() == before

    status, done = api.request("POST", f"{BASE}/import", {"filename": "liste.csv",
                                                          "text": text}, headers)
    assert (status, done["subscribed"], done["invited"], done["skipped"], done["imported"]) \
        == (200, 266, 134, 0, True)
    assert len(requests_queued()) == 134
    status, again = api.request("POST", f"{BASE}/import", {"filename": "liste.csv",
                                                           "text": text}, headers)
    assert (again["subscribed"], again["invited"], again["skipped"]) == (0, 0, 400)
    assert again["skipped_because"] == {"subscribed": 266, "invited": 134}
    assert requests_queued() == []
    found = api.request("GET", f"{BASE}?q=.{tag}@", headers=headers)[1]
    assert found["count"] == 400 and len(found["subscribers"]) == 200
    imported = next(s for s in found["subscribers"] if s["email"].startswith("medlem1."))
    assert imported["consent"] == {
        "how": "import", "how_text": "importeret", "at": "2024-02-01T00:00:00+01:00",
        "version": None, "source": "Medlemssystemet", "confirmed_by_owner": False}


def test_bad_input_is_refused_per_field_in_danish_and_nothing_is_stored(
        api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    headers = as_editor(tokens)
    before = everything()

    def fields(method: str, path: str, body: Any) -> dict[str, str]:
        status, answer = api.request(method, path, body, headers)
        assert status == 422, (path, body, answer)
        assert all(e["message"] for e in answer["errors"]), answer
        return {e["field"]: e["code"] for e in answer["errors"]}

    assert set(fields("POST", BASE, {"email": "anne@"})) == {"email"}
    assert set(fields("POST", BASE, {})) == {"email"}
    assert set(fields("POST", BASE, {"email": address("a"), "role": "chef"})) == {"role"}
    assert set(fields("POST", BASE, {"email": address("a"), "role": "administration"})) \
        == {"role"}
    assert set(fields("POST", BASE, {"email": address("a"), "name": "To\nlinjer"})) == {"name"}
    assert set(fields("POST", BASE, {"email": address("a"), "consent_date": "2024-01-01"})) \
        == {"consent_source"}
    assert set(fields("POST", BASE, {"email": address("a"), "consent_source": "Formular"})) \
        == {"consent_date"}
    assert set(fields("POST", BASE, {"email": address("a"), "consent_date": "i går",
                                     "consent_source": "Formular"})) == {"consent_date"}
    assert set(fields("POST", BASE, {"email": address("a"), "hvem": "x"})) == {"hvem"}
    assert set(fields("POST", f"{BASE}/unsubscribe", {"email": "ikke"})) == {"email"}
    assert set(fields("POST", f"{BASE}/import", {"text": "e-mail\na@b.dk"})) == {"filename"}
    assert set(fields("POST", f"{BASE}/import", {"filename": "l.csv", "text": ""})) == {"text"}
    assert fields("POST", f"{BASE}/import", {"filename": "l.csv", "text": "navn;rolle\nA;B"}) \
        == {"text": "no_email_column"}
    assert fields("POST", f"{BASE}/import", {"filename": "l.csv", "text": "e-mail\n\n"}) \
        == {"text": "no_rows"}
    assert fields("POST", f"{BASE}/import", {"filename": "l.csv", "text": "  \n"}) \
        == {"text": "empty_file"}
    assert set(fields("GET", f"{BASE}?q={'a' * 201}", None)) == {"q"}
    status, answer = api.request("POST", BASE, {"email": address("a"), "name": "æ" * 9000},
                                 headers)
    assert (status, answer["code"]) == (413, "payload_too_large")  # other routes: 16 KB
    status, answer = api.request("POST", f"{BASE}/import", {
        "filename": "l.csv", "text": "e-mail\n" + "a@example.dk\n" * 350_000}, headers)
    assert (status, answer["code"]) == (413, "payload_too_large")  # the import: 4 MB
    assert fields("POST", f"{BASE}/import", {  # its file: 1 MB
        "filename": "l.csv", "text": "e-mail\n" + "a@example.dk\n" * 90_000}) \
        == {"text": "too_long"}
    assert everything() == before and requests_queued() == []


def test_a_file_the_console_admits_is_read_whatever_its_letters(
        api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    """The console admits a file of up to 1 MB, and decodes one that is not UTF-8 as
    Windows-1252: its æ, ø and å (one byte each in the file) are two bytes each in the JSON
    body, which must still be read (here the file's last line is refused, so nothing is
    stored, and the answer names it)."""
    rows = [(f"r{i}@example.dk", "Søren Ærø Østergård Ålbæk " + "æøå" * 50, "", "", "")
            for i in range(5_000)] + [("ikke-en-adresse", "", "", "", "")]
    text = csv_file(rows)
    body = json.dumps({"filename": "liste.csv", "text": text, "preview": True},
                      ensure_ascii=False)  # as the console's JSON.stringify sends it
    assert len(text.encode("cp1252")) <= 1024 * 1024 < len(body.encode())
    status, answer = api.request("POST", f"{BASE}/import", body, as_editor(tokens))
    assert status == 200, answer
    assert answer["refused"] == [{"line": 5_002, "message": answer["refused"][0]["message"]}]
    assert "ikke-en-adresse" in answer["refused"][0]["message"]
