"""A person registers through `make run`, confirms by the link mailed to them, gets the
confirmation with the calendar file in the outbox, cancels by the link's token, and the first
waiting person is promoted and emailed.
The secretariat lists and exports participants and cancels a session with the CLI."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e


def person(session: str, who: str) -> dict[str, Any]:
    return {"session_id": session, "name": f"{who.title()} Jensen", "email": f"{who}@example.dk",
            "role": "cluster_leader", "workplace": "Kolding Kommune", "member_number": "4711",
            "consent": True, "website": ""}


@pytest.fixture(scope="module")
def small_session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    return runtime.one_seat_session(tmp_path_factory.mktemp("catalogue"),
                                    ("e2e-forum", "Rekruttering af ledere"),
                                    ("e2e-kolding", "Kolding", "Koldinghus"), "2099-05-04")


def test_register_cancel_and_promotion_through_the_local_runtime(
    runtime: Running, small_session: str
) -> None:
    for who in ("ane", "bent", "carl", "dora"):
        runtime.remember(f"{who.title()} Jensen", f"{who}@example.dk")
    assert runtime.register(person(small_session, "ane")) == (200, {"status": "confirmed"})
    assert runtime.register(person(small_session, "bent")) == (
        200, {"status": "waitlisted", "waitlist_position": 1})
    _, forum = runtime.json("GET", "/api/forums/e2e-forum")
    assert forum["sessions"][0]["status"] == "full" and forum["sessions"][0]["seats_left"] == 0

    confirmation = runtime.mails("ane@example.dk", "Bekræftelse")[0]
    assert confirmation["subject"] == "Bekræftelse: Rekruttering af ledere"
    assert confirmation["attachments"] == [{"filename": "forum.ics",
                                            "content_type": "text/calendar"}]
    assert "mandag den 4. maj 2099 kl. 09.30–15.00" in confirmation["text"]
    link = next(w for w in confirmation["text"].split() if "token=" in w)
    assert link.startswith(runtime.url + "/afmeld.html?token=")
    waitlist = runtime.mails("bent@example.dk", "Venteliste")[0]
    assert "nummer 1" in waitlist["text"]

    token = parse_qs(urlsplit(link).query)["token"][0]
    assert runtime.json("POST", "/api/registrations/cancel", {"token": token}) == (
        200, {"status": "cancelled"})
    promotion = runtime.mails("bent@example.dk", "Du har fået en plads")[0]
    assert promotion["subject"] == "Du har fået en plads: Rekruttering af ledere"
    assert promotion["attachments"][0]["filename"] == "forum.ics"
    runtime.mails("ane@example.dk", "Afmeldt")

    listing = runtime.leaders("forums", "participants", small_session)
    assert "1 bekræftede, 0 på venteliste." in listing
    exported = runtime.leaders("forums", "participants", small_session, "--csv")
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")), delimiter=";"))
    assert [(r["E-mail"], r["Status"]) for r in rows] == [("bent@example.dk", "Bekræftet"),
                                                          ("ane@example.dk", "Afmeldt")]


def test_secretariat_cancels_a_session_and_everyone_is_told_once(
    runtime: Running, small_session: str
) -> None:
    runtime.register(person(small_session, "carl"))  # waits
    runtime.leaders("forums", "cancel-session", small_session,
                    "--reason", "Oplægsholderen er blevet syg.", "--yes")
    for address in ("bent@example.dk", "carl@example.dk"):
        (last,) = runtime.mails(address, "Aflyst")
        assert last["subject"] == "Aflyst: Rekruttering af ledere"
        assert "Oplægsholderen er blevet syg." in last["text"]
    again = runtime.leaders("forums", "cancel-session", small_session, "--reason", "igen",
                            "--yes")
    assert "0 deltagere" in again
    runtime.settle()
    cancelled = [m for m in runtime.json("GET", "/_local/outbox")[1]
                 if m["subject"].startswith("Aflyst")]
    assert len(cancelled) == 2  # once each
    status, answer = runtime.json("POST", "/api/registrations", person(small_session, "dora"))
    assert (status, answer["code"]) == (409, "session_cancelled")


def test_reminder_schedule_fires_by_name(runtime: Running) -> None:
    status, body = runtime.json("POST", "/_local/schedules/leaders-forum-reminders/fire")
    assert (status, body) == (200, {"fired": "leaders-forum-reminders"})
