"""Every email sent through the emulator's SES, as a list and as .eml files."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from moto.ses.models import ses_backends

from local.emulator import ACCOUNT


class _Sent(list):  # type: ignore[type-arg]
    """The emulator's list of sent messages, telling the outbox of each one as it is added."""

    def __init__(self, items: list[Any], added: Any) -> None:
        super().__init__(items)
        self._added = added

    def append(self, item: Any) -> None:
        super().append(item)
        self._added()


class Outbox:
    """Each email is written as an .eml file the moment the emulator's SES takes it (the
    backend's list of sent messages tells the outbox), and listed by `messages()`."""

    def __init__(self, region: str, folder: Path) -> None:
        self.region = region
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.eml"):
            old.unlink()
        self._lock = threading.RLock()
        self._entries: list[dict[str, Any]] = []

    def watch(self) -> Any:
        """The backend's list of sent messages, made to call `messages()` on every send: once
        the emulator has started (its reset replaces the backends), and again whenever the
        list is read."""
        backend = ses_backends[ACCOUNT][self.region]
        if not isinstance(backend.sent_messages, _Sent):
            backend.sent_messages = _Sent(backend.sent_messages, self.messages)
        return backend.sent_messages

    def messages(self) -> list[dict[str, Any]]:
        """Every email sent so far, oldest first; each is also written as an .eml file."""
        with self._lock:
            sent = self.watch()
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
