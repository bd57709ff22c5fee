"""The secretariat's participant list in chromium against `make run`: its heading counts the
confirmed and the waiting and never a cancelled person ("4 tilmeldte, 1 på venteliste (1
afmeldt vises nederst)"), phones read the Danish way ("20 11 22 33"), and "Udskriv
deltagerliste" prints the attendance list alone: the forum, place and Danish time, and the
confirmed participants in Danish name order with their workplace and a column to sign, no
e-mail, phone or member number, nothing else of the console. The print layout is
photographed (print media) and printed to a PDF; axe and screenshots at 1280 and 375 px."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SHOTS, axe_at_both_widths, demo_users, screenshot, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e

SESSION = "fremmoede-kolding"
# Registered in this order; the first four get the four seats, the last two wait. In Danish
# order Æ, Ø and Å (and Aa, an old way of writing Å) come after Z.
PEOPLE = [("Åse Lund", "aase@example.dk", "+4520112233", "Kolding Kommune"),
          ("Ørn Vestergaard", "oern@example.dk", "0045 30405060", "Vejle Kommune"),
          ("Birgit Holm", "birgit@example.dk", "", "Fredericia Kommune"),
          ("Carsten Ege", "carsten@example.dk", "+46701234567", "Haderslev Kommune"),
          ("Ærling Bak", "aerling@example.dk", "", "Billund Kommune"),
          ("Zenia Fisk", "zenia@example.dk", "", "Middelfart Kommune")]


@pytest.fixture(scope="module")
def session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    catalogue = tmp_path_factory.mktemp("fremmoede") / "fremmoede.json"
    catalogue.write_text(json.dumps({"forums": [{
        "id": "fremmoede-forum", "title": "Evalueringskultur og datainformeret ledelse",
        "sessions": [{"id": SESSION, "city": "Kolding", "venue": "Comwell Kolding",
                      "capacity": 4, "starts_at": "2099-03-03T09:30",
                      "ends_at": "2099-03-03T15:30",
                      "registration_deadline": "2099-01-01T12:00"}]}]}), encoding="utf-8")
    runtime.leaders("forums", "import", str(catalogue))
    for name, email, phone, workplace in PEOPLE:
        runtime.remember(name, email, phone)
        status, _ = runtime.register({
            "session_id": SESSION, "name": name, "email": email, "phone": phone or None,
            "role": "area_leader", "workplace": workplace, "member_number": "4711",
            "consent": True, "website": ""})
        assert status == 200
    return SESSION


def person_row(page: Page, name: str) -> Any:
    return page.locator("#deltager-liste tr", has_text=name)


def test_the_list_counts_no_cancelled_person_and_prints_an_attendance_list(
        runtime: Running, console: Page, session: str) -> None:
    del session
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    row = console.locator("tr", has=console.get_by_role(
        "rowheader", name=re.compile(r"^Kolding, .*marts 2099")))
    row.get_by_role("button", name=re.compile("^Deltagere")).click()
    caption = console.locator("#deltager-liste caption")
    expect(caption).to_have_text("4 tilmeldte, 2 på venteliste")

    # Carsten cancels (by phone): his seat goes to Ærling, the first in line.
    person_row(console, "Carsten Ege").get_by_role("button", name="Afmeld: Carsten Ege").click()
    console.get_by_role("button", name="Ja, afmeld").click()
    expect(console.locator("#konsol-status")).to_contain_text("Carsten Ege er afmeldt")
    expect(caption).to_have_text("4 tilmeldte, 1 på venteliste (1 afmeldt vises nederst)")
    expect(console.locator("#deltager-liste tbody tr").last).to_contain_text("Carsten Ege")

    # Phones as a Dane writes them; a foreign one as typed.
    expect(person_row(console, "Åse Lund")).to_contain_text("20 11 22 33")
    expect(person_row(console, "Ørn Vestergaard")).to_contain_text("30 40 50 60")
    expect(person_row(console, "Carsten Ege")).to_contain_text("+46701234567")
    axe_at_both_widths(console, "deltagerliste")

    # On screen the attendance list is not shown; on paper it is all there is.
    printed = console.locator("#udskrift")
    expect(printed).to_be_hidden()
    console.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    console.get_by_role("button", name="Udskriv deltagerliste").click()
    assert console.evaluate("window.printed") == 1

    console.emulate_media(media="print")
    try:
        expect(printed).to_be_visible()
        names = printed.locator("tbody tr td:first-child").all_inner_texts()
        assert names == ["Birgit Holm", "Ærling Bak", "Ørn Vestergaard", "Åse Lund"]
        assert printed.locator("thead th").all_inner_texts() == [
            "Navn", "Arbejdsplads", "Underskrift"]
        assert printed.locator("tbody tr").first.locator("td").all_inner_texts() == [
            "Birgit Holm", "Fredericia Kommune", ""]
        expect(printed).to_contain_text("Evalueringskultur og datainformeret ledelse")
        expect(printed).to_contain_text("Kolding, Comwell Kolding")
        expect(printed).to_contain_text("tirsdag den 3. marts 2099 kl. 09.30–15.30")
        # Data minimisation: what the door needs, nothing more; no cancelled or waiting.
        text = printed.inner_text()
        for _, address, phone, _ in PEOPLE:
            assert address not in text and (not phone or phone not in text)
        for shown in ("20 11 22 33", "30 40 50 60", "4711", "Carsten Ege", "Zenia Fisk", "@"):
            assert shown not in text
        # Nothing else of the console is drawn: no navigation, buttons, forms or headings.
        drawn = console.evaluate("""() => Array.from(document.querySelectorAll(
            'body *')).filter(n => n.getClientRects().length
              && !n.closest('#udskrift') && !n.querySelector('#udskrift'))
              .map(n => n.tagName + '#' + n.id)""")
        assert drawn == []
        for control in ("button", "nav", "form", "input", "header", "footer"):
            assert console.locator(control).evaluate_all(
                "nodes => nodes.filter(n => n.getClientRects().length).length") == 0, control
        screenshot(console, "personale-deltagerliste-udskrift")
        pdf = console.pdf(format="A4", print_background=True)
        (SHOTS / "personale-deltagerliste-udskrift.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    finally:
        console.emulate_media(media="screen")

    # Closing the list empties the attendance list: nothing left to print.
    console.get_by_role("button", name="Luk listen").click()
    expect(printed).to_be_empty()
