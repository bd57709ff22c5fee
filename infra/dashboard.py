"""The operations dashboard in CloudWatch: what the secretariat and whoever runs the stack look
at first. Registrations per day, mail sent and bounced with SES's reputation, the newsletter's
progress, the consultant's queues, and errors and throttles per function. At most 50 metrics,
so that it fits CloudWatch's always-free allowance (3 dashboards of up to 50 metrics each)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from infra.advisory import Advisory
from infra.function import PythonFunction
from infra.newsletter import Newsletter
from shared.platform.names import (
    METRICS_NAMESPACE,
    SERVICE_NEWSLETTER_API,
    SERVICE_NEWSLETTER_DISPATCH,
    SERVICE_NEWSLETTER_FEEDBACK,
    SERVICE_NEWSLETTER_SENDER,
    SERVICE_REGISTRATION_EVENTS,
    SERVICE_REGISTRATIONS_API,
)

DAY = Duration.days(1)
HOUR = Duration.hours(1)
# CloudWatch's always-free dashboards hold up to 50 metrics each.
MAX_METRICS = 50


def _ours(name: str, service: str, label: str, period: Duration = DAY) -> cloudwatch.Metric:
    """A business metric of the functions (Powertools adds the `service` dimension)."""
    return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=name,
                             dimensions_map={"service": service}, statistic="Sum",
                             period=period, label=label)


def _ses(name: str, label: str, statistic: str = "Sum",
         period: Duration = DAY) -> cloudwatch.Metric:
    """An account-wide SES metric (every sender of the account and region)."""
    return cloudwatch.Metric(namespace="AWS/SES", metric_name=name, statistic=statistic,
                             period=period, label=label)


class OperationsDashboard(Construct):
    metric_count = 0

    def _graph(self, title: str, left: list[cloudwatch.IMetric],
               right: list[cloudwatch.IMetric] | None = None,
               stacked: bool = False) -> cloudwatch.GraphWidget:
        self.metric_count += len(left) + len(right or [])
        return cloudwatch.GraphWidget(title=title, width=12, left=left, right=right or [],
                                      stacked=stacked)

    def __init__(self, scope: Construct, construct_id: str, *, newsletter: Newsletter,
                 advisory: Advisory, alarms: Sequence[cloudwatch.IAlarm]) -> None:
        super().__init__(scope, construct_id)
        functions = sorted((f for f in Stack.of(self).node.find_all()
                            if isinstance(f, PythonFunction)), key=lambda f: f.service)
        self.widgets: list[list[cloudwatch.IWidget]] = [
            [
                self._graph(
                    "Tilmeldinger pr. dag", [
                        _ours("RegistrationSubmitted", SERVICE_REGISTRATION_EVENTS, "indsendt"),
                        _ours("RegistrationConfirmed", SERVICE_REGISTRATIONS_API, "bekræftet"),
                        _ours("RegistrationWaitlisted", SERVICE_REGISTRATIONS_API, "venteliste"),
                        _ours("RegistrationCancelled", SERVICE_REGISTRATIONS_API, "afmeldt"),
                    ]),
                self._graph(
                    "E-mails pr. dag (SES, hele kontoen)", [
                        _ses("Send", "sendt"), _ses("Bounce", "afvist (bounce)"),
                        _ses("Complaint", "klage"),
                    ], [
                        _ses("Reputation.BounceRate", "bounce-rate", "Maximum", HOUR),
                        _ses("Reputation.ComplaintRate", "klagerate", "Maximum", HOUR),
                    ]),
            ],
            [
                self._graph(
                    "Nyhedsbrev: udsendelse", [
                        _ours("NewsletterRecipients", SERVICE_NEWSLETTER_DISPATCH, "modtagere",
                              HOUR),
                        _ours("NewsletterSent", SERVICE_NEWSLETTER_SENDER, "sendt", HOUR),
                        _ours("NewsletterBounce", SERVICE_NEWSLETTER_FEEDBACK, "bounce", HOUR),
                        _ours("NewsletterComplaint", SERVICE_NEWSLETTER_FEEDBACK, "klage", HOUR),
                        _ours("NewsletterUnsubscribed", SERVICE_NEWSLETTER_API, "afmeldt", HOUR),
                    ], [
                        newsletter.send_queue.metric_approximate_number_of_messages_visible(
                            period=Duration.minutes(5), label="venter i køen"),
                    ]),
                self._graph(
                    "Lederkonsulentens kø", [
                        queue.metric_approximate_number_of_messages_visible(
                            period=Duration.minutes(5),
                            label="hastende" if urgent else "øvrige")
                        for urgent, queue in advisory.queues.items()
                    ], [
                        queue.metric_approximate_age_of_oldest_message(
                            period=Duration.minutes(5),
                            label="ældste hastende (s)" if urgent else "ældste øvrige (s)")
                        for urgent, queue in advisory.queues.items()
                    ]),
            ],
            [
                self._graph(
                    "Fejl pr. funktion", stacked=True, left=[
                        f.function.metric_errors(period=Duration.minutes(5), label=f.service)
                        for f in functions]),
                # One account-wide metric, not one per function: the dashboard holds 50
                # metrics, and a throttle is found per function in Lambda's own console.
                self._graph(
                    "Throttling (alle funktioner)", left=[cloudwatch.Metric(
                        namespace="AWS/Lambda", metric_name="Throttles", statistic="Sum",
                        period=Duration.minutes(5), label="afviste kald")]),
            ],
        ]
        if alarms:
            self.widgets.append([cloudwatch.AlarmStatusWidget(
                title="Alarmer for afsendelse (SES)", width=24, alarms=list(alarms))])
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{Stack.of(self).stack_name}-drift",
            default_interval=Duration.days(14), widgets=self.widgets)
        assert self.metric_count <= MAX_METRICS, self.metric_count

    @property
    def dashboard_name(self) -> str:
        return f"{Stack.of(self).stack_name}-drift"
