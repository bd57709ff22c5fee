"""Every view of the staff console fits the screen, for every role, in chromium against
`make run`: at 1280 px the tables use the width of the page and at 375 px they are stacked
rows of "heading: value"; at both widths nothing is wider than the window (the page never
scrolls sideways) and no word in a table, its caption or a list of fields is broken across
two lines ("Venteli/ste"), except an e-mail address, which may wrap before a dot or after
the @. Each view is checked with axe and photographed at both widths."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    WIDTHS,
    demo_users,
    screenshot,
    serious_violations,
    sign_in,
)
from tests.e2e.conftest import Running
from tests.support.advisory_pages import send_request, take_until

pytestmark = pytest.mark.e2e

# A participant as the secretariat meets them: a long compound workplace, a long address,
# a Danish phone number, a note about needs, a member number another registration gives too.
LONG = {"name": "Kirsten Marie Søndergaard-Christiansen",
        "email": "kirsten.marie.soendergaard-christiansen@boerne-og-ungeforvaltningen.example.dk",
        "phone": "+4520112233", "workplace": "Børne- og Ungeforvaltningen, Aarhus Kommune",
        "needs": "Glutenfri frokost og en plads tæt på udgangen"}
SHORT = {"name": "Ole Bak", "email": "ole.bak@example.dk", "workplace": "Vejle Kommune"}
ISSUE, SUBJECT = "passer-paa-skaermen", "Nyt fra foreningen: efterårets lederforummer"

# The words drawn on more than one line in the headings, tables and field lists of the page
# (each text node's words measured one by one: a word broken inside has boxes on two lines).
# A compound may wrap after its hyphen ("Børne-/og"), and an address's parts between its
# <wbr>s are separate text nodes, so it may wrap there.
BROKEN_WORDS = """() => {
  const broken = [];
  const places = document.querySelectorAll(
    'main :is(h1, h2, h3, h4, caption, th, td, dt, dd)');
  for (const place of places) {
    if (!place.getClientRects().length) { continue; }
    const walker = document.createTreeWalker(place, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set(Array.from(range.getClientRects())
          .filter(box => box.width > 0).map(box => Math.round(box.bottom)));
        if (lines.size > 1) { broken.push(word[0]); }
      }
    }
  }
  return broken;
}"""

# Everything drawn beyond the window's right edge (what makes a page scroll sideways).
SPILLING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(node => node.getClientRects().length
                  && node.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5).map(node => node.tagName + '#' + node.id + '.' + node.className + ' '
                   + (node.textContent || '').trim().slice(0, 30))"""


# Widths between the two: a small laptop just above where tables stack, a tablet below.
BETWEEN = {"laptop": {"width": 1140, "height": 800}, "tablet": {"width": 768, "height": 1024}}


def fits(page: Page, view: str) -> None:
    """At desktop and at phone width: the page is no wider than the window, no word in a
    table is broken, axe finds nothing serious; a photograph of each. The same two measures
    at the widths between."""
    problems: list[str] = []
    for width, size in BETWEEN.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        wide, window = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        if wide > window:
            problems.append(f"{view} at {width}: {wide} px wide in a window of {window} px")
        broken = page.evaluate(BROKEN_WORDS)
        if broken:
            problems.append(f"{view} at {width}: words broken inside: {broken[:8]}")
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        screenshot(page, f"passer-{view}-{width}")
        wide, window = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        if wide > window:
            problems.append(f"{view} at {width}: {wide} px wide in a window of {window} px "
                            f"({page.evaluate(SPILLING)})")
        broken = page.evaluate(BROKEN_WORDS)
        if broken:
            problems.append(f"{view} at {width}: words broken inside: {broken[:8]}")
        violations = serious_violations(page)
        if violations:
            problems.append(f"{view} at {width}: axe {violations}")
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]
    assert problems == []


def table_width(page: Page, selector: str) -> tuple[float, float]:
    """The first table's width under `selector`, and the window's."""
    width: tuple[float, float] = tuple(page.evaluate(  # type: ignore[assignment]
        "s => [document.querySelector(s).getBoundingClientRect().width, window.innerWidth]",
        selector))
    return width


def stacked(page: Page, row: Locator) -> list[str]:
    """At phone width: a table row's cells (after its heading) as a person reads them, with
    the column's heading in front where the page shows it."""
    page.set_viewport_size(WIDTHS["phone"])  # type: ignore[arg-type]
    shown: list[str] = row.locator("td").evaluate_all("""cells => cells
        .filter(c => c.getClientRects().length)
        .map(c => (['none', 'normal'].includes(getComputedStyle(c, '::before').content)
                   ? '' : c.dataset.label + ': ') + c.innerText.trim())""")
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]
    return shown


