"""`leaders`: one command with a group per area. It talks to AWS with the usual credentials,
or to the local runtime when AWS_ENDPOINT_URL points at its emulator."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from cli.danish import (
    TIME_FORMAT,
    DanishTimeError,
    confirm,
    danish_time,
    parse_danish_time,
)
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
    """Leaders of leaders: operator commands. Times are typed and shown in Danish time."""
    from cli.environment import configure

    used = configure(os.environ)
    if used:
        click.echo(f"Den lokale runtime: {os.environ['AWS_ENDPOINT_URL']} (fra {used}).",
                   err=True)


def _session_or_fail(session_id: str) -> Any:
    """The session, or a Danish sentence naming the one that does not exist (exit 1)."""
    from cli.resources import catalogue_store

    session = catalogue_store().session(session_id)
    if session is None:
        _fail(f"Sessionen '{session_id}' findes ikke. 'leaders forums list' viser sessionerne.")
    return session


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
    from cli.resources import registration_store
    from cli.spreadsheet import participant_row, participants_csv

    _session_or_fail(session_id)
    store = registration_store()
    waiting = store.waiting(session_id)
    everyone = _registrations(store).participants(session_id)
    rows = [participant_row(r, waiting.index(r.id) + 1 if r.id in waiting else None)
            for r in everyone]
    if as_csv or out is not None:
        text = participants_csv(rows)
        if out is None:
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.flush()
        else:
            out.write_bytes(text.encode("utf-8"))
            click.echo(f"Skrevet til {out}: {len(rows)} tilmeldinger.")
        return
    if not rows:
        click.echo(f"Ingen tilmeldinger til {session_id}.")
    for row in rows:
        status = f"{row[0]} {row[1]}".strip()
        click.echo(f"{status:<18} {row[2]:<30} {row[3]:<32} {row[6]}")
    confirmed = sum(1 for r in everyone if r.status.value == "confirmed")
    click.echo(f"{confirmed} bekræftede, {len(waiting)} på venteliste.")


def _registrations(store: object) -> Any:
    from shared.forums.registration import Registrations

    return Registrations(store, secret=b"")  # type: ignore[arg-type] # listing signs nothing


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
    from cli.resources import catalogue_store, registration_store
    from shared.forums.cancellation import cancel_session
    from shared.forums.registration import Status

    session = _session_or_fail(session_id)
    store = registration_store()
    if not yes:
        told = sum(1 for r in store.registrations(session_id)
                   if r.status is not Status.CANCELLED)
        if not confirm(f"Aflys {session_id} ({session.city}, {danish_time(session.starts_at)})"
                       f" og skriv til {told} deltagere? Det kan ikke fortrydes."):
            _fail("Intet er aflyst.")
    cancelled = cancel_session(catalogue_store(), store, session_id, reason)
    click.echo(f"{session_id} er aflyst; {cancelled} deltagere får besked.")


@main.group()
def consultant() -> None:
    """The leader consultant's queue of advisory requests and ideas."""


LEASE_HELP = "How long the request stays yours before it returns to the queue."


def _show(leased: Any) -> None:
    from shared.advisory.mail import KIND_TEXT
    from shared.clock import to_copenhagen

    request, contents = leased.request, leased.contents
    click.echo(f"Reference:  {request.reference}")
    click.echo(f"Type:       {KIND_TEXT[request.kind]}{'  (HASTER)' if request.urgent else ''}")
    click.echo(f"Modtaget:   {danish_time(request.received_at)}")
    for label, value in (("Navn", contents.name), ("E-mail", contents.email),
                         ("Telefon", contents.phone),
                         ("Foretrækker", contents.contact_preference),
                         ("Emne", contents.topic)):
        if value:
            click.echo(f"{label + ':':<12}{value}")
    click.echo("")
    click.echo(contents.message)
    click.echo("")
    until = to_copenhagen(leased.until).strftime("%H.%M")
    click.echo(f"Lånt til dig til kl. {until}. Afslut med "
               f"'leaders consultant done {request.reference}' eller læg tilbage med "
               f"'leaders consultant release {request.reference}'.")


