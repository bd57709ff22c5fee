"""The one stack: capabilities composed, each a construct of its own."""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.advisory import Advisory
from infra.api import PublicApi
from infra.config import DeployConfig
from infra.email import Email
from infra.forums import ForumsCatalogue
from infra.function import FunctionRuntime, PythonFunction
from infra.nag import acknowledge
from infra.newsletter import Newsletter
from infra.pages import Pages
from infra.parts import schedule_dead_letters
from infra.privacy import PrivacyRequests
from infra.registrations import ForumRegistration
from infra.staff import StaffConsole
from shared.names import OUTPUT_API_URL, OUTPUT_DISTRIBUTION_DOMAIN, OUTPUT_SITE_URL


class LeadersStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeployConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        runtime = FunctionRuntime(self, "Runtime", log_retention_days=config.log_retention_days,
                                  snap_start=config.snap_start)
        self.email = Email(self, "Email", config=config)
        self.api = PublicApi(self, "Api", config=config)
        # Before the capabilities: their emailed links start with what the distribution serves.
        self.pages = Pages(self, "Pages", api=self.api, config=config)
        self.forums = ForumsCatalogue(self, "Forums", runtime=runtime, api=self.api)
        self.alarms = self._alarm_topic(config)
        schedule_dead_letters(self, self.alarms)
        self.registration = ForumRegistration(
            self, "Registration", config=config, runtime=runtime, api=self.api,
            catalogue=self.forums, email=self.email, alarms=self.alarms,
            link_base=self.pages.link_base,
        )
        self.advisory = Advisory(
            self, "Advisory", config=config, runtime=runtime, api=self.api, email=self.email,
            alarms=self.alarms,
        )
        self.newsletter = Newsletter(
            self, "Newsletter", config=config, runtime=runtime, api=self.api, email=self.email,
            alarms=self.alarms, link_base=self.pages.link_base,
        )
        self.staff = StaffConsole(
            self, "Staff", config=config, runtime=runtime, api=self.api,
            catalogue=self.forums, registration=self.registration, pages=self.pages,
        )
        self.newsletter.add_console(self.staff)
        self.advisory.console(self.staff)  # the consultant's area, behind the staff's sign-in
        self.privacy = PrivacyRequests(
            self, "Privacy", catalogue=self.forums, registration=self.registration,
            newsletter=self.newsletter, advisory=self.advisory, runtime=runtime, staff=self.staff,
        )

        self._alarms_on_errors()
        CfnOutput(self, OUTPUT_API_URL, value=self.api.rest_api.url)
        CfnOutput(self, OUTPUT_SITE_URL, value=f"{self.pages.link_base}/",
                  description="The pages; every link in the emails starts here")
        CfnOutput(self, OUTPUT_DISTRIBUTION_DOMAIN,
                  value=self.pages.distribution.distribution_domain_name,
                  description="Point the custom domain here (CNAME or alias), when one is set")
        acknowledge(self)

    def _alarm_topic(self, config: DeployConfig) -> sns.Topic:
        """The secretariat's alarm topic: CloudWatch alarms of this account may publish to it
        (its policy would otherwise hold only enforce_ssl's Deny), and `alarm_email` gets every
        alarm once it has confirmed SNS's subscription mail."""
        topic = sns.Topic(self, "Alarms", display_name="Leaders of leaders alarms",
                          enforce_ssl=True)
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchAlarmsOfThisAccount",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": self.account},
                "ArnLike": {"aws:SourceArn": self.format_arn(
                    service="cloudwatch", resource="alarm", resource_name="*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME)},
            },
        ))
        topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        return topic

    def _alarms_on_errors(self) -> None:
        """Any function error, any 5XX answer of the API, and throttling of many requests
        alarm the secretariat's topic (dead-letter queues have their own alarms)."""
        for function in self.node.find_all():
            if isinstance(function, PythonFunction):
                alarm = function.function.metric_errors(period=Duration.minutes(5)).create_alarm(
                    function, "ErrorsAlarm", threshold=1, evaluation_periods=1,
                    alarm_description=f"The {function.service} function failed",
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
                alarm.add_alarm_action(actions.SnsAction(self.alarms))
        api = self.api.rest_api
        for construct_id, metric, threshold, description in (
            ("Api5xxAlarm", api.metric_server_error(period=Duration.minutes(5)), 1,
             "The public API answered with a server error"),
            ("Api4xxAlarm", api.metric_client_error(period=Duration.minutes(5)), 200,
             "Many refused requests (throttling, WAF or bad input): abuse or a broken page"),
        ):
            alarm = metric.create_alarm(
                self.api, construct_id, threshold=threshold, evaluation_periods=1,
                alarm_description=description,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
            alarm.add_alarm_action(actions.SnsAction(self.alarms))
