"""The newsletter: its table (subscribers, issues, the send ledger), the public API function
(which serves the archive of sent issues too),
the confirmation emails sent from a queue apart from the signup request, the dispatcher fired
by the recurring schedule and an hourly check for issues with their own send time (and
from a queue by the editor's "send now"), the fan-out queue and its sender (within SES's
sending rate), and the bounce and complaint feedback from the SES configuration set through
SNS to a queue. Every queue has a dead-letter queue with an alarm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.api import PublicApi
from infra.config import DeployConfig
from infra.email import Email
from infra.function import FunctionRuntime, PythonFunction
from infra.parts import (
    capability_table,
    dead_letter_alarm,
    grant_items,
    schedule,
    schedule_role,
)
from shared.platform.names import (
    ENV_CONFIRM_INTERVAL,
    ENV_CONFIRM_QUEUE,
    ENV_DISPATCH_QUEUE,
    ENV_MAX_SEND_RATE,
    ENV_NEWSLETTER_SCHEDULE,
    ENV_NEWSLETTER_TABLE,
    ENV_PUBLIC_URL,
    ENV_SEND_QUEUE,
    ENV_SIGNING_SECRET,
    INDEX_ACTIVE_SUBSCRIBERS,
    INDEX_ISSUES,
    ISSUE_LIST,
    JOB_NEWSLETTER_DUE,
    JOB_NEWSLETTER_SCHEDULED,
    PARAM_NEWSLETTER_SETTINGS,
    SCHEDULE_NEWSLETTER,
    SCHEDULE_NEWSLETTER_DUE,
    SERVICE_NEWSLETTER_API,
    SERVICE_NEWSLETTER_CONFIRMATIONS,
    SERVICE_NEWSLETTER_DISPATCH,
    SERVICE_NEWSLETTER_FEEDBACK,
    SERVICE_NEWSLETTER_SENDER,
    SERVICE_STAFF_NEWSLETTER,
)

if TYPE_CHECKING:
    from infra.staff import StaffConsole

SENDER_CONCURRENCY = 2
# The editor's routes below /api (the handler checks the `editor` group on each).
EDITOR_ROUTES = (
    ("GET", "staff/newsletter/issues"),
    ("GET", "staff/newsletter/issues/{issue_id}"),
    ("PUT", "staff/newsletter/issues/{issue_id}"),
    ("POST", "staff/newsletter/preview"),
    ("POST", "staff/newsletter/issues/{issue_id}/test"),
    ("POST", "staff/newsletter/issues/{issue_id}/approve"),
    ("POST", "staff/newsletter/issues/{issue_id}/withdraw"),
    ("DELETE", "staff/newsletter/issues/{issue_id}"),
    ("POST", "staff/newsletter/issues/{issue_id}/duplicate"),
    ("POST", "staff/newsletter/issues/{issue_id}/send-now"),
    ("PUT", "staff/newsletter/issues/{issue_id}/archive"),
)
# The public archive's pages and feed, served by the public function at the site's own paths
# (not below /api): CloudFront sends ARCHIVE_PATH to the API (infra/pages.py).
ARCHIVE_ROUTES = (
    ("GET", "nyhedsbrev/arkiv"),
    ("GET", "nyhedsbrev/arkiv/atom.xml"),
    ("GET", "nyhedsbrev/arkiv/{issue_id}"),
)
# What shared.newsletter.editor calls on the table: the issues found by their index and read
# (the list, and where each waits for the schedule), one read, a draft put, approval and
# withdrawal as conditional updates, a draft's conditional delete; the subscribers counted
# (a query of the Active index).
EDITOR_TABLE_ACTIONS = ("Query", "BatchGetItem", "GetItem", "PutItem", "UpdateItem",
                        "DeleteItem")
DISPATCHER_TIMEOUT = Duration.minutes(10)
# The editor's subscriber list (shared.newsletter.subscribers): searched, added by hand,
# unsubscribed, the union's list imported.
SUBSCRIBER_ROUTES = (
    ("GET", "staff/newsletter/subscribers"),
    ("POST", "staff/newsletter/subscribers"),
    ("POST", "staff/newsletter/subscribers/unsubscribe"),
    ("POST", "staff/newsletter/subscribers/import"),
)
# The search scans the subscriber items; standing read in batches; each address added in a
# transaction (its markers checked, its item put); unsubscribe and invitation updates.
SUBSCRIBER_TABLE_ACTIONS = ("Scan", "BatchGetItem", "GetItem", "PutItem", "UpdateItem",
                            "ConditionCheckItem")
SENDER_TIMEOUT = Duration.minutes(2)


class Newsletter(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 runtime: FunctionRuntime, api: PublicApi, email: Email,
                 alarms: sns.ITopic, link_base: str) -> None:
        super().__init__(scope, construct_id)
        self._alarms = alarms
        self._runtime, self._email, self._link_base = runtime, email, link_base
        # Unconfirmed signups, subscribers who left, and the send ledger expire (TTL).
        self.table = capability_table(self, ttl="expires_at")
        self.table.add_global_secondary_index(
            index_name=INDEX_ACTIVE_SUBSCRIBERS,
            partition_key=dynamodb.Attribute(name="active", type=dynamodb.AttributeType.NUMBER),
            sort_key=dynamodb.Attribute(name="subscriber_id",
                                        type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # The issues, in one partition of their own (keys only): what the dispatcher and the
        # editor list without reading the subscribers or the ledger.
        self.table.add_global_secondary_index(
            index_name=INDEX_ISSUES,
            partition_key=dynamodb.Attribute(name=ISSUE_LIST, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.KEYS_ONLY,
        )
        self.secret = secretsmanager.Secret(
            self, "SigningSecret",
            description="Signs newsletter confirmation and unsubscribe links",
            # Kept with the table it keys: subscriber ids are keyed hashes of the address.
            removal_policy=RemovalPolicy.RETAIN,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True),
        )
        # Lambda asks for a visibility timeout of at least six times the consumer's timeout.
        self.send_queue, self.send_dlq = self._queue(
            "Send", Duration.seconds(6 * SENDER_TIMEOUT.to_seconds()))
        self.feedback_queue, self.feedback_dlq = self._queue("Feedback", Duration.seconds(60))
        # Signups ask here for their confirmation email, sent apart from the request.
        self.confirm_queue, self.confirm_dlq = self._queue("Confirm", Duration.seconds(60))
        # The editor's "send now" asks the dispatcher here (the hourly run is the fallback).
        self.dispatch_queue, self.dispatch_dlq = self._queue(
            "Dispatch", Duration.seconds(6 * DISPATCHER_TIMEOUT.to_seconds()))

        environment = {
            ENV_NEWSLETTER_TABLE: self.table.table_name,
            ENV_SEND_QUEUE: self.send_queue.queue_url,
            ENV_SIGNING_SECRET: self.secret.secret_arn,
            ENV_PUBLIC_URL: link_base,  # the origin the distribution serves
            ENV_MAX_SEND_RATE: str(config.ses_max_send_rate / SENDER_CONCURRENCY),
            ENV_CONFIRM_QUEUE: self.confirm_queue.queue_url,
            ENV_CONFIRM_INTERVAL: str(config.newsletter_confirm_interval_minutes),
            ENV_NEWSLETTER_SCHEDULE: config.newsletter_schedule,
            **email.environment,
        }
        self._schedule_expression = config.newsletter_schedule

        def function(name: str, handler: str, service: str, description: str,
                     actions: tuple[str, ...], timeout: Duration | None = None) -> PythonFunction:
            """A newsletter function allowed exactly `actions` on the table (what its part of
            shared.adapters.dynamodb_newsletter calls)."""
            made = PythonFunction(self, name, runtime=runtime, service=service,
                                  handler=f"functions.{handler}.handler.lambda_handler",
                                  description=description, environment=environment,
                                  timeout=timeout)
            grant_items(self.table, made.function, *actions)
            self.secret.grant_read(made.function)
            return made

        self.api_function = function("Api", "newsletter_api", SERVICE_NEWSLETTER_API,
                                     "Newsletter signup, confirmation and unsubscribe; "
                                     "the archive",
                                     # signup put; suppression read; confirm, leave, count
                                     # (a transaction of updates); the archive's issues
                                     # found by their index and read
                                     ("PutItem", "GetItem", "UpdateItem", "Query",
                                      "BatchGetItem"))
        self.confirm_queue.grant_send_messages(self.api_function.function)
        for path in ("newsletter/subscriptions", "newsletter/confirm", "newsletter/unsubscribe"):
            api.route("POST", path, self.api_function)
        # The List-Unsubscribe URL opened in a browser leads to the page for its token.
        api.route("GET", "newsletter/unsubscribe", self.api_function)
        for method, path in ARCHIVE_ROUTES:
            api.site_route(method, path, self.api_function)

        self.dispatcher = function("Dispatch", "newsletter_dispatch", SERVICE_NEWSLETTER_DISPATCH,
                                   "Snapshots the subscribers of an issue and fans them out",
                                   # issues found by their index and read, subscribers and
                                   # ledger queried, the ledger's entries put, the issue's
                                   # progress updated; nothing scanned
                                   ("GetItem", "BatchGetItem", "Query", "PutItem",
                                    "UpdateItem"),
                                   timeout=DISPATCHER_TIMEOUT)
        self.send_queue.grant_send_messages(self.dispatcher.function)
        self.dispatcher.add_event_source(sources.SqsEventSource(
            self.dispatch_queue, batch_size=1, report_batch_item_failures=True))
        self._schedules(config)

        self.sender = function("Sender", "newsletter_sender", SERVICE_NEWSLETTER_SENDER,
                               "Sends each subscriber their copy, once, within the send rate",
                               # issue and subscriber read; the copy claimed, finished,
                               # counted; the last copy's issue marked sent with the totals
                               # of its ledger (queried)
                               ("GetItem", "UpdateItem", "Query"), timeout=SENDER_TIMEOUT)
        email.grant_send(self.sender.function)
        self.sender.add_event_source(sources.SqsEventSource(
            self.send_queue, batch_size=5, report_batch_item_failures=True,
            max_concurrency=SENDER_CONCURRENCY))

        self.confirmations = function(
            "Confirmations", "newsletter_confirmations", SERVICE_NEWSLETTER_CONFIRMATIONS,
            "Sends a signup its confirmation email, one per address per interval",
            ("GetItem", "PutItem", "DeleteItem"))  # subscriber read; the mail gate put/deleted
        email.grant_send(self.confirmations.function)
        # As many at once as the issue's senders, each at its share of the sending rate: an
        # import's thousands of invitations go out within SES's rate.
        self.confirmations.add_event_source(sources.SqsEventSource(
            self.confirm_queue, batch_size=10, report_batch_item_failures=True,
            max_concurrency=SENDER_CONCURRENCY))

        self.feedback = function("Feedback", "newsletter_feedback", SERVICE_NEWSLETTER_FEEDBACK,
                                 "Suppresses addresses that bounce permanently or complain",
                                 ("PutItem", "UpdateItem"))  # the marker put; leave and count
        self.feedback.add_event_source(sources.SqsEventSource(
            self.feedback_queue, batch_size=10, report_batch_item_failures=True))
        self.events_topic = sns.Topic(self, "SesEvents", enforce_ssl=True,
                                      display_name="SES bounces and complaints")
        self.events_topic.add_subscription(subscriptions.SqsSubscription(self.feedback_queue))
        email.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(self.events_topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        ssm.StringParameter(
            self, "SettingsParameter", parameter_name=PARAM_NEWSLETTER_SETTINGS,
            string_value=Stack.of(self).to_json_string(environment),
            description="The newsletter functions' settings, for the editor's CLI")

    def add_console(self, staff: StaffConsole) -> PythonFunction:
        """The editor's area of the staff console: its own function, allowed exactly what the
        editor's flows call on the table (issues listed and read, a draft put, approval and
        withdrawal updated) and sending a test through SES, and the subscriber list's (see
        _add_subscriber_list). Its routes sit behind the staff's authorizer."""
        made = PythonFunction(
            self, "StaffConsole", runtime=self._runtime, service=SERVICE_STAFF_NEWSLETTER,
            handler="functions.staff_newsletter.handler.lambda_handler",
            description="The editor's area of the staff console: issues, preview, test, "
                        "approve, withdraw, delete, duplicate, send now",
            environment={ENV_NEWSLETTER_TABLE: self.table.table_name,
                         ENV_PUBLIC_URL: self._link_base,
                         ENV_NEWSLETTER_SCHEDULE: self._schedule_expression,
                         ENV_DISPATCH_QUEUE: self.dispatch_queue.queue_url,
                         **self._email.environment},
            timeout=Duration.seconds(29))
        grant_items(self.table, made.function, *EDITOR_TABLE_ACTIONS)
        self.dispatch_queue.grant_send_messages(made.function)
        self._email.grant_send(made.function)
        staff.add_routes(made, EDITOR_ROUTES)
        self._add_subscriber_list(made, staff)
        self.console_function = made
        return made

    def _add_subscriber_list(self, made: PythonFunction, staff: StaffConsole) -> None:
        """The editor's subscriber list on the console's function: the signing secret
        (subscriber ids are keyed hashes of the address) and the confirmation queue (an
        invitation's email goes from there, at the sending rate)."""
        made.function.add_environment(ENV_SIGNING_SECRET, self.secret.secret_arn)
        made.function.add_environment(ENV_CONFIRM_QUEUE, self.confirm_queue.queue_url)
        grant_items(self.table, made.function, *SUBSCRIBER_TABLE_ACTIONS)
        self.secret.grant_read(made.function)
        self.confirm_queue.grant_send_messages(made.function)
        staff.add_routes(made, SUBSCRIBER_ROUTES)

    def _queue(self, name: str, visibility: Duration) -> tuple[sqs.Queue, sqs.Queue]:
        dead = sqs.Queue(self, f"{name}DeadLetters", retention_period=Duration.days(14),
                         encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
        queue = sqs.Queue(self, f"{name}Queue", visibility_timeout=visibility,
                          retention_period=Duration.days(4),
                          encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
                          dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead))
        dead_letter_alarm(self, f"{name}DeadLettersAlarm", dead,
                          f"Newsletter {name.lower()} work ended in the dead-letter queue",
                          self._alarms)
        return queue, dead

    def _schedules(self, config: DeployConfig) -> None:
        invoke = schedule_role(self, self.dispatcher,
                               "Lets the newsletter schedules invoke the dispatcher")
        for construct_id, name, expression, job, description in (
            ("Schedule", SCHEDULE_NEWSLETTER, config.newsletter_schedule,
             JOB_NEWSLETTER_SCHEDULED,
             "Sends the next issue approved for the schedule, about every second month"),
            ("DueSchedule", SCHEDULE_NEWSLETTER_DUE, "cron(5 * * * ? *)", JOB_NEWSLETTER_DUE,
             "Sends approved issues whose own send time has come; carries on sending"),
        ):
            schedule(self, construct_id, name=name, description=description,
                     expression=expression, function=self.dispatcher, role=invoke, job=job)
