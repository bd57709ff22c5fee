#!/usr/bin/env python3
"""CDK entry: builds the app from infra/ with cdk-nag's AwsSolutions checks."""

import os
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.config import cdk_context, config_keys, load_config
from infra.stack import LeadersStack
from shared.platform.names import STACK_NAME


def build_app(outdir: str | None = None, overrides: dict[str, Any] | None = None) -> cdk.App:
    """`overrides`: configuration keys as `-c leaders:KEY=VALUE` would give them (tests)."""
    context = {**cdk_context(), **{f"leaders:{k}": v for k, v in (overrides or {}).items()}}
    app = cdk.App(outdir=outdir, context=context)
    # cdk.json's context, then every `-c leaders:KEY=VALUE` given to the CDK CLI.
    merged = {key: app.node.try_get_context(key) for key in [*context, *config_keys()]}
    config = load_config({k: v for k, v in merged.items() if v is not None})
    LeadersStack(
        app,
        STACK_NAME,
        config=config,
        env=cdk.Environment(account=config.account, region=config.region),
        description="Member services for the union's leaders of leaders",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app(os.environ.get("CDK_OUTDIR")).synth()
