"""Renders an email from its templates and builds the MIME message SES sends raw.

Every value from a person (names, venues, notes) reaches the HTML through Jinja2's
autoescaping; header values go through the email package, which refuses CR/LF."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.clock import utcnow
from shared.observability import logger

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, to: str, subject: str, context: dict[str, Any],
           attachments: list[Attachment] | None = None,
           headers: dict[str, str] | None = None) -> Email:
    """`template` names `<template>.txt` and `<template>.html` in the templates folder."""
    env = _environment()
    values = {"subject": subject, **context}
    return Email(
        to=to, subject=subject,
        text=env.get_template(f"{template}.txt").render(values),
        html=env.get_template(f"{template}.html").render(values),
        attachments=list(attachments or []), headers=dict(headers or {}),
    )


def mime(email: Email, sender: str, sender_name: str) -> EmailMessage:
    message = EmailMessage()
    local, _, domain = sender.partition("@")
    message["From"] = Address(display_name=sender_name, username=local, domain=domain)
    headers = {"To": email.to, "Subject": email.subject, "Date": format_datetime(utcnow()),
               "Message-ID": make_msgid(domain=domain), **email.headers}
    for name, value in headers.items():
        try:
            message[name] = value
        except ValueError:
            # Why the message cannot be built, never the value (it may name a person).
            logger.error("email not built: header refused", extra={
                "header": name, "reason": "line break or control character in the value"})
            raise
    # Quoted-printable keeps the message 7-bit: Danish letters survive every relay.
    message.set_content(email.text, cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", cte="quoted-printable")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    return message
