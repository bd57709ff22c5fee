"""Schemathesis against `make run`: generated requests for every operation of the committed
OpenAPI document, no 5xx and no answer outside the document; with the edges clients really
send (tests/fuzz/hooks.py): media types in upper or mixed case, JSON integers longer than
Python reads, and multipart/form-data. `make bench` runs the same with many more cases
(BENCHMARKS.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.api_fuzz import DOCUMENT, every_role_token, fuzz
from local.synth import ROOT
from tests.e2e.conftest import Running, serve
from tests.fuzz.hooks import EDGES

pytestmark = pytest.mark.e2e
runtime = pytest.fixture(scope="package", name="runtime")(serve)
EXAMPLES = 8  # a few hundred cases; the full run is in `make bench`


def test_generated_requests_get_documented_answers_and_no_server_error(
        runtime: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tally = tmp_path / "edges.json"
    monkeypatch.setenv("SCHEMATHESIS_HOOKS", "tests.fuzz.hooks")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("FUZZ_EDGE_TALLY", str(tally))
    # The staff routes with a valid token of a user in every group (without one, every case
    # would stop at the authorizer's 401, or at a group check's 403).
    token = every_role_token(runtime.url)
    result = fuzz(runtime.url, EXAMPLES, ROOT / "test-artifacts" / "schemathesis.xml",
                  headers=(f"Authorization: Bearer {token}",))
    operations = sum(len(methods) for methods in
                     json.loads(DOCUMENT.read_text(encoding="utf-8"))["paths"].values())
    assert result["operations"] == operations
    assert result["cases"] >= 100, result["summary"]
    assert result["failures"] == [], result["summary"]
    assert result["exit_code"] == 0, result["summary"]
    sent = json.loads(tally.read_text(encoding="utf-8"))
    assert all(sent.get(edge, 0) > 0 for edge in EDGES), sent
