"""The editor's area of the staff console in chromium against `make run`: the editor's demo
user writes an issue in Markdown and sees the email as a subscriber would in a sandboxed
preview (a script in the text does not run, and the page's CSP stays as strict as it is),
saves the draft, sends a test that arrives at their own address only, approves the issue for
the schedule (the date and time of that send shown before and after) and withdraws, approves
it for a Danish time of its own (asked first), and withdraws the approval. axe at both widths in
every state."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

from shared.danish import danish_time
from shared.platform.clock import COPENHAGEN
from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
ISSUE = "browser-redaktion"
SUBJECT = "Forår hos ledere af ledere"
MARKDOWN = ("# Hej fra redaktionen\n\nEt **fedt** forår med:\n\n- Forum i Vejle\n- Netværk\n\n"
            "<script>window.ran = 1</script>\n")


def row(page: Page) -> Locator:
    return page.locator("#numre-liste tr", has=page.get_by_role(
        "rowheader", name=re.compile(re.escape(f"({ISSUE})"))))


def test_the_editor_writes_previews_tests_approves_and_withdraws(
        runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["editor"]
    runtime.remember(SUBJECT, "Hej fra redaktionen")  # (the address: `make run` prints it)
    blocked: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    console.on("console", watch)
    sign_in(console, runtime, email, password)
    expect(console.get_by_role("heading", name="Redaktøren: nyhedsbrevet")).to_be_visible()
    axe_at_both_widths(console, "redaktion")

    console.get_by_label("Id", exact=True).fill(ISSUE)
    console.get_by_label("Emnelinje").fill(SUBJECT)
    console.get_by_label("Tekst i Markdown").fill(MARKDOWN)
    frame = console.frame_locator("#eksempel")
    expect(frame.get_by_role("heading", name="Hej fra redaktionen")).to_be_visible()
    expect(frame.get_by_role("link", name="Afmeld med ét klik")).to_be_visible()
    expect(console.locator("#eksempel-status")).to_have_text(f"Emne: {SUBJECT}")
    assert console.locator("#eksempel").get_attribute("sandbox") == ""  # no scripts, no origin
    preview = next(f for f in console.frames if f.parent_frame is not None)
    assert preview.evaluate("window.ran") is None  # the script in the text did not run
    axe_at_both_widths(console, "redaktion-eksempel")

    console.get_by_role("button", name="Gem kladde").click()
    expect(console.locator("#konsol-status")).to_have_text(f"Kladden {ISSUE} er gemt.")
    expect(row(console)).to_contain_text("Kladde")

    console.get_by_role("button", name="Send en prøve til mig").click()
    expect(console.locator("#konsol-status")).to_have_text(
        f"En prøve af {ISSUE} er sendt til {email}.")
    mails = runtime.mails(email, f"[TEST] {SUBJECT}")
    assert len(mails) == 1 and "Hej fra redaktionen" in mails[0]["text"]
    outbox = runtime.json("GET", "/_local/outbox")[1]
    assert [m["to"] for m in outbox if m["subject"] == f"[TEST] {SUBJECT}"] == [mails[0]["to"]]

    # For the schedule: the date and time of the send that takes it, before and after.
    scheduled = r"\w+dag den 5\. \w+ 20\d\d kl\. 08\.00 \(dansk tid\)"
    expect(console.locator("label[for=hvornaar-plan]")).to_have_text(
        re.compile(r"Med næste planlagte udsendelse: " + scheduled))
    console.get_by_role("button", name="Godkend …").click()
    expect(console.locator("#godkend-advarsel")).to_contain_text(
        re.compile(r"Det sendes med næste planlagte udsendelse, " + scheduled
                   + r" til (alle [\d.]+ abonnenter|1 abonnent|0 abonnenter \(ingen har "
                   r"bekræftet deres tilmelding endnu\))\."))
    console.get_by_role("button", name="Ja, godkend og send til alle abonnenter").click()
    expect(console.locator("#godkendelse-status")).to_have_text(re.compile(
        r"Godkendt: sendes med næste planlagte udsendelse, " + scheduled
        + r"\. Du kan trække godkendelsen tilbage indtil da\."))
    expect(row(console)).to_contain_text(re.compile(r"5\. \w+ 20\d\d kl\. 08\.00, med planen"))
    expect(console.get_by_role("button", name="Gem kladde")).to_be_hidden()  # approved: read
    expect(console.get_by_label("Tekst i Markdown")).not_to_be_editable()    # only
    axe_at_both_widths(console, "redaktion-godkendt-planen")
    assert re.search(r"approved\s+sendes \w+dag den 5\. \w+ 20\d\d kl\. 08\.00",
                     runtime.leaders("newsletter", "status", ISSUE))
    console.get_by_role("button", name="Træk godkendelsen tilbage").click()
    expect(console.locator("#konsol-status")).to_have_text(
        f"Godkendelsen af {ISSUE} er trukket tilbage; nummeret er en kladde igen.")

    moment = datetime.now(COPENHAGEN) + timedelta(days=60)
    console.get_by_label("På et bestemt tidspunkt (dansk tid)").check()
    console.get_by_role("button", name="Godkend …").click()
    expect(console.locator("#godkend-fejl")).to_have_text("Vælg dato og klokkeslæt (dansk tid).")
    # A time already past is refused when it is chosen, before the last question.
    console.locator("#editor").get_by_label("Dato").fill("2020-01-01")
    console.get_by_label("Klokkeslæt (dansk tid)").fill("08:00")
    console.get_by_role("button", name="Godkend …").click()
    expect(console.locator("#godkend-fejl")).to_have_text(
        "onsdag den 1. januar 2020 kl. 08.00 er allerede passeret; vælg et tidspunkt frem i "
        "tiden (dansk tid).")
    expect(console.get_by_role("button", name="Ja, godkend og send til alle abonnenter")) \
        .to_be_hidden()
    console.locator("#editor").get_by_label("Dato").fill(moment.strftime("%Y-%m-%d"))
    console.get_by_label("Klokkeslæt (dansk tid)").fill("08:30")
    console.get_by_role("button", name="Godkend …").click()
    shown = danish_time(moment.replace(hour=8, minute=30, second=0, microsecond=0))
    expect(console.locator("#godkend-advarsel")).to_contain_text(re.compile(
        re.escape(f"Det sendes {shown} (dansk tid) til ")
        + r"(alle [\d.]+ abonnenter|1 abonnent|0 abonnenter \(ingen har bekræftet deres "
        r"tilmelding endnu\))\."))
    axe_at_both_widths(console, "redaktion-godkend")
    console.get_by_role("button", name="Ja, godkend og send til alle abonnenter").click()
    expect(console.locator("#konsol-status")).to_contain_text(f"{ISSUE} er godkendt og sendes")
    expect(row(console)).to_contain_text("Godkendt")
    expect(console.locator("#godkendelse-status")).to_contain_text(f"sendes {shown} (dansk tid)")
    status = runtime.leaders("newsletter", "status", ISSUE)
    assert "approved" in status and shown in status
    axe_at_both_widths(console, "redaktion-godkendt")

    console.get_by_role("button", name="Træk godkendelsen tilbage").click()
    expect(console.locator("#konsol-status")).to_have_text(
        f"Godkendelsen af {ISSUE} er trukket tilbage; nummeret er en kladde igen.")
    expect(row(console)).to_contain_text("Kladde")
    assert "draft" in runtime.leaders("newsletter", "status", ISSUE)
    axe_at_both_widths(console, "redaktion-kladde")
    assert console.evaluate("location.href").endswith("/personale/")
    # Only the email's own inline styles are held back by the CSP the preview inherits.
    assert all("inline style" in text for text in blocked), blocked
    logs = (runtime.state / "logs").glob("*.log")
    assert not [log.name for log in logs if email in log.read_text(errors="replace")]
