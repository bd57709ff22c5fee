"""API Gateway's Cognito user pools authorizer, locally, read from the template: a route
behind it reaches its function only with a valid ID token of one of the authorizer's user
pools in its header (signature against the pool's JWKS as the emulator serves it, issuer,
audience one of the pool's app clients, `token_use` id, not expired); otherwise the gateway
answers 401 itself. The token's claims reach the function as API Gateway passes them, under
`requestContext.authorizer.claims`, every value a string.

Only that: like API Gateway's, it does not look the user up, so a token stays good after its
user was removed, disabled or signed out, until it expires (five minutes, from the app client;
the emulator's own tokens live an hour whatever the client says)."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import UTC, datetime
from typing import Any

import jwt

from local.emulator import Emulator
from local.plan import Plan
from shared.platform.clock import Clock, utcnow

# How API Gateway writes the token's times into the claims it passes on.
TIME_CLAIMS = ("exp", "iat", "auth_time")


class CognitoAuthorizers:
    def __init__(self, plan: Plan, emulator: Emulator, clock: Clock = utcnow) -> None:
        self.plan = plan
        self.emulator = emulator
        self.clock = clock  # what "expired" is measured against (tests move it on)
        self._keys: dict[str, jwt.PyJWKSet] = {}
        self._lock = threading.Lock()

    def _pool(self, logical_id: str) -> tuple[str, str, list[str]]:
        """The pool's id, its issuer and the ids of its app clients."""
        pool = self.emulator.physical[logical_id]
        clients = [self.emulator.physical[client]["Ref"]
                   for client, props in self.plan.user_pool_clients
                   if props["UserPoolId"] == {"Ref": logical_id}]
        return pool["Ref"], pool["ProviderURL"], clients

    def _jwks(self, pool_id: str) -> jwt.PyJWKSet:
        with self._lock:
            if pool_id not in self._keys:
                url = f"{self.emulator.endpoint}/{pool_id}/.well-known/jwks.json"
                with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
                    self._keys[pool_id] = jwt.PyJWKSet.from_dict(json.loads(answer.read()))
            return self._keys[pool_id]

    def claims(self, authorizer_id: str, headers: dict[str, str]) -> dict[str, str] | None:
        """The claims to pass on, or None when the gateway answers 401."""
        authorizer = self.plan.authorizers[authorizer_id]
        given = next((v for k, v in headers.items() if k.lower() == authorizer.header.lower()),
                     "")
        token = given.removeprefix("Bearer ").strip()
        if not token:
            return None
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            return None
        for logical_id in authorizer.user_pools:
            pool_id, issuer, clients = self._pool(logical_id)
            try:
                key = next(k for k in self._jwks(pool_id).keys if k.key_id == kid)
                payload = jwt.decode(token, key.key, algorithms=["RS256"], audience=clients,
                                     issuer=issuer,
                                     options={"require": ["exp", "iss", "aud", "token_use"],
                                              "verify_exp": False})
            except (StopIteration, jwt.InvalidTokenError):
                continue
            if not isinstance(payload["exp"], int | float) or \
                    payload["exp"] <= self.clock().timestamp():
                return None  # expired
            if payload.get("token_use") == "id":
                return {name: _as_gateway_string(name, value) for name, value in payload.items()}
        return None


def _as_gateway_string(name: str, value: Any) -> str:
    if name in TIME_CLAIMS and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def authorize(authorizers: CognitoAuthorizers, authorizer_id: str | None,
              headers: dict[str, str], event: dict[str, Any]) -> bool:
    """Puts the token's claims into the proxy event; False when the gateway refuses (401)."""
    if authorizer_id is None:
        return True
    claims = authorizers.claims(authorizer_id, headers)
    if claims is None:
        return False
    event["requestContext"]["authorizer"] = {"claims": claims}
    return True
