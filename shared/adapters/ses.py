"""Sending a built MIME message through SES (raw content keeps headers and attachments)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from shared.adapters.aws import client


class SesSender:
    def __init__(self, sender: str, configuration_set: str | None, ses: Any = None) -> None:
        self.sender = sender
        self._configuration_set = configuration_set
        self._ses = ses

    def send(self, message: EmailMessage, to: str) -> str:
        ses = self._ses or client("sesv2")
        args: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self._configuration_set:
            args["ConfigurationSetName"] = self._configuration_set
        return str(ses.send_email(**args)["MessageId"])
