"""Staff removed, disabled, signed out everywhere or taken out of a group lose access within
the ID token's life (five minutes), on the emulator with the app client's token lifetimes:

- the page's renewal with the refresh token is refused once the user was signed out
  everywhere (AdminUserGlobalSignOut revokes the refresh tokens; `leaders staff remove` and
  disabling both sign out first), or gives a token without the group taken away;
- the token in hand is accepted, as API Gateway accepts it, until it expires, and refused
  from then on: the authorizer's clock is moved to the token's expiry.

moto gives every token an hour whatever the client says; Cognito gives the client's
validity, so the emulator is made to do the same here (`lifetimes`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from moto.cognitoidp.models import CognitoIdpUserPool

from cli.staff import add_user, generated_password
from infra.staff import TOKEN_MINUTES
from local.emulator import Emulator
from local.plan import Plan
from tests.integration.conftest import Api, bearer, pool_and_client, sign_in

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
ROUTE = "/api/staff/privacy/audit"  # the privacy officer's: personal data behind it


@pytest.fixture
def lifetimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """ID and access tokens as long as the app client says, as Cognito issues them."""
    issue = CognitoIdpUserPool.create_jwt

    def create_jwt(pool: CognitoIdpUserPool, client_id: str, username: str, token_use: str,
                   expires_in: int = 3600, extra_data: dict[str, Any] | None = None) -> Any:
        config = pool.clients[client_id].extended_config
        kind = {"id": "IdToken", "access": "AccessToken"}[token_use]
        unit = config.get("TokenValidityUnits", {}).get(kind, "hours")
        return issue(pool, client_id, username, token_use,
                     int(config[f"{kind}Validity"]) * UNITS[unit], extra_data)

    monkeypatch.setattr(CognitoIdpUserPool, "create_jwt", create_jwt)


def revoke(idp: Any, pool: str, email: str, how: str) -> None:
    if how == "signed out everywhere":
        idp.admin_user_global_sign_out(UserPoolId=pool, Username=email)
    elif how == "removed":  # as `leaders staff remove`
        idp.admin_user_global_sign_out(UserPoolId=pool, Username=email)
        idp.admin_delete_user(UserPoolId=pool, Username=email)
    elif how == "disabled":  # with the sign-out AWS documents for refresh tokens
        idp.admin_disable_user(UserPoolId=pool, Username=email)
        idp.admin_user_global_sign_out(UserPoolId=pool, Username=email)
    else:
        idp.admin_remove_user_from_group(UserPoolId=pool, Username=email,
                                         GroupName="privacy_officer")


@pytest.mark.parametrize("how", ["signed out everywhere", "removed", "disabled",
                                 "removed from the group"])
def test_a_revoked_staff_member_is_refused_within_the_tokens_five_minutes(
        api: Api, plan: Plan, emulator: Emulator, lifetimes: None, how: str) -> None:
    idp = emulator.client("cognito-idp")
    pool, client = pool_and_client(plan, emulator)
    email, password = f"tilbagekaldt.{how.replace(' ', '.')}@staff.example.dk", \
        generated_password()
    add_user(idp, pool, email, "privacy_officer", password=password, permanent=True,
             send_invitation=False)
    tokens = sign_in(emulator, client, email, password)
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == TOKEN_MINUTES * 60
    issued, expires = (datetime.fromtimestamp(claims[k], UTC) for k in ("iat", "exp"))
    at: list[datetime] = [issued]
    api.authorizers.clock = lambda: at[0]
    ask: Callable[[str], int] = lambda token: api.request("GET", ROUTE,  # noqa: E731
                                                        headers=bearer(token))[0]
    assert ask(tokens["IdToken"]) == 200

    revoke(idp, pool, email, how)

    # The page renews a minute before the token expires.
    try:
        renewed = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                    AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    except ClientError as refused:
        assert refused.response["Error"]["Code"] == "NotAuthorizedException"
        assert how != "removed from the group"
    else:
        assert how == "removed from the group"
        assert ask(renewed["AuthenticationResult"]["IdToken"]) == 403
    if how in ("removed", "disabled"):
        with pytest.raises(ClientError):
            sign_in(emulator, client, email, password)

    # The token in hand: accepted as API Gateway accepts it, until it expires.
    at[0] = expires - timedelta(seconds=1)
    assert ask(tokens["IdToken"]) == 200
    at[0] = expires
    assert ask(tokens["IdToken"]) == 401
    assert expires - issued == timedelta(minutes=TOKEN_MINUTES) <= timedelta(minutes=5)
