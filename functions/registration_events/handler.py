"""The registrations table's stream: each submission and each change of a registration
becomes its one email."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.dynamodb_registrations import item_to_registration, item_to_submission
from shared.adapters.wiring import notifier, registration_store
from shared.observability import logger, metrics
from shared.settings import RegistrationSettings

settings = RegistrationSettings()  # type: ignore[call-arg]
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _registration(image: dict[str, Any] | None) -> Any:
    if not image or image.get("kind", {}).get("S") != "registration":
        return None
    return item_to_registration(image)


def handle(record: DynamoDBRecord) -> None:
    raw = record.raw_event["dynamodb"]
    image = raw.get("NewImage") or {}
    if record.raw_event.get("eventName") == "INSERT" and \
            image.get("kind", {}).get("S") == "submission":
        sent = notifier(settings).on_submission(item_to_submission(image))
        logger.info("submission",
                    extra={"email_kind": sent or "none (mailed recently, or no longer held)"})
        if sent:
            metrics.add_metric(name="RegistrationSubmitted", unit=MetricUnit.Count, value=1)
        return
    old, new = _registration(raw.get("OldImage")), _registration(raw.get("NewImage"))
    if new is None:
        return
    # Act on the registration as it is now: a record of a write that did not last (a
    # transaction that was cancelled) or a stale record is passed over.
    current = registration_store(settings).get(new.session_id, new.id)
    if current is None or current.status is not new.status or current.round != new.round:
        logger.info("stale change passed over", extra={"registration_id": new.id})
        return
    kind = notifier(settings).on_change(old, new)
    if kind:
        logger.info("email sent", extra={"registration_id": new.id, "email_kind": kind})
        metrics.add_metric(name=f"Email{kind.title()}", unit=MetricUnit.Count, value=1)
        if kind == "promoted":
            metrics.add_metric(name="RegistrationPromoted", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=handle, processor=processor,
                                    context=context)
