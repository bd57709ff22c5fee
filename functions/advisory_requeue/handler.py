"""Daily: queues again every request not done whose message could have expired (SQS keeps
messages 14 days at most), waiting or leased and abandoned alike, and reports the age of the
oldest request not done."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.wiring import requeue
from shared.platform import snapstart
from shared.platform.clock import utcnow
from shared.platform.observability import logger, metrics
from shared.platform.settings import AdvisorySettings

settings = AdvisorySettings()  # type: ignore[call-arg]


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    service = requeue(settings)
    requeued = service.requeue_stale()
    oldest = service.oldest_waiting_age(utcnow())
    logger.info("advisory queue checked", extra={"requeued": requeued,
                                                 "oldest_hours": oldest})
    metrics.add_metric(name="AdvisoryRequeued", unit=MetricUnit.Count, value=requeued)
    metrics.add_metric(name="AdvisoryOldestWaitingHours", unit=MetricUnit.Count,
                       value=oldest or 0)
    return {"requeued": requeued, "oldest_waiting_hours": oldest}


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "sqs"), steps=(lambda: requeue(settings),))
