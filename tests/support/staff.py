"""What the staff console's end-to-end and browser tests share: the code an authenticator app
shows."""

from __future__ import annotations

import base64
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP


def totp_code(secret: str) -> str:
    """The code an authenticator app shows for `secret` now (RFC 6238: SHA-1, 6 digits, 30
    seconds), taken early enough in its window that it is still current when it arrives."""
    while int(time.time()) % 30 > 25:
        time.sleep(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(  # noqa: S303 - RFC 6238
        time.time()).decode()
