"""The table of registration emails (shared.forums.registration.email_kinds): every email has
its templates and subject, the names stored in the ledger and the metrics the dashboards read
stay what they were, a typo fails here rather than in the stream's consumer, and the stream
invokes its function for exactly the records the table follows (the store decodes those and
passes over the rest)."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.dynamodb_registrations import (
    DynamoRegistrationStore,
    outgoing_item,
    registration_item,
    submission_item,
)
from shared.email.render import TEMPLATES
from shared.forums.models import Forum, Session
from shared.forums.registration.email_kinds import EmailKind, followed_records
from shared.forums.registration.links import RegistrationLinks
from shared.forums.registration.mail import Notifier
from shared.forums.registration.messages import Outgoing
from shared.forums.registration.models import CancelledBy, Registration, Status, Submission
from shared.links import Links

# What is stored and graphed today: the ledger's name of each email (`MAIL#<id>#<round>#<name>`
# items already in the table) and the metric that counts it (the dashboards' names).
STORED = {
    "confirm_registration": "RegistrationSubmitted",
    "already_registered": "RegistrationSubmitted",
    "confirmation": "EmailConfirmation",
    "waitlisted": "EmailWaitlisted",
    "promoted": "EmailPromoted",
    "cancelled": "EmailCancelled",
    "reminder": "ReminderSent",
    "session_changed": "EmailSessionChanged",
    "moved": "EmailMoved",
    "resent": "EmailResent",
    "message": "EmailMessage",
}
NOW = datetime(2027, 1, 16, 6, 0, tzinfo=UTC)
SESSION = Session(id="s-1", forum_id="f-1", city="Kolding", venue="Koldinghus",
                  starts_at=datetime(2027, 3, 4, 8, 30, tzinfo=UTC),
                  ends_at=datetime(2027, 3, 4, 14, 30, tzinfo=UTC), capacity=10,
                  registration_deadline=datetime(2027, 2, 25, 11, tzinfo=UTC))
PERSON = {"session_id": SESSION.id, "name": "Anne", "email": "anne@example.dk",
          "role": "area_leader", "workplace": "Kolding Kommune"}
ROOT = Path(__file__).resolve().parents[2]


def test_every_email_has_its_templates_and_a_subject() -> None:
    for kind in EmailKind:
        for suffix in (".txt", ".html"):
            assert (TEMPLATES / f"{kind.template}{suffix}").is_file(), (kind, suffix)
        assert kind.subject.strip() == kind.subject and kind.subject, kind


def test_the_templates_tell_apart_only_emails_the_table_has() -> None:
    """A template shared by several emails names them by their values: a misspelt one would
    silently fall through to another's wording."""
    named = set()
    for template in {kind.template for kind in EmailKind}:
        for suffix in (".txt", ".html"):
            text = (TEMPLATES / f"{template}{suffix}").read_text()
            for name in re.findall(r"kind\s*[!=]=\s*[\"']([^\"']*)[\"']", text):
                assert name in set(EmailKind), (template, suffix, name)
                named.add(name)
    assert {EmailKind.PROMOTED, EmailKind.REMINDER} <= named  # the confirmation's variants


def test_the_stored_names_and_the_metrics_are_those_of_before() -> None:
    assert {kind.value: kind.metric for kind in EmailKind} == STORED
    # A change of a registration was counted as Email<Kind>; its metric is still that.
    for kind in EmailKind:
        if kind.follows == "registration":
            assert kind.metric == f"Email{kind.value.title().replace('_', '')}"


def test_each_metric_counts_one_email_but_a_mailed_link_is_one_whichever_it_is() -> None:
    """The submission's two answers (the link, or "you hold it already") are one count, a
    link mailed; every other email has a metric of its own."""
    by_metric: dict[str, set[str]] = {}
    for kind in EmailKind:
        by_metric.setdefault(kind.metric, set()).add(kind.follows or "schedule")
        assert re.fullmatch(r"[A-Z][A-Za-z]{1,254}", kind.metric), kind
    shared = {m for m in by_metric if [k for k in EmailKind if k.metric == m][1:]}
    assert shared == {"RegistrationSubmitted"} and by_metric[
        "RegistrationSubmitted"] == {"submission"}


def test_an_unknown_email_fails_by_its_name() -> None:
    assert EmailKind.named("promoted") is EmailKind.PROMOTED
    assert EmailKind.named(EmailKind.REMINDER) is EmailKind.REMINDER
    with pytest.raises(ValueError):
        EmailKind.named("promted")
    with pytest.raises(AttributeError):
        EmailKind.PROMTED  # type: ignore[attr-defined]  # noqa: B018


# -- each email as the notifier sends it -----------------------------------------------------

