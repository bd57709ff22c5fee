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

from shared import snapstart
from shared.adapters.dynamodb_registrations import item_to_registration, item_to_submission
from shared.adapters.wiring import notifier
from shared.forums.registration.models import Submission
from shared.observability import logger, metrics
from shared.settings import RegistrationSettings

settings = RegistrationSettings()  # type: ignore[call-arg]
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _stored(image: dict[str, Any] | None) -> Any:
    """The item an image holds, when it is one the emails follow."""
    kind = (image or {}).get("kind", {}).get("S")
    if kind == "submission":
        return item_to_submission(image or {})
    if kind == "registration":
        return item_to_registration(image or {})
    return None


def handle(record: DynamoDBRecord) -> None:
    raw = record.raw_event["dynamodb"]
    new = _stored(raw.get("NewImage"))
    if new is None:
        return
    kind = notifier(settings).on_stored(_stored(raw.get("OldImage")), new)
    if isinstance(new, Submission):
        logger.info("submission", extra={
            "email_kind": kind or "none (mailed recently, or no longer held)"})
        if kind:
            metrics.add_metric(name="RegistrationSubmitted", unit=MetricUnit.Count, value=1)
        return
    if kind is None:
        logger.info("no email", extra={"registration_id": new.id})
        return
    logger.info("email sent", extra={"registration_id": new.id, "email_kind": kind})
    metrics.add_metric(name=f"Email{kind.title()}", unit=MetricUnit.Count, value=1)
    if kind == "promoted":
        metrics.add_metric(name="RegistrationPromoted", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=handle, processor=processor,
                                    context=context)


# Loaded before a SnapStart snapshot (see shared/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sesv2"),
                steps=("shared.email.render:prime",
                       "shared.forums.calendar:prime"))
