"""What the functions are made of, built offline without Docker.

- the code: `functions/` and `shared/` copied into one asset folder;
- the dependencies layer: the project's run-time dependencies (pyproject `[project]
  dependencies`) installed for Lambda's platform (arm64, CPython 3.13) with pip's
  `--platform`, cached by a hash of the dependency list."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from infra.config import ROOT

BUILD = ROOT / ".build"
LAMBDA_PYTHON = "3.13"
LAMBDA_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
CODE_PACKAGES = ("functions", "shared")


def runtime_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"])


def function_code_dir() -> Path:
    """A fresh copy of the packages every function imports (handlers resolve from its root)."""
    target = BUILD / "function-code"
    if target.exists():
        shutil.rmtree(target)
    for package in CODE_PACKAGES:
        shutil.copytree(
            ROOT / package,
            target / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache"),
        )
    return target


def dependencies_layer_dir() -> Path:
    deps = sorted(runtime_dependencies())
    key = hashlib.sha256(
        "\n".join([LAMBDA_PYTHON, *LAMBDA_PLATFORMS, *deps]).encode()
    ).hexdigest()[:16]
    target = BUILD / f"layer-{key}"
    if (target / "python").is_dir():
        return target
    staging = BUILD / f"layer-{key}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    result = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
            "--disable-pip-version-check",
            "--target", str(staging / "python"),
            *(arg for platform in LAMBDA_PLATFORMS for arg in ("--platform", platform)),
            "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON,
            "--only-binary=:all:",
            *deps,
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if "is ignored" not in line]
        raise RuntimeError("building the dependencies layer failed:\n" + "\n".join(errors))
    for junk in (staging / "python").glob("**/__pycache__"):
        shutil.rmtree(junk, ignore_errors=True)
    staging.rename(target)
    return target
