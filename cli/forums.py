"""`leaders forums`: import the catalogue, list forums, participants, close, reopen and
cancel a session."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.common import fail
from cli.prompts import confirm
from shared.danish import counted, danish_time
from shared.errors import InvalidInput


def _session_or_fail(session_id: str) -> Any:
    """The session, or a Danish sentence naming the one that does not exist (exit 1)."""
    from cli.resources import catalogue_store

    session = catalogue_store().session(session_id)
    if session is None:
        fail(f"Mødet '{session_id}' findes ikke. 'leaders forums list' viser møderne.")
    return session


@click.group()
def forums() -> None:
    """Forums and their sessions."""


def _catalogue() -> Any:
    from cli.resources import catalogue

    return catalogue()


@forums.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def forums_import(file: Path) -> None:
    """Create or update forums and sessions from a YAML or JSON FILE (safe to run again)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"Kan ikke læse {file}: {getattr(exc, 'strerror', None) or 'ikke UTF-8-tekst'}")
    try:
        result = _catalogue().import_text(text, filename=file.name)
    except InvalidInput as exc:
        lines = [f"  {e.field}: {e.message} ({e.code})" for e in exc.errors]
        fail(f"{file} blev ikke indlæst; ret disse felter:\n" + "\n".join(lines))
    click.echo(f"Indlæst: {counted(result.forums, 'lederforum', 'lederforummer')} og "
               f"{counted(result.sessions, 'møde', 'møder')}.")


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
            click.echo(f"  {s.id:<36} {s.city:<12} {danish_time(s.starts_at)}  "
                       f"{s.seats_left:>3}/{s.capacity:<3} {s.status.value}")


@forums.command("participants")
@click.argument("session_id")
@click.option("--csv", "as_csv", is_flag=True,
              help="CSV for a spreadsheet (UTF-8 with BOM, ; separated, Danish headings).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the CSV to this file (default: print it).")
def forums_participants(session_id: str, as_csv: bool, out: Path | None) -> None:
    """List everyone registered for SESSION_ID: confirmed, waiting in line, cancelled."""
    from shared.forums.registration.secretariat import HeadCount
    from shared.forums.spreadsheet import participant_row, participants_csv

    _session_or_fail(session_id)
    everyone = _secretariat().participants(session_id)
    rows = [participant_row(p) for p in everyone]
    if as_csv or out is not None:
        text = participants_csv(rows)
        if out is None:
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.flush()
        else:
            out.write_bytes(text.encode("utf-8"))
            click.echo(f"Skrevet til {out}: {HeadCount.of(everyone).summary}.")
        return
    if not rows:
        click.echo(f"Ingen tilmeldinger til {session_id}.")
    for row in rows:
        status = f"{row[0]} {row[1]}".strip()
        click.echo(f"{status:<18} {row[2]:<30} {row[3]:<32} {row[6]}")
    click.echo(f"{HeadCount.of(everyone).summary}.")
    for p in everyone:
        if p.member_number_shared:
            r = p.registration
            click.echo(f"OBS: medlemsnummer {r.member_number} bruges også af en anden "
                       f"tilmelding: {r.name} <{r.email}>")


def _secretariat() -> Any:
    from cli.resources import catalogue_store, registration_store
    from shared.forums.registration.secretariat import Secretariat

    return Secretariat(registration_store(), catalogue_store())


@forums.command("close")
@click.argument("session_id")
@click.option("--reopen", is_flag=True, help="Open the registration again.")
def forums_close(session_id: str, reopen: bool) -> None:
    """Close registration for SESSION_ID (registered participants keep their seats)."""
    from cli.resources import catalogue_store

    _session_or_fail(session_id)
    catalogue_store().set_status(session_id, closed=not reopen)
    click.echo(f"{session_id}: tilmelding {'åbnet' if reopen else 'lukket'}.")


@forums.command("cancel-session")
@click.argument("session_id")
@click.option("--reason", required=True, help="Told to every participant (Danish).")
@click.option("--yes", is_flag=True, help="Do not ask first (for scripts).")
def forums_cancel_session(session_id: str, reason: str, yes: bool) -> None:
    """Cancel SESSION_ID: every participant is told once, by email, with the reason. It
    cannot be undone; asks first unless --yes."""
    from cli.resources import registration_store
    from shared.forums.catalogue import valid_cancel_reason
    from shared.forums.registration.models import Status

    try:
        reason = valid_cancel_reason(reason)
    except InvalidInput as exc:
        fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    session = _session_or_fail(session_id)
    store = registration_store()
    if not yes:
        told = sum(1 for r in store.registrations(session_id)
                   if r.status is not Status.CANCELLED)
        whom = counted(told, "deltager", "deltagere")
        if not confirm(f"Aflys {session_id} ({session.city}, {danish_time(session.starts_at)})"
                       f" og skriv til {whom}? Det kan ikke fortrydes."):
            fail("Intet er aflyst.")
    cancelled = _secretariat().cancel_session(session_id, reason)
    click.echo(f"{session_id} er aflyst; {counted(cancelled, 'deltager', 'deltagere')} får besked.")
