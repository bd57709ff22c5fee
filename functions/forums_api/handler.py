"""Public read API of the forum catalogue: GET /api/forums and GET /api/forums/{forum_id}."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.wiring import catalogue_service
from shared.edge.http import create_resolver, responses
from shared.errors import NotFound
from shared.forums.models import SLUG, ForumList, ForumView
from shared.platform import snapstart
from shared.platform.observability import logger, metrics
from shared.platform.settings import ForumsApiSettings

settings = ForumsApiSettings()  # type: ignore[call-arg]
catalogue = catalogue_service(settings.forums_table_name)
app = create_resolver()


@app.get("/api/forums", responses=responses({200: ForumList}, 422))
def list_forums() -> ForumList:
    return catalogue.list_forums()


@app.get("/api/forums/<forum_id>", responses=responses({200: ForumView}, 404, 422))
def get_forum(forum_id: str) -> ForumView:
    if not re.fullmatch(SLUG, forum_id):
        raise NotFound("Forummet findes ikke.", code="forum_not_found")
    return catalogue.get_forum(forum_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb",))
