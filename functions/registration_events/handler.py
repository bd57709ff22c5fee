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

from shared.adapters.wiring import notifier, registration_store
from shared.forums.registration.email_kinds import EmailKind
from shared.forums.registration.messages import Outgoing
from shared.forums.registration.models import Submission
from shared.platform import snapstart
from shared.platform.observability import logger, metrics
from shared.platform.settings import RegistrationSettings

settings = RegistrationSettings()  # type: ignore[call-arg]
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
# Reads the stream's images; no client is made before the first event.
store = registration_store(settings.registrations_table_name, settings.forums_table_name)


def handle(record: DynamoDBRecord) -> None:
    raw = record.raw_event["dynamodb"]
    new = store.decode(raw.get("NewImage"))
    if new is None:
        return
    kind = notifier(settings).on_stored(store.decode(raw.get("OldImage")), new)
    if kind is not None:
        metrics.add_metric(name=kind.metric, unit=MetricUnit.Count, value=1)
    if isinstance(new, Submission):
        logger.info("submission", extra={
            "email_kind": kind.value if kind else "none (mailed recently, or no longer held)"})
        return
    # A request to send names its registration (the request's key is no personal data).
    registration_id = new.registration_id if isinstance(new, Outgoing) else new.id
    if kind is None:
        logger.info("no email", extra={"registration_id": registration_id})
        return
    logger.info("email sent", extra={"registration_id": registration_id,
                                     "email_kind": kind.value})
    if kind is EmailKind.PROMOTED:
        metrics.add_metric(name="RegistrationPromoted", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=handle, processor=processor,
                                    context=context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sesv2"),
                steps=("shared.email.render:prime",
                       "shared.forums.calendar:prime"))
