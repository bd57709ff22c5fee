"""The secretariat writes from the participant list in chromium against `make run`, as a
secretariat worker does it: sends one participant's confirmation again ("Send bekræftelse
igen", one email however quickly it is clicked twice), writes to everyone registered (Emne,
Tekst, "Også dem på ventelisten"; the email previewed before "Send"; "Sendt til 3 personer"),
and moves one participant, who is told of the move rather than of a cancellation. The emails
are read from the local outbox. axe and screenshots of each view at 1280 and 375 px."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e

SUBJECT = "Nyt lokale til mødet i Kolding"
TEXT = ("Kære alle\n\nVi mødes i sal 2 på første sal i stedet for i salen i stueetagen.\n"
        "Der er kaffe fra kl. 9.")


def person(name: str, email: str) -> dict[str, Any]:
    return {"session_id": "skriv-kolding", "name": name, "email": email, "role": "area_leader",
            "workplace": "Kolding Kommune", "member_number": "4712", "consent": True,
            "website": ""}


@pytest.fixture(scope="module")
def registered(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A forum held in Kolding (two seats, both taken, one person waiting) and in Aarhus."""
    catalogue = tmp_path_factory.mktemp("skriv") / "skriv.json"
    catalogue.write_text(json.dumps({"forums": [{
        "id": "skriv-forum", "title": "Forum om at skrive til deltagerne", "sessions": [
            {"id": "skriv-kolding", "city": "Kolding", "venue": "Godset", "capacity": 2,
             "starts_at": "2099-03-04T09:30", "ends_at": "2099-03-04T15:00",
             "registration_deadline": "2099-01-01T12:00"},
            {"id": "skriv-aarhus", "city": "Aarhus", "venue": "Dokk1", "capacity": 5,
             "starts_at": "2099-03-11T09:30", "ends_at": "2099-03-11T15:00",
             "registration_deadline": "2099-01-01T12:00"}]}]}), encoding="utf-8")
    runtime.leaders("forums", "import", str(catalogue))
    people = [("Karen Friis", "karen.skriv@example.dk"), ("Ole Dam", "ole.skriv@example.dk"),
              ("Mette Holm", "mette.skriv@example.dk")]
    # Never in a log line: the names, the addresses and what the secretariat writes.
    runtime.remember(*(v for p in people for v in p), SUBJECT, *TEXT.split("\n"))
    for name, email in people:
        assert runtime.register(person(name, email))[0] == 200


def person_row(page: Page, name: str) -> Any:
    return page.locator("#deltager-liste tr", has_text=name)


def mails_to(runtime: Running, to: str, subject: str) -> list[dict[str, Any]]:
    runtime.settle()
    return [m for m in runtime.json("GET", "/_local/outbox")[1]
            if to in m["to"] and m["subject"].startswith(subject)]


