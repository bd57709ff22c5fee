"""`leaders staff`: who may sign in to the staff console (/personale/), and in which roles.

The same work as the administrator's area of the console (shared.staff_access), audited with
the caller's AWS identity. Staff are users of the stack's Cognito user pool, each in one group
per role. An invitation is Cognito's own email (Danish, with a temporary password valid for
three days); at the first sign-in the person chooses a password and sets up an authenticator
app. Locally the emulator sends no email, so the temporary password is printed instead."""

from __future__ import annotations

from collections.abc import Callable

import click

from shared.adapters.cognito_staff import add_user, generated_password  # noqa: F401 - demo users
from shared.platform.names import (
    PARAM_STAFF_ACCESS_AUDIT_TABLE,
    PARAM_STAFF_USER_POOL,
    STAFF_GROUPS,
)
from shared.staff_access.models import GROUP_NAMES, Outcome, Status
from shared.staff_access.service import StaffAccess

ROLE_NAMES = GROUP_NAMES
STATUS_NAMES = {Status.INVITED: "inviteret (har ikke logget ind)", Status.ACTIVE: "aktiv",
                Status.RESET_REQUIRED: "skal vælge ny adgangskode"}
ACTION_NAMES = {"invite": "inviteret", "resend": "invitation sendt igen",
                "add_group": "rolle tilføjet", "remove_group": "rolle fjernet",
                "reset_password": "adgangskode nulstillet",
                "reset_authenticator": "godkendelsesapp nulstillet", "disable": "spærret",
                "enable": "adgang igen", "remove": "fjernet"}


def service() -> StaffAccess:
    from cli.resources import _parameter, consultant
    from shared.adapters import wiring

    return wiring.staff_access(user_pool_id=_parameter(PARAM_STAFF_USER_POOL),
                               audit_table=_parameter(PARAM_STAFF_ACCESS_AUDIT_TABLE),
                               by=consultant())


def _told(outcome: Outcome) -> None:
    click.echo(outcome.message)
    if outcome.temporary_password:
        click.echo(f"Lokalt sendes ingen e-mail; midlertidig adgangskode: "
                   f"{outcome.temporary_password}")


ROLE = click.Choice(STAFF_GROUPS)


@click.group()
def staff() -> None:
    """Staff of the console (/personale/): invite, roles, resets, disable, remove, audit."""


def _run(work: Callable[[], Outcome]) -> None:
    from cli.common import fail
    from shared.errors import InvalidInput

    try:
        _told(work())
    except InvalidInput as exc:
        fail(" ".join(e.message for e in exc.errors))


@staff.command("invite")
@click.argument("email")
@click.option("--role", "roles", required=True, multiple=True, type=ROLE,
              help="A staff group (repeat for several): what the person may do in the console.")
def invite(email: str, roles: tuple[str, ...]) -> None:
    """Invite EMAIL to the staff console in the roles (Cognito emails the invitation).
    Inviting someone already there adds the roles they lack and changes nothing else."""
    _run(lambda: service().invite(email, list(roles)))


@staff.command("resend")
@click.argument("email")
def resend(email: str) -> None:
    """A new invitation (new temporary password, three days) to someone not signed in yet."""
    _run(lambda: service().resend(email))


@staff.command("add-role")
@click.argument("email")
@click.option("--role", required=True, type=ROLE)
def add_role(email: str, role: str) -> None:
    """Give EMAIL one more role."""
    _run(lambda: service().add_group(email, role))


@staff.command("remove-role")
@click.argument("email")
@click.option("--role", required=True, type=ROLE)
def remove_role(email: str, role: str) -> None:
    """Take a role from EMAIL (they are signed out and sign in again with the rest)."""
    _run(lambda: service().remove_group(email, role))


@staff.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """EMAIL's password stops working; Cognito emails a code to choose a new one."""
    _run(lambda: service().reset_password(email))


@staff.command("reset-authenticator")
@click.argument("email")
def reset_authenticator(email: str) -> None:
    """EMAIL's authenticator app is forgotten; they set up a new one at the next sign-in."""
    _run(lambda: service().reset_authenticator(email))


@staff.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """EMAIL can no longer sign in (signed out everywhere), until enabled again."""
    _run(lambda: service().disable(email))


@staff.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """A disabled EMAIL may sign in again."""
    _run(lambda: service().enable(email))


@staff.command("list")
def list_staff() -> None:
    """Everyone who may sign in, with their roles."""
    members = service().members()
    if not members:
        click.echo("Ingen personale endnu. 'leaders staff invite EMAIL --role ROLLE'.")
    for member in members:
        roles = ", ".join(member.groups) or "ingen rolle"
        status = STATUS_NAMES.get(member.status, member.status.value)
        click.echo(f"{member.email:<40} {roles:<30} {status}"
                   f"{'' if member.enabled else ' (spærret)'}")


@staff.command("remove")
@click.argument("email")
def remove(email: str) -> None:
    """Remove EMAIL from the staff console: the user is signed out and deleted (a token
    already issued stops working when it expires, within 5 minutes)."""
    _run(lambda: service().remove(email))


@staff.command("audit")
def audit() -> None:
    """The newest changes to staff access (console and CLI): when, who, what, to whom."""
    from shared.platform.clock import to_copenhagen

    for change in service().changes():
        roles = ", ".join(change.groups)
        click.echo(f"{to_copenhagen(change.at):%Y-%m-%d %H:%M}  {change.by}  "
                   f"{ACTION_NAMES[change.action.value]}  {change.email}"
                   f"{f'  ({roles})' if roles else ''}")
