"""The editor's console function in the synthesized template: its routes behind the staff's
authorizer, and exactly the grants the editor's flows need (the newsletter table's item
actions they call, SES sending through the configuration set for a test, its own logs), and
for the subscriber list the newsletter's signing secret and sending to the confirmation
queue, nothing else; and the newsletter's schedules and the
table's index of issues and expiry."""

from __future__ import annotations

import json
from typing import Any

from infra.newsletter import EDITOR_ROUTES, SUBSCRIBER_ROUTES
from shared.platform.names import (
    ENV_DISPATCH_QUEUE,
    INDEX_ISSUES,
    ISSUE_LIST,
    JOB_NEWSLETTER_DUE,
    JOB_NEWSLETTER_SCHEDULED,
    SCHEDULE_NEWSLETTER,
    SCHEDULE_NEWSLETTER_DUE,
)
from tests.infra.template import invoked_function, resources

HANDLER = "functions.staff_newsletter.handler.lambda_handler"


def editor_function(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    found = {k: r["Properties"] for k, r in resources(template, "AWS::Lambda::Function").items()
             if r["Properties"]["Handler"] == HANDLER}
    assert len(found) == 1
    return next(iter(found.items()))


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = [r["Properties"] for r in resources(template, "AWS::IAM::Policy").values()
                if {"Ref": role} in r["Properties"]["Roles"]]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def test_the_editor_function_may_do_exactly_what_the_editors_flows_call(
        template: dict[str, Any]) -> None:
    _, function = editor_function(template)
    role = function["Role"]["Fn::GetAtt"][0]
    assert "ManagedPolicyArns" not in template["Resources"][role]["Properties"]
    granted = {}
    for statement in statements(template, role):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else \
            [statement["Action"]]
        granted[tuple(sorted(actions))] = statement["Resource"]
    tables = [k for k in resources(template, "AWS::DynamoDB::Table") if k.startswith("Newsletter")]
    assert len(tables) == 1
    assert granted.pop(("dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
                        "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem")) == [
        {"Fn::GetAtt": [tables[0], "Arn"]},
        {"Fn::Join": ["", [{"Fn::GetAtt": [tables[0], "Arn"]}, "/index/*"]]}]
    # The subscriber list: the search scans, each address is added in a transaction.
    assert granted.pop(("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem",
                        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan",
                        "dynamodb:UpdateItem")) == [
        {"Fn::GetAtt": [tables[0], "Arn"]},
        {"Fn::Join": ["", [{"Fn::GetAtt": [tables[0], "Arn"]}, "/index/*"]]}]
    secret = granted.pop(("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"))
    assert secret["Ref"].startswith("NewsletterSigningSecret")
    # The confirmations' queue (invitations) and the dispatcher's ("send now"), nothing else.
    queues = granted.pop(("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"))
    assert sorted(q["Fn::GetAtt"][0].rstrip("0123456789ABCDEF") for q in queues) == [
        "NewsletterConfirmQueue", "NewsletterDispatchQueue"]
    ses = granted.pop(("ses:SendEmail", "ses:SendRawEmail"))
    assert ses[0].endswith(":identity/example.dk")
    assert ses[1]["Fn::Join"][1][0].endswith(":configuration-set/")
    logs = granted.pop(("logs:CreateLogStream", "logs:PutLogEvents"))
    assert all("Logs" in str(resource) for resource in logs)
    assert granted == {("xray:PutTelemetryRecords", "xray:PutTraceSegments"): "*"}  # tracing
    environment = function["Environment"]["Variables"]
    # "Send now" asks the dispatcher on its queue; an invitation goes on the confirmations'
    # queue, signed: those two queues and that secret, nothing else.
    assert sorted(name for name in environment if "SECRET" in name or "QUEUE" in name
                  or "KEY" in name) == sorted([ENV_DISPATCH_QUEUE, "NEWSLETTER_CONFIRM_QUEUE_URL",
                                               "SIGNING_SECRET_ARN"])


def test_the_editors_routes_go_to_its_function_behind_the_staff_authorizer(
        template: dict[str, Any]) -> None:
    logical_id, _ = editor_function(template)
    authorizers = list(resources(template, "AWS::ApiGateway::Authorizer"))
    assert len(authorizers) == 1
    methods = [m["Properties"] for m in resources(template, "AWS::ApiGateway::Method").values()
               if m["Properties"].get("Integration", {}).get("Type") == "AWS_PROXY"
               and invoked_function(template, m["Properties"]["Integration"]["Uri"])
               == logical_id]
    assert sorted(m["HttpMethod"] for m in methods) == sorted(
        m for m, _ in EDITOR_ROUTES + SUBSCRIBER_ROUTES)
    assert all(m["AuthorizationType"] == "COGNITO_USER_POOLS"
               and m["AuthorizerId"] == {"Ref": authorizers[0]} for m in methods)


def test_each_newsletter_schedule_gives_the_dispatcher_its_own_job(
    template: dict[str, Any],
) -> None:
    """The recurring send and the hourly run are told apart by their input: the hourly one
    never sends an issue that waits for the schedule."""
    inputs = {props["Properties"]["Name"]: json.loads(props["Properties"]["Target"]["Input"])
              for props in resources(template, "AWS::Scheduler::Schedule").values()}
    assert inputs[SCHEDULE_NEWSLETTER] == {"job": JOB_NEWSLETTER_SCHEDULED}
    assert inputs[SCHEDULE_NEWSLETTER_DUE] == {"job": JOB_NEWSLETTER_DUE}
    assert JOB_NEWSLETTER_SCHEDULED != JOB_NEWSLETTER_DUE


def test_issues_have_an_index_of_their_own_and_the_ledger_expires(
    template: dict[str, Any],
) -> None:
    [table] = [t["Properties"] for k, t in resources(template, "AWS::DynamoDB::Table").items()
               if k.startswith("Newsletter")]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    [index] = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == INDEX_ISSUES]
    assert index["KeySchema"][0] == {"AttributeName": ISSUE_LIST, "KeyType": "HASH"}
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
