"""POST /api/registrations and POST /api/registrations/cancel."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters.wiring import registrations
from shared.forums.registration import RegistrationAnswer, RegistrationForm, Status
from shared.http import (
    BODY_REFUSALS,
    IdempotencyKey,
    StatusAnswer,
    create_resolver,
    json_response,
    responses,
)
from shared.observability import logger, metrics
from shared.settings import RegistrationSettings

settings = RegistrationSettings()  # type: ignore[call-arg]
app = create_resolver()


class CancelRequest(BaseModel):
    token: str = Field(min_length=10, max_length=1000)


@app.post("/api/registrations", responses=responses(
    {200: RegistrationAnswer, 201: RegistrationAnswer}, 404, 409, *BODY_REFUSALS))
def register(
    form: Annotated[RegistrationForm, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Any]:
    if form.is_bot:  # answer like a success, store nothing
        logger.info("honeypot filled")
        fake = RegistrationAnswer(id=secrets.token_hex(10), status=Status.CONFIRMED)
        return json_response(201, fake.model_dump(exclude_none=True))
    outcome = registrations(settings).register(form, idempotency_key)
    answer = outcome.answer
    logger.info("registration", extra={"registration_id": answer.id, "status": answer.status,
                                       "new": outcome.created})
    if outcome.created:
        metrics.add_metric(name=f"Registration{answer.status.value.title()}",
                           unit=MetricUnit.Count, value=1)
    return json_response(201 if outcome.created else 200, answer.model_dump(exclude_none=True))


@app.post("/api/registrations/cancel",
          responses=responses({200: StatusAnswer}, 409, *BODY_REFUSALS))
def cancel(request: Annotated[CancelRequest, Body()]) -> dict[str, str]:
    status = registrations(settings).cancel_by_token(request.token)
    metrics.add_metric(name="RegistrationCancelled", unit=MetricUnit.Count, value=1)
    return {"status": status.value}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
