"""What every command group of `leaders` uses: a Danish sentence and exit 1, and reading
a YAML or JSON file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def read_file(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"Kan ikke læse {path}: {exc.strerror}")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        fail(f"{path} er ikke gyldig YAML/JSON: {exc}")
