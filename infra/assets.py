"""What the functions are made of, built offline without Docker.

- the code: `functions/` and `shared/` copied into one asset folder;
- the dependencies layer: the project's run-time dependencies (pyproject `[project]
  dependencies`) installed for Lambda's platform (arm64, CPython 3.13) with pip's
  `--platform`.

Both ship with byte code compiled by the Lambda runtime's Python version with hash-based
invalidation (`unchecked-hash`). `/opt` and `/var/task` are read-only in Lambda, so without
it every cold start compiles every module it imports; and timestamp-based `.pyc` would be
stale there, because the CDK CLI zips every file with a 1980 timestamp. Each folder is
cached under a key of its inputs, the compiling Python's version and the invalidation mode."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from infra.config import ROOT

BUILD = ROOT / ".build"
LAMBDA_PYTHON = "3.13"
LAMBDA_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
CODE_PACKAGES = ("functions", "shared")
INVALIDATION_MODE = "unchecked-hash"
# Where the folders are mounted in Lambda: the paths tracebacks show.
CODE_MOUNT, LAYER_MOUNT = "/var/task", "/opt/python"
ENV_LAMBDA_PYTHON = "LAMBDA_PYTHON"  # a Python 3.13 interpreter, when not found otherwise
_STALE_AFTER_SECONDS = 3600


def runtime_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"])


@cache
def lambda_python() -> tuple[str, str]:
    """An interpreter of the Lambda runtime's Python version and its full version: from
    $LAMBDA_PYTHON, this one, `python3.13` on the PATH, or pyenv's versions."""
    candidates = [os.environ.get(ENV_LAMBDA_PYTHON, ""), sys.executable,
                  shutil.which(f"python{LAMBDA_PYTHON}")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        versions = sorted(Path(root, "versions").glob(f"{LAMBDA_PYTHON}.*"), reverse=True)
        candidates += [str(v / "bin" / "python3") for v in versions]
    for candidate in filter(None, candidates):
        found = subprocess.run(
            [candidate, "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True)
        version = found.stdout.strip()
        if found.returncode == 0 and version.rpartition(".")[0] == LAMBDA_PYTHON:
            return candidate, version
    raise RuntimeError(
        f"Building the Lambda assets needs Python {LAMBDA_PYTHON} (the runtime's version) to "
        f"compile their byte code: install it (e.g. `pyenv install {LAMBDA_PYTHON}`) or set "
        f"{ENV_LAMBDA_PYTHON}=/path/to/python{LAMBDA_PYTHON}.")


def compile_bytecode(directory: Path, mount: str) -> None:
    """`.pyc` next to every module, valid wherever the folder is mounted (no timestamps)."""
    python, _ = lambda_python()
    result = subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", INVALIDATION_MODE,
         "-s", str(directory), "-p", mount, str(directory)],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("compiling byte code failed:\n" + result.stdout + result.stderr)


def _key(*parts: str | bytes) -> str:
    _, version = lambda_python()
    digest = hashlib.sha256(f"{version}\n{INVALIDATION_MODE}\n".encode())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _built(name: str, key: str, build: Callable[[Path], None]) -> Path:
    """BUILD/name-key, built once into a staging folder and renamed when complete (parallel
    builds of the same key are harmless); folders of other keys unused for an hour go."""
    target = BUILD / f"{name}-{key}"
    if not target.is_dir():
        staging = BUILD / f"{name}-{key}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        build(staging)
        try:
            staging.rename(target)
        except OSError:  # built meanwhile by another process
            shutil.rmtree(staging, ignore_errors=True)
    for old in BUILD.glob(f"{name}-*"):
        if old != target and time.time() - old.stat().st_mtime > _STALE_AFTER_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    os.utime(target)
    return target


def _sources() -> Iterable[Path]:
    for package in CODE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and not _ignored(path.relative_to(ROOT)):
                yield path


def _ignored(relative: Path) -> bool:
    return any(p in ("__pycache__", ".mypy_cache") for p in relative.parts) or (
        relative.suffix == ".pyc")


def function_code_dir() -> Path:
    """The packages every function imports (handlers resolve from its root), compiled."""
    files = list(_sources())
    key = _key(*(part for path in files
                 for part in (str(path.relative_to(ROOT)), path.read_bytes())))

    def build(staging: Path) -> None:
        for path in files:
            copy = staging / path.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        compile_bytecode(staging, CODE_MOUNT)

    return _built("function-code", key, build)


def dependencies_layer_dir() -> Path:
    """The run-time dependencies for Lambda's platform (arm64), compiled."""
    deps = sorted(runtime_dependencies())
    return _layer("layer", deps, LAMBDA_PLATFORMS, resolve=True)


def local_layer_dir(layer: Path) -> Path:
    """The same distributions as `layer`, at the same versions, for this machine's platform:
    the layer as it runs here (its native wheels, e.g. pydantic-core, are arm64)."""
    pins = sorted(f"{d.name.removesuffix('.dist-info').rpartition('-')[0]}=="
                  f"{d.name.removesuffix('.dist-info').rpartition('-')[2]}"
                  for d in (layer / "python").glob("*.dist-info"))
    machine = platform.machine()
    return _layer("local-layer", pins, (f"manylinux2014_{machine}", f"manylinux_2_28_{machine}"),
                  resolve=False)


def _layer(name: str, requirements: list[str], platforms: Iterable[str], *,
           resolve: bool) -> Path:
    platforms = tuple(platforms)
    key = _key(LAMBDA_PYTHON, *platforms, *requirements)

    def build(staging: Path) -> None:
        result = subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
                "--disable-pip-version-check",
                "--target", str(staging / "python"),
                *(arg for platform in platforms for arg in ("--platform", platform)),
                "--implementation", "cp",
                "--python-version", LAMBDA_PYTHON,
                "--only-binary=:all:",
                *([] if resolve else ["--no-deps"]),
                *requirements,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            errors = [line for line in result.stderr.splitlines() if "is ignored" not in line]
            raise RuntimeError("building the dependencies layer failed:\n" + "\n".join(errors))
        compile_bytecode(staging / "python", LAYER_MOUNT)

    return _built(name, key, build)
