"""A working day in the staff console that does not end unannounced, in chromium against
`make run` (its Cognito emulator), with the page's clock driven by Playwright: ten minutes
before the refresh token's twelve hours are up the page says when it will sign out, with
"Log ind igen nu"; when the session ends (that time, or a renewal Cognito refuses because the
user was signed out everywhere) the text being written in the console's forms is kept in the
page's memory, never in sessionStorage, localStorage or a cookie, and put back where it was
once the same user signs in again; another user gets nothing, and the texts are dropped.
axe and screenshots at 1280 and 375 px."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shared.platform.clock import COPENHAGEN
from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e

REASON = "Oplægsholderen er blevet syg, og vi kan ikke nå at finde en ny."
ISSUE = ("2099-maj", "Nyt fra foreningen i maj",
         "# Kære ledere af ledere\n\nHer er nyt om efterårets lederforummer.")

# Everything the browser keeps for the page beyond its memory.
STORED = """() => JSON.stringify({session: Object.entries(sessionStorage),
                                  local: Object.entries(localStorage), cookie: document.cookie})"""
# Every text held by a field of the page.
TYPED = """() => Array.from(document.querySelectorAll('input, textarea'))
    .map(field => field.value).join('\\n')"""


@pytest.fixture(scope="module")
def session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A session with one participant (one nobody registered for is deleted, not cancelled)."""
    session_id = runtime.one_seat_session(tmp_path_factory.mktemp("slut"),
                                          ("slut-forum", "Forum for arbejdsdagens slutning"),
                                          ("slut-odense", "Odense", "Odense Congress Center"),
                                          "2099-06-01")
    status, _ = runtime.register({
        "session_id": session_id, "name": "Dorte Lund", "email": "dorte@example.dk",
        "role": "area_leader", "workplace": "Odense Kommune", "member_number": "4711",
        "consent": True, "website": ""})
    assert status == 200
    return session_id


def signed_out_everywhere(runtime: Running, email: str) -> None:
    """As `leaders staff remove` does first: Cognito refuses the user's refresh tokens."""
    import boto3

    config = runtime.json("GET", "/personale/config.json")[1]
    boto3.client("cognito-idp", endpoint_url=config["endpoint"], region_name=config["region"],
                 aws_access_key_id="local", aws_secret_access_key="local",
                 ).admin_user_global_sign_out(UserPoolId=config["userPoolId"], Username=email)


def sign_in_again(page: Page, email: str, password: str) -> None:
    """The sign-in form the page shows after the session ended, without leaving the page."""
    page.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Adgangskode", exact=True).fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name=f"Logget ind som {email}")).to_be_visible()


def nothing_stored(page: Page, *texts: str) -> None:
    stored = page.evaluate(STORED)
    typed = page.evaluate(TYPED)
    for text in texts:
        assert text not in stored
        assert text not in typed  # nor left in a field of the signed-out page


def status(page: Page) -> Any:
    return page.locator("#konsol-status")


def test_a_cancellation_reason_survives_a_refused_renewal_for_the_same_user(
        runtime: Running, console: Page, session: str) -> None:
    del session
    console.clock.install()
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    row = console.locator("tr", has=console.get_by_role("rowheader",
                                                         name=re.compile("^Odense, .*juni 2099")))
    row.get_by_role("button", name=re.compile("^Aflys")).click()
    reason = console.get_by_label("Begrundelse (sendes til alle deltagere)")
    reason.fill(REASON)

    # Signed out everywhere: the background renewal, due a minute before the ID token expires
    # (five minutes in AWS, an hour in the emulator), is refused, and the session ends.
    signed_out_everywhere(runtime, email)
    console.clock.fast_forward("01:00:00")
    expect(console.get_by_role("button", name="Log ind")).to_be_visible()
    expect(status(console)).to_have_text(
        "Din session er udløbet, eller din adgang er ændret. Log ind igen. Det, du var i gang "
        "med at skrive, bliver sat ind igen, når du logger ind.")
    expect(console.locator("#log-ind-form").get_by_label("E-mail", exact=True)).to_have_value(
        email)
    nothing_stored(console, REASON)
    axe_at_both_widths(console, "session-slut-log-ind")

    sign_in_again(console, email, password)
    expect(console.get_by_role("heading", name="Aflys mødet")).to_be_visible()
    expect(reason).to_have_value(REASON)
    expect(console.locator("#aflys-moede")).to_contain_text("Odense")
    expect(status(console)).to_have_text("Det, du var i gang med at skrive, er sat ind igen.")
    axe_at_both_widths(console, "session-slut-sat-ind")
    # The reason goes on to the preview as if it had never left.
    console.get_by_role("button", name="Aflys mødet …").click()
    expect(console.locator("#aflys-advarsel")).to_contain_text("Vil du aflyse Odense")
    console.get_by_role("button", name="Fortryd").last.click()


