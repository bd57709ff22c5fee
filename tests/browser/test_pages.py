"""What a member does in a browser: register, confirm from the mailed link, cancel by the
link, subscribe and confirm
and unsubscribe, write to the consultant in each of the three ways, and see field errors
next to their fields. Every page passes axe-core and is photographed at both widths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    WIDTHS,
    link_in,
    screenshot,
    serious_violations,
)
from tests.e2e.conftest import Running
from tests.support.pages import field, fill_registration

pytestmark = pytest.mark.e2e
SESSION = "browser-vejle"


@pytest.fixture(scope="module")
def one_seat(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A forum session with one seat, so taking and freeing it shows on the list."""
    return runtime.one_seat_session(tmp_path_factory.mktemp("catalogue"),
                                    ("browser-forum", "Ledelse på tværs af huse"),
                                    (SESSION, "Vejle", "Spinderihallerne"), "2099-03-02")


def session_row(page: Page, runtime: Running) -> str:
    page.goto(runtime.url + "/")
    row = page.locator(".session", has_text="Vejle")
    expect(row).to_be_visible()
    return row.inner_text()


def test_register_then_cancel_by_the_link_frees_the_seat(
    runtime: Running, page: Page, one_seat: str
) -> None:
    runtime.remember("Karen Vestergaard", "karen@example.dk")
    assert "Ledige pladser: 1" in session_row(page, runtime)
    page.get_by_role("link", name="Tilmeld dig: Ledelse på tværs af huse, Vejle").click()
    expect(page.get_by_role("heading", name="Ledelse på tværs af huse")).to_be_visible()
    fill_registration(page, "Karen Vestergaard", "karen@example.dk")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.locator("#resultat")).to_contain_text("Tjek din mail og bekræft din tilmelding")
    assert "Ledige pladser: 1" in session_row(page, runtime)  # nothing taken yet

    mailed = runtime.mails("karen@example.dk", "Bekræft din tilmelding")[0]
    page.goto(link_in(mailed, "bekraeft-tilmelding.html"))
    expect(page.get_by_role("heading", name="Bekræft din tilmelding")).to_be_visible()
    assert "Ledige pladser: 1" in session_row(page, runtime)  # opening the link changed nothing
    page.goto(link_in(mailed, "bekraeft-tilmelding.html"))
    page.get_by_role("button", name="Bekræft tilmelding").click()
    expect(page.locator("#resultat")).to_contain_text("Du har fået en plads")
    assert "Fuldt" in session_row(page, runtime)

    confirmation = runtime.mails("karen@example.dk", "Bekræftelse")[0]
    assert confirmation["attachments"] == [{"filename": "forum.ics",
                                            "content_type": "text/calendar"}]
    page.goto(link_in(confirmation, "afmeld.html"))
    expect(page.get_by_role("heading", name="Afmeld din tilmelding")).to_be_visible()
    assert "Fuldt" in session_row(page, runtime)  # opening the link changed nothing
    page.goto(link_in(confirmation, "afmeld.html"))
    page.get_by_role("button", name="Afmeld mig").click()
    expect(page.locator("#resultat")).to_have_text("Du er nu afmeldt. Tak, fordi du gav besked.")
    assert "Ledige pladser: 1" in session_row(page, runtime)
    assert runtime.mails("karen@example.dk", "Afmeldt")


def test_a_full_session_offers_the_waiting_list_and_tells_the_place(
    runtime: Running, page: Page, one_seat: str
) -> None:
    runtime.remember("Ib Holm", "ib@example.dk", "Jytte Holm", "jytte@example.dk")
    for name, email in (("Ib Holm", "ib@example.dk"), ("Jytte Holm", "jytte@example.dk")):
        page.goto(f"{runtime.url}/tilmelding.html?session={one_seat}")
        fill_registration(page, name, email)
        page.get_by_role("button", name="Tilmeld mig").click()
        expect(page.locator("#resultat")).not_to_be_empty()
        page.goto(link_in(runtime.mails(email, "Bekræft din tilmelding")[0],
                          "bekraeft-tilmelding.html"))
        page.get_by_role("button", name="Bekræft tilmelding").click()
        expect(page.locator("#resultat")).not_to_be_empty()
    expect(page.locator("#resultat")).to_contain_text("står på ventelisten som nummer 1")
    session_row(page, runtime)
    waiting_list = page.get_by_role("link", name=re.compile("Skriv dig på ventelisten: .*Vejle"))
    expect(waiting_list).to_be_visible()


