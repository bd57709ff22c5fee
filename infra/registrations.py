"""Forum registration: the registrations table and its stream, the signing secret for links,
the public API function, the consumer that turns each change into its email (with a
dead-letter queue and an alarm), and the daily reminder schedule."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.api import PublicApi
from infra.config import DeployConfig
from infra.email import Email
from infra.forums import ForumsCatalogue
from infra.function import FunctionRuntime, PythonFunction
from shared.names import (
    ENV_FORUMS_TABLE,
    ENV_PUBLIC_URL,
    ENV_REGISTRATIONS_TABLE,
    ENV_REMINDER_DAYS,
    ENV_RETENTION_DAYS,
    ENV_SIGNING_SECRET,
    PARAM_REGISTRATIONS_TABLE,
    SCHEDULE_REMINDERS,
    SERVICE_REGISTRATION_EVENTS,
    SERVICE_REGISTRATIONS_API,
    SERVICE_REMINDERS,
)


class ForumRegistration(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 runtime: FunctionRuntime, api: PublicApi, catalogue: ForumsCatalogue,
                 email: Email, alarms: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self, "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute="expires_at",
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.secret = secretsmanager.Secret(
            self, "SigningSecret",
            description="Signs the links in registration emails (cancellation)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True),
        )
        environment = {
            ENV_FORUMS_TABLE: catalogue.table.table_name,
            ENV_REGISTRATIONS_TABLE: self.table.table_name,
            ENV_SIGNING_SECRET: self.secret.secret_arn,
            ENV_PUBLIC_URL: config.public_url,
            ENV_REMINDER_DAYS: str(config.reminder_days_before),
            ENV_RETENTION_DAYS: str(config.registration_retention_days),
            **email.environment,
        }

        self.api_function = PythonFunction(
            self, "Api", runtime=runtime, service=SERVICE_REGISTRATIONS_API,
            handler="functions.registrations_api.handler.lambda_handler",
            description="Registration and cancellation for forum sessions",
            environment=environment,
        )
        self.table.grant_read_write_data(self.api_function.function)
        catalogue.table.grant_read_write_data(self.api_function.function)
        self.secret.grant_read(self.api_function.function)
        api.route("POST", "registrations", self.api_function.function)
        api.route("POST", "registrations/cancel", self.api_function.function)

        self.events_function = PythonFunction(
            self, "Events", runtime=runtime, service=SERVICE_REGISTRATION_EVENTS,
            handler="functions.registration_events.handler.lambda_handler",
            description="Sends the email each change of a registration calls for",
            environment=environment, timeout=Duration.seconds(30),
        )
        self.table.grant_read_write_data(self.events_function.function)
        catalogue.table.grant_read_data(self.events_function.function)
        self.secret.grant_read(self.events_function.function)
        email.grant_send(self.events_function.function)
        self.dead_letters = sqs.Queue(
            self, "EventsDeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.events_function.function.add_event_source(sources.DynamoEventSource(
            self.table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=10,
            bisect_batch_on_error=True,
            retry_attempts=5,
            report_batch_item_failures=True,
            on_failure=sources.SqsDlq(self.dead_letters),
        ))
        alarm = cloudwatch.Alarm(
            self, "EventsDeadLettersAlarm",
            alarm_description="A registration change could not be turned into its email",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5)),
            threshold=1, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(alarms))

        self.reminders_function = PythonFunction(
            self, "Reminders", runtime=runtime, service=SERVICE_REMINDERS,
            handler="functions.reminders.handler.lambda_handler",
            description="Daily reminders to confirmed participants",
            environment=environment, timeout=Duration.minutes(5),
        )
        self.table.grant_read_write_data(self.reminders_function.function)
        catalogue.table.grant_read_data(self.reminders_function.function)
        self.secret.grant_read(self.reminders_function.function)
        email.grant_send(self.reminders_function.function)
        invoke = iam.Role(self, "ScheduleRole",
                          assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
                          description="Lets the reminder schedule invoke its function")
        self.reminders_function.function.grant_invoke(invoke)
        scheduler.CfnSchedule(
            self, "ReminderSchedule",
            name=SCHEDULE_REMINDERS,
            description="Forum reminders, every morning",
            schedule_expression=config.reminder_schedule,
            schedule_expression_timezone="Europe/Copenhagen",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.reminders_function.function.function_arn,
                role_arn=invoke.role_arn,
                input='{"job": "forum-reminders"}',
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=3),
            ),
        )
        ssm.StringParameter(
            self, "TableParameter", parameter_name=PARAM_REGISTRATIONS_TABLE,
            string_value=self.table.table_name,
            description="Forum registrations table, for the operator CLI",
        )
        self.stack = Stack.of(self)
