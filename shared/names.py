"""One place for names shared by infra, functions, the CLI, the local runtime and tests."""

from __future__ import annotations

STACK_NAME = "LeadersOfLeaders"
APP_NAME = "leaders-of-leaders"

# Environment variables given to the functions by the stack.
ENV_FORUMS_TABLE = "FORUMS_TABLE_NAME"
ENV_SENDER_ADDRESS = "SENDER_ADDRESS"
ENV_CONFIGURATION_SET = "SES_CONFIGURATION_SET"
ENV_MAX_BODY_BYTES = "MAX_BODY_BYTES"

# SSM parameters the stack writes so that the operator CLI finds its resources, in AWS and locally.
PARAMETER_PREFIX = f"/{APP_NAME}"
PARAM_FORUMS_TABLE = f"{PARAMETER_PREFIX}/tables/forums"

# Metrics namespace and service names (Powertools).
METRICS_NAMESPACE = "LeadersOfLeaders"
SERVICE_FORUMS_API = "forums-api"

# Stack outputs.
OUTPUT_SITE_URL = "SiteUrl"
OUTPUT_API_URL = "ApiUrl"

# The secondary index that lists a forum's sessions in time order.
INDEX_SESSIONS_BY_FORUM = "SessionsByForum"
