"""Data-protection requests: the audit table, the role the `leaders privacy` commands run as,
and the privacy officer's console function behind /api/staff/privacy.

The PrivacyOfficerRole (CLI) and the console function may read and delete what forums and
newsletter hold, never open advisory requests: only the consultant's role and function may
use that key, so the consultant answers the advisory part (`--area advisory`) and may write
to the audit table too. Audit records hold counts and the caller, never the address."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.advisory import Advisory
from infra.config import DeployConfig
from infra.forums import ForumsCatalogue
from infra.function import FunctionRuntime, PythonFunction
from infra.newsletter import Newsletter
from infra.parts import capability_table, grant_items
from infra.registrations import ForumRegistration
from infra.staff import StaffConsole
from shared.platform.names import (
    ENV_ADVISORY_RETENTION,
    ENV_FORUMS_TABLE,
    ENV_NEWSLETTER_SECRET,
    ENV_NEWSLETTER_TABLE,
    ENV_PRIVACY_AUDIT_TABLE,
    ENV_REGISTRATION_LINK_HOURS,
    ENV_REGISTRATIONS_TABLE,
    ENV_RETENTION_DAYS,
    PARAM_FORUMS_TABLE,
    PARAM_NEWSLETTER_SETTINGS,
    PARAM_PRIVACY_AUDIT_TABLE,
    PARAM_REGISTRATIONS_TABLE,
    SERVICE_STAFF_PRIVACY,
)

# What a data-protection request calls (shared.privacy and its adapters), for the CLI's role
# and the console function alike. Registrations of the address found (Scan), read, and
# cancelled before a session starts (the registration written whole under the condition of
# what it was, and the first in line's promotion with it: Put), their submissions and mail
# records found and deleted (Query, Delete); the session's seats and waiting list read and
# moved up when a seat is given up; the subscriber and their copies read, then deleted.
# A correction writes each registration of the address again (Put, under the condition of
# what it was).
REGISTRATION_ACTIONS = ("Scan", "Query", "GetItem", "PutItem", "DeleteItem")
CATALOGUE_ACTIONS = ("GetItem", "UpdateItem")
# The subscriber and their copies read (the issues found by their index and read in one
# batch), then deleted.
NEWSLETTER_ACTIONS = ("GetItem", "Query", "BatchGetItem", "DeleteItem")
# The privacy officer's routes below /api (the handler checks the group as well).
PRIVACY_OFFICER_ROUTES = (
    ("POST", "staff/privacy/search"),
    ("POST", "staff/privacy/export"),
    ("POST", "staff/privacy/erase"),
    ("GET", "staff/privacy/audit"),
    ("POST", "staff/privacy/cases"),
    ("GET", "staff/privacy/cases"),
    ("POST", "staff/privacy/cases/{case}/close"),
    ("POST", "staff/privacy/cases/{case}/correct"),
    ("GET", "staff/privacy/cases/{case}/answer"),
)


class PrivacyRequests(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, catalogue: ForumsCatalogue,
                 registration: ForumRegistration, newsletter: Newsletter,
                 advisory: Advisory, runtime: FunctionRuntime, staff: StaffConsole,
                 config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        # A closed case (it names the address) expires three years after its closing.
        self.table = capability_table(self, ttl="expires_at")
        self._config = config
        audit_parameter = ssm.StringParameter(
            self, "AuditTableParameter", parameter_name=PARAM_PRIVACY_AUDIT_TABLE,
            string_value=self.table.table_name,
            description="Audit of data-protection requests, for the CLI")

        self.officer_role = iam.Role(
            self, "PrivacyOfficerRole", assumed_by=iam.AccountRootPrincipal(),
            description="The secretariat: export and erase one person's forum and newsletter data")
        # Exactly what shared.privacy calls, as the console function below: the CLI runs the
        # same requests (a freed seat is given on, so the session is updated too).
        grant_items(registration.table, self.officer_role, *REGISTRATION_ACTIONS)
        grant_items(catalogue.table, self.officer_role, *CATALOGUE_ACTIONS)
        grant_items(newsletter.table, self.officer_role, *NEWSLETTER_ACTIONS)
        newsletter.secret.grant_read(self.officer_role)  # subscriber ids are keyed hashes
        stack = Stack.of(self)
        self.officer_role.add_to_policy(iam.PolicyStatement(
            actions=["ssm:GetParameter"],
            resources=[stack.format_arn(service="ssm", resource="parameter",
                                        resource_name=name.lstrip("/"))
                       for name in (PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE,
                                    PARAM_NEWSLETTER_SETTINGS)],
        ))
        for role in (self.officer_role, advisory.consultant_role):
            self.table.grant(role, "dynamodb:PutItem")  # add records, never change or remove
            audit_parameter.grant_read(role)
        advisory.audit_privacy_requests(self.table)  # the consultant's console answers too

        self.console_function = self._console_function(
            runtime, staff, catalogue=catalogue, registration=registration,
            newsletter=newsletter)

    def _console_function(self, runtime: FunctionRuntime, staff: StaffConsole, *,
                          catalogue: ForumsCatalogue, registration: ForumRegistration,
                          newsletter: Newsletter) -> PythonFunction:
        """The privacy officer's console function, allowed exactly what the forums and
        newsletter holders and the audit call (shared.privacy, its adapters); no advisory
        table and no key: it cannot read advisory requests, and says so."""
        function = PythonFunction(
            self, "Console", runtime=runtime, service=SERVICE_STAFF_PRIVACY,
            handler="functions.staff_privacy.handler.lambda_handler",
            description="The privacy officer's console: what is held, export, erase, audit",
            environment={ENV_FORUMS_TABLE: catalogue.table.table_name,
                         ENV_REGISTRATIONS_TABLE: registration.table.table_name,
                         ENV_NEWSLETTER_TABLE: newsletter.table.table_name,
                         ENV_NEWSLETTER_SECRET: newsletter.secret.secret_arn,
                         ENV_PRIVACY_AUDIT_TABLE: self.table.table_name,
                         # The retention periods an access answer tells the member.
                         ENV_RETENTION_DAYS: str(self._config.registration_retention_days),
                         ENV_REGISTRATION_LINK_HOURS:
                             str(self._config.registration_confirm_link_hours),
                         ENV_ADVISORY_RETENTION: str(self._config.advisory_retention_days)},
            timeout=Duration.seconds(29),
        )
        grantee = function.function
        grant_items(registration.table, grantee, *REGISTRATION_ACTIONS)
        grant_items(catalogue.table, grantee, *CATALOGUE_ACTIONS)
        # A correction (the console's only) updates the subscriber's name.
        grant_items(newsletter.table, grantee, *NEWSLETTER_ACTIONS, "UpdateItem")
        newsletter.secret.grant_read(grantee)  # subscriber ids are keyed hashes
        # Audit records added (never changed or removed) and read for the trail; cases
        # opened (their key and number written in one transaction, the year's counter
        # updated), read, listed and closed.
        grant_items(self.table, grantee, "PutItem", "Scan", "GetItem", "UpdateItem")
        staff.add_routes(function, PRIVACY_OFFICER_ROUTES)
        return function
