"""Human-friendly references like LR-7K3Q-9P: short, and without letters that look alike."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
PATTERN = r"^LR-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$"


def _format(number: int) -> str:
    chars = []
    for _ in range(6):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"LR-{''.join(chars[:4])}-{''.join(chars[4:])}"


def new_reference(idempotency_key: str | None = None) -> str:
    """A fresh reference; the same one for the same Idempotency-Key (a resubmitted form)."""
    if idempotency_key:
        number = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    else:
        number = secrets.randbits(64)
    return _format(number)