def test_subscribe_confirm_and_unsubscribe_in_the_browser(
    runtime: Running, page: Page, tmp_path: Path
) -> None:
    runtime.remember("Lone Dahl", "lone@example.dk")
    page.goto(runtime.url + "/")
    page.get_by_role("link", name="Nyhedsbrev").click()
    field(page, "Navn").fill("Lone Dahl")
    field(page, "E-mail").fill("lone@example.dk")
    field(page, "Din stilling").select_option("area_leader")
    field(page, "Ja tak, send mig nyhedsbrevet").check()
    page.get_by_role("button", name="Tilmeld nyhedsbrevet").click()
    expect(page.locator("#resultat")).to_contain_text("Vi har sendt dig en mail")

    page.goto(link_in(runtime.mails("lone@example.dk", "Bekræft")[0],
                      "bekraeft-nyhedsbrev.html"))
    page.get_by_role("button", name="Ja, send mig nyhedsbrevet").click()
    expect(page.locator("#resultat")).to_contain_text("Du får nu nyhedsbrevet")

    issue = tmp_path / "browser-nr.md"
    issue.write_text("Nyt fra foreningen.\n", encoding="utf-8")
    runtime.leaders("newsletter", "draft", str(issue), "--subject", "Nyhedsbrev fra browseren")
    runtime.leaders("newsletter", "approve", "browser-nr")
    runtime.request("POST", "/_local/schedules/leaders-newsletter/fire")
    copy = runtime.mails("lone@example.dk", "Nyhedsbrev fra browseren")[0]
    page.goto(link_in(copy, "afmeld-nyhedsbrev.html"))
    page.get_by_role("button", name="Afmeld nyhedsbrevet").click()
    expect(page.locator("#resultat")).to_contain_text("Du er afmeldt")
    assert "afmeldt 1" in runtime.leaders("newsletter", "status", "browser-nr")


@pytest.mark.parametrize(("kind", "label"), [
    ("conversation", "fortrolig samtale"),
    ("idea", "En idé eller udfordring"),
    ("suggestion", "Et forslag til nye aktiviteter"),
])
def test_each_advisory_kind_gets_a_reference(
    runtime: Running, page: Page, kind: str, label: str
) -> None:
    message = f"Jeg vil gerne tale om {kind} i min klynge."
    runtime.remember("Per Bundgaard", "per@example.dk", message)
    page.goto(runtime.url + "/lederkonsulent.html")
    page.get_by_label(re.compile(label)).check()
    if kind == "conversation":
        field(page, "Navn").fill("Per Bundgaard")
        field(page, "E-mail").fill("per@example.dk")
    field(page, "Din besked").fill(message)
    field(page, "Jeg accepterer").check()
    page.get_by_role("button", name="Send til lederkonsulenten").click()
    reference = re.compile(r"referencenummer er LR-\w{4}-\w{2}")
    expect(page.locator("#resultat")).to_contain_text(reference)


def test_field_errors_appear_next_to_their_fields_and_nothing_is_stored(
    runtime: Running, page: Page, one_seat: str
) -> None:
    before = session_row(page, runtime)
    page.goto(f"{runtime.url}/tilmelding.html?session={one_seat}")
    page.get_by_role("button", name="Tilmeld mig").click()  # empty: the page's own checks
    expect(page.locator("#fejl-name")).to_have_text("Feltet skal udfyldes.")
    expect(page.locator("#fejl-consent")).to_have_text("Sæt kryds for at give dit samtykke.")
    expect(field(page, "Navn")).to_be_focused()
    field(page, "E-mail").fill("ikke-en-mail")
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.locator("#fejl-email")).to_have_text("Indtast en gyldig e-mailadresse.")

    runtime.remember("Ole Krogh", "ole@example.dk")
    fill_registration(page, "Ole Krogh", "ole@example.dk", member_number="")
    page.get_by_role("button", name="Tilmeld mig").click()  # the server's rule for members
    expect(page.locator("#fejl-member_number")).to_have_text(
        "Skriv dit medlemsnummer.")
    expect(field(page, "Medlemsnummer")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "Navn")).not_to_have_attribute("aria-invalid", "true")
    assert session_row(page, runtime) == before

    page.goto(runtime.url + "/lederkonsulent.html")
    field(page, "Navn").fill("Ole Krogh")
    field(page, "Din besked").fill("Kan vi tales ved?")
    field(page, "Jeg accepterer").check()
    page.get_by_role("button", name="Send til lederkonsulenten").click()
    expect(page.locator("#fejl-email")).to_have_text("Skriv din e-mail eller dit telefonnummer.")


