"""`leaders staff`: who may sign in to the staff console (/personale/), and in which role.

Staff are users of the stack's Cognito user pool, each in one group per role. An invitation
is Cognito's own email (Danish, with a temporary password valid for three days); at the first
sign-in the person chooses a password and, in AWS, sets up a TOTP app. Locally the emulator
sends no email, so the temporary password is printed instead."""

from __future__ import annotations

import os
import secrets
import string
import sys
from typing import Any

import click

from shared.platform.names import PARAM_STAFF_USER_POOL, STAFF_GROUPS

ROLE_NAMES = {"secretariat": "Sekretariatet", "editor": "Redaktøren",
              "consultant": "Lederkonsulenten", "privacy_officer": "Databeskyttelse"}


def cognito() -> Any:
    from shared.adapters.aws import client

    return client("cognito-idp")


def user_pool_id() -> str:
    from cli.resources import _parameter

    return _parameter(PARAM_STAFF_USER_POOL)


def generated_password() -> str:
    """A password every pool policy of this stack accepts: 20 characters with lower and upper
    case letters, digits and a symbol."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return f"{body}aA7!"


def add_user(idp: Any, pool_id: str, email: str, role: str, *, password: str | None = None,
             permanent: bool = False, send_invitation: bool = True) -> None:
    """Create the user (email verified, as the secretariat vouches for it) and put them in
    the role's group. Safe to run again: an existing user is only added to the group."""
    try:
        arguments: dict[str, Any] = {
            "UserPoolId": pool_id, "Username": email,
            "UserAttributes": [{"Name": "email", "Value": email},
                               {"Name": "email_verified", "Value": "true"}],
        }
        if send_invitation:
            arguments["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            arguments["MessageAction"] = "SUPPRESS"
        if password and not permanent:
            arguments["TemporaryPassword"] = password
        idp.admin_create_user(**arguments)
    except idp.exceptions.UsernameExistsException:
        pass
    if password and permanent:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password,
                                    Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=role)


def _is_local() -> bool:
    return bool(os.environ.get("AWS_ENDPOINT_URL"))


@click.group()
def staff() -> None:
    """Staff of the console (/personale/): invite, list, remove."""


@staff.command("invite")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(STAFF_GROUPS),
              help="The staff group: what the person may do in the console.")
def invite(email: str, role: str) -> None:
    """Invite EMAIL to the staff console in ROLE (Cognito emails the invitation). Inviting
    someone already there adds the role."""
    from shared.forms import _email, normalise_email

    try:
        address = normalise_email(_email(email.strip()))
    except ValueError:
        click.echo(f"'{email}' er ikke en gyldig e-mailadresse.", err=True)
        sys.exit(1)
    idp = cognito()
    if _is_local():
        # The emulator sends no email: a temporary password the person changes at sign-in.
        password = generated_password()
        add_user(idp, user_pool_id(), address, role, password=password)
        click.echo(f"{address} er inviteret som {ROLE_NAMES[role]}. Lokalt sendes ingen "
                   f"e-mail; midlertidig adgangskode: {password}")
        return
    add_user(idp, user_pool_id(), address, role)
    click.echo(f"{address} er inviteret som {ROLE_NAMES[role]}; Cognito sender invitationen.")


def _users(idp: Any, pool_id: str) -> dict[str, dict[str, Any]]:
    """Every user by email, with their groups and status."""
    users: dict[str, dict[str, Any]] = {}
    for page in idp.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for user in page["Users"]:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            users[user["Username"]] = {"email": attributes.get("email", user["Username"]),
                                       "status": user.get("UserStatus", ""),
                                       "enabled": user.get("Enabled", True), "groups": []}
    for group in STAFF_GROUPS:
        pages = idp.get_paginator("list_users_in_group").paginate(UserPoolId=pool_id,
                                                                   GroupName=group)
        for page in pages:
            for user in page["Users"]:
                if user["Username"] in users:
                    users[user["Username"]]["groups"].append(group)
    return users


STATUS_NAMES = {"FORCE_CHANGE_PASSWORD": "inviteret (har ikke logget ind)",
                "CONFIRMED": "aktiv", "RESET_REQUIRED": "skal nulstille adgangskode"}


@staff.command("list")
def list_staff() -> None:
    """Everyone who may sign in, with their roles."""
    users = sorted(_users(cognito(), user_pool_id()).values(), key=lambda u: u["email"])
    if not users:
        click.echo("Ingen personale endnu. 'leaders staff invite EMAIL --role ROLLE'.")
    for user in users:
        roles = ", ".join(user["groups"]) or "ingen rolle"
        status = STATUS_NAMES.get(user["status"], user["status"].lower())
        click.echo(f"{user['email']:<40} {roles:<30} {status}"
                   f"{'' if user['enabled'] else ' (spærret)'}")


@staff.command("remove")
@click.argument("email")
def remove(email: str) -> None:
    """Remove EMAIL from the staff console: the user is deleted and can no longer sign in
    (a token already issued stops working when it expires, within 30 minutes)."""
    idp = cognito()
    pool = user_pool_id()
    username = next((name for name, user in _users(idp, pool).items()
                     if user["email"].lower() == email.strip().lower()), None)
    if username is None:
        click.echo(f"{email} er ikke personale.", err=True)
        sys.exit(1)
    idp.admin_user_global_sign_out(UserPoolId=pool, Username=username)
    idp.admin_delete_user(UserPoolId=pool, Username=username)
    click.echo(f"{email} er fjernet og kan ikke længere logge ind.")
