"""The consultant's console function in the synthesized template: the only principals that may
decrypt an advisory request are this function's role and the consultant's CLI role (in the
key's own policy, which delegates nothing to IAM, and in every IAM policy of the stack), and
the function's other grants are exactly what its area needs, the advisory part of
data-protection requests included (finding the sender's requests by the keyed hash of the
address, deleting them, adding records to the privacy audit table)."""

from __future__ import annotations

import json
from typing import Any

from infra.advisory import CONSULTANT_ROUTES
from local.plan import build_plan
from shared.platform.names import ENV_PRIVACY_AUDIT_TABLE
from tests.infra.template import get_atts, resources

HANDLER = "functions.staff_advisory.handler.lambda_handler"


def actions(statement: dict[str, Any]) -> set[str]:
    found = statement["Action"]
    return {found} if isinstance(found, str) else set(found)


def decrypts(statement: dict[str, Any]) -> bool:
    return statement["Effect"] == "Allow" and any(
        a in ("kms:Decrypt", "kms:*", "*") or (a.startswith("kms:") and a.endswith("*")
                                                and "kms:Decrypt".startswith(a[:-1]))
        for a in actions(statement))


def content_key(template: dict[str, Any]) -> str:
    keys = [k for k in resources(template, "AWS::KMS::Key") if k.startswith("AdvisoryContentKey")]
    assert len(keys) == 1
    return keys[0]


def console_function(template: dict[str, Any]) -> dict[str, Any]:
    functions = [r for r in resources(template, "AWS::Lambda::Function").values()
                 if r["Properties"]["Handler"] == HANDLER]
    assert len(functions) == 1
    return functions[0]


def console_role(template: dict[str, Any]) -> str:
    return str(console_function(template)["Properties"]["Role"]["Fn::GetAtt"][0])


def consultant_role(template: dict[str, Any]) -> str:
    roles = [k for k in resources(template, "AWS::IAM::Role")
             if k.startswith("AdvisoryConsultantRole")]
    assert len(roles) == 1
    return roles[0]


def test_only_the_console_function_and_the_consultants_role_may_decrypt_a_request(
        template: dict[str, Any]) -> None:
    key = content_key(template)
    allowed = {console_role(template), consultant_role(template)}
    # The key policy: the account administers, never uses; each principal named who decrypts.
    policy = template["Resources"][key]["Properties"]["KeyPolicy"]["Statement"]
    in_key_policy = {_principal(p) for s in policy if decrypts(s)
                     for p in _listed(s["Principal"].get("AWS"))}
    assert all("Principal" in s and set(s["Principal"]) == {"AWS"} for s in policy
               if decrypts(s))  # no service, no federated or anonymous principal decrypts
    assert in_key_policy == allowed
    # Every IAM policy of the stack that lets a role decrypt this key (or any key: "*").
    in_iam: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        properties = policy["Properties"]
        for statement in properties["PolicyDocument"]["Statement"]:
            resource = json.dumps(statement["Resource"])
            if decrypts(statement) and (key in resource or statement["Resource"] == "*"):
                in_iam |= {role["Ref"] for role in properties.get("Roles", [])}
    assert in_iam == allowed


def test_the_console_function_has_exactly_its_areas_grants(template: dict[str, Any]) -> None:
    role = console_role(template)
    statements = [s for p in resources(template, "AWS::IAM::Policy").values()
                  if {"Ref": role} in p["Properties"]["Roles"]
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    granted: dict[str, set[str]] = {}
    for statement in statements:
        names = {ref[0] for ref in get_atts(statement["Resource"])} or {
            ref["Ref"] for ref in _listed(statement["Resource"])
            if isinstance(ref, dict) and "Ref" in ref} or {"*"}
        for name in names:
            kind = next((prefix for prefix in ("AdvisoryTable", "AdvisoryUrgentQueue",
                                               "AdvisoryQueue",
                                               "AdvisoryContentKey", "AdvisoryConsoleLogs",
                                               "AdvisoryLookupSecret", "PrivacyTable")
                         if name.startswith(prefix)), name)
            granted.setdefault(kind, set()).update(actions(statement))
    assert granted == {
        "AdvisoryConsoleLogs": {"logs:CreateLogStream", "logs:PutLogEvents"},
        "*": {"xray:PutTelemetryRecords", "xray:PutTraceSegments"},
        # Leases, finishes and releases (updates), audit entries (puts), the indexes and a
        # day's audit (queries); a data-protection request finds the sender's requests by a
        # query of the index of address hashes and deletes them (DeleteItem). No scan, no
        # batch, no PartiQL.
        "AdvisoryTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                          "dynamodb:Query", "dynamodb:DeleteItem"},
        # The keyed hash of the searched address is made under the lookup secret.
        "AdvisoryLookupSecret": {"secretsmanager:GetSecretValue",
                                 "secretsmanager:DescribeSecret"},
        # Data-protection requests audited in the privacy officer's trail: added, never
        # changed or removed; the open cases read (one, or the list to pick from) and the
        # advisory part of an access answer put under its case.
        "PrivacyTable": {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan"},
        # Take from the queues and put back; send a request released from hold or reopened
        # back into its queue.
        "AdvisoryUrgentQueue": {"sqs:ReceiveMessage", "sqs:DeleteMessage",
                                "sqs:ChangeMessageVisibility", "sqs:SendMessage"},
        "AdvisoryQueue": {"sqs:ReceiveMessage", "sqs:DeleteMessage",
                          "sqs:ChangeMessageVisibility", "sqs:SendMessage"},
        # Open a request; seal a note.
        "AdvisoryContentKey": {"kms:Decrypt", "kms:GenerateDataKey"},
    }


def test_the_console_function_is_told_the_privacy_audit_table(
        template: dict[str, Any]) -> None:
    environment = console_function(template)["Properties"]["Environment"]["Variables"]
    [table] = [k for k in resources(template, "AWS::DynamoDB::Table")
               if k.startswith("PrivacyTable")]
    assert environment[ENV_PRIVACY_AUDIT_TABLE] == {"Ref": table}


def test_the_consultants_routes_are_behind_the_authorizer_and_reach_this_function_only(
        template: dict[str, Any]) -> None:
    plan = build_plan(template)
    ours = [r for r in plan.routes if r.path.startswith("/api/staff/advisory")]
    assert sorted((r.method, r.path) for r in ours) == sorted(
        (m, f"/api/{p}") for m, p in CONSULTANT_ROUTES)
    assert all(r.authorizer for r in ours)
    assert {plan.functions[r.function].handler for r in ours} == {HANDLER}
    others = {plan.functions[r.function].handler for r in plan.routes if r not in ours}
    assert HANDLER not in others


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal(value: Any) -> str:
    """A role's logical id, or the principal as written (an account, "*")."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return json.dumps(value)
