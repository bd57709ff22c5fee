"""Field types every public form uses: trimmed single-line text, email, phone, consent.

Emails and phones are checked by maintained libraries and stored in their normalised form:
an address as `email-validator` gives it in ASCII (an internationalised domain such as
købstad.dk in its IDNA form, which SES needs), a phone in E.164 (`+4520304050`) by Google's
numbering plans (`phonenumbers`), Danish when it has no country code. pages/static/form.js
applies the same rules in the browser; tests/unit/test_contact_rules.py runs one table of
addresses and phones through both."""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from shared.validation import DanishValueError

# What a phone may be written with (digits, a leading +, spaces and the usual separators);
# the numbering plan decides the rest. form.js has the same pattern.
_PHONE_CHARACTERS = re.compile(r"^\(?\+?[0-9 ()./-]{6,30}$")
# A number without a country code is Danish.
PHONE_REGION = "DK"
# Control characters (C0 but tab and line feed, DEL, C1) and lone surrogates, which no
# email can encode: refused in every text field.
# The bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) too: they make a
# text read differently from what it holds (a name shown reversed in an email or a list).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What may not stand in one line: every character str.splitlines() breaks a line at (\n \r
# \v \f \x1c \x1d \x1e \x85 U+2028 U+2029; the email package folds and parses headers by
# them, so one of them in a subject stops the message), and every control character above.
_NOT_ONE_LINE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Characters that show nothing (zero-width spaces and joiners, the word joiner, the soft
# hyphen, the byte order mark): a text of only these and spaces is an empty one.
_UNSEEN = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]+")


# What JavaScript's trim() removes besides Python's whitespace: the byte order mark.
_AROUND = re.compile(r"^[\s\ufeff]+|[\s\ufeff]+$")
# Characters IDNA maps to nothing (UTS 46, as the browser's URL parser applies it): a domain
# copied from a document may carry them unseen.
_INVISIBLE_IN_DOMAIN = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


def _strip(value: object) -> object:
    """Trimmed as the pages' script trims (JavaScript's trim())."""
    return _AROUND.sub("", value) if isinstance(value, str) else value


def _strip_lines(value: object) -> object:
    """Trimmed, with every line break as LF: a textarea posted as a plain form sends CRLF (the
    HTML standard's form submission), the pages' script LF; the text is the same."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def _visible(value: str) -> str:
    if value and not _UNSEEN.sub("", value):
        raise DanishValueError("required", "Feltet skal udfyldes.")
    return value


def _single_line(value: str) -> str:
    if _NOT_ONE_LINE.search(value):
        raise DanishValueError("invalid_characters", "Feltet må kun være én linje tekst.")
    return _visible(value)


def _multi_line(value: str) -> str:
    if _CONTROL.search(value):
        raise DanishValueError("invalid_characters", "Teksten indeholder ugyldige tegn.")
    return _visible(value)


def _email(value: str) -> str:
    """The address in ASCII (IDNA domain), or a Danish refusal. No DNS look-up: the form
    answers the same whatever the network, and the owner's confirmation proves the mailbox."""
    # Imported on first use: functions that never read a form do not pay for it at start.
    from email_validator import EmailNotValidError, validate_email

    local, at, domain = value.rpartition("@")
    value = local + at + domain.translate(_INVISIBLE_IN_DOMAIN)
    try:
        found = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise DanishValueError("invalid_email", "Indtast en gyldig e-mailadresse.") from None
    return str(found.ascii_email)


def _phone(value: str) -> str:
    """The number in E.164, or a Danish refusal."""
    import phonenumbers

    refusal = DanishValueError("invalid_phone", "Indtast et gyldigt telefonnummer.")
    if not _PHONE_CHARACTERS.match(value):
        raise refusal
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise refusal from None
    if not phonenumbers.is_valid_number(number):
        raise refusal
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def prime() -> None:
    """Loads what checking an address and a phone number loads on first use (the email
    validator compiles its patterns, phonenumbers reads its Danish metadata): done before a
    SnapStart snapshot."""
    _email("snapshot@example.dk")
    with suppress(DanishValueError):
        _phone("+45 33 12 12 12")


def _consent(value: bool) -> bool:
    if value is not True:
        raise DanishValueError("consent_required", "Sæt kryds for at give dit samtykke.")
    return value


def _empty_is_none(value: object) -> object:
    value = _strip(value)
    return None if value == "" else value


# Lengths are given with Field(...) where the type is used.
SingleLine = Annotated[str, BeforeValidator(_strip), AfterValidator(_single_line)]
OptionalSingleLine = Annotated[SingleLine | None, BeforeValidator(_empty_is_none)]
MultiLine = Annotated[str, BeforeValidator(_strip_lines), AfterValidator(_multi_line)]
OptionalMultiLine = Annotated[MultiLine | None, BeforeValidator(_empty_is_none)]
Email = Annotated[str, BeforeValidator(_strip), AfterValidator(_email)]
Phone = Annotated[str, BeforeValidator(_strip), AfterValidator(_phone)]
OptionalPhone = Annotated[Phone | None, BeforeValidator(_empty_is_none)]
Consent = Annotated[bool, AfterValidator(_consent)]


def normalise_email(email: str) -> str:
    """The key every record of an address is found by: trimmed, in lower case, and with an
    internationalised domain in its IDNA form, as the forms store it, so `Anne@Købstad.dk`
    typed by the operator finds what the form stored as `Anne@xn--kbstad-bya.dk`."""
    text = _AROUND.sub("", email)
    if not text.isascii():
        local, at, domain = text.rpartition("@")
        text = local + at + domain.translate(_INVISIBLE_IN_DOMAIN)
        from email_validator import EmailNotValidError, validate_email

        # An address the forms refuse keys no record: it stays as typed.
        with suppress(EmailNotValidError):
            text = str(validate_email(text, check_deliverability=False,
                                      allow_smtputf8=False).ascii_email)
    return text.lower()


def mailbox_key(email: str) -> str:
    """The mailbox an address delivers to: normalise_email's key without a subaddress (the
    `+tag` of `name+tag@domain`, which mail servers deliver to `name@domain`), so
    `Anne+Forum@Example.dk` and `anne@example.dk` are one person wherever a rule counts
    people or mails: one registration per session, and every mail gate (registration,
    newsletter, advisory receipts). Records keep the address as typed; only keys use this.
    A local part that is only a tag (`+tag@domain`) stays as it is. The tag goes before the
    address is normalised: a tag the forms would refuse (`name+.@`) must not keep the domain
    from its IDNA form."""
    local, at, domain = _AROUND.sub("", email).rpartition("@")
    base = local.split("+", 1)[0]
    return normalise_email(f"{base}@{domain}" if at and base else email)


class PublicForm(BaseModel):
    """What every public form has besides its fields: fields it does not know are ignored,
    and the honeypot `website`, a field hidden from people (they leave it empty); a form that
    fills it is a bot's, answered as if it were taken and kept nowhere."""

    model_config = ConfigDict(extra="ignore")

    website: str = Field(default="", max_length=500)

    @property
    def is_bot(self) -> bool:
        return bool(self.website.strip())
