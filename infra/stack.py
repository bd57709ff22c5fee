"""The one stack: capabilities composed, each a construct of its own."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.advisory import Advisory
from infra.api import PublicApi
from infra.config import DeployConfig
from infra.email import Email
from infra.forums import ForumsCatalogue
from infra.function import FunctionRuntime
from infra.nag import acknowledge
from infra.newsletter import Newsletter
from infra.pages import Pages
from infra.registrations import ForumRegistration
from shared.names import OUTPUT_API_URL, OUTPUT_SITE_URL


class LeadersStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeployConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        runtime = FunctionRuntime(self, "Runtime", log_retention_days=config.log_retention_days)
        self.email = Email(self, "Email", config=config)
        self.api = PublicApi(self, "Api", config=config)
        self.forums = ForumsCatalogue(self, "Forums", runtime=runtime, api=self.api)
        self.alarms = sns.Topic(self, "Alarms", display_name="Leaders of leaders alarms",
                                enforce_ssl=True)
        self.registration = ForumRegistration(
            self, "Registration", config=config, runtime=runtime, api=self.api,
            catalogue=self.forums, email=self.email, alarms=self.alarms,
        )
        self.advisory = Advisory(
            self, "Advisory", config=config, runtime=runtime, api=self.api, email=self.email,
            alarms=self.alarms,
        )
        self.newsletter = Newsletter(
            self, "Newsletter", config=config, runtime=runtime, api=self.api, email=self.email,
            alarms=self.alarms,
        )
        self.pages = Pages(self, "Pages", api=self.api)

        CfnOutput(self, OUTPUT_API_URL, value=self.api.rest_api.url)
        CfnOutput(self, OUTPUT_SITE_URL,
                  value=f"https://{self.pages.distribution.distribution_domain_name}/")
        acknowledge(self)
