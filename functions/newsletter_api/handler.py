"""POST /api/newsletter/subscriptions, /confirm and /unsubscribe (RFC 8058 one-click), and
the public archive of sent issues: GET /nyhedsbrev/arkiv/ (the list), /nyhedsbrev/arkiv/ID
(an issue's web version) and /nyhedsbrev/arkiv/atom.xml (the feed)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters.wiring import newsletter, newsletter_archive
from shared.edge.http import (
    BODY_REFUSALS,
    DOCUMENTED_ONLY,
    Body,
    Query,
    Response,
    StatusAnswer,
    create_resolver,
    json_response,
    responses,
    see_other,
)
from shared.errors import InvalidLink
from shared.links import ARCHIVE_PATH, page_link
from shared.newsletter.models import SubscriptionForm
from shared.platform import snapstart
from shared.platform.clock import utcnow
from shared.platform.observability import logger, metrics
from shared.platform.settings import NewsletterSettings

settings = NewsletterSettings()  # type: ignore[call-arg]
app = create_resolver()
ACCEPTED = {"status": "pending",
            "message": "Tjek din mail og bekræft tilmeldingen via linket."}


class TokenRequest(BaseModel):
    token: str = Field(min_length=10, max_length=1000)


class PendingAnswer(BaseModel):
    model_config = DOCUMENTED_ONLY

    status: str
    message: str


@app.post("/api/newsletter/subscriptions",
          responses=responses({202: PendingAnswer}, *BODY_REFUSALS))
def subscribe(form: Annotated[SubscriptionForm, Body()]) -> Response[Any]:
    if not form.is_bot:
        newsletter(settings).subscribe(form)
        metrics.add_metric(name="NewsletterSignup", unit=MetricUnit.Count, value=1)
    return json_response(202, ACCEPTED)  # the same answer for new, pending and subscribed


@app.post("/api/newsletter/confirm", responses=responses({200: StatusAnswer}, *BODY_REFUSALS))
def confirm(request: Annotated[TokenRequest, Body()]) -> dict[str, str]:
    status = newsletter(settings).confirm(request.token)
    metrics.add_metric(name="NewsletterConfirmed", unit=MetricUnit.Count, value=1)
    return {"status": status.value}


@app.post("/api/newsletter/unsubscribe",
          responses=responses({200: StatusAnswer}, *BODY_REFUSALS))
def unsubscribe(token: Annotated[str, Query(min_length=10, max_length=1000)] = "") -> Any:
    if not token:
        raise InvalidLink()
    status = newsletter(settings).unsubscribe(token)
    metrics.add_metric(name="NewsletterUnsubscribed", unit=MetricUnit.Count, value=1)
    return {"status": status.value}


@app.get("/api/newsletter/unsubscribe", responses={**responses({}, 422), 303: {
    "description": "To the unsubscribe page for the token, which acts on its button",
    "content": {"text/html": {}}}})
def unsubscribe_page(token: Annotated[str, Query(max_length=1000)] = "") -> Response[Any]:
    """The List-Unsubscribe URL opened in a browser or by a mail scanner: changes nothing,
    leads to the page that unsubscribes when its button is pressed."""
    # The page reads the token from the fragment, which the browser keeps through the
    # redirect and never sends on.
    return see_other(page_link("afmeld-nyhedsbrev.html", token) if token
                     else "/afmeld-nyhedsbrev.html")


# The archive is public and the same for everyone: caches may keep it a few minutes.
ARCHIVE_CACHE = "public, max-age=300"


def _page(status: int, body: str | bytes, content_type: str) -> Response[Any]:
    return Response(status_code=status, content_type=content_type, body=body,
                    headers={"Cache-Control": ARCHIVE_CACHE})


@app.get(ARCHIVE_PATH, include_in_schema=False)
def archive() -> Response[Any]:
    """The sent issues' subjects and days, newest first, each linking to its web version."""
    html = newsletter_archive(settings.newsletter_table_name, settings.public_url).index_page()
    return _page(200, html, "text/html; charset=utf-8")


@app.get(f"{ARCHIVE_PATH}/atom.xml", include_in_schema=False)
def archive_feed() -> Response[Any]:
    feed = newsletter_archive(settings.newsletter_table_name, settings.public_url).feed(utcnow())
    return _page(200, feed.decode("utf-8"), "application/atom+xml; charset=utf-8")


@app.get(f"{ARCHIVE_PATH}/<issue_id>", include_in_schema=False)
def archive_issue(issue_id: str) -> Response[Any]:
    """An issue's web version: its own HTML in the site's frame, nobody's link in it."""
    from shared.errors import NotFound

    try:
        html = newsletter_archive(settings.newsletter_table_name,
                                  settings.public_url).issue_page(issue_id)
    except NotFound:
        page = ('<!doctype html><html lang="da"><meta charset="utf-8"><title>Ikke fundet</title>'
                '<link rel="stylesheet" href="/style.css"><main><h1>Nummeret findes ikke i '
                f'arkivet</h1><p><a href="{ARCHIVE_PATH}/">Til nyhedsbrevets arkiv</a></p>'
                '</main></html>')
        return Response(status_code=404, content_type="text/html; charset=utf-8", body=page)
    return _page(200, html, "text/html; charset=utf-8")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sqs"), steps=("shared.forms:prime",))
