"""The administrator's area of the staff console (/api/staff/staff): who may sign in and in
which roles. Every route is for the `administrator` group alone; the work is
shared.staff_access's, the same as `leaders staff …`, audited with the signed-in
administrator's address. Addresses travel in bodies only, never in a path or a log."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters.wiring import staff_access
from shared.edge.http import BODY_REFUSALS, Body, Response, create_resolver, json_response
from shared.edge.http import staff_responses as answers
from shared.edge.staff import SECURITY, Forbidden, caller
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen
from shared.platform.names import GROUP_ADMINISTRATOR
from shared.platform.observability import logger, metrics
from shared.platform.settings import StaffAccessSettings
from shared.staff_access.models import Member, Outcome
from shared.staff_access.service import StaffAccess

GROUP = GROUP_ADMINISTRATOR
# The audit shows this many of the newest changes.
TRAIL_LENGTH = 200
ROOT = "/api/staff/staff"

settings = StaffAccessSettings()  # type: ignore[call-arg]
app = create_resolver(staff_group=GROUP)


def service() -> StaffAccess:
    """The service for the signed-in administrator, who must still be one in the pool: a
    token's groups are those of when it was issued, and an ID token stays valid after a
    global sign-out (until it expires), so one whose role was taken away, or who was
    disabled or removed, would otherwise go on administering for minutes."""
    administrator = caller(app, GROUP)
    access = staff_access(user_pool_id=settings.user_pool_id,
                          audit_table=settings.audit_table_name, by=administrator.email)
    if not access.administers(administrator.email):
        raise Forbidden()
    return access


class StaffMember(BaseModel):
    email: str
    groups: list[str]
    enabled: bool
    # An authenticator app is set up.
    mfa: bool
    # When they last signed in (Copenhagen time), null when unknown or never.
    last_sign_in: str | None
    # invited (has not chosen a password), active, reset_required.
    status: str
    # When the invitation (or the user) was made (Copenhagen time).
    created: str | None


class StaffList(BaseModel):
    staff: list[StaffMember]


class StaffInvitation(BaseModel):
    email: str = Field(max_length=320)
    groups: list[str] = Field(max_length=10)


class StaffPerson(BaseModel):
    email: str = Field(max_length=320)


class StaffRole(BaseModel):
    email: str = Field(max_length=320)
    group: str = Field(max_length=40)


class StaffDone(BaseModel):
    email: str
    # False when it was already so: nothing changed, nothing audited.
    changed: bool
    message: str
    # Only from the local emulator, which emails nobody: the invitation's temporary password.
    temporary_password: str | None = None


class StaffChange(BaseModel):
    at: str
    by: str
    action: str
    email: str
    groups: list[str]


class StaffChanges(BaseModel):
    changes: list[StaffChange]


def _member(member: Member) -> StaffMember:
    return StaffMember(email=member.email, groups=list(member.groups), enabled=member.enabled,
                       mfa=member.mfa, status=member.status.value,
                       last_sign_in=iso_copenhagen(member.last_sign_in)
                       if member.last_sign_in else None,
                       created=iso_copenhagen(member.created) if member.created else None)


def _done(outcome: Outcome) -> StaffDone:
    logger.info("staff access", extra={"changed": outcome.changed})
    return StaffDone(email=outcome.email, changed=outcome.changed, message=outcome.message,
                temporary_password=outcome.temporary_password)


@app.get(ROOT, responses=answers({200: StaffList}), security=SECURITY)
def list_staff() -> StaffList:
    """Everyone who may sign in: address, roles, enabled, authenticator set up, last
    sign-in (from Cognito's threat protection; null where it is not known)."""
    return StaffList(staff=[_member(m) for m in service().members()])


@app.post(ROOT, responses=answers({201: StaffDone, 200: StaffDone}, *BODY_REFUSALS),
          security=SECURITY)
def invite(invitation: Annotated[StaffInvitation, Body()]) -> Response[Any]:
    """Invite a person in the roles (Cognito emails the invitation with a temporary password
    valid three days): 201. Someone already there gets the roles they lack and nothing else
    changes: 200 (`changed` false when they had them all)."""
    outcome = service().invite(invitation.email, invitation.groups)
    return json_response(201 if outcome.created else 200, _done(outcome).model_dump())


@app.post(f"{ROOT}/resend", responses=answers({200: StaffDone}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def resend(person: Annotated[StaffPerson, Body()]) -> StaffDone:
    """A new invitation (a new temporary password, three days from now) to someone who has
    not signed in yet; 409 for someone who has."""
    return _done(service().resend(person.email))


@app.post(f"{ROOT}/groups/add", responses=answers({200: StaffDone}, 404, *BODY_REFUSALS),
          security=SECURITY)
def add_group(role: Annotated[StaffRole, Body()]) -> StaffDone:
    """Give a person one more role."""
    return _done(service().add_group(role.email, role.group))


@app.post(f"{ROOT}/groups/remove", responses=answers({200: StaffDone}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def remove_group(role: Annotated[StaffRole, Body()]) -> StaffDone:
    """Take a role from a person (they are signed out everywhere and sign in again with the
    roles left); 409 for the last enabled administrator's administrator role."""
    return _done(service().remove_group(role.email, role.group))


@app.post(f"{ROOT}/password/reset", responses=answers({200: StaffDone}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def reset_password(person: Annotated[StaffPerson, Body()]) -> StaffDone:
    """The password stops working; Cognito emails a code with which the person chooses a new
    one. 409 for someone invited (resend instead) or disabled."""
    return _done(service().reset_password(person.email))


@app.post(f"{ROOT}/authenticator/reset", responses=answers({200: StaffDone}, 404, *BODY_REFUSALS),
          security=SECURITY)
def reset_authenticator(person: Annotated[StaffPerson, Body()]) -> StaffDone:
    """The authenticator app is forgotten: the person sets up a new one at the next sign-in."""
    return _done(service().reset_authenticator(person.email))


@app.post(f"{ROOT}/disable", responses=answers({200: StaffDone}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def disable(person: Annotated[StaffPerson, Body()]) -> StaffDone:
    """The person can no longer sign in (signed out everywhere); 409 for the last enabled
    administrator."""
    return _done(service().disable(person.email))


@app.post(f"{ROOT}/enable", responses=answers({200: StaffDone}, 404, *BODY_REFUSALS),
          security=SECURITY)
def enable(person: Annotated[StaffPerson, Body()]) -> StaffDone:
    """A disabled person may sign in again."""
    return _done(service().enable(person.email))


@app.post(f"{ROOT}/remove", responses=answers({200: StaffDone}, 409, *BODY_REFUSALS),
          security=SECURITY)
def remove(person: Annotated[StaffPerson, Body()]) -> StaffDone:
    """The person is deleted from the user pool; removing someone already gone changes
    nothing. 409 for the last enabled administrator."""
    return _done(service().remove(person.email))


@app.get(f"{ROOT}/audit", responses=answers({200: StaffChanges}), security=SECURITY)
def audit() -> StaffChanges:
    """The newest changes to staff access, from the console and the CLI: when, who, what,
    to whom."""
    return StaffChanges(changes=[
        StaffChange(at=iso_copenhagen(c.at), by=c.by, action=c.action.value, email=c.email,
                   groups=list(c.groups))
        for c in service().changes(TRAIL_LENGTH)])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("cognito-idp", "dynamodb"), steps=("shared.forms:prime",))
