"""The administrator's routes under a careless or hostile hand, against the emulator's pool:
a second request forced in just before a write of the first (a double click, two
administrators at once) answers as a repeat does, never a 500; and an administrator whose
role is taken away (or who is disabled or removed) is refused at once, while the ID token
they hold is still valid (a global sign-out does not revoke an ID token API Gateway accepts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.aws import client
from shared.adapters.cognito_staff import add_user, generated_password
from shared.platform.names import GROUP_ADMINISTRATOR, STAFF_GROUPS
from tests.integration.conftest import BAD_ADDRESSES, Api, bearer, pool_and_client, sign_in

ADMIN = f"{GROUP_ADMINISTRATOR}@staff.example.dk"


@pytest.fixture
def admin(api: Api, tokens: dict[str, dict[str, Any]]) -> Callable[..., tuple[int, Any]]:
    headers = bearer(tokens[GROUP_ADMINISTRATOR]["IdToken"])

    def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return api.request(method, f"/api/staff/staff{path}", body, headers)
    return call


def before_pool_call(operation: str, step: Callable[[], Any]) -> list[Any]:
    """Run `step` once, just before the next `operation` call to the user pool; its answer
    is kept in the returned list."""
    done: list[Any] = []
    idp = client("cognito-idp")

    def hook(**_: Any) -> None:
        if not done:
            done.append(None)
            done[0] = step()
            idp.meta.events.unregister(f"before-call.cognito-idp.{operation}",
                                       unique_id="race")

    idp.meta.events.register(f"before-call.cognito-idp.{operation}", hook, unique_id="race")
    return done


def audited(admin: Callable[..., tuple[int, Any]], email: str) -> list[str]:
    return [c["action"] for c in admin("GET", "/audit")[1]["changes"] if c["email"] == email]


def test_an_invitation_sent_twice_at_once_invites_once_and_neither_is_an_error(
        admin: Callable[..., tuple[int, Any]]) -> None:
    email = "dobbeltklik@example.dk"
    second = before_pool_call("AdminCreateUser", lambda: admin(
        "POST", "", {"email": " Dobbeltklik@Example.DK ", "groups": ["editor", "consultant"]}))
    status, body = admin("POST", "", {"email": email, "groups": ["editor"]})
    assert second and second[0][0] == 201, second
    assert (status, body["changed"]) == (200, False), body
    people = [m for m in admin("GET", "")[1]["staff"] if m["email"] == email]
    assert [sorted(m["groups"]) for m in people] == [["consultant", "editor"]]
    assert audited(admin, email) == ["invite"]


# Each change of one person, and the pool call just before which someone removes them.
CHANGES = [
    ("/disable", {}, "AdminDisableUser"),
    ("/enable", {}, "AdminEnableUser"),
    ("/groups/add", {"group": "secretariat"}, "AdminAddUserToGroup"),
    ("/groups/remove", {"group": "editor"}, "AdminRemoveUserFromGroup"),
    ("/password/reset", {}, "AdminResetUserPassword"),
    ("/remove", {}, "AdminDeleteUser"),
    ("/remove", {}, "AdminUserGlobalSignOut"),
]


@pytest.mark.parametrize(("path", "extra", "operation"), CHANGES,
                         ids=[f"{c[0]}-{c[2]}" for c in CHANGES])
def test_someone_removed_in_the_middle_of_a_change_is_gone_not_a_500(
        plan: Plan, emulator: Emulator, admin: Callable[..., tuple[int, Any]], path: str,
        extra: dict[str, str], operation: str) -> None:
    email = f"midtvejs.{operation.lower()}.{path.strip('/').replace('/', '.')}@example.dk"
    pool, _ = pool_and_client(plan, emulator)
    add_user(emulator.client("cognito-idp"), pool, email, "editor",
             password=generated_password())
    if path == "/enable":
        admin("POST", "/disable", {"email": email})
    removed = before_pool_call(operation, lambda: admin("POST", "/remove", {"email": email}))
    status, body = admin("POST", path, {"email": email, **extra})
    assert removed and removed[0][0] == 200, removed
    if path == "/remove":
        assert (status, body["changed"]) == (200, False), body
    else:
        assert (status, body["code"]) == (404, "not_staff"), body
    assert audited(admin, email).count("remove") == 1


@pytest.mark.parametrize("taken", ["/groups/remove", "/disable", "/remove"])
def test_an_administrator_taken_away_is_refused_at_once_though_their_token_is_valid(
        api: Api, plan: Plan, emulator: Emulator, admin: Callable[..., tuple[int, Any]],
        taken: str) -> None:
    email, password = f"afgaaet{taken.replace('/', '.')}@example.dk", generated_password()
    pool, client_id = pool_and_client(plan, emulator)
    add_user(emulator.client("cognito-idp"), pool, email, GROUP_ADMINISTRATOR,
             password=password)
    headers = bearer(sign_in(emulator, client_id, email, password)["IdToken"])
    assert api.request("GET", "/api/staff/staff", None, headers)[0] == 200
    status, _ = admin("POST", taken, {"email": email, "group": GROUP_ADMINISTRATOR})
    assert status == 200
    for method, path, body in (("GET", "", None), ("GET", "/audit", None),
                               ("POST", "/groups/add", {"email": email,
                                                        "group": GROUP_ADMINISTRATOR}),
                               ("POST", "/enable", {"email": email})):
        status, answer = api.request(method, f"/api/staff/staff{path}", body, headers)
        assert (status, answer["code"]) == (403, "forbidden"), (taken, path)
    assert audited(admin, email)[0] != "add_group"


PERSON_ROUTES = ["/resend", "/password/reset", "/authenticator/reset", "/disable", "/enable",
                 "/remove", "/groups/add", "/groups/remove"]
ENGLISH = ("input should", "field required", "string", "value error", "valid ", "list")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PERSON_ROUTES),
       email=st.one_of(BAD_ADDRESSES, st.just(ADMIN)),
       group=st.one_of(st.text(max_size=12).filter(lambda s: s not in STAFF_GROUPS),
                       st.integers(), st.none(), st.lists(st.just("editor"), max_size=1)),
       drop=st.sampled_from([(), ("email",), ("group",)]))
def test_bad_input_on_every_route_about_one_person_is_a_danish_error_per_field(
        admin: Callable[..., tuple[int, Any]], path: str, email: Any, group: Any,
        drop: tuple[str, ...]) -> None:
    """Whatever the body, a 422 naming each bad field in Danish (never a 500, never pydantic's
    English), and nobody changed."""
    body = {k: v for k, v in {"email": email, "group": group}.items() if k not in drop}
    if "group" not in path:
        body.pop("group", None)
        if "email" in body and body["email"] == ADMIN:
            body["email"] = None
    before = admin("GET", "")[1]
    status, answer = admin("POST", path, body)
    assert status == 422, (path, body, answer)
    assert answer["errors"] and {e["field"] for e in answer["errors"]} <= {"email", "group"}
    for error in answer["errors"]:
        assert error["message"][:1].isupper() and error["message"].endswith("."), error
        assert not any(word in error["message"].lower() for word in ENGLISH), error
    assert admin("GET", "")[1] == before
