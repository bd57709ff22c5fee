"""The editor's desk in chromium against `make run`: the list says how many confirmed
subscribers there are and when the schedule sends next; a draft written without an id is
saved by itself ("Gemt kl. …") and is there after a reload; a draft deleted; "send now" names
the number of subscribers, and the list follows the sending to "Sendt" without a schedule
firing; a sent issue copied to a new draft; the archive lists it and shows its web version,
without anyone's link. axe at 1280 and 375 px, nothing wider than the window."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import WIDTHS, axe_at_both_widths, demo_users, screenshot, sign_in
from tests.browser.conftest import serious_violations as violations
from tests.e2e.conftest import Running, token_of

pytestmark = pytest.mark.e2e


def subscribe(runtime: Running, address: str) -> None:
    runtime.remember("Karen Skrivebord", address)
    status, _ = runtime.json("POST", "/api/newsletter/subscriptions", {
        "name": "Karen Skrivebord", "email": address, "role": "district_leader",
        "consent": True, "website": ""})
    assert status == 202
    token = token_of(runtime.mails(address, "Bekræft")[0])
    assert runtime.json("POST", "/api/newsletter/confirm", {"token": token})[0] == 200


def no_sideways_scroll(page: Page, name: str) -> None:
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        wide, window = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert wide <= window, f"{name} at {width}: {wide} px in {window} px"
        assert violations(page) == [], f"{name} at {width}"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]


def test_the_editor_autosaves_deletes_sends_now_copies_and_the_archive_shows_it(
        runtime: Running, console: Page) -> None:
    run = uuid.uuid4().hex[:6]
    subscribe(runtime, f"skrivebord-{run}@example.dk")
    email, password = demo_users(runtime)["editor"]
    sign_in(console, runtime, email, password)
    overview = console.locator("#redaktion-overblik")
    expect(overview).to_have_text(re.compile(
        r"^[\d.]+ (bekræftet abonnent|bekræftede abonnenter)\. "
        r"Næste planlagte udsendelse: \w+dag den \d+\. \w+ 20\d\d kl\. \d\d\.\d\d "
        r"\(dansk tid\)\.$"))
    count = re.match(r"[\d.]+", overview.inner_text())
    assert count is not None and int(count.group(0).replace(".", "")) >= 1

    # Written without an id: saved by itself; after a reload the draft is there.
    subject = f"Skrivebordet {run}"
    console.get_by_label("Emnelinje").fill(subject)
    console.get_by_label("Tekst i Markdown").fill("# Kladden\n\nSkrevet og gemt af sig selv.")
    expect(console.locator("#gemt-status")).to_have_text(re.compile(r"^Gemt kl\. \d\d\.\d\d\.$"))
    issue_id = console.get_by_label("Id", exact=True).input_value()
    assert issue_id.startswith(f"skrivebordet-{run}-")
    axe_at_both_widths(console, "redaktion-autogemt")
    console.reload()
    mine = console.locator("#numre-liste tr", has_text=f"({issue_id})")
    expect(mine).to_contain_text("Kladde")
    mine.get_by_role("button", name=f"Rediger: {subject}").click()
    expect(console.get_by_label("Tekst i Markdown")).to_have_value(
        "# Kladden\n\nSkrevet og gemt af sig selv.")

    # More written, and the page left at once: what was written is saved on the way out.
    console.get_by_label("Tekst i Markdown").fill("# Kladden\n\nSkrevet lige før jeg gik.")
    console.goto("about:blank")
    console.goto(runtime.url + "/personale/")
    mine.get_by_role("button", name=f"Rediger: {subject}").click()
    expect(console.get_by_label("Tekst i Markdown")).to_have_value(
        "# Kladden\n\nSkrevet lige før jeg gik.")

    # Send now: the question names the count; the list follows the sending to "Sendt".
    console.get_by_role("button", name="Send nu …").click()
    everyone = "1 abonnent" if count.group(0) == "1" else f"alle {count.group(0)} abonnenter"
    expect(console.locator("#send-nu-advarsel")).to_have_text(
        f"Send »{subject}« ({issue_id}) nu til {everyone}? Udsendelsen kan ikke trækkes "
        "tilbage, når den er begyndt.")
    axe_at_both_widths(console, "redaktion-send-nu")
    console.get_by_role("button", name="Ja, send nu").click()
    expect(console.locator("#konsol-status")).to_have_text(f"{issue_id} sendes nu til {everyone}.")
    expect(mine).to_contain_text("Sendt", timeout=30_000)  # no schedule fired, no reload
    expect(console.locator("#godkendelse-status")).to_have_text(re.compile(r"^Sendt til \d+"))
    assert len(runtime.mails(f"skrivebord-{run}@example.dk", subject)) == 1
    no_sideways_scroll(console, "personale-redaktion-sendt")

    # The sent issue copied to a new draft.
    mine.get_by_role("button", name=f"Kopiér til en ny kladde: {subject}").click()
    expect(console.locator("#konsol-status")).to_have_text(
        f"»{subject}« er kopieret til en ny kladde: {issue_id}-kopi.")
    expect(console.get_by_label("Tekst i Markdown")).to_be_editable()
    copy = console.locator("#numre-liste tr", has_text=f"({issue_id}-kopi)")
    expect(copy).to_contain_text("Kladde")

    # The copy deleted (a draft), after the question.
    console.get_by_role("button", name="Slet kladden …").click()
    expect(console.locator("#slet-advarsel")).to_contain_text(f"({issue_id}-kopi)")
    console.get_by_role("button", name="Ja, slet kladden").click()
    expect(console.locator("#konsol-status")).to_have_text(f"Kladden {issue_id}-kopi er slettet.")
    expect(copy).to_have_count(0)

    # The archive: the issue by its subject, its web version without anyone's link.
    page = console
    page.goto(runtime.url + "/nyhedsbrev/arkiv/")
    expect(page.get_by_role("heading", name="Nyhedsbrevets arkiv")).to_be_visible()
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", name=subject)).to_be_visible()
    expect(page.get_by_text("Skrevet lige før jeg gik.")).to_be_visible()
    html = page.content()
    assert "token" not in html and "afmeld" not in html.lower() and "Karen" not in html
    no_sideways_scroll(page, "arkiv-nummer")
    page.goto(runtime.url + "/nyhedsbrev/arkiv/")
    no_sideways_scroll(page, "arkiv")


def test_a_save_under_way_when_the_draft_is_deleted_does_not_bring_it_back(
        runtime: Running, console: Page) -> None:
    """The autosave's request held in flight while the editor deletes the draft, then let
    through: the draft stays deleted (after a reload too)."""
    run = uuid.uuid4().hex[:6]
    email, password = demo_users(runtime)["editor"]
    sign_in(console, runtime, email, password)
    subject = f"Slettes under gemning {run}"
    console.get_by_label("Emnelinje").fill(subject)
    console.get_by_label("Tekst i Markdown").fill("# Først")
    expect(console.locator("#gemt-status")).to_have_text(re.compile(r"^Gemt kl\."))
    issue_id = console.get_by_label("Id", exact=True).input_value()
    held: list[Route] = []

    def hold_saves(route: Route) -> None:
        if route.request.method == "PUT":
            held.append(route)
        else:
            route.continue_()

    console.route(f"**/api/staff/newsletter/issues/{issue_id}", hold_saves)
    console.get_by_label("Tekst i Markdown").fill("# Først\n\nMere tekst.")
    expect(console.locator("#gemt-status")).to_have_text("Gemmer …")
    console.get_by_role("button", name="Slet kladden …").click()
    console.get_by_role("button", name="Ja, slet kladden").click()
    with console.expect_response(lambda r: r.request.method == "PUT"):
        held.pop().continue_()
    expect(console.locator("#konsol-status")).to_have_text(f"Kladden {issue_id} er slettet.")
    console.unroute(f"**/api/staff/newsletter/issues/{issue_id}")
    status = console.evaluate(  # asked as the page asks, once the late save has landed
        "id => Personale.api('GET', '/api/staff/newsletter/issues/' + id).then(r => r.status)",
        issue_id)
    assert status == 404
