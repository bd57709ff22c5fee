"""SES bounce and complaint events (configuration set -> SNS -> this queue): a permanent
bounce or a complaint suppresses the address at once, for every later issue."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.wiring import newsletter
from shared.platform import snapstart
from shared.platform.observability import logger, metrics
from shared.platform.settings import NewsletterSettings

settings = NewsletterSettings()  # type: ignore[call-arg]
processor = BatchProcessor(event_type=EventType.SQS)


def _event(record: SQSRecord) -> dict[str, Any]:
    body = json.loads(record.body)
    inner = body.get("Message", body)  # an SNS envelope, unless delivered raw
    return dict(json.loads(inner) if isinstance(inner, str) else inner)


def handle(record: SQSRecord) -> None:
    event = _event(record)
    kind = event.get("eventType") or event.get("notificationType")
    tags = event.get("mail", {}).get("tags", {})
    issue = (tags.get("issue") or [None])[0]
    if kind == "Bounce" and event.get("bounce", {}).get("bounceType") == "Permanent":
        addresses = [r["emailAddress"] for r in event["bounce"].get("bouncedRecipients", [])]
        reason = "bounce"
    elif kind == "Complaint":
        addresses = [r["emailAddress"]
                     for r in event.get("complaint", {}).get("complainedRecipients", [])]
        reason = "complaint"
    else:
        return  # transient bounces and deliveries change nothing
    for address in addresses:
        newsletter(settings).suppress(address, reason, issue)
    metrics.add_metric(name=f"Newsletter{reason.title()}", unit=MetricUnit.Count,
                       value=len(addresses))
    logger.info("address suppressed", extra={"reason": reason, "count": len(addresses),
                                              "issue": issue})


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=handle, processor=processor,
                                    context=context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager"))
