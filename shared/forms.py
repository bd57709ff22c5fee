"""Field types every public form uses: trimmed single-line text, email, phone, consent."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from shared.validation import DanishValueError

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{8,20}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or _CONTROL.search(value):
        raise DanishValueError("invalid_characters", "Feltet må kun være én linje tekst.")
    return value


def _multi_line(value: str) -> str:
    if _CONTROL.search(value):
        raise DanishValueError("invalid_characters", "Teksten indeholder ugyldige tegn.")
    return value


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise DanishValueError("invalid_email", "Indtast en gyldig e-mailadresse.")
    return value


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise DanishValueError("invalid_phone", "Indtast et gyldigt telefonnummer.")
    return value


def _consent(value: bool) -> bool:
    if value is not True:
        raise DanishValueError("consent_required", "Du skal acceptere betingelserne.")
    return value


def _empty_is_none(value: object) -> object:
    value = _strip(value)
    return None if value == "" else value


# Lengths are given with Field(...) where the type is used.
SingleLine = Annotated[str, BeforeValidator(_strip), AfterValidator(_single_line)]
OptionalSingleLine = Annotated[SingleLine | None, BeforeValidator(_empty_is_none)]
MultiLine = Annotated[str, BeforeValidator(_strip), AfterValidator(_multi_line)]
OptionalMultiLine = Annotated[MultiLine | None, BeforeValidator(_empty_is_none)]
Email = Annotated[str, BeforeValidator(_strip), AfterValidator(_email)]
Phone = Annotated[str, BeforeValidator(_strip), AfterValidator(_phone)]
OptionalPhone = Annotated[Phone | None, BeforeValidator(_empty_is_none)]
Consent = Annotated[bool, AfterValidator(_consent)]


def normalise_email(email: str) -> str:
    return email.strip().lower()
