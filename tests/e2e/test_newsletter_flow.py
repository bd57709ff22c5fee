"""Through `make run`: subscribe, confirm from the outbox link, receive the next issue when
its schedule fires (once), unsubscribe in one click; a bounce injected locally suppresses."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Running
from tests.fixtures.links import link_token

pytestmark = pytest.mark.e2e


def subscribe(runtime: Running, address: str) -> None:
    runtime.remember("Grethe Sørensen", address)
    status, _ = runtime.json("POST", "/api/newsletter/subscriptions", {
        "name": "Grethe Sørensen", "email": address, "role": "district_leader",
        "consent": True, "website": ""})
    assert status == 202
    link = next(w for w in runtime.mails(address, "Bekræft")[0]["text"].split()
                if "token=" in w)
    assert link.startswith(runtime.url + "/bekraeft-nyhedsbrev.html#token=")
    token = link_token(link)
    assert runtime.json("POST", "/api/newsletter/confirm", {"token": token}) == (
        200, {"status": "subscribed"})


def test_subscribe_receive_once_unsubscribe_and_bounce(runtime: Running,
                                                       tmp_path: Path) -> None:
    subscribe(runtime, "grethe@example.dk")
    subscribe(runtime, "bounce@example.dk")
    issue = tmp_path / "nr-1.md"
    issue.write_text("# Nyt fra foreningen\n\nVi ses til **lederforum** i Kolding.\n",
                     encoding="utf-8")
    runtime.leaders("newsletter", "draft", str(issue), "--subject", "Nyhedsbrev nr. 1")
    runtime.leaders("newsletter", "test", "nr-1", "--to", "redaktion@example.dk")
    assert runtime.mails("redaktion@example.dk", "[TEST] Nyhedsbrev nr. 1")
    runtime.leaders("newsletter", "approve", "nr-1")

    for _ in range(2):  # the schedule fires twice: the issue still goes out once
        assert runtime.json("POST", "/_local/schedules/leaders-newsletter/fire")[0] == 200
    copy = runtime.mails("grethe@example.dk", "Nyhedsbrev nr. 1")[0]
    assert copy["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Vi ses til lederforum i Kolding." in copy["text"]
    runtime.settle()
    assert len(runtime.mails("grethe@example.dk", "Nyhedsbrev nr. 1")) == 1
    status = runtime.leaders("newsletter", "status", "nr-1")
    assert "modtagere 2" in status and "sendt 2" in status

    url = copy["headers"]["List-Unsubscribe"].split(",")[0].strip(" <>")
    one_click = url[len(runtime.url):]
    answer = runtime.request("POST", one_click, b"List-Unsubscribe=One-Click",
                             {"Content-Type": "application/x-www-form-urlencoded"})
    assert answer[0] == 200

    assert runtime.json("POST", "/_local/ses-events", {
        "type": "Bounce", "email": "bounce@example.dk", "issue": "nr-1"})[0] == 202
    deadline = time.monotonic() + 20
    while "bounced 1" not in runtime.leaders("newsletter", "status", "nr-1"):
        assert time.monotonic() < deadline, "the bounce was not counted"
        time.sleep(0.5)

    second = tmp_path / "nr-2.html"
    second.write_text("<p>Andet nummer.</p>", encoding="utf-8")
    runtime.leaders("newsletter", "draft", str(second), "--subject", "Nyhedsbrev nr. 2")
    runtime.leaders("newsletter", "approve", "nr-2")
    assert runtime.json("POST", "/_local/schedules/leaders-newsletter/fire")[0] == 200
    runtime.settle()
    _, outbox = runtime.json("GET", "/_local/outbox")
    second_copies = [m["to"] for m in outbox if m["subject"] == "Nyhedsbrev nr. 2"]
    assert second_copies == []  # one unsubscribed, one suppressed: nobody left to send to
    assert "modtagere 0" in runtime.leaders("newsletter", "status", "nr-2")
    nothing = runtime.json("POST", "/_local/schedules/leaders-newsletter/fire")
    assert nothing[0] == 200  # nothing approved: sends nothing, says so
