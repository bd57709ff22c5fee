"""What the local runtime must emulate, read from the synthesized CloudFormation template.

Every resource type of the template is either emulated here or named as deploy-only (it has
no behaviour a member could notice locally). A type that is neither stops the runtime, so
infra cannot grow a resource that local runs silently lack."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from local.event_filter import parse_filters

# Types with local behaviour, built in the emulator or driven by the runtime.
EMULATED = frozenset({
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::Scheduler::Schedule",
    "AWS::SSM::Parameter",
    "AWS::SecretsManager::Secret",
    "AWS::Lambda::Function",
    # A function's published version and its alias (SnapStart): invoked as the function.
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::EventSourceMapping",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Authorizer",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
})

# Types that only matter in AWS: permissions, logging, delivery of the pages, edge protection.
DEPLOY_ONLY = frozenset({
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::Logs::LogGroup",
    "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersion",
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::RequestValidator",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::Function",
    # Its headers (the CSP above all) are sent by the local server itself (local/server.py).
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    # Cognito's threat protection: moto has none, the local pool signs in without it.
    "AWS::Cognito::UserPoolRiskConfigurationAttachment",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "Custom::CDKBucketDeployment",
    "Custom::S3AutoDeleteObjects",
})


class UnsupportedResource(Exception):
    pass


@dataclass(frozen=True)
class Table:
    logical_id: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Queue:
    logical_id: str
    properties: dict[str, Any]

    @property
    def dead_letter_target(self) -> str | None:
        redrive = self.properties.get("RedrivePolicy") or {}
        target = redrive.get("deadLetterTargetArn")
        return _logical_of(target) if target else None


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    environment: dict[str, Any]
    timeout: int
    memory: int
    path: str
    deploy_only: bool = False
    snap_start: bool = False  # restored from a snapshot (SnapStart on published versions)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    authorizer: str | None = None  # the logical id of its Cognito authorizer


@dataclass(frozen=True)
class Authorizer:
    """A Cognito user pools authorizer: the pools whose tokens it accepts, and the header
    that carries the token."""

    logical_id: str
    user_pools: tuple[str, ...]
    header: str


@dataclass(frozen=True)
class EventSource:
    logical_id: str
    function: str
    source: str  # the queue or table
    kind: str  # "sqs" or "dynamodb"
    batch_size: int
    report_failures: bool
    enabled: bool
    max_retries: int = -1  # streams: -1 retries until the records expire
    on_failure: str | None = None  # streams: the queue that receives what failed
    concurrency: int = 1  # SQS: ScalingConfig.MaximumConcurrency (pollers at once)
    filters: tuple[dict[str, Any], ...] = ()  # FilterCriteria patterns (local.event_filter)


@dataclass(frozen=True)
class Schedule:
    logical_id: str
    name: str
    expression: str
    timezone: str
    target: str
    target_kind: str  # "function" or "queue"
    input: str | None
    enabled: bool


@dataclass(frozen=True)
class GatewayResponse:
    response_type: str
    status: int
    body: str


@dataclass
class Plan:
    tables: list[Table] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    subscriptions: list[tuple[str, str, str, bool]] = field(default_factory=list)
    event_destinations: list[tuple[str, list[str]]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    identities: list[str] = field(default_factory=list)
    configuration_sets: list[str] = field(default_factory=list)
    parameters: list[tuple[str, Any]] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    event_sources: list[EventSource] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)
    # CloudFront distributions and the custom domains (aliases) each serves.
    distributions: dict[str, list[str]] = field(default_factory=dict)
    # Cognito: user pools, their app clients and groups (logical id, properties).
    user_pools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    user_pool_clients: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    user_pool_groups: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    authorizers: dict[str, Authorizer] = field(default_factory=dict)

    @property
    def served_functions(self) -> set[str]:
        return {f for f, spec in self.functions.items() if not spec.deploy_only}


def _logical_of(value: Any) -> str:
    """The logical id a Ref or Fn::GetAtt points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return str(att[0] if isinstance(att, list) else att.split(".")[0])
    raise UnsupportedResource(f"expected a reference, got {json.dumps(value)[:200]}")


