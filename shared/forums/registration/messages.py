"""The secretariat writes to one participant or to a whole session, shared by the staff
console and scripts: a person's current email sent again, and a message (subject and text as
written) to everyone confirmed and, when asked, everyone waiting.

Nothing is sent here, and nothing waits for sending: each email is stored as a request to send
one email to one registration (`Outgoing`, an item of the registrations table), and the
table's stream hands each to the notifier (shared.forums.registration.mail), which sends it
once through the ledger, as it does every other email. So a session of a few hundred people
costs the console's call a read of the list and a batched write of the requests (25 a call),
never a send; the stream's consumer sends them with its retries, partial batch failures and
dead-letter queue.

Once each:
- a message's identity is a hash of its session, subject and text as the form normalises them
  (`message_id`): the same message posted again (a double click, a retry, the same text
  sent again later) is the same message, and the ledger entry `message-<id>` of each
  registration's round holds back a second copy; posting it again re-publishes every request,
  so whoever a failed send left out gets it then, and nobody else;
- a resend is one request per registration and interval (`RESEND_INTERVAL`): a second click
  within it stores nothing; the request's key (the moment it was made) names its ledger entry
  `resent-<key>`, so the stream's retries of that request send it once."""

from __future__ import annotations

import hashlib
import json
from base64 import b32encode
from datetime import datetime, timedelta
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, Field

from shared.errors import Conflict, NotFound
from shared.forms import MultiLine, SingleLine
from shared.forums.registration.models import Registration, Status
from shared.platform.clock import Clock, utcnow

# A second resend of a registration within this interval is the same click again.
RESEND_INTERVAL = timedelta(minutes=2)
# Requests are published by the stream within seconds and kept for its 24 hours' retries;
# the message is kept as long, so a late retry can still read what it sends.
REQUEST_DAYS = 2
MESSAGE_DAYS = 14

# As the secretariat's other routes answer an unknown registration.
REGISTRATION_NOT_FOUND = NotFound("Tilmeldingen findes ikke.", code="registration_not_found")
NOTHING_TO_RESEND = Conflict(
    "Tilmeldingen er afmeldt, så der er ingen bekræftelse at sende igen.",
    code="registration_cancelled")

Subject = Annotated[SingleLine, Field(min_length=1, max_length=150)]
Text = Annotated[MultiLine, Field(min_length=1, max_length=5000)]


class MessageForm(BaseModel):
    """The secretariat's message to a session's participants."""

    subject: Subject
    text: Text
    include_waiting: bool = False


class SessionMessage(BaseModel):
    """A message as kept for its requests: the subject and text as written."""

    id: str
    session_id: str
    subject: str
    text: str
    created_at: datetime
    expires_at: datetime


class Outgoing(BaseModel):
    """A request to send one email to one registration: `email` names it in the table of
    emails (EmailKind.RESENT or EmailKind.MESSAGE), `key` the request (resent: the moment it
    was made, in seconds) or the message (its id)."""

    session_id: str
    registration_id: str
    email: Literal["resent", "message"]
    key: str = Field(pattern=r"^[a-z0-9]{1,40}$")
    requested_at: datetime
    expires_at: datetime

    @property
    def ledger_name(self) -> str:
        """Its name in the ledger of emails sent (after the round): `resent-<key>`,
        `message-<id>`."""
        return f"{self.email}-{self.key}"


class Outbox(Protocol):
    """Where the secretariat's requests to send are kept (the registration store: its items
    are published to the notifier as the registrations' changes are)."""

    def put_message(self, message: SessionMessage) -> None:
        """Keep the message (written again unchanged when it is sent again)."""

    def message(self, session_id: str, message_id: str) -> SessionMessage | None: ...

    def request(self, requests: list[Outgoing]) -> None:
        """Store each request (again when it was stored before: published anew, so what was
        not sent then is sent now, and the ledger holds back what was)."""

    def request_once(self, request: Outgoing, until: datetime) -> bool:
        """Store the request unless one for the registration was stored less than an
        interval ago (then no other before `until`); False when it was."""


class Registered(Protocol):
    """What writing to a session reads of registration (the registration store)."""

    def get(self, session_id: str, registration_id: str) -> Registration | None: ...

    def registrations(self, session_id: str) -> list[Registration]: ...


def message_id(session_id: str, subject: str, text: str) -> str:
    """The message's identity: the same session, subject and text are the same message."""
    digest = hashlib.sha256(json.dumps([session_id, subject, text]).encode()).digest()
    return b32encode(digest).decode().lower()[:26]


def recipients(registrations: list[Registration], include_waiting: bool) -> list[Registration]:
    """Who a message to the session goes to: everyone confirmed, and when asked everyone
    waiting; never a cancelled registration."""
    wanted = {Status.CONFIRMED, Status.WAITLISTED} if include_waiting else {Status.CONFIRMED}
    return [r for r in registrations if r.status in wanted]


class Messages:
    def __init__(self, registrations: Registered, outbox: Outbox,
                 clock: Clock = utcnow) -> None:
        self._store = registrations
        self._outbox = outbox
        self._clock = clock

    def resend(self, session_id: str, registration_id: str) -> bool:
        """Send the person their current email again (confirmed: the confirmation with the
        calendar file and a fresh cancel link; waiting: the waiting-list email with their
        place), to their registered address only. NotFound when there is no registration,
        Conflict when it is cancelled. False when a resend was requested a moment ago (a
        double click): nothing more is sent."""
        registration = self._store.get(session_id, registration_id)
        if registration is None:
            raise REGISTRATION_NOT_FOUND
        if registration.status is Status.CANCELLED:
            raise NOTHING_TO_RESEND
        now = self._clock()
        return self._outbox.request_once(Outgoing(
            session_id=session_id, registration_id=registration_id, email="resent",
            key=str(int(now.timestamp())), requested_at=now,
            expires_at=now + timedelta(days=REQUEST_DAYS)), until=now + RESEND_INTERVAL)

    def message(self, session_id: str, form: MessageForm) -> SessionMessage:
        now = self._clock()
        return SessionMessage(id=message_id(session_id, form.subject, form.text),
                              session_id=session_id, subject=form.subject, text=form.text,
                              created_at=now, expires_at=now + timedelta(days=MESSAGE_DAYS))

    def recipients(self, session_id: str, include_waiting: bool) -> list[Registration]:
        return recipients(self._store.registrations(session_id), include_waiting)

    def send(self, session_id: str, form: MessageForm) -> int:
        """Write the message to everyone confirmed (and waiting, when asked): one email each,
        sent from the registrations' stream; the number of people it is addressed to.
        Posting the same message again sends nobody a second copy (the module's note)."""
        message = self.message(session_id, form)
        to = self.recipients(session_id, form.include_waiting)
        self._outbox.put_message(message)
        now = message.created_at
        self._outbox.request([Outgoing(
            session_id=session_id, registration_id=r.id, email="message", key=message.id,
            requested_at=now, expires_at=now + timedelta(days=REQUEST_DAYS)) for r in to])
        return len(to)
