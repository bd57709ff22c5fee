"""The editor's subscriber list in chromium against `make run`: the editor's demo user adds an
address by hand (the opt-in email arrives; the address waits for its owner's confirmation),
finds it by part of the address, unsubscribes it (asked first), then imports the office's CSV
file: a file with bad rows is refused line by line and imports nothing, the corrected file is
previewed, imported, and found with its consent recorded; importing it again adds nobody.
axe at both widths in every state, and the page never scrolls sideways at 375 px."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import SHOTS, WIDTHS, axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running
from tests.support.subscribers import csv_file

pytestmark = pytest.mark.e2e


def no_sideways_scroll(page: Page, name: str) -> None:
    """At 375 px the page is no wider than the window; the section photographed at both
    widths (test-artifacts/pages/abonnenter-NAME-WIDTH.png)."""
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#abonnenter").screenshot(path=str(SHOTS / f"abonnenter-{name}-{width}.png"))
    page.set_viewport_size(WIDTHS["phone"])  # type: ignore[arg-type]
    wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]
    assert wide <= window, (wide, window)


def upload(page: Page, name: str, text: str, encoding: str = "utf-8") -> None:
    page.locator("#abonnent-fil").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode(encoding)})
    page.get_by_role("button", name="Se, hvad filen gør").click()


def test_the_editor_adds_finds_unsubscribes_and_imports(runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["editor"]
    tag = uuid.uuid4().hex[:8]
    typed = f"Birgitte.Holm.{tag}@example.dk"
    runtime.remember(typed, typed.lower(), "Birgitte Holm")
    sign_in(console, runtime, email, password)
    section = console.locator("#abonnenter")
    expect(section.get_by_role("heading", name="Abonnenter", exact=True)).to_be_visible()

    # Added by hand: the opt-in email goes out; nothing is subscribed before it is confirmed.
    form = console.locator("#abonnent-ny-form")
    form.get_by_label("E-mail").fill(typed)
    form.get_by_label("Navn").fill("Birgitte Holm")
    form.get_by_label("Rolle").select_option(label="Klyngeleder")
    form.get_by_role("button", name="Tilføj").click()
    expect(console.locator("#konsol-status")).to_have_text(  # (the function's first call)
        f"{typed} har fået en mail og bliver tilmeldt, når tilmeldingen er bekræftet.",
        timeout=20_000)
    mine = console.locator("#abonnent-liste tr", has=console.get_by_role(
        "rowheader", name=typed))
    expect(mine).to_contain_text("Afventer bekræftelse")
    expect(mine).to_contain_text("tilføjet af personalet")
    assert len(runtime.mails(typed)) == 1
    axe_at_both_widths(console, "abonnenter-tilfoejet")
    no_sideways_scroll(console, "tilfoejet")

    # Found by part of the address, in another case.
    console.get_by_label("Søg efter e-mailadresse").fill(f"holm.{tag}".upper())
    console.locator("#abonnent-soeg-form").get_by_role("button", name="Søg").click()
    expect(console.locator("#abonnent-liste")).to_contain_text(
        re.compile(rf"^1 abonnent med »HOLM\.{tag.upper()}« i adressen\."))

    # Unsubscribed, asked first.
    mine.get_by_role("button", name=f"Afmeld {typed}").click()
    expect(mine).to_contain_text("Der sendes ikke flere nyhedsbreve til adressen")
    axe_at_both_widths(console, "abonnenter-afmeld-spoerg")
    mine.get_by_role("button", name=f"Ja, afmeld {typed}").click()
    expect(console.locator("#konsol-status")).to_have_text(f"{typed} er afmeldt nyhedsbrevet.")
    expect(mine).to_contain_text("Afmeldt")
    expect(mine.get_by_role("button")).to_have_count(0)
    # Added again by staff: refused, in Danish.
    form.get_by_label("E-mail").fill(typed)
    form.get_by_role("button", name="Tilføj").click()
    expect(console.locator("#abonnent-ny-fejl")).to_contain_text("har afmeldt sig")

    # The office's file: rows with bad lines are refused by line, and nothing is imported.
    rows = [(f"medlem{i}.{tag}@example.dk", f"Medlem Nummer {i}", "Områdeleder",
             "15.03.2024" if i % 2 else "", "Medlemsportalen" if i % 2 else "")
            for i in range(6)]
    runtime.remember(*(r[0] for r in rows))
    bad = csv_file([*rows[:2], ("ikke-en-adresse", "", "", "", ""),
                    (rows[3][0], "", "Ansat i forvaltningen", "", ""), *rows[4:]])
    upload(console, "medlemmer.csv", bad)
    refused = console.locator("#abonnent-import-fejl")
    expect(refused).to_contain_text("Filen kan ikke importeres, og intet er gemt.")
    expect(refused).to_contain_text("Linje 4: »ikke-en-adresse« er ikke en gyldig e-mailadresse.")
    expect(refused).to_contain_text(
        "Linje 5: Nyhedsbrevet er kun for ledere af ledere, ikke »Ansat i forvaltningen«.")
    expect(console.get_by_role("button", name="Importér")).to_be_hidden()
    axe_at_both_widths(console, "abonnenter-import-fejl")
    no_sideways_scroll(console, "import-fejl")

    # The corrected file (Windows-1252, comma separated, as an older system writes it).
    good = csv_file(rows, header=("Email", "Name", "Role", "Consent date", "Consent source"),
                    separator=",")
    upload(console, "medlemmer-rettet.csv", good, "cp1252")
    lines = console.locator("#abonnent-import-linjer")
    expect(lines).to_contain_text("6 rækker i filen.")
    expect(lines).to_contain_text("3 personer bliver tilmeldt med det dokumenterede samtykke.")
    expect(lines).to_contain_text("3 personer får en mail og bekræfter selv.")
    axe_at_both_widths(console, "abonnenter-import-vist")
    no_sideways_scroll(console, "import-vist")
    # The import's answer is lost (as when API Gateway's 29 s run out while the function
    # carried on): the console sends the file again, which adds nobody twice, and reports
    # what the preview said.
    stopped: list[Any] = []

    def lose_the_first_answer(route: Route) -> None:
        if json.loads(route.request.post_data or "{}").get("preview") or stopped:
            route.continue_()
            return
        stopped.append(route.fetch())  # the import ran
        route.fulfill(status=504, content_type="application/json",
                      body='{"message": "Endpoint request timed out"}')

    console.route("**/api/staff/newsletter/subscribers/import", lose_the_first_answer)
    console.get_by_role("button", name="Importér").click()
    expect(console.locator("#konsol-status")).to_have_text(
        "Listen er importeret. 6 rækker i filen. 3 personer er tilmeldt med det dokumenterede "
        "samtykke. 3 personer har fået en mail og bekræfter selv.")
    assert len(stopped) == 1 and stopped[0].status == 200
    console.unroute("**/api/staff/newsletter/subscribers/import")
    for invited in (r[0] for r in rows[0::2]):
        assert len(runtime.mails(invited)) == 1

    console.get_by_label("Søg efter e-mailadresse").fill(f".{tag}@")
    console.locator("#abonnent-soeg-form").get_by_role("button", name="Søg").click()
    imported = console.locator("#abonnent-liste tr", has=console.get_by_role(
        "rowheader", name=rows[1][0]))
    expect(imported).to_contain_text("Bekræftet")
    expect(imported).to_contain_text(
        "importeret · samtykke 15. marts 2024 · kilde: Medlemsportalen")
    axe_at_both_widths(console, "abonnenter-importeret")
    no_sideways_scroll(console, "importeret")

    # The same file again: nobody is added, nobody mailed again.
    upload(console, "medlemmer-rettet.csv", good, "cp1252")
    expect(lines).to_contain_text("Filen tilføjer ingen.")
    expect(lines).to_contain_text("3 er allerede tilmeldt")
    expect(console.get_by_role("button", name="Importér")).to_be_hidden()
    runtime.settle()
    for invited in (r[0] for r in rows[0::2]):
        assert len(runtime.mails(invited)) == 1