def _filters(logical_id: str, props: dict[str, Any],
             source_type: str) -> tuple[dict[str, Any], ...]:
    """An event source mapping's filter patterns; emulated for streams only (a filtered SQS
    source would have Lambda delete what no filter matches, which the poller does not do)."""
    criteria = props.get("FilterCriteria")
    if criteria and source_type == "AWS::SQS::Queue":
        raise UnsupportedResource(f"{logical_id}: event filters on a queue are not emulated")
    try:
        return parse_filters(criteria)
    except ValueError as error:
        raise UnsupportedResource(f"{logical_id}: {error}") from error


def _function_in(value: Any) -> str:
    """The function named by an API integration URI or a target ARN."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Fn::GetAtt" in node:
                att = node["Fn::GetAtt"]
                found.append(str(att[0] if isinstance(att, list) else att.split(".")[0]))
            elif isinstance(node.get("Ref"), str) and not node["Ref"].startswith("AWS::"):
                found.append(node["Ref"])  # an alias's ARN is its Ref
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    if not found:
        raise UnsupportedResource(f"no function reference in {json.dumps(value)[:200]}")
    return found[0]


def build_plan(template: dict[str, Any]) -> Plan:
    resources: dict[str, dict[str, Any]] = template["Resources"]
    plan = Plan()
    unknown = sorted({r["Type"] for r in resources.values()} - EMULATED - DEPLOY_ONLY)
    if unknown:
        raise UnsupportedResource(
            "the local runtime does not know these resource types: " + ", ".join(unknown)
        )
    # A version or alias stands for its function: the emulator runs the code as it is.
    behind = {logical_id: _logical_of(r["Properties"]["FunctionName"])
              for logical_id, r in resources.items()
              if r["Type"] in ("AWS::Lambda::Version", "AWS::Lambda::Alias")}

    def function_of(value: Any) -> str:
        found = _function_in(value)
        return behind.get(found, found)

    custom_resource_functions = {
        _function_in(r["Properties"].get("ServiceToken"))
        for r in resources.values()
        if r["Type"].startswith("Custom::")
    }

    for logical_id, resource in resources.items():
        kind = resource["Type"]
        props = resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            plan.tables.append(Table(logical_id, props))
        elif kind == "AWS::SQS::Queue":
            plan.queues.append(Queue(logical_id, props))
        elif kind == "AWS::KMS::Key":
            plan.keys.append(logical_id)
        elif kind == "AWS::SecretsManager::Secret":
            plan.secrets.append(logical_id)
        elif kind == "AWS::SNS::Topic":
            plan.topics.append(logical_id)
        elif kind == "AWS::SNS::Subscription" and props["Protocol"] == "email":
            continue  # a person's mailbox (the alarms): SNS mails them in AWS, not locally
        elif kind == "AWS::CloudFront::Distribution":
            plan.distributions[logical_id] = list(
                props["DistributionConfig"].get("Aliases", []))
        elif kind == "AWS::SNS::Subscription":
            plan.subscriptions.append((
                _logical_of(props["TopicArn"]), props["Protocol"],
                function_of(props["Endpoint"]), bool(props.get("RawMessageDelivery", False)),
            ))
        elif kind == "AWS::SES::ConfigurationSetEventDestination":
            destination = props["EventDestination"]
            topic = destination.get("SnsDestination", {}).get("TopicARN")
            if topic is not None:
                plan.event_destinations.append(
                    (_logical_of(topic), list(destination.get("MatchingEventTypes", []))))
        elif kind == "AWS::KMS::Alias":
            plan.aliases.append((props["AliasName"], _logical_of(props["TargetKeyId"])))
        elif kind == "AWS::SES::EmailIdentity":
            plan.identities.append(props["EmailIdentity"])
        elif kind == "AWS::SES::ConfigurationSet":
            plan.configuration_sets.append(logical_id)
        elif kind == "AWS::SSM::Parameter":
            plan.parameters.append((props["Name"], props["Value"]))
        elif kind == "AWS::Lambda::Function":
            plan.functions[logical_id] = Function(
                logical_id=logical_id,
                handler=props["Handler"],
                environment=props.get("Environment", {}).get("Variables", {}),
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                path=resource.get("Metadata", {}).get("aws:cdk:path", logical_id),
                deploy_only=logical_id in custom_resource_functions,
                snap_start=props.get("SnapStart", {}).get("ApplyOn") == "PublishedVersions",
            )
        elif kind == "AWS::Lambda::EventSourceMapping":
            source = _logical_of(props["EventSourceArn"])
            source_type = resources[source]["Type"]
            on_failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            plan.event_sources.append(EventSource(
                logical_id=logical_id,
                function=function_of(props["FunctionName"]),
                source=source,
                kind="sqs" if source_type == "AWS::SQS::Queue" else "dynamodb",
                batch_size=int(props.get("BatchSize", 10 if source_type == "AWS::SQS::Queue"
                                         else 100)),
                report_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                enabled=bool(props.get("Enabled", True)),
                max_retries=int(props.get("MaximumRetryAttempts", -1)),
                on_failure=_logical_of(on_failure) if on_failure else None,
                concurrency=int(props.get("ScalingConfig", {}).get("MaximumConcurrency", 1)),
                filters=_filters(logical_id, props, source_type),
            ))
        elif kind == "AWS::Scheduler::Schedule":
            target = props["Target"]
            target_id = function_of(target["Arn"])
            target_kind = resources[target_id]["Type"]
            plan.schedules.append(Schedule(
                logical_id=logical_id,
                name=props.get("Name", logical_id),
                expression=props["ScheduleExpression"],
                timezone=props.get("ScheduleExpressionTimezone", "UTC"),
                target=target_id,
                target_kind="function" if target_kind == "AWS::Lambda::Function" else "queue",
                input=target.get("Input"),
                enabled=props.get("State", "ENABLED") == "ENABLED",
            ))
        elif kind == "AWS::Cognito::UserPool":
            plan.user_pools.append((logical_id, props))
        elif kind == "AWS::Cognito::UserPoolClient":
            plan.user_pool_clients.append((logical_id, props))
        elif kind == "AWS::Cognito::UserPoolGroup":
            plan.user_pool_groups.append((logical_id, props))
        elif kind == "AWS::ApiGateway::Authorizer":
            if props.get("Type") != "COGNITO_USER_POOLS":
                raise UnsupportedResource("only Cognito user pools authorizers are emulated")
            source = str(props.get("IdentitySource", "method.request.header.Authorization"))
            plan.authorizers[logical_id] = Authorizer(
                logical_id, tuple(_logical_of(arn) for arn in props["ProviderARNs"]),
                source.removeprefix("method.request.header."))
        elif kind == "AWS::ApiGateway::GatewayResponse":
            templates = props.get("ResponseTemplates", {})
            plan.gateway_responses[props["ResponseType"]] = GatewayResponse(
                response_type=props["ResponseType"],
                status=int(props.get("StatusCode", 500)),
                body=templates.get("application/json", "{}"),
            )

    paths = _resource_paths(resources)
    for resource in resources.values():
        if resource["Type"] != "AWS::ApiGateway::Method":
            continue
        props = resource["Properties"]
        integration = props.get("Integration", {})
        if integration.get("Type") != "AWS_PROXY":
            raise UnsupportedResource("only Lambda proxy integrations are emulated")
        resource_id = props["ResourceId"]
        path = paths[_logical_of(resource_id)] if "Ref" in resource_id else "/"
        authorizer = None
        if props.get("AuthorizationType", "NONE") not in ("NONE", "COGNITO_USER_POOLS"):
            raise UnsupportedResource(f"authorization {props['AuthorizationType']} is not emulated")
        if props.get("AuthorizationType") == "COGNITO_USER_POOLS":
            authorizer = _logical_of(props["AuthorizerId"])
        plan.routes.append(Route(props["HttpMethod"], path, function_of(integration["Uri"]),
                                 authorizer))
    return plan


def _resource_paths(resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    parents = {
        logical_id: (r["Properties"]["ParentId"], r["Properties"]["PathPart"])
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::ApiGateway::Resource"
    }

    def path_of(logical_id: str) -> str:
        parent, part = parents[logical_id]
        prefix = ""
        if isinstance(parent, dict) and "Ref" in parent:
            prefix = path_of(parent["Ref"])
        return f"{prefix}/{part}"

    return {logical_id: path_of(logical_id) for logical_id in parents}
