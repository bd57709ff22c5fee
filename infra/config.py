"""Deployment configuration, read from cdk.json context (`leaders:config`) and validated once.

Override any key on the command line: `cdk deploy -c leaders:account=123456789012` or edit
cdk.json. The account defaults to CDK_DEFAULT_ACCOUNT when the CLI knows credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ROOT = Path(__file__).resolve().parent.parent
CONTEXT_KEY = "leaders:config"


class DeployConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str = Field(pattern=r"^\d{12}$")
    # An EU region: membership of a union is special-category data (GDPR art. 9).
    region: str = Field(pattern=r"^eu-[a-z]+-\d$")
    sender_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    api_rate_limit: int = Field(ge=1)
    api_burst_limit: int = Field(ge=1)
    form_rate_limit: int = Field(ge=1)
    form_burst_limit: int = Field(ge=1)
    waf_requests_per_5_minutes: int = Field(ge=100)
    log_retention_days: Literal[14, 30, 90, 180, 365]
    # Where the pages are served; links in emails start with it.
    public_url: str = Field(pattern=r"^https://[^/\s]+$")
    reminder_days_before: int = Field(ge=1, le=30)
    reminder_schedule: str = Field(pattern=r"^(cron|rate)\(.+\)$")
    registration_retention_days: int = Field(ge=1)
    # The leader consultant, as emails name them (configuration, never code).
    consultant_name: str = Field(min_length=1)
    consultant_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    consultant_phone: str = Field(min_length=8)
    advisory_retention_days: int = Field(ge=1)
    # The newsletter goes out about every second month; SES's MaxSendRate of the account.
    newsletter_schedule: str = Field(pattern=r"^(cron|rate)\(.+\)$")
    ses_max_send_rate: float = Field(gt=0)


def cdk_context() -> dict[str, Any]:
    """The `context` of cdk.json (plain `App()` does not read it when run without the CLI)."""
    return dict(json.loads((ROOT / "cdk.json").read_text())["context"])


def load_config(context: dict[str, Any]) -> DeployConfig:
    values = dict(context[CONTEXT_KEY])
    for key in DeployConfig.model_fields:
        override = context.get(f"leaders:{key}")
        if override is not None:
            values[key] = override
    if os.environ.get("CDK_DEFAULT_ACCOUNT") and "leaders:account" not in context:
        values["account"] = os.environ["CDK_DEFAULT_ACCOUNT"]
    return DeployConfig.model_validate(values)
