"""The administrator's routes (/api/staff/staff) through the gateway, the authorizer and the
function, against the emulator's user pool and the template's audit table: every other group
is refused and changes nothing; invitations, roles, resets, disabling, enabling and removal
do what the list then shows, each audited with the administrator's address; the last
administrator cannot leave; bad input is a Danish error per field."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from local.plan import Plan
from shared.platform.names import GROUP_ADMINISTRATOR, STAFF_GROUPS
from tests.integration.conftest import (
    BAD_ADDRESSES,
    Api,
    bearer,
    pool_and_client,
    sign_in,
    staff_routes,
)

ADMIN = f"{GROUP_ADMINISTRATOR}@staff.example.dk"


@pytest.fixture
def admin(api: Api, tokens: dict[str, dict[str, Any]]) -> Any:
    headers = bearer(tokens[GROUP_ADMINISTRATOR]["IdToken"])

    def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return api.request(method, f"/api/staff/staff{path}", body, headers)
    return call


def listed(admin: Any, email: str) -> dict[str, Any] | None:
    status, body = admin("GET", "")
    assert status == 200
    return next((m for m in body["staff"] if m["email"] == email), None)


def test_every_other_group_is_refused_on_every_route_and_nothing_changes(
        api: Api, plan: Plan, tokens: dict[str, dict[str, Any]], admin: Any) -> None:
    routes = [r for r in staff_routes(plan) if r[1].startswith("/api/staff/staff")]
    assert len(routes) == 11
    before = admin("GET", "")[1]
    for group in STAFF_GROUPS:
        if group == GROUP_ADMINISTRATOR:
            continue
        for method, path in routes:
            status, body = api.request(method, path, {"email": ADMIN, "groups": ["editor"],
                                                      "group": GROUP_ADMINISTRATOR},
                                       bearer(tokens[group]["IdToken"]))
            assert (status, body["code"]) == (403, "forbidden"), (group, method, path)
    assert admin("GET", "")[1] == before


def test_an_invitation_lists_the_person_and_a_repeat_or_more_roles_change_nothing_else(
        api: Api, plan: Plan, emulator: Emulator, admin: Any) -> None:
    email = "ny.kollega@example.dk"
    status, body = admin("POST", "", {"email": "Ny.Kollega@Example.dk", "groups": ["editor"]})
    assert (status, body["changed"]) == (201, True)
    password = body["temporary_password"]  # the emulator sends no email
    assert listed(admin, email) == {
        "email": email, "groups": ["editor"], "enabled": True, "mfa": False,
        "last_sign_in": None, "status": "invited",
        "created": listed(admin, email)["created"]}  # type: ignore[index]
    status, body = admin("POST", "", {"email": email, "groups": ["editor"]})
    assert (status, body["changed"], body["temporary_password"]) == (200, False, None)
    # The person signs in with the invitation's password and chooses their own.
    idp = emulator.client("cognito-idp")
    _, client = pool_and_client(plan, emulator)
    answer = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": password})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    idp.respond_to_auth_challenge(
        ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=answer["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": "Egen-adgangskode-2027!"})
    # Another role for someone already there: no temporary password, theirs still works.
    status, body = admin("POST", "", {"email": email, "groups": ["editor", "secretariat"]})
    assert (status, body["changed"], body["temporary_password"]) == (200, True, None)
    assert listed(admin, email)["groups"] == ["secretariat", "editor"]  # type: ignore[index]
    assert sign_in(emulator, client, email, "Egen-adgangskode-2027!")["IdToken"]


def test_an_expired_invitation_is_sent_again_with_a_new_password(
        plan: Plan, emulator: Emulator, admin: Any) -> None:
    email = "glemt.invitation@example.dk"
    first = admin("POST", "", {"email": email, "groups": ["consultant"]})[1]
    status, again = admin("POST", "/resend", {"email": email})
    assert (status, again["changed"]) == (200, True)
    assert again["temporary_password"] != first["temporary_password"]
    _, client = pool_and_client(plan, emulator)
    answer = emulator.client("cognito-idp").initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": again["temporary_password"]})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert len([m for m in admin("GET", "")[1]["staff"] if m["email"] == email]) == 1


def test_roles_disable_enable_reset_and_remove_as_the_list_and_the_audit_show(
        plan: Plan, emulator: Emulator, admin: Any) -> None:
    email, password = "bente.rolle@example.dk", "Bentes-adgangskode-2027!"
    from shared.adapters.cognito_staff import add_user

    pool, client = pool_and_client(plan, emulator)
    add_user(emulator.client("cognito-idp"), pool, email, "editor", password=password)
    steps = [("/groups/add", {"group": "privacy_officer"}, ["editor", "privacy_officer"]),
             ("/groups/remove", {"group": "editor"}, ["privacy_officer"])]
    for path, extra, groups in steps:
        body = {"email": email, **extra}
        assert admin("POST", path, body)[1]["changed"] is True
        assert admin("POST", path, body)[1]["changed"] is False  # a repeat
        assert listed(admin, email)["groups"] == groups  # type: ignore[index]
    assert admin("POST", "/disable", {"email": email})[1]["changed"] is True
    assert listed(admin, email)["enabled"] is False  # type: ignore[index]
    with pytest.raises(ClientError, match="NotAuthorizedException"):
        sign_in(emulator, client, email, password)
    assert admin("POST", "/enable", {"email": email})[1]["changed"] is True
    assert sign_in(emulator, client, email, password)["IdToken"]
    assert admin("POST", "/password/reset", {"email": email})[1]["changed"] is True
    assert listed(admin, email)["status"] == "reset_required"  # type: ignore[index]
    assert admin("POST", "/password/reset", {"email": email})[1]["changed"] is False
    assert admin("POST", "/remove", {"email": email})[1]["changed"] is True
    assert listed(admin, email) is None
    assert admin("POST", "/remove", {"email": email}) == (200, {
        "email": email, "changed": False, "message": f"{email} har ikke adgang.",
        "temporary_password": None})
    _, trail = admin("GET", "/audit")
    mine = [(c["action"], c["groups"]) for c in trail["changes"] if c["email"] == email]
    assert mine == [("remove", ["privacy_officer"]), ("reset_password", []), ("enable", []),
                    ("disable", []), ("remove_group", ["editor"]),
                    ("add_group", ["privacy_officer"])]
    assert {c["by"] for c in trail["changes"] if c["email"] == email} == {ADMIN}
    assert all(set(c) == {"at", "by", "action", "email", "groups"} for c in trail["changes"])


def test_the_last_administrator_cannot_remove_disable_or_demote_themselves(admin: Any) -> None:
    for path, body in (("/remove", {"email": ADMIN}), ("/disable", {"email": ADMIN}),
                       ("/groups/remove", {"email": ADMIN, "group": GROUP_ADMINISTRATOR})):
        status, answer = admin("POST", path, body)
        assert (status, answer["code"]) == (409, "last_administrator"), path
        assert answer["message"].startswith("Der skal altid være mindst én aktiv administrator")
    assert listed(admin, ADMIN)["enabled"] is True  # type: ignore[index]


def test_someone_unknown_is_404_and_someone_who_signed_in_gets_no_new_invitation(
        admin: Any) -> None:
    status, body = admin("POST", "/disable", {"email": "ingen@example.dk"})
    assert (status, body["code"]) == (404, "not_staff")
    status, body = admin("POST", "/resend", {"email": ADMIN})
    assert (status, body["code"]) == (409, "wrong_state")
    assert "Nulstil adgangskoden" in body["message"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=BAD_ADDRESSES, groups=st.one_of(
    st.just([]), st.lists(st.text(max_size=10).filter(lambda s: s not in STAFF_GROUPS),
                          min_size=1, max_size=2), st.none(), st.integers()))
def test_bad_input_is_a_danish_error_per_field_and_nobody_is_invited(
        admin: Any, email: Any, groups: Any) -> None:
    before = admin("GET", "")[1]
    status, body = admin("POST", "", {"email": email, "groups": groups})
    assert status == 422, body
    assert {e["field"] for e in body["errors"]} <= {"email", "groups"}
    assert all(e["message"] for e in body["errors"])
    assert admin("GET", "")[1] == before