@pytest.fixture(scope="module")
def session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A session of one seat: the long-named participant holds it, the other waits."""
    session_id = runtime.one_seat_session(tmp_path_factory.mktemp("catalogue"),
                                          ("passer-forum", "Lederforum om arbejdsmiljø"),
                                          ("passer-silkeborg", "Silkeborg",
                                           "Jysk Musik- og Teaterhus"),
                                          "2099-09-14")
    for person in (LONG, SHORT):
        runtime.remember(*person.values())
        status, _ = runtime.register({
            "session_id": session_id, "role": "other_leader_of_leaders", "member_number": "4711",
            "consent": True, "website": "", **person})
        assert status == 200
    return session_id


def test_the_sign_in_fits(runtime: Running, console: Page) -> None:
    console.goto(runtime.url + "/personale/")
    expect(console.get_by_role("button", name="Log ind")).to_be_visible()
    fits(console, "log-ind")


def test_the_secretariat_views_fit(runtime: Running, console: Page, session: str) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    mine = console.locator("tr", has=console.get_by_role("rowheader",
                                                          name=re.compile("^Silkeborg")))
    expect(mine).to_contain_text("1 af 1")
    fits(console, "sekretariat")
    wide, window = table_width(console, "#forum-liste table")
    assert wide > 48 * 16, (wide, window)  # wider than the old 48rem text column
    assert stacked(console, mine)[:2] == ["Pladser taget: 1 af 1",
                                                          "Venteliste: 1"]

    # The forms for a forum and for a session (a copy of this one: every field filled in).
    console.get_by_role("button", name="Nyt forum").click()
    expect(console.get_by_role("heading", name="Nyt forum")).to_be_visible()
    fits(console, "nyt-forum")
    mine.get_by_role("button", name=re.compile("^Kopiér")).click()
    expect(console.locator("#moede-tid-vist")).to_contain_text("september 2099")
    fits(console, "nyt-moede")
    mine.get_by_role("button", name=re.compile("^Ret mødet")).click()
    console.get_by_label("Sted", exact=True).fill("Jysk Musik- og Teaterhus, store sal")
    console.get_by_role("button", name="Se ændringer").click()
    expect(console.get_by_role("table", name="Det ændres")).to_contain_text("store sal")
    fits(console, "ret-moede")
    console.locator("#moede-form").get_by_role("button", name="Fortryd").click()

    mine.get_by_role("button", name=re.compile("^Deltagere")).click()
    participants = console.locator("#deltager-liste table")
    expect(participants).to_contain_text(LONG["name"])
    fits(console, "deltagere")
    assert table_width(console, "#deltager-liste table")[0] > 48 * 16
    shown = stacked(console, participants.locator("tr", has_text=LONG["name"]))
    assert shown[0] == "Status: Bekræftet" and shown[2] == f"E-mail: {LONG['email']}", shown
    # Screen readers still read a table: column headings and the row's cells.
    console.set_viewport_size(WIDTHS["phone"])  # type: ignore[arg-type]
    expect(console.get_by_role("columnheader", name="Arbejdsplads")).to_have_count(1)
    expect(console.get_by_role("cell", name=LONG["workplace"])).to_have_count(1)
    console.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]

    # Writing to the session's participants, with the email shown before it is sent.
    console.get_by_role("button", name="Skriv til deltagerne").click()
    console.locator("#skriv-form").get_by_label("Emne").fill("Nyt lokale i Silkeborg")
    console.locator("#skriv-form").get_by_label("Tekst", exact=True).fill(
        "Vi mødes i den store sal på første sal; der er skiltet fra indgangen.")
    console.get_by_role("button", name="Se mailen, før den sendes").click()
    expect(console.locator("#skriv-mail-tekst")).to_contain_text("store sal")
    fits(console, "skriv")
    console.locator("#skriv-fortryd").click()

    mine.get_by_role("button", name=re.compile("^Aflys")).click()
    console.get_by_label("Begrundelse").fill("Salen er lukket på grund af vandskade.")
    console.get_by_role("button", name="Aflys mødet …").click()
    expect(console.locator("#aflys-mail-tekst")).to_contain_text("Vi må desværre aflyse:")
    fits(console, "aflys")
    console.get_by_role("button", name="Fortryd").click()


def test_the_editor_views_fit(runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["editor"]
    sign_in(console, runtime, email, password)
    console.get_by_label("Id", exact=True).fill(ISSUE)
    console.get_by_label("Emnelinje").fill(SUBJECT)
    console.get_by_label("Tekst i Markdown").fill(
        "# Efterårets lederforummer\n\nTilmeldingen er åben til **alle** fire møder.\n")
    expect(console.locator("#eksempel-status")).to_have_text(f"Emne: {SUBJECT}")
    console.get_by_role("button", name="Gem kladde").click()
    expect(console.locator("#konsol-status")).to_have_text(f"Kladden {ISSUE} er gemt.")
    mine = console.locator("#numre-liste tr", has_text=ISSUE)
    expect(mine).to_contain_text("Kladde")
    fits(console, "redaktion")
    assert table_width(console, "#numre-liste table")[0] > 48 * 16
    assert stacked(console, mine)[0] == "Status: Kladde"
    console.get_by_role("button", name="Send nu …").click()
    expect(console.locator("#send-nu-advarsel")).to_contain_text("abonnent")
    fits(console, "redaktion-send-nu")
    console.get_by_role("button", name="Fortryd").last.click()


def test_the_subscriber_list_fits(runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["editor"]
    sign_in(console, runtime, email, password)
    long = "kirsten.marie.soendergaard-christiansen.abonnent@boerne-og-ungeforvaltningen.example.dk"
    runtime.remember(long)
    form = console.locator("#abonnent-ny-form")
    form.get_by_label("E-mail").fill(long)
    form.get_by_label("Navn").fill(LONG["name"])
    form.get_by_role("button", name="Tilføj").click()
    mine = console.locator("#abonnent-liste tr", has=console.get_by_role("rowheader", name=long))
    expect(mine).to_contain_text("Afventer bekræftelse", timeout=20_000)
    fits(console, "abonnenter")
    assert stacked(console, mine)[1] == "Status: Afventer bekræftelse"
    console.locator("#abonnent-fil").set_input_files({
        "name": "medlemmer.csv", "mimeType": "text/csv",
        "buffer": f"e-mail;navn\nikke-en-adresse;A\n{long};B\n".encode()})
    console.get_by_role("button", name="Se, hvad filen gør").click()
    expect(console.locator("#abonnent-import-fejl")).to_contain_text("Linje 2:")
    fits(console, "abonnenter-import")


def test_the_consultant_views_fit(runtime: Running, page: Page, console: Page) -> None:
    reference = send_request(runtime, page)
    email, password = demo_users(runtime)["consultant"]
    sign_in(console, runtime, email, password)
    expect(console.locator("#koe-antal table")).to_be_visible()
    fits(console, "raadgivning")
    assert stacked(console, console.locator("#koe-antal tbody tr").first)[0].startswith("Haster: ")

    take_until(console, reference)  # requests other tests sent may come first
    expect(console.locator("#mine table")).to_be_visible()  # my open requests, too
    fits(console, "raadgivning-henvendelse")
    console.get_by_label(re.compile("^Note")).fill("Ringede tilbage; aftalt møde i næste uge.")
    console.get_by_role("button", name="Afslut", exact=True).click()
    expect(console.locator("#konsol-status")).to_have_text(f"{reference} er afsluttet.")
    expect(console.locator("#historik table")).to_be_visible()
    fits(console, "raadgivning-historik")

    console.get_by_label("Afsenderens e-mailadresse").fill(LONG["email"])
    console.get_by_role("button", name="Søg", exact=True).last.click()
    expect(console.locator("#indsigt-svar")).not_to_be_empty()
    fits(console, "raadgivning-indsigt")


def test_the_privacy_officer_views_fit(runtime: Running, console: Page, session: str) -> None:
    email, password = demo_users(runtime)["privacy_officer"]
    sign_in(console, runtime, email, password)
    new = console.locator("#db-ny-form")
    new.get_by_label("Personens e-mailadresse").fill(LONG["email"])
    new.get_by_label("Modtaget den").fill("2026-12-01")
    new.get_by_role("button", name="Opret sag").click()
    expect(console.get_by_label("Sagens e-mailadresse")).to_have_value(LONG["email"])
    console.get_by_role("button", name="Søg", exact=True).click()
    found = console.get_by_role("table", name=f"Oplysninger om {LONG['email']}")
    expect(found).to_be_visible()
    console.get_by_role("button", name="Opdater revisionssporet").click()
    expect(console.locator("#db-spor table")).to_be_visible()
    fits(console, "databeskyttelse")
    cells: Any = stacked(console, found.locator("tbody tr").first)
    assert cells[0].startswith("Antal: "), cells
    console.get_by_role("button", name="Vis svar til medlemmet").click()
    expect(console.locator("#db-svar")).to_contain_text("Silkeborg")
    fits(console, "databeskyttelse-svar")


def test_the_administrator_views_fit(runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["administrator"]
    invited = "kirsten.marie.soendergaard-christiansen@administration.example.dk"
    runtime.leaders("staff", "invite", invited, "--role", "privacy_officer",
                    "--role", "secretariat")
    sign_in(console, runtime, email, password)
    listing = console.get_by_role("table", name="Alle med adgang til personalesiderne")
    expect(listing.locator("tbody tr").filter(has_text=invited)).to_be_visible()
    expect(console.locator("#adm-spor table")).to_be_visible()
    fits(console, "administration")
    cells: Any = stacked(console, listing.locator("tbody tr").filter(has_text=invited))
    assert cells[0] == "Roller: Sekretariatet, Databeskyttelse", cells
