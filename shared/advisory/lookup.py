"""Keyed hashes under the advisory lookup secret: the sender's address as the request carries
it (found by it, with a query, in a data-protection request; the mail gate of receipts keys on
it), and a resubmission's key. Without the secret neither leads back to what was typed."""

from __future__ import annotations

from shared.forms import mailbox_key
from shared.tokens import derive_id

# 32 base32 characters: 160 bits of HMAC-SHA256, more than enough against collisions.
LENGTH = 32


def address_key(secret: bytes, email: str) -> str:
    """The mailbox's keyed hash: the same for every spelling the forms store alike and for
    every subaddress (`name+tag@domain`) of one mailbox, so the receipts' gate counts a
    mailbox once and a data-protection request finds all its requests."""
    return derive_id(secret, "advisory-address", mailbox_key(email), length=LENGTH)


def resubmission_key(secret: bytes, dedup: str) -> str:
    """What recognises a resubmitted form (its Idempotency-Key, or its content that day)."""
    return derive_id(secret, "advisory-resubmission", dedup, length=LENGTH)
