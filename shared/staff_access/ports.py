"""What the staff-access service needs from the outside: the identity provider (Cognito's
user pool) and the audit of changes."""

from __future__ import annotations

from typing import Protocol

from shared.staff_access.models import Change, Member


class Directory(Protocol):
    """The user pool. Each call names a user by their Cognito user name."""

    def members(self) -> list[Member]: ...

    def administrators(self) -> list[str]:
        """The addresses (lower case) of the enabled members of the administrator group."""

    def create(self, email: str) -> str | None:
        """A new user with a verified address, invited by email; the temporary password only
        where no email goes out (the emulator). AlreadyThere when the address is taken.
        Every call naming a member raises NotStaff when they are gone."""

    def resend(self, member: Member) -> str | None:
        """A new invitation with a new temporary password valid from now."""

    def add_to_group(self, member: Member, group: str) -> None: ...

    def remove_from_group(self, member: Member, group: str) -> None: ...

    def reset_password(self, member: Member) -> None:
        """The password no longer works; the person gets a code by email and chooses a new
        one at sign-in."""

    def reset_authenticator(self, member: Member) -> None:
        """The authenticator app is forgotten; the person sets up a new one at sign-in."""

    def sign_out(self, member: Member) -> None:
        """Every refresh token revoked: the person's sessions end within minutes."""

    def disable(self, member: Member) -> None: ...

    def enable(self, member: Member) -> None: ...

    def delete(self, member: Member) -> None: ...


class AccessAudit(Protocol):
    def record(self, change: Change) -> None: ...

    def changes(self, limit: int) -> list[Change]:
        """The newest `limit` changes, newest first."""
