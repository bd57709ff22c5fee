"""`leaders privacy`: data-protection requests for one email address (export, erase),
audited."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli.common import fail
from cli.prompts import confirm


@click.group()
def privacy() -> None:
    """Data-protection requests for one email address."""


AREAS = ("forums", "newsletter", "advisory")
AREA_OPTION = click.option(
    "--area", "areas", multiple=True, type=click.Choice(AREAS),
    help="Only these areas (default: all). Advisory needs the consultant's role.")


def _privacy_service(areas: tuple[str, ...]) -> Any:
    from cli.resources import privacy as build

    return build(areas or AREAS)


def _not_searched(skipped: list[str]) -> None:
    """Areas the caller may not read: said plainly, and a non-zero exit for scripts."""
    if skipped:
        from shared.privacy.models import Unreadable

        click.echo(f"Ikke søgt: {', '.join(skipped)}. {Unreadable.message}", err=True)
        sys.exit(2)


@privacy.command("export")
@click.argument("email")
@AREA_OPTION
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the JSON to this file (default: print it).")
def privacy_export(email: str, areas: tuple[str, ...], out: Path | None) -> None:
    """Everything held about EMAIL across forums, newsletter and advisory, as JSON."""
    _email_or_fail(email)
    data, report = _privacy_service(areas).export(email)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        counts = ", ".join(f"{area} {n}" for area, n in report.counts.items())
        click.echo(f"Skrevet til {out}: {counts}.")
    _not_searched(report.skipped)
    _nothing_held(email, report.counts)


@privacy.command("erase")
@click.argument("email")
@AREA_OPTION
@click.option("--yes", is_flag=True, help="Do not ask before erasing.")
def privacy_erase(email: str, areas: tuple[str, ...], yes: bool) -> None:
    """Delete everything held about EMAIL (a coming seat is given up first). Anonymous totals
    stay; an audit record without personal data is kept. Safe to run again."""
    _email_or_fail(email)
    if not yes and not confirm(f"Slet alle oplysninger om {email}? Det kan ikke fortrydes."):
        fail("Intet er slettet.")
    report = _privacy_service(areas).erase(email)
    counts = ", ".join(f"{area} {n}" for area, n in report.counts.items())
    click.echo(f"Slettet: {counts}. Revisionsspor: {report.request_id}.")
    if not any(report.counts.values()):  # a second run is safe: it says so and succeeds
        click.echo(f"Der fandtes ingen oplysninger om {email}.")
    _not_searched(report.skipped)


def _email_or_fail(email: str) -> None:
    from pydantic import TypeAdapter, ValidationError

    from shared.forms import Email

    try:
        TypeAdapter(Email).validate_python(email)
    except ValidationError:
        fail(f"'{email}' er ikke en e-mailadresse.")


def _nothing_held(email: str, counts: dict[str, int]) -> None:
    """Nothing found about the address: said plainly, and a non-zero exit for scripts."""
    if not any(counts.values()):
        fail(f"Der findes ingen oplysninger om {email} ({', '.join(counts)}).")
