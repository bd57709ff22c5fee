"""Advisory requests and ideas: contents sealed under a customer-managed key that only the
consultant's role may decrypt, a table and two FIFO queues (urgent, normal) encrypted at rest
with a second customer-managed key, a dead-letter queue with an alarm, the intake function
(which may only encrypt), a daily job that queues again what waits long, the consultant's
role for the CLI, and the consultant's console function: with the role, the only principals
that may decrypt a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.api import PublicApi
from infra.config import DeployConfig
from infra.email import Email
from infra.function import FunctionRuntime, PythonFunction
from infra.parts import (
    ReservedKey,
    capability_table,
    dead_letter_alarm,
    grant_items,
    schedule,
    schedule_role,
)
from shared.platform.names import (
    ENV_ADVISORY_KEY,
    ENV_ADVISORY_LOOKUP_SECRET,
    ENV_ADVISORY_RETENTION,
    ENV_ADVISORY_TABLE,
    ENV_CONSULTANT_EMAIL,
    ENV_CONSULTANT_NAME,
    ENV_CONSULTANT_PHONE,
    ENV_CONSULTANT_REPLY_DAYS,
    ENV_NORMAL_QUEUE,
    ENV_PRIVACY_AUDIT_TABLE,
    ENV_PUBLIC_URL,
    ENV_URGENT_QUEUE,
    INDEX_FINISHED_REQUESTS,
    INDEX_OPEN_REQUESTS,
    INDEX_REQUESTS_BY_ADDRESS,
    METRICS_NAMESPACE,
    PARAM_ADVISORY_KEY,
    PARAM_ADVISORY_LOOKUP_SECRET,
    PARAM_ADVISORY_TABLE,
    PARAM_NORMAL_QUEUE,
    PARAM_URGENT_QUEUE,
    SCHEDULE_ADVISORY_REQUEUE,
    SERVICE_ADVISORY_INTAKE,
    SERVICE_ADVISORY_REQUEUE,
    SERVICE_STAFF_ADVISORY,
)

if TYPE_CHECKING:
    from infra.staff import StaffConsole

LEASE = Duration.minutes(30)
# The consultant's routes below /api (each also checks the group in the handler).
CONSULTANT_ROUTES = (
    ("GET", "staff/advisory"),
    ("POST", "staff/advisory/next"),
    ("GET", "staff/advisory/history"),
    ("GET", "staff/advisory/{reference}"),
    ("POST", "staff/advisory/{reference}/done"),
    ("POST", "staff/advisory/{reference}/release"),
    ("GET", "staff/advisory/mine"),
    ("POST", "staff/advisory/{reference}/extend"),
    ("POST", "staff/advisory/{reference}/waiting"),
    ("POST", "staff/advisory/{reference}/reopen"),
    ("POST", "staff/advisory/{reference}/link"),
    ("GET", "staff/advisory/{reference}/related"),
    ("POST", "staff/advisory/privacy/search"),
    ("POST", "staff/advisory/privacy/export"),
    ("POST", "staff/advisory/privacy/erase"),
    ("GET", "staff/advisory/privacy/cases"),
    ("POST", "staff/advisory/privacy/cases/{case}/contribute"),
)


class Advisory(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 runtime: FunctionRuntime, api: PublicApi, email: Email,
                 alarms: sns.ITopic, link_base: str) -> None:
        super().__init__(scope, construct_id)
        self._runtime = runtime
        self.content_key = ReservedKey(
            self, "ContentKey",
            description="Seals the contents of advisory requests; only the consultant decrypts",
        )
        # At rest the table and the queues are encrypted with AWS's own keys (DynamoDB's
        # AWS-managed key, SQS-managed SSE): what they hold in the clear is the reference, the
        # kind, times and keyed hashes; every text a person typed is sealed under the content
        # key above, which only the consultant may use. A second customer-managed key for the
        # storage would cost $1-3 a month and protect nothing personal.
        self.table = capability_table(self, ttl="expires_at")
        self.table.add_global_secondary_index(
            index_name=INDEX_OPEN_REQUESTS,
            partition_key=dynamodb.Attribute(name="open", type=dynamodb.AttributeType.NUMBER),
            sort_key=dynamodb.Attribute(name="received_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        self.table.add_global_secondary_index(
            index_name=INDEX_FINISHED_REQUESTS,
            partition_key=dynamodb.Attribute(name="finished",
                                             type=dynamodb.AttributeType.NUMBER),
            sort_key=dynamodb.Attribute(name="done_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # A data-protection request finds an address's requests (and its resubmission
        # records) by the keyed hash of the address: keys only, the request is read from the
        # table, so the sealed contents are not copied once more.
        self.table.add_global_secondary_index(
            index_name=INDEX_REQUESTS_BY_ADDRESS,
            partition_key=dynamodb.Attribute(name="address_key",
                                             type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.KEYS_ONLY,
        )
        # The keyed hashes of senders' addresses and of resubmitted forms are made under this
        # secret: without it neither leads back to an address or a text.
        self.lookup_secret = secretsmanager.Secret(
            self, "LookupSecret",
            description="Keys the hashes of advisory senders' addresses (lookup, mail gate)",
            # Kept with the table whose index keys derive from it.
            removal_policy=RemovalPolicy.RETAIN,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True),
        )
        self.dead_letters = sqs.Queue(
            self, "DeadLetters", fifo=True, retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queues = {
            urgent: sqs.Queue(
                self, "UrgentQueue" if urgent else "Queue", fifo=True,
                visibility_timeout=LEASE, retention_period=Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=20,
                                                      queue=self.dead_letters),
            )
            for urgent in (True, False)
        }
        dead_letter_alarm(self, "DeadLettersAlarm", self.dead_letters,
                          "An advisory request could not be handled and waits in the "
                          "dead-letter queue", alarms)

        environment = {
            ENV_ADVISORY_TABLE: self.table.table_name,
            ENV_ADVISORY_KEY: self.content_key.key_arn,
            ENV_URGENT_QUEUE: self.queues[True].queue_url,
            ENV_NORMAL_QUEUE: self.queues[False].queue_url,
            ENV_ADVISORY_RETENTION: str(config.advisory_retention_days),
            ENV_CONSULTANT_NAME: config.consultant_name,
            ENV_CONSULTANT_EMAIL: config.consultant_email,
            ENV_CONSULTANT_PHONE: config.consultant_phone,
            ENV_CONSULTANT_REPLY_DAYS: str(config.consultant_reply_days),
            ENV_ADVISORY_LOOKUP_SECRET: self.lookup_secret.secret_arn,
            ENV_PUBLIC_URL: link_base,  # the notice links to the staff console there
            **email.environment,
        }
        self.intake = PythonFunction(
            self, "Intake", runtime=runtime, service=SERVICE_ADVISORY_INTAKE,
            handler="functions.advisory_intake.handler.lambda_handler",
            description="Receives advisory requests and ideas, sealed and queued",
            environment=environment,
        )
        # Puts (a request and its resubmission record in one transaction, the receipts' mail
        # gate); reads only the resubmission records, to answer a resubmitted form with the
        # reference it got first.
        self.table.grant(self.intake.function, "dynamodb:PutItem")
        self.intake.function.add_to_role_policy(iam.PolicyStatement(
            actions=["dynamodb:GetItem"], resources=[self.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["RESUBMIT#*"]}},
        ))
        self.lookup_secret.grant_read(self.intake.function)
        for queue in self.queues.values():
            queue.grant_send_messages(self.intake.function)
        # Sealing needs a data key; nothing here may decrypt what it sealed.
        self.content_key.grant(self.intake.function, "kms:GenerateDataKey")
        email.grant_send(self.intake.function)
        api.route("POST", "advisory-requests", self.intake)

        self.requeue = PythonFunction(
            self, "Requeue", runtime=runtime, service=SERVICE_ADVISORY_REQUEUE,
            handler="functions.advisory_requeue.handler.lambda_handler",
            description="Queues again requests that wait long; reports the oldest's age",
            environment=environment, timeout=Duration.minutes(2),
        )
        # The open requests queried through their index, each requeued one marked (update).
        grant_items(self.table, self.requeue.function, "Query", "UpdateItem")
        for queue in self.queues.values():
            queue.grant_send_messages(self.requeue.function)
        invoke = schedule_role(self, self.requeue,
                               "Lets the advisory requeue schedule invoke its function")
        schedule(self, "RequeueSchedule", name=SCHEDULE_ADVISORY_REQUEUE,
                 description="Advisory requests that wait long are queued again, daily",
                 expression="cron(30 6 * * ? *)", function=self.requeue, role=invoke,
                 job="advisory-requeue")

        self.consultant_role = iam.Role(
            self, "ConsultantRole",
            # Only the configured principals of this account (the consultant's user or role).
            assumed_by=iam.AccountRootPrincipal().with_conditions({"ArnLike": {
                "aws:PrincipalArn": config.principal_arns(config.consultant_principals)}}),
            description="The leader consultant: pulls, reads and closes advisory requests",
            max_session_duration=Duration.hours(8),
        )
        self.content_key.grant(self.consultant_role, "kms:Decrypt", "kms:GenerateDataKey")
        self.table.grant_read_write_data(self.consultant_role)
        for queue in self.queues.values():
            queue.grant_consume_messages(self.consultant_role)
            queue.grant_send_messages(self.consultant_role)
        parameters = [
            ssm.StringParameter(self, "TableParameter", parameter_name=PARAM_ADVISORY_TABLE,
                                string_value=self.table.table_name,
                                description="Advisory table, for the consultant's CLI"),
            ssm.StringParameter(self, "KeyParameter", parameter_name=PARAM_ADVISORY_KEY,
                                string_value=self.content_key.key_arn,
                                description="Advisory content key, for the consultant's CLI"),
            ssm.StringParameter(self, "LookupSecretParameter",
                                parameter_name=PARAM_ADVISORY_LOOKUP_SECRET,
                                string_value=self.lookup_secret.secret_arn,
                                description="Advisory lookup secret, for the consultant's CLI"),
            ssm.StringParameter(self, "UrgentQueueParameter", parameter_name=PARAM_URGENT_QUEUE,
                                string_value=self.queues[True].queue_url,
                                description="Urgent advisory queue, for the consultant's CLI"),
            ssm.StringParameter(self, "QueueParameter", parameter_name=PARAM_NORMAL_QUEUE,
                                string_value=self.queues[False].queue_url,
                                description="Advisory queue, for the consultant's CLI"),
        ]
        for parameter in parameters:
            parameter.grant_read(self.consultant_role)
        self.lookup_secret.grant_read(self.consultant_role)
        self.consultant_role.add_to_policy(iam.PolicyStatement(
            actions=["cloudwatch:PutMetricData"], resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
        ))

    def console(self, staff: StaffConsole) -> PythonFunction:
        """The consultant's area of the staff console: its function, with only what the area
        needs (the requests' items, the queues to take from and put back, the content key to
        open and to seal a note), behind the staff's authorizer. The audit table of
        data-protection requests comes later (`audit_privacy_requests`)."""
        self.console_function = PythonFunction(
            self, "Console", runtime=self._runtime, service=SERVICE_STAFF_ADVISORY,
            handler="functions.staff_advisory.handler.lambda_handler",
            description="The consultant's area of the staff console: the advisory queue",
            environment={ENV_ADVISORY_TABLE: self.table.table_name,
                         ENV_ADVISORY_KEY: self.content_key.key_arn,
                         ENV_URGENT_QUEUE: self.queues[True].queue_url,
                         ENV_NORMAL_QUEUE: self.queues[False].queue_url,
                         ENV_ADVISORY_LOOKUP_SECRET: self.lookup_secret.secret_arn},
            timeout=Duration.seconds(29),
        )
        function = self.console_function.function
        # Leases, finishes and releases are updates; audit entries are puts; the open and
        # finished indexes and a day's audit are queries. A data-protection request finds the
        # sender's requests by a query of the index of address hashes and erases them
        # (DeleteItem); no scan.
        grant_items(self.table, function, "GetItem", "PutItem", "UpdateItem", "Query",
                    "DeleteItem")
        self.lookup_secret.grant_read(function)
        for queue in self.queues.values():
            # Sends: a request released from hold or reopened goes back in its queue.
            queue.grant(function, "sqs:ReceiveMessage", "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility", "sqs:SendMessage")
        # The contents are opened here (and by the CLI's role) only; a note is sealed.
        self.content_key.grant(function, "kms:Decrypt", "kms:GenerateDataKey")
        staff.add_routes(self.console_function, CONSULTANT_ROUTES)
        return self.console_function

    def audit_privacy_requests(self, audit: dynamodb.ITable) -> None:
        """The console function answers the advisory part of data-protection requests: it
        adds records to their audit table (the privacy officer's trail), reads the open cases
        (to pick one; the case names the address) and puts its contribution under a case."""
        self.console_function.function.add_environment(ENV_PRIVACY_AUDIT_TABLE, audit.table_name)
        grant_items(audit, self.console_function.function, "PutItem", "GetItem", "Scan")
