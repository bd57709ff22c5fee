"""Which email a change of a registration gives, sent exactly once per registration and kind.

Every change of a registration arrives here from the registrations table's stream (at least
once, maybe again after a retry). A ledger entry, written with a condition before sending,
makes each (registration, kind) email go out once; a failed send removes its entry so the
retry sends it."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from shared.clock import Clock, to_copenhagen, utcnow
from shared.email.render import Attachment, Email, mime, render
from shared.forums.calendar import session_ics
from shared.forums.models import Forum, Session
from shared.forums.registration import CancelledBy, Registration, Registrations, Status
from shared.links import Links

MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
          "oktober", "november", "december"]
WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]


def danish_when(starts: datetime, ends: datetime) -> str:
    """E.g. "torsdag den 4. marts 2027 kl. 09.30–15.30"."""
    a, b = to_copenhagen(starts), to_copenhagen(ends)
    day = f"{WEEKDAYS[a.weekday()]} den {a.day}. {MONTHS[a.month - 1]} {a.year}"
    return f"{day} kl. {a:%H.%M}–{b:%H.%M}"


class Ledger(Protocol):
    def claim(self, session_id: str, registration_id: str, kind: str) -> bool:
        """True for the first claim of this email; False when it was sent (or is being sent)."""

    def release(self, session_id: str, registration_id: str, kind: str) -> None: ...


class Catalogue(Protocol):
    def session(self, session_id: str) -> Session | None: ...

    def forum(self, forum_id: str) -> Forum | None: ...

    def cancel_reason(self, session_id: str) -> str | None: ...


class Sender(Protocol):
    sender: str

    def send(self, message: EmailMessage, to: str) -> str: ...


class Positions(Protocol):
    def position(self, session_id: str, registration_id: str) -> int | None: ...


class NotYetPlaced(Exception):
    """A waiting person's place is not written yet; the change is retried."""


def email_kind(old: Registration | None, new: Registration | None) -> str | None:
    """The email a change calls for, if any."""
    if new is None:
        return None
    if old is None:
        return {"confirmed": "confirmation", "waitlisted": "waitlisted"}.get(new.status.value)
    if old.status is new.status:
        return None
    if old.status is Status.WAITLISTED and new.status is Status.CONFIRMED:
        return "promoted"
    if new.status is Status.CANCELLED:
        return None if new.cancelled_by is CancelledBy.ERASURE else "cancelled"
    return None


class Notifier:
    def __init__(self, registrations: Registrations, positions: Positions, catalogue: Catalogue,
                 ledger: Ledger, sender: Sender, links: Links, clock: Clock = utcnow,
                 sender_name: str = "Ledere af ledere") -> None:
        self._registrations = registrations
        self._positions = positions
        self._catalogue = catalogue
        self._ledger = ledger
        self._sender = sender
        self._links = links
        self._clock = clock
        self._sender_name = sender_name

    def on_change(self, old: Registration | None, new: Registration | None) -> str | None:
        """Send what this change calls for; the kind sent, or None."""
        kind = email_kind(old, new)
        if kind is None or new is None:
            return None
        return kind if self.send(kind, new) else None

    def send(self, kind: str, registration: Registration, days_before: int = 0) -> bool:
        """Send this kind of email to the registrant once. False if it was sent before."""
        session = self._catalogue.session(registration.session_id)
        if session is None:
            return False
        forum = self._catalogue.forum(session.forum_id)
        title = forum.title if forum else ""
        email = self._email(kind, registration, session, title, days_before)
        if not self._ledger.claim(registration.session_id, registration.id, kind):
            return False
        try:
            self._sender.send(mime(email, self._sender.sender, self._sender_name), email.to)
        except Exception:
            self._ledger.release(registration.session_id, registration.id, kind)
            raise
        return True

    def _email(self, kind: str, registration: Registration, session: Session, title: str,
               days_before: int) -> Email:
        context: dict[str, object] = {
            "name": registration.name, "kind": kind, "session": session, "forum_title": title,
            "when": danish_when(session.starts_at, session.ends_at), "days_before": days_before,
        }
        if kind == "cancelled":
            reason = None
            if registration.cancelled_by is CancelledBy.SESSION_CANCELLED:
                reason = self._catalogue.cancel_reason(session.id) or "Sessionen er aflyst."
            subject = ("Aflyst: " if reason else "Afmeldt: ") + title
            return render("cancelled", registration.email, subject, {**context, "reason": reason})
        cancel_url = self._links.cancel_registration(
            self._registrations.cancel_token(registration, session))
        context["cancel_url"] = cancel_url
        if kind == "waitlisted":
            position = self._positions.position(registration.session_id, registration.id)
            if position is None:
                raise NotYetPlaced(registration.id)
            return render("waitlisted", registration.email, f"Venteliste: {title}",
                          {**context, "position": position})
        subjects = {"confirmation": "Bekræftelse", "promoted": "Du har fået en plads",
                    "reminder": "Påmindelse"}
        ics = session_ics(registration.id, session, title,
                          f"Afmelding: {cancel_url}", domain=self._sender.sender.split("@")[-1],
                          now=self._clock())
        return render("confirmation", registration.email, f"{subjects[kind]}: {title}", context,
                      attachments=[Attachment("forum.ics", "text/calendar", ics)])
