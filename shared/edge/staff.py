"""Who a signed-in staff user is, from the claims of their Cognito ID token as API Gateway's
authorizer hands them on, and the group check every staff route makes itself (defence in
depth: the gateway has checked the token, the handler checks the role)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.errors import DomainError
from shared.platform.names import STAFF_GROUPS

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

STAFF_TOKEN = "staffIdToken"  # noqa: S105 - the name of a security scheme
# Every staff route's `security=` in the OpenAPI document.
SECURITY: list[dict[str, list[str]]] = [{STAFF_TOKEN: []}]


class NotSignedIn(DomainError):
    status = 401
    code = "unauthorized"
    message = "Log ind for at fortsætte."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "Du har ikke adgang til denne del af personalesiderne."


@dataclass(frozen=True)
class StaffUser:
    email: str
    groups: tuple[str, ...]


def groups_of(value: Any) -> tuple[str, ...]:
    """`cognito:groups` as API Gateway passes it: every claim is a string there, a list of
    groups joined by commas (or, from other sources, a JSON-like `[a, b]` or `[a b]`);
    as a list when the token itself is read. Only the console's groups count."""
    if value is None:
        return ()
    names = value if isinstance(value, list | tuple) else re.split(r"[\s,]+",
                                                                   str(value).strip("[] "))
    return tuple(group for group in STAFF_GROUPS if group in {str(n).strip() for n in names})


def staff_user(claims: Mapping[str, Any] | None) -> StaffUser:
    """The user of an ID token's claims; NotSignedIn without them (a route reached without
    the authorizer, or with an access token), and for an address not verified: a user may
    change their own `email` with their access token, and Cognito's next ID token carries
    the new address with `email_verified` false, while the console names staff by their
    address (the audit's operator, a lease's holder, the test's recipient)."""
    if (not claims or claims.get("token_use") != "id" or not claims.get("email")
            or str(claims.get("email_verified")).lower() != "true"):
        raise NotSignedIn()
    return StaffUser(email=str(claims["email"]), groups=groups_of(claims.get("cognito:groups")))


def require(user: StaffUser, group: str) -> StaffUser:
    if group not in user.groups:
        raise Forbidden()
    return user


def caller(app: APIGatewayRestResolver, group: str | None = None) -> StaffUser:
    """The signed-in user of the request `app` is resolving, who must be in `group` when one
    is given. Every staff route calls this first."""
    user = staff_user(app.current_event.request_context.authorizer.claims)
    return require(user, group) if group else user


def openapi_security_schemes() -> dict[str, Any]:
    """The staff routes' security scheme, for the OpenAPI document (each staff function's
    function's document; `local.openapi` merges them)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return {STAFF_TOKEN: HTTPBearer(
        bearerFormat="JWT",
        description="The ID token of a staff user from the staff user pool (Cognito), "
                    "`Authorization: Bearer <token>`")}
