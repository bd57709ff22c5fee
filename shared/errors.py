"""Domain errors, each with the HTTP status it maps to (the mapping itself is in
shared.edge.http)."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """A refusal the caller can act on. `code` is machine-readable, `message` is Danish."""

    status = 400
    code = "bad_request"
    message = "Forespørgslen kunne ikke behandles."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        super().__init__(self.code)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Det findes ikke."


class InvalidLink(DomainError):
    """A link's token that is tampered with, expired, made for another purpose or thing."""

    status = 400
    code = "invalid_token"
    message = "Linket er ugyldigt eller udløbet."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "Det kan ikke lade sig gøre lige nu."


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "Forespørgslen er for stor."


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    message = "Send indholdet som JSON eller som en udfyldt formular."


class NotText(DomainError):
    code = "invalid_encoding"
    message = "Indholdet skal være tekst i UTF-8."


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str


@dataclass
class InvalidInput(Exception):
    """One or more fields are wrong; answered with 422 and one entry per field."""

    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:  # never the values, only where and what
        return ", ".join(f"{e.field}:{e.code}" for e in self.errors)
