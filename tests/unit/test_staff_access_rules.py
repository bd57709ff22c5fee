"""The administrator's rules over staff access (shared.staff_access), with fake ports: any
sequence of invitations, roles added and removed, resets, disabling, enabling and removals,
by any administrator, always leaves at least one enabled administrator, audits every change
exactly once (and nothing that changed nothing), and answers a repeat with "no change"."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from shared.errors import InvalidInput
from shared.platform.names import GROUP_ADMINISTRATOR, STAFF_GROUPS
from shared.staff_access.models import Action, LastAdministrator, NotStaff, Status, WrongState
from shared.staff_access.service import StaffAccess
from tests.support.staff_access import FakeAudit, FakeDirectory

PEOPLE = ["anne@example.dk", "bent@example.dk"]
FIRST = "chef@example.dk"
people = st.sampled_from([FIRST, *PEOPLE])
groups = st.sampled_from(STAFF_GROUPS)


def snapshot(directory: FakeDirectory) -> dict[str, Any]:
    return {m.email: (m.groups, m.enabled, m.status, m.mfa, directory.invitations[m.email])
            for m in directory.members()}


class StaffAccessMachine(RuleBasedStateMachine):
    @initialize()
    def first_administrator(self) -> None:
        self.directory, self.audit = FakeDirectory(), FakeAudit()
        StaffAccess(self.directory, self.audit, by="opsaetning").invite(
            FIRST, [GROUP_ADMINISTRATOR])
        self.directory.signs_in(FIRST)

    def act(self, by: str, work: str, *args: Any) -> None:
        """One request by `by`: a change is audited once, no change or a refusal not at all,
        and a refusal changes nothing."""
        before, audited = snapshot(self.directory), len(self.audit.recorded)
        service = StaffAccess(self.directory, self.audit, by=by)
        try:
            outcome = getattr(service, work)(*args)
        except (LastAdministrator, WrongState, NotStaff):
            assert snapshot(self.directory) == before
            assert len(self.audit.recorded) == audited
            return
        after = snapshot(self.directory)
        new = self.audit.recorded[audited:]
        assert outcome.changed == (after != before)
        if not outcome.changed:
            assert new == []
            return
        assert new and all(c.by == by and c.email == outcome.email for c in new)
        # Once per change: an invitation of someone already there audits each role added.
        if work == "invite" and not outcome.created:
            assert [c.action for c in new] == [Action.ADD_GROUP] * len(new)
        else:
            assert len(new) == 1
        # The same request again changes nothing (resend aside: each one is a new email).
        if work != "resend":
            again = getattr(service, work)(*args)
            assert not again.changed and snapshot(self.directory) == after
            assert self.audit.recorded[audited:] == new

    def administrator(self) -> str:
        return next(m.email for m in self.directory.members() if m.administers)

    def someone(self, data: st.DataObject) -> str:
        """Mostly someone there, sometimes someone not (yet, or any more)."""
        there = sorted(m.email for m in self.directory.members())
        return data.draw(st.sampled_from(there) if data.draw(st.integers(0, 4)) else people)

    @rule(who=people, chosen=st.lists(groups, min_size=1, max_size=3))
    def invite(self, who: str, chosen: list[str]) -> None:
        self.act(self.administrator(), "invite", who, chosen)

    @rule(data=st.data())
    def signs_in(self, data: st.DataObject) -> None:
        self.directory.signs_in(self.someone(data))

    @rule(data=st.data(), group=groups, work=st.sampled_from(["add_group", "remove_group"]))
    def role(self, data: st.DataObject, group: str, work: str) -> None:
        self.act(self.administrator(), work, self.someone(data), group)

    @rule(data=st.data(), work=st.sampled_from(["disable", "enable", "remove", "resend",
                                                "reset_password", "reset_authenticator"]))
    def one_person(self, data: st.DataObject, work: str) -> None:
        self.act(self.administrator(), work, self.someone(data))

    @precondition(lambda self: any(not m.enabled for m in self.directory.members()))
    @rule(data=st.data())
    def enable_someone_disabled(self, data: st.DataObject) -> None:
        disabled = sorted(m.email for m in self.directory.members() if not m.enabled)
        self.act(self.administrator(), "enable", data.draw(st.sampled_from(disabled)))

    @invariant()
    def an_enabled_administrator_remains(self) -> None:
        assert any(m.administers for m in self.directory.members())


TestStaffAccessMachine = StaffAccessMachine.TestCase
TestStaffAccessMachine.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])


def service() -> tuple[StaffAccess, FakeDirectory, FakeAudit]:
    directory, audit = FakeDirectory(), FakeAudit()
    access = StaffAccess(directory, audit, by=FIRST)
    access.invite(FIRST, [GROUP_ADMINISTRATOR])
    directory.signs_in(FIRST)
    return access, directory, audit


@pytest.mark.parametrize("work", ["disable", "remove"])
def test_the_last_administrator_cannot_leave_and_is_told_in_danish(work: str) -> None:
    access, directory, _ = service()
    with pytest.raises(LastAdministrator) as refused:
        getattr(access, work)(FIRST)
    assert refused.value.status == 409
    assert "mindst én aktiv administrator" in refused.value.message
    with pytest.raises(LastAdministrator):
        access.remove_group(FIRST, GROUP_ADMINISTRATOR)
    # With a second (enabled, signed-in) administrator, the first may go.
    access.invite("anden@example.dk", [GROUP_ADMINISTRATOR])
    directory.signs_in("anden@example.dk")
    assert getattr(access, work)(FIRST).changed


def test_a_disabled_administrator_does_not_count() -> None:
    access, _, _ = service()
    access.invite("anden@example.dk", [GROUP_ADMINISTRATOR])
    access.disable("anden@example.dk")
    with pytest.raises(LastAdministrator):
        access.disable(FIRST)


def test_inviting_someone_already_there_adds_the_roles_and_changes_nothing_else() -> None:
    access, directory, _ = service()
    access.invite("redaktoer@example.dk", ["editor"])
    directory.signs_in("redaktoer@example.dk")
    outcome = access.invite("Redaktoer@Example.dk", ["editor", "secretariat"])
    assert (outcome.changed, outcome.created, outcome.temporary_password) == (True, False, None)
    member = access.find("redaktoer@example.dk")
    assert member is not None
    assert (member.groups, member.status, member.mfa) == (
        ("editor", "secretariat"), Status.ACTIVE, True)


@given(email=st.one_of(st.text(max_size=30).filter(lambda s: "@" not in s), st.integers(),
                      st.none(), st.just("anne@")),
       chosen=st.one_of(st.just([]), st.lists(st.text(max_size=12).filter(
           lambda s: s not in STAFF_GROUPS), min_size=1, max_size=2), st.none(), st.just("editor")))
@settings(max_examples=40, deadline=None)
def test_bad_input_is_a_danish_error_per_field_and_nothing_is_stored(
        email: object, chosen: object) -> None:
    access, directory, audit = service()
    before = snapshot(directory), len(audit.recorded)
    with pytest.raises(InvalidInput) as refused:
        access.invite(email, chosen)
    assert {e.field for e in refused.value.errors} == {"email", "groups"}
    assert all(e.message.endswith(".") and e.message[0].isupper() for e in refused.value.errors)
    assert (snapshot(directory), len(audit.recorded)) == before


class Hooked:
    """The directory, running `other` once just before its `at`-th call (a forced
    interleaving of a second request at each step of the first)."""

    def __init__(self, inner: FakeDirectory, at: int, other: Any) -> None:
        self.inner, self.at, self.other, self.calls = inner, at, other, 0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)

        def call(*args: Any) -> Any:
            self.calls += 1
            if self.calls == self.at:
                self.other()
            return found(*args)
        return call


def attempt(done: list[bool], service: StaffAccess, work: str, target: str,
            extra: tuple[str, ...]) -> None:
    """One request; whether it changed something (a refusal changed nothing)."""
    try:
        done.append(getattr(service, work)(target, *extra).changed)
    except LastAdministrator:
        done.append(False)


TAKING_AWAY = [("disable", ()), ("remove", ()), ("remove_group", (GROUP_ADMINISTRATOR,))]


@pytest.mark.parametrize("first", TAKING_AWAY, ids=lambda w: w[0])
@pytest.mark.parametrize("second", TAKING_AWAY, ids=lambda w: w[0])
def test_two_administrators_taking_each_other_away_at_once_leave_one(
        first: tuple[str, tuple[str, ...]], second: tuple[str, tuple[str, ...]]) -> None:
    """Each of the first request's calls to the pool in turn has the second request run
    just before it; whatever the order, an enabled administrator remains, and the audit
    holds exactly the changes that stayed."""
    for at in range(1, 12):
        directory, audit = FakeDirectory(), FakeAudit()
        setup = StaffAccess(directory, audit, by="opsaetning")
        for who in ("a@example.dk", "b@example.dk"):
            setup.invite(who, [GROUP_ADMINISTRATOR, "editor"])
            directory.signs_in(who)
        audit.recorded.clear()
        done: list[bool] = []
        b = StaffAccess(directory, audit, by="b@example.dk")
        hooked = Hooked(directory, at, partial(attempt, done, b, second[0], "a@example.dk",
                                               second[1]))
        a = StaffAccess(hooked, audit, by="a@example.dk")  # type: ignore[arg-type]
        attempt(done, a, first[0], "b@example.dk", first[1])
        assert any(m.administers for m in directory.members()), (first, second, at)
        assert len(audit.recorded) == sum(done), (first, second, at)


@pytest.mark.parametrize("work", ["disable", "remove", "remove_group"])
def test_an_administrator_invited_but_never_signed_in_does_not_count_as_the_last(
        work: str) -> None:
    """A mistyped address invited as administrator never signs in, and its invitation can
    only be sent again by an administrator: the one who has signed in may not leave."""
    access, directory, _ = service()
    access.invite("tastefejl@example.dk", [GROUP_ADMINISTRATOR])
    extra = (GROUP_ADMINISTRATOR,) if work == "remove_group" else ()
    with pytest.raises(LastAdministrator):
        getattr(access, work)(FIRST, *extra)
    # The invited one may go (someone able to sign in stays); once they sign in, the first may.
    assert access.disable("tastefejl@example.dk").changed
    assert access.enable("tastefejl@example.dk").changed
    directory.signs_in("tastefejl@example.dk")
    assert getattr(access, work)(FIRST, *extra).changed
