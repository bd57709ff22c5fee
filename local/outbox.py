"""Every email sent through the emulator's SES, as a list and as .eml files."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from moto.ses.models import ses_backends

from local.emulator import ACCOUNT


class Outbox:
    def __init__(self, region: str, folder: Path) -> None:
        self.region = region
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.eml"):
            old.unlink()
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def messages(self) -> list[dict[str, Any]]:
        """Every email sent so far, oldest first; new ones are also written as .eml files."""
        with self._lock:
            sent = ses_backends[ACCOUNT][self.region].sent_messages
            for message in sent[len(self._entries):]:
                entry, raw = _entry(message)
                number = len(self._entries) + 1
                (self.folder / f"{number:05d}-{entry['id']}.eml").write_text(raw, encoding="utf-8")
                self._entries.append(entry)
            return list(self._entries)


def _entry(message: Any) -> tuple[dict[str, Any], str]:
    if hasattr(message, "raw_data"):
        raw = message.raw_data
    else:  # a Simple send: make it a message of its own
        simple = EmailMessage()
        simple["From"] = message.source
        simple["To"] = ", ".join(message.destinations.get("ToAddresses", []))
        simple["Subject"] = message.subject
        simple.set_content(message.body)
        raw = simple.as_string()
    parsed = message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    attachments = [
        {"filename": part.get_filename(), "content_type": part.get_content_type()}
        for part in parsed.iter_attachments()
    ]
    recipients = [a.strip() for a in str(parsed.get("To", "")).split(",") if a.strip()]
    entry = {
        "id": message.id,
        "to": recipients or list(getattr(message, "destinations", []) or []),
        "subject": str(parsed.get("Subject", "")),
        "headers": {k: str(v) for k, v in parsed.items()},
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "attachments": attachments,
    }
    return entry, raw
