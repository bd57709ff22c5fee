"""What the emulator (moto) does with the Cognito calls staff access makes, where it differs
from Cognito as AWS documents it: the facts docs/staff-console.md ("Where the emulator
differs") and shared/adapters/cognito_staff.py's `emulated` rest on. When moto changes, this
fails and says which fact to revisit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support.staff import totp_code

EMAIL, PASSWORD = "probe@example.dk", "Probe-Adgangskode-2027!"


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, str, str]]:
    # moto's in-process mock answers AWS's own addresses: an emulator endpoint left in the
    # environment by an earlier test in this process would take the calls instead.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name="eu-north-1")
        pool_id = idp.create_user_pool(
            PoolName="probe", UsernameAttributes=["email"], MfaConfiguration="ON",
            AccountRecoverySetting={"RecoveryMechanisms": [
                {"Name": "verified_email", "Priority": 1}]})["UserPool"]["Id"]
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
        client = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="probe",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool_id, Username=EMAIL, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": EMAIL},
                                              {"Name": "email_verified", "Value": "true"}])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=EMAIL, Password=PASSWORD,
                                    Permanent=True)
        name = idp.list_users(UserPoolId=pool_id)["Users"][0]["Username"]
        yield idp, pool_id, client, name


def sign_in(idp: Any, client: str, password: str = PASSWORD) -> dict[str, Any]:
    return dict(idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": EMAIL, "PASSWORD": password}))


def test_resend_makes_a_second_user_instead_of_a_new_invitation(pool: Any) -> None:
    idp, pool_id, _, _ = pool
    idp.admin_create_user(UserPoolId=pool_id, Username=EMAIL, MessageAction="RESEND")
    assert len(idp.list_users(UserPoolId=pool_id)["Users"]) == 2  # AWS: still one


def test_no_authenticator_reset_and_no_sign_in_history(pool: Any) -> None:
    idp, pool_id, _, name = pool
    for call in (idp.admin_delete_software_token, idp.admin_list_user_auth_events):
        with pytest.raises((ClientError, NotImplementedError)):
            call(UserPoolId=pool_id, Username=name)


def test_a_reset_password_still_signs_in_and_any_foreign_code_confirms(pool: Any) -> None:
    idp, pool_id, client, name = pool
    idp.admin_reset_user_password(UserPoolId=pool_id, Username=name)
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "RESET_REQUIRED"
    assert "AuthenticationResult" in sign_in(idp, client)  # AWS: PasswordResetRequiredException
    sent = idp.forgot_password(ClientId=client, Username=EMAIL)["CodeDeliveryDetails"]
    assert sent["DeliveryMedium"] == "EMAIL"  # but nothing is sent
    idp.confirm_forgot_password(ClientId=client, Username=EMAIL, ConfirmationCode="123456",
                                Password="Ny-Probe-Adgangskode-2027!")
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "RESET_REQUIRED"
    assert "AuthenticationResult" in sign_in(idp, client, "Ny-Probe-Adgangskode-2027!")


def test_an_app_set_up_at_the_first_sign_in_is_not_listed_as_mfa(pool: Any) -> None:
    idp, pool_id, client, _ = pool
    other = "ny@example.dk"
    idp.admin_create_user(UserPoolId=pool_id, Username=other, MessageAction="SUPPRESS",
                          TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": other},
                                          {"Name": "email_verified", "Value": "true"}])
    answer = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": other, "PASSWORD": PASSWORD})
    answer = idp.respond_to_auth_challenge(
        ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=answer["Session"],
        ChallengeResponses={"USERNAME": other, "NEW_PASSWORD": "Egen-Probe-Kode-2027!"})
    assert answer["ChallengeName"] == "MFA_SETUP"
    setup = idp.associate_software_token(Session=answer["Session"])
    # A real code of the key: an emulator started earlier in this process makes moto check it.
    verified = idp.verify_software_token(Session=setup["Session"],
                                         UserCode=totp_code(setup["SecretCode"]))
    idp.respond_to_auth_challenge(ClientId=client, ChallengeName="MFA_SETUP",
                                  Session=verified["Session"],
                                  ChallengeResponses={"USERNAME": other})
    # moto lists no MFA for an app set up at the first sign-in (Cognito may not either, by
    # reports): the page sets the preference itself afterwards (personale.js, markAppSetUp).
    assert idp.admin_get_user(UserPoolId=pool_id, Username=other)["UserMFASettingList"] == []
