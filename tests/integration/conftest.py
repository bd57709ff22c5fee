"""Handlers called in this process, against the emulator with the resources of the template."""

from __future__ import annotations

import gzip
import importlib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import moto
import pytest
from hypothesis import strategies as st

from local.authorizer import CognitoAuthorizers, authorize
from local.emulator import Emulator
from local.functions import LocalContext
from local.gateway import Gateway
from local.plan import Plan
from shared.adapters.aws import reset_clients
from shared.platform.names import STAFF_GROUPS


class Api:
    """API Gateway in front of the template's functions, each imported with its own env."""

    def __init__(self, plan: Plan, emulator: Emulator) -> None:
        self.plan = plan
        self.emulator = emulator
        self.gateway = Gateway(plan.routes, plan.gateway_responses)
        self.authorizers = CognitoAuthorizers(plan, emulator)

    def environment(self, logical_id: str) -> dict[str, str]:
        spec = self.plan.functions[logical_id]
        resolved = self.emulator.resolve(spec.environment)
        return {k: str(v) for k, v in resolved.items()} | {"POWERTOOLS_TRACE_DISABLED": "true"}

    def handler(self, logical_id: str) -> Any:
        os.environ.update(self.environment(logical_id))
        module_name, _, attribute = self.plan.functions[logical_id].handler.rpartition(".")
        sys.modules.pop(module_name, None)  # a fresh execution environment
        return getattr(importlib.import_module(module_name), attribute)

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        match = self.gateway.match(method, path.split("?")[0])
        if match is None:
            status, data = self.gateway.gateway_response("MISSING_AUTHENTICATION_TOKEN", 403)
            return status, json.loads(data)
        raw = body if isinstance(body, str) else (json.dumps(body) if body is not None else "")
        event = self.gateway.event(match, method, path, headers or {}, raw.encode(), "127.0.0.1")
        if not authorize(self.authorizers, match.route.authorizer, headers or {}, event):
            status, data = self.gateway.gateway_response("UNAUTHORIZED", 401)
            return status, json.loads(data)
        handler = self.handler(match.route.function)
        result = handler(event, LocalContext(match.route.function, 512, 10, "eu-north-1"))
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


@pytest.fixture(scope="module")
def emulator(plan: Plan) -> Iterator[Emulator]:
    aws = Emulator("eu-north-1")
    aws.start()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in aws.environment.items():
            patch.setenv(key, value)
        reset_clients()
        aws.build(plan)
        yield aws
        reset_clients()
    aws.stop()


@pytest.fixture
def api(plan: Plan, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Api:
    for key in ("FORUMS_TABLE_NAME",):
        monkeypatch.delenv(key, raising=False)
    return Api(plan, emulator)


# -- the staff: tokens of the emulator's user pool, as the pages sign in ----------------------

def pool_and_client(plan: Plan, emulator: Emulator) -> tuple[str, str]:
    logical_id, props = plan.user_pool_clients[0]
    return emulator.resolve(props["UserPoolId"]), emulator.physical[logical_id]["Ref"]


def sign_in(emulator: Emulator, client_id: str, email: str, password: str) -> dict[str, Any]:
    answer = emulator.client("cognito-idp").initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password})
    return dict(answer["AuthenticationResult"])


@pytest.fixture(scope="module")
def tokens(plan: Plan, emulator: Emulator) -> dict[str, dict[str, Any]]:
    """Each group's user (`GROUP@staff.example.dk`) signed in: their tokens, by group."""
    from cli.staff import add_user, generated_password

    pool, client = pool_and_client(plan, emulator)
    found = {}
    for group in STAFF_GROUPS:
        email, password = f"{group}@staff.example.dk", generated_password()
        add_user(emulator.client("cognito-idp"), pool, email, group, password=password,
                 permanent=True, send_invitation=False)
        found[group] = sign_in(emulator, client, email, password)
    return found


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff_routes(plan: Plan) -> list[tuple[str, str]]:
    """Every route below /api/staff in the template, as (method, path with {parameters})."""
    return sorted({(r.method, r.path) for r in plan.routes if r.path.startswith("/api/staff")})


def concrete_path(path: str, value: str = "nogen") -> str:
    """A route's path with every {parameter} filled in."""
    return re.sub(r"\{[^}]+\}", value, path)


def raw(api: Api, method: str, path: str, headers: dict[str, str],
        body: Any = None) -> dict[str, Any]:
    """The function's whole answer (headers and body as text), through the authorizer."""
    match = api.gateway.match(method, path.split("?")[0])
    assert match is not None
    data = json.dumps(body).encode() if body is not None else b""
    event = api.gateway.event(match, method, path, headers, data, "127.0.0.1")
    assert authorize(api.authorizers, match.route.authorizer, headers, event)
    handler = api.handler(match.route.function)
    return dict(handler(event, LocalContext(match.route.function, 512, 29, "eu-north-1")))


def exported_file(api: Api, path: str, token: str, body: Any) -> Any:
    """A data-protection export downloaded from a console route, checked to be a JSON file no
    cache keeps, named by its audit reference and never after the address: its contents."""
    answer = raw(api, "POST", path, bearer(token), body)
    assert answer["statusCode"] == 200, answer
    headers = {k: v[-1] for k, v in answer["multiValueHeaders"].items()}
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r'attachment; filename="udtraek-[0-9a-f]{32}\.json"',
                        headers["Content-Disposition"])
    return json.loads(answer["body"])


# What a data-protection route must refuse as an address, on the field `email`.
BAD_ADDRESSES = st.one_of(
    st.text(max_size=60).filter(lambda s: "@" not in s or " " in s.strip()),
    st.just(""), st.just("anne@"), st.just("@example.dk"), st.just("a" * 250 + "@example.dk"),
    st.integers(), st.none())


def moto_private_key() -> Any:
    """The key moto signs every pool's tokens with (its jwks-private.json): what an attacker
    would need, and what makes an expired token with a valid signature possible here."""
    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    with gzip.open(path) as data:
        return jwt.PyJWK(json.load(data)).key
