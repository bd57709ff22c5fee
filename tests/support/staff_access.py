"""In-memory fakes of shared.staff_access's ports: a user pool that keeps its users as
Cognito does (status, enabled, groups, authenticator), and an audit list."""

from __future__ import annotations

import dataclasses
import itertools

from shared.staff_access.models import AlreadyThere, Change, Member, NotStaff, Status


class FakeDirectory:
    def __init__(self) -> None:
        self.users: dict[str, Member] = {}
        self.signed_out: list[str] = []
        self.invitations: dict[str, int] = {}  # invitations sent, by address
        self._ids = itertools.count(1)

    def _set(self, member: Member, **changes: object) -> None:
        if member.username not in self.users:  # as Cognito: UserNotFoundException
            raise NotStaff()
        self.users[member.username] = dataclasses.replace(self.users[member.username],
                                                          **changes)  # type: ignore[arg-type]

    def members(self) -> list[Member]:
        return list(self.users.values())

    def administrators(self) -> list[str]:
        return [m.email for m in self.users.values() if m.administers]

    def create(self, email: str) -> str | None:
        if any(m.email == email for m in self.users.values()):  # UsernameExistsException
            raise AlreadyThere()
        name = f"user-{next(self._ids)}"
        self.users[name] = Member(username=name, email=email, groups=(), enabled=True,
                                  status=Status.INVITED, mfa=False)
        self.invitations[email] = self.invitations.get(email, 0) + 1
        return None

    def resend(self, member: Member) -> str | None:
        self.invitations[member.email] += 1
        return None

    def add_to_group(self, member: Member, group: str) -> None:
        groups = self.users[member.username].groups
        self._set(member, groups=tuple(sorted({*groups, group})))

    def remove_from_group(self, member: Member, group: str) -> None:
        groups = self.users[member.username].groups
        self._set(member, groups=tuple(g for g in groups if g != group))

    def reset_password(self, member: Member) -> None:
        self._set(member, status=Status.RESET_REQUIRED)

    def reset_authenticator(self, member: Member) -> None:
        self._set(member, mfa=False)

    def sign_out(self, member: Member) -> None:
        if member.username not in self.users:
            raise NotStaff()
        self.signed_out.append(member.username)

    def disable(self, member: Member) -> None:
        self._set(member, enabled=False)

    def enable(self, member: Member) -> None:
        self._set(member, enabled=True)

    def delete(self, member: Member) -> None:
        if self.users.pop(member.username, None) is None:
            raise NotStaff()

    # What happens outside the service: a person signs in and sets up their app.
    def signs_in(self, email: str) -> None:
        for member in self.members():
            if member.email == email:
                self._set(member, status=Status.ACTIVE, mfa=True)


class FakeAudit:
    def __init__(self) -> None:
        self.recorded: list[Change] = []

    def record(self, change: Change) -> None:
        self.recorded.append(change)

    def changes(self, limit: int) -> list[Change]:
        return list(reversed(self.recorded))[:limit]
