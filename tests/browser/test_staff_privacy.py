"""The privacy officer's area in chromium against `make run`: the demo user signs in, opens a
case for an address registered and subscribed through the public forms (a bad address is a
Danish error on the field), picks it, searches and sees what is held per area, downloads the
export (a file named without the address), shows the answer to the member and prints it (the
letter alone on paper), corrects the person's name and phone (every registration and the
subscription; no email goes out; a repeat changes nothing), erases after a second button
that names the address and the counts, sees each step in the audit trail under the case, and
signing out clears the address and the results from the page. The seat given up goes to the
one waiting. axe on every state at both widths, and the page never scrolls sideways at
375 px; the runtime's log scan finds none of the person's data."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    WIDTHS,
    axe_at_both_widths,
    demo_users,
    exported,
    screenshot,
    sign_in,
)
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
PERSON = {"name": "Dorte Databeskyt", "email": "dorte.databeskyt@example.dk",
          "phone": "+4520304099"}
CORRECTED = "Dorte Rettet Databeskyt"
WAITING = {"name": "Villy Venteliste", "email": "villy.venteliste@example.dk"}


@pytest.fixture(scope="module")
def registered(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Dorte holds the one seat of a session (Villy waits behind her) and has signed up for
    the newsletter, both through the public API as the forms send them."""
    session = runtime.one_seat_session(tmp_path_factory.mktemp("catalogue"),
                                       ("databeskyttelse-forum", "Forum for databeskyttelse"),
                                       ("databeskyttelse-skagen", "Skagen", "Skagen Havn"),
                                       "2099-05-06")
    runtime.remember(*PERSON.values(), *WAITING.values())
    for person in (PERSON, WAITING):
        status, _ = runtime.register({
            "session_id": session, "role": "cluster_leader", "workplace": "Frederikshavn Kommune",
            "member_number": "8080", "consent": True, "website": "", **person})
        assert status == 200
    status, _ = runtime.json("POST", "/api/newsletter/subscriptions", {
        "name": PERSON["name"], "email": PERSON["email"], "role": "cluster_leader",
        "consent": True, "website": ""})
    assert status == 202
    return session


