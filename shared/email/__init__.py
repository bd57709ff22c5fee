"""Emails: Danish templates rendered with autoescaping, built as MIME with the standard library."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from email.message import EmailMessage

Sent = TypeVar("Sent")


class Sender(Protocol):
    """Where a built message goes (SES in AWS and locally; a list in unit tests): every
    capability's port for sending one email."""

    sender: str

    def send(self, message: EmailMessage, to: str) -> str: ...


def through_gate(passes: Callable[[], bool], send: Callable[[], Sent],
                 reopen: Callable[[], None]) -> Sent | None:
    """One email per mailbox and interval, the same way wherever a form mails its sender:
    pass the mailbox's gate (None when it is closed: one went out in the interval), send, and
    open the gate again when sending raised (the email did not go out, so the next attempt
    may send it). `send` answers for what it knows may have gone out (an answer SES left
    uncertain): it returns, and the gate stays closed for its interval."""
    if not passes():
        return None
    try:
        return send()
    except Exception:
        reopen()
        raise