def test_the_secretariat_resends_writes_to_everyone_and_moves_by_the_forms(
        runtime: Running, console: Page, registered: None) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    header = console.get_by_role("rowheader", name=re.compile(r"^Kolding, .*marts 2099"))
    console.locator("tr", has=header).get_by_role(
        "button", name=re.compile("^Deltagere")).click()
    expect(person_row(console, "Mette Holm")).to_contain_text("På venteliste (nr. 1)")

    # -- a confirmation sent again: one email, however quickly it is clicked twice -------------
    before = len(mails_to(runtime, "karen.skriv@example.dk", "Bekræftelse"))
    again = person_row(console, "Karen Friis").get_by_role(
        "button", name="Send bekræftelse igen: Karen Friis")
    again.click()
    expect(console.locator("#deltager-status")).to_have_text(
        "Bekræftelsen er sendt igen til Karen Friis (karen.skriv@example.dk).")
    again.click()
    expect(console.locator("#deltager-status")).to_contain_text("sendt igen til Karen Friis")
    axe_at_both_widths(console, "skriv-bekraeftelse-igen")
    resent = mails_to(runtime, "karen.skriv@example.dk", "Bekræftelse")[before:]
    assert len(resent) == 1
    assert "Her er din bekræftelse igen. Du er tilmeldt:" in resent[0]["text"]
    assert [a["filename"] for a in resent[0]["attachments"]] == ["forum.ics"]
    person_row(console, "Mette Holm").get_by_role(
        "button", name="Send bekræftelse igen: Mette Holm").click()
    expect(console.locator("#deltager-status")).to_have_text(
        "Mailen om pladsen på ventelisten er sendt igen til Mette Holm "
        "(mette.skriv@example.dk).")
    (line,) = mails_to(runtime, "mette.skriv@example.dk", "Venteliste")[1:]
    assert "Du står på ventelisten som nummer 1 til:" in line["text"]

    # -- a message to everyone: each field told in Danish, previewed, then sent ----------------
    console.get_by_role("button", name="Skriv til deltagerne").click()
    form = console.locator("#skriv-form")
    expect(form.get_by_role("button", name="Send", exact=True)).to_be_hidden()
    form.get_by_label("Tekst", exact=True).fill("   ")
    form.get_by_role("button", name="Se mailen, før den sendes").click()
    expect(console.locator("#skriv-emne-fejl")).to_have_text("Feltet skal udfyldes.")
    expect(form.get_by_label("Emne", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(console.locator("#skriv-tekst-fejl")).not_to_be_empty()
    axe_at_both_widths(console, "skriv-fejl")

    form.get_by_label("Emne", exact=True).fill(SUBJECT)
    form.get_by_label("Tekst", exact=True).fill(TEXT)
    form.get_by_role("button", name="Se mailen, før den sendes").click()
    expect(console.locator("#skriv-modtagere")).to_have_text(
        "Sendes til 2 personer (tilmeldte).")
    expect(console.locator("#skriv-mail-emne")).to_have_text(SUBJECT)
    preview = console.locator("#skriv-mail-tekst")
    expect(preview).to_contain_text("Vi mødes i sal 2 på første sal")
    expect(preview).to_contain_text("Du får denne mail, fordi du er tilmeldt:")
    expect(preview).to_contain_text("Kontakt:")
    # Changing who it goes to hides the preview until it is shown again.
    form.get_by_label("Også dem på ventelisten", exact=True).check()
    expect(form.get_by_role("button", name="Send", exact=True)).to_be_hidden()
    form.get_by_role("button", name="Se mailen, før den sendes").click()
    expect(console.locator("#skriv-modtagere")).to_have_text(
        "Sendes til 3 personer (tilmeldte og ventende).")
    axe_at_both_widths(console, "skriv-forhaandsvisning")
    form.get_by_role("button", name="Send", exact=True).click()
    expect(console.locator("#deltager-status")).to_have_text(
        f"Sendt til 3 personer: »{SUBJECT}«.")
    expect(console.locator("#skriv")).to_be_hidden()
    axe_at_both_widths(console, "skriv-sendt")
    for to in ("karen.skriv@example.dk", "ole.skriv@example.dk", "mette.skriv@example.dk"):
        (message,) = mails_to(runtime, to, SUBJECT)
        assert message["subject"] == SUBJECT and message["text"].startswith(TEXT)
    # The same message again (a second thought, a double click): nobody gets it twice.
    console.get_by_role("button", name="Skriv til deltagerne").click()
    form.get_by_label("Emne", exact=True).fill(SUBJECT)
    form.get_by_label("Tekst", exact=True).fill(TEXT)
    form.get_by_role("button", name="Se mailen, før den sendes").click()
    form.get_by_role("button", name="Send", exact=True).click()
    expect(console.locator("#deltager-status")).to_have_text(
        f"Sendt til 2 personer: »{SUBJECT}«.")
    assert len(mails_to(runtime, "karen.skriv@example.dk", SUBJECT)) == 1

    # -- moved: told of the move, not of a cancellation ----------------------------------------
    person_row(console, "Ole Dam").get_by_role("button", name="Flyt: Ole Dam").click()
    console.get_by_role("button", name="Flyt deltageren").click()
    expect(console.locator("#konsol-status")).to_contain_text("Ole Dam er flyttet til Aarhus")
    (moved,) = mails_to(runtime, "ole.skriv@example.dk", "Flyttet")
    assert moved["subject"] == "Flyttet: Forum om at skrive til deltagerne – Kolding 4. marts"
    assert "Vi har flyttet din tilmelding fra Kolding 4. marts til Aarhus 11. marts." in \
        " ".join(moved["text"].split())
    assert [a["filename"] for a in moved["attachments"]] == ["aflysning.ics"]
    assert mails_to(runtime, "ole.skriv@example.dk", "Afmeldt") == []
    (new,) = mails_to(runtime, "ole.skriv@example.dk", "Bekræftelse: Forum om at skrive "
                                                       "til deltagerne – Aarhus")
    assert "Vi har flyttet din tilmelding fra Kolding 4. marts. Du har nu en plads på:" in \
        new["text"]
