"""The secretariat writes through the staff API: a participant's email sent again, a message to
everyone registered for a session (confirmed, and waiting when asked), and the email a person
moved to another session gets. Mails are read from the emulator's SES outbox after the
registrations' stream is delivered to its consumer, as AWS would."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from local.emulator import Emulator
from shared.adapters.ses import SesSender
from shared.danish import danish_date
from shared.forums.registration.messages import MessageForm
from shared.platform.names import STAFF_GROUPS
from tests.integration.conftest import Api, bearer
from tests.integration.test_staff_participants import forum, listed, register, secretariat
from tests.support.registration_emulator import Mail, deliver, text_of, token_in

Tokens = dict[str, dict[str, Any]]


def write(api: Api, tokens: Tokens, session: str, subject: str, text: str,
          **more: Any) -> tuple[int, Any]:
    return api.request("POST", f"/api/staff/sessions/{session}/messages",
                       {"subject": subject, "text": text, **more}, secretariat(tokens))


def resend(api: Api, tokens: Tokens, participant: str) -> tuple[int, Any]:
    return api.request("POST", f"/api/staff/registrations/{participant}/resend",
                       headers=secretariat(tokens))


def full_session(api: Api, tokens: Tokens, confirmed: int, waiting: int) -> str:
    """A session with `confirmed` seats, all taken, and `waiting` people in line."""
    (session,) = forum(confirmed)
    for i in range(confirmed):
        register(api, tokens, session, f"plads{i}")
    for i in range(waiting):
        register(api, tokens, session, f"venter{i}")
    return session


def requests_to_send(mail: Mail) -> list[dict[str, Any]]:
    """The stream's records since the last look that would ask its consumer for an email."""
    return [r for r in mail.changes()
            if r["dynamodb"].get("NewImage", {}).get("kind", {}).get("S") == "outgoing"]


def addressees(mail: Mail) -> list[str]:
    return sorted(str(m["To"]) for m in mail.new_messages())


# -- a message to the session --------------------------------------------------------------

