"""Pieces every capability builds the same way: its table and the grants on it, the alarm on a
dead-letter queue, and a schedule that invokes one of its functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

if TYPE_CHECKING:
    from infra.function import PythonFunction

TIME_ZONE = "Europe/Copenhagen"
# Every schedule of the stack hands an invocation it could not deliver to this queue.
SCHEDULE_DEAD_LETTERS = "ScheduleDeadLetters"


def capability_table(scope: Construct, *, stream: dynamodb.StreamViewType | None = None,
                  ttl: str | None = None) -> dynamodb.Table:
    """A capability's own table: `pk`/`sk` strings, on demand, point-in-time recovery, kept
    when the stack goes."""
    return dynamodb.Table(
        scope, "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True),
        stream=stream,
        time_to_live_attribute=ttl,
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
    )


def grant_items(table: dynamodb.ITable, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
    """Exactly these item actions (`GetItem`, `Query`, …) on the table and its indexes. A
    transaction needs no action of its own: each of its parts is allowed by PutItem,
    UpdateItem, DeleteItem or ConditionCheckItem (DynamoDB Developer Guide, "Using IAM with
    DynamoDB transactions")."""
    return table.grant(grantee, *(f"dynamodb:{action}" for action in actions))


def dead_letter_alarm(scope: Construct, construct_id: str, queue: sqs.IQueue,
                      description: str, topic: sns.ITopic) -> cloudwatch.Alarm:
    """Any message in the dead-letter queue alarms the secretariat's topic."""
    alarm = cloudwatch.Alarm(
        scope, construct_id, alarm_description=description,
        metric=queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
        threshold=1, evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm.add_alarm_action(actions.SnsAction(topic))
    return alarm


def schedule_role(scope: Construct, function: PythonFunction, description: str) -> iam.Role:
    """The role EventBridge Scheduler assumes to invoke this one function, only on behalf of
    schedules in this account (aws:SourceAccount, against the confused deputy)."""
    role = iam.Role(scope, "ScheduleRole",
                    assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com").with_conditions(
                        {"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}),
                    description=description)
    function.target.grant_invoke(role)
    return role


def schedule_dead_letters(stack: Stack, topic: sns.ITopic) -> sqs.Queue:
    """The stack's one dead-letter queue for schedules (a standard queue: Scheduler takes no
    FIFO queue), with an alarm on any message."""
    queue = sqs.Queue(stack, SCHEDULE_DEAD_LETTERS, retention_period=Duration.days(14),
                      encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
    dead_letter_alarm(stack, f"{SCHEDULE_DEAD_LETTERS}Alarm", queue,
                      "A schedule could not invoke its function", topic)
    return queue


def schedule(scope: Construct, construct_id: str, *, name: str, description: str,
             expression: str, function: PythonFunction, role: iam.IRole,
             job: str) -> scheduler.CfnSchedule:
    """A schedule in Copenhagen time that invokes `function` with `{"job": job}`; what it cannot
    deliver after its retries goes to the stack's schedule dead-letter queue."""
    dead_letters = Stack.of(scope).node.find_child(SCHEDULE_DEAD_LETTERS)
    assert isinstance(dead_letters, sqs.Queue)
    dead_letters.grant_send_messages(role)
    return scheduler.CfnSchedule(
        scope, construct_id, name=name, description=description,
        schedule_expression=expression, schedule_expression_timezone=TIME_ZONE,
        flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
        target=scheduler.CfnSchedule.TargetProperty(
            arn=function.target.function_arn, role_arn=role.role_arn, input=f'{{"job": "{job}"}}',
            retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=3),
            dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                arn=dead_letters.queue_arn)),
    )


# What the account's administrators may do with a key whose use is reserved to named roles:
# manage it, never use it. No kms:Decrypt, Encrypt, GenerateDataKey*, ReEncrypt*, and no
# kms:CreateGrant (a grant would let an administrator hand themselves decryption).
KEY_ADMINISTRATION = [
    "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases",
    "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:ListKeyRotations",
    "kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:EnableKey", "kms:DisableKey",
    "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:RotateKeyOnDemand",
    "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:RevokeGrant",
    "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
]


class ReservedKey(kms.Key):
    """A customer-managed key the account can manage (so it never becomes unmanageable, and
    CloudFormation can update it) but not use: each use is granted to a named principal in the
    key policy itself, since the policy delegates nothing to the account's IAM policies."""

    def __init__(self, scope: Construct, construct_id: str, *, description: str) -> None:
        super().__init__(
            scope, construct_id, description=description, enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
            policy=iam.PolicyDocument(statements=[iam.PolicyStatement(
                sid="AccountAdministersButCannotUse",
                principals=[iam.AccountRootPrincipal()], actions=KEY_ADMINISTRATION,
                resources=["*"],
            )]),
        )

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        self.add_to_resource_policy(iam.PolicyStatement(
            principals=[grantee.grant_principal], actions=list(actions), resources=["*"]))
        return super().grant(grantee, *actions)