def fits_the_phone(console: Page) -> None:
    console.set_viewport_size(WIDTHS["phone"])  # type: ignore[arg-type]
    wide, window = console.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    spilling = console.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)""")
    console.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]
    assert wide <= window, f"{wide} px wide in a window of {window} px: {spilling}"


def test_the_privacy_officer_answers_a_case_corrects_and_erases(
        runtime: Running, console: Page, registered: str) -> None:
    email, password = demo_users(runtime)["privacy_officer"]
    sign_in(console, runtime, email, password)
    areas = console.get_by_role("navigation", name="Dine områder")
    expect(areas.get_by_role("link")).to_have_text(["Databeskyttelse"])
    expect(console.get_by_role("heading", name="Sekretariatet: forum og møder")).to_be_hidden()

    # A case is opened from the letter: the address, what is asked, the day it came.
    new = console.locator("#db-ny-form")
    field = new.get_by_label("Personens e-mailadresse")
    field.fill("dorte.databeskyt")
    new.get_by_role("button", name="Opret sag").click()
    expect(console.locator("#db-ny-email-fejl")).to_have_text("Indtast en gyldig e-mailadresse.")
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_at_both_widths(console, "databeskyttelse-fejl")
    field.fill(PERSON["email"].upper())
    new.get_by_label("Personen beder om").select_option(label="Indsigt")
    new.get_by_label("Modtaget den").fill("2026-12-01")
    new.get_by_role("button", name="Opret sag").click()
    expect(console.locator("#konsol-status")).to_have_text(re.compile(
        r"^Sag DB-\d{4}-\d{4} \(Indsigt\) er åben\.$"))
    expect(console.locator("#db-sag")).not_to_have_value("")
    case = console.locator("#db-sag").input_value()
    assert re.fullmatch(r"DB-\d{4}-\d{4}", case)
    expect(console.get_by_role("heading", name=f"Sag {case}: Indsigt")).to_be_visible()
    expect(console.get_by_label("Sag", exact=True)).to_contain_text(
        f"{case} · Indsigt · {PERSON['email']} · modtaget 1. december 2026")
    address = console.get_by_label("Sagens e-mailadresse")
    expect(address).to_have_value(PERSON["email"])
    assert address.evaluate("input => input.readOnly")

    console.get_by_role("button", name="Søg", exact=True).click()
    found = console.get_by_role("table", name=f"Oplysninger om {PERSON['email']}")
    forums = found.locator("tr", has=console.get_by_role("rowheader",
                                                         name="Lederforum: tilmeldinger"))
    expect(forums).to_contain_text("1 bekræftet")
    newsletter = found.locator("tr", has=console.get_by_role("rowheader", name="Nyhedsbrevet"))
    expect(newsletter).to_contain_text("1 afventer bekræftelse")
    advisory = found.locator("tr", has=console.get_by_role(
        "rowheader", name="Henvendelser til lederkonsulenten"))
    expect(advisory).to_contain_text("Ikke søgt")
    expect(found).not_to_contain_text(PERSON["name"])  # counts, no contents
    axe_at_both_widths(console, "databeskyttelse-soeg")

    named, found_all = exported(console, console.get_by_role("button", name="Hent udtræk"))
    expect(console.locator("#konsol-status")).to_have_text(f"Udtrækket er hentet som {named}.")
    [registration] = found_all["forums"]
    assert registration["name"] == PERSON["name"] and registration["status"] == "confirmed"
    assert found_all["newsletter"][0]["email"] == PERSON["email"]
    assert found_all["not_searched"] == ["advisory"]

    # The answer to the member, on screen and then on paper alone.
    console.get_by_role("button", name="Vis svar til medlemmet").click()
    letter = console.locator("#db-svar")
    expect(letter).to_contain_text("Svar på din anmodning om indsigt")
    for text in ("Forum for databeskyttelse", "Skagen", "Tilmeldt: du har en plads",
                 "Du har bedt om nyhedsbrevet", "Datatilsynet", f"Sag {case}"):
        expect(letter).to_contain_text(text)
    expect(letter).not_to_contain_text(WAITING["name"])
    expect(letter).not_to_contain_text("confirmed")
    axe_at_both_widths(console, "databeskyttelse-svar")
    fits_the_phone(console)
    console.emulate_media(media="print")
    for width, size in WIDTHS.items():
        console.set_viewport_size(size)  # type: ignore[arg-type]
        screenshot(console, f"databeskyttelse-svar-udskrift-{width}")
    assert console.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getClientRects().length && !e.closest('#db-svar')
                     && !e.querySelector('#db-svar'))
        .map(e => e.tagName)""") == []  # on paper: the letter alone
    console.emulate_media(media="screen")
    console.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]

    # A correction: every registration and the subscription, no email; again: nothing.
    runtime.settle()
    mails_before = len(runtime.json("GET", "/_local/outbox")[1])
    fix = console.locator("#db-ret-form")
    fix.get_by_role("button", name="Ret oplysningerne").click()
    expect(console.locator("#db-ret-navn-fejl")).to_have_text(
        "Skriv mindst én oplysning, der skal rettes.")
    fix.get_by_label("Telefon").fill("ring")
    fix.get_by_role("button", name="Ret oplysningerne").click()
    expect(console.locator("#db-ret-telefon-fejl")).not_to_be_empty()
    runtime.remember(CORRECTED)
    fix.get_by_label("Navn").fill(CORRECTED)
    fix.get_by_label("Telefon").fill("20 30 40 98")
    fix.get_by_role("button", name="Ret oplysningerne").click()
    expect(console.locator("#db-ret-svar")).to_have_text(re.compile(
        r"^Rettet i 1 tilmelding og tilmeldingen til nyhedsbrevet\. Revisionsspor: "))
    axe_at_both_widths(console, "databeskyttelse-rettet")
    fits_the_phone(console)
    participants = runtime.leaders("forums", "participants", registered)
    assert CORRECTED in participants
    fix.get_by_role("button", name="Ret oplysningerne").click()
    expect(console.locator("#db-ret-svar")).to_have_text(re.compile(r"^Der var intet at rette"))
    # A number that is not the person's is removed, not replaced.
    fix.get_by_label("Slet det nuværende nummer").check()
    fix.get_by_role("button", name="Ret oplysningerne").click()
    expect(console.locator("#db-ret-svar")).to_have_text(re.compile(r"^Rettet i 1 tilmelding "))
    runtime.settle()
    assert len(runtime.json("GET", "/_local/outbox")[1]) == mails_before

    console.get_by_role("button", name="Slet alt …").click()
    warning = console.locator("#db-advarsel")
    expect(warning).to_contain_text(f"Vil du slette alle oplysninger om {PERSON['email']}?")
    expect(warning).to_contain_text("Lederforum: tilmeldinger: 1, Nyhedsbrevet: 1")
    axe_at_both_widths(console, "databeskyttelse-spoerg")
    console.get_by_role("button", name=f"Ja, slet alt om {PERSON['email']}").click()
    expect(console.locator("#db-resultat")).to_contain_text(
        "Lederforum: tilmeldinger: 1, Nyhedsbrevet: 1. Revisionsspor:")
    # The line about the export is about data that no longer exists.
    expect(console.locator("#konsol-status")).to_be_hidden()
    trail = console.get_by_role("table", name="De nyeste anmodninger, nyeste først")
    newest = trail.locator("tbody tr").first
    expect(newest).to_contain_text("Sletning")
    expect(newest).to_contain_text(case)
    expect(newest).to_contain_text(email)
    for action in ("Søgning", "Udtræk", "Svar til medlemmet", "Rettelse"):
        expect(trail.locator("tr", has_text=case).filter(has_text=action).first).to_be_visible()
    expect(trail).not_to_contain_text(PERSON["email"])
    axe_at_both_widths(console, "databeskyttelse-slettet")

    participants = runtime.leaders("forums", "participants", registered)
    assert WAITING["name"] in participants and CORRECTED not in participants

    console.get_by_role("button", name="Afslut sagen").click()
    expect(console.locator("#konsol-status")).to_have_text(f"Sag {case} er afsluttet.")
    expect(console.locator("#db-sag option", has_text=case)).to_have_count(0)

    console.get_by_role("button", name="Log ud").click()
    expect(console.locator("#konsol-status")).to_have_text("Du er logget ud.")
    assert console.locator("#db-email").input_value() == ""
    for part in ("#db-resultat", "#db-spor", "#db-advarsel", "#db-svar"):
        assert console.locator(part).inner_text() == ""