def test_a_message_reaches_the_confirmed_once_and_the_waiting_only_when_asked(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    session = full_session(api, tokens, 2, 1)
    register(api, tokens, session, "afmeldt")
    afmeldt = next(p["id"] for p in listed(api, tokens, session)
                   if p["name"] == "Deltager afmeldt")
    api.request("POST", f"/api/staff/registrations/{afmeldt}/cancel", headers=secretariat(tokens))
    mail = Mail(emulator)
    subject, text = "Nyt lokale", "Kære alle\n\nVi mødes i sal 2 i stedet.\nVel mødt!"
    assert write(api, tokens, session, subject, text) == (202, {"recipients": 2})
    # A double click, then a retry of the whole call: the same message.
    assert write(api, tokens, session, subject, text) == (202, {"recipients": 2})
    assert write(api, tokens, session, subject, text) == (202, {"recipients": 2})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    messages = mail.new_messages()
    assert sorted(str(m["To"]) for m in messages) == ["plads0@example.dk", "plads1@example.dk"]
    for message in messages:
        assert message["Subject"] == subject
        body = text_of(message)
        assert body.startswith(text)
        assert "Du får denne mail, fordi du er tilmeldt:" in body and "Vejle" in body
        assert re.search(r"Venlig hilsen\nLedere af ledere\nKontakt: \S+@\S+", body), body
        html = message.get_body(preferencelist=("html",))
        assert html is not None and "Vi mødes i sal 2 i stedet.<br>" in html.get_content()
    # Now with the waiting list: only the one not written to before gets it.
    assert write(api, tokens, session, subject, text, include_waiting=True) == (
        202, {"recipients": 3})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    (waiting,) = mail.new_messages()
    assert waiting["To"] == "venter0@example.dk"
    assert "Du får denne mail, fordi du står på ventelisten til:" in text_of(waiting)


def test_a_send_failing_midway_is_retried_for_the_missing_one_alone(
        api: Api, tokens: Tokens, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    session = full_session(api, tokens, 4, 0)
    mail = Mail(emulator)
    send = SesSender.send

    def throttled(self: SesSender, message: Any, to: str) -> str:
        if to == "plads2@example.dk":
            raise RuntimeError("Throttling: Maximum sending rate exceeded")
        return send(self, message, to)

    assert write(api, tokens, session, "Husk", "Husk jeres data.") == (202, {"recipients": 4})
    records = mail.changes()
    with monkeypatch.context() as patched:
        patched.setattr(SesSender, "send", throttled)
        answer = deliver(api, records)
    (failure,) = answer["batchItemFailures"]
    assert addressees(mail) == ["plads0@example.dk", "plads1@example.dk", "plads3@example.dk"]
    # Lambda retries the batch from the failed record on (the records after it again too).
    failed_at = next(i for i, r in enumerate(records)
                     if r["dynamodb"]["SequenceNumber"] == failure["itemIdentifier"])
    assert deliver(api, records[failed_at:]) == {"batchItemFailures": []}
    assert addressees(mail) == ["plads2@example.dk"]
    # The stream redelivering everything, or the secretariat posting it again: nobody twice.
    assert deliver(api, records) == {"batchItemFailures": []}
    assert write(api, tokens, session, "Husk", "Husk jeres data.") == (202, {"recipients": 4})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert addressees(mail) == []


def test_a_message_the_stream_gave_up_on_is_sent_by_posting_it_again(
        api: Api, tokens: Tokens, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    session = full_session(api, tokens, 3, 0)
    mail = Mail(emulator)
    send = SesSender.send

    def down_for_one(self: SesSender, message: Any, to: str) -> str:
        if to == "plads1@example.dk":
            raise RuntimeError("SES is unavailable")
        return send(self, message, to)

    with monkeypatch.context() as patched:
        patched.setattr(SesSender, "send", down_for_one)
        write(api, tokens, session, "Program", "Programmet er vedhæftet.")
        assert len(deliver(api, mail.changes())["batchItemFailures"]) == 1
    assert addressees(mail) == ["plads0@example.dk", "plads2@example.dk"]
    # The records went to the dead-letter queue; the secretariat sends it again.
    assert write(api, tokens, session, "Program", "Programmet er vedhæftet.") == (
        202, {"recipients": 3})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    assert addressees(mail) == ["plads1@example.dk"]


# Odd but legal: Danish letters, quotes, markup, a formula, emoji, tabs, long words, spaces
# around (trimmed, as the form does).
ODD = st.sampled_from(["Æblegrød & «citater»", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                       "🎉 Fest", "Tab\there", "x" * 60, "  mellemrum  ", "Ø\u00adå", "a\u200bb",
                       "100 % & 5 < 6"])
subjects = st.lists(ODD | st.text(st.characters(codec="utf-8",
                                                 exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                                  min_size=1, max_size=40),
                    min_size=1, max_size=3).map(" ".join)
texts = st.lists(subjects, min_size=1, max_size=6).map("\n".join)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(subject=subjects, text=texts)
def test_any_legal_subject_and_text_arrive_as_written(api: Api, tokens: Tokens,
                                                      emulator: Emulator, subject: str,
                                                      text: str) -> None:
    try:
        form = MessageForm(subject=subject[:150], text=text)
    except ValueError:
        status, answer = write(api, tokens, "findes-ikke", subject[:150], text)
        assert status == 422 and all(e["message"].endswith(".") for e in answer["errors"])
        return
    (session,) = forum(1)
    register(api, tokens, session, "modtager")
    mail = Mail(emulator)
    assert write(api, tokens, session, subject[:150], text) == (202, {"recipients": 1})
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    (message,) = mail.new_messages()
    assert message["Subject"] == form.subject
    assert text_of(message).startswith(form.text)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<script>" not in html.get_content()


BAD = [
    ({"subject": "", "text": "Tekst"}, "subject"),
    ({"subject": "x" * 151, "text": "Tekst"}, "subject"),
    ({"subject": "To\nlinjer", "text": "Tekst"}, "subject"),
    ({"subject": "Emne", "text": ""}, "text"),
    ({"subject": "Emne", "text": "x" * 5001}, "text"),
    ({"subject": "Emne", "text": "Klokke\x07"}, "text"),
    ({"subject": "Emne", "text": "Tekst", "include_waiting": "måske"}, "include_waiting"),
    ({"text": "Tekst"}, "subject"),
]


@pytest.mark.parametrize(("body", "field"), BAD)
def test_bad_input_is_refused_per_field_in_danish_and_nothing_is_sent(
        api: Api, tokens: Tokens, emulator: Emulator, body: dict[str, Any], field: str) -> None:
    (session,) = forum(1)
    register(api, tokens, session, "ingen")
    mail = Mail(emulator)
    for path in (f"/api/staff/sessions/{session}/messages",
                 f"/api/staff/sessions/{session}/messages/preview"):
        status, answer = api.request("POST", path, body, secretariat(tokens))
        assert status == 422, path
        (error,) = answer["errors"]
        assert error["field"] == field and error["message"].endswith(".")
        assert not re.search(r"[A-Za-z]+ (should|must|field|value)", error["message"])
    assert requests_to_send(mail) == []
    assert mail.new_messages() == []


def test_the_preview_shows_the_email_and_how_many_and_sends_nothing(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    session = full_session(api, tokens, 2, 1)
    mail = Mail(emulator)
    path = f"/api/staff/sessions/{session}/messages/preview"
    for include_waiting, count in ((False, 2), (True, 3)):
        status, preview = api.request("POST", path, {
            "subject": " Nyt lokale ", "text": "Vi mødes i sal 2.",
            "include_waiting": include_waiting}, secretariat(tokens))
        assert status == 200 and preview["recipients"] == count
        assert preview["subject"] == "Nyt lokale"
        assert preview["text"].startswith("Vi mødes i sal 2.\n")
        assert "Kontakt:" in preview["text"]
    assert requests_to_send(mail) == []
    assert mail.new_messages() == []
    status, answer = api.request("POST", "/api/staff/sessions/findes-ikke/messages",
                                 {"subject": "Emne", "text": "Tekst"}, secretariat(tokens))
    assert (status, answer["code"]) == (404, "session_not_found")


# -- a confirmation sent again -------------------------------------------------------------

def test_a_resend_sends_the_confirmation_again_with_a_fresh_cancel_link_once_per_click(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    session = full_session(api, tokens, 1, 1)
    rows = {p["name"]: p["id"] for p in listed(api, tokens, session)}
    mail = Mail(emulator)
    confirmed, waiting = rows["Deltager plads0"], rows["Deltager venter0"]
    assert resend(api, tokens, confirmed) == (202, {"status": "requested"})
    assert resend(api, tokens, confirmed) == (202, {"status": "requested"})  # double click
    assert resend(api, tokens, waiting) == (202, {"status": "requested"})
    records = mail.changes()
    for _ in range(2):  # the stream delivers at least once
        assert deliver(api, records) == {"batchItemFailures": []}
    messages = mail.new_messages()
    assert sorted(str(m["To"]) for m in messages) == ["plads0@example.dk", "venter0@example.dk"]
    again = next(m for m in messages if m["To"] == "plads0@example.dk")
    assert str(again["Subject"]).startswith("Bekræftelse: Enkeltforum – Vejle")
    assert "Her er din bekræftelse igen. Du er tilmeldt:" in text_of(again)
    (calendar,) = list(again.iter_attachments())
    assert calendar.get_filename() == "forum.ics"
    assert Calendar.from_ical(calendar.get_content()).get("method") == "PUBLISH"
    line = next(m for m in messages if m["To"] == "venter0@example.dk")
    assert str(line["Subject"]).startswith("Venteliste: Enkeltforum – Vejle")
    assert "Du står på ventelisten som nummer 1 til:" in text_of(line)
    # The cancel link in the resent email works.
    assert api.request("POST", "/api/registrations/cancel",
                       {"token": token_in(again)}) == (200, {"status": "cancelled"})
    # Cancelled now: nothing to send again.
    status, answer = resend(api, tokens, confirmed)
    assert (status, answer["code"]) == (409, "registration_cancelled")
    assert answer["message"] == ("Tilmeldingen er afmeldt, så der er ingen bekræftelse at "
                                 "sende igen.")
    assert resend(api, tokens, f"{session}~{'a' * 20}")[0] == 404
    assert resend(api, tokens, "ikke-et-id")[0] == 422


# -- moved -----------------------------------------------------------------------------------

def test_a_person_moved_is_told_of_the_move_with_the_old_event_cancelled_in_the_calendar(
        api: Api, tokens: Tokens, emulator: Emulator) -> None:
    here, there = forum(1, 1, cities=("Kolding", "Aarhus", "Odense"))
    moving = register(api, tokens, here, "flyttes")[1]["id"]
    mail = Mail(emulator)
    assert api.request("POST", f"/api/staff/registrations/{moving}/move",
                       {"session_id": there}, secretariat(tokens))[0] == 200
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}
    messages = mail.new_messages()
    assert not [m for m in messages if str(m["Subject"]).startswith("Afmeldt")]
    old = next(m for m in messages if str(m["Subject"]).startswith("Flyttet: Enkeltforum"))
    new = next(m for m in messages if str(m["Subject"]).startswith("Bekræftelse: Enkeltforum"))
    days = {}
    for session_id in (here, there):
        found = listed_session(api, tokens, session_id)
        days[session_id] = danish_date(found, weekday=False, year=False)
    assert f"Kolding {days[here]}" in str(old["Subject"])
    assert (f"Vi har flyttet din tilmelding fra Kolding {days[here]} til Aarhus {days[there]}."
            in text_of(old))
    (cancellation,) = list(old.iter_attachments())
    calendar = Calendar.from_ical(cancellation.get_content())
    assert calendar.get("method") == "CANCEL"
    assert "Kolding" in str(calendar.walk("VEVENT")[0]["location"])
    assert f"Vi har flyttet din tilmelding fra Kolding {days[here]}. Du har nu en plads på:" \
        in text_of(new)
    assert "Aarhus" in text_of(new)


def listed_session(api: Api, tokens: Tokens, session_id: str) -> Any:
    from datetime import datetime

    status, body = api.request("GET", f"/api/staff/sessions/{session_id}/participants",
                               headers=secretariat(tokens))
    assert status == 200
    return datetime.fromisoformat(body["session"]["starts_at"])


# -- every other group -----------------------------------------------------------------------

@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "secretariat"])
def test_every_other_group_is_refused_and_nobody_is_written_to(
        api: Api, tokens: Tokens, emulator: Emulator, group: str) -> None:
    (session,) = forum(1)
    participant = register(api, tokens, session, "skaanes")[1]["id"]
    mail = Mail(emulator)
    theirs = bearer(tokens[group]["IdToken"])
    for path, body in ((f"/api/staff/registrations/{participant}/resend", None),
                       (f"/api/staff/sessions/{session}/messages",
                        {"subject": "Emne", "text": "Tekst"}),
                       (f"/api/staff/sessions/{session}/messages/preview",
                        {"subject": "Emne", "text": "Tekst"})):
        status, answer = api.request("POST", path, body, theirs)
        assert (status, answer["code"]) == (403, "forbidden"), path
    assert requests_to_send(mail) == []
    assert mail.new_messages() == []
