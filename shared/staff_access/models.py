"""A member of staff as the administrator sees them, and an audited change of their access."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shared.errors import Conflict, NotFound
from shared.platform.names import GROUP_ADMINISTRATOR, STAFF_GROUPS

# Each group's name in the console and the CLI.
GROUP_NAMES = {"secretariat": "Sekretariatet", "editor": "Redaktøren",
               "consultant": "Lederkonsulenten", "privacy_officer": "Databeskyttelse",
               GROUP_ADMINISTRATOR: "Administrator"}
assert set(GROUP_NAMES) == set(STAFF_GROUPS)


class Status(StrEnum):
    """Where a person is with signing in (Cognito's UserStatus, the ones staff can be in)."""

    INVITED = "invited"  # FORCE_CHANGE_PASSWORD: has not chosen a password yet
    ACTIVE = "active"  # CONFIRMED
    RESET_REQUIRED = "reset_required"  # a new password is required (a code by email)


@dataclass(frozen=True)
class Member:
    username: str  # Cognito's user name (the pool signs in by email: a generated id)
    email: str
    groups: tuple[str, ...]
    enabled: bool
    status: Status
    mfa: bool  # an authenticator app is set up
    created: datetime | None = None
    last_sign_in: datetime | None = None

    @property
    def administers(self) -> bool:
        """An enabled administrator who has signed in (chosen a password): an invitation
        never taken up (a mistyped address) keeps nobody able to administer."""
        return (self.enabled and GROUP_ADMINISTRATOR in self.groups
                and self.status is not Status.INVITED)


class Action(StrEnum):
    INVITE = "invite"
    RESEND = "resend"
    ADD_GROUP = "add_group"
    REMOVE_GROUP = "remove_group"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - an action, not a password
    RESET_AUTHENTICATOR = "reset_authenticator"
    DISABLE = "disable"
    ENABLE = "enable"
    REMOVE = "remove"


@dataclass(frozen=True)
class Change:
    """One audited change: who made it, when, to whom, what (a group where one is named).
    Never a password or a code."""

    at: datetime
    by: str
    action: Action
    email: str
    groups: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a request did: `changed` False when it was already so (nothing audited);
    `temporary_password` only from the emulator, which sends no invitation."""

    email: str
    changed: bool
    message: str
    created: bool = False
    temporary_password: str | None = field(default=None, repr=False)


class NotStaff(NotFound):
    code = "not_staff"
    message = "Personen har ikke adgang til personalesiderne."


class AlreadyThere(Exception):
    """The address was taken by the time the person was to be created (a second request
    for the same invitation got there first)."""


class LastAdministrator(Conflict):
    code = "last_administrator"
    message = ("Der skal altid være mindst én aktiv administrator. Gør en anden til "
               "administrator først.")


class WrongState(Conflict):
    code = "wrong_state"
