"""Human-friendly references like LR-7K3Q-9P: short, random, and without letters that look
alike."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
PATTERN = r"^LR-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$"


def _format(number: int) -> str:
    chars = []
    for _ in range(6):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"LR-{''.join(chars[:4])}-{''.join(chars[4:])}"


def new_reference() -> str:
    """A fresh random reference: nothing of the request can be derived from it, nor it from
    the request (a resubmitted form is recognised by a keyed record, see `Intake.submit`)."""
    return _format(secrets.randbits(64))
