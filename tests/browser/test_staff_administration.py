"""The administrator's area and the sign-in's own help, in chromium against `make run`: the
demo administrator invites a colleague with a role (the emulator sends no email, so the page
shows the temporary password), the colleague chooses a password and sets up the app from a QR
code that holds the otpauth URI of the key shown beside it; the administrator adds a role,
disables (after a question), enables, resets the password (after a question) and removes
(after a question), and every change is in the audit with the administrator's address; the
last administrator cannot disable themselves. "Glemt adgangskode?" sends a code and sets a
new password. axe at both widths on each view."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WIDTHS, axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running
from tests.support.staff import totp_code
from tests.support.staff_pages import confirmed_user, qr_modules

pytestmark = pytest.mark.e2e
COLLEAGUE = "kollega.administration@example.dk"


def test_the_administrator_invites_changes_and_removes_a_colleague(
        runtime: Running, console: Page, browser: Browser) -> None:
    admin, password = demo_users(runtime)["administrator"]
    sign_in(console, runtime, admin, password)
    area = console.locator("#administrator")
    expect(area.get_by_role("heading", name="Administrator: personalets adgang")).to_be_visible()
    listing = console.get_by_role("table", name="Alle med adgang til personalesiderne")
    expect(listing).to_be_visible()

    # Invite: the form refuses without an address and a role, in Danish, per field.
    area.get_by_role("button", name="Inviter", exact=True).click()
    expect(console.locator("#adm-email-fejl")).to_have_text("Skriv personens e-mailadresse.")
    expect(console.locator("#adm-roller-fejl")).to_have_text("Vælg mindst én rolle.")
    area.get_by_label("E-mailadresse").fill(COLLEAGUE)
    area.locator("#adm-roller").get_by_label("Redaktøren").check()
    area.get_by_role("button", name="Inviter", exact=True).click()
    status = console.locator("#adm-status")
    expect(status).to_contain_text(f"{COLLEAGUE} er inviteret som Redaktøren.")
    temporary = re.search(r"midlertidig adgangskode: (\S+)", status.inner_text())
    assert temporary
    row = console.locator("#adm-liste tbody tr").filter(has_text=COLLEAGUE)
    expect(row).to_contain_text("Inviteret")
    expect(row).to_contain_text("Godkendelsesapp ikke sat op")
    axe_at_both_widths(console, "administration")

    # The colleague signs in, chooses a password and sets up the app from the QR code.
    other = browser.new_context(viewport=WIDTHS["desktop"], locale="da-DK")  # type: ignore[arg-type]
    colleague = other.new_page()
    colleague.goto(runtime.url + "/personale/")
    colleague.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(COLLEAGUE)
    colleague.get_by_label("Adgangskode", exact=True).fill(temporary.group(1))
    colleague.get_by_role("button", name="Log ind").click()
    chosen = "Kollegaens-Egen-Kode-2027"
    colleague.get_by_label("Ny adgangskode").fill(chosen)
    colleague.get_by_label("Gentag adgangskoden").fill(chosen)
    colleague.get_by_role("button", name="Gem adgangskode").click()
    qr = colleague.get_by_role("img", name="QR-kode med nøglen til din app")
    expect(qr).to_be_visible()
    secret = colleague.locator("#mfa-noegle").inner_text()
    uri = (f"otpauth://totp/Ledere%20af%20ledere:{quote(COLLEAGUE, safe='')}"
           f"?secret={secret}&issuer=Ledere%20af%20ledere")
    assert colleague.locator("#mfa-qr").get_attribute("data-uri") == uri
    assert qr.locator("path").get_attribute("d") == qr_modules(uri)
    axe_at_both_widths(colleague, "mfa-qr")
    colleague.get_by_label("Kode fra appen").fill(totp_code(secret))
    colleague.get_by_role("button", name="Bekræft").click()
    expect(colleague.get_by_role("heading", name=f"Logget ind som {COLLEAGUE}")).to_be_visible()
    other.close()

    # A role more, through the role editor.
    console.get_by_role("button", name="Opdater listen").click()
    expect(row).to_contain_text("Aktiv")
    # The app set up at the first sign-in is the colleague's MFA: a lost phone can be reset.
    expect(row).to_contain_text("Godkendelsesapp sat op")
    row.get_by_role("button", name=f"Skift roller: {COLLEAGUE}").click()
    console.locator("#adm-roller-valg").get_by_label("Sekretariatet").check()
    console.get_by_role("button", name="Gem roller").click()
    expect(status).to_contain_text(f"{COLLEAGUE} har nu rollen Sekretariatet.")
    expect(row).to_contain_text("Sekretariatet, Redaktøren")

    # Disable after a question, then enable.
    row.get_by_role("button", name=f"Spær: {COLLEAGUE}").click()
    expect(console.locator("#adm-advarsel")).to_contain_text(f"Vil du spærre {COLLEAGUE}?")
    console.get_by_role("button", name="Fortryd").click()
    expect(row).not_to_contain_text("Spærret")
    row.get_by_role("button", name=f"Spær: {COLLEAGUE}").click()
    console.get_by_role("button", name=f"Ja, spær {COLLEAGUE}").click()
    expect(row).to_contain_text("Spærret")
    row.get_by_role("button", name=f"Giv adgang igen: {COLLEAGUE}").click()
    expect(row).to_contain_text("Aktiv")

    # Reset the password after a question.
    row.get_by_role("button", name=f"Nulstil adgangskode: {COLLEAGUE}").click()
    console.get_by_role("button", name="Ja, nulstil adgangskoden").click()
    expect(row).to_contain_text("Skal vælge ny adgangskode")

    # The last administrator cannot disable themselves.
    mine = console.locator("#adm-liste tbody tr").filter(has_text=admin)
    mine.get_by_role("button", name=f"Spær: {admin}").click()
    console.get_by_role("button", name=f"Ja, spær {admin}").click()
    expect(status).to_have_text("Der skal altid være mindst én aktiv administrator. Gør en "
                                "anden til administrator først.")
    expect(mine).to_contain_text("Aktiv")

    # Remove after a question; the audit names every change and who made it.
    row.get_by_role("button", name=f"Fjern: {COLLEAGUE}").click()
    console.get_by_role("button", name=f"Ja, fjern {COLLEAGUE}").click()
    expect(status).to_contain_text(f"{COLLEAGUE} er fjernet")
    expect(row).to_have_count(0)
    trail = console.locator("#adm-spor tbody tr").filter(has_text=COLLEAGUE)
    expect(trail).to_have_count(6)
    for change in ("Inviteret", "Rolle tilføjet", "Spærret", "Adgang givet igen",
                   "Adgangskode nulstillet", "Fjernet"):
        expect(trail.filter(has_text=change).first).to_contain_text(admin)
    axe_at_both_widths(console, "administration-spor")


def test_a_forgotten_password_is_replaced_with_the_emailed_code(
        runtime: Running, console: Page) -> None:
    email, old = "glemsom.redaktoer@example.dk", "Den-Gamle-Adgangskode-1"
    confirmed_user(runtime, email, "editor", old)
    console.goto(runtime.url + "/personale/")
    console.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(email)
    console.get_by_role("button", name="Glemt adgangskode?").click()
    expect(console.get_by_role("heading", name="Glemt adgangskode")).to_be_visible()
    expect(console.locator("#glemt-email")).to_have_value(email)
    axe_at_both_widths(console, "glemt")
    console.get_by_role("button", name="Send kode").click()
    expect(console.locator("#ny-kode-besked")).to_contain_text("har vi sendt en kode til den")
    # The emulator sends no email; it takes any code that is not one of its own.
    console.get_by_label("Kode fra e-mailen").fill("123456")
    new = "Den-Nye-Adgangskode-2027"
    console.get_by_label("Din nye adgangskode").fill(new)
    console.get_by_label("Gentag den nye adgangskode").fill(new + "x")
    console.get_by_role("button", name="Gem ny adgangskode").click()
    expect(console.locator("#ny-kode-fejl")).to_have_text("De to adgangskoder er ikke ens.")
    console.get_by_label("Gentag den nye adgangskode").fill(new)
    axe_at_both_widths(console, "ny-kode")
    console.get_by_role("button", name="Gem ny adgangskode").click()
    expect(console.locator("#konsol-status")).to_have_text(
        "Din adgangskode er skiftet. Log ind med den nye.")
    expect(console.locator("#email")).to_have_value(email)
    console.get_by_label("Adgangskode", exact=True).fill(new)
    console.get_by_role("button", name="Log ind").click()
    expect(console.get_by_role("heading", name=f"Logget ind som {email}")).to_be_visible()
