"""Emails: Danish templates rendered with autoescaping, built as MIME with the standard library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from email.message import EmailMessage


class Sender(Protocol):
    """Where a built message goes (SES in AWS and locally; a list in unit tests): every
    capability's port for sending one email."""

    sender: str

    def send(self, message: EmailMessage, to: str) -> str: ...
