"""POST /api/registrations, GET and POST /api/registrations/confirm, POST
/api/registrations/discard, GET and POST /api/registrations/cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters.wiring import catalogue_store, registrations
from shared.edge.http import (
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
from shared.errors import InvalidLink
from shared.forums.registration.models import (
    DetailCorrections,
    Received,
    RegistrationAnswer,
    RegistrationForm,
    Submission,
)
from shared.platform import snapstart
from shared.platform.clock import to_copenhagen
from shared.platform.observability import logger, metrics
from shared.platform.settings import RegistrationSettings

settings = RegistrationSettings()  # type: ignore[call-arg]
app = create_resolver()


class TokenRequest(BaseModel):
    token: str = Field(min_length=10, max_length=1000)


class ConfirmRequest(DetailCorrections):
    """The press on the confirmation link's page: the token, and the details as the owner
    corrected them (each optional; what is given replaces what was submitted)."""

    token: str = Field(min_length=10, max_length=1000)


class TypedDetails(BaseModel):
    """What the newest submission holds, shown only on the link's landing page (to the
    address's owner, who holds the link), never in an email."""

    name: str
    email: str
    phone: str | None = None
    role: str
    workplace: str
    member_number: str | None = None
    needs: str | None = None


class ConfirmLinkAnswer(BaseModel):
    """What a confirmation link is about, for its landing page: the session, and either what
    a press would confirm (`pending`, with the details typed) or how the registration stands
    (`confirmed`, `waitlisted` with the place)."""

    status: str
    waitlist_position: int | None = None
    forum_title: str
    city: str
    venue: str | None = None
    starts_at: datetime
    ends_at: datetime
    details: TypedDetails | None = None


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


@app.get("/api/registrations/confirm",
         responses=responses({200: ConfirmLinkAnswer}, 400, 409, 422))
def confirm_link(token: Annotated[str, Query(max_length=1000)] = "") -> Response[Any]:
    """Reads what the link would confirm and changes nothing (the page confirms on its
    button, so a mail scanner that opens the link does nothing)."""
    if not token:
        raise InvalidLink()
    session_id, found = registrations(settings).pending(token)
    about = _session_about(session_id)
    if isinstance(found, Submission):
        details = TypedDetails.model_validate(found.model_dump(include=set(
            TypedDetails.model_fields)))
        answer = ConfirmLinkAnswer(status="pending", details=details, **about)
    else:
        answer = ConfirmLinkAnswer(status=found.status.value,
                                   waitlist_position=found.waitlist_position, **about)
    # What was typed (phone, member number, needs): no browser or proxy may keep it.
    return Response(status_code=200, content_type="application/json",
                    body=answer.model_dump(mode="json", exclude_none=True),
                    headers={"Cache-Control": "no-store"})


def _session_about(session_id: str) -> dict[str, Any]:
    catalogue = catalogue_store(settings.forums_table_name)
    session = catalogue.session(session_id)
    if session is None:
        raise InvalidLink()
    forum = catalogue.forum(session.forum_id)
    return {"forum_title": forum.title if forum else "", "city": session.city,
            "venue": session.venue or None, "starts_at": to_copenhagen(session.starts_at),
            "ends_at": to_copenhagen(session.ends_at)}


@app.post("/api/registrations/confirm",
          responses=responses({200: RegistrationAnswer}, 404, 409, *BODY_REFUSALS))
def confirm(request: Annotated[ConfirmRequest, Body()]) -> dict[str, Any]:
    corrections = request.model_dump(exclude_unset=True, exclude={"token"})
    answer = registrations(settings).confirm_by_token(request.token, corrections)
    logger.info("registration confirmed", extra={"status": answer.status,
                                                 "corrected": sorted(corrections)})
    metrics.add_metric(name=f"Registration{answer.status.value.title()}",
                       unit=MetricUnit.Count, value=1)
    return answer.model_dump(exclude_none=True)


@app.post("/api/registrations/discard",
          responses=responses({200: StatusAnswer}, *BODY_REFUSALS))
def discard(request: Annotated[TokenRequest, Body()]) -> dict[str, str]:
    """"Det er ikke mig": what waits for the owner's confirmation is deleted."""
    removed = registrations(settings).discard_by_token(request.token)
    logger.info("submissions discarded", extra={"count": removed})
    metrics.add_metric(name="RegistrationDiscarded", unit=MetricUnit.Count, value=1)
    return {"status": "discarded"}


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
    if not token:
        raise InvalidLink()
    return CancelLinkAnswer(**_session_about(registrations(settings).cancel_link_session(
        token))).model_dump(mode="json")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager"), steps=("shared.forms:prime",))