GUDRUN = {"name": "Gudrun Sagsbidrag", "email": "gudrun.sagsbidrag@example.dk",
          "phone": "+4522113344"}
GUDRUN_TEXT = "Fortroligt: jeg overvejer at sige op som områdeleder."


def test_the_consultant_contributes_the_advisory_part_to_the_officers_answer(
        runtime: Running, console: Page) -> None:
    runtime.remember(*GUDRUN.values(), GUDRUN_TEXT)
    status, _ = runtime.json("POST", "/api/advisory-requests", {
        "kind": "conversation", **GUDRUN, "message": GUDRUN_TEXT, "consent": True,
        "website": ""})
    assert status == 202
    officer, officer_password = demo_users(runtime)["privacy_officer"]
    sign_in(console, runtime, officer, officer_password)
    new = console.locator("#db-ny-form")
    new.get_by_label("Personens e-mailadresse").fill(GUDRUN["email"])
    new.get_by_label("Modtaget den").fill("2026-12-02")
    new.get_by_role("button", name="Opret sag").click()
    expect(console.locator("#db-sag")).not_to_have_value("")
    case = console.locator("#db-sag").input_value()
    console.get_by_role("button", name="Log ud").click()

    consultant, consultant_password = demo_users(runtime)["consultant"]
    sign_in(console, runtime, consultant, consultant_password)
    section = console.get_by_role("region",
                                  name="Databeskyttelse: henvendelser fra en e-mailadresse")
    section.get_by_label("Sag fra databeskyttelse").select_option(value=case)
    expect(section.get_by_label("Afsenderens e-mailadresse")).to_have_value(GUDRUN["email"])
    section.get_by_role("button", name="Bidrag til svaret på sagen").click()
    expect(console.locator("#indsigt-svar")).to_contain_text(
        f"Bidraget til svaret på sag {case}: 1 henvendelse")
    axe_at_both_widths(console, "raadgivning-bidrag")
    console.get_by_role("button", name="Log ud").click()

    sign_in(console, runtime, officer, officer_password)
    console.locator("#db-sag").select_option(value=case)
    console.get_by_role("button", name="Vis svar til medlemmet").click()
    letter = console.locator("#db-svar")
    expect(letter).to_contain_text("Vi har 1 henvendelse fra dig")
    expect(letter).to_contain_text("Anmodning om en fortrolig samtale eller sparring")
    expect(letter).not_to_contain_text(GUDRUN_TEXT)
    expect(letter).not_to_contain_text("Lederkonsulenten har endnu ikke bidraget")
