"""POST /api/registrations, POST /api/registrations/confirm and POST /api/registrations/cancel."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters.wiring import registrations
from shared.forums.registration import Received, RegistrationAnswer, RegistrationForm
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


class TokenRequest(BaseModel):
    token: str = Field(min_length=10, max_length=1000)


RECEIVED = Received().model_dump()


@app.post("/api/registrations", responses=responses({202: Received}, 404, 409, *BODY_REFUSALS))
def register(
    form: Annotated[RegistrationForm, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Any]:
    """The same answer for every admitted submission: the address's owner confirms by mail."""
    if form.is_bot:  # answer like a success, store nothing
        logger.info("honeypot filled")
        return json_response(202, RECEIVED)
    registrations(settings).submit(form, idempotency_key)
    logger.info("registration submitted")
    return json_response(202, RECEIVED)


@app.post("/api/registrations/confirm",
          responses=responses({200: RegistrationAnswer}, 404, 409, *BODY_REFUSALS))
def confirm(request: Annotated[TokenRequest, Body()]) -> dict[str, Any]:
    answer = registrations(settings).confirm_by_token(request.token)
    logger.info("registration confirmed", extra={"status": answer.status})
    metrics.add_metric(name=f"Registration{answer.status.value.title()}",
                       unit=MetricUnit.Count, value=1)
    return answer.model_dump(exclude_none=True)


@app.post("/api/registrations/cancel",
          responses=responses({200: StatusAnswer}, 409, *BODY_REFUSALS))
def cancel(request: Annotated[TokenRequest, Body()]) -> dict[str, str]:
    status = registrations(settings).cancel_by_token(request.token)
    metrics.add_metric(name="RegistrationCancelled", unit=MetricUnit.Count, value=1)
    return {"status": status.value}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