@consultant.command("next")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_next(lease_minutes: int) -> None:
    """Lease the next request (urgent first, oldest first) and show it."""
    from datetime import timedelta

    from cli.resources import desk

    leased = desk().next(timedelta(minutes=lease_minutes))
    if leased is None:
        click.echo("Der venter ingen henvendelser.")
        return
    _show(leased)


@consultant.command("done")
@click.argument("reference")
@click.option("--note", default=None, help="A private note, stored sealed like the request.")
def consultant_done(reference: str, note: str | None) -> None:
    """Close REFERENCE: it leaves the queue for good."""
    from cli.resources import desk

    _desk_call(reference, lambda: desk().done(reference.upper(), note))
    click.echo(f"{reference.upper()} er afsluttet.")


@consultant.command("release")
@click.argument("reference")
def consultant_release(reference: str) -> None:
    """Put REFERENCE back in the queue at once."""
    from cli.resources import desk

    _desk_call(reference, lambda: desk().release(reference.upper()))
    click.echo(f"{reference.upper()} er lagt tilbage i køen.")


@consultant.command("extend")
@click.argument("reference")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_extend(reference: str, lease_minutes: int) -> None:
    """Keep REFERENCE longer."""
    from datetime import timedelta

    from cli.resources import desk

    _desk_call(reference, lambda: desk().extend(reference.upper(),
                                                timedelta(minutes=lease_minutes)))
    click.echo(f"{reference.upper()} er dit i {lease_minutes} minutter mere.")


@consultant.command("list")
def consultant_list() -> None:
    """What waits and how long, without names or texts."""
    from cli.resources import desk
    from shared.advisory.mail import KIND_TEXT

    waiting = desk().waiting()
    if not waiting:
        click.echo("Der venter ingen henvendelser.")
    for item in waiting:
        click.echo(f"{item.reference}  {'HASTER ' if item.urgent else '       '}"
                   f"{item.status.value:<8} {item.age_hours:>7.1f} t  {KIND_TEXT[item.kind]}")


def _desk_call(reference: str, action: Any) -> None:
    from shared.errors import DomainError, NotFound

    try:
        action()
    except NotFound:
        _fail(f"Henvendelsen {reference.upper()} findes ikke. 'leaders consultant list' viser "
              "dem, der venter.")
    except DomainError as exc:
        _fail(exc.message)


@main.group(name="newsletter")
def newsletter_group() -> None:
    """The newsletter: drafts, tests, approval, sending and statistics."""


@newsletter_group.command("draft")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--subject", required=True, help="The subject line (Danish).")
@click.option("--id", "issue_id", default=None, help="Issue id (default: the file's name).")
def newsletter_draft(file: Path, subject: str, issue_id: str | None) -> None:
    """Create or replace a draft from a Markdown (.md) or HTML file."""
    import re

    from cli.resources import newsletter_store
    from shared.clock import utcnow
    from shared.newsletter.editor import ISSUE_ID, draft

    issue_id = (issue_id or file.stem).lower()
    if not re.fullmatch(ISSUE_ID, issue_id):
        _fail(f"Id '{issue_id}' må kun have små bogstaver, tal og bindestreger.")
    if "\n" in subject or "\r" in subject or not subject.strip():
        _fail("Emnelinjen skal være én linje tekst.")
    issue = draft(issue_id, subject.strip(), file.read_text(encoding="utf-8"),
                  markdown=file.suffix.lower() in (".md", ".markdown"), now=utcnow())
    store = newsletter_store()
    try:
        store.put_issue(issue)
    except store._client.exceptions.ConditionalCheckFailedException:
        _fail(f"{issue_id} er allerede godkendt eller sendt og kan ikke ændres.")
    click.echo(f"Kladde {issue_id} gemt. Send en prøve med 'leaders newsletter test "
               f"{issue_id} --to din@adresse.dk'.")


