"""The participant list through the staff API: its count never takes a cancelled registration
for a participant (the console's heading and the forum list agree), and each phone comes as
stored (`phone`) and as a Dane writes it (`phone_display`), the spreadsheet's way too."""

from __future__ import annotations

import csv
import io

from shared.forums.spreadsheet import BOM, HEADINGS
from tests.integration.conftest import Api, raw
from tests.integration.test_staff_participants import Tokens, forum, register, secretariat


def test_the_count_leaves_out_the_cancelled_and_phones_read_the_danish_way(
        api: Api, tokens: Tokens) -> None:
    (session,) = forum(2)
    for who, phone in (("anne", "+45 20 30 40 50"), ("bo", "+46 70 123 45 67"),
                       ("carl", "20304051"), ("dorte", None)):
        assert register(api, tokens, session, who, phone=phone)[0] == 201
    listed = api.request("GET", f"/api/staff/sessions/{session}/participants",
                         headers=secretariat(tokens))[1]
    ids = {p["email"]: p["id"] for p in listed["participants"]}
    # Anne's seat goes to Carl; Dorte leaves the waiting list.
    for who in ("anne", "dorte"):
        status, _ = api.request("POST", f"/api/staff/registrations/{ids[who + '@example.dk']}"
                                "/cancel", headers=secretariat(tokens))
        assert status == 200

    status, body = api.request("GET", f"/api/staff/sessions/{session}/participants",
                               headers=secretariat(tokens))
    assert status == 200
    assert body["count"] == {"confirmed": 2, "waiting": 0, "cancelled": 2}
    assert body["summary"] == "2 tilmeldte, ingen på venteliste (2 afmeldte vises nederst)"
    assert (body["session"]["seats_taken"], body["session"]["waiting"]) == (2, 0)
    phones = {p["email"].split("@")[0]: (p["phone"], p["phone_display"])
              for p in body["participants"]}
    assert phones == {"anne": ("+4520304050", "20 30 40 50"),
                      "bo": ("+46701234567", "+46701234567"),
                      "carl": ("+4520304051", "20 30 40 51"),
                      "dorte": (None, None)}
    # The cancelled come last.
    assert [p["status"] for p in body["participants"]][-2:] == ["cancelled", "cancelled"]

    answer = raw(api, "GET", f"/api/staff/sessions/{session}/participants?format=csv",
                 secretariat(tokens))
    rows = list(csv.reader(io.StringIO(answer["body"].removeprefix(BOM)), delimiter=";"))
    column = HEADINGS.index("Telefon")
    assert {r[HEADINGS.index("E-mail")]: r[column] for r in rows[1:]} == {
        "anne@example.dk": "20 30 40 50", "bo@example.dk": "'+46701234567",
        "carl@example.dk": "20 30 40 51", "dorte@example.dk": ""}
