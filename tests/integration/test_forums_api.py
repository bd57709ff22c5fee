"""GET /api/forums and /api/forums/{id} through the forums function, on the template's table."""

from __future__ import annotations

from typing import Any

import pytest

from local import demo
from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.parameters import parameter
from shared.forums.catalogue import Catalogue
from shared.platform.names import PARAM_FORUMS_TABLE
from tests.integration.conftest import Api


@pytest.fixture(scope="module", autouse=True)
def demo_data(emulator: Emulator) -> None:
    store = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
    Catalogue(store).import_file(demo.catalogue())


SESSION_FIELDS = {"id", "city", "venue", "starts_at", "ends_at", "capacity", "seats_left",
                  "registration_deadline", "status"}


def test_list_shows_every_forum_with_its_sessions(api: Api) -> None:
    status, body = api.request("GET", "/api/forums")
    assert status == 200
    forums: list[dict[str, Any]] = body["forums"]
    assert [f["id"] for f in forums] == ["evalueringskultur", "skole-fritid",
                                         "ledelseskommissionen"]
    for forum in forums:
        assert set(forum) == {"id", "title", "description", "audience", "sessions"}
        for session in forum["sessions"]:
            assert set(session) == SESSION_FIELDS
            assert session["status"] == "open" and session["seats_left"] == session["capacity"]
            assert session["starts_at"][-6:] in ("+01:00", "+02:00")


def test_one_forum_with_its_sessions_in_time_order(api: Api) -> None:
    status, body = api.request("GET", "/api/forums/ledelseskommissionen")
    assert status == 200
    assert body["audience"] == "leaders_and_administration"
    assert [s["city"] for s in body["sessions"]] == ["Aarhus", "København"]


@pytest.mark.parametrize("forum_id", ["findes-ikke", "STORE-BOGSTAVER", "x" * 300])
def test_unknown_forum_is_a_404_with_a_danish_message(api: Api, forum_id: str) -> None:
    status, body = api.request("GET", f"/api/forums/{forum_id}")
    assert status == 404
    assert body == {"code": "forum_not_found", "message": "Forummet findes ikke."}


def test_a_route_the_api_does_not_have_is_a_404(api: Api) -> None:
    status, body = api.request("GET", "/api/forums/a/b")
    assert status == 404 and body["code"] == "not_found"
    status, body = api.request("DELETE", "/api/forums")
    assert status == 404


def test_table_and_index_come_from_the_template(emulator: Emulator) -> None:
    table = parameter(PARAM_FORUMS_TABLE)
    description = emulator.client("dynamodb").describe_table(TableName=table)["Table"]
    assert [k["AttributeName"] for k in description["KeySchema"]] == ["pk", "sk"]
    assert [i["IndexName"] for i in description["GlobalSecondaryIndexes"]] == ["SessionsByForum"]
