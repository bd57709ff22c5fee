"""The code asset and the dependencies layer ship byte code for the Lambda runtime's Python,
hash-based and unchecked, so a cold start compiles nothing (Lambda's /var/task and /opt are
read-only, and the CDK CLI zips every file with a 1980 timestamp, which would make
timestamp-based byte code look stale)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.assets import LAMBDA_PYTHON, lambda_python
from local.synth import OUT

# Run by the runtime's Python: its magic number, its source hash.
CHECK = """
import importlib.util, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
checked, wrong = 0, []
for source in sorted(root.rglob("*.py")):
    cached = pathlib.Path(importlib.util.cache_from_source(str(source)))
    data = cached.read_bytes() if cached.is_file() else b""
    flags = int.from_bytes(data[4:8], "little")
    if (data[:4] != importlib.util.MAGIC_NUMBER or flags != 0b01  # hash-based, unchecked
            or data[8:16] != importlib.util.source_hash(source.read_bytes())):
        wrong.append(str(source.relative_to(root)))
    checked += 1
print(json.dumps({"checked": checked, "wrong": wrong[:20], "wrong_count": len(wrong)}))
"""


def _asset_dirs(template: dict[str, Any], kind: str) -> set[Path]:
    """The asset folders of the functions' code or of their layers (not the CDK's own)."""
    resources = template["Resources"]
    ours = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"
            and str(r["Properties"].get("Handler", "")).startswith("functions.")]
    if kind == "code":
        keys = {p["Code"]["S3Key"] for p in ours}
    else:
        layers = {layer["Ref"] for p in ours for layer in p.get("Layers", [])}
        keys = {resources[layer]["Properties"]["Content"]["S3Key"] for layer in layers}
    return {OUT / f"asset.{key.removesuffix('.zip')}" for key in keys}


@pytest.mark.parametrize(("kind", "least"), [("code", 50), ("layer", 1000)])
def test_shipped_assets_carry_unchecked_hash_byte_code(
    template: dict[str, Any], kind: str, least: int
) -> None:
    folders = _asset_dirs(template, kind)
    assert len(folders) == 1, folders  # one code asset and one layer, shared by every function
    python, version = lambda_python()
    assert version.startswith(f"{LAMBDA_PYTHON}.")
    for folder in folders:
        assert folder.is_dir(), folder
        found = json.loads(subprocess.run([python, "-c", CHECK, str(folder)], check=True,
                                          capture_output=True, text=True, timeout=300).stdout)
        assert found["checked"] >= least, found
        assert found["wrong_count"] == 0, found


def test_the_code_asset_imports_only_itself_the_layer_and_the_standard_library(
    template: dict[str, Any]
) -> None:
    """Every import in the shipped code, lazy ones too, finds its package in Lambda: the
    operator's CLI and the local runtime are not shipped, and a function reaching into them
    would fail only in AWS."""
    import ast
    import sys

    (code,) = _asset_dirs(template, "code")
    (layer,) = _asset_dirs(template, "layer")
    shipped = {p.name.removesuffix(".py") for folder in (code, layer / "python")
               for p in folder.iterdir() if p.suffix in ("", ".py")}
    shipped.add("snapshot_restore_py")  # in Lambda's Python runtimes (SnapStart's hooks)
    missing = set()
    for source in sorted(code.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.module
                     and not node.level else [])
            missing |= {(str(source.relative_to(code)), name) for name in names
                        if name.split(".")[0] not in shipped | sys.stdlib_module_names}
    assert not missing, sorted(missing)
    assert not (code / "cli").exists() and not (code / "local").exists()
