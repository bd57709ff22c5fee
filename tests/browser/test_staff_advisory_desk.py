"""The consultant's open requests in chromium against `make run`, as the consultant works: a
leader's request taken, the page reloaded and the request found again in "Mine åbne
henvendelser" (reserved until a Danish time) and opened; the lease extended from the list;
the person reached by mailto:/tel: links holding the reference and nothing of the request;
"afventer svar" with a follow-up date (the request leaves the queue and stays in the list);
taken up again, finished, found by its reference in the history and reopened; put back.
axe at 1280 and 375 px, and the page never scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect

from shared.danish import danish_date
from shared.platform.clock import to_copenhagen, utcnow
from tests.browser.conftest import WIDTHS, axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running
from tests.support.advisory_pages import EMAIL, MESSAGE, NAME, send_request, take_until

pytestmark = pytest.mark.e2e


def no_sideways_scroll(page: Page) -> None:
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= window, f"{width}: {wide} px in {window} px"
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]


def test_the_consultant_finds_reopens_extends_holds_and_reopens_their_requests(
        runtime: Running, page: Page, console: Page) -> None:
    reference = send_request(runtime, page)
    email, password = demo_users(runtime)["consultant"]
    sign_in(console, runtime, email, password)
    take_until(console, reference)  # requests other tests sent may come first
    heading = console.locator("#henvendelse-overskrift")
    fields = console.locator("#henvendelse-felter")

    # Contact: the address and the reference, nothing the leader wrote.
    mail = fields.get_by_role("link", name=EMAIL)
    href = unquote(mail.get_attribute("href") or "")
    assert href.startswith(f"mailto:{EMAIL}?subject=") and reference in href
    for text in (MESSAGE, "klynger", NAME, "Ny klyngestruktur"):
        assert text not in href
    expect(fields.locator("a[href^='tel:']")).to_have_count(0)  # the form gave no phone

    # A reload: the request is still mine, in the list, and opens again.
    console.reload()  # the session is kept in the tab; the page loads anew
    mine = console.locator("#mine")
    row = mine.locator("tr", has=console.get_by_role("rowheader", name=re.compile(reference)))
    expect(row).to_contain_text(re.compile(r"Reserveret til dig til kl\. \d\d\.\d\d"))
    axe_at_both_widths(console, "raadgivning-mine")
    no_sideways_scroll(console)
    row.get_by_role("button", name=f"Åbn henvendelse {reference}").click()
    expect(heading).to_be_focused()
    expect(heading).to_contain_text(reference)
    expect(fields).to_contain_text(NAME)

    row.get_by_role("button", name=f"Forlæng reservationen af {reference}").click()
    expect(console.locator("#konsol-status")).to_have_text(
        re.compile(rf"{reference} er reserveret til dig til kl\. \d\d\.\d\d\."))
    expect(fields).to_contain_text(re.compile(r"Reserveret til dig til kl\. \d\d\.\d\d"))

    # Waiting for an answer, a week from today.
    day = to_copenhagen(utcnow()).date() + timedelta(days=7)
    console.get_by_label("Opfølgningsdato").fill(day.isoformat())
    console.get_by_role("button", name="Sæt til »Afventer svar«").click()
    shown = danish_date(f"{day.isoformat()}T12:00:00+00:00")
    expect(console.locator("#konsol-status")).to_have_text(
        f"{reference} afventer svar. Fra {shown} står den øverst i dine åbne henvendelser.")
    expect(console.locator("#henvendelse")).to_be_hidden()
    expect(row).to_contain_text(f"Afventer svar, opfølgning {shown}")
    expect(console.locator("#koe-antal")).to_contain_text("afventer svar")
    axe_at_both_widths(console, "raadgivning-afventer")
    no_sideways_scroll(console)

    # Taken up again from the list, then finished.
    row.get_by_role("button", name=f"Genoptag henvendelse {reference}").click()
    expect(console.locator("#konsol-status")).to_contain_text(
        f"{reference} er genåbnet og reserveret til dig til kl.")
    expect(heading).to_contain_text(reference)
    console.get_by_role("button", name="Afslut", exact=True).click()
    expect(console.locator("#konsol-status")).to_have_text(f"{reference} er afsluttet.")
    expect(row).to_have_count(0)

    # Found by its reference in the history, and reopened.
    console.get_by_label("Søg efter reference").fill(reference.lower())
    console.locator("#soeg-form").get_by_role("button", name="Søg", exact=True).click()
    found = console.get_by_role("table", name=f"Henvendelser med eller knyttet til {reference}")
    expect(found).to_contain_text("Afsluttet")
    axe_at_both_widths(console, "raadgivning-soeg")
    no_sideways_scroll(console)
    found.get_by_role("button", name=f"Genåbn henvendelse {reference}").click()
    expect(console.locator("#konsol-status")).to_contain_text(
        f"{reference} er genåbnet og reserveret til dig til kl.")
    expect(row).to_contain_text("Reserveret til dig til kl.")

    # Put back from the list: it leaves my list and waits in the queue.
    row.get_by_role("button", name=f"Læg tilbage i køen: {reference}").click()
    expect(console.locator("#konsol-status")).to_have_text(f"{reference} er lagt tilbage i køen.")
    expect(row).to_have_count(0)
    console.get_by_label("Søg efter reference").fill("LR-2222-22")
    console.locator("#soeg-form").get_by_role("button", name="Søg", exact=True).click()
    expect(console.locator("#soeg-reference-fejl")).to_have_text(
        "Der findes ingen henvendelse med referencen LR-2222-22.")