class World:
    """The notifier's ports around one session: the ledger records what it is asked to claim."""

    sender = "forum@example.dk"

    def __init__(self, held: Registration | None = None) -> None:
        self.held = held
        self.claimed: list[tuple[str, str, str]] = []
        self.sent: list[EmailMessage] = []

    def session(self, session_id: str) -> Session | None:
        return SESSION

    def forum(self, forum_id: str) -> Forum | None:
        return Forum(id="f-1", title="Forum")

    def cancel_reason(self, session_id: str) -> str | None:
        return "Sygdom."

    def position(self, session_id: str, registration_id: str) -> int:
        return 2

    def get(self, session_id: str, registration_id: str) -> Registration | None:
        return self.held

    def submission(self, *args: object) -> object:
        return object()

    def claim(self, session_id: str, registration_id: str, kind: str,
              expires_at: datetime | None = None) -> bool:
        self.claimed.append((session_id, registration_id, kind))
        return True

    def pass_gate(self, *args: object) -> bool:
        return True

    def send(self, message: EmailMessage, to: str) -> str:
        self.sent.append(message_from_bytes(message.as_bytes(), policy=policy.default))  # type: ignore[arg-type]
        return "id"


def notifier(world: World) -> Notifier:
    return Notifier(RegistrationLinks(b"k"), world, world, world, world,  # type: ignore[arg-type]
                    Links("https://ledere.example.dk"), clock=lambda: NOW)


def registration(status: Status, round_: int) -> Registration:
    return Registration(id="r-1", status=status, created_at=NOW, round=round_,
                        cancelled_by=CancelledBy.PARTICIPANT
                        if status is Status.CANCELLED else None, **PERSON)


@settings(deadline=None, max_examples=60)  # the first email compiles the templates
@given(kind=st.sampled_from([k for k in EmailKind if k.follows in ("registration", None)]),
       round_=st.integers(1, 50))
def test_each_email_of_a_registration_is_claimed_under_its_stored_name(
        kind: EmailKind, round_: int) -> None:
    world = World()
    status = {EmailKind.WAITLISTED: Status.WAITLISTED, EmailKind.MOVED: Status.CANCELLED,
              EmailKind.CANCELLED: Status.CANCELLED}.get(kind, Status.CONFIRMED)
    assert notifier(world).send(kind, registration(status, round_))
    # DynamoLedger keeps it as MAIL#<id>#<this>: MAIL#r-1#<round>#<name of before>; a
    # change of the session is told once per revision of it.
    revision = f"#{SESSION.revision}" if kind is EmailKind.SESSION_CHANGED else ""
    assert world.claimed == [(SESSION.id, "r-1", f"{round_}#{kind.value}{revision}")]
    assert kind.value in STORED
    (message,) = world.sent
    assert message["Subject"] == f"{kind.subject}: Forum – Kolding 4. marts"


@pytest.mark.parametrize("held", [None, Status.CONFIRMED, Status.WAITLISTED])
def test_a_submission_gets_the_email_the_table_names(held: Status | None) -> None:
    world = World(registration(held, 1) if held else None)
    submission = Submission(id="sub-1", registration_id="r-1", submitted_at=NOW,
                            expires_at=NOW + timedelta(hours=24), **PERSON)
    kind = notifier(world).on_submission(submission)
    assert kind is (EmailKind.ALREADY_REGISTERED if held else EmailKind.CONFIRM_REGISTRATION)
    assert kind.follows == "submission"
    (message,) = world.sent
    assert message["Subject"].startswith(f"{kind.subject}: Forum")


# -- which records the stream hands to its consumer --------------------------------------------

def test_the_store_decodes_every_record_the_table_follows_and_passes_over_the_rest() -> None:
    store = DynamoRegistrationStore("registrations", "forums")
    held = registration(Status.CONFIRMED, 2)
    submission = Submission(id="sub-1", registration_id="r-1", submitted_at=NOW,
                            expires_at=NOW + timedelta(hours=24), **PERSON)
    request = Outgoing(session_id=SESSION.id, registration_id="r-1", email="message",
                       key="abc", requested_at=NOW, expires_at=NOW + timedelta(days=2))
    images = {"registration": registration_item(held), "submission": submission_item(submission),
              "outgoing": outgoing_item(request)}
    assert followed_records() == sorted(images)
    assert {image["kind"]["S"] for image in images.values()} == set(followed_records())
    assert store.decode(images["registration"]) == held
    assert store.decode(images["submission"]) == submission
    assert store.decode(images["outgoing"]) == request
    for other in ({"pk": {"S": "SESSION#s-1"}, "sk": {"S": "MAIL#r-1#1#confirmation"},
                   "kind": {"S": "mail"}}, {"kind": {"S": "gate"}}, {"kind": {"S": "message"}},
                  {}, None):
        assert store.decode(other) is None


def test_the_stream_consumer_reads_images_only_through_the_store() -> None:
    """The registration events handler imports no adapter but the wiring."""
    source = (ROOT / "functions" / "registration_events" / "handler.py").read_text()
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.module}
    assert {m for m in imported if m.startswith("shared.adapters")} == {"shared.adapters.wiring"}


@pytest.mark.parametrize("revision", [0, 1, 3])
def test_a_reminder_is_claimed_again_for_a_session_changed_since(revision: int) -> None:
    """Reminded once per round of the session as it was (ledger names of before), and once
    more when its time or place changed after a reminder went out."""
    world = World()
    changed = SESSION.model_copy(update={"revision": revision})
    world.session = lambda session_id: changed  # type: ignore[method-assign]
    assert notifier(world).send(EmailKind.REMINDER, registration(Status.CONFIRMED, 2))
    assert world.claimed == [(SESSION.id, "r-1", "2#reminder" + (f"#{revision}"
                                                                  if revision else ""))]
