"""The catalogue file in chromium against `make run`, as a secretariat worker uses it for bulk
work: downloads the template ("Hent skabelon"), chooses it and sees what it will change ("Se
ændringer") before "Indlæs"; a file that gives only the seats keeps the venue; a mistyped
session id the same day in the same city is shown as a question with a box to tick, and goes
in only when ticked; the same file again says "Intet ændres.". axe and screenshots of each
view at 1280 and 375 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.forums.catalogue_file import template
from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e

FORUM, SESSION = "eksempel-lederforum", "eksempel-lederforum-kolding-2027"
MORE_SEATS = (f"forums:\n  - id: {FORUM}\n    sessions:\n      - id: {SESSION}\n"
              "        capacity: 40\n").encode()
TYPO = (f"forums:\n  - id: {FORUM}\n    sessions:\n      - id: {FORUM}-koldng-2027\n"
        "        city: Kolding\n        starts_at: 2027-03-04 13:00\n"
        "        ends_at: 2027-03-04 15:00\n        registration_deadline: 2027-02-25 12:00\n"
        "        capacity: 30\n").encode()


def choose(page: Page, name: str, content: bytes) -> None:
    page.get_by_label("Katalogfil").set_input_files(files=[{
        "name": name, "mimeType": "application/yaml", "buffer": content}])
    page.get_by_role("button", name="Se, hvad filen ændrer").click()


def load(page: Page) -> None:
    """"Indlæs", and wait until it is done: the changes close and the status says so."""
    page.locator("#konsol-status").evaluate("node => { node.textContent = ''; }")
    page.get_by_role("button", name="Indlæs", exact=True).click()
    expect(page.locator("#konsol-status")).to_have_text(
        "Kataloget er indlæst: 1 lederforum og 1 møde.")
    expect(page.locator("#katalog-aendringer")).to_be_hidden()


def changes(page: Page) -> list[str]:
    expect(page.locator("#katalog-aendringer")).to_be_visible()
    return page.locator("#katalog-linjer li").all_inner_texts()


def test_the_secretariat_previews_and_imports_the_catalogue_file_by_the_forms(
        runtime: Running, console: Page, tmp_path: Path) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)

    # The template, downloaded as a file with its Danish comments.
    with console.expect_download() as download:
        console.get_by_role("button", name="Hent skabelon").click()
    assert download.value.suggested_filename == "katalog-skabelon.yaml"
    downloaded = Path(download.value.path()).read_text(encoding="utf-8")
    assert downloaded == template()

    # Chosen as it is: what is new is shown in Danish, nothing is stored before "Indlæs".
    choose(console, "katalog-skabelon.yaml", downloaded.encode())
    assert changes(console) == [
        f"Nyt lederforum: Eksempel på et lederforum (id {FORUM})",
        f"Nyt møde: Kolding 4. marts 2027 (id {SESSION})"]
    expect(console.get_by_role("heading", name="Det ændrer filen")).to_be_focused()
    axe_at_both_widths(console, "katalog-ny")
    assert runtime.json("GET", f"/api/forums/{FORUM}")[0] == 404
    load(console)

    # Only the seats: the change before and after, and the venue and description are kept.
    choose(console, "pladser.yaml", MORE_SEATS)
    assert changes(console) == ["Ændret: Kolding 4. marts 2027: Antal pladser 30 → 40",
                                "Uændret: 1 lederforum."]
    axe_at_both_widths(console, "katalog-aendret")
    load(console)
    status, forum = runtime.json("GET", f"/api/forums/{FORUM}")
    assert status == 200
    assert forum["description"].startswith("Skriv her, hvad forummet handler om")
    assert [(s["capacity"], s["venue"]) for s in forum["sessions"]] == [
        (40, "Comwell Kolding, Skovbrynet 1, 6000 Kolding")]

    # A mistyped id the same day in Kolding: asked, and not stored until the box is ticked.
    choose(console, "stavefejl.yaml", TYPO)
    assert changes(console) == [f"Nyt møde: Kolding 4. marts 2027 (id {FORUM}-koldng-2027)",
                                "Uændret: 1 lederforum."]
    expect(console.locator("#katalog-samme-dag-tekst")).to_contain_text(
        f"Det nye møde {FORUM}-koldng-2027 ligger i Kolding samme dag som mødet {SESSION} "
        "(torsdag den 4. marts 2027).")
    console.get_by_role("button", name="Indlæs", exact=True).click()
    box = console.get_by_label("Ja, det er et ekstra møde samme dag")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(console.locator("#katalog-samme-dag-fejl")).to_contain_text("Sæt kryds")
    axe_at_both_widths(console, "katalog-samme-dag")
    assert [s["id"] for s in runtime.json("GET", f"/api/forums/{FORUM}")[1]["sessions"]] == [
        SESSION]
    box.check()
    load(console)
    assert len(runtime.json("GET", f"/api/forums/{FORUM}")[1]["sessions"]) == 2

    # The same file again: nothing to change, and nothing to press but "Luk".
    choose(console, "pladser.yaml", MORE_SEATS)
    assert changes(console) == ["Intet ændres."]
    expect(console.get_by_role("button", name="Indlæs", exact=True)).to_be_hidden()
    axe_at_both_widths(console, "katalog-intet")
    console.get_by_role("button", name="Luk", exact=True).click()
    expect(console.locator("#katalog-aendringer")).to_be_hidden()
