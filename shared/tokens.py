"""Signed, expiring, purpose-bound tokens for links in emails (HMAC-SHA256).

A token carries its purpose, the ids it acts on and its expiry; the signature covers all of
them, so a token made for one purpose or registration is refused for any other."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any


class InvalidToken(Exception):
    """Tampered, expired, malformed or made for another purpose."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, purpose: str, subject: dict[str, str], expires: datetime) -> str:
    payload = _b64(json.dumps({"p": purpose, "s": subject, "e": int(expires.timestamp())},
                              separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(secret: bytes, token: str, purpose: str, now: datetime) -> dict[str, str]:
    """The token's subject, if it is genuine, unexpired and made for `purpose`."""
    try:
        payload, mac = token.split(".")
        expected = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(mac), expected):
            raise InvalidToken("signature")
        body: dict[str, Any] = json.loads(_unb64(payload))
    except (ValueError, TypeError) as exc:
        raise InvalidToken("malformed") from exc
    if body.get("p") != purpose:
        raise InvalidToken("purpose")
    if int(body.get("e", 0)) < now.timestamp():
        raise InvalidToken("expired")
    subject = body.get("s")
    if not isinstance(subject, dict):
        raise InvalidToken("malformed")
    return {str(k): str(v) for k, v in subject.items()}


def derive_id(secret: bytes, *parts: str, length: int = 20) -> str:
    """A stable, opaque id for these parts (e.g. session and email), without revealing them."""
    digest = hmac.new(secret, "\n".join(parts).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:length]
