"""The pages a native reader went through, as chromium shows them at 1280 and 375 px (the
screenshots go to test-artifacts/pages/ord-*.png): the forum list says "møder", a session
closed early or cancelled says so once, times read "søndag den 17. januar 2027 kl. 09.30"
whatever the browser's own zone, and the sign-in's password field looks like every field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WIDTHS, screenshot, serious_violations
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sessions(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Two sessions far ahead: one the secretariat closed long before its deadline, one it
    cancelled."""
    folder = tmp_path_factory.mktemp("catalogue")
    closed = runtime.one_seat_session(folder, ("ord-lukket", "Lukket i god tid"),
                                      ("ord-lukket-vordingborg", "Vordingborg", "Borgcentret"),
                                      "2099-05-05")
    cancelled = runtime.one_seat_session(folder, ("ord-aflyst", "Aflyst igen"),
                                         ("ord-aflyst-skive", "Skive", "Fængslet"),
                                         "2099-05-06")
    runtime.leaders("forums", "close", closed)
    runtime.leaders("forums", "cancel-session", cancelled, "--reason", "For få tilmeldte.",
                    "--yes")
    return closed, cancelled


@pytest.fixture
def abroad(browser: Browser) -> Iterator[Page]:
    """A browser in another time zone: times are Danish time all the same."""
    context = browser.new_context(viewport=WIDTHS["desktop"], locale="da-DK",  # type: ignore[arg-type]
                                  timezone_id="America/New_York")
    opened = context.new_page()
    yield opened
    context.close()


def both_widths(page: Page, name: str) -> None:
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        assert serious_violations(page) == [], f"{name} at {width}"
        screenshot(page, f"ord-{name}-{width}")
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]


def test_the_forum_list_says_each_thing_once_in_danish_time(
        runtime: Running, abroad: Page, sessions: tuple[str, str]) -> None:
    page = abroad
    page.goto(runtime.url + "/")
    expect(page.get_by_role("heading", name="Kommende møder")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Her finder du de kommende lederforummer.")
    closed = page.locator(".session", has_text="Vordingborg")
    expect(closed.locator(".status")).to_have_text(["Borgcentret", "Tilmelding lukket"])
    expect(closed).not_to_contain_text("Fristen")
    cancelled = page.locator(".session", has_text="Skive")
    expect(cancelled.locator(".status")).to_have_text(["Fængslet", "Aflyst"])
    expect(cancelled).not_to_contain_text("Mødet er aflyst")
    # The session's time as tid.js writes it (the catalogue file: 09:30-15:00 Danish time).
    text = closed.text_content() or ""
    assert "– tirsdag den 5. maj 2099 kl. 09.30–15.00" in text, text
    open_rows = page.locator(".session .frist")
    for shown in open_rows.all_text_contents():
        assert re.fullmatch(r"Tilmelding senest \w+dag den \d{1,2}\. \w+ \d{4} kl\. \d\d\.\d\d\.",
                            shown), shown
    # The demo forum for administration staff says so once, in the audience line only.
    both_widths(page, "forside")
    box = page.locator("article.forum", has_text="Ledelseskommissionens anbefalinger")
    if box.count():
        expect(box).not_to_contain_text("Forvaltningsansatte er også velkomne")
        expect(box).to_contain_text("Også for ansatte i forvaltningen.")

    page.goto(f"{runtime.url}/tilmelding.html?session={sessions[1]}")
    expect(page.locator("#session-detaljer")).to_contain_text("Mødet er aflyst.")
    expect(page.locator("#session-detaljer")).not_to_contain_text("lukket for tilmelding")
    page.goto(f"{runtime.url}/tilmelding.html?session={sessions[0]}")
    expect(page.locator("#session-detaljer")).to_contain_text(
        "Der er lukket for tilmelding til dette møde.")
    expect(page.locator("#session-detaljer")).not_to_contain_text("Fristen")


def test_the_forms_say_what_to_do(runtime: Running, page: Page) -> None:
    page.goto(runtime.url + "/lederkonsulent.html")
    expect(page.locator("#forklaring")).to_contain_text(
        "tilbyder fortrolige samtaler og sparring og hører gerne dine idéer. Det, du skriver,")
    expect(page.get_by_label("En idé eller udfordring om at finde, motivere og uddanne "
                             "pædagoger til ledelse")).to_be_visible()
    page.get_by_role("button", name="Send til lederkonsulenten").click()
    expect(page.locator("#fejl-consent")).to_have_text("Sæt kryds for at give dit samtykke.")
    both_widths(page, "lederkonsulent")
    page.goto(runtime.url + "/privatliv.html")
    expect(page.locator("main")).to_contain_text(
        "Afmelder du dig, gemmer vi dit navn, din mail og din stilling i 30 dage, så du ikke "
        "får flere numre, og sletter dem derefter")
    both_widths(page, "privatliv")


def test_the_password_field_looks_like_the_address_field(runtime: Running, page: Page) -> None:
    page.goto(runtime.url + "/personale/")
    email, password = page.locator("#log-ind-form").get_by_label("E-mail", exact=True), \
        page.get_by_label("Adgangskode", exact=True)
    expect(password).to_be_visible()
    style = "e => { const s = getComputedStyle(e); return [s.width, s.borderTopWidth, " \
            "s.borderTopColor, s.paddingTop, s.borderTopLeftRadius]; }"
    assert password.evaluate(style) == email.evaluate(style)
    both_widths(page, "personale-log-ind")


def test_the_one_function_writes_times_in_the_browser_too(runtime: Running, abroad: Page) -> None:
    abroad.goto(runtime.url + "/")
    moment = datetime(2027, 1, 17, 8, 30, tzinfo=UTC).isoformat()
    assert abroad.evaluate("m => window.danskTid.time(m)", moment) == \
        "søndag den 17. januar 2027 kl. 09.30"
