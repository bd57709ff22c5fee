"""The one stack: capabilities composed, each a construct of its own."""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, CfnOutput, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.advisory import Advisory
from infra.api import PublicApi
from infra.config import DeployConfig
from infra.dashboard import OperationsDashboard
from infra.email import Email
from infra.forums import ForumsCatalogue
from infra.function import FunctionRuntime, PythonFunction, retention
from infra.nag import acknowledge
from infra.newsletter import Newsletter
from infra.pages import Pages
from infra.parts import schedule_dead_letters
from infra.privacy import PrivacyRequests
from infra.registrations import ForumRegistration
from infra.staff import StaffConsole
from infra.staff_access import StaffAccess
from shared.platform.names import OUTPUT_API_URL, OUTPUT_DISTRIBUTION_DOMAIN, OUTPUT_SITE_URL

# SES's reputation metrics are rates (0.05 is 5%); the alarms sound before AWS's review levels.
REPUTATION_BOUNCE_ALARM = 0.04
REPUTATION_COMPLAINT_ALARM = 0.0008


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
            alarms=self.alarms, link_base=self.pages.link_base,
        )
        self.newsletter = Newsletter(
            self, "Newsletter", config=config, runtime=runtime, api=self.api, email=self.email,
            alarms=self.alarms, link_base=self.pages.link_base,
        )
        self.staff = StaffConsole(
            self, "Staff", config=config, runtime=runtime, api=self.api,
            catalogue=self.forums, registration=self.registration, pages=self.pages,
            email=self.email,
        )
        self.newsletter.add_console(self.staff)
        self.advisory.console(self.staff)  # the consultant's area, behind the staff's sign-in
        self.privacy = PrivacyRequests(
            self, "Privacy", catalogue=self.forums, registration=self.registration,
            newsletter=self.newsletter, advisory=self.advisory, runtime=runtime, staff=self.staff,
            config=config,
        )
        self.staff_access = StaffAccess(self, "StaffAccess", runtime=runtime, staff=self.staff)

        self._alarms_on_errors(config)
        self._alarms_on_mail_reputation()
        self.dashboard = OperationsDashboard(
            self, "Operations", newsletter=self.newsletter, advisory=self.advisory,
            alarms=self.reputation_alarms)
        CfnOutput(self, "DashboardName", value=self.dashboard.dashboard_name,
                  description="The operations dashboard in CloudWatch")
        self._custom_resource_logs(config)
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

    def _alarms_on_errors(self, config: DeployConfig) -> None:
        """Function errors (one alarm for the account, or one per function), any 5XX answer
        of the API, and throttling of many requests alarm the secretariat's topic
        (dead-letter queues have their own alarms)."""
        functions = [f for f in self.node.find_all() if isinstance(f, PythonFunction)]
        if config.function_error_alarms == "each":
            for function in functions:
                alarm = function.function.metric_errors(period=Duration.minutes(5)).create_alarm(
                    function, "ErrorsAlarm", threshold=1, evaluation_periods=1,
                    alarm_description=f"The {function.service} function failed",
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
                alarm.add_alarm_action(actions.SnsAction(self.alarms))
        else:
            # Lambda's Errors without a dimension: every function of the account and region.
            alarm = cloudwatch.Metric(
                namespace="AWS/Lambda", metric_name="Errors", statistic="Sum",
                period=Duration.minutes(5)).create_alarm(
                self, "FunctionErrorsAlarm", threshold=1, evaluation_periods=1,
                alarm_description="A function failed (the dashboard shows which)",
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

    def _alarms_on_mail_reputation(self) -> None:
        """SES reviews an account whose bounce rate passes 5% or complaint rate 0.1%, and may
        pause its sending, every email of the union with it (SES Developer Guide, "Sending
        review process FAQs"): the secretariat hears of it before, at 4% and 0.08%."""
        self.reputation_alarms = []
        for construct_id, metric, threshold, description in (
            ("MailBounceRateAlarm", "Reputation.BounceRate", REPUTATION_BOUNCE_ALARM,
             "The account's SES bounce rate nears 5%, where AWS reviews the account"),
            ("MailComplaintRateAlarm", "Reputation.ComplaintRate", REPUTATION_COMPLAINT_ALARM,
             "The account's SES complaint rate nears 0.1%, where AWS reviews the account"),
        ):
            alarm = cloudwatch.Metric(
                namespace="AWS/SES", metric_name=metric, statistic="Maximum",
                period=Duration.hours(1)).create_alarm(
                self, construct_id, threshold=threshold, evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator
                .GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                alarm_description=description,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
            alarm.add_alarm_action(actions.SnsAction(self.alarms))
            self.reputation_alarms.append(alarm)

    def _custom_resource_logs(self, config: DeployConfig) -> None:
        """The function CDK adds to empty the pages bucket on deletion would log to a group
        Lambda creates without an expiry: it logs to one of the stack's, with the retention.
        (The pages' deployment function gets its group in infra/pages.py.)"""
        for child in self.node.children:
            if not child.node.id.startswith("Custom::S3AutoDeleteObjects"):
                continue
            handler = child.node.find_child("Handler")
            assert isinstance(handler, CfnResource)
            group = logs.LogGroup(self, "AutoDeleteObjectsLogs",
                                  retention=retention(config.log_retention_days),
                                  removal_policy=RemovalPolicy.DESTROY)
            handler.add_property_override("LoggingConfig.LogGroup", group.log_group_name)
            handler.node.add_dependency(group)
