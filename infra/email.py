"""Sending email with SES: a domain identity for the sender's domain with Easy DKIM and a custom
MAIL FROM subdomain (so mail passes DMARC through both DKIM and SPF alignment), a configuration
set whose bounce and complaint events later capabilities subscribe to, and the DNS records the
domain's owner must publish, as stack outputs."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.config import DeployConfig
from shared.platform.names import (
    ENV_CONFIGURATION_SET,
    ENV_CONTACT_EMAIL,
    ENV_SENDER_ADDRESS,
    OUTPUT_DNS_PREFIX,
)


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
        self.contact_email = config.contact_email
        self.domain = config.sender_domain
        self.identity = ses.EmailIdentity(
            self,
            "SenderIdentity",
            identity=ses.Identity.domain(self.domain),
            configuration_set=self.configuration_set,
            dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
            dkim_signing=True,
            mail_from_domain=config.mail_from_domain,
            # Until the MX record exists SES falls back to its own MAIL FROM, so mail still
            # goes out (SPF then aligns only once the record is published).
            mail_from_behavior_on_mx_failure=ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
        )
        region = Stack.of(self).region
        records = [
            *[(f"Dkim{i}", "CNAME", record.name, record.value)
              for i, record in enumerate(self.identity.dkim_records, start=1)],
            ("MailFromMx", "MX", config.mail_from_domain,
             f"10 feedback-smtp.{region}.amazonses.com"),
            ("MailFromSpf", "TXT", config.mail_from_domain, '"v=spf1 include:amazonses.com ~all"'),
        ]
        for output_id, kind, name, value in records:
            CfnOutput(scope, f"{OUTPUT_DNS_PREFIX}{output_id}", value=f"{name} {kind} {value}",
                      description=f"DNS record for sending mail as {self.domain}")

    @property
    def environment(self) -> dict[str, str]:
        return {
            ENV_SENDER_ADDRESS: self.sender_address,
            ENV_CONTACT_EMAIL: self.contact_email,
            ENV_CONFIGURATION_SET: self.configuration_set.configuration_set_name,
        }

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """Send as the sender's domain identity, through the configuration set only."""
        stack = Stack.of(self)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    stack.format_arn(service="ses", resource="identity",
                                     resource_name=self.domain),
                    stack.format_arn(service="ses", resource="configuration-set",
                                     resource_name=self.configuration_set.configuration_set_name),
                ],
            )
        )
