"""Forum registration: the registrations table and its stream, the signing secret for links,
the public API function, the consumer that turns each change into its email (with a
dead-letter queue and an alarm), and the daily reminder schedule."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
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
from infra.parts import dead_letter_alarm, product_table, schedule, schedule_role
from shared.names import (
    ENV_FORUMS_TABLE,
    ENV_PUBLIC_URL,
    ENV_REGISTRATION_LINK_HOURS,
    ENV_REGISTRATION_MAIL_INTERVAL,
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
                 email: Email, alarms: sns.ITopic, link_base: str) -> None:
        super().__init__(scope, construct_id)
        self.table = product_table(self, stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
                                   ttl="expires_at")
        self.secret = secretsmanager.Secret(
            self, "SigningSecret",
            description="Signs the links in registration emails (cancellation)",
            # Kept with the table it keys: registration ids derive from it (erasure by email).
            removal_policy=RemovalPolicy.RETAIN,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True),
        )
        environment = {
            ENV_FORUMS_TABLE: catalogue.table.table_name,
            ENV_REGISTRATIONS_TABLE: self.table.table_name,
            ENV_SIGNING_SECRET: self.secret.secret_arn,
            ENV_PUBLIC_URL: link_base,  # the origin the distribution serves
            ENV_REMINDER_DAYS: str(config.reminder_days_before),
            ENV_RETENTION_DAYS: str(config.registration_retention_days),
            ENV_REGISTRATION_LINK_HOURS: str(config.registration_confirm_link_hours),
            ENV_REGISTRATION_MAIL_INTERVAL: str(config.registration_mail_interval_minutes),
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
        api.route("POST", "registrations/confirm", self.api_function.function)
        api.route("POST", "registrations/cancel", self.api_function.function)
        api.route("GET", "registrations/cancel", self.api_function.function)

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
        dead_letter_alarm(self, "EventsDeadLettersAlarm", self.dead_letters,
                          "A registration change could not be turned into its email", alarms)

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
        invoke = schedule_role(self, self.reminders_function.function,
                               "Lets the reminder schedule invoke its function")
        schedule(self, "ReminderSchedule", name=SCHEDULE_REMINDERS,
                 description="Forum reminders, every morning",
                 expression=config.reminder_schedule, function=self.reminders_function.function,
                 role=invoke, job="forum-reminders")
        ssm.StringParameter(
            self, "TableParameter", parameter_name=PARAM_REGISTRATIONS_TABLE,
            string_value=self.table.table_name,
            description="Forum registrations table, for the operator CLI",
        )
        self.stack = Stack.of(self)
