"""Fixtures every layer of tests shares: the synthesized template, read once per session."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.plan import Plan, build_plan
from local.synth import ensure_synth


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return dict(json.loads(ensure_synth(quiet=True).read_text()))


@pytest.fixture(scope="session")
def plan(template: dict[str, Any]) -> Plan:
    return build_plan(template)
