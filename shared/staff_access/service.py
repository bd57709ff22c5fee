"""The administrator's work on staff access: list, invite (or add roles to someone already
there), resend an invitation, add or remove a role, reset a password or a lost authenticator,
disable, enable, remove. Used by the console (functions/staff_access) and `leaders staff`.

Rules: every change is audited once, with who made it, and a request that changes nothing
(already so) is answered as such and not audited, so every request is safe to repeat. There
is always at least one enabled administrator who has signed in (an invitation never taken up
does not count): nobody can remove, disable or take the role from the last one
(themselves, in the console, since only an administrator gets there)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from shared.errors import FieldError, InvalidInput
from shared.platform.clock import utcnow
from shared.platform.names import GROUP_ADMINISTRATOR, STAFF_GROUPS
from shared.staff_access.models import (
    GROUP_NAMES,
    Action,
    AlreadyThere,
    Change,
    LastAdministrator,
    Member,
    NotStaff,
    Outcome,
    Status,
    WrongState,
)
from shared.staff_access.ports import AccessAudit, Directory


def valid_email(value: object) -> str:
    """The address as the pool keys it (lower case, IDNA domain), or a 422 on `email`."""
    from shared.forms import _email, normalise_email

    if not isinstance(value, str) or not value.strip():
        raise InvalidInput([FieldError("email", "missing", "Skriv personens e-mailadresse.")])
    try:
        return normalise_email(_email(value.strip()))
    except ValueError:
        raise InvalidInput([FieldError("email", "invalid_email",
                                       "Indtast en gyldig e-mailadresse.")]) from None


def valid_group(value: object, field: str = "group") -> str:
    if value not in STAFF_GROUPS:
        roles = ", ".join(GROUP_NAMES[g] for g in STAFF_GROUPS)
        raise InvalidInput([FieldError(field, "invalid_group",
                                       f"Vælg en af rollerne: {roles}.")])
    return str(value)


def valid_groups(values: object) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not values:
        raise InvalidInput([FieldError("groups", "missing", "Vælg mindst én rolle.")])
    chosen = {valid_group(v, "groups") for v in values}
    return tuple(g for g in STAFF_GROUPS if g in chosen)


class StaffAccess:
    def __init__(self, directory: Directory, audit: AccessAudit, *, by: str,
                 now: Callable[[], datetime] = utcnow) -> None:
        self._directory = directory
        self._audit = audit
        self._by = by
        self._now = now

    # -- reading -------------------------------------------------------------------------

    def members(self) -> list[Member]:
        return sorted(self._directory.members(), key=lambda m: m.email)

    def changes(self, limit: int = 200) -> list[Change]:
        return self._audit.changes(limit)

    def administers(self, email: str) -> bool:
        """Whether `email` is an enabled administrator in the pool now (not as a token still
        valid says: an ID token outlives a global sign-out by up to its validity)."""
        return email.strip().lower() in self._directory.administrators()

    def find(self, email: object) -> Member | None:
        address = valid_email(email)
        return next((m for m in self._directory.members() if m.email.lower() == address), None)

    def _member(self, email: object) -> Member:
        found = self.find(email)
        if found is None:
            raise NotStaff()
        return found

    # -- changes -------------------------------------------------------------------------

    def _audited(self, action: Action, email: str, groups: Iterable[str] = ()) -> None:
        self._audit.record(Change(at=self._now(), by=self._by, action=action, email=email,
                                  groups=tuple(groups), id=uuid.uuid4().hex))

    def _keep_an_administrator(self, member: Member) -> None:
        """Refuses a change that would leave no enabled administrator."""
        if member.administers and not any(
                other.administers for other in self._directory.members()
                if other.username != member.username):
            raise LastAdministrator()

    def _still_an_administrator(self, undo: Callable[[], None]) -> None:
        """After a change that may take an administrator away: the pool has no conditional
        write, so two administrators taking each other away at once would both pass the check
        before; whoever finds none left afterwards undoes their own change (409)."""
        if not any(m.administers for m in self._directory.members()):
            undo()
            raise LastAdministrator()

    def invite(self, email: object, groups: object) -> Outcome:
        """A new person is created in the groups and invited by email (201); someone already
        there gets the groups they lack, and nothing else changes (their password, their
        invitation, their authenticator)."""
        address, chosen = _both(email, groups)
        member = self.find(address)
        if member is None:
            try:
                password = self._directory.create(address)
            except AlreadyThere:  # the same invitation, sent twice at once: one of them
                member = self._member(address)
            else:
                created = self._member(address)
                for group in chosen:
                    self._directory.add_to_group(created, group)
                self._audited(Action.INVITE, address, chosen)
                return Outcome(address, True, f"{address} er inviteret som {_names(chosen)}.",
                               created=True, temporary_password=password)
        missing = tuple(g for g in chosen if g not in member.groups)
        for group in missing:
            self._directory.add_to_group(member, group)
            self._audited(Action.ADD_GROUP, address, (group,))
        if not missing:
            return Outcome(address, False, f"{address} har allerede rollen {_names(chosen)}.")
        return Outcome(address, True, f"{address} har nu også rollen {_names(missing)}.")

    def resend(self, email: object) -> Outcome:
        """A new invitation (a new temporary password, valid three days from now) to someone
        who has not signed in yet, for instance because the first one expired."""
        member = self._member(email)
        if member.status is not Status.INVITED:
            raise WrongState("Personen har allerede logget ind. Nulstil adgangskoden i stedet.")
        if not member.enabled:
            raise WrongState("Personen er spærret. Giv adgang igen først.")
        password = self._directory.resend(member)
        self._audited(Action.RESEND, member.email)
        return Outcome(member.email, True, f"En ny invitation er sendt til {member.email}.",
                       temporary_password=password)

    def add_group(self, email: object, group: object) -> Outcome:
        member, chosen = self._member(email), valid_group(group)
        if chosen in member.groups:
            return Outcome(member.email, False,
                           f"{member.email} har allerede rollen {GROUP_NAMES[chosen]}.")
        self._directory.add_to_group(member, chosen)
        self._audited(Action.ADD_GROUP, member.email, (chosen,))
        return Outcome(member.email, True,
                       f"{member.email} har nu rollen {GROUP_NAMES[chosen]}.")

    def remove_group(self, email: object, group: object) -> Outcome:
        """The role is taken away; the person's sessions end (a token carries its groups),
        so they sign in again with the roles left."""
        member, chosen = self._member(email), valid_group(group)
        if chosen not in member.groups:
            return Outcome(member.email, False,
                           f"{member.email} har ikke rollen {GROUP_NAMES[chosen]}.")
        if chosen == GROUP_ADMINISTRATOR:
            self._keep_an_administrator(member)
        self._directory.remove_from_group(member, chosen)
        if chosen == GROUP_ADMINISTRATOR and member.administers:
            self._still_an_administrator(lambda: self._directory.add_to_group(member, chosen))
        self._directory.sign_out(member)
        self._audited(Action.REMOVE_GROUP, member.email, (chosen,))
        return Outcome(member.email, True,
                       f"{member.email} har ikke længere rollen {GROUP_NAMES[chosen]}.")

    def reset_password(self, email: object) -> Outcome:
        """The password stops working and the person's sessions end; Cognito emails a code
        with which they choose a new one ("Glemt adgangskode?" on the sign-in page)."""
        member = self._member(email)
        if member.status is Status.INVITED:
            raise WrongState("Personen har ikke valgt en adgangskode endnu. Send "
                             "invitationen igen i stedet.")
        if not member.enabled:
            raise WrongState("Personen er spærret. Giv adgang igen først.")
        if member.status is Status.RESET_REQUIRED:
            return Outcome(member.email, False,
                           f"{member.email}s adgangskode er allerede nulstillet.")
        self._directory.reset_password(member)
        self._directory.sign_out(member)
        self._audited(Action.RESET_PASSWORD, member.email)
        return Outcome(member.email, True,
                       f"{member.email}s adgangskode er nulstillet. Personen får en kode pr. "
                       "e-mail og vælger en ny adgangskode ved næste login.")

    def reset_authenticator(self, email: object) -> Outcome:
        """The authenticator app is forgotten (a lost phone): the person sets up a new one at
        the next sign-in."""
        member = self._member(email)
        if not member.mfa:
            return Outcome(member.email, False,
                           f"{member.email} har ikke sat en godkendelsesapp op.")
        self._directory.reset_authenticator(member)
        self._directory.sign_out(member)
        self._audited(Action.RESET_AUTHENTICATOR, member.email)
        return Outcome(member.email, True,
                       f"{member.email} sætter en ny godkendelsesapp op ved næste login.")

    def disable(self, email: object) -> Outcome:
        member = self._member(email)
        if not member.enabled:
            return Outcome(member.email, False, f"{member.email} er allerede spærret.")
        self._keep_an_administrator(member)
        self._directory.disable(member)
        if member.administers:
            self._still_an_administrator(lambda: self._directory.enable(member))
        self._directory.sign_out(member)
        self._audited(Action.DISABLE, member.email)
        return Outcome(member.email, True,
                       f"{member.email} er spærret og kan ikke logge ind.")

    def enable(self, email: object) -> Outcome:
        member = self._member(email)
        if member.enabled:
            return Outcome(member.email, False, f"{member.email} har allerede adgang.")
        self._directory.enable(member)
        self._audited(Action.ENABLE, member.email)
        return Outcome(member.email, True, f"{member.email} kan logge ind igen.")

    def remove(self, email: object) -> Outcome:
        """The person is deleted from the pool (signed out first). Removing someone already
        gone changes nothing."""
        address = valid_email(email)
        member = self.find(address)
        if member is None:
            return Outcome(address, False, f"{address} har ikke adgang.")
        self._keep_an_administrator(member)
        try:
            if member.administers:  # disabled first: a deletion cannot be undone
                self._directory.disable(member)
                self._still_an_administrator(lambda: self._directory.enable(member))
            self._directory.sign_out(member)
            self._directory.delete(member)
        except NotStaff:  # removed meanwhile by another request, which audited it
            return Outcome(address, False, f"{address} har ikke adgang.")
        self._audited(Action.REMOVE, member.email, member.groups)
        return Outcome(member.email, True,
                       f"{member.email} er fjernet og kan ikke længere logge ind.")


def _both(email: object, groups: object) -> tuple[str, tuple[str, ...]]:
    """Both fields checked, every error at once."""
    errors: list[FieldError] = []
    address = ""
    chosen: tuple[str, ...] = ()
    try:
        address = valid_email(email)
    except InvalidInput as exc:
        errors += exc.errors
    try:
        chosen = valid_groups(groups)
    except InvalidInput as exc:
        errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    return address, chosen


def _names(groups: Iterable[str]) -> str:
    names = [GROUP_NAMES[g] for g in groups]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
