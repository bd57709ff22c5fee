"""POST /api/registrations, POST /api/registrations/confirm, GET and POST
/api/registrations/cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared import snapstart
from shared.adapters.wiring import catalogue_store, registrations
from shared.clock import to_copenhagen
from shared.errors import InvalidLink
from shared.forums.registration.models import Received, RegistrationAnswer, RegistrationForm
from shared.http import (
    BODY_REFUSALS,
    Body,
    IdempotencyKey,
    Query,
    Response,
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


class CancelLinkAnswer(BaseModel):
    """What a cancel link is about, for its landing page: the forum, city and time of the
    session, nothing about the person."""

    forum_title: str
    city: str
    venue: str | None = None
    starts_at: datetime
    ends_at: datetime


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


@app.get("/api/registrations/cancel",
         responses=responses({200: CancelLinkAnswer}, 400, 422))
def cancel_link(token: Annotated[str, Query(max_length=1000)] = "") -> dict[str, Any]:
    """Reads what the link is about and changes nothing (the page cancels on its button)."""
    session_id = registrations(settings).cancel_link_session(token) if token else None
    catalogue = catalogue_store(settings.forums_table_name)
    session = catalogue.session(session_id) if session_id else None
    if session is None:
        raise InvalidLink()
    forum = catalogue.forum(session.forum_id)
    return CancelLinkAnswer(
        forum_title=forum.title if forum else "", city=session.city, venue=session.venue or None,
        starts_at=to_copenhagen(session.starts_at), ends_at=to_copenhagen(session.ends_at),
    ).model_dump(mode="json")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager"), steps=("shared.forms:prime",))