@newsletter_group.command("test")
@click.argument("issue_id")
@click.option("--to", "recipients", multiple=True, required=True, help="An editor address.")
def newsletter_test(issue_id: str, recipients: tuple[str, ...]) -> None:
    """Send ISSUE_ID to editor addresses, marked as a test (nobody is unsubscribed by it)."""
    from cli.resources import newsletter
    from shared.errors import DomainError, NotFound

    try:
        newsletter().send_test(issue_id, list(recipients))
    except NotFound:
        _issue_not_found(issue_id)
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"Prøve sendt til {', '.join(recipients)}.")


@newsletter_group.command("approve")
@click.argument("issue_id")
@click.option("--at", "send_at", default=None,
              help="Its own send time in Danish time, e.g. '2027-03-02 08:00' (else the "
                   "schedule).")
def newsletter_approve(issue_id: str, send_at: str | None) -> None:
    """Approve ISSUE_ID: it goes out with the next scheduled send, or at --at."""
    from datetime import datetime

    from cli.resources import newsletter, newsletter_store
    from shared.clock import utcnow
    from shared.errors import DomainError

    moment: datetime | None = None
    if send_at:
        try:
            moment = parse_danish_time(send_at)
        except DanishTimeError as exc:
            _fail(exc.message)
        except ValueError:
            _fail(f"Skriv tidspunktet i dansk tid som {TIME_FORMAT}.")
        if moment is not None and moment <= utcnow():
            _fail(f"{danish_time(moment)} er allerede passeret; vælg et tidspunkt frem i tiden "
                  "(dansk tid).")
    if newsletter_store().issue(issue_id) is None:
        _issue_not_found(issue_id)
    try:
        issue = newsletter().approve(issue_id, moment)
    except DomainError as exc:
        _fail(exc.message)
    when = f"{danish_time(issue.send_at)} (dansk tid)" if issue.send_at else \
        "med næste planlagte udsendelse"
    click.echo(f"{issue_id} er godkendt og sendes {when}.")


def _issue_not_found(issue_id: str) -> None:
    _fail(f"Nummeret {issue_id} findes ikke. 'leaders newsletter status' viser numrene.")


@newsletter_group.command("status")
@click.argument("issue_id", required=False)
def newsletter_status(issue_id: str | None) -> None:
    """Per issue: status, recipients, sent, failed, uncertain (SES may have accepted, not
    recorded), bounced, complained, unsubscribed since."""
    from cli.resources import newsletter_store

    store = newsletter_store()
    issues = [store.issue(issue_id)] if issue_id else store.issues()
    if not issues or issues[0] is None:
        if issue_id:
            _issue_not_found(issue_id)
        _fail("Der er ingen numre endnu.")
    for issue in issues:
        assert issue is not None
        when = danish_time(issue.send_at)
        click.echo(f"{issue.id:<24} {issue.status.value:<9} sendes {when:<17} "
                   f"modtagere {issue.recipients}  sendt {issue.sent}  fejlet {issue.failed}  "
                   f"usikre {issue.uncertain}  "
                   f"bounced {issue.bounced}  klager {issue.complained}  "
                   f"afmeldt {issue.unsubscribed}  {issue.subject}")


@main.group()
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
        from shared.privacy import Unreadable

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
        _fail("Intet er slettet.")
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
        _fail(f"'{email}' er ikke en e-mailadresse.")


def _nothing_held(email: str, counts: dict[str, int]) -> None:
    """Nothing found about the address: said plainly, and a non-zero exit for scripts."""
    if not any(counts.values()):
        _fail(f"Der findes ingen oplysninger om {email} ({', '.join(counts)}).")


from cli.staff import staff  # noqa: E402 - the staff console's users, a group of its own

main.add_command(staff)


def run() -> None:
    """The console entry: AWS problems become one clear line instead of a traceback."""
    from botocore.exceptions import BotoCoreError, ClientError

    from shared.errors import DomainError

    try:
        main()
    except DomainError as exc:
        _fail(exc.message)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        _fail(f"AWS svarede {error.get('Code', 'fejl')}: {error.get('Message', '')}")
    except BotoCoreError as exc:
        _fail(f"Kunne ikke tale med AWS: {exc}")


if __name__ == "__main__":
    run()
