"""Data-protection requests: the audit table the `leaders privacy` commands write to.

Export and erasure run as operator commands (they need the consultant's key to read advisory
requests), so this capability has no function: a table of audit records that hold no personal
data, and the parameter through which the CLI finds it."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.parts import product_table
from shared.names import PARAM_PRIVACY_AUDIT_TABLE


class PrivacyRequests(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = product_table(self)
        ssm.StringParameter(self, "AuditTableParameter", parameter_name=PARAM_PRIVACY_AUDIT_TABLE,
                            string_value=self.table.table_name,
                            description="Audit of data-protection requests, for the CLI")
