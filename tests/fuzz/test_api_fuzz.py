"""Schemathesis against `make run`: generated requests for every operation of the committed
OpenAPI document, no 5xx and no answer outside the document. `make bench` runs the same with
many more cases (BENCHMARKS.md)."""

from __future__ import annotations

import pytest

from bench.api_fuzz import fuzz
from local.synth import ROOT
from tests.e2e.conftest import Running, serve

pytestmark = pytest.mark.e2e
runtime = pytest.fixture(scope="package", name="runtime")(serve)
EXAMPLES = 8  # a few hundred cases; the full run is in `make bench`


def test_generated_requests_get_documented_answers_and_no_server_error(runtime: Running) -> None:
    result = fuzz(runtime.url, EXAMPLES, ROOT / "test-artifacts" / "schemathesis.xml")
    assert result["operations"] == 8
    assert result["cases"] >= 100, result["summary"]
    assert result["failures"] == [], result["summary"]
    assert result["exit_code"] == 0, result["summary"]
