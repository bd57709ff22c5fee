"""The catalogue file's routes in the staff API on the emulator: the preview tells what an
import would change and writes nothing, the import keeps what the file leaves out, refuses a
new session the same day in the same city until `same_day_ok` (storing nothing), and the
template downloads as a YAML file that imports as it is. Every other group gets 403 (with the
rest of the secretariat's routes in test_staff_api.py) and nothing is stored."""

from __future__ import annotations

import time
from typing import Any

import pytest

from local.emulator import Emulator
from shared.adapters.parameters import parameter
from shared.forums.catalogue_file import template
from shared.platform.names import PARAM_FORUMS_TABLE, STAFF_GROUPS
from tests.integration.conftest import Api, bearer, raw
from tests.support.catalogue_files import table_items

IMPORT, PREVIEW = "/api/staff/forums/import", "/api/staff/forums/import/preview"
TEMPLATE = "/api/staff/forums/import/template"


def catalogue(number: int, **session: Any) -> str:
    fields = {"city": "Kolding", "venue": "Comwell", "starts_at": "2031-03-04 09:30",
              "ends_at": "2031-03-04 15:30", "registration_deadline": "2031-02-25 12:00",
              "capacity": 30, **session}
    lines = "".join(f"        {k}: {v}\n" for k, v in fields.items())
    return (f"forums:\n  - id: fil-{number}\n    title: Evalueringskultur\n"
            f"    description: Om data i hverdagen.\n    sessions:\n"
            f"      - id: fil-{number}-kolding\n{lines}")


@pytest.fixture
def secretariat(tokens: dict[str, dict[str, Any]]) -> dict[str, str]:
    return bearer(tokens["secretariat"]["IdToken"])


def stored_session(api: Api, number: int) -> dict[str, Any]:
    """The forum and its session as the public API shows them."""
    status, forum = api.request("GET", f"/api/forums/fil-{number}")
    assert status == 200, forum
    (session,) = forum["sessions"]
    return {"description": forum["description"], **session}


def test_the_preview_names_each_change_in_danish_and_writes_nothing(
        api: Api, emulator: Emulator, secretariat: dict[str, str]) -> None:
    number = time.monotonic_ns()
    status, first = api.request("POST", PREVIEW, {"filename": "katalog.yaml",
                                                  "text": catalogue(number)}, secretariat)
    assert status == 200, first
    assert first["lines"] == [f"Nyt lederforum: Evalueringskultur (id fil-{number})",
                              f"Nyt møde: Kolding 4. marts 2031 (id fil-{number}-kolding)"]
    assert api.request("POST", IMPORT, {"filename": "katalog.yaml", "text": catalogue(number)},
                       secretariat) == (200, {"forums": 1, "sessions": 1, "told": 0})
    partial = (f"forums:\n  - id: fil-{number}\n    sessions:\n"
               f"      - id: fil-{number}-kolding\n        capacity: 40\n")
    before = table_items(emulator, parameter(PARAM_FORUMS_TABLE))
    status, preview = api.request("POST", PREVIEW, {"filename": "k.yaml", "text": partial},
                                  secretariat)
    assert status == 200, preview
    assert preview["lines"] == ["Ændret: Kolding 4. marts 2031: Antal pladser 30 → 40",
                                "Uændret: 1 lederforum."]
    (changed,) = [c for c in preview["changes"] if c["action"] == "changed"]
    assert changed["fields"] == [{"field": "capacity", "label": "Antal pladser",
                                  "before": "30", "after": "40"}]
    assert table_items(emulator, parameter(PARAM_FORUMS_TABLE)) == before
    assert api.request("POST", IMPORT, {"filename": "k.yaml", "text": partial},
                       secretariat)[0] == 200
    session = stored_session(api, number)
    assert (session["capacity"], session["venue"], session["description"]) == (
        40, "Comwell", "Om data i hverdagen.")
    status, again = api.request("POST", PREVIEW, {"filename": "k.yaml", "text": partial},
                                secretariat)
    assert (status, again["changes_nothing"], again["lines"]) == (200, True, ["Intet ændres."])


