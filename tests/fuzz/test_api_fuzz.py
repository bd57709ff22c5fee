"""Schemathesis against `make run`: generated requests for every operation of the committed
OpenAPI document, no 5xx and no answer outside the document; with the edges clients really
send (tests/fuzz/hooks.py): media types in upper or mixed case, JSON integers longer than
Python reads, and multipart/form-data. `make bench` runs the same with many more cases
(BENCHMARKS.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.api_fuzz import DOCUMENT, fuzz
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
    # The staff routes with a valid token of the secretariat's demo user (without one, every
    # case would stop at the authorizer's 401).
    from tests.e2e.test_staff import sign_in

    email, password = re.findall(r"^staff secretariat: (\S+) (\S+)$",
                                 runtime.output.read_text(), re.MULTILINE)[0]
    token = sign_in(runtime, email, password)[1]["AuthenticationResult"]["IdToken"]
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