def test_the_page_warns_before_the_working_day_ends_and_another_user_gets_nothing(
        runtime: Running, console: Page) -> None:
    console.clock.install()
    users = demo_users(runtime)
    editor, password = users["editor"]
    sign_in(console, runtime, editor, password)
    text = console.get_by_label("Tekst i Markdown")
    console.get_by_label("Id", exact=True).fill(ISSUE[0])
    console.get_by_label("Emnelinje").fill(ISSUE[1])
    text.fill(ISSUE[2])
    began = console.evaluate(
        "() => JSON.parse(sessionStorage.getItem('personale.session')).signedInAt")
    ends = f"{datetime.fromtimestamp(began / 1000 + 12 * 3600, COPENHAGEN):%H.%M}"

    # Ten minutes before the twelve hours, the page says when, in Danish time.
    warning = console.locator("#udloeb")
    console.clock.fast_forward("11:45:00")
    expect(warning).to_be_hidden()
    console.clock.fast_forward("00:05:30")
    expect(warning).to_be_visible()
    alert = console.get_by_role("alert").filter(has_text="Du bliver logget ud")
    expect(alert.locator("p").first).to_have_text(
        f"Du bliver logget ud kl. {ends}. Gem det, du er i gang med, og log ind igen for at "
        "fortsætte.")
    expect(alert.get_by_role("button", name="Log ind igen nu")).to_be_visible()
    axe_at_both_widths(console, "session-advarsel")

    # "Log ind igen nu": the same user is back with the draft, and a new working day.
    console.get_by_role("button", name="Log ind igen nu").click()
    expect(status(console)).to_have_text(
        "Log ind igen for at fortsætte. Det, du var i gang med at skrive, bliver sat ind igen, "
        "når du logger ind.")
    nothing_stored(console, ISSUE[2], ISSUE[1])
    sign_in_again(console, editor, password)
    expect(text).to_have_value(ISSUE[2])
    expect(console.get_by_label("Emnelinje")).to_have_value(ISSUE[1])
    expect(console.get_by_label("Id", exact=True)).to_have_value(ISSUE[0])
    expect(warning).to_be_hidden()
    # The live preview shows what was put back.
    expect(console.frame_locator("#eksempel").get_by_role(
        "heading", name="Kære ledere af ledere")).to_be_visible()

    # The day ends unheeded: the session ends at its time, the draft is kept.
    console.clock.fast_forward("12:00:30")
    expect(console.get_by_role("button", name="Log ind")).to_be_visible()
    expect(status(console)).to_contain_text(
        "Du er blevet logget ud, fordi der er gået 12 timer, siden du loggede ind.")
    nothing_stored(console, ISSUE[2])

    # Another user signs in at this computer: nothing of it, and it is gone for good.
    consultant, other = users["consultant"]
    sign_in_again(console, consultant, other)
    assert ISSUE[2] not in console.evaluate(TYPED)
    expect(status(console)).not_to_contain_text("sat ind igen")
    console.get_by_role("button", name="Log ud").click()
    sign_in_again(console, editor, password)
    expect(console.get_by_label("Emnelinje")).to_have_value("")
    expect(text).to_have_value("")
