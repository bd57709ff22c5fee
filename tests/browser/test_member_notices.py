"""What a member is told: the registration deadline (and that registration has closed after
it), how their data is handled (the privacy page every form links to), what a cancel link is
about before its button, what to do with a link that failed; the browser checks addresses
and phones exactly as the server does; no page asks for a file that is not there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, expect

from pages.site import site_values
from shared.privacy_notice import PRIVACY_NOTICE_VERSION
from tests.browser.conftest import link_in, serious_violations
from tests.e2e.conftest import Running
from tests.support.contact import TABLE
from tests.support.pages import field, fill_registration

pytestmark = pytest.mark.e2e
CONTACT = site_values()["contact_email"]


@pytest.fixture(scope="module")
def sessions(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """An open session (deadline 1 January 2099) and one whose deadline has passed but which
    is still ahead (deadline 1 January 2026, held on 20 December 2026)."""
    folder = tmp_path_factory.mktemp("catalogue")
    open_ = runtime.one_seat_session(folder, ("frist-forum", "Frister og fremmøde"),
                                     ("frist-aabent", "Odder", "Rådhuset"), "2099-05-05")
    late = runtime.one_seat_session(folder, ("sent-forum", "Sent på den"),
                                    ("frist-lukket", "Tønder", "Kulturhuset"), "2026-12-20")
    return open_, late


def test_the_deadline_shows_and_after_it_registration_is_closed(
    runtime: Running, page: Page, sessions: tuple[str, str]
) -> None:
    open_, late = sessions
    page.goto(runtime.url + "/")
    row = page.locator(".session", has_text="Odder")
    expect(row).to_contain_text("Tilmelding senest torsdag den 1. januar 2099 kl. ")
    expect(row.get_by_role("link", name=re.compile("^Tilmeld dig"))).to_be_visible()
    closed = page.locator(".session", has_text="Tønder")
    # Closed says so once, without a deadline (the secretariat may close before it).
    expect(closed.locator(".status")).to_have_text(["Kulturhuset", "Tilmelding lukket"])
    expect(closed).not_to_contain_text("Fristen")
    expect(closed).not_to_contain_text("Tilmeldingen er lukket")
    expect(closed.get_by_role("link")).to_have_count(0)

    page.goto(f"{runtime.url}/tilmelding.html?session={open_}")
    expect(page.locator("#session-detaljer")).to_contain_text(
        "Tilmelding senest torsdag den 1. januar 2099 kl. ")
    page.goto(f"{runtime.url}/tilmelding.html?session={late}")
    expect(page.locator("#session-detaljer")).to_contain_text("lukket for tilmelding")
    expect(page.locator("form[data-endpoint]")).to_be_hidden()


@pytest.mark.parametrize("form", ["/tilmelding.html?session=frist-aabent", "/nyhedsbrev.html",
                                  "/lederkonsulent.html"])
def test_every_form_links_to_the_privacy_page(
    runtime: Running, page: Page, sessions: tuple[str, str], form: str
) -> None:
    page.goto(runtime.url + form)
    link = page.locator(".samtykke").get_by_role("link", name=re.compile("behandler"))
    expect(link).to_have_attribute("href", "/privatliv.html")
    page.goto(runtime.url + "/privatliv.html")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sådan behandler vi dine oplysninger")
    expect(page.locator("#privatliv-version")).to_have_text(PRIVACY_NOTICE_VERSION)
    expect(page.locator("main")).to_contain_text(CONTACT)
    expect(page.locator("main")).to_contain_text("Datatilsynet")


def test_the_cancel_page_names_the_session_before_its_button(
    runtime: Running, page: Page, sessions: tuple[str, str]
) -> None:
    open_, _ = sessions
    runtime.remember("Hans Afbud", "hans.afbud@example.dk")
    page.goto(f"{runtime.url}/tilmelding.html?session={open_}")
    fill_registration(page, "Hans Afbud", "hans.afbud@example.dk")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.locator("#resultat")).to_contain_text("Tjek din mail")
    page.goto(link_in(runtime.mails("hans.afbud@example.dk", "Bekræft din tilmelding")[0],
                      "bekraeft-tilmelding.html"))
    page.get_by_role("button", name="Bekræft tilmelding").click()
    expect(page.locator("#resultat")).to_contain_text("Du har fået en plads")

    page.goto(link_in(runtime.mails("hans.afbud@example.dk", "Bekræftelse")[0], "afmeld.html"))
    about = page.locator("#om-linket")
    expect(about.get_by_role("heading", name="Frister og fremmøde")).to_be_visible()
    expect(about).to_contain_text("Odder, Rådhuset")
    expect(about).to_contain_text("5. maj 2099")
    expect(page.get_by_role("button", name="Afmeld mig")).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize(("page_name", "next_step"), [
    ("afmeld.html", CONTACT), ("bekraeft-tilmelding.html", "Tilmeld dig igen"),
    ("bekraeft-nyhedsbrev.html", "Tilmeld dig nyhedsbrevet igen"),
])
def test_a_failed_link_says_what_to_do_next(
    runtime: Running, page: Page, page_name: str, next_step: str
) -> None:
    page.goto(f"{runtime.url}/{page_name}?token=udl%C3%B8bet.eller.forkert")
    button = page.locator("form[data-endpoint] button")
    # The registration's landing pages find out before showing their buttons.
    if page_name not in ("afmeld.html", "bekraeft-tilmelding.html"):
        button.click()
    failed = page.locator("#ugyldigt-link")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("Linket er ugyldigt eller udløbet")
    expect(failed).to_contain_text(next_step)
    expect(page.locator("form[data-endpoint]")).to_be_hidden()
    assert serious_violations(page) == []


def test_the_browser_checks_addresses_and_phones_as_the_server_does(
    runtime: Running, page: Page, sessions: tuple[str, str]
) -> None:
    page.goto(f"{runtime.url}/tilmelding.html?session={sessions[0]}")
    page.wait_for_function("window.libphonenumber !== undefined")
    verdicts = page.evaluate(
        "cases => cases.map(([rule, v]) => window.lederChecks[rule](v.trim()))",
        [[rule, typed] for rule, typed, _ in TABLE])
    assert verdicts == [stored is not None for _, _, stored in TABLE]

    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    fill_registration(page, "Mette Prøve", "mette@example")
    field(page, "Telefon").fill("(((((((((")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.locator("#fejl-email")).to_have_text("Indtast en gyldig e-mailadresse.")
    expect(page.locator("#fejl-phone")).to_have_text("Indtast et gyldigt telefonnummer.")
    assert sent == []  # refused in the browser, as the server would


def test_no_page_asks_for_a_missing_file(runtime: Running, page: Page) -> None:
    missing: list[str] = []

    def note(response: Response) -> None:
        if response.status == 404:
            missing.append(response.url)

    page.on("response", note)
    for path in ("/", "/nyhedsbrev.html", "/lederkonsulent.html", "/privatliv.html"):
        page.goto(runtime.url + path)
        page.wait_for_load_state("networkidle")
    assert missing == []
