"""The fan-out queue: each subscriber gets their copy of the issue once. A send SES did not
take (throttled, paused, no connection, ...) fails the record, which comes back with backoff;
those of the batch already sent are not repeated."""

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
from shared.newsletter.models import DeliveryStatus
from shared.newsletter.ports import Unsent
from shared.platform import snapstart
from shared.platform.observability import logger, metrics
from shared.platform.settings import NewsletterSettings

settings = NewsletterSettings()  # type: ignore[call-arg]
processor = BatchProcessor(event_type=EventType.SQS)


def handle(record: SQSRecord) -> None:
    work = json.loads(record.body)
    outcomes: dict[str, int] = {}
    service = newsletter(settings)
    # A subscriber SES did not take fails the record (retried later); those before were
    # recorded and are not sent again, those after are sent on the retry.
    try:
        for subscriber_id in work["subscribers"]:
            status = service.deliver(work["issue"], subscriber_id)
            outcomes[status.value] = outcomes.get(status.value, 0) + 1
    except Unsent:
        service.send_later(record.receipt_handle,
                           int(record.attributes.approximate_receive_count or 1))
        raise
    sent = outcomes.get(DeliveryStatus.SENT.value, 0)
    metrics.add_metric(name="NewsletterSent", unit=MetricUnit.Count, value=sent)
    logger.info("newsletter batch", extra={"issue": work["issue"], "outcomes": outcomes})


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=handle, processor=processor,
                                    context=context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sesv2"),
                steps=("shared.email.render:prime",))
