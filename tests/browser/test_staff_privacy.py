"""The privacy officer's area in chromium against `make run`: the demo user signs in, searches
an address registered and subscribed through the public forms, sees what is held per area,
downloads the export (a file named without the address), erases after a second button that
names the address and the counts, sees the erasure in the audit trail, and signing out clears
the address and the results from the page. The seat given up goes to the one waiting. axe on
every state at both widths; the runtime's log scan finds none of the person's data."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, exported, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
PERSON = {"name": "Dorte Databeskyt", "email": "dorte.databeskyt@example.dk",
          "phone": "+4520304099"}
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


def test_the_privacy_officer_searches_downloads_erases_and_sees_the_audit(
        runtime: Running, console: Page, registered: str) -> None:
    email, password = demo_users(runtime)["privacy_officer"]
    sign_in(console, runtime, email, password)
    areas = console.get_by_role("navigation", name="Dine områder")
    expect(areas.get_by_role("link")).to_have_text(["Databeskyttelse"])
    expect(console.get_by_role("heading", name="Sekretariatet: forum og møder")).to_be_hidden()
    field = console.get_by_label("Personens e-mailadresse")

    field.fill("dorte.databeskyt")
    console.get_by_role("button", name="Søg", exact=True).click()
    expect(console.locator("#db-email-fejl")).to_have_text("Indtast en gyldig e-mailadresse.")
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_at_both_widths(console, "databeskyttelse-fejl")

    field.fill(PERSON["email"].upper())
    console.get_by_role("button", name="Søg", exact=True).click()
    found = console.get_by_role("table", name=f"Oplysninger om {PERSON['email'].upper()}")
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

    console.get_by_role("button", name="Slet alt …").click()
    warning = console.locator("#db-advarsel")
    expect(warning).to_contain_text(f"Vil du slette alle oplysninger om {PERSON['email'].upper()}?")
    expect(warning).to_contain_text("Lederforum: tilmeldinger: 1, Nyhedsbrevet: 1")
    axe_at_both_widths(console, "databeskyttelse-spoerg")
    console.get_by_role("button", name=f"Ja, slet alt om {PERSON['email'].upper()}").click()
    expect(console.locator("#db-resultat")).to_contain_text(
        "Lederforum: tilmeldinger: 1, Nyhedsbrevet: 1. Revisionsspor:")
    # The line about the export is about data that no longer exists.
    expect(console.locator("#konsol-status")).to_be_hidden()
    trail = console.get_by_role("table", name="De nyeste anmodninger, nyeste først")
    newest = trail.locator("tbody tr").first
    expect(newest).to_contain_text("Sletning")
    expect(newest).to_contain_text(email)
    expect(trail).not_to_contain_text(PERSON["email"])
    axe_at_both_widths(console, "databeskyttelse-slettet")

    participants = runtime.leaders("forums", "participants", registered)
    assert WAITING["name"] in participants and PERSON["name"] not in participants

    console.get_by_role("button", name="Log ud").click()
    expect(console.locator("#konsol-status")).to_have_text("Du er logget ud.")
    assert console.locator("#db-email").input_value() == ""
    for part in ("#db-resultat", "#db-spor", "#db-advarsel"):
        assert console.locator(part).inner_text() == ""
