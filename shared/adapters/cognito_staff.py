"""The staff user pool (Cognito) as shared.staff_access's Directory.

AWS and the emulator (moto) differ here, and `emulated` (the local runtime and the CLI
against it) bridges what moto lacks, nothing else:
- Cognito emails invitations and codes (through the pool's SES configuration); moto sends
  nothing, so locally an invitation is made with a temporary password that is handed back
  to be shown, and a resend sets a new temporary password (moto's AdminCreateUser with
  MessageAction RESEND creates a second user instead of resending).
- A lost authenticator is forgotten with AdminDeleteSoftwareToken (under a pool that requires
  MFA, TOTP cannot be turned off with AdminSetUserMFAPreference; after the token is deleted
  Cognito asks MFA_SETUP at the next sign-in). moto has no AdminDeleteSoftwareToken: locally
  TOTP is turned off with AdminSetUserMFAPreference instead.
- The last sign-in comes from AdminListUserAuthEvents (threat protection, the pool's Plus
  plan); moto does not implement it, so locally it is unknown."""

from __future__ import annotations

import secrets
import string
from datetime import datetime
from typing import Any

from shared.platform.names import GROUP_ADMINISTRATOR, STAFF_GROUPS
from shared.staff_access.models import AlreadyThere, Member, NotStaff, Status

STATUSES = {"FORCE_CHANGE_PASSWORD": Status.INVITED, "CONFIRMED": Status.ACTIVE,
            "RESET_REQUIRED": Status.RESET_REQUIRED}
# Sign-in events read per person for their last sign-in (newest first).
AUTH_EVENTS = 10


def generated_password() -> str:
    """A password every pool policy of this stack accepts: 20 characters with lower and upper
    case letters, digits and a symbol."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return f"{body}aA7!"


def add_user(idp: Any, pool_id: str, email: str, role: str, *, password: str,
             permanent: bool = True, send_invitation: bool = False) -> None:
    """A user with a verified address in `role`'s group and this password, no email sent (the
    local demo users and tests; staff are invited through shared.staff_access). An existing
    user is only added to the group."""
    assert not send_invitation
    arguments: dict[str, Any] = {
        "UserPoolId": pool_id, "Username": email, "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "email", "Value": email},
                           {"Name": "email_verified", "Value": "true"}]}
    if not permanent:
        arguments["TemporaryPassword"] = password
    try:
        idp.admin_create_user(**arguments)
    except idp.exceptions.UsernameExistsException:
        pass
    else:
        if permanent:
            idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password,
                                        Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=role)


class CognitoDirectory:
    def __init__(self, idp: Any, pool_id: str, *, emulated: bool = False) -> None:
        self._idp = idp
        self._pool = pool_id
        self._emulated = emulated

    def _user(self, member: Member) -> dict[str, str]:
        return {"UserPoolId": self._pool, "Username": member.username}

    def _on(self, member: Member, operation: str, **arguments: Any) -> Any:
        """One call about `member`; NotStaff when they are gone (removed by another request
        since they were read: a double click, two administrators at once)."""
        try:
            return getattr(self._idp, operation)(**self._user(member), **arguments)
        except self._idp.exceptions.UserNotFoundException:
            raise NotStaff() from None

    def administrators(self) -> list[str]:
        """The addresses of the enabled members of the administrator group (one call: each
        administrator request checks its caller here, since an ID token stays valid after a
        global sign-out)."""
        found = []
        pages = self._idp.get_paginator("list_users_in_group").paginate(
            UserPoolId=self._pool, GroupName=GROUP_ADMINISTRATOR)
        for page in pages:
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                if user.get("Enabled", True) and attributes.get("email"):
                    found.append(attributes["email"].lower())
        return found

    def members(self) -> list[Member]:
        users: dict[str, dict[str, Any]] = {}
        for page in self._idp.get_paginator("list_users").paginate(UserPoolId=self._pool):
            for user in page["Users"]:
                users[user["Username"]] = user
        groups: dict[str, list[str]] = {name: [] for name in users}
        for group in STAFF_GROUPS:
            pages = self._idp.get_paginator("list_users_in_group").paginate(
                UserPoolId=self._pool, GroupName=group)
            for page in pages:
                for user in page["Users"]:
                    groups.setdefault(user["Username"], []).append(group)
        return [self._member(user, tuple(groups.get(name, ()))) for name, user in users.items()]

    def _member(self, user: dict[str, Any], groups: tuple[str, ...]) -> Member:
        name = user["Username"]
        attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
        details = self._idp.admin_get_user(UserPoolId=self._pool, Username=name)
        mfa = "SOFTWARE_TOKEN_MFA" in (details.get("UserMFASettingList") or [])
        return Member(username=name, email=attributes.get("email", name).lower(), groups=groups,
                      enabled=bool(user.get("Enabled", True)),
                      status=STATUSES.get(user.get("UserStatus", ""), Status.ACTIVE), mfa=mfa,
                      created=user.get("UserCreateDate"), last_sign_in=self._last_sign_in(name))

    def _last_sign_in(self, name: str) -> datetime | None:
        from botocore.exceptions import ClientError

        if self._emulated:  # moto has no AdminListUserAuthEvents
            return None
        try:
            answer = self._idp.admin_list_user_auth_events(
                UserPoolId=self._pool, Username=name, MaxResults=AUTH_EVENTS)
        except ClientError:  # no threat protection (or the emulator): not known
            return None
        times = [event["CreationDate"] for event in answer.get("AuthEvents", [])
                 if event.get("EventType") == "SignIn" and event.get("EventResponse") == "Pass"]
        return max(times, default=None)

    def create(self, email: str) -> str | None:
        arguments: dict[str, Any] = {
            "UserPoolId": self._pool, "Username": email,
            "UserAttributes": [{"Name": "email", "Value": email},
                               {"Name": "email_verified", "Value": "true"}]}
        try:
            if self._emulated:
                password = generated_password()
                self._idp.admin_create_user(**arguments, MessageAction="SUPPRESS",
                                            TemporaryPassword=password)
                return password
            self._idp.admin_create_user(**arguments, DesiredDeliveryMediums=["EMAIL"])
        except self._idp.exceptions.UsernameExistsException:  # created meanwhile
            raise AlreadyThere() from None
        return None

    def resend(self, member: Member) -> str | None:
        if self._emulated:
            password = generated_password()
            self._on(member, "admin_set_user_password", Password=password, Permanent=False)
            return password
        try:
            self._idp.admin_create_user(UserPoolId=self._pool, Username=member.email,
                                        MessageAction="RESEND",
                                        DesiredDeliveryMediums=["EMAIL"])
        except self._idp.exceptions.UserNotFoundException:
            raise NotStaff() from None
        return None

    def add_to_group(self, member: Member, group: str) -> None:
        self._on(member, "admin_add_user_to_group", GroupName=group)

    def remove_from_group(self, member: Member, group: str) -> None:
        self._on(member, "admin_remove_user_from_group", GroupName=group)

    def reset_password(self, member: Member) -> None:
        self._on(member, "admin_reset_user_password")

    def reset_authenticator(self, member: Member) -> None:
        if self._emulated:
            self._on(member, "admin_set_user_mfa_preference",
                     SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
            return
        self._on(member, "admin_delete_software_token")

    def sign_out(self, member: Member) -> None:
        self._on(member, "admin_user_global_sign_out")

    def disable(self, member: Member) -> None:
        self._on(member, "admin_disable_user")

    def enable(self, member: Member) -> None:
        self._on(member, "admin_enable_user")

    def delete(self, member: Member) -> None:
        self._on(member, "admin_delete_user")
