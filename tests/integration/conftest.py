"""Handlers called in this process, against the emulator with the resources of the template."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from local.authorizer import CognitoAuthorizers, authorize
from local.emulator import Emulator
from local.functions import LocalContext
from local.gateway import Gateway
from local.plan import Plan
from shared.adapters.aws import reset_clients


class Api:
    """API Gateway in front of the template's functions, each imported with its own env."""

    def __init__(self, plan: Plan, emulator: Emulator) -> None:
        self.plan = plan
        self.emulator = emulator
        self.gateway = Gateway(plan.routes, plan.gateway_responses)
        self.authorizers = CognitoAuthorizers(plan, emulator)

    def environment(self, logical_id: str) -> dict[str, str]:
        spec = self.plan.functions[logical_id]
        resolved = self.emulator.resolve(spec.environment)
        return {k: str(v) for k, v in resolved.items()} | {"POWERTOOLS_TRACE_DISABLED": "true"}

    def handler(self, logical_id: str) -> Any:
        os.environ.update(self.environment(logical_id))
        module_name, _, attribute = self.plan.functions[logical_id].handler.rpartition(".")
        sys.modules.pop(module_name, None)  # a fresh execution environment
        return getattr(importlib.import_module(module_name), attribute)

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        match = self.gateway.match(method, path.split("?")[0])
        if match is None:
            status, data = self.gateway.gateway_response("MISSING_AUTHENTICATION_TOKEN", 403)
            return status, json.loads(data)
        raw = body if isinstance(body, str) else (json.dumps(body) if body is not None else "")
        event = self.gateway.event(match, method, path, headers or {}, raw.encode(), "127.0.0.1")
        if not authorize(self.authorizers, match.route.authorizer, headers or {}, event):
            status, data = self.gateway.gateway_response("UNAUTHORIZED", 401)
            return status, json.loads(data)
        handler = self.handler(match.route.function)
        result = handler(event, LocalContext(match.route.function, 512, 10, "eu-north-1"))
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


@pytest.fixture(scope="module")
def emulator(plan: Plan) -> Iterator[Emulator]:
    aws = Emulator("eu-north-1")
    aws.start()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in aws.environment.items():
            patch.setenv(key, value)
        reset_clients()
        aws.build(plan)
        yield aws
        reset_clients()
    aws.stop()


@pytest.fixture
def api(plan: Plan, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Api:
    for key in ("FORUMS_TABLE_NAME",):
        monkeypatch.delenv(key, raising=False)
    return Api(plan, emulator)
