"""Deployment configuration, read from cdk.json context (`leaders:config`) and validated once.

Override any key on the command line: `cdk deploy -c leaders:KEY=VALUE` (the CDK CLI passes
every value as a string; lists as JSON or comma-separated) or edit cdk.json. The account
defaults to CDK_DEFAULT_ACCOUNT when the CLI knows credentials."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.platform import defaults

ROOT = Path(__file__).resolve().parent.parent
CONTEXT_KEY = "leaders:config"
EMAIL = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
# The services the stack deploys into its region, by their endpoint names in AWS's endpoint
# data (botocore's endpoints.json): SES is `email`, CloudWatch is `monitoring`.
REGIONAL_SERVICES = ("email", "scheduler", "wafv2", "apigateway", "lambda", "kms", "sqs",
                     "dynamodb", "secretsmanager", "sns", "ssm", "logs", "monitoring", "s3")


@cache
def _aws_endpoints() -> dict[str, Any]:
    """The `aws` partition of the endpoint data AWS publishes with botocore."""
    import botocore

    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    return dict(next(p for p in data["partitions"] if p["partition"] == "aws"))


def missing_services(region: str) -> list[str]:
    """The regional services of the stack that have no endpoint in `region`."""
    services = _aws_endpoints()["services"]
    return [s for s in REGIONAL_SERVICES if region not in services.get(s, {}).get("endpoints", {})]


def eu_regions_with_every_service() -> list[str]:
    """EU regions where every regional service of the stack has an endpoint."""
    return sorted(region for region in _aws_endpoints()["regions"]
                  if region.startswith("eu-") and not missing_services(region))


class DeployConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str = Field(pattern=r"^\d{12}$")
    # An EU region: membership of a union is special-category data (GDPR art. 9).
    region: str
    sender_address: str = Field(pattern=EMAIL)
    # The custom MAIL FROM subdomain of the sender's domain (bounces come back there; SPF).
    mail_from_subdomain: str = Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
    # Who gets the alarms (SNS mails a confirmation link first).
    alarm_email: str = Field(pattern=EMAIL)
    api_rate_limit: int = Field(ge=1)
    api_burst_limit: int = Field(ge=1)
    form_rate_limit: int = Field(ge=1)
    form_burst_limit: int = Field(ge=1)
    # The regional web ACL in front of the API (a fixed monthly cost; see docs/costs.md).
    waf_enabled: bool
    waf_requests_per_5_minutes: int = Field(ge=10)
    # With the web ACL: the 16 KB body rule and AWS's common rule set (three rules more, $3 a
    # month). Off by default (the bill's cap): the web ACL keeps the origin lock and the
    # per-address rate limit, and the functions refuse bodies over 16 KB and validate every
    # field themselves.
    waf_managed_rules: bool = False
    # `account`: one alarm on every function error of the account (Lambda's Errors metric
    # without a dimension; the dashboard shows which function). `each`: one alarm per
    # function, which names it (14 alarms more, $1.40 a month). Dead-letter alarms: always.
    function_error_alarms: Literal["account", "each"] = "account"
    log_retention_days: Literal[14, 30, 90, 180, 365]
    # Where the pages are served: "" for the distribution's own https://xxxx.cloudfront.net,
    # or https://DOMAIN with `certificate_arn`, an ACM certificate for DOMAIN in us-east-1.
    # Links in emails start with it, so it must be a name the distribution serves.
    public_url: str = Field(pattern=r"^(https://[a-z0-9.-]+\.[a-z]{2,})?$")
    certificate_arn: str = Field(
        pattern=r"^(arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36})?$")
    reminder_days_before: int = Field(default=defaults.REMINDER_DAYS_BEFORE, ge=1, le=30)
    reminder_schedule: str = Field(pattern=r"^(cron|rate)\(.+\)$")
    registration_retention_days: int = Field(default=defaults.REGISTRATION_RETENTION_DAYS, ge=1)
    # The owner confirms a registration by a link valid this long; one such email per interval.
    registration_confirm_link_hours: int = Field(
        default=defaults.REGISTRATION_CONFIRM_LINK_HOURS, ge=1, le=336)
    registration_mail_interval_minutes: int = Field(
        default=defaults.REGISTRATION_MAIL_INTERVAL_MINUTES, ge=0, le=1440)
    # The leader consultant, as emails name them (configuration, never code).
    consultant_name: str = Field(min_length=1)
    consultant_email: str = Field(pattern=EMAIL)
    consultant_phone: str = Field(min_length=8)
    # Working days within which the consultant answers (the sender's receipt says so).
    consultant_reply_days: int = Field(default=defaults.CONSULTANT_REPLY_DAYS, ge=1, le=30)
    # The association's contact address: at the end of every email, on the privacy page
    # (where to ask for an export or erasure) and on landing pages whose link failed.
    contact_email: str = Field(pattern=EMAIL)
    # Who may assume the ConsultantRole (and so decrypt advisory requests): IAM ARNs in this
    # account, or `role/NAME` / `user/NAME` short for them; `*` wildcards allowed.
    consultant_principals: tuple[str, ...] = Field(min_length=1)
    advisory_retention_days: int = Field(default=defaults.ADVISORY_RETENTION_DAYS, ge=1)
    # The newsletter goes out about every second month (a cron expression in Copenhagen time,
    # so the editor can be told the date of the next send); SES's MaxSendRate of the account.
    newsletter_schedule: str = Field(pattern=r"^cron\(.+\)$")
    ses_max_send_rate: float = Field(gt=0)
    # At most one newsletter confirmation email per address per this many minutes.
    newsletter_confirm_interval_minutes: int = Field(
        default=defaults.NEWSLETTER_CONFIRM_INTERVAL_MINUTES, ge=1, le=1440)
    # Staff sign in to the console with a TOTP app as their second factor (required); false
    # makes TOTP optional (each user may still enrol), e.g. for a test deployment.
    staff_mfa: bool = True
    # The staff pool mails (invitations in Danish with the console's link, verification codes)
    # through the stack's SES identity and configuration set. Cognito accepts that only once
    # the sender's domain is verified in SES, so a fresh account deploys first without it
    # (Cognito's own sender and default English texts), publishes the DNS records, and
    # deploys again with it on before anyone is invited (docs/operations.md, Deploy).
    staff_email_through_ses: bool = False
    # Cognito threat protection: `audit` assesses and logs every sign-in's risk and acts on
    # none (AWS advises two weeks or more of it first); `enforced` blocks compromised
    # credentials and high-risk sign-ins (the risk configuration; low and medium: no action).
    staff_threat_protection: Literal["audit", "enforced"] = "audit"
    # Lambda SnapStart for these functions (service names, e.g. `advisory-intake`), each
    # invoked through its alias `live`; a cache fee per function (see docs/costs.md). Empty: none.
    snap_start: tuple[str, ...] = ()

    @field_validator("snap_start")
    @classmethod
    def _known_services(cls, services: tuple[str, ...]) -> tuple[str, ...]:
        from shared.platform import names

        known = {v for k, v in vars(names).items() if k.startswith("SERVICE_")}
        unknown = sorted(set(services) - known)
        if unknown:
            raise ValueError(f"unknown functions {', '.join(unknown)}; "
                             f"choose from {', '.join(sorted(known))}")
        return services

    @field_validator("newsletter_schedule")
    @classmethod
    def _schedule_fires(cls, expression: str) -> str:
        from datetime import UTC, datetime

        from shared.schedule_expressions import InvalidExpression, next_fire

        try:
            fires = next_fire(expression, "Europe/Copenhagen", datetime.now(UTC))
        except (InvalidExpression, ValueError) as exc:
            raise ValueError(f"{expression} is not a cron expression this stack reads "
                             f"(minutes hours day-of-month month day-of-week year): {exc}") \
                from None
        if fires is None:
            raise ValueError(f"{expression} never fires in the next five years")
        return expression

    @field_validator("region")
    @classmethod
    def _region_has_every_service(cls, region: str) -> str:
        allowed = eu_regions_with_every_service()
        if region in allowed:
            return region
        if not region.startswith("eu-"):
            raise ValueError(
                f"{region} is not an EU region; membership of a union is special-category data "
                f"(GDPR art. 9), so the stack deploys only to one of {', '.join(allowed)}")
        missing = missing_services(region)
        raise ValueError(
            f"{region} lacks {', '.join(missing) or 'services'} of this stack "
            f"(e.g. `email` is Amazon SES); choose one of {', '.join(allowed)}")

    @field_validator("public_url", mode="before")
    @classmethod
    def _site_address_as_written(cls, value: object) -> object:
        """`https://Tilmelding.Example.dk/` (as the SiteUrl output shows an address) is the same
        name as `https://tilmelding.example.dk`; links append their own path to it."""
        return value.strip().rstrip("/").lower() if isinstance(value, str) else value

    @field_validator("consultant_principals")
    @classmethod
    def _principal_arns(cls, principals: tuple[str, ...]) -> tuple[str, ...]:
        for principal in principals:
            if not (principal.startswith("arn:aws:iam::") or principal.startswith(
                    ("role/", "user/"))):
                raise ValueError(f"{principal}: give an IAM ARN or role/NAME or user/NAME")
        return principals

    @model_validator(mode="after")
    def _domain_needs_certificate(self) -> DeployConfig:
        if bool(self.public_url) != bool(self.certificate_arn):
            raise ValueError(
                "public_url and certificate_arn go together: a custom domain needs an ACM "
                "certificate in us-east-1 (CloudFront's region for certificates); leave both "
                "empty to use the distribution's own cloudfront.net address")
        return self

    @property
    def domain_name(self) -> str | None:
        """The custom domain the distribution serves, when one is configured."""
        return self.public_url.removeprefix("https://") or None

    @property
    def sender_domain(self) -> str:
        return self.sender_address.rsplit("@", 1)[1]

    @property
    def mail_from_domain(self) -> str:
        return f"{self.mail_from_subdomain}.{self.sender_domain}"

    def principal_arns(self, principals: tuple[str, ...]) -> list[str]:
        return [p if p.startswith("arn:") else f"arn:aws:iam::{self.account}:{p}"
                for p in principals]


def cdk_context() -> dict[str, Any]:
    """The `context` of cdk.json (plain `App()` does not read it when run without the CLI)."""
    return dict(json.loads((ROOT / "cdk.json").read_text())["context"])


def config_keys() -> list[str]:
    """Every `-c leaders:KEY=VALUE` the app reads."""
    return [f"leaders:{key}" for key in DeployConfig.model_fields]


def load_config(context: dict[str, Any]) -> DeployConfig:
    values = dict(context[CONTEXT_KEY])
    for key, field in DeployConfig.model_fields.items():
        override = context.get(f"leaders:{key}")
        if override is None:
            continue
        if isinstance(override, str) and field.annotation == tuple[str, ...]:
            text = override.strip()
            override = json.loads(text) if text.startswith("[") else [
                part.strip() for part in text.split(",") if part.strip()]
        values[key] = override
    if os.environ.get("CDK_DEFAULT_ACCOUNT") and "leaders:account" not in context:
        values["account"] = os.environ["CDK_DEFAULT_ACCOUNT"]
    return DeployConfig.model_validate(values)
