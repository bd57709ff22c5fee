"""The staff console, locally: one demo user per group of each user pool in the template
(a password of its own per run, printed by `make run`; never created in AWS), and the sign-in
settings the pages read from /personale/config.json, pointing at the emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.emulator import Emulator
from local.plan import Plan

DEMO_DOMAIN = "personale.example.dk"


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    password: str


def create_demo_users(plan: Plan, emulator: Emulator) -> list[DemoUser]:
    """One signed-up user per group, in that group alone, with a permanent password."""
    from shared.adapters.cognito_staff import add_user, generated_password

    idp = emulator.client("cognito-idp")
    users = []
    for _, props in plan.user_pool_groups:
        role = props["GroupName"]
        user = DemoUser(role, f"{role.replace('_', '-')}@{DEMO_DOMAIN}", generated_password())
        add_user(idp, emulator.resolve(props["UserPoolId"]), user.email, role,
                 password=user.password, permanent=True, send_invitation=False)
        users.append(user)
    return users


def sign_in_config(plan: Plan, emulator: Emulator) -> dict[str, Any] | None:
    """What the staff pages read to sign in: the pool, its app client and the emulator as
    Cognito's endpoint (None without a user pool in the template)."""
    if not plan.user_pool_clients:
        return None
    _, client = plan.user_pool_clients[0]
    pool = emulator.physical[client["UserPoolId"]["Ref"]]["Ref"]
    return {"region": emulator.region, "userPoolId": pool,
            "clientId": emulator.physical[plan.user_pool_clients[0][0]]["Ref"],
            "endpoint": f"{emulator.endpoint}/"}
