"""The staff console in the synthesized template: the user pool's sign-in rules, its groups and
app client, the authorizer on every staff route (and on no public one), the staff function's
grants, and the Content-Security-Policy CloudFront sends with every answer."""

from __future__ import annotations

from typing import Any

from local.plan import build_plan
from shared.platform.names import (
    OUTPUT_STAFF_CLIENT,
    OUTPUT_STAFF_USER_POOL,
    PARAM_STAFF_USER_POOL,
    STAFF_GROUPS,
)
from tests.infra.template import get_atts, resources


def only(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    found = resources(template, kind)
    assert len(found) == 1, sorted(found)
    logical_id, resource = next(iter(found.items()))
    return logical_id, resource["Properties"]


def test_the_pool_takes_no_sign_ups_requires_totp_and_strong_passwords(
        template: dict[str, Any]) -> None:
    _, pool = only(template, "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "ON"  # cdk.json's staff_mfa: true
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # TOTP, no SMS
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 14
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers",
                                   "RequireSymbols"))
    assert policy["TemporaryPasswordValidityDays"] <= 7
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [
        {"Name": "verified_email", "Priority": 1}]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["DeletionProtection"] == "ACTIVE"


def test_one_group_per_role(template: dict[str, Any]) -> None:
    groups = [r["Properties"]["GroupName"] for r in
              resources(template, "AWS::Cognito::UserPoolGroup").values()]
    assert sorted(groups) == sorted(STAFF_GROUPS)


def test_the_pages_client_keeps_no_secret_and_gives_short_lived_tokens(
        template: dict[str, Any]) -> None:
    _, client = only(template, "AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH",
                                                   "ALLOW_USER_PASSWORD_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    # Nobody rewrites their own address with their access token (the console names staff by
    # it); a changed address counts only once verified.
    assert client["WriteAttributes"] == ["locale"]
    _, pool = only(template, "AWS::Cognito::UserPool")
    assert pool["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]}
    # Removal, disabling and a global sign-out take effect within five minutes: API Gateway's
    # authorizer accepts a token until it expires, and the refresh token the pages renew it
    # with is revoked by the sign-out (Cognito's shortest validity is five minutes).
    units = client["TokenValidityUnits"]
    seconds = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
    assert client["IdTokenValidity"] * seconds[units["IdToken"]] <= 5 * 60
    assert client["AccessTokenValidity"] * seconds[units["AccessToken"]] <= 5 * 60
    assert client["EnableTokenRevocation"] is True
    assert 8 * 3600 <= client["RefreshTokenValidity"] * seconds[units["RefreshToken"]] <= 24 * 3600
    # The ID token carries the address and whether it is verified, nothing else of the user.
    assert sorted(client["ReadAttributes"]) == ["email", "email_verified"]
    assert "AllowedOAuthFlows" not in client


def test_every_staff_route_has_the_cognito_authorizer_and_no_other_route_has_it(
        template: dict[str, Any]) -> None:
    pool_id, _ = only(template, "AWS::Cognito::UserPool")
    authorizer_id, authorizer = only(template, "AWS::ApiGateway::Authorizer")
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": [pool_id, "Arn"]}]
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    plan = build_plan(template)
    staff = [r for r in plan.routes if r.path.startswith("/api/staff/")]
    public = [r for r in plan.routes if not r.path.startswith("/api/staff/")]
    assert len(staff) >= 6 and public
    assert {r.authorizer for r in staff} == {authorizer_id}
    assert {r.authorizer for r in public} == {None}
    for method in resources(template, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props.get("AuthorizationType") == "COGNITO_USER_POOLS":
            assert props["AuthorizerId"] == {"Ref": authorizer_id}
    unauthorized = [r["Properties"] for r in
                    resources(template, "AWS::ApiGateway::GatewayResponse").values()
                    if r["Properties"]["ResponseType"] == "UNAUTHORIZED"]
    assert unauthorized and unauthorized[0]["StatusCode"] == "401"


def test_the_pages_find_the_pool_and_client_and_the_cli_finds_the_pool(
        template: dict[str, Any]) -> None:
    assert {OUTPUT_STAFF_USER_POOL, OUTPUT_STAFF_CLIENT} <= set(template["Outputs"])
    names = [r["Properties"]["Name"] for r in resources(template, "AWS::SSM::Parameter").values()]
    assert PARAM_STAFF_USER_POOL in names


def test_every_answer_carries_the_strict_content_security_policy(
        template: dict[str, Any]) -> None:
    policy_id, policy = only(template, "AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(part.split(" ", 1) for part in csp.split("; "))
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self' https://cognito-idp.eu-north-1.amazonaws.com"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    _, distribution = only(template, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": policy_id} for b in behaviours)


def test_the_staff_function_may_read_and_write_only_the_catalogue_and_registrations(
        template: dict[str, Any]) -> None:
    functions = {k: r for k, r in resources(template, "AWS::Lambda::Function").items()
                 if r["Properties"]["Handler"] == "functions.staff_api.handler.lambda_handler"}
    assert len(functions) == 1
    role = next(iter(functions.values()))["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = [r["Properties"] for r in resources(template, "AWS::IAM::Policy").values()
                if {"Ref": role} in r["Properties"]["Roles"]]
    tables = {ref[0] for p in policies for s in p["PolicyDocument"]["Statement"]
              for ref in get_atts(s.get("Resource")) if ref[0] in resources(
                  template, "AWS::DynamoDB::Table")}
    assert {t.split("Table")[0] for t in tables} == {"Forums", "Registration"}




def test_the_console_folder_serves_its_index_page(template: dict[str, Any]) -> None:
    functions = {k: r["Properties"] for k, r in
                 resources(template, "AWS::CloudFront::Function").items()
                 if k.startswith("PagesFolderIndex")}
    assert len(functions) == 1
    logical_id, function = next(iter(functions.items()))
    assert "request.uri += 'index.html'" in function["FunctionCode"]
    _, distribution = only(template, "AWS::CloudFront::Distribution")
    default = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert [a["FunctionARN"] for a in default["FunctionAssociations"]] == [
        {"Fn::GetAtt": [logical_id, "FunctionARN"]}]
