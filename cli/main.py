"""`leaders`: one command with a group per area. It talks to AWS with the usual credentials,
or to the local runtime when AWS_ENDPOINT_URL points at its emulator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from shared.errors import InvalidInput


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _read_file(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"Kan ikke læse {path}: {exc.strerror}")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        _fail(f"{path} er ikke gyldig YAML/JSON: {exc}")


@click.group()
def main() -> None:
    """Leaders of leaders: operator commands."""


@main.group()
def forums() -> None:
    """Forums and their sessions."""


def _catalogue() -> Any:
    from cli.resources import catalogue

    return catalogue()


@forums.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def forums_import(file: Path) -> None:
    """Create or update forums and sessions from a YAML or JSON FILE (safe to run again)."""
    data = _read_file(file)
    if not isinstance(data, dict):
        _fail(f"{file}: forventede en fil med 'forums:' øverst.")
    try:
        result = _catalogue().import_file(data)
    except InvalidInput as exc:
        lines = [f"  {e.field}: {e.message} ({e.code})" for e in exc.errors]
        _fail(f"{file} blev ikke indlæst; ret disse felter:\n" + "\n".join(lines))
    click.echo(f"Indlæst: {result.forums} forum, {result.sessions} sessioner.")


@forums.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON as the public API shows it.")
def forums_list(as_json: bool) -> None:
    """List forums with their upcoming sessions and seats left."""
    listing = _catalogue().list_forums()
    if as_json:
        click.echo(listing.model_dump_json(indent=2))
        return
    if not listing.forums:
        click.echo("Ingen kommende forum.")
    for forum in listing.forums:
        click.echo(f"{forum.id}  {forum.title}  [{forum.audience.value}]")
        for s in forum.sessions:
            click.echo(f"  {s.id:<36} {s.city:<12} {s.starts_at}  "
                       f"{s.seats_left:>3}/{s.capacity:<3} {s.status.value}")


def run() -> None:
    """The console entry: AWS problems become one clear line instead of a traceback."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        main()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        _fail(f"AWS svarede {error.get('Code', 'fejl')}: {error.get('Message', '')}")
    except BotoCoreError as exc:
        _fail(f"Kunne ikke tale med AWS: {exc}")


if __name__ == "__main__":
    run()
