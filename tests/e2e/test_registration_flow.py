"""A person registers through `make run`, confirms by the link mailed to them, gets the
confirmation with the calendar file in the outbox, cancels by the link's token, and the first
waiting person is promoted and emailed.
The secretariat lists and exports participants and cancels a session with the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.platform.clock import COPENHAGEN
from tests.e2e.conftest import Running
from tests.fixtures.links import link_token

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
    assert confirmation["subject"] == "Bekræftelse: Rekruttering af ledere – Kolding 4. maj"
    assert confirmation["attachments"] == [{"filename": "forum.ics",
                                            "content_type": "text/calendar"}]
    assert "mandag den 4. maj 2099 kl. 09.30–15.00" in confirmation["text"]
    link = next(w for w in confirmation["text"].split() if "token=" in w)
    assert link.startswith(runtime.url + "/afmeld.html#token=")
    waitlist = runtime.mails("bent@example.dk", "Venteliste")[0]
    assert "nummer 1" in waitlist["text"]

    token = link_token(link)
    assert runtime.json("POST", "/api/registrations/cancel", {"token": token}) == (
        200, {"status": "cancelled"})
    promotion = runtime.mails("bent@example.dk", "Du har fået en plads")[0]
    assert promotion["subject"] == "Du har fået en plads: Rekruttering af ledere – Kolding 4. maj"
    assert promotion["attachments"][0]["filename"] == "forum.ics"
    runtime.mails("ane@example.dk", "Afmeldt")

    listing = runtime.leaders("forums", "participants", small_session)
    assert "1 tilmeldt, ingen på venteliste (1 afmeldt vises nederst)." in listing
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
        assert last["subject"] == "Aflyst: Rekruttering af ledere – Kolding 4. maj"
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


def test_the_reminder_schedule_reminds_each_participant_once_within_the_window(
        runtime: Running, tmp_path: Path) -> None:
    """Fired by name as the daily schedule fires it: a session starting tomorrow reminds its
    participant once, however often it fires; one a month away reminds nobody yet."""
    now = datetime.now(COPENHAGEN).replace(second=0, microsecond=0, tzinfo=None)

    def entry(session_id: str, starts: datetime) -> dict[str, Any]:
        return {"id": session_id, "city": "Fredericia", "venue": "Taktkvarteret",
                "capacity": 5, "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=5)).isoformat(),
                "registration_deadline": (now + timedelta(hours=2)).isoformat()}

    catalogue = tmp_path / "reminders.json"
    catalogue.write_text(json.dumps({"forums": [{
        "id": "e2e-paamindelse", "title": "Forum med påmindelse", "sessions": [
            entry("e2e-i-morgen", now + timedelta(days=1)),
            entry("e2e-om-en-maaned", now + timedelta(days=30))]}]}), encoding="utf-8")
    runtime.leaders("forums", "import", str(catalogue))
    for session_id, who in (("e2e-i-morgen", "erik"), ("e2e-om-en-maaned", "frida")):
        runtime.remember(f"{who.title()} Jensen", f"{who}@example.dk")
        assert runtime.register(person(session_id, who)) == (200, {"status": "confirmed"})
    for _ in range(2):
        status, body = runtime.json("POST", "/_local/schedules/leaders-forum-reminders/fire")
        assert (status, body) == (200, {"fired": "leaders-forum-reminders"})
        runtime.settle()
    (reminder,) = runtime.mails("erik@example.dk", "Påmindelse: Forum med påmindelse")
    assert "Fredericia" in reminder["text"]
    # The daily run reaches a session the day before it: the reminder says so, with its day.
    assert "Vi glæder os til at se dig i morgen, " in reminder["text"]
    assert "om 2 dage" not in reminder["text"]
    assert not [m for m in runtime.json("GET", "/_local/outbox")[1]
                if "frida@example.dk" in m["to"] and m["subject"].startswith("Påmindelse")]
