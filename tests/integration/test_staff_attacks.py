"""The staff console's API attacked as a hostile user and used as a careless operator would:
every route of every area with every group's token, odd path parameters, bodies of every
media type and size, tokens the gateway accepts but the console must not, duplicated JSON
keys and deeply nested files. Whatever comes in, no answer may be kept by a browser or a
proxy, every status is one the OpenAPI document lists for the route, and nothing is a 500."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.staff import add_user, generated_password
from local.authorizer import authorize
from local.emulator import Emulator
from local.functions import LocalContext
from local.plan import Plan
from local.synth import ROOT
from shared.edge.http import MAX_BODY_BYTES
from shared.platform.names import STAFF_GROUPS
from tests.integration.conftest import (
    Api,
    bearer,
    concrete_path,
    moto_private_key,
    pool_and_client,
    sign_in,
    staff_routes,
)

# Which group's function serves a path (the rest is the secretariat's, /api/staff/me aside).
AREAS = {"/api/staff/newsletter": "editor", "/api/staff/advisory": "consultant",
         "/api/staff/privacy": "privacy_officer"}


def owner(path: str) -> str:
    return next((group for prefix, group in AREAS.items() if path.startswith(prefix)),
                "secretariat")


def call(api: Api, method: str, path: str, headers: dict[str, str],
         data: bytes = b"") -> dict[str, Any]:
    """The function's whole answer to a request through the gateway and its authorizer."""
    match = api.gateway.match(method, path.split("?")[0])
    assert match is not None, path
    event = api.gateway.event(match, method, path, headers, data, "127.0.0.1")
    if not authorize(api.authorizers, match.route.authorizer, headers, event):
        return {"statusCode": 401, "headers": {"Cache-Control": "no-store"}, "body": "{}"}
    handler = api.handler(match.route.function)
    return dict(handler(event, LocalContext(match.route.function, 512, 29, "eu-north-1")))


def answer_headers(answer: dict[str, Any]) -> dict[str, str]:
    """The headers as API Gateway sends them: both maps merged, the multi-valued one winning."""
    merged = {k.lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
    merged.update({k.lower(): ",".join(v)
                   for k, v in (answer.get("multiValueHeaders") or {}).items()})
    return merged


@pytest.fixture(scope="module")
def documented() -> dict[tuple[str, str], set[int]]:
    """Each operation's statuses as the API functions describe them (generated now, as
    docs/openapi.json is; tests/infra/test_openapi.py keeps that file equal to it)."""
    generated = subprocess.run([sys.executable, "-m", "local.openapi"], cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=300).stdout
    return {(method.upper(), path): {int(status) for status in operation["responses"]}
            for path, item in json.loads(generated)["paths"].items()
            for method, operation in item.items()}


# Path parameters a hostile user types: encoded slashes and dots, very long, unicode,
# control characters, an empty-looking value, and anything else, percent-encoded.
PARAMETERS = st.one_of(
    st.sampled_from(["..", "%2E%2E", "%2F..%2Fforums", "a%2Fb", "x" * 3000, "%00",
                     quote("æøå-☃-𝕏"), "%20", "LR-ABCD-EF", "lr-abcd-ef", "2027-marts",
                     "%3Cscript%3E"]),
    st.text(min_size=1, max_size=200).map(lambda text: quote(text, safe="")))

MEDIA_TYPES = st.sampled_from([
    None, "application/json", "APPLICATION/JSON; charset=UTF-8", "text/plain", "text/csv",
    "application/xml", "application/x-www-form-urlencoded", "multipart/form-data",
    "application/json; charset=latin-1"])

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["email", "confirm", "reason", "subject", "markdown", "send_at",
                         "note", "filename", "text", "x"]), inner, max_size=4),
    max_leaves=8)

BODIES = st.one_of(
    st.just(b""),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b"{", b"\xff\xfe", b"1" * 5000, b"[" * 3000, b'{"a": 1, "a": 2}',
                     b"x" * (MAX_BODY_BYTES + 1), b" " * MAX_BODY_BYTES,
                     b'{"email": "a@example.dk", "confirm": true, "email": "b@example.dk"}']))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), group=st.sampled_from(STAFF_GROUPS), parameter=PARAMETERS,
       media_type=MEDIA_TYPES, body=BODIES)
