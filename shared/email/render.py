"""Renders an email from its templates and builds the MIME message SES sends raw.

Every value from a person (names, venues, notes) reaches the HTML through Jinja2's
autoescaping; header values go through the email package, which refuses CR/LF."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.platform.clock import utcnow
from shared.platform.names import ENV_CONTACT_EMAIL
from shared.platform.observability import logger

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"
UNFOLDED = policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    # Parameters of the content type besides the charset, e.g. an iCalendar part's `method`.
    params: dict[str, str] = field(default_factory=dict)


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
    # Jinja2 loads when the first email is rendered: functions that send none skip it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def prime() -> None:
    """Loads Jinja2 and compiles every email template: done before a SnapStart snapshot."""
    environment = _environment()
    for name in environment.list_templates():
        environment.get_template(name)


def render(template: str, to: str, subject: str, context: dict[str, Any],
           attachments: list[Attachment] | None = None,
           headers: dict[str, str] | None = None) -> Email:
    """`template` names `<template>.txt` and `<template>.html` in the templates folder."""
    env = _environment()
    # Every email ends with the association's contact address (configuration, given to every
    # function that sends or shows mail), read as each email is written: a process that wrote
    # one before the setting was there (a test, the local runtime) still writes the next right.
    values = {"subject": subject, "contact_email": os.environ.get(ENV_CONTACT_EMAIL, ""),
              **context}
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
        if maintype == "text":
            # A text part names its charset: readers that guess it garble the Danish letters.
            message.add_attachment(attachment.data.decode("utf-8"), subtype=subtype,
                                   charset="utf-8", filename=attachment.filename,
                                   params=attachment.params)
            continue
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=attachment.filename, params=attachment.params)
    # Headers are written unfolded up to RFC 5322's 998 characters (the parts are encoded
    # already, at 76): Python folds a long header before an encoded word with a space left on
    # both sides of the fold, so a subject such as "… ledelse – Kolding 17. januar" would read
    # "ledelse  –" in every mail program.
    message.policy = UNFOLDED
    return message
