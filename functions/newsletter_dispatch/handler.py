"""Fired by the schedules: sends the next approved issue (or one whose own time has come) to
every confirmed subscriber, once. When none is approved it sends nothing and says so."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import snapstart
from shared.adapters.wiring import newsletter
from shared.observability import logger, metrics
from shared.settings import NewsletterSettings

settings = NewsletterSettings()  # type: ignore[call-arg]


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    issue = newsletter(settings).dispatch(event.get("issue"))
    if issue is None:
        logger.info("no approved newsletter issue to send")
        metrics.add_metric(name="NewsletterNothingToSend", unit=MetricUnit.Count, value=1)
        return {"dispatched": None}
    logger.info("newsletter dispatched", extra={"issue": issue.id,
                                                "recipients": issue.recipients})
    metrics.add_metric(name="NewsletterDispatched", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="NewsletterRecipients", unit=MetricUnit.Count,
                       value=issue.recipients)
    return {"dispatched": issue.id, "recipients": issue.recipients}


# Loaded before a SnapStart snapshot (see shared/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sqs"))