def test_the_advisory_form_works_with_the_keyboard_alone(runtime: Running, page: Page) -> None:
    runtime.remember("Bo Lund", "Skal vi tale om rekruttering?")
    page.goto(runtime.url + "/lederkonsulent.html")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Gå til indholdet")).to_be_focused()
    field(page, "Navn").focus()
    page.keyboard.type("Bo Lund")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("20 30 40 50")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(field(page, "Din besked")).to_be_focused()
    page.keyboard.type("Skal vi tale om rekruttering?")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(field(page, "Det haster")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(field(page, "Jeg accepterer")).to_be_checked()
    page.keyboard.press("Tab")  # the privacy notice's link in the consent's label
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send til lederkonsulenten")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#resultat")).to_contain_text("referencenummer er LR-")


def test_without_javascript_plain_forms_still_work_and_the_others_say_so(
    runtime: Running, browser: Browser
) -> None:
    runtime.remember("Rikke Uden", "rikke@example.dk")
    context = browser.new_context(java_script_enabled=False, locale="da-DK")
    page = context.new_page()
    page.goto(runtime.url + "/nyhedsbrev.html")
    field(page, "Navn").fill("Rikke Uden")
    field(page, "E-mail").fill("rikke@example.dk")
    field(page, "Din stilling").select_option("cluster_leader")
    field(page, "Ja tak").check()
    page.get_by_role("button", name="Tilmeld nyhedsbrevet").click()
    expect(page.get_by_role("heading", name="Tak!")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Tjek din mail")
    assert runtime.mails("rikke@example.dk", "Bekræft")

    page.goto(runtime.url + "/lederkonsulent.html")
    field(page, "Navn").fill("Rikke Uden")
    page.get_by_role("button", name="Send til lederkonsulenten").click()
    expect(page.get_by_role("heading", name="Formularen har fejl")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Din besked: Feltet skal udfyldes.")
    assert serious_violations_without_script(page) == []
    page.get_by_role("link", name="Tilbage til formularen").click()
    expect(page).to_have_url(runtime.url + "/lederkonsulent.html")

    for path in ("/tilmelding.html?session=x", "/afmeld.html?token=x"):
        page.goto(runtime.url + path)
        expect(page.locator("main form")).to_be_hidden()
        expect(page.locator("main p.besked")).to_contain_text("kræver JavaScript")
    context.close()


def serious_violations_without_script(page: Page) -> list[dict[str, Any]]:
    """axe on a page of a context without JavaScript: checked in a scripted copy of it."""
    html = page.content()
    scripted = page.context.browser.new_context()  # type: ignore[union-attr]
    copy = scripted.new_page()
    copy.route(page.url, lambda route: route.fulfill(body=html, content_type="text/html"))
    copy.goto(page.url)
    found = serious_violations(copy)
    scripted.close()
    return found


PAGES = {
    "forum": "/",
    "tilmelding": f"/tilmelding.html?session={SESSION}",
    "nyhedsbrev": "/nyhedsbrev.html",
    "lederkonsulent": "/lederkonsulent.html",
    "afmeld": "/afmeld.html?token=eksempel",
    "bekraeft-tilmelding": "/bekraeft-tilmelding.html?token=eksempel",
    "bekraeft-nyhedsbrev": "/bekraeft-nyhedsbrev.html?token=eksempel",
    "afmeld-nyhedsbrev": "/afmeld-nyhedsbrev.html?token=eksempel",
    "privatliv": "/privatliv.html",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_at_both_widths(
    runtime: Running, browser: Browser, one_seat: str, name: str
) -> None:
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport, locale="da-DK")  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(runtime.url + PAGES[name])
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", "da")
        assert serious_violations(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} is wider than a {width} screen"
        screenshot(page, f"{name}-{width}")
        context.close()


def test_errors_shown_on_a_form_pass_axe_too(runtime: Running, page: Page) -> None:
    page.goto(runtime.url + "/nyhedsbrev.html")
    page.get_by_role("button", name="Tilmeld nyhedsbrevet").click()
    expect(page.locator("#fejl-email")).not_to_be_empty()
    assert serious_violations(page) == []
    screenshot(page, "nyhedsbrev-fejl-desktop")
