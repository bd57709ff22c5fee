"""Signups' confirmation requests (from the subscription API, through a queue): each pending
address gets its confirmation email, at most one per interval, none when suppressed. A send
SES did not take fails its record, which comes back later; five failures end in the
dead-letter queue."""

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


def handle(record: SQSRecord) -> None:
    subscriber_id = str(json.loads(record.body)["subscriber"])
    if newsletter(settings).send_confirmation(subscriber_id):
        metrics.add_metric(name="NewsletterConfirmationSent", unit=MetricUnit.Count, value=1)
        logger.info("confirmation sent", extra={"subscriber_id": subscriber_id})


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=handle, processor=processor,
                                    context=context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sesv2"),
                steps=("shared.email.render:prime",))
