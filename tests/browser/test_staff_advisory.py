"""The consultant's area in chromium against `make run`: a leader sends a request through the
public form; the consultant's demo user signs in at /personale/, sees the queue as counts,
takes the next request (the leader's, shown as text, never as markup), writes a note and
finishes it, finds it in the history with the note and opens it again; every view is in the
audit (`leaders consultant audit`) with nothing of the request. axe at both widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running
from tests.support.advisory_pages import EMAIL, MESSAGE, NAME, NOTE, TOPIC, send_request, take_until

pytestmark = pytest.mark.e2e




def test_the_consultant_takes_reads_notes_finishes_and_finds_it_in_the_history(
        runtime: Running, page: Page, console: Page) -> None:
    reference = send_request(runtime, page)
    email, password = demo_users(runtime)["consultant"]
    sign_in(console, runtime, email, password)
    areas = console.get_by_role("navigation", name="Dine områder")
    expect(areas.get_by_role("link")).to_have_text(["Lederkonsulenten"])
    counts = console.locator("#koe-antal")
    expect(counts).to_contain_text("venter")
    expect(counts.get_by_role("table", name="Ventende henvendelser efter alder")).to_be_visible()
    assert reference not in counts.inner_text() and NAME not in counts.inner_text()
    axe_at_both_widths(console, "raadgivning")

    take_until(console, reference)  # requests other tests sent may come first
    heading = console.locator("#henvendelse-overskrift")
    expect(heading).to_have_text(f"Henvendelse {reference} (haster)")
    fields = console.locator("#henvendelse-felter")
    for text in (NAME, EMAIL, TOPIC, "fortrolig samtale / sparring"):
        expect(fields).to_contain_text(text)
    message = console.locator("#henvendelse-besked")
    expect(message).to_have_text(MESSAGE)  # as written: the markup is text
    assert message.locator("b").count() == 0
    axe_at_both_widths(console, "raadgivning-henvendelse")

    console.get_by_label(re.compile("^Note")).fill(NOTE)
    console.get_by_role("button", name="Afslut", exact=True).click()
    expect(console.locator("#konsol-status")).to_have_text(f"{reference} er afsluttet.")
    expect(console.locator("#henvendelse")).to_be_hidden()
    expect(console.get_by_role("button", name="Tag den næste")).to_be_focused()

    history = console.locator("#historik")
    expect(history.get_by_role("rowheader", name=re.compile(reference))).to_be_visible()
    row = history.locator("tr", has=console.get_by_role("rowheader",
                                                         name=re.compile(reference)))
    expect(row).to_contain_text(NOTE)
    expect(row).to_contain_text(email)
    axe_at_both_widths(console, "raadgivning-historik")
    row.get_by_role("button", name=f"Vis henvendelse {reference}").click()
    expect(heading).to_be_focused()
    expect(fields).to_contain_text(NOTE)
    expect(console.locator("#afslut-form")).to_be_hidden()  # finished: read only

    audit = runtime.leaders("consultant", "audit", "--days", "1", "--reference", reference)
    actions = [line.split()[-2:] for line in audit.strip().splitlines()]
    assert actions[:2] == [["next", email], ["done", email]]
    assert ["view", email] in actions and ["history", email] in actions
    for secret in (NAME, EMAIL, TOPIC, "klynger sammen", NOTE):
        assert secret not in audit
