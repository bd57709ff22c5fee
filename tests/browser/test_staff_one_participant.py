"""The secretariat's work on one participant in chromium against `make run`, as a secretariat
worker does it: registers someone who phoned by the form above the participant list (each
wrong field told in Danish next to it), a second one onto the waiting list, moves the first
to another session of the forum (chosen by city and date, no id typed) and cancels the other.
axe and screenshots of each view at 1280 and 375 px."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sessions(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A forum with a session of one seat in Kolding and one of two in Vejle, empty."""
    catalogue = tmp_path_factory.mktemp("one") / "flyt.json"
    catalogue.write_text(json.dumps({"forums": [{
        "id": "en-deltager-forum", "title": "Forum for en deltager ad gangen", "sessions": [
            {"id": "en-deltager-kolding", "city": "Kolding", "venue": "Godset", "capacity": 1,
             "starts_at": "2099-05-04T09:30", "ends_at": "2099-05-04T15:00",
             "registration_deadline": "2099-01-01T12:00"},
            {"id": "en-deltager-vejle", "city": "Vejle", "venue": "Spinderihallerne",
             "capacity": 2, "starts_at": "2099-05-11T09:30", "ends_at": "2099-05-11T15:00",
             "registration_deadline": "2099-01-01T12:00"}]}]}), encoding="utf-8")
    runtime.leaders("forums", "import", str(catalogue), "--yes")
    runtime.remember("Karen Friis", "karen@example.dk", "Ole Dam", "ole@example.dk",
                     "20 11 22 33")
    return "en-deltager-kolding", "en-deltager-vejle"


def session_row(page: Page, city: str) -> Any:
    # This forum's days (the runtime holds other tests' Vejle and Kolding sessions too).
    header = page.get_by_role("rowheader", name=re.compile(f"^{city}, .* den (4|11)\\. maj 2099"))
    return page.locator("tr", has=header)


def person_row(page: Page, name: str) -> Any:
    return page.locator("#deltager-liste tr", has_text=name)


def fill(page: Page, name: str, email: str) -> None:
    form = page.locator("#tilmeld-form")
    form.get_by_label("Navn", exact=True).fill(name)
    form.get_by_label("E-mail", exact=True).fill(email)
    form.get_by_label("Telefon", exact=True).fill("20 11 22 33")
    form.get_by_label("Stilling", exact=True).select_option(label="Områdeleder")
    form.get_by_label("Arbejdsplads eller kommune", exact=True).fill("Kolding Kommune")
    form.get_by_label("Medlemsnummer", exact=True).fill("4712")
    form.get_by_label("Henvendt via", exact=True).select_option(label="Telefon")


def test_the_secretariat_registers_moves_and_cancels_one_participant_by_the_forms(
        runtime: Running, console: Page, sessions: tuple[str, str]) -> None:
    del sessions  # imported, in Kolding and Vejle
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    session_row(console, "Kolding").get_by_role("button", name=re.compile("^Deltagere")).click()
    expect(console.locator("#deltager-liste")).to_contain_text("Ingen tilmeldte endnu.")
    form = console.locator("#tilmeld-form")

    # Wrong fields are told next to each, in Danish; nothing is registered.
    fill(console, "Karen Friis", "karen@")
    form.get_by_label("Navn", exact=True).fill("")
    form.get_by_role("button", name="Tilmeld").click()
    expect(console.locator("#tilmeld-navn-fejl")).not_to_be_empty()
    expect(console.locator("#tilmeld-email-fejl")).not_to_be_empty()
    expect(form.get_by_label("Navn", exact=True)).to_have_attribute("aria-invalid", "true")
    axe_at_both_widths(console, "tilmeld-fejl")
    assert runtime.json("GET", "/api/forums")[0] == 200

    fill(console, "Karen Friis", "karen@example.dk")
    form.get_by_role("button", name="Tilmeld").click()
    expect(console.locator("#konsol-status")).to_contain_text("Karen Friis er tilmeldt")
    expect(person_row(console, "Karen Friis")).to_contain_text("Bekræftet")
    expect(console.locator("#tilmeld-navn-fejl")).to_be_empty()
    fill(console, "Ole Dam", "ole@example.dk")
    form.get_by_label("Henvendt via", exact=True).select_option(label="E-mail")
    form.get_by_role("button", name="Tilmeld").click()
    expect(console.locator("#konsol-status")).to_contain_text(
        "Ole Dam er sat på ventelisten som nr. 1")
    expect(person_row(console, "Ole Dam")).to_contain_text("På venteliste (nr. 1)")
    axe_at_both_widths(console, "en-deltager")

    # Move Karen to Vejle: the select names the other session by city and date.
    person_row(console, "Karen Friis").get_by_role("button", name="Flyt: Karen Friis").click()
    target = console.get_by_label("Til mødet")
    expect(target.locator("option")).to_have_count(1)
    expect(target.locator("option")).to_contain_text(re.compile(r"^Vejle, .*maj"))
    axe_at_both_widths(console, "flyt")
    console.get_by_role("button", name="Flyt deltageren").click()
    expect(console.locator("#konsol-status")).to_contain_text("Karen Friis er flyttet til Vejle")
    # Her seat in Kolding went to the first in line.
    expect(person_row(console, "Ole Dam")).to_contain_text("Bekræftet")
    expect(person_row(console, "Karen Friis")).to_contain_text("Afmeldt")
    expect(session_row(console, "Vejle")).to_contain_text("1 af 2")

    # Cancel Ole (asked first).
    person_row(console, "Ole Dam").get_by_role("button", name="Afmeld: Ole Dam").click()
    expect(console.locator("#afmeld-spoergsmaal")).to_contain_text("Vil du afmelde Ole Dam")
    axe_at_both_widths(console, "afmeld")
    console.get_by_role("button", name="Ja, afmeld").click()
    expect(console.locator("#konsol-status")).to_contain_text("Ole Dam er afmeldt")
    expect(person_row(console, "Ole Dam")).to_contain_text("Afmeldt")
    expect(person_row(console, "Ole Dam").get_by_role("button")).to_have_count(0)
    expect(session_row(console, "Kolding")).to_contain_text("0 af 1")
    axe_at_both_widths(console, "en-deltager-efter")

