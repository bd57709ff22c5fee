"""A Python Lambda function as every capability uses it: python3.13 on arm64, the shared code
and dependencies layer, JSON logs in its own log group, X-Ray, and a role of its own that may
only write its own logs until the capability grants it more.

SnapStart (`snap_start` in the configuration, by service name) is off unless named: a
function with it publishes a version on every change of code or configuration and is invoked
through its alias `live`, so every trigger (API route, queue, stream, schedule) targets
`target`, never the function itself ($LATEST has no snapshot)."""

from __future__ import annotations

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.assets import dependencies_layer_dir, function_code_dir
from shared.platform.names import METRICS_NAMESPACE


class FunctionRuntime(Construct):
    """The code asset and the dependencies layer, built once and shared by every function."""

    def __init__(self, scope: Construct, construct_id: str, *, log_retention_days: int,
                 snap_start: tuple[str, ...] = ()) -> None:
        super().__init__(scope, construct_id)
        self.snap_start = frozenset(snap_start)  # the services restored from a snapshot
        self.code = lambda_.Code.from_asset(str(function_code_dir()))
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(dependencies_layer_dir())),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Run-time dependencies of the functions (pyproject [project] dependencies)",
        )
        self.log_retention = retention(log_retention_days)


class PythonFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        handler: str,
        service: str,
        description: str,
        environment: dict[str, str] | None = None,
        timeout: Duration | None = None,
        memory_size: int = 512,
    ) -> None:
        super().__init__(scope, construct_id)
        self.service = service
        snapshot = service in runtime.snap_start
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=runtime.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the {service} function",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn, f"{self.log_group.log_group_arn}:*"],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            code=runtime.code,
            handler=handler,
            layers=[runtime.layer],
            role=self.role,
            description=description,
            memory_size=memory_size,
            timeout=timeout or Duration.seconds(10),
            tracing=lambda_.Tracing.ACTIVE,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snapshot else None,
            # Each cached snapshot is paid for while its version exists: a deployment that
            # publishes a new version deletes the one before.
            current_version_options=lambda_.VersionOptions(
                removal_policy=RemovalPolicy.DESTROY) if snapshot else None,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            environment={
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                # No pydantic plugins are used: skips their search through every installed
                # distribution's entry points on the first model built (cold starts).
                "PYDANTIC_DISABLE_PLUGINS": "__all__",
                **(environment or {}),
            },
        )
        # What triggers invoke: the alias of the published version with SnapStart, else the
        # function ($LATEST).
        self.target: lambda_.IFunction = lambda_.Alias(
            self, "Live", alias_name="live", version=self.function.current_version,
            description="The published version, restored from its snapshot (SnapStart)",
        ) if snapshot else self.function
        if snapshot:  # CDK warns of every SnapStart function; this one is published (above)
            Annotations.of(self.function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Published as its current version, which the alias `live` invokes")

    def add_event_source(self, source: lambda_.IEventSource) -> None:
        """A queue or stream that invokes the function (through its alias with SnapStart)."""
        self.target.add_event_source(source)


_RETENTION = {
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def retention(days: int) -> logs.RetentionDays:
    """The log retention of `log_retention_days`."""
    return _RETENTION[days]
