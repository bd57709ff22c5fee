"""Synthesizes the CDK app into cdk.out, skipped while its inputs are unchanged."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from shared.platform.names import STACK_NAME

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "cdk.out"
STAMP = OUT / ".inputs-sha256"
INPUTS = ("app.py", "cdk.json", "pyproject.toml", "infra", "shared", "functions", "pages")


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def template_path() -> Path:
    return OUT / f"{STACK_NAME}.template.json"


def is_current() -> bool:
    return template_path().is_file() and STAMP.is_file() and STAMP.read_text() == inputs_digest()


def mark_current() -> None:
    STAMP.write_text(inputs_digest())


def ensure_synth(*, quiet: bool = False) -> Path:
    """The synthesized template, synthesizing first when infra, code or pages changed."""
    OUT.mkdir(exist_ok=True)
    with open(OUT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers synthesize once
        return _synth_if_stale(quiet)


def _synth_if_stale(quiet: bool) -> Path:
    if not is_current():
        if not quiet:
            print("Synthesizing the CDK app (cdk.out) …", file=sys.stderr, flush=True)
        env = {**os.environ, "CDK_OUTDIR": str(OUT),
               "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        result = subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit("Synthesis failed:\n" + result.stdout[-4000:] + result.stderr[-4000:])
        mark_current()
    return template_path()


def load_template() -> dict[str, Any]:
    return dict(json.loads(ensure_synth().read_text()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--mark"]:
        mark_current()
    else:
        print(ensure_synth())
