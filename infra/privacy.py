"""Data-protection requests: the audit table the `leaders privacy` commands write to, and the
role the secretariat assumes to answer them.

Export and erasure run as operator commands, so this capability has no function. The
PrivacyOfficerRole may read and delete what forums and newsletter hold, never open advisory
requests: only the consultant's role may use that key, so the consultant answers the advisory
part (`--area advisory`) and may write to the audit table too. Audit records hold counts and
the caller, never the address."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.advisory import Advisory
from infra.forums import ForumsCatalogue
from infra.newsletter import Newsletter
from infra.parts import capability_table
from infra.registrations import ForumRegistration
from shared.names import (
    PARAM_FORUMS_TABLE,
    PARAM_NEWSLETTER_SETTINGS,
    PARAM_PRIVACY_AUDIT_TABLE,
    PARAM_REGISTRATIONS_TABLE,
)


class PrivacyRequests(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, catalogue: ForumsCatalogue,
                 registration: ForumRegistration, newsletter: Newsletter,
                 advisory: Advisory) -> None:
        super().__init__(scope, construct_id)
        self.table = capability_table(self)
        audit_parameter = ssm.StringParameter(
            self, "AuditTableParameter", parameter_name=PARAM_PRIVACY_AUDIT_TABLE,
            string_value=self.table.table_name,
            description="Audit of data-protection requests, for the CLI")

        self.officer_role = iam.Role(
            self, "PrivacyOfficerRole", assumed_by=iam.AccountRootPrincipal(),
            description="The secretariat: export and erase one person's forum and newsletter data")
        catalogue.table.grant_read_write_data(self.officer_role)  # a freed seat is given on
        registration.table.grant_read_write_data(self.officer_role)
        newsletter.table.grant_read_write_data(self.officer_role)
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
