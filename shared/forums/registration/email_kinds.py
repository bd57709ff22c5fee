"""Every email forum registration sends, in one table: its template, the label its subject
starts with, the metric that counts it and the stored record whose change calls for it.

The member's value is its name in the ledger of emails sent (`MAIL#<id>#<round>#<kind>`) and in
the logs; values and metrics are stored data and dashboard names, so they never change. A
member lacking a column fails at import; tests/unit/test_email_kinds.py checks each template
exists and the stream's filter (infra/registrations.py) admits exactly the records named
here. Kept free of heavy imports: the CDK app reads it too."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

# The records of the registrations table whose changes can call for an email (the `kind` of
# their items): the stream's consumer is invoked for these only.
# `outgoing`: the secretariat's request to send one email to one registration (a resend, or
# its message to a session), shared.forums.registration.messages.
Follows = Literal["submission", "registration", "outgoing"]


class EmailKind(StrEnum):
    template: str
    subject: str
    metric: str
    follows: Follows | None  # None: sent by the daily reminders, not by a change

    def __new__(cls, value: str, template: str, subject: str, metric: str,
                follows: Follows | None) -> EmailKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.template = template
        member.subject = subject
        member.metric = metric
        member.follows = follows
        return member

    # value, template, subject's label, metric, the change that calls for it
    CONFIRM_REGISTRATION = ("confirm_registration", "confirm_registration",
                            "Bekræft din tilmelding", "RegistrationSubmitted", "submission")
    ALREADY_REGISTERED = ("already_registered", "already_registered",
                          "Du er allerede tilmeldt", "RegistrationSubmitted", "submission")
    CONFIRMATION = ("confirmation", "confirmation", "Bekræftelse", "EmailConfirmation",
                    "registration")
    WAITLISTED = ("waitlisted", "waitlisted", "Venteliste", "EmailWaitlisted", "registration")
    PROMOTED = ("promoted", "confirmation", "Du har fået en plads", "EmailPromoted",
                "registration")
    CANCELLED = ("cancelled", "cancelled", "Afmeldt", "EmailCancelled", "registration")
    REMINDER = ("reminder", "confirmation", "Påmindelse", "ReminderSent", None)
    # Once per revision of the session (its ledger entry names the revision).
    SESSION_CHANGED = ("session_changed", "session_changed", "Ændret", "EmailSessionChanged",
                       "registration")
    # The old session's email of a person the secretariat moved (instead of "Afmeldt").
    MOVED = ("moved", "moved", "Flyttet", "EmailMoved", "registration")
    # The person's current email again, sent by the secretariat: the confirmation (with the
    # calendar file), or for a waiting person the waiting-list template with their place.
    # Its ledger name carries the request's key: `resent-<key>`.
    RESENT = ("resent", "confirmation", "Bekræftelse", "EmailResent", "outgoing")
    # The secretariat's message to a session: its subject as written (the label is unused);
    # its ledger name carries the message's id: `message-<id>`.
    MESSAGE = ("message", "message", "Besked", "EmailMessage", "outgoing")

    @classmethod
    def named(cls, name: str) -> EmailKind:
        """The kind by its name in the ledger (ValueError when there is none)."""
        for kind in cls:
            if kind.value == name:
                return kind
        raise ValueError(f"no email is called {name!r}")


# A cancellation's subject when the secretariat cancelled the whole session.
SESSION_CANCELLED_SUBJECT = "Aflyst"


def followed_records() -> list[str]:
    """The kinds of stored records whose changes can call for an email (the stream's filter)."""
    return sorted({kind.follows for kind in EmailKind if kind.follows is not None})