def test_every_answer_is_no_store_documented_and_never_a_server_error(
        api: Api, plan: Plan, tokens: dict[str, dict[str, Any]],
        documented: dict[tuple[str, str], set[int]], data: st.DataObject, group: str,
        parameter: str, media_type: str | None, body: bytes) -> None:
    method, path = data.draw(st.sampled_from(staff_routes(plan)), label="route")
    headers = bearer(tokens[data.draw(st.sampled_from([group, owner(path)]),
                                      label="group")]["IdToken"])
    if media_type is not None:
        headers["Content-Type"] = media_type
    answer = call(api, method, concrete_path(path, parameter), headers, body)
    status = answer["statusCode"]
    assert status != 500, (method, path, answer["body"][:300])
    assert status in documented[(method, path)], (method, path, status, answer["body"][:300])
    assert answer_headers(answer).get("cache-control") == "no-store", (method, path, status)


def forged(claims: dict[str, Any]) -> str:
    """A token with a valid signature of the emulator's pools (moto signs every pool's tokens
    with one published key): what Cognito itself would issue with these claims."""
    return jwt.encode(claims, moto_private_key(), algorithm="RS256", headers={"kid": "dummy"})


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(group=st.sampled_from(STAFF_GROUPS),
       verified=st.sampled_from([False, "false", "False", "", "0", "no"]),
       address=st.sampled_from(["privacy_officer@staff.example.dk", "dpo@union.example.dk",
                                "chef@example.dk"]))
def test_a_token_whose_email_is_not_verified_is_refused_everywhere(
        api: Api, plan: Plan, tokens: dict[str, dict[str, Any]], group: str,
        verified: Any, address: str) -> None:
    """A staff user may change their own email attribute with their access token
    (UpdateUserAttributes); unless the pool keeps the original until the new one is verified,
    Cognito's next ID token carries the new address with `email_verified: false`. The
    console names staff by that address (the audit's operator, a lease's holder, the
    editor's test recipient), so such a token must not act as anyone."""
    claims = jwt.decode(tokens[group]["IdToken"], options={"verify_signature": False})
    claims = {**claims, "email": address, "exp": int(time.time()) + 600}
    claims["email_verified"] = verified
    token = forged(claims)
    for method, path in staff_routes(plan):
        answer = call(api, method, concrete_path(path, "nogen"), bearer(token), b"{}")
        assert answer["statusCode"] == 401, (method, path, answer["body"][:200])
    verified_claims = {**claims, "email_verified": True,
                       "email": f"{group}@staff.example.dk"}
    answer = call(api, "GET", "/api/staff/me", bearer(forged(verified_claims)))
    assert answer["statusCode"] == 200


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(min_value=1_000, max_value=4_000),
       opening=st.sampled_from(["[", "{a: ", "- "]),
       filename=st.sampled_from(["katalog.json", "katalog.yaml", "katalog.yml"]))
def test_a_deeply_nested_catalogue_file_is_a_field_error_not_a_server_error(
        api: Api, tokens: dict[str, dict[str, Any]], depth: int, opening: str,
        filename: str) -> None:
    text = opening * depth
    body = json.dumps({"filename": filename, "text": text}).encode()
    answer = call(api, "POST", "/api/staff/forums/import",
                  {**bearer(tokens["secretariat"]["IdToken"]),
                   "Content-Type": "application/json"}, body)
    assert answer["statusCode"] == 422, answer["body"][:300]
    assert [e["field"] for e in json.loads(answer["body"])["errors"]] == ["file"]


def test_a_user_whose_address_is_no_longer_verified_signs_in_but_is_refused(
        api: Api, plan: Plan, emulator: Emulator) -> None:
    """Through the emulator's own tokens, which carry `email_verified` as the user had it
    when the token was issued (the app client reads it), as Cognito's do."""
    idp = emulator.client("cognito-idp")
    pool, client = pool_and_client(plan, emulator)
    email, password = "skiftet@staff.example.dk", generated_password()
    add_user(idp, pool, email, "secretariat", password=password, permanent=True,
             send_invitation=False)
    assert call(api, "GET", "/api/staff/forums",
                bearer(sign_in(emulator, client, email, password)["IdToken"]))["statusCode"] == 200
    idp.admin_update_user_attributes(UserPoolId=pool, Username=email, UserAttributes=[
        {"Name": "email_verified", "Value": "false"}])
    token = sign_in(emulator, client, email, password)["IdToken"]
    for method, path in staff_routes(plan):
        assert call(api, method, concrete_path(path), bearer(token))["statusCode"] == 401
