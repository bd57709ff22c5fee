"""Forums and sessions made in the console's forms, in chromium against `make run`, as a
secretariat worker does it: a new forum (its title's error told next to it), its first session
(wrong fields told next to each, in Danish), a copy of it the same day (asked about first) and
one in another city, the forum changed, a session nobody registered for deleted (asked first)
and one somebody registered for offered for cancelling instead, then changed in the same form:
what changes and who is told shown first, then saved and told. No id is typed: each is shown
after saving. axe and screenshots of each view at 1280 and 375 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e

TITLE = "Trivsel på tværs – et lederforum om arbejdsmiljø"
FORUM_ID = "trivsel-paa-tvaers-et-lederforum-om-arbejdsmiljoe"


def block(page: Page) -> Any:
    return page.locator(f'.forum-blok[data-forum="{FORUM_ID}"]')


def session_row(page: Page, city: str, day: str) -> Any:
    header = page.get_by_role("rowheader", name=re.compile(f"^{city}, .*{re.escape(day)}$"))
    return block(page).locator("tr", has=header)


def fill_session(form: Any, **fields: str) -> None:
    labels = {"city": "By", "venue": "Sted", "day": "Dato", "start": "Starttid",
              "end": "Sluttid", "deadline_day": "Sidste dag for tilmelding",
              "deadline_time": "Senest klokken", "seats": "Antal pladser"}
    for name, value in fields.items():
        form.get_by_label(labels[name], exact=True).fill(value)


def test_the_secretariat_creates_a_forum_and_its_sessions_copies_changes_and_deletes_by_forms(
        runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    status = console.locator("#konsol-status")

    # A new forum: the title left out is told next to it; nothing is created.
    console.get_by_role("button", name="Nyt forum").click()
    forum_form = console.locator("#forum-form")
    expect(console.get_by_role("heading", name="Nyt forum")).to_be_focused()
    forum_form.get_by_role("button", name="Opret forummet").click()
    expect(console.locator("#forum-titel-fejl")).to_have_text("Skriv forummets titel.")
    expect(forum_form.get_by_label("Titel", exact=True)).to_have_attribute("aria-invalid", "true")
    axe_at_both_widths(console, "nyt-forum-fejl")
    forum_form.get_by_label("Titel", exact=True).fill(TITLE)
    forum_form.get_by_label("Beskrivelse", exact=True).fill(
        "Hvordan passer vi på hinanden som ledere?")
    audience = forum_form.get_by_label("Målgruppe", exact=True)
    expect(audience.locator("option")).to_have_text(
        ["Ledere af ledere", "Ledere af ledere og ansatte i forvaltningen"])
    audience.select_option(label="Ledere af ledere og ansatte i forvaltningen")
    forum_form.get_by_role("button", name="Opret forummet").click()
    expect(status).to_have_text(f"Forummet »{TITLE}« er oprettet (id: {FORUM_ID}). Opret nu "
                                "dets møder med knappen Nyt møde.")
    expect(block(console)).to_contain_text("Forummet har ingen møder endnu.")
    forum = runtime.json("GET", f"/api/forums/{FORUM_ID}")
    assert forum[0] == 200 and forum[1]["audience"] == "leaders_and_administration"

    # Its first session: wrong fields told next to each; nothing is created.
    block(console).get_by_role("button", name=f"Nyt møde: {TITLE}").click()
    form = console.locator("#moede-form")
    expect(console.get_by_role("heading", name=f"Nyt møde i {TITLE}")).to_be_focused()
    expect(form.get_by_label("Starttid", exact=True)).to_have_value("09:30")
    fill_session(form, venue="Hotel Fredericia, Vestre Ringvej 2", day="2098-10-07",
                 start="09:30", end="08:00", deadline_day="2098-09-30", deadline_time="12:00",
                 seats="0")
    form.get_by_role("button", name="Opret mødet").click()
    expect(console.locator("#moede-by-fejl")).to_have_text("Skriv byen, mødet holdes i.")
    fill_session(form, city="Fredericia")
    form.get_by_role("button", name="Opret mødet").click()
    expect(console.locator("#moede-pladser-fejl")).to_have_text("Tallet skal være mindst 1.")
    expect(form.get_by_label("Antal pladser", exact=True)).to_have_attribute("aria-invalid", "true")
    fill_session(form, seats="30")
    form.get_by_role("button", name="Opret mødet").click()
    expect(console.locator("#moede-slut-fejl")).to_have_text(
        "Sluttidspunktet skal ligge efter start.")
    expect(form.get_by_label("Sluttid", exact=True)).to_have_attribute("aria-invalid", "true")
    axe_at_both_widths(console, "nyt-moede-fejl")
    assert runtime.json("GET", f"/api/forums/{FORUM_ID}")[1]["sessions"] == []
    fill_session(form, end="15:30")
    # The chosen times in Danish words, whatever format the browser gives its date fields.
    expect(console.locator("#moede-tid-vist")).to_have_text(
        "Mødet holdes tirsdag den 7. oktober 2098 kl. 09.30–15.30.")
    expect(console.locator("#moede-frist-vist")).to_have_text(
        "Tilmeldingen lukker tirsdag den 30. september 2098 kl. 12.00.")
    form.get_by_role("button", name="Opret mødet").click()
    expect(status).to_have_text(
        "Mødet i Fredericia tirsdag den 7. oktober 2098 kl. 09.30 er oprettet i "
        f"»{TITLE}« (id: fredericia-2098-10-07). Tilmeldingen er åben.")
    fredericia = session_row(console, "Fredericia", "7. oktober 2098 kl. 09.30")
    expect(fredericia).to_contain_text("0 af 30")
    expect(fredericia).to_contain_text("Åben")
    expect(fredericia.get_by_role("button", name=re.compile("^Slet"))).to_have_count(1)
    expect(fredericia.get_by_role("button", name=re.compile("^Aflys"))).to_have_count(0)
    axe_at_both_widths(console, "forum-med-moede")

    # A copy the same day in the same city: asked first, then made beside it.
    fredericia.get_by_role("button", name=re.compile("^Kopiér")).click()
    expect(console.get_by_role("heading", name=re.compile("^Nyt møde som kopi af Fredericia"))
           ).to_be_focused()
    expect(form.get_by_label("By", exact=True)).to_have_value("Fredericia")
    expect(form.get_by_label("Dato", exact=True)).to_have_value("2098-10-07")
    expect(form.get_by_label("Antal pladser", exact=True)).to_have_value("30")
    fill_session(form, venue="Fredericia Bibliotek", start="16:00", end="18:00")
    form.get_by_role("button", name="Opret mødet").click()
    question = console.locator("#moede-samme-dag-besked")
    expect(question).to_contain_text("Der er allerede et møde i Fredericia den dag.")
    axe_at_both_widths(console, "samme-dag")
    form.get_by_label("Ja, der skal være to møder i byen samme dag", exact=True).check()
    form.get_by_role("button", name="Opret mødet").click()
    expect(status).to_contain_text("(id: fredericia-2098-10-07-2)")
    expect(block(console).locator("tbody tr")).to_have_count(2)

    # A copy in another city, another day.
    fredericia.get_by_role("button", name=re.compile("^Kopiér")).click()
    fill_session(form, city="Svendborg", venue="Svendborg Rådhus", day="2098-10-14",
                 deadline_day="2098-10-04")
    form.get_by_role("button", name="Opret mødet").click()
    expect(status).to_contain_text("Mødet i Svendborg tirsdag den 14. oktober 2098 kl. 09.30 er "
                                   "oprettet")
    expect(status).to_contain_text("(id: svendborg-2098-10-14)")

    # The forum changed: its form comes filled in.
    block(console).get_by_role("button", name=f"Ret forum: {TITLE}").click()
    expect(forum_form.get_by_label("Titel", exact=True)).to_have_value(TITLE)
    expect(forum_form.get_by_label("Målgruppe", exact=True)).to_have_value(
        "leaders_and_administration")
    axe_at_both_widths(console, "ret-forum")
    forum_form.get_by_label("Beskrivelse", exact=True).fill(
        "Trivsel og arbejdsmiljø blandt ledere.")
    forum_form.get_by_label("Målgruppe", exact=True).select_option(label="Ledere af ledere")
    forum_form.get_by_role("button", name="Gem ændringerne").click()
    expect(status).to_have_text(f"Forummet »{TITLE}« er gemt.")
    public = runtime.json("GET", f"/api/forums/{FORUM_ID}")[1]
    assert (public["description"], public["audience"]) == (
        "Trivsel og arbejdsmiljø blandt ledere.", "leaders_of_leaders")
    assert [s["id"] for s in public["sessions"]] == [
        "fredericia-2098-10-07", "fredericia-2098-10-07-2", "svendborg-2098-10-14"]

    # Nobody registered for Svendborg: deleted, asked first.
    svendborg = session_row(console, "Svendborg", "14. oktober 2098 kl. 09.30")
    svendborg.get_by_role("button", name=re.compile("^Slet")).click()
    expect(console.locator("#slet-spoergsmaal")).to_contain_text(
        "Vil du slette mødet Svendborg, tirsdag den 14. oktober 2098 kl. 09.30?")
    axe_at_both_widths(console, "slet")
    console.get_by_role("button", name="Ja, slet mødet").click()
    expect(status).to_have_text(
        "Mødet Svendborg, tirsdag den 14. oktober 2098 kl. 09.30 er slettet.")
    expect(svendborg).to_have_count(0)

    # Somebody registers for Fredericia: it can no longer be deleted, only cancelled.
    person = {"session_id": "fredericia-2098-10-07", "name": "Lise Holm",
              "email": "lise.holm@example.dk", "role": "area_leader", "workplace": "Fredericia",
              "member_number": "4711", "consent": True, "website": ""}
    runtime.remember(person["name"], person["email"])
    assert runtime.register(person)[0] == 200
    console.reload()
    fredericia = session_row(console, "Fredericia", "7. oktober 2098 kl. 09.30")
    expect(fredericia).to_contain_text("1 af 30")
    expect(fredericia.get_by_role("button", name=re.compile("^Slet"))).to_have_count(0)
    expect(fredericia.get_by_role("button", name=re.compile("^Aflys"))).to_have_count(1)

    # The session changed in the same form: what changes and who is told, then saved.
    fredericia.get_by_role("button", name=re.compile("^Ret mødet")).click()
    expect(console.get_by_role("heading", name=re.compile("^Ret mødet: Fredericia"))
           ).to_be_focused()
    expect(form.get_by_label("Sted", exact=True)).to_have_value(
        "Hotel Fredericia, Vestre Ringvej 2")
    fill_session(form, start="10:00")
    form.get_by_role("button", name="Se ændringer").click()
    changes = console.get_by_role("table", name="Det ændres")
    expect(changes.get_by_role("row", name=re.compile("^Start"))).to_contain_text(
        "tirsdag den 7. oktober 2098 kl. 10.00")
    expect(console.locator("#moede-besked-om")).to_have_text(
        "1 tilmeldt får besked med de nye oplysninger.")
    axe_at_both_widths(console, "ret-moede")
    # A field changed after the preview is shown again before anything is saved.
    fill_session(form, end="16:00")
    expect(form.get_by_role("button", name="Se ændringer")).to_be_visible()
    form.get_by_role("button", name="Se ændringer").click()
    expect(changes.get_by_role("row", name=re.compile("^Slut"))).to_contain_text("kl. 16.00")
    form.get_by_role("button", name="Gem og giv besked").click()
    expect(status).to_have_text("Ændringen af mødet Fredericia, tirsdag den 7. oktober 2098 kl. "
                                "09.30 er gemt, og 1 person får besked på mail.")
    expect(session_row(console, "Fredericia", "7. oktober 2098 kl. 10.00")).to_contain_text(
        "1 af 30")
    (mail,) = runtime.mails(person["email"], "Ændret")
    assert "kl. 10.00" in mail["text"]