def test_a_new_session_the_same_day_is_refused_naming_both_until_said_to(
        api: Api, emulator: Emulator, secretariat: dict[str, str]) -> None:
    number = time.monotonic_ns()
    api.request("POST", IMPORT, {"filename": "k.yaml", "text": catalogue(number)}, secretariat)
    typo = catalogue(number).replace(f"fil-{number}-kolding", f"fil-{number}-koldng")
    status, preview = api.request("POST", PREVIEW, {"filename": "k.yaml", "text": typo},
                                  secretariat)
    assert status == 200
    assert [(d["session_id"], d["other_id"]) for d in preview["same_day"]] == [
        (f"fil-{number}-koldng", f"fil-{number}-kolding")]
    before = table_items(emulator, parameter(PARAM_FORUMS_TABLE))
    status, refused = api.request("POST", IMPORT, {"filename": "k.yaml", "text": typo},
                                  secretariat)
    assert status == 422
    (error,) = refused["errors"]
    assert (error["field"], error["code"]) == ("same_day_ok", "same_day")
    assert f"fil-{number}-koldng" in error["message"]
    assert f"fil-{number}-kolding" in error["message"]
    assert table_items(emulator, parameter(PARAM_FORUMS_TABLE)) == before
    assert api.request("POST", IMPORT, {"filename": "k.yaml", "text": typo,
                                        "same_day_ok": True}, secretariat)[0] == 200


def test_capacity_below_the_seats_taken_names_the_session_and_stores_nothing(
        api: Api, emulator: Emulator, secretariat: dict[str, str]) -> None:
    number = time.monotonic_ns()
    api.request("POST", IMPORT, {"filename": "k.yaml", "text": catalogue(number)}, secretariat)
    key = {"pk": {"S": f"SESSION#fil-{number}-kolding"}, "sk": {"S": "SESSION"}}
    emulator.client("dynamodb").update_item(
        TableName=parameter(PARAM_FORUMS_TABLE), Key=key, UpdateExpression="SET confirmed = :n",
        ExpressionAttributeValues={":n": {"N": "12"}})
    partial = (f"forums:\n  - id: fil-{number}\n    title: Ny titel\n    sessions:\n"
               f"      - id: fil-{number}-kolding\n        capacity: 10\n")
    before = table_items(emulator, parameter(PARAM_FORUMS_TABLE))
    status, refused = api.request("POST", IMPORT, {"filename": "k.yaml", "text": partial},
                                  secretariat)
    assert status == 422
    assert [e["message"] for e in refused["errors"]] == [
        f"Møde fil-{number}-kolding, antal pladser: kapaciteten er lavere end antallet af "
        "bekræftede deltagere."]
    assert table_items(emulator, parameter(PARAM_FORUMS_TABLE)) == before


def test_the_template_downloads_as_a_yaml_file_that_imports_as_it_is(
        api: Api, secretariat: dict[str, str]) -> None:
    answer = raw(api, "GET", TEMPLATE, secretariat)
    assert answer["statusCode"] == 200
    headers = {k: v[-1] for k, v in answer["multiValueHeaders"].items()}
    assert headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="katalog-skabelon.yaml"'
    assert answer["body"] == template()
    assert api.request("POST", IMPORT, {"filename": "katalog-skabelon.yaml",
                                        "text": answer["body"]}, secretariat) == (
        200, {"forums": 1, "sessions": 1, "told": 0})


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "secretariat"])
def test_other_groups_get_403_and_nothing_is_stored(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]], group: str) -> None:
    number = time.monotonic_ns()
    before = table_items(emulator, parameter(PARAM_FORUMS_TABLE))
    for method, path in (("POST", PREVIEW), ("POST", IMPORT), ("GET", TEMPLATE)):
        status, body = api.request(method, path, {"filename": "k.yaml",
                                                  "text": catalogue(number),
                                                  "same_day_ok": True},
                                   bearer(tokens[group]["IdToken"]))
        assert (status, body["code"]) == (403, "forbidden"), path
    assert table_items(emulator, parameter(PARAM_FORUMS_TABLE)) == before
