"""Fired by the schedules, each with its `job`: the recurring schedule sends the next issue
approved for it, the hourly run every approved issue whose own time has come; both carry on
every issue still being sent. `{"issue": id}` (an operator's invocation) sends that issue now.
The editor's "send now" arrives on the dispatch queue (SQS records, `{"issue": id}` each):
the issue is started if it is still approved for now (not withdrawn since), or carried on.
A run that starts no issue says so ("nothing to send"), also when it carried one on."""

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
from shared.newsletter.models import Issue
from shared.newsletter.service import DispatchRun
from shared.platform import snapstart
from shared.platform.observability import logger, metrics
from shared.platform.settings import NewsletterSettings

settings = NewsletterSettings()  # type: ignore[call-arg]
processor = BatchProcessor(event_type=EventType.SQS)


def send_now(record: SQSRecord) -> None:
    issue_id = str(json.loads(record.body)["issue"])
    issue = newsletter(settings).dispatch_due(issue_id)
    logger.info("send now", extra={"issue": issue_id,
                                   "status": issue.status.value if issue else None})


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    if "Records" in event:
        return process_partial_response(event=event, record_handler=send_now,
                                        processor=processor, context=context)
    service = newsletter(settings)
    if event.get("issue"):
        issue = service.dispatch(str(event["issue"]))
        run = DispatchRun(started=[issue] if issue else [], carried_on=[])
    else:
        run = service.run(str(event.get("job", "")))
    for issue in run.carried_on:
        logger.info("newsletter carried on", extra={"issue": issue.id,
                                                    "status": issue.status.value})
    if not run.started:
        logger.info("no approved newsletter issue to send")
        metrics.add_metric(name="NewsletterNothingToSend", unit=MetricUnit.Count, value=1)
        return {"dispatched": None, "carried_on": _ids(run.carried_on)}
    for issue in run.started:
        logger.info("newsletter dispatched", extra={"issue": issue.id,
                                                    "recipients": issue.recipients})
    metrics.add_metric(name="NewsletterDispatched", unit=MetricUnit.Count,
                       value=len(run.started))
    recipients = sum(issue.recipients for issue in run.started)
    metrics.add_metric(name="NewsletterRecipients", unit=MetricUnit.Count, value=recipients)
    return {"dispatched": _ids(run.started), "recipients": recipients,
            "carried_on": _ids(run.carried_on)}


def _ids(issues: list[Issue]) -> list[str]:
    return [issue.id for issue in issues]


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sqs"))
