"""POST /api/advisory-requests: a request for a conversation, an idea or a suggestion."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared.adapters.wiring import intake
from shared.advisory.models import AdvisoryForm
from shared.advisory.reference import new_reference
from shared.edge.http import (
    BODY_REFUSALS,
    DOCUMENTED_ONLY,
    Body,
    IdempotencyKey,
    Response,
    create_resolver,
    json_response,
    responses,
)
from shared.platform import snapstart
from shared.platform.observability import logger, metrics
from shared.platform.settings import AdvisorySettings

settings = AdvisorySettings()  # type: ignore[call-arg]
app = create_resolver()


class ReferenceAnswer(BaseModel):
    model_config = DOCUMENTED_ONLY

    reference: str


@app.post("/api/advisory-requests",
          responses=responses({202: ReferenceAnswer}, *BODY_REFUSALS))
def submit(
    form: Annotated[AdvisoryForm, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Any]:
    if form.is_bot:  # answer like a success, store nothing
        logger.info("honeypot filled")
        return json_response(202, {"reference": new_reference()})
    reference, created = intake(settings).submit(form, idempotency_key)
    logger.info("advisory request", extra={"reference": reference, "kind": form.kind.value,
                                           "urgent": form.actionable_urgency,
                                           "new": created})
    if created:
        metrics.add_metric(name="AdvisoryQueued", unit=MetricUnit.Count, value=1)
    return json_response(202, {"reference": reference})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "sqs", "sesv2"),
                steps=("shared.forms:prime",
                       "shared.email.render:prime",
                       lambda: intake(settings),
                       "shared.adapters.sealing:prime"))
