"""The landing page of the registration's confirmation link, in chromium: the owner sees what
the address's newest submission holds (a stranger's earlier one never reaches them unseen),
corrects it and confirms it, or discards it ("Det er ikke mig"). The token is read from the
address's fragment (or the query of links already mailed) and leaves the address bar at once.
Photographed at desktop and phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WIDTHS, link_in, screenshot, serious_violations
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
PAGE = "bekraeft-tilmelding.html"


@pytest.fixture(scope="module")
def session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    return runtime.one_seat_session(tmp_path_factory.mktemp("landing"),
                                    ("landing-forum", "Ledelse af ledere i forandring"),
                                    ("landing-odense", "Odense", "Odense Rådhus"), "2099-04-06")


def submit(runtime: Running, session: str, email: str, **typed: Any) -> None:
    person = {"session_id": session, "name": "Navn", "email": email, "phone": "",
              "role": "area_leader", "workplace": "Odense Kommune", "member_number": "Ejer-73195",
              "needs": "", "consent": True, "website": "", **typed}
    runtime.remember(*(v for v in person.values() if isinstance(v, str) and v != session))
    assert runtime.json("POST", "/api/registrations", person) == (202, {"status": "received"})


def fragment_link(mail: dict[str, Any]) -> str:
    """The mailed link with its token in the fragment, as links are to be mailed."""
    return link_in(mail, PAGE).replace("?token=", "#token=")


def test_the_owner_sees_their_newest_submission_corrects_it_and_confirms(
    runtime: Running, browser: Browser, session: str,
) -> None:
    owner = "sanne.owner@example.dk"
    submit(runtime, session, owner, name="Fremmed Person", phone="+4522334455",
           workplace="Fremmed Firma", needs="Diabetes, insulin", member_number="Fremmed-666")
    submit(runtime, session, owner, name="Sanne Holm", workplace="Odense Kommune",
           member_number="Sanne-4711")
    (mailed,) = runtime.mails(owner, "Bekræft din tilmelding")  # one link: the gate
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport, locale="da-DK")  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(fragment_link(mailed))
        expect(page.get_by_role("heading", name="Ledelse af ledere i forandring")).to_be_visible()
        assert "token" not in page.url  # out of the address bar (and its history) at once
        expect(page.get_by_label("Navn")).to_have_value("Sanne Holm")
        expect(page.locator("#adresse")).to_have_text(owner)
        expect(page.get_by_label(re.compile("^Særlige behov"))).to_have_value("")
        assert "Diabetes" not in page.content() and "Fremmed" not in page.content()
        assert serious_violations(page) == []
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        screenshot(page, f"bekraeft-tilmelding-detaljer-{width}")
        page.reload()  # the token stays with the tab, not in the address
        expect(page.get_by_label("Navn")).to_have_value("Sanne Holm")
        context.close()

    page = browser.new_page(locale="da-DK")
    page.goto(link_in(mailed, PAGE))  # a link mailed with ?token= works as before
    assert "token" not in page.url
    page.get_by_label(re.compile("^Telefon")).fill("20 30 40 50")
    page.get_by_role("button", name="Bekræft tilmelding").click()
    expect(page.locator("#resultat")).to_contain_text("Du har fået en plads")
    confirmation = runtime.mails(owner, "Bekræftelse")[0]
    assert "Kære Sanne Holm" in confirmation["text"]
    status, answer = runtime.json("GET", f"/api/registrations/confirm?token="
                                         f"{link_in(mailed, PAGE).split('token=')[1]}")
    assert (status, answer["status"]) == (200, "confirmed")
    listed = runtime.leaders("forums", "participants", session)
    assert "Sanne Holm" in listed and "Fremmed" not in listed
    page.close()


def test_a_stranger_submission_is_shown_and_the_owner_discards_it(
    runtime: Running, page: Page, session: str,
) -> None:
    owner = "jens.owner@example.dk"
    submit(runtime, session, owner, name="Ikke Jens", needs="Rullestol")
    (mailed,) = runtime.mails(owner, "Bekræft din tilmelding")
    page.goto(fragment_link(mailed))
    expect(page.get_by_label("Navn")).to_have_value("Ikke Jens")
    expect(page.get_by_label(re.compile("^Særlige behov"))).to_have_value("Rullestol")
    page.get_by_role("button", name=re.compile("^Det er ikke mig")).click()
    expect(page.locator("#resultat")).to_contain_text("Oplysningerne er slettet")
    expect(page.locator("#bekraeft")).to_be_hidden()
    page.goto(fragment_link(mailed))
    expect(page.locator("#ugyldigt-link")).to_be_visible()
    expect(page.locator("#ugyldigt-link")).to_contain_text("Linket er ugyldigt eller udløbet")
    assert "Ikke Jens" not in runtime.leaders("forums", "participants", session)


def test_a_correction_is_checked_as_the_form_checks_it(
    runtime: Running, page: Page, session: str,
) -> None:
    owner = "mette.owner@example.dk"
    submit(runtime, session, owner, name="Mette Lund")
    (mailed,) = runtime.mails(owner, "Bekræft din tilmelding")
    page.goto(fragment_link(mailed))
    page.get_by_label(re.compile("^Medlemsnummer")).fill("")  # required of a leader: the server
    page.get_by_role("button", name="Bekræft tilmelding").click()
    expect(page.locator("#fejl-member_number")).to_have_text(
        "Skriv dit medlemsnummer.")
    expect(page.locator("#resultat")).to_have_text(
        "Oplysningerne har fejl. Ret de markerede felter.")
    assert serious_violations(page) == []
    screenshot(page, "bekraeft-tilmelding-fejl-desktop")
    page.set_viewport_size(WIDTHS["phone"])
    screenshot(page, "bekraeft-tilmelding-fejl-phone")
    assert "Mette Lund" not in runtime.leaders("forums", "participants", session)


def test_an_old_cancel_link_after_registering_again_says_so_and_cancels_nothing(
    runtime: Running, page: Page, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    session = runtime.one_seat_session(tmp_path_factory.mktemp("renewed"),
                                       ("renewed-forum", "Ledelse på tværs"),
                                       ("renewed-aarhus", "Aarhus", "Dokk1"), "2099-05-04")
    owner = "lone.owner@example.dk"

    def register() -> dict[str, Any]:
        count = len(runtime.mails(owner, "Bekræftelse", count=0))
        submit(runtime, session, owner, name="Lone Berg")
        links = runtime.mails(owner, "Bekræft din tilmelding", count=count + 1)
        status, _ = runtime.json("POST", "/api/registrations/confirm",
                                 {"token": link_in(links[-1], PAGE).split("token=")[1]})
        assert status == 200
        return runtime.mails(owner, "Bekræftelse", count=count + 1)[-1]

    first = register()
    page.goto(link_in(first, "afmeld.html"))
    page.get_by_role("button", name="Afmeld mig").click()
    expect(page.locator("#resultat")).to_have_text("Du er nu afmeldt. Tak, fordi du gav besked.")
    register()
    page.goto(link_in(first, "afmeld.html"))
    page.get_by_role("button", name="Afmeld mig").click()
    expect(page.locator("#resultat")).to_contain_text("Du har tilmeldt dig igen")
    expect(page.locator("#resultat")).to_contain_text("nyeste mail")
    assert "Bekræftet" in runtime.leaders("forums", "participants", session)
    screenshot(page, "afmeld-fornyet-desktop")
