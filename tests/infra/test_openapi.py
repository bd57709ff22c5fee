"""The committed OpenAPI document is the one the API functions generate, and covers every route."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from local.synth import ROOT


def test_committed_openapi_document_is_current(plan: Any) -> None:
    generated = subprocess.run([sys.executable, "-m", "local.openapi"], cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=120).stdout
    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert json.loads(generated) == json.loads(committed), (
        "docs/openapi.json is stale: python -m local.openapi > docs/openapi.json")
    operations = {(method.upper(), path) for path, item in json.loads(committed)["paths"].items()
                  for method in item}
    # The API's routes; the site's pages the API renders (the newsletter's archive) aside.
    assert operations == {(r.method, r.path) for r in plan.routes if r.path.startswith("/api")}
