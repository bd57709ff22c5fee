"""The public advisory form filled in a browser, as a leader does: what the console tests share."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Running

MESSAGE = "Vi skal lægge <b>to</b> klynger sammen.\nHvordan griber jeg det an?"

NAME, EMAIL, TOPIC = "Inger Christensen", "inger@example.dk", "Ny klyngestruktur"


NOTE = "Ringede til Inger; opfølgning om to uger."


def take_until(console: Page, reference: str) -> None:
    """Take the next request until it is `reference`, finishing those other tests sent that
    come first."""
    heading = console.locator("#henvendelse-overskrift")
    for _ in range(30):
        console.get_by_role("button", name="Tag den næste").click()
        expect(heading).to_be_focused()
        if reference in heading.inner_text():
            return
        shown = heading.inner_text()
        console.get_by_role("button", name="Afslut", exact=True).click()
        expect(console.locator("#konsol-status")).to_contain_text(
            shown.split()[1] + " er afsluttet.")
    raise AssertionError(f"{reference} never came up")


def send_request(runtime: Running, page: Page) -> str:
    """The public form, as a leader fills it in; the reference it answers with."""
    runtime.remember(NAME, EMAIL, TOPIC, MESSAGE, "Hvordan griber jeg det an?", NOTE)
    page.goto(runtime.url + "/lederkonsulent.html")
    page.get_by_label(re.compile("fortrolig samtale")).check()
    page.get_by_label(re.compile("^Navn")).fill(NAME)
    page.get_by_label(re.compile("^E-mail")).fill(EMAIL)
    page.get_by_label("Emne", exact=True).fill(TOPIC)
    page.get_by_label(re.compile("^Din besked")).fill(MESSAGE)
    page.get_by_label(re.compile("^Det haster")).check()
    page.get_by_label(re.compile("^Jeg accepterer")).check()
    page.get_by_role("button", name="Send til lederkonsulenten").click()
    result = page.locator("#resultat")
    expect(result).to_contain_text(re.compile(r"LR-\w{4}-\w{2}"))
    found = re.search(r"LR-\w{4}-\w{2}", result.inner_text())
    assert found
    return found.group(0)
