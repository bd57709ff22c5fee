"""Turns pydantic validation errors into per-field errors with a code and a Danish message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from shared.errors import FieldError

# pydantic error type -> (our code, Danish message template). Context values fill the template.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("required", "Feltet skal udfyldes."),
    "string_too_short": ("required", "Feltet skal udfyldes."),
    "string_too_long": ("too_long", "Teksten er for lang (højst {max_length} tegn)."),
    "too_long": ("too_long", "Teksten er for lang (højst {max_length} tegn)."),
    "too_short": ("required", "Feltet skal udfyldes."),
    "string_type": ("invalid_type", "Feltet skal være tekst."),
    "string_pattern_mismatch": ("invalid_format", "Feltet har ikke den rigtige form."),
    "value_error": ("invalid", "Værdien er ikke gyldig."),
    "literal_error": ("invalid_choice", "Vælg en af de mulige værdier."),
    "enum": ("invalid_choice", "Vælg en af de mulige værdier."),
    "bool_type": ("invalid_type", "Feltet skal være ja eller nej."),
    "bool_parsing": ("invalid_type", "Feltet skal være ja eller nej."),
    "int_type": ("invalid_type", "Feltet skal være et helt tal."),
    "int_parsing": ("invalid_type", "Feltet skal være et helt tal."),
    "greater_than_equal": ("too_small", "Tallet skal være mindst {ge}."),
    "greater_than": ("too_small", "Tallet skal være større end {gt}."),
    "less_than_equal": ("too_large", "Tallet må højst være {le}."),
    "datetime_type": ("invalid_datetime", "Angiv dato og tid (ÅÅÅÅ-MM-DDTtt:mm+01:00)."),
    "datetime_parsing": ("invalid_datetime", "Angiv dato og tid (ÅÅÅÅ-MM-DDTtt:mm+01:00)."),
    "datetime_from_date_parsing": ("invalid_datetime",
                                   "Angiv dato og tid (ÅÅÅÅ-MM-DDTtt:mm+01:00)."),
    "date_type": ("invalid_date", "Angiv en dato (ÅÅÅÅ-MM-DD)."),
    "date_parsing": ("invalid_date", "Angiv en dato (ÅÅÅÅ-MM-DD)."),
    "date_from_datetime_parsing": ("invalid_date", "Angiv en dato (ÅÅÅÅ-MM-DD)."),
    "date_from_datetime_inexact": ("invalid_date", "Angiv en dato (ÅÅÅÅ-MM-DD)."),
    "timezone_aware": ("invalid_datetime", "Angiv tiden med tidszone, fx +01:00."),
    "dict_type": ("invalid_type", "Forventede et objekt."),
    "model_type": ("invalid_type", "Forventede et objekt."),
    "list_type": ("invalid_type", "Forventede en liste."),
    "extra_forbidden": ("unknown_field", "Feltet kendes ikke."),
    "json_invalid": ("invalid_json", "Indholdet er ikke gyldig JSON."),
}
_FALLBACK = ("invalid", "Værdien er ikke gyldig.")
# A pattern's own message: what the field may hold, with an example (ctx's `pattern`).
_PATTERN_MESSAGES: dict[str, str] = {
    r"^[a-z0-9][a-z0-9-]{1,62}$":
        "Id må kun have små bogstaver (a-z), tal og bindestreger, 2-63 tegn og ikke "
        "bindestreg først, fx evalueringskultur-kolding-2027.",
    r"^[0-9A-Za-z-]+$": "Må kun have tal, bogstaver og bindestreger, fx 123456.",
}

# Locations that are only wrappers around the field itself.
_WRAPPERS = {"body", "query", "path", "header"}


def field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if str(p) not in _WRAPPERS]
    return ".".join(parts) or "body"


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """One FieldError per failing field (the first problem of each), in the order given."""
    seen: dict[str, FieldError] = {}
    for error in errors:
        name = field_name(error.get("loc", ()))
        if name in seen:
            continue
        ctx = error.get("ctx") or {}
        custom = ctx.get("error")
        if error.get("type") == "value_error" and isinstance(custom, DanishValueError):
            # A rule over several fields names the field the person has to change (within
            # the object the rule is about: forums.0.sessions.1.ends_at in a file).
            if custom.field:
                name = ".".join(p for p in (field_name(error.get("loc", ())), custom.field)
                                if p != "body")
            seen.setdefault(name, FieldError(name, custom.code, custom.message))
            continue
        code, template = _MESSAGES.get(str(error.get("type")), _FALLBACK)
        template = _PATTERN_MESSAGES.get(str(ctx.get("pattern")), template)
        if error.get("type") in ("enum", "literal_error"):
            template = _choices(str(ctx.get("expected", ""))) or template
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = template
        seen[name] = FieldError(name, code, message)
    return list(seen.values())


def _choices(expected: str) -> str | None:
    """The allowed values of a choice in the words a person knows them by ("Vælg en af:
    ledere af ledere, ..."); None when any of them has no Danish name."""
    from shared.danish import AUDIENCE_NAMES, ROLE_NAMES

    names = AUDIENCE_NAMES | ROLE_NAMES
    values = re.findall(r"'([^']*)'", expected)
    if not values or any(v not in names for v in values):
        return None
    return "Vælg en af: " + ", ".join(names[v].lower() for v in values) + "."


class DanishValueError(ValueError):
    """Raised by a validator to give a field its own code and Danish message."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
