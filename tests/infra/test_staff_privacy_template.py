"""The privacy officer's console function in the synthesized template: exactly the grants its
search, export, erasure and audit trail need, none on the advisory table or any key (only the
consultant may decrypt advisory requests), and its routes behind the staff's authorizer."""

from __future__ import annotations

from typing import Any

from local.plan import build_plan
from tests.infra.template import resources

HANDLER = "functions.staff_privacy.handler.lambda_handler"


def _function(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    found = {k: r["Properties"] for k, r in resources(template, "AWS::Lambda::Function").items()
             if r["Properties"]["Handler"] == HANDLER}
    assert len(found) == 1, sorted(found)
    return next(iter(found.items()))


def _logical(value: Any) -> str:
    """The logical id a resource ARN refers to (GetAtt, Ref, or the first inside a Join)."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::Join" in value:
            return next(_logical(part) for part in value["Fn::Join"][1] if isinstance(part, dict))
    return str(value)


def grants(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(action, logical id of the resource) for every statement of the function's role."""
    _, function = _function(template)
    role = function["Role"]["Fn::GetAtt"][0]
    found = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            targets = statement["Resource"]
            for action in actions if isinstance(actions, list) else [actions]:
                for target in targets if isinstance(targets, list) else [targets]:
                    found.add((action, _logical(target)))
    return found


def test_the_function_may_do_exactly_what_its_areas_need(template: dict[str, Any]) -> None:
    logical, _ = _function(template)
    tables = {prefix: next(k for k in resources(template, "AWS::DynamoDB::Table")
                           if k.startswith(prefix))
              for prefix in ("Forums", "Registration", "Newsletter", "Privacy")}
    [secret] = [k for k in resources(template, "AWS::SecretsManager::Secret")
                if k.startswith("NewsletterSigningSecret")]
    assert logical.startswith("PrivacyConsoleFunction")
    [logs] = [k for k in resources(template, "AWS::Logs::LogGroup")
              if k.startswith("PrivacyConsoleLogs")]
    expected = {
        *((f"dynamodb:{a}", tables["Registration"])
          for a in ("Scan", "Query", "GetItem", "PutItem", "DeleteItem")),
        *((f"dynamodb:{a}", tables["Forums"]) for a in ("GetItem", "UpdateItem")),
        *((f"dynamodb:{a}", tables["Newsletter"])
          for a in ("GetItem", "Query", "BatchGetItem", "DeleteItem", "UpdateItem")),
        *((f"dynamodb:{a}", tables["Privacy"])
          for a in ("PutItem", "Scan", "GetItem", "UpdateItem")),
        ("secretsmanager:GetSecretValue", secret), ("secretsmanager:DescribeSecret", secret),
        ("logs:CreateLogStream", logs), ("logs:PutLogEvents", logs),
        ("xray:PutTraceSegments", "*"), ("xray:PutTelemetryRecords", "*"),
    }
    assert grants(template) == expected


def test_no_key_and_no_advisory_table(template: dict[str, Any]) -> None:
    given = grants(template)
    assert not [a for a, _ in given if a.startswith("kms:")]  # never kms:Decrypt on any key
    keys = set(resources(template, "AWS::KMS::Key"))
    advisory = {k for k in resources(template, "AWS::DynamoDB::Table") if k.startswith("Advisory")}
    assert advisory and keys
    assert not [r for _, r in given if r in keys | advisory]
    _, function = _function(template)
    # No advisory table, key or queue; only the retention period an access answer tells.
    assert not [v for v in function["Environment"]["Variables"]
                if "ADVISORY" in v and v != "ADVISORY_RETENTION_DAYS"]


def test_its_routes_are_behind_the_staff_authorizer(template: dict[str, Any]) -> None:
    logical, _ = _function(template)
    plan = build_plan(template)
    routes = sorted((r.method, r.path) for r in plan.routes if r.function == logical)
    assert routes == [("GET", "/api/staff/privacy/audit"), ("GET", "/api/staff/privacy/cases"),
                      ("GET", "/api/staff/privacy/cases/{case}/answer"),
                      ("POST", "/api/staff/privacy/cases"),
                      ("POST", "/api/staff/privacy/cases/{case}/close"),
                      ("POST", "/api/staff/privacy/cases/{case}/correct"),
                      ("POST", "/api/staff/privacy/erase"),
                      ("POST", "/api/staff/privacy/export"),
                      ("POST", "/api/staff/privacy/search")]
    [authorizer] = resources(template, "AWS::ApiGateway::Authorizer")
    assert {r.authorizer for r in plan.routes if r.function == logical} == {authorizer}
