"""The consultant's half of a data-protection request in chromium against `make run`: a leader
sent two requests through the public API and another leader one; the consultant's demo user
signs in, is told per field what is wrong with a bad address, searches the address (counts
only), downloads the export (a file named by its audit reference, never the address), and
erases after a second button that names the address and the count. The other leader's
request stays; each request exported is in the consultant's audit as `export`; signing out
clears the address and the answers. axe on every state at both widths; the runtime's log
scan finds none of the leaders' data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, exported, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
SENDER = {"name": "Signe Sletmig", "email": "signe.sletmig@example.dk", "phone": "+4522334455"}
OTHER = {"name": "Oluf Bliverher", "email": "oluf.bliverher@example.dk", "phone": "+4522334466"}
MESSAGES = ("Min direktør vil flytte mig til en anden klynge.",
            "Opfølgning: hvordan siger jeg det til mine ledere?",
            "Jeg vil gerne tale om min nye rolle.")


def send(runtime: Running, person: dict[str, str], message: str, urgent: bool) -> str:
    status, answer = runtime.json("POST", "/api/advisory-requests", {
        "kind": "conversation", **person, "message": message, "urgent": urgent,
        "consent": True, "website": ""})
    assert status == 202, answer
    return str(answer["reference"])


@pytest.fixture(scope="module")
def sent(runtime: Running) -> dict[str, Any]:
    """Signe's two requests and Oluf's one, as the public form sends them."""
    runtime.remember(*SENDER.values(), *OTHER.values(), *MESSAGES)
    return {"mine": {send(runtime, SENDER, MESSAGES[0], True),
                     send(runtime, SENDER, MESSAGES[1], False)},
            "other": send(runtime, OTHER, MESSAGES[2], False)}


def test_the_consultant_searches_downloads_and_erases_one_senders_requests(
        runtime: Running, console: Page, sent: dict[str, Any]) -> None:
    email, password = demo_users(runtime)["consultant"]
    sign_in(console, runtime, email, password)
    section = console.get_by_role("region",
                                  name="Databeskyttelse: henvendelser fra en e-mailadresse")
    field = section.get_by_label("Afsenderens e-mailadresse")
    answer = console.locator("#indsigt-svar")

    field.fill("signe.sletmig@")
    section.get_by_role("button", name="Søg", exact=True).click()
    expect(console.locator("#indsigt-email-fejl")).to_have_text(
        "Indtast en gyldig e-mailadresse.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    axe_at_both_widths(console, "raadgivning-indsigt-fejl")

    field.fill(SENDER["email"].upper())
    section.get_by_role("button", name="Søg", exact=True).click()
    expect(answer).to_contain_text(f"2 henvendelser fra {SENDER['email'].upper()}: ")
    expect(answer).to_contain_text("Revisionsspor:")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    for text in (SENDER["name"], *MESSAGES, *sent["mine"]):
        expect(answer).not_to_contain_text(text)  # counts, no contents
    axe_at_both_widths(console, "raadgivning-indsigt-soeg")

    named, file = exported(console, section.get_by_role("button", name="Hent udtræk"))
    assert {r["reference"] for r in file["advisory"]} == sent["mine"]
    assert {r["message"] for r in file["advisory"]} == set(MESSAGES[:2])
    assert file["not_searched"] == []
    expect(answer).to_contain_text(f"er hentet som {named}.")

    section.get_by_role("button", name="Slet henvendelserne …").click()
    warning = console.locator("#indsigt-advarsel")
    expect(warning).to_contain_text(
        f"Vil du slette 2 henvendelser fra {SENDER['email'].upper()} med dine noter?")
    confirm = section.get_by_role("button",
                                  name=f"Ja, slet 2 henvendelser fra {SENDER['email'].upper()}")
    expect(confirm).to_be_focused()
    axe_at_both_widths(console, "raadgivning-indsigt-spoerg")
    confirm.click()
    expect(answer).to_contain_text(
        f"Slettet: 2 henvendelser fra {SENDER['email'].upper()}. Revisionsspor:")
    expect(console.locator("#indsigt-spoerg")).to_be_hidden()
    axe_at_both_widths(console, "raadgivning-indsigt-slettet")

    section.get_by_role("button", name="Søg", exact=True).click()
    expect(answer).to_contain_text(f"Der er ingen henvendelser fra {SENDER['email'].upper()}.")
    kept = json.loads(runtime.leaders("privacy", "export", OTHER["email"], "--area",
                                      "advisory"))
    assert [r["reference"] for r in kept["advisory"]] == [sent["other"]]
    for reference in sent["mine"]:
        audit = runtime.leaders("consultant", "audit", "--days", "1", "--reference", reference)
        assert ["export", email] in [line.split()[-2:] for line in audit.splitlines()]
        assert not [t for t in (*SENDER.values(), *MESSAGES) if t in audit]

    console.get_by_role("button", name="Log ud").click()
    expect(console.locator("#konsol-status")).to_have_text("Du er logget ud.")
    assert console.locator("#indsigt-email").input_value() == ""
    for part in ("#indsigt-svar", "#indsigt-advarsel", "#indsigt-email-fejl"):
        assert console.locator(part).inner_text() == ""
