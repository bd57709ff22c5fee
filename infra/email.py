"""Sending email with SES: the sender identity from configuration and a configuration set
whose bounce and complaint events later capabilities subscribe to."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.config import DeployConfig
from shared.names import ENV_CONFIGURATION_SET, ENV_SENDER_ADDRESS


class Email(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.sender_address = config.sender_address
        self.identity = ses.EmailIdentity(
            self,
            "SenderIdentity",
            identity=ses.Identity.email(config.sender_address),
            configuration_set=self.configuration_set,
        )

    @property
    def environment(self) -> dict[str, str]:
        return {
            ENV_SENDER_ADDRESS: self.sender_address,
            ENV_CONFIGURATION_SET: self.configuration_set.configuration_set_name,
        }

    def grant_send(self, grantee: iam.IGrantable) -> None:
        stack = Stack.of(self)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    stack.format_arn(service="ses", resource="identity",
                                     resource_name=self.sender_address),
                    stack.format_arn(service="ses", resource="configuration-set",
                                     resource_name=self.configuration_set.configuration_set_name),
                ],
            )
        )
