"""What a participant's mail program shows, and what nobody can smuggle into it."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from shared.danish import danish_span
from shared.email.render import Attachment, mime, render
from shared.forums.models import Session
from shared.forums.registration.mail import email_kind
from shared.forums.registration.models import Registration, Status

SESSION = Session(id="s-1", forum_id="f-1", city="Kolding", venue="Koldinghus",
                  starts_at=datetime(2027, 3, 4, 8, 30, tzinfo=UTC),
                  ends_at=datetime(2027, 3, 4, 14, 30, tzinfo=UTC), capacity=10,
                  registration_deadline=datetime(2027, 2, 25, 11, tzinfo=UTC))


def context(name: str) -> dict[str, object]:
    return {"name": name, "kind": "confirmation", "session": SESSION, "forum_title": "Forum",
            "when": danish_span(SESSION.starts_at, SESSION.ends_at), "days_before": 2,
            "cancel_url": "https://ledere.example.dk/afmeld.html?token=abc"}


def test_times_read_as_danish_wall_clock_time() -> None:
    assert danish_span(SESSION.starts_at, SESSION.ends_at) == \
        "torsdag den 4. marts 2027 kl. 09.30–15.30"


def test_html_from_people_is_escaped_and_danish_letters_survive() -> None:
    email = render("confirmation", "anne@example.dk", "Bekræftelse: Forum",
                   context('<script>alert("x")</script> Æble Øre Åse'),
                   attachments=[Attachment("forum.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    raw = mime(email, "ledere-af-ledere@example.dk", "Ledere af ledere").as_bytes()
    assert max(raw) < 128  # 7-bit on the wire
    parsed = message_from_bytes(raw, policy=policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    assert text is not None and "Æble Øre Åse" in text.get_content()
    assert parsed["Subject"] == "Bekræftelse: Forum"


@pytest.mark.parametrize("to", ["anne@example.dk\r\nBcc: evil@example.dk",
                                "anne@example.dk\nSubject: x"])
def test_no_header_injection_through_the_address(to: str) -> None:
    email = render("confirmation", to, "Bekræftelse", context("Anne"))
    with pytest.raises(ValueError):
        mime(email, "ledere-af-ledere@example.dk", "Ledere af ledere").as_bytes()


def _registration(status: Status) -> Registration:
    return Registration(id="r", session_id="s", forum_id="f", status=status, name="n",
                        email="e@example.dk", role="area_leader", workplace="w",
                        created_at=datetime(2027, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(("old", "new", "kind"), [
    (None, Status.CONFIRMED, "confirmation"),
    (None, Status.WAITLISTED, "waitlisted"),
    (Status.WAITLISTED, Status.CONFIRMED, "promoted"),
    (Status.CONFIRMED, Status.CANCELLED, "cancelled"),
    (Status.WAITLISTED, Status.CANCELLED, "cancelled"),
    (Status.CONFIRMED, Status.CONFIRMED, None),
    (Status.CANCELLED, Status.CANCELLED, None),
])
def test_each_change_calls_for_one_kind_of_email(old: Status | None, new: Status,
                                                 kind: str | None) -> None:
    before = _registration(old) if old else None
    assert email_kind(before, _registration(new)) == kind


@pytest.mark.parametrize("header", ["Subject", "To", "List-Unsubscribe"])
def test_a_message_that_cannot_be_built_says_why_in_the_log_without_the_value(
        header: str, caplog: pytest.LogCaptureFixture) -> None:
    secret = "Hemmelig Hansen\r\nBcc: anden@example.dk"
    email = render("confirmation", "a@example.dk", "Forum", context("Anne"))
    fields = {"to": email.to, "subject": email.subject, "headers": dict(email.headers)}
    if header == "Subject":
        fields["subject"] = secret
    elif header == "To":
        fields["to"] = secret
    else:
        fields["headers"] = {header: secret}
    broken = email.__class__(text=email.text, html=email.html, **fields)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        mime(broken, "ledere@example.dk", "Ledere af ledere")
    [record] = [r for r in caplog.records if r.getMessage() == "email not built: header refused"]
    assert record.levelname == "ERROR" and record.__dict__["header"] == header
    logged = repr([r.__dict__ for r in caplog.records])
    assert "Hemmelig" not in logged and "anden@example.dk" not in logged
