"""Forum registration: the registrations table and its stream, the signing secret for links,
the public API function, the consumer that turns each change into its email (with a
dead-letter queue and an alarm), and the daily reminder schedule."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
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
from infra.parts import (
    capability_table,
    dead_letter_alarm,
    grant_items,
    schedule,
    schedule_role,
)
from shared.forums.registration.email_kinds import followed_records
from shared.platform.names import (
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

# The kinds of item on the registrations table whose changes can call for an email, as the
# table of emails says (shared.forums.registration.email_kinds); the store's decoding passes
# over the rest as well.
EMAILED_KINDS = tuple(followed_records())


class ForumRegistration(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 runtime: FunctionRuntime, api: PublicApi, catalogue: ForumsCatalogue,
                 email: Email, alarms: sns.ITopic, link_base: str) -> None:
        super().__init__(scope, construct_id)
        self.table = capability_table(self, stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
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
        # Forms, links and cancellations: reads, the submission's put, and the transactions
        # that place or cancel (a registration written whole, the submission deleted, the
        # session's seats and waiting list updated on the catalogue).
        # (Query: a link's landing page and press read the address's submissions.)
        grant_items(self.table, self.api_function.function,
                    "GetItem", "Query", "PutItem", "DeleteItem")
        grant_items(catalogue.table, self.api_function.function, "GetItem", "UpdateItem")
        self.secret.grant_read(self.api_function.function)
        api.route("POST", "registrations", self.api_function)
        api.route("GET", "registrations/confirm", self.api_function)
        api.route("POST", "registrations/confirm", self.api_function)
        api.route("POST", "registrations/discard", self.api_function)
        api.route("POST", "registrations/cancel", self.api_function)
        api.route("GET", "registrations/cancel", self.api_function)

        self.events_function = PythonFunction(
            self, "Events", runtime=runtime, service=SERVICE_REGISTRATION_EVENTS,
            handler="functions.registration_events.handler.lambda_handler",
            description="Sends the email each change of a registration calls for",
            environment=environment, timeout=Duration.seconds(30),
        )
        # Reads what an email says; the ledger and the mail gate are put and deleted.
        grant_items(self.table, self.events_function.function, "GetItem", "PutItem", "DeleteItem")
        grant_items(catalogue.table, self.events_function.function, "GetItem")
        self.secret.grant_read(self.events_function.function)
        email.grant_send(self.events_function.function)
        self.dead_letters = sqs.Queue(
            self, "EventsDeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.events_function.add_event_source(sources.DynamoEventSource(
            self.table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=10,
            bisect_batch_on_error=True,
            retry_attempts=5,
            report_batch_item_failures=True,
            on_failure=sources.SqsDlq(self.dead_letters),
            # Only a registration or a submission can call for an email: the ledger's and the
            # mail gate's items never invoke the function (Lambda drops a record no filter
            # matches, and a removal, which has no new image, matches none).
            filters=[lambda_.FilterCriteria.filter({"dynamodb": {"NewImage": {
                "kind": {"S": lambda_.FilterRule.or_(*EMAILED_KINDS)}}}})],
        ))
        dead_letter_alarm(self, "EventsDeadLettersAlarm", self.dead_letters,
                          "A registration change could not be turned into its email", alarms)

        self.reminders_function = PythonFunction(
            self, "Reminders", runtime=runtime, service=SERVICE_REMINDERS,
            handler="functions.reminders.handler.lambda_handler",
            description="Daily reminders to confirmed participants",
            environment=environment, timeout=Duration.minutes(5),
        )
        # Every session (a scan of the catalogue), its participants (a query), and the
        # ledger's claims as the events function makes them.
        grant_items(self.table, self.reminders_function.function,
                    "Query", "GetItem", "PutItem", "DeleteItem")
        grant_items(catalogue.table, self.reminders_function.function, "Scan", "GetItem")
        self.secret.grant_read(self.reminders_function.function)
        email.grant_send(self.reminders_function.function)
        invoke = schedule_role(self, self.reminders_function,
                               "Lets the reminder schedule invoke its function")
        schedule(self, "ReminderSchedule", name=SCHEDULE_REMINDERS,
                 description="Forum reminders, every morning",
                 expression=config.reminder_schedule, function=self.reminders_function,
                 role=invoke, job="forum-reminders")
        ssm.StringParameter(
            self, "TableParameter", parameter_name=PARAM_REGISTRATIONS_TABLE,
            string_value=self.table.table_name,
            description="Forum registrations table, for the operator CLI",
        )
